// Feed `mariner-oval` on every shared CBL-Mariner / Azure Linux OVAL document, on malformed records,
// and end to end: the CBL-Mariner 2.0 rpm fixture matched against the 2024-01-22 Mariner 2.0 OVAL
// gives exactly the definitions that rpm's own version comparison puts in range (the DERIVED table of
// ../shared/data/advisories/mariner, computed with rpm.vercmp, not by Spyglass).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { marinerOvalFeed } from '../../../src/advisories/feeds/mariner-oval/marinerOvalFeed.ts';
import { ovalNamespace } from '../../../src/advisories/feeds/mariner-oval/oval.ts';
import { parseXml } from '../../../src/advisories/feeds/mariner-oval/xml.ts';
import { openFeedInput } from '../../../src/advisories/input/open.ts';
import { SqliteAdvisoryStore } from '../../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../../src/advisories/update.ts';
import { parseRpmDatabase } from '../../../src/catalog/rpm/rpmdb.ts';
import type { Digest } from '../../../src/core/digest.ts';
import type { Package } from '../../../src/core/package.ts';
import { matchSbom } from '../../../src/match/match.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { minimalSbom } from '../../helpers/sbom.ts';
import { filesOf, ingestAll, type Collected } from './scoring-sink.ts';

const DIR = join(SHARED, 'data/advisories/mariner');
const OVAL = join(DIR, 'oval');
const MARINER_2 = join(OVAL, 'cbl-mariner-2.0-oval.2024-01-22.xml.gz');

/** SOURCE.md's table: file, namespace, definitions. */
const FILES: [string, string, number][] = [
  ['cbl-mariner-2.0-oval.2024-01-22.xml.gz', 'mariner:2.0', 2436],
  ['cbl-mariner-2.0-oval.2024-01-22.xml.xz', 'mariner:2.0', 2436],
  ['cbl-mariner-2.0-oval.2022-04-15.xml.xz', 'mariner:2.0', 1038],
  ['azurelinux-3.0-oval.2025-02-24.xml.xz', 'azurelinux:3.0', 2266],
  ['cbl-mariner-1.0-oval.2024-03-29.xml.xz', 'mariner:1.0', 2252],
];

let cacheDir: string;
before(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-mariner-cache-'));
});
after(() => rmSync(cacheDir, { recursive: true, force: true }));

async function ingestPath(path: string): Promise<Collected> {
  const input = await openFeedInput(path, { cacheDir, accept: (name) => marinerOvalFeed.wants({ name }) });
  return ingestAll(marinerOvalFeed, input.files);
}

/** The decompressed document, read with xz itself (independent of the input layer). */
function rawText(file: string): string {
  return execFileSync('xz', ['-dc', join(OVAL, file)], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
}

describe('mariner-oval: names and namespaces', () => {
  it('takes the release from the file name, as upstream and the shared copies name it', () => {
    assert.equal(ovalNamespace('cbl-mariner-2.0-oval.xml'), 'mariner:2.0');
    assert.equal(ovalNamespace('cbl-mariner-1.0-oval.2024-03-29.xml'), 'mariner:1.0');
    assert.equal(ovalNamespace('azurelinux-3.0-oval.xml'), 'azurelinux:3.0');
    assert.equal(ovalNamespace('sub/dir/azurelinux-3.0-oval.xml'), 'azurelinux:3.0');
    assert.equal(ovalNamespace('rhel-9-oval.xml'), undefined);
    assert.equal(marinerOvalFeed.wants({ name: 'cbl-mariner-2.0-oval.xml' }), true);
    assert.equal(marinerOvalFeed.wants({ name: 'SOURCE.md' }), false);
    assert.equal(marinerOvalFeed.wants({ name: 'cbl-mariner-2.0-oval.xml.xz' }), false, 'the input layer names the decompressed file');
    assert.equal(marinerOvalFeed.defaultLocations.length, 3);
  });
});

describe('mariner-oval: every shared document', () => {
  for (const [file, namespace, definitions] of FILES) {
    it(`${file}: one advisory per definition, the rest skipped with a reason`, async () => {
      const { advisories, skipped } = await ingestPath(join(OVAL, file));
      assert.equal(advisories.length + skipped.length, definitions);
      // Independently: the states whose EVR is not an rpm EVR (`0: 1.57.0-1.cm2`, a space after the epoch).
      const badEvr = rawText(file.replace(/\.gz$/, '.xz')).match(/<linux-def:evr [^>]*>0: /g)?.length ?? 0;
      assert.equal(skipped.length, badEvr);
      for (const record of skipped) assert.match(record.reason, /invalid rpm EVR "0: /);
      for (const advisory of advisories) {
        assert.equal(advisory.source, 'mariner-oval');
        assert.match(advisory.id, /^CVE-\d{4}-\d+$/);
        assert.equal(advisory.affected.length, 1);
        assert.equal(advisory.affected[0]!.namespace, namespace);
        assert.match(advisory.aliases.at(-1)!, /^oval:com\.microsoft\.(cbl-mariner|azurelinux):def:\d+$/);
      }
    });
  }

  it('reads zlib CVE-2018-25032 (def:9143) as vuln-list keeps the same definition (its title and description are of another day)', async () => {
    const sample = JSON.parse(readFileSync(join(DIR, 'vuln-list-json/2018/9143-1.json'), 'utf8')) as {
      ID: string;
      Metadata: { Title: string; Reference: { RefID: string; RefURL: string }; Severity: string; AdvisoryDate: string; Description: string };
    };
    const { advisories } = await ingestPath(MARINER_2);
    const advisory = advisories.find((each) => each.aliases.includes(sample.ID));
    assert.ok(advisory);
    assert.equal(advisory.id, sample.Metadata.Reference.RefID);
    // The 2024-01-22 document: `<title>CVE-2018-25032 affecting package zlib 1.2.11-5</title>`.
    assert.equal(advisory.summary, 'CVE-2018-25032 affecting package zlib 1.2.11-5');
    assert.equal(advisory.published, sample.Metadata.AdvisoryDate);
    assert.deepEqual(advisory.references, [sample.Metadata.Reference.RefURL]);
    assert.deepEqual(advisory.severity, [{ by: 'mariner', rating: sample.Metadata.Severity }]);
    // The state, from the raw document: `<evr … operation="less than">0:1.2.12-1.cm2</evr>`.
    assert.deepEqual(advisory.affected, [
      { namespace: 'mariner:2.0', packageName: 'zlib', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.12-1.cm2' }] }], fixedVersions: ['1.2.12-1.cm2'] },
    ]);
  });

  it('reads the other vuln-list samples (openssl CVE-2022-0778, curl CVE-2023-38545) by their definition ids', async () => {
    const { advisories } = await ingestPath(MARINER_2);
    for (const path of ['vuln-list-json/2022/9051-1.json', 'vuln-list-json/2023/31288-1.json']) {
      const sample = JSON.parse(readFileSync(join(DIR, path), 'utf8')) as { ID: string; Metadata: { Reference: { RefID: string }; Severity: string } };
      const advisory = advisories.find((each) => each.aliases.includes(sample.ID));
      assert.ok(advisory, path);
      assert.equal(advisory.id, sample.Metadata.Reference.RefID);
      assert.deepEqual(advisory.severity, [{ by: 'mariner', rating: sample.Metadata.Severity }]);
    }
  });

  it('keeps "less than or equal" as last_affected with no fix, and the patchable note', async () => {
    // cbl-mariner-2.0 2024-01-22, def:6356: cpio, `less than or equal` 0:2.13-5.cm2, patchable "Not Applicable".
    const { advisories } = await ingestPath(MARINER_2);
    const cpio = advisories.find((each) => each.aliases.includes('oval:com.microsoft.cbl-mariner:def:6356'));
    assert.deepEqual(cpio?.affected, [
      { namespace: 'mariner:2.0', packageName: 'cpio', status: 'affected', statusReason: 'patchable: Not Applicable', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '2.13-5.cm2' }] }], fixedVersions: [] },
    ]);
  });

  it('reads Azure Linux 3.0 definitions with a lower bound (golang: greater than 0:0.0.0.azl3 AND less than 0:1.20.7-1.azl3)', async () => {
    const { advisories } = await ingestPath(join(OVAL, 'azurelinux-3.0-oval.2025-02-24.xml.xz'));
    const golang = advisories.find((each) => each.aliases.includes('oval:com.microsoft.azurelinux:def:52881'));
    assert.equal(golang?.id, 'CVE-2023-29409');
    assert.deepEqual(golang?.affected[0]?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0.0.0.azl3' }, { fixed: '1.20.7-1.azl3' }] }]);
  });
});

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:linux-def="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux">`;

function definition(n: number, { cve = `CVE-2024-000${n}`, cls = 'vulnerability', criteria = `<criterion test_ref="tst:${n}"/>` } = {}): string {
  const reference = cve === '' ? '' : `<reference ref_id="${cve}" ref_url="https://example.invalid/${cve}" source="CVE"/>`;
  return `<definition class="${cls}" id="def:${n}" version="1"><metadata><title>t &amp; &#x41;</title>${reference}<severity>High</severity></metadata><criteria operator="AND">${criteria}</criteria></definition>`;
}

function test(n: number, evr: string, operation = 'less than', name = `pkg${n}`): string {
  return `<linux-def:rpminfo_test id="tst:${n}"><linux-def:object object_ref="obj:${n}"/><linux-def:state state_ref="ste:${n}"/></linux-def:rpminfo_test>|<linux-def:rpminfo_object id="obj:${n}"><linux-def:name>${name}</linux-def:name></linux-def:rpminfo_object>|<linux-def:rpminfo_state id="ste:${n}"><linux-def:evr datatype="evr_string" operation="${operation}">${evr}</linux-def:evr></linux-def:rpminfo_state>`;
}

function document(definitions: string[], tests: string[]): string {
  const parts = tests.map((each) => each.split('|'));
  return `${HEAD}<definitions>${definitions.join('\n')}</definitions><tests>${parts.map((p) => p[0]).join('')}</tests><objects>${parts.map((p) => p[1]).join('')}</objects><states>${parts.map((p) => p[2]).join('')}</states></oval_definitions>`;
}

describe('mariner-oval: malformed records', () => {
  it('skips each malformed definition with its reason and keeps the rest', async () => {
    const xml = document(
      [
        definition(1),
        definition(2, { cve: '' }),
        definition(3, { cve: 'CVE-24-1' }),
        definition(4, { cls: 'patch' }),
        definition(5, { criteria: '<criterion test_ref="tst:404"/>' }),
        definition(6),
        definition(7),
        definition(8, { criteria: '<criterion test_ref="tst:8"/><criterion test_ref="tst:1"/>' }),
        definition(9, { criteria: '<criteria operator="OR"><criterion test_ref="tst:9"/></criteria>' }),
        definition(10),
      ],
      [test(1, '0:1.0-1.cm2'), test(6, '0: 1.0-1.cm2'), test(7, '0:1.0-1.cm2', 'equals'), test(8, '0:1.0-1.cm2', 'greater than', 'other'), test(10, '1:2.0-3.cm2', 'less than or equal')],
    );
    const { advisories, skipped } = await ingestAll(marinerOvalFeed, filesOf({ name: 'cbl-mariner-2.0-oval.xml', content: xml }));
    assert.deepEqual(advisories.map((each) => [each.id, each.summary, each.affected[0]?.packageName, each.affected[0]?.ranges[0]?.events]), [
      ['CVE-2024-0001', 't & A', 'pkg1', [{ introduced: '0' }, { fixed: '1.0-1.cm2' }]],
      ['CVE-2024-00010', 't & A', 'pkg10', [{ introduced: '0' }, { last_affected: '1:2.0-3.cm2' }]],
    ]);
    assert.deepEqual(skipped, [
      { where: 'cbl-mariner-2.0-oval.xml def:2', reason: 'no CVE reference' },
      { where: 'cbl-mariner-2.0-oval.xml def:3', reason: 'malformed CVE id "CVE-24-1"' },
      { where: 'cbl-mariner-2.0-oval.xml def:4', reason: 'definition class "patch" is not vulnerability' },
      { where: 'cbl-mariner-2.0-oval.xml def:5', reason: 'test tst:404 is not an rpminfo_test of the document' },
      { where: 'cbl-mariner-2.0-oval.xml def:6', reason: 'state ste:6: invalid rpm EVR "0: 1.0-1.cm2"' },
      { where: 'cbl-mariner-2.0-oval.xml def:7', reason: 'unsupported operation "equals"' },
      { where: 'cbl-mariner-2.0-oval.xml def:8', reason: 'criteria name two packages (pkg1, other)' },
      { where: 'cbl-mariner-2.0-oval.xml def:9', reason: 'criteria other than one criterion or an AND of two are not supported' },
    ]);
  });

  it('skips a file that is not well-formed XML, or not OVAL, whole, and goes on with the next', async () => {
    const good = document([definition(1)], [test(1, '0:1.0-1.cm2')]);
    const { advisories, skipped } = await ingestAll(
      marinerOvalFeed,
      filesOf(
        { name: 'cbl-mariner-1.0-oval.xml', content: good.slice(0, -20) },
        { name: 'azurelinux-3.0-oval.xml', content: '<!DOCTYPE x [<!ENTITY a "b">]><x/>' },
        { name: 'cbl-mariner-2.0-oval.a.xml', content: '<html><body/></html>' },
        { name: 'cbl-mariner-2.0-oval.xml', content: good },
      ),
    );
    assert.deepEqual(advisories.map((each) => [each.id, each.affected[0]?.namespace]), [['CVE-2024-0001', 'mariner:2.0']]);
    assert.equal(skipped.length, 3);
    assert.match(skipped[0]!.reason, /^malformed XML: .*at line \d+$/);
    assert.equal(skipped[1]!.reason, 'malformed XML: a DOCTYPE is not accepted (no entity expansion)');
    assert.equal(skipped[2]!.reason, 'not an OVAL definitions document (root <html>)');
  });

  it('the XML reader rejects what is not well-formed', () => {
    assert.throws(() => parseXml('<a><b></a>'), /closing tag 'b'/);
    assert.throws(() => parseXml('<a x="1" x="2"/>'), /Attribute 'x' is repeated/);
    assert.throws(() => parseXml('<a>&nope;</a>'), /unknown entity/);
    assert.throws(() => parseXml('<a/><b/>'), /second root/);
    assert.throws(() => parseXml('<a>'), /Unclosed tag 'a'/);
    assert.deepEqual(parseXml('<?xml version="1.0"?><!-- c --><a k=\'v&lt;\'><![CDATA[<x>]]> &#65;</a>'), { name: 'a', attributes: { k: 'v<' }, children: [], text: '<x> A' });
  });
});

describe('mariner-oval: the CBL-Mariner 2.0 rpm fixture end to end', () => {
  const LAYER: Digest = `sha256:${'0'.repeat(64)}`;
  let dataDir: string;
  let store: SqliteAdvisoryStore;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'spyglass-mariner-db-'));
    // `db update --source mariner-oval=PATH`.
    const outcomes = await updateDatabase(dataDir, [{ name: 'mariner-oval', location: MARINER_2 }], { openInput: openFeedInput, cacheDir });
    assert.deepEqual(outcomes.map((outcome) => outcome.outcome), ['updated']);
    store = SqliteAdvisoryStore.open(dataDir);
  });
  after(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds exactly the 269 in-range definitions of the DERIVED table, on the packages it names', async () => {
    const database = readFileSync(join(SHARED, 'data/fixtures/rpm/sqlite-cbl-mariner-2.0/rpmdb.sqlite'));
    const found = parseRpmDatabase({ path: '/var/lib/rpm/rpmdb.sqlite', content: database, mode: 0o644, layerDiffId: LAYER }).packages;
    const packages: Package[] = found.map((pkg) => ({
      id: `rpm:${pkg.name}@${pkg.version}`,
      type: 'rpm',
      name: pkg.name,
      version: pkg.version,
      purl: `pkg:rpm/mariner/${pkg.name}@${pkg.version}`,
      licenses: [],
      locations: [{ path: '/var/lib/rpm/rpmdb.sqlite', layerDiffId: LAYER }],
      ...(pkg.sourceName !== undefined ? { sourceName: pkg.sourceName } : {}),
      ...(pkg.sourceVersion !== undefined ? { sourceVersion: pkg.sourceVersion } : {}),
    }));
    // The fixture has no os-release (go-rpmdb's test database alone); SOURCE.md: "SQLite rpmdb from CBL-Mariner 2.0".
    const { findings } = await matchSbom(minimalSbom(packages, { distro: { id: 'mariner', versionId: '2.0' } }), store);
    const nameOf = new Map(packages.map((pkg) => [pkg.id, pkg.name]));
    const got = new Set<string>();
    for (const finding of findings) {
      for (const reason of finding.matches) {
        if (reason.source === 'mariner-oval') got.add(`${reason.advisoryId} ${reason.packageName} ${nameOf.get(finding.packageId)}`);
      }
    }

    const lines = readFileSync(join(DIR, 'DERIVED-fixture-matches-2024-01-22.tsv'), 'utf8').trimEnd().split('\n');
    const header = (lines[0] as string).split('\t');
    const column = (name: string) => header.indexOf(name);
    const rows = lines.slice(1).map((line) => line.split('\t'));
    const inRange = rows.filter((row) => row[column('fixture_version_in_range')] === 'yes');
    assert.equal(inRange.length, 269);
    // The table names the package whose binary name is the OVAL name (or, when none is, those built from
    // the source RPM of that name); the matcher also reports every other binary built from that source RPM
    // (openssl-libs for openssl), as rpm distributions' advisories intend. Source RPMs from EXPECTED.json.
    const listed = JSON.parse(readFileSync(join(SHARED, 'data/fixtures/rpm/sqlite-cbl-mariner-2.0/EXPECTED.json'), 'utf8')) as { packages: { name: string; sourcerpm: string | null }[] };
    const builtFrom = (source: string) => listed.packages.filter((pkg) => /^(.+)-[^-]+-[^-]+\.src\.rpm$/.exec(pkg.sourcerpm ?? '')?.[1] === source).map((pkg) => pkg.name);
    const expected = new Set<string>();
    for (const row of inRange) {
      const ovalPackage = row[column('oval_package')] as string;
      for (const fixturePackage of [...(row[column('fixture_packages')] as string).split(','), ...builtFrom(ovalPackage)]) {
        expected.add(`${row[column('cve')]} ${ovalPackage} ${fixturePackage}`);
      }
    }
    assert.deepEqual([...got].sort(), [...expected].sort());
    assert.equal(new Set([...got].map((pair) => pair.split(' ').slice(0, 2).join(' '))).size, 269);

    // zlib 1.2.11-5.cm2 against `less than 0:1.2.12-1.cm2`; cpio 2.13-3.cm2 against `less than or equal 0:2.13-5.cm2` (no fix).
    const zlib = findings.find((finding) => finding.id === 'CVE-2018-25032' && nameOf.get(finding.packageId) === 'zlib');
    assert.equal(zlib?.status, 'fixed');
    assert.deepEqual(zlib?.fixedVersions, ['1.2.12-1.cm2']);
    const cpio = findings.find((finding) => finding.id === 'CVE-2010-4226' && nameOf.get(finding.packageId) === 'cpio');
    assert.equal(cpio?.status, 'not-fixed');
    assert.equal(cpio?.statusReason, 'patchable: Not Applicable');
    assert.deepEqual(cpio?.fixedVersions, []);
  });
});
