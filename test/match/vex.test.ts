// OpenVEX: the spec's own examples and go-vex's test documents (../shared/data/specs/openvex) loaded or
// refused with one line naming the file, and the statements applied to findings built from the fixture
// database's real records: go-vex's alpine document (an image by digest, two subcomponents), Docker
// Scout's exception shape (`pkg:docker/NAME@TAG` + a subcomponent), aliases, under_investigation and
// affected, and the latest statement winning as the spec says.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { Finding } from '../../src/core/finding.ts';
import type { Package } from '../../src/core/package.ts';
import type { SbomSource } from '../../src/core/sbom.ts';
import { SpyglassError } from '../../src/core/errors.ts';
import { applyVex, loadVexDocuments, parseVexDocument, vexDocumentsFromImage, type VexDocument } from '../../src/match/vex.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { findingFromRecords, manifestPackages, packageNamed } from '../helpers/finding-records.ts';
import { SHARED, expectedImage } from '../helpers/fixtures.ts';

const OPENVEX = join(SHARED, 'data/specs/openvex');
const GO_VEX = join(OPENVEX, 'go-vex-testdata');
const VALID = [join(GO_VEX, 'vex__v0.2.0.json'), join(OPENVEX, 'spec-md-examples/OPENVEX-SPEC.md.lines127-147.json'), join(OPENVEX, 'spec-md-examples/OPENVEX-SPEC.md.lines435-453.json')];

interface RawStatement {
  vulnerability: { name: string; aliases?: string[] };
  status: string;
  products: { '@id': string; subcomponents?: { '@id': string }[] }[];
  justification?: string;
  impact_statement?: string;
}
const raw = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { '@id': string; author: string; timestamp: string; statements: RawStatement[] };

async function refusal(locations: string[]): Promise<string> {
  try {
    await loadVexDocuments(locations);
  } catch (error) {
    assert.ok(error instanceof SpyglassError, `a SpyglassError, not ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  assert.fail(`${locations.join(', ')} loaded`);
}

describe('loading OpenVEX documents', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spyglass-vex-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validates with the spec repository\'s own schema, shipped unchanged in docs/', () => {
    assert.deepEqual(readFileSync(new URL('../../docs/openvex-0.2.0.schema.json', import.meta.url)), readFileSync(join(OPENVEX, 'openvex_json_schema.json')));
  });

  it('reads the spec\'s examples and go-vex\'s v0.2.0 document as their JSON says', async () => {
    const documents = await loadVexDocuments(VALID);
    assert.equal(documents.length, 3);
    documents.forEach((document, index) => {
      const json = raw(VALID[index]!);
      assert.equal(document.origin, VALID[index]);
      assert.equal(document.id, json['@id']);
      assert.equal(document.author, json.author);
      assert.deepEqual(document.statements.map((statement) => [statement.vulnerability, statement.status, statement.justification, statement.impactStatement]),
        json.statements.map((statement) => [[statement.vulnerability.name, ...(statement.vulnerability.aliases ?? [])], statement.status, statement.justification, statement.impact_statement]));
      assert.deepEqual(document.statements.map((statement) => statement.products.map((product) => [product.ids, product.subcomponents.map((sub) => sub.ids)])),
        json.statements.map((statement) => statement.products.map((product) => [[product['@id']], (product.subcomponents ?? []).map((sub) => [sub['@id']])])));
      // No statement has its own timestamp: each takes the document's.
      for (const statement of document.statements) assert.equal(statement.time, Date.parse(json.timestamp));
    });
  });

  it('refuses each document that does not pass the official schema with one line naming the file', async () => {
    const v001 = join(GO_VEX, 'vex__v0.0.1.json');
    assert.equal(await refusal([v001]), `${v001}: not a valid OpenVEX document: /version must be integer (its @context https://openvex.dev/ns/v0.0.1 is OpenVEX v0.0.1; Spyglass reads v0.2.0)`);
    const noTimestamp = join(GO_VEX, 'vex__v020-1.vex.json');
    assert.equal(await refusal([noTimestamp]), `${noTimestamp}: not a valid OpenVEX document: / must have required property 'timestamp'`);
    const csaf = join(GO_VEX, 'vex__csaf.json');
    assert.equal(await refusal([csaf]), `${csaf}: a CSAF document, not OpenVEX (Spyglass reads OpenVEX v0.2.0)`);
    // Canonical's VEX as vuls keeps it: the document's fields wrapped in `metadata`.
    const ubuntu = join(SHARED, 'data/advisories/ubuntu-tracker/vex/USN-7372-1.json');
    assert.equal(await refusal([ubuntu]), `${ubuntu}: not a valid OpenVEX document: / must have required property '@context'`);
    for (const name of ['vex__v0.0.1-noversion.json', 'vex__v001-1.vex.json', 'vex__v001-2.vex.json', 'vex__v020-2.vex.json', 'csaf__openvex.json', 'csaf__csaf.json']) {
      assert.match(await refusal([join(GO_VEX, name)]), new RegExp(`^${join(GO_VEX, name).replace(/[.+]/g, '\\$&')}: (not a valid OpenVEX document|a CSAF document)`));
    }
    const spec = join(OPENVEX, 'OPENVEX-SPEC.md');
    assert.match(await refusal([spec]), new RegExp(`^${spec.replace(/[.]/g, '\\.')}: not valid JSON \\(`));
    assert.equal(await refusal([join(dir, 'missing.json')]), `VEX location ${join(dir, 'missing.json')}: no such file or directory`);
  });

  it('refuses a not_affected statement with neither justification nor impact statement', async () => {
    const json = raw(VALID[0]!);
    const statement = json.statements.find((candidate) => candidate.status === 'not_affected')!;
    delete statement.justification;
    delete statement.impact_statement;
    const path = join(dir, 'no-justification.json');
    writeFileSync(path, JSON.stringify(json));
    assert.equal(await refusal([path]), `${path}: not a valid OpenVEX document: /statements/3 must have property 'justification' or 'impact_statement'`);
    // The schema leaves date-time formats unchecked here; the times matching reads are parsed, and must parse.
    const badTime = raw(VALID[1]!) as unknown as { statements: Record<string, unknown>[] };
    badTime.statements[0]!.timestamp = 'yesterday';
    const timePath = join(dir, 'bad-time.json');
    writeFileSync(timePath, JSON.stringify(badTime));
    assert.equal(await refusal([timePath]), `${timePath}: statement 1 timestamp "yesterday" is not a date and time`);
  });

  it('reads a directory\'s *.json files in name order, passing over other in-toto statements there but not when named', async () => {
    const folder = join(dir, 'folder');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    writeFileSync(join(folder, 'b.vex.json'), readFileSync(VALID[0]!));
    writeFileSync(join(folder, 'a.json'), readFileSync(VALID[1]!));
    writeFileSync(join(folder, 'notes.txt'), 'not read');
    // A real SLSA provenance statement (Google Cloud Build), as found in slsa-verifier's test data.
    const gcb = JSON.parse(readFileSync(join(SHARED, 'data/specs/slsa/examples/gcb_container-v0.2-gcloud-container-github.json'), 'utf8')) as { provenance_summary: { provenance: { build: { intotoStatement: { predicateType: string } } }[] } };
    const provenance = gcb.provenance_summary.provenance[0]!.build.intotoStatement;
    writeFileSync(join(folder, 'provenance.json'), JSON.stringify(provenance));
    const documents = await loadVexDocuments([folder]);
    assert.deepEqual(documents.map((document) => document.origin), [join(folder, 'a.json'), join(folder, 'b.vex.json')]);
    assert.equal(await refusal([join(folder, 'provenance.json')]), `${join(folder, 'provenance.json')}: an in-toto statement with predicate type ${provenance.predicateType}, not OpenVEX`);
    // A Sigstore bundle of SLSA provenance (bcr), unwrapped down to its statement.
    const bundle = join(SHARED, 'data/specs/slsa/examples/bcr-MODULE.bazel.intoto.jsonl');
    assert.equal(await refusal([bundle]), `${bundle}: an in-toto statement with predicate type https://slsa.dev/provenance/v1, not OpenVEX`);
  });

  it('reads OpenVEX in an in-toto statement and in a DSSE envelope, whose subjects are the products of statements naming none', () => {
    const json = raw(VALID[2]!) as unknown as { statements: Record<string, unknown>[] };
    delete json.statements[0]!.products;
    const hex = '124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126';
    const statement = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'alpine', digest: { sha256: hex } }], predicateType: 'https://openvex.dev/ns/v0.2.0', predicate: json };
    const fromStatement = parseVexDocument(JSON.stringify(statement), 'statement.json')!;
    assert.deepEqual(fromStatement.statements[0]!.products, [{ ids: [`sha256:${hex}`], subcomponents: [] }]);
    const envelope = { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(JSON.stringify(statement)).toString('base64'), signatures: [] };
    assert.deepEqual(parseVexDocument(JSON.stringify(envelope), 'envelope.json'), { ...fromStatement, origin: 'envelope.json' });
    assert.throws(() => parseVexDocument(JSON.stringify(json), 'bare.json'), { message: 'bare.json: statement 1 (CVE-2023-12345) names no product, and no enclosing attestation has a subject' });
  });

  it('turns broken VEX files found in an image into warnings, not errors', () => {
    const text = readFileSync(VALID[0]!, 'utf8');
    const { documents, warnings } = vexDocumentsFromImage([
      { path: '/app/ok.vex.json', layerDiffId: 'sha256:00', text },
      { path: '/app/broken.vex.json', layerDiffId: 'sha256:00', text: text.slice(0, 100) },
    ]);
    assert.deepEqual(documents.map((document) => document.origin), ['image:/app/ok.vex.json']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^VEX document not applied: image:\/app\/broken\.vex\.json: not valid JSON \(/);
  });
});

/** A VEX document as a user would write it with vexctl, for the semantics tests. */
function document(origin: string, timestamp: string, statements: Record<string, unknown>[]): VexDocument {
  return parseVexDocument(JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0', '@id': `https://openvex.dev/docs/example/${origin}`, author: 'Spyglass tests', timestamp, version: 1, statements,
  }), origin)!;
}

const suppressedIds = (findings: Finding[]) => findings.filter((finding) => finding.suppressed).map((finding) => `${finding.id} ${finding.packageId.split(':')[1]}`).sort();

describe('applying VEX statements', () => {
  let store: SqliteAdvisoryStore;
  // go-vex's alpine document speaks of libssl3 and libcrypto3 3.0.8-r3 in the alpine image of that index digest.
  const alpine: Package[] = ['libssl3', 'libcrypto3'].map((name) => ({
    id: `apk:${name}@3.0.8-r3:/lib/apk/db/installed`, type: 'apk', name, version: '3.0.8-r3', sourceName: 'openssl', purl: `pkg:apk/alpine/${name}@3.0.8-r3?arch=x86_64&distro=alpine-3.17.4`,
    licenses: [], locations: [{ path: '/lib/apk/db/installed', layerDiffId: 'sha256:00' }],
  }));
  const alpineTarget: SbomSource = { input: 'alpine:3.17', names: ['alpine:3.17'], indexDigest: 'sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126', layers: [] };
  const alpineCves = ['CVE-2023-1255', 'CVE-2023-2650', 'CVE-2023-2975', 'CVE-2023-3446', 'CVE-2023-3817'];
  let alpineFindings: Finding[];
  // The app-bullseye fixture: its packages as its manifest lists them, under the name Docker's exception guide uses.
  const app = expectedImage('app-bullseye');
  const appPackages = manifestPackages('app-bullseye');
  const appTarget: SbomSource = { input: 'example/app:v1', names: ['example/app:v1'], manifestDigest: app.manifestDigest as `${string}:${string}`, configDigest: app.configDigest as `${string}:${string}`, layers: [] };
  const byId = (packages: Package[]) => new Map(packages.map((pkg) => [pkg.id, pkg]));
  let qs: Finding;
  let lodash: Finding[];
  let curl: Finding[];

  before(async () => {
    store = SqliteAdvisoryStore.open(fixtureDatabase());
    alpineFindings = [];
    for (const pkg of alpine) {
      for (const cve of alpineCves) alpineFindings.push(await findingFromRecords(store, pkg, { source: 'alpine-secdb', advisoryId: cve, namespace: 'alpine:3.17', packageName: 'openssl' }));
    }
    qs = await findingFromRecords(store, packageNamed(appPackages, 'qs'), { source: 'osv', advisoryId: 'GHSA-hrpp-h998-j3pp', namespace: 'npm', packageName: 'qs' });
    lodash = await Promise.all(['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw'].map((ghsa) => findingFromRecords(store, packageNamed(appPackages, 'lodash'), { source: 'osv', advisoryId: ghsa, namespace: 'npm', packageName: 'lodash' })));
    curl = await Promise.all(['curl', 'libcurl4'].map((name) => findingFromRecords(store, packageNamed(appPackages, name), { source: 'debian-tracker', advisoryId: 'CVE-2023-38545', namespace: 'debian:11', packageName: 'curl' })));
  });
  after(() => store.close());

  it('applies go-vex\'s alpine document to the image of its digest: fixed and not_affected suppress, with the justification', async () => {
    const documents = await loadVexDocuments([VALID[0]!]);
    const json = raw(VALID[0]!);
    const applied = applyVex(alpineFindings, byId(alpine), documents, alpineTarget);
    assert.equal(applied.length, alpineFindings.length);
    for (const finding of applied) {
      const statement = json.statements.find((candidate) => candidate.vulnerability.name === finding.id)!;
      const reason = [statement.justification, statement.impact_statement].filter(Boolean).join(': ');
      assert.deepEqual(finding.suppressed, { kind: 'vex', status: statement.status, origin: VALID[0], ...(reason ? { reason } : {}) });
    }
    assert.equal(applied.filter((finding) => finding.suppressed?.reason === 'vulnerable_code_not_present: affected functions were removed before packaging').length, 4);
  });

  it('does not apply statements about an image to another image, nor without knowing the image', async () => {
    const documents = await loadVexDocuments([VALID[0]!]);
    assert.deepEqual(suppressedIds(applyVex(alpineFindings, byId(alpine), documents, { ...alpineTarget, indexDigest: app.manifestDigest as `${string}:${string}` })), []);
    assert.deepEqual(suppressedIds(applyVex(alpineFindings, byId(alpine), documents)), []);
  });

  it('applies Docker Scout\'s exception shape: the image as pkg:docker/NAME@TAG, the package as a subcomponent', () => {
    const exception = document('CVE-2022-24999.vex.json', '2024-06-01T10:00:00Z', [{
      vulnerability: { name: 'CVE-2022-24999' },
      products: [{ '@id': 'pkg:docker/example/app@v1', subcomponents: [{ '@id': 'pkg:npm/qs@6.7.0' }] }],
      status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path',
    }]);
    const findings = [qs, ...lodash];
    const applied = applyVex(findings, byId(appPackages), [exception], appTarget);
    assert.deepEqual(applied[0]!.suppressed, { kind: 'vex', status: 'not_affected', reason: 'vulnerable_code_not_in_execute_path', origin: 'CVE-2022-24999.vex.json' });
    assert.deepEqual(applied.slice(1), lodash, 'other findings are the same values');
    // Another tag, another repository, another registry named by repository_url: not this image.
    for (const product of ['pkg:docker/example/app@v2', 'pkg:docker/example/other@v1', 'pkg:docker/example/app@v1?repository_url=ghcr.io']) {
      const other = document('other.vex.json', '2024-06-01T10:00:00Z', [{ vulnerability: { name: 'CVE-2022-24999' }, products: [{ '@id': product, subcomponents: [{ '@id': 'pkg:npm/qs@6.7.0' }] }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }]);
      assert.deepEqual(suppressedIds(applyVex(findings, byId(appPackages), [other], appTarget)), [], product);
    }
    // A subcomponent at another version is another package.
    const otherVersion = document('v.vex.json', '2024-06-01T10:00:00Z', [{ vulnerability: { name: 'CVE-2022-24999' }, products: [{ '@id': 'pkg:docker/example/app@v1', subcomponents: [{ '@id': 'pkg:npm/qs@6.10.3' }] }], status: 'fixed' }]);
    assert.deepEqual(suppressedIds(applyVex(findings, byId(appPackages), [otherVersion], appTarget)), []);
  });

  it('matches the vulnerability by the finding\'s aliases and by the statement\'s aliases', () => {
    const byGhsa = document('ghsa.json', '2024-06-01T10:00:00Z', [{ vulnerability: { name: 'GHSA-hrpp-h998-j3pp' }, products: [{ '@id': 'pkg:npm/qs@6.7.0' }], status: 'not_affected', impact_statement: 'qs parses no user input here' }]);
    const applied = applyVex([qs, ...lodash], byId(appPackages), [byGhsa]);
    assert.deepEqual(applied[0]!.suppressed, { kind: 'vex', status: 'not_affected', reason: 'qs parses no user input here', origin: 'ghsa.json' });
    const byAlias = document('alias.json', '2024-06-01T10:00:00Z', [{ vulnerability: { name: 'SNYK-JS-LODASH-1040724', aliases: ['GHSA-35jh-r3h4-6jhm'] }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'fixed' }]);
    assert.deepEqual(suppressedIds(applyVex([qs, ...lodash], byId(appPackages), [byAlias])), ['CVE-2021-23337 lodash@4.17.15']);
  });

  it('matches package purls ignoring qualifiers the statement leaves out, and the whole image by digest', () => {
    const about = (product: string) => applyVex(curl, byId(appPackages), [document('p.json', '2024-06-01T10:00:00Z', [{ vulnerability: { name: 'CVE-2023-38545' }, products: [{ '@id': product }], status: 'not_affected', justification: 'vulnerable_code_not_present' }])], appTarget);
    assert.deepEqual(suppressedIds(about('pkg:deb/debian/curl@7.74.0-1.3+deb11u16')), ['CVE-2023-38545 curl@7.74.0-1.3+deb11u16']);
    assert.deepEqual(suppressedIds(about('pkg:deb/debian/curl')), ['CVE-2023-38545 curl@7.74.0-1.3+deb11u16']);
    assert.deepEqual(suppressedIds(about('pkg:deb/debian/curl@7.74.0-1.3+deb11u16?arch=amd64')), ['CVE-2023-38545 curl@7.74.0-1.3+deb11u16']);
    assert.deepEqual(suppressedIds(about('pkg:deb/debian/curl@7.74.0-1.3+deb11u16?arch=arm64')), []);
    assert.deepEqual(suppressedIds(about('pkg:deb/debian/curl@7.74.0-1.3+deb11u15')), []);
    assert.deepEqual(suppressedIds(about('pkg:deb/ubuntu/curl@7.74.0-1.3+deb11u16')), []);
    const both = ['CVE-2023-38545 curl@7.74.0-1.3+deb11u16', 'CVE-2023-38545 libcurl4@7.74.0-1.3+deb11u16'];
    assert.deepEqual(suppressedIds(about(`pkg:oci/app@${encodeURIComponent(app.manifestDigest)}?repository_url=example/app`)), both);
    assert.deepEqual(suppressedIds(about(app.configDigest)), both);
    assert.deepEqual(suppressedIds(about('pkg:docker/example/app')), both);
    assert.deepEqual(suppressedIds(about('pkg:oci/app?tag=v1')), both);
    assert.deepEqual(suppressedIds(about(`pkg:oci/app@${encodeURIComponent(expectedImage('app-bookworm').manifestDigest)}`)), []);
  });

  it('lets a product package cover the packages inside it: a Go binary\'s main module and its stdlib', async () => {
    // Both esbuild binaries of app-bullseye hold Go 1.20.4; the Go cataloger makes stdlib a child of the main module.
    const binary = '/app/node_modules/esbuild/bin/esbuild';
    const main = appPackages.find((pkg) => pkg.name === 'github.com/evanw/esbuild' && pkg.locations[0]!.path === binary)!;
    const stdlib = { ...appPackages.find((pkg) => pkg.name === 'stdlib' && pkg.locations[0]!.path === binary)!, parent: main.id };
    const finding = await findingFromRecords(store, stdlib, { source: 'osv', advisoryId: 'GO-2023-1840', namespace: 'go', packageName: 'stdlib' });
    const about = (product: Record<string, unknown>, packages: Package[]) => suppressedIds(applyVex([finding], byId(packages), [document('go.json', '2024-06-01T10:00:00Z', [{ vulnerability: { name: 'GO-2023-1840' }, products: [product], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }])]));
    const withParent = [main, stdlib];
    assert.deepEqual(about({ '@id': 'pkg:golang/github.com/evanw/esbuild' }, withParent), ['CVE-2023-29403 stdlib@go1.20.4']);
    assert.deepEqual(about({ '@id': 'pkg:golang/github.com/evanw/esbuild' }, [main, { ...stdlib, parent: undefined }]), []);
    assert.deepEqual(about({ '@id': 'pkg:golang/github.com/evanw/esbuild', subcomponents: [{ '@id': 'pkg:golang/stdlib@1.20.4' }] }, withParent), ['CVE-2023-29403 stdlib@go1.20.4']);
    assert.deepEqual(about({ '@id': 'pkg:golang/github.com/evanw/esbuild', subcomponents: [{ '@id': 'pkg:golang/stdlib@1.21.0' }] }, withParent), []);
  });

  it('does not suppress for under_investigation or affected', () => {
    for (const status of ['under_investigation', 'affected']) {
      const statement: Record<string, unknown> = { vulnerability: { name: 'CVE-2023-38545' }, products: [{ '@id': 'pkg:deb/debian/curl' }], status };
      if (status === 'affected') statement.action_statement = 'Upgrade to 7.74.0-1.3+deb11u10';
      assert.deepEqual(suppressedIds(applyVex(curl, byId(appPackages), [document('s.json', '2024-06-01T10:00:00Z', [statement])])), [], status);
    }
  });

  it('lets the latest statement about a vulnerability and product win, whatever the order of documents and statements', () => {
    // The spec's "Updating Statements with Inherited Data": under_investigation on 01-08, fixed (the document's time) on 01-09.
    const updated = document('updated.json', '2023-01-09T09:08:42-06:00', [
      { timestamp: '2023-01-08T18:02:03-06:00', vulnerability: { name: 'CVE-2023-38545' }, products: [{ '@id': 'pkg:deb/debian/curl' }], status: 'under_investigation' },
      { vulnerability: { name: 'CVE-2023-38545' }, products: [{ '@id': 'pkg:deb/debian/curl' }], status: 'fixed' },
    ]);
    assert.deepEqual(suppressedIds(applyVex(curl, byId(appPackages), [updated])), ['CVE-2023-38545 curl@7.74.0-1.3+deb11u16']);
    const statement = (status: string) => ({ vulnerability: { name: 'CVE-2023-38545' }, products: [{ '@id': 'pkg:deb/debian/curl' }], status, ...(status === 'affected' ? { action_statement: 'upgrade' } : { justification: 'vulnerable_code_not_present' }) });
    const earlier = document('earlier.json', '2024-01-01T00:00:00Z', [statement('not_affected')]);
    const later = document('later.json', '2024-03-01T00:00:00+01:00', [statement('affected')]);
    assert.deepEqual(suppressedIds(applyVex(curl, byId(appPackages), [earlier, later])), []);
    assert.deepEqual(suppressedIds(applyVex(curl, byId(appPackages), [later, earlier])), []);
    const reversed = document('reversed.json', '2023-12-31T23:59:59Z', [statement('affected')]);
    const applied = applyVex(curl, byId(appPackages), [earlier, reversed]);
    assert.deepEqual(applied[0]!.suppressed, { kind: 'vex', status: 'not_affected', reason: 'vulnerable_code_not_present', origin: 'earlier.json' });
    // A statement's last_updated is when it was last known true.
    const revised = document('revised.json', '2023-06-01T00:00:00Z', [{ ...statement('not_affected'), last_updated: '2024-06-01T00:00:00Z' }]);
    assert.deepEqual(suppressedIds(applyVex(curl, byId(appPackages), [later, revised])), ['CVE-2023-38545 curl@7.74.0-1.3+deb11u16']);
  });

  it('keeps a suppression a finding already has', () => {
    const ignored: Finding = { ...curl[0]!, suppressed: { kind: 'ignore', status: 'ignored', reason: 'accepted', origin: '.spyglassignore.yaml' } };
    const vex = document('x.json', '2024-06-01T10:00:00Z', [{ vulnerability: { name: 'CVE-2023-38545' }, products: [{ '@id': 'pkg:deb/debian/curl' }], status: 'fixed' }]);
    assert.equal(applyVex([ignored], byId(appPackages), [vex])[0], ignored);
  });
});
