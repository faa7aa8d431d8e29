// The API the dashboard's pages read, against a real server on loopback: fixture images pushed to a real
// docker-registry with skopeo and analysed by the server's own `analyse` job handler against the fixture
// vulnerability database, then
//   - the images list: the new fields (baseImage, previous, total/offset/limit), paging, sorting and filters
//     over many images (extra rows copied from the analysed ones), one organization only, 400s naming the parameter;
//   - the image details: each finding's CVSS, EPSS, KEV, layer and description, each package's id and layer,
//     each layer's package count;
//   - the vulnerability page of CVE-2023-44487 (in app-bullseye's libnghttp2-14);
//   - a repository's history after its analyses and a re-evaluation that an extra advisory causes.
// Expected values come from the fixture manifests (../shared/fixtures/manifests: digests, packages, layers,
// base annotation) and the raw feed files (CISA KEV, EPSS CSV, NVD, vulnrichment, Debian's CVE list).
// The same suite runs on SQLite and on a real PostgreSQL server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Feed } from '../../src/advisories/feeds/feed.ts';
import { databaseGeneration } from '../../src/advisories/store/changes.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import { updateDatabase } from '../../src/advisories/update.ts';
import { analyseHandler } from '../../src/server/analysis/analyse.ts';
import { toNumber } from '../../src/server/db/sql.ts';
import type { Job } from '../../src/server/jobs/queue.ts';
import { reevaluateImage } from '../../src/server/reevaluate.ts';
import { seeRepository } from '../../src/server/repositories.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';
import { expectedImage, SHARED } from '../helpers/fixtures.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';
import { pushFixture, startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { call, startTestServer, type TestServer } from './api-server.ts';

const LEVELS = ['critical', 'high', 'medium', 'low', 'unspecified'] as const;
type Counts = Record<(typeof LEVELS)[number], number>;

interface ManifestPackage { type: string; name: string; version: string; source?: string; layerDiffId?: string; introducedLayerDiffId?: string }
const manifest = (name: string) => expectedImage(name) as ReturnType<typeof expectedImage> & { packages: ManifestPackage[]; packageCounts: Record<string, number> };
const APP = manifest('app-bullseye');
const BASE = manifest('debian-bullseye-base');

/** The pushes: team/app gets the bullseye base first, then the app built on it; team/base the base alone. */
const T0 = Date.parse('2026-03-01T10:00:00Z');
const PUSHES = [
  { image: 'debian-bullseye-base', repository: 'team/app', tag: '0.9', pushedAt: T0 },
  { image: 'debian-bullseye-base', repository: 'team/base', tag: '11', pushedAt: T0 + 30 * 60_000 },
  { image: 'app-bullseye', repository: 'team/app', tag: '1.0', pushedAt: T0 + 60 * 60_000 },
] as const;

// Raw feed files: the independent source of the vulnerability fields.
const SCORING = join(SHARED, 'data/scoring');
const KEV = JSON.parse(readFileSync(join(SCORING, 'kev/known_exploited_vulnerabilities.json'), 'utf8')) as { vulnerabilities: { cveID: string; dateAdded: string }[] };
const EPSS = new Map(readFileSync(join(SCORING, 'epss/epss_scores-current.selected-rows.csv'), 'utf8').split('\n')
  .filter((line) => line.startsWith('CVE-')).map((line) => line.split(',')).map(([cve, score, percentile]) => [cve!, { score: Number(score), percentile: Number(percentile) }]));
interface CveRecord { containers: { cna: { descriptions?: { lang: string; value: string }[]; references?: { url: string }[] }; adp?: { providerMetadata?: { shortName?: string }; metrics?: { cvssV3_1?: { baseScore: number; vectorString: string } }[] }[] } }
const vulnrichment = (cve: string) => JSON.parse(readFileSync(join(SCORING, `vulnrichment/${cve.slice(4, 8)}/${cve.slice(9, -3)}xxx/${cve}.json`), 'utf8')) as CveRecord;
interface NvdRecord { metrics?: Record<string, { source: string; type: string; cvssData: { baseScore: number; vectorString: string } }[]> }
const nvd = (cve: string) => JSON.parse(readFileSync(join(SCORING, `nvd/fkie-cad-per-cve/${cve}.json`), 'utf8')) as NvdRecord;

/** The layer that added a manifest package: dpkg's first layer listing it, else the layer its metadata file is in. */
const layerOfManifest = (pkg: ManifestPackage) => pkg.introducedLayerDiffId ?? pkg.layerDiffId ?? null;

/** A new source's advisory for Debian 11's curl (source package), all versions: what the re-evaluation reacts to. */
const NEW_CVE = 'CVE-2099-61616';
const extraFeed: Feed = {
  name: 'dashboard-test',
  defaultLocations: [],
  wants: () => true,
  async ingest(_files, sink) {
    sink.advisory({
      source: 'dashboard-test', id: NEW_CVE, aliases: [], severity: [], references: [], summary: 'curl: test-only advisory',
      affected: [{ namespace: 'debian:11', packageName: 'curl', status: 'affected', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], fixedVersions: [] }],
    });
  },
};

let registry: TestRegistry;
before(async () => {
  registry = await startRegistry();
  for (const push of PUSHES) await pushFixture(registry, push.image, `${push.repository}:${push.tag}`);
});
after(async () => {
  await registry?.stop();
});

function suite(database: 'SQLite' | 'PostgreSQL', skip: string | undefined): void {
  describe(`dashboard API (${database})`, { skip }, () => {
    let server: TestServer;
    let postgres: PostgresServer | undefined;
    let token: string;
    let otherToken: string;
    let orgId: string;
    const repositories: Record<string, string> = {};
    const api = (path: string, as = token) => call(server.url, 'GET', path, { token: as });

    before(async () => {
      if (database === 'PostgreSQL') postgres = await startPostgres();
      server = await startTestServer(postgres !== undefined ? { databaseUrl: await postgres.createDatabase('dashboard') } : {});
      // The server's vulnerability database: a copy (the re-evaluation test adds a source to it).
      copyFileSync(join(fixtureDatabase(), 'spyglass.db'), join(server.dataDir, 'spyglass.db'));
      const created = await server.ctx.accounts.createOrg('acme', 'owner@acme.test', { plan: 'business' });
      token = created.token;
      orgId = created.org.id;
      otherToken = (await server.ctx.accounts.createOrg('globex', 'owner@globex.test')).token;
      const sql = server.ctx.sql;
      const analyse = analyseHandler(server.ctx);
      for (const push of PUSHES) {
        // What a registry notification records (repository seen, tag), then the analysis job the worker would run.
        const repository = await sql.transaction((tx) => seeRepository(tx, orgId, null, registry.host, push.repository, push.pushedAt));
        repositories[push.repository] = repository.id;
        await sql.run('UPDATE repositories SET enabled = 1, enabled_at = ? WHERE id = ?', [push.pushedAt, repository.id]);
        const digest = expectedImage(push.image).manifestDigest;
        await sql.run('INSERT INTO tags (repository_id, tag, digest, pushed_at) VALUES (?, ?, ?, ?)', [repository.id, push.tag, digest, push.pushedAt]);
        const job: Job = {
          id: randomUUID(), kind: 'analyse', orgId, payload: { repositoryId: repository.id, digest, tag: push.tag, pushedAt: push.pushedAt },
          status: 'running', attempts: 1, maxAttempts: 3, runAfter: 0, createdAt: Date.now(),
        };
        await analyse(job, new AbortController().signal);
      }
    });
    after(async () => {
      await server?.stop();
      await postgres?.stop();
    });

    const reference = (name: string) => `${registry.host}/${name}`;

    it('lists the analysed images with base image, previous push, total, offset and limit', async () => {
      const answer = await api('/api/v1/orgs/acme/images');
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.total, 3);
      assert.equal(answer.body.offset, 0);
      assert.equal(answer.body.limit, null);
      // Default order: by repository, newest push first within one.
      assert.deepEqual(answer.body.images.map((image: { repository: string; digest: string }) => [image.repository, image.digest]), [
        [reference('team/app'), APP.manifestDigest], [reference('team/app'), BASE.manifestDigest], [reference('team/base'), BASE.manifestDigest],
      ]);
      const [app, oldApp, base] = answer.body.images;
      assert.deepEqual(app.tags, ['1.0']);
      assert.equal(app.platform, APP.platform);
      assert.equal(app.pushedAt, new Date(PUSHES[2].pushedAt).toISOString());
      // The base from the image's annotation (docker.io/library/debian:bullseye-slim), in Docker's short form.
      const annotated = APP.annotations['org.opencontainers.image.base.name']!;
      assert.equal(app.baseImage, annotated.replace(/^docker\.io\/library\//, ''));
      // The previous push of team/app is the bullseye base image, with its counts and policy counts; the first pushes have none.
      assert.deepEqual(app.previous, { digest: BASE.manifestDigest, vulnerabilities: oldApp.vulnerabilities, policy: oldApp.policy });
      assert.equal(typeof oldApp.policy.met, 'number');
      assert.equal(oldApp.previous, null);
      assert.equal(base.previous, null);
      // The counts are the detail's findings by severity (unsuppressed).
      for (const image of answer.body.images) {
        const detail = await api(`/api/v1/orgs/acme/images/${image.digest}?repository=${image.repositoryId}`);
        const counts = Object.fromEntries(LEVELS.map((level) => [level, 0])) as Counts;
        for (const finding of detail.body.findings) if (finding.suppressed === undefined) counts[finding.severity as keyof Counts] += 1;
        assert.deepEqual(image.vulnerabilities, counts);
      }
      assert.ok(app.vulnerabilities.critical > 0 && oldApp.vulnerabilities.high > 0);
      // latest=true: one row per repository.
      const latest = await api('/api/v1/orgs/acme/images?latest=true');
      assert.deepEqual(latest.body.images.map((image: { repository: string; digest: string }) => [image.repository, image.digest]), [
        [reference('team/app'), APP.manifestDigest], [reference('team/base'), BASE.manifestDigest],
      ]);
      assert.equal(latest.body.total, 2);
      // Another organization sees none of them.
      const other = await api('/api/v1/orgs/globex/images', otherToken);
      assert.deepEqual(other.body, { images: [], total: 0, offset: 0, limit: null });
    });

    it('shows each finding with CVSS, EPSS, KEV, layer and description, each package with its id and layer, each layer with its package count', async () => {
      const answer = await api(`/api/v1/orgs/acme/images/${APP.manifestDigest}`);
      assert.equal(answer.status, 200, answer.text);
      const detail = answer.body;
      // Packages: each manifest package's layer (dpkg's introducing layer, or the layer of its metadata file).
      const byKey = new Map(detail.packages.map((pkg: { type: string; name: string; version: string }) => [`${pkg.type} ${pkg.name} ${pkg.version}`, pkg]));
      let checked = 0;
      for (const pkg of APP.packages.filter((each) => each.type === 'deb' || each.type === 'npm')) {
        const shown = byKey.get(`${pkg.type} ${pkg.name} ${pkg.version}`) as { id: string; layer: string | null } | undefined;
        assert.ok(shown, `${pkg.type} ${pkg.name} ${pkg.version}`);
        assert.equal(shown.layer, layerOfManifest(pkg), `${pkg.name}'s layer`);
        assert.equal(typeof shown.id, 'string');
        checked += 1;
      }
      assert.equal(checked, APP.packageCounts.deb! + APP.packageCounts.npm!);
      assert.equal(new Set(detail.packages.map((pkg: { id: string }) => pkg.id)).size, detail.packages.length, 'package ids are unique');
      // Layers: as many as the manifest's, each with the packages it added (every package is counted once).
      assert.deepEqual(detail.layers.map((layer: { diffId: string }) => layer.diffId), APP.layers.map((layer) => layer.diffId));
      const added = new Map<string, number>();
      for (const pkg of detail.packages) if (pkg.layer !== null) added.set(pkg.layer, (added.get(pkg.layer) ?? 0) + 1);
      assert.deepEqual(detail.layers.map((layer: { diffId: string; packages: number }) => layer.packages), APP.layers.map((layer) => added.get(layer.diffId) ?? 0));
      const debsPerLayer = (diffId: string) => APP.packages.filter((pkg) => pkg.type === 'deb' && layerOfManifest(pkg) === diffId).length;
      assert.equal(debsPerLayer(APP.layers[0]!.diffId), BASE.packageCounts.deb, 'the first layer added the base image\'s debs');
      assert.ok(detail.layers[0].packages >= debsPerLayer(APP.layers[0]!.diffId));

      // CVE-2023-38545 in curl: EPSS from the CSV, NVD's CVSS, not in KEV.
      const curl = detail.findings.find((finding: { id: string; package: string }) => finding.id === 'CVE-2023-38545' && finding.package === 'curl');
      assert.ok(curl, 'CVE-2023-38545 in curl');
      assert.deepEqual(curl.epss, EPSS.get('CVE-2023-38545'));
      const nvdPrimary = Object.values(nvd('CVE-2023-38545').metrics ?? {}).flat().find((metric) => metric.type === 'Primary')!;
      assert.deepEqual(curl.cvss, { score: nvdPrimary.cvssData.baseScore, vector: nvdPrimary.cvssData.vectorString, source: 'nvd' });
      assert.equal(curl.kev, KEV.vulnerabilities.some((entry) => entry.cveID === 'CVE-2023-38545'));
      assert.equal(curl.kev, false);
      const curlPackage = APP.packages.find((pkg) => pkg.type === 'deb' && pkg.name === 'curl')!;
      assert.equal(curl.layer, layerOfManifest(curlPackage));
      assert.equal(curl.packageId, (byKey.get(`deb curl ${curlPackage.version}`) as { id: string }).id);
      // CVE-2023-44487 in libnghttp2-14: in KEV, CISA-ADP's CVSS (vulnrichment), no EPSS row.
      const http2 = detail.findings.find((finding: { id: string; package: string }) => finding.id === 'CVE-2023-44487' && finding.package === 'libnghttp2-14');
      assert.ok(http2, 'CVE-2023-44487 in libnghttp2-14');
      assert.equal(http2.kev, true);
      assert.ok(KEV.vulnerabilities.some((entry) => entry.cveID === 'CVE-2023-44487'));
      const adp = vulnrichment('CVE-2023-44487').containers.adp!.find((container) => container.providerMetadata?.shortName === 'CISA-ADP')!;
      const adpCvss = adp.metrics!.find((metric) => metric.cvssV3_1 !== undefined)!.cvssV3_1!;
      assert.deepEqual(http2.cvss, { score: adpCvss.baseScore, vector: adpCvss.vectorString, source: 'cisa-adp' });
      assert.equal(http2.epss, null);
      assert.equal(EPSS.has('CVE-2023-44487'), false);
      assert.equal(http2.layer, layerOfManifest(APP.packages.find((pkg) => pkg.name === 'libnghttp2-14')!));
      // Debian's CVE list opens the entry with the description: "(The HTTP/2 protocol allows a denial of service …)".
      assert.match(http2.description, /^The HTTP\/2 protocol allows a denial of service/);
      assert.doesNotMatch(http2.description, /\n/);
      for (const finding of detail.findings) {
        assert.equal(typeof finding.kev, 'boolean');
        assert.ok(finding.layer === null || APP.layers.some((layer) => layer.diffId === finding.layer));
      }
    });

    it('shows one vulnerability across the organization: images, packages, every source\'s rating, KEV, references', async () => {
      const answer = await api('/api/v1/orgs/acme/vulnerabilities/CVE-2023-44487');
      assert.equal(answer.status, 200, answer.text);
      const page = answer.body;
      assert.equal(page.id, 'CVE-2023-44487');
      // The images holding a package of Debian's nghttp2 source (the manifests): app-bullseye only, in team/app.
      const holding = [APP, BASE].filter((image) => image.packages.some((pkg) => pkg.source === 'nghttp2'));
      assert.deepEqual(holding.map((image) => image.image), ['app-bullseye']);
      assert.deepEqual(page.images.map((image: { repository: string; digest: string; tags: string[]; platform: string }) => [image.repository, image.digest, image.tags, image.platform]), [
        [reference('team/app'), APP.manifestDigest, ['1.0'], APP.platform],
      ]);
      assert.deepEqual(page.images[0].packages.map((pkg: { name: string; version: string; layer: string }) => [pkg.name, pkg.version, pkg.layer]),
        APP.packages.filter((pkg) => pkg.source === 'nghttp2').map((pkg) => [pkg.name, pkg.version, layerOfManifest(pkg)]));
      // Debian fixed nghttp2 only in unstable (1.57.0-1); the entry has no bullseye line and no DSA for it lists 11's version.
      const debianLine = readFileSync(join(SHARED, 'data/advisories/debian/cve-list/list'), 'utf8').split('\nCVE-').find((entry) => entry.startsWith('2023-44487 '))!
        .split('\n').filter((line) => /^\s*(\[\w+\] )?- nghttp2 /.test(line));
      assert.deepEqual(debianLine.map((line) => line.trim()), ['- nghttp2 1.57.0-1 (bug #1053769)']);
      assert.ok(page.images[0].packages.every((pkg: { fixedVersion: string | null }) => pkg.fixedVersion === null || pkg.fixedVersion === '1.57.0-1'));
      // And as the image's own page says it.
      const detail = (await api(`/api/v1/orgs/acme/images/${APP.manifestDigest}`)).body;
      for (const pkg of page.images[0].packages) {
        const finding = detail.findings.find((each: { id: string; packageId: string }) => each.id === 'CVE-2023-44487' && each.packageId === pkg.id);
        assert.equal(pkg.fixedVersion, finding.fixedVersion);
        assert.equal(pkg.severity, finding.severity);
      }
      // KEV (CISA's catalog), no EPSS row, CISA-ADP's CVSS among the sources, the references of the CVE record.
      assert.equal(page.kev, true);
      assert.equal(page.kevDetails.dateAdded, KEV.vulnerabilities.find((entry) => entry.cveID === 'CVE-2023-44487')!.dateAdded);
      assert.equal(page.epss, null);
      const record = vulnrichment('CVE-2023-44487');
      const adpCvss = record.containers.adp!.flatMap((container) => container.metrics ?? []).find((metric) => metric.cvssV3_1 !== undefined)!.cvssV3_1!;
      assert.ok(page.sources.some((source: { source: string; by: string; severity: string; cvss: unknown }) => source.source === 'vulnrichment' && source.by === 'cisa-adp' &&
        source.severity === 'high' && JSON.stringify(source.cvss) === JSON.stringify({ score: adpCvss.baseScore, vector: adpCvss.vectorString, version: '3.1' })), JSON.stringify(page.sources));
      assert.equal(page.severity, 'high');
      for (const reference of record.containers.cna.references ?? []) assert.ok(page.references.includes(reference.url), reference.url);
      assert.equal(new Set(page.references).size, page.references.length);
      assert.equal(page.description, record.containers.cna.descriptions!.find((description) => description.lang.startsWith('en'))!.value.split('\n')[0]!.trim());
      // The Debian advisories naming it are its aliases (the CVE list's {DSA-… DLA-…} line).
      for (const alias of ['DSA-5540-1', 'DLA-3617-1']) assert.ok(page.aliases.includes(alias), alias);

      // By an alias and in lower case: the same vulnerability.
      const byAlias = await api('/api/v1/orgs/acme/vulnerabilities/DSA-5540-1');
      assert.equal(byAlias.status, 200, byAlias.text);
      assert.equal(byAlias.body.id, 'CVE-2023-44487');
      assert.deepEqual(byAlias.body.images.map((image: { digest: string }) => image.digest), [APP.manifestDigest]);
      const lower = await api('/api/v1/orgs/acme/vulnerabilities/cve-2023-44487');
      assert.deepEqual(lower.body.images, page.images);
      // Another organization: what the database knows, none of acme's images.
      const other = await api('/api/v1/orgs/globex/vulnerabilities/CVE-2023-44487', otherToken);
      assert.equal(other.status, 200);
      assert.deepEqual(other.body.images, []);
      assert.equal(other.body.kev, true);
      // Paged: 50 images by default; the SBOM and report are read for the page's images only.
      assert.deepEqual([page.imagesTotal, page.offset, page.limit], [1, 0, 50]);
      const second = await api('/api/v1/orgs/acme/vulnerabilities/CVE-2023-44487?limit=1&offset=1');
      assert.deepEqual([second.body.images, second.body.imagesTotal, second.body.offset, second.body.limit], [[], 1, 1, 1]);
      for (const [query, name] of [['limit=0', 'limit'], ['limit=501', 'limit'], ['offset=-2', 'offset'], ['page=2', 'page']] as const) {
        const answer = await api(`/api/v1/orgs/acme/vulnerabilities/CVE-2023-44487?${query}`);
        assert.equal(answer.status, 400, query);
        assert.match(answer.body.error, new RegExp(`^\\?${name}\\b`), query);
      }
      // Unknown to both: 404; not an id: 400.
      const unknown = await api('/api/v1/orgs/acme/vulnerabilities/CVE-2099-00001');
      assert.equal(unknown.status, 404);
      assert.match(unknown.body.error, /^vulnerability CVE-2099-00001 .*not found$/);
      const bad = await api('/api/v1/orgs/acme/vulnerabilities/%3Cscript%3E');
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /^vulnerability id "<script>": expected/);
    });

    it('pages, sorts and filters many images; every bad parameter is a 400 naming it', async () => {
      const sql = server.ctx.sql;
      // 60 more repositories (names with capitals in q's test), each with the base then the app image, copied
      // from the analysed rows without SBOM or report (the list must not need them); every fifth app not analysed yet.
      const rows = await sql.all('SELECT id, digest FROM images WHERE org_id = ? AND repository_id = ?', [orgId, repositories['team/app']!]);
      const source = Object.fromEntries(rows.map((row) => [String(row.digest) === APP.manifestDigest ? 'app' : 'base', String(row.id)]));
      const extra: { reference: string; pushedAt: number; app: boolean; analysed: boolean }[] = [];
      await sql.transaction(async (tx) => {
        for (let n = 0; n < 60; n++) {
          const name = `many/${n % 2 === 0 ? 'even' : 'odd'}-${String(n).padStart(2, '0')}`;
          const repositoryId = randomUUID();
          await tx.run('INSERT INTO repositories (id, org_id, registry, name, enabled, created_at) VALUES (?, ?, ?, ?, 1, ?)', [repositoryId, orgId, 'registry.many.test', name, T0]);
          for (const kind of ['base', 'app'] as const) {
            const pushedAt = T0 + 2 * 3600_000 + n * 60_000 + (kind === 'app' ? 30_000 : 0);
            const analysed = !(kind === 'app' && n % 5 === 0);
            await tx.run(
              `INSERT INTO images (id, org_id, repository_id, digest, config_digest, platform, size, pushed_at, analysed_at, counts, base_image, policy)
               SELECT ?, org_id, ?, ?, config_digest, platform, size, ?, ${analysed ? 'analysed_at' : 'NULL'}, ${analysed ? 'counts' : 'NULL'}, base_image, policy FROM images WHERE id = ?`,
              [randomUUID(), repositoryId, `sha256:${(n * 2 + (kind === 'app' ? 1 : 0)).toString(16).padStart(64, '0')}`, pushedAt, source[kind]!],
            );
            extra.push({ reference: `registry.many.test/${name}`, pushedAt, app: kind === 'app', analysed });
          }
        }
      });
      const all = await api('/api/v1/orgs/acme/images');
      assert.equal(all.body.total, 123);
      const counts = (digest: string) => all.body.images.find((image: { digest: string }) => image.digest === digest).vulnerabilities as Counts;
      const appCounts = counts(APP.manifestDigest);
      const baseCounts = counts(BASE.manifestDigest);
      assert.ok(appCounts.critical > baseCounts.critical, 'the app has more critical vulnerabilities than its base');

      // Pages of 25 over the default order are the whole list, in order.
      const pages = [];
      for (let offset = 0; offset < 123; offset += 25) {
        const page = await api(`/api/v1/orgs/acme/images?limit=25&offset=${offset}`);
        assert.equal(page.status, 200);
        assert.equal(page.body.total, 123);
        assert.equal(page.body.limit, 25);
        assert.equal(page.body.offset, offset);
        assert.equal(page.body.images.length, Math.min(25, 123 - offset));
        pages.push(...page.body.images);
      }
      assert.deepEqual(pages, all.body.images);
      assert.deepEqual((await api('/api/v1/orgs/acme/images?limit=10&offset=200')).body, { images: [], total: 123, offset: 200, limit: 10 });

      // q: the repository name contains it, case-insensitive; latest: the app image (pushed after the base) of each.
      const odd = await api('/api/v1/orgs/acme/images?q=MANY/ODD&latest=true&limit=500');
      assert.equal(odd.body.total, 30);
      assert.ok(odd.body.images.every((image: { repository: string; digest: string }) => image.repository.startsWith('registry.many.test/many/odd-') && /[13579bdf]$/.test(image.digest)));
      assert.deepEqual(odd.body.images.map((image: { repository: string }) => image.repository), extra.filter((image) => image.app && image.reference.includes('/odd-')).map((image) => image.reference).sort());
      // previous: each copied app's previous is its repository's base copy, with the base's counts.
      for (const image of odd.body.images) {
        assert.equal(image.previous.digest, `sha256:${(Number.parseInt(image.digest.slice(7), 16) - 1).toString(16).padStart(64, '0')}`);
        assert.deepEqual(image.previous.vulnerabilities, baseCounts);
      }

      // severity=critical: the analysed images with a critical one (apps, if their copy was analysed).
      const critical = await api('/api/v1/orgs/acme/images?severity=critical&limit=500');
      const expectedCritical = [
        ...(appCounts.critical > 0 ? [1] : []), ...(baseCounts.critical > 0 ? [1, 1] : []),
        ...extra.filter((image) => image.analysed && (image.app ? appCounts.critical : baseCounts.critical) > 0),
      ].length;
      assert.equal(critical.body.total, expectedCritical);
      assert.ok(critical.body.images.every((image: { vulnerabilities: Counts | null }) => image.vulnerabilities !== null && image.vulnerabilities.critical > 0));

      // sort=critical desc: most critical first, not analysed last; asc reverses the analysed ones, still not analysed last.
      const levelsOf = (images: { vulnerabilities: Counts | null }[]) => images.map((image) => image.vulnerabilities?.critical ?? null);
      const byCritical = levelsOf((await api('/api/v1/orgs/acme/images?sort=critical&limit=500')).body.images);
      const notAnalysed = extra.filter((image) => !image.analysed).length;
      assert.deepEqual(byCritical, [...byCritical.filter((value) => value !== null)].sort((a, b) => b! - a!).concat(Array(notAnalysed).fill(null)));
      const ascending = levelsOf((await api('/api/v1/orgs/acme/images?sort=critical&order=asc&limit=500')).body.images);
      assert.deepEqual(ascending, [...byCritical.filter((value) => value !== null)].reverse().concat(Array(notAnalysed).fill(null)));
      // sort=total, sort=pushed, sort=analysed, sort=repository desc.
      const totals = (await api('/api/v1/orgs/acme/images?sort=total&limit=500')).body.images
        .map((image: { vulnerabilities: Counts | null }) => (image.vulnerabilities === null ? null : LEVELS.reduce((sum, level) => sum + image.vulnerabilities![level], 0)));
      assert.deepEqual(totals.filter((value: number | null) => value !== null), [...totals.filter((value: number | null) => value !== null)].sort((a, b) => b - a));
      const pushed = (await api('/api/v1/orgs/acme/images?sort=pushed&order=asc&limit=3')).body.images.map((image: { pushedAt: string }) => Date.parse(image.pushedAt));
      assert.deepEqual(pushed, [PUSHES[0].pushedAt, PUSHES[1].pushedAt, PUSHES[2].pushedAt]);
      const newest = (await api('/api/v1/orgs/acme/images?sort=pushed&limit=1')).body.images[0];
      assert.equal(Date.parse(newest.pushedAt), Math.max(...extra.map((image) => image.pushedAt)));
      const analysedSort = (await api('/api/v1/orgs/acme/images?sort=analysed&limit=500')).body.images;
      assert.deepEqual(analysedSort.slice(-notAnalysed).map((image: { analysedAt: string | null }) => image.analysedAt), Array(notAnalysed).fill(null));
      const reverse = (await api('/api/v1/orgs/acme/images?sort=repository&order=desc&latest=true&limit=500')).body.images.map((image: { repository: string }) => image.repository);
      assert.deepEqual(reverse, [...new Set(extra.map((image) => image.reference)), reference('team/app'), reference('team/base')].sort().reverse());
      // Only light columns: the copies (no SBOM, no report) list like the analysed images, with base image and policy.
      const copy = odd.body.images[0];
      assert.equal(copy.baseImage, all.body.images.find((image: { digest: string }) => image.digest === APP.manifestDigest).baseImage);

      // Bad values: 400, one line naming the parameter.
      for (const [query, name] of [
        ['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=ten', 'limit'], ['limit=1.5', 'limit'], ['offset=-1', 'offset'], ['offset=x', 'offset'],
        ['sort=name', 'sort'], ['order=up', 'order'], ['severity=severe', 'severity'], ['latest=yes', 'latest'], ['limit=1&limit=2', 'limit'], ['page=2', 'page'],
      ] as const) {
        const answer = await api(`/api/v1/orgs/acme/images?${query}`);
        assert.equal(answer.status, 400, query);
        assert.match(answer.body.error, new RegExp(`^\\?${name}\\b`), query);
        assert.doesNotMatch(answer.body.error, /\n/);
      }
    });

    it('answers a repository\'s history: counts after every evaluation, oldest first, with a re-evaluation after a database change', async () => {
      const history = async (id: string) => api(`/api/v1/orgs/acme/repositories/${encodeURIComponent(id)}/history`);
      const before = await history(repositories['team/app']!);
      assert.equal(before.status, 200, before.text);
      assert.equal(before.body.repository, reference('team/app'));
      const list = (await api(`/api/v1/orgs/acme/images?repository=${repositories['team/app']!}`)).body.images;
      const countsOf = (digest: string) => list.find((image: { digest: string }) => image.digest === digest).vulnerabilities as Counts;
      assert.deepEqual(before.body.points.map((point: { digest: string; reason: string; vulnerabilities: Counts }) => [point.digest, point.reason, point.vulnerabilities]), [
        [BASE.manifestDigest, 'analysis', countsOf(BASE.manifestDigest)], [APP.manifestDigest, 'analysis', countsOf(APP.manifestDigest)],
      ]);
      // By registry/name too (URL-encoded), as the activation routes take it.
      const byName = await history(reference('team/app'));
      assert.equal(byName.status, 200, byName.text);
      assert.deepEqual(byName.body.points, before.body.points);

      // A new source's advisory for Debian 11's curl: the app image is matched again from its stored SBOM.
      await updateDatabase(server.dataDir, [{ name: 'dashboard-test', location: 'memory' }], {
        feeds: [extraFeed], cacheDir: join(server.dataDir, 'cache'), openInput: async () => ({ files: (async function* () {})() }),
      });
      const generation = databaseGeneration(server.dataDir)!.generation;
      const appId = String((await server.ctx.sql.get('SELECT id FROM images WHERE repository_id = ? AND digest = ?', [repositories['team/app']!, APP.manifestDigest]))!.id);
      const store = SqliteAdvisoryStore.open(server.dataDir);
      try {
        await reevaluateImage(server.ctx, store, appId, generation);
      } finally {
        await store.close();
      }
      const afterwards = await history(repositories['team/app']!);
      assert.equal(afterwards.body.points.length, 3);
      assert.deepEqual(afterwards.body.points.slice(0, 2), before.body.points);
      const last = afterwards.body.points[2];
      assert.equal(last.digest, APP.manifestDigest);
      assert.equal(last.reason, 'database');
      assert.ok(Date.parse(last.at) >= Date.parse(before.body.points[1].at));
      // Each binary package of the curl source (the manifest: curl, libcurl4) gains the unrated new vulnerability.
      const curlPackages = APP.packages.filter((pkg) => pkg.type === 'deb' && pkg.source === 'curl').length;
      assert.equal(curlPackages, 2);
      const was = countsOf(APP.manifestDigest);
      assert.deepEqual(last.vulnerabilities, { ...was, unspecified: was.unspecified + curlPackages });
      // The list shows the new counts; the row written with the evaluation holds the same.
      const now = (await api(`/api/v1/orgs/acme/images?repository=${repositories['team/app']!}&limit=1`)).body.images[0];
      assert.deepEqual(now.vulnerabilities, last.vulnerabilities);
      const rows = await server.ctx.sql.all('SELECT c.at, e.at AS evaluated_at FROM evaluation_counts c JOIN evaluations e ON e.id = c.evaluation_id WHERE c.image_id = ?', [appId]);
      assert.equal(rows.length, 2);
      for (const row of rows) assert.equal(toNumber(row.at), toNumber(row.evaluated_at));

      // The other repository's history is its own; unknown ids are 404; another organization's too.
      const base = await history(repositories['team/base']!);
      assert.deepEqual(base.body.points.map((point: { digest: string }) => point.digest), [BASE.manifestDigest]);
      assert.equal((await history('no-such-repository')).status, 404);
      assert.equal((await api(`/api/v1/orgs/globex/repositories/${repositories['team/app']!}/history`, otherToken)).status, 404);
    });
  });
}

suite('SQLite', undefined);
suite('PostgreSQL', postgresUnavailable());
