// The Debian tracker ingester: the tracker's data/json sample, and the CVE-list entries of the fixture
// images' packages with the DSA/DLA fixes they rely on; expected values are read from the files here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../../helpers/fixtures.ts';
import { debianTrackerFeed } from '../../../src/advisories/feeds/debian-tracker/debianTrackerFeed.ts';
import type { AffectedPackage } from '../../../src/advisories/model.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const DEBIAN = join(SHARED, 'data/advisories/debian');
const SAMPLE = join(DEBIAN, 'tracker-json-format-sample/debian.json');
const NUMBERS: Record<string, string> = { jessie: '8', stretch: '9', buster: '10', bullseye: '11', bookworm: '12', trixie: '13', sid: 'unstable' };

type Annotation = { Type: string; Release?: string; Package?: string; Kind?: string; Version?: string; Description?: string; Bugs?: string[] };
const entry = (id: string): { Annotations: Annotation[] } => JSON.parse(readFileSync(join(DEBIAN, 'cve-list/json', `${id}.json`), 'utf8'));
const line = (id: string, release: string | undefined, pkg: string): Annotation =>
  entry(id).Annotations.find((a) => a.Type === 'package' && a.Release === release && a.Package === pkg) as Annotation;

function find(advisories: { id: string; affected: AffectedPackage[] }[], id: string, namespace: string, pkg: string): AffectedPackage | undefined {
  return advisories.find((a) => a.id === id)?.affected.find((f) => f.namespace === namespace && f.packageName === pkg);
}

test('tracker data/json sample: one verdict per package, CVE and release', async () => {
  const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, Record<string, { releases: unknown }>>;
  const collected = await ingestAll(debianTrackerFeed, filesOf({ name: 'debian/json', content: readFileSync(SAMPLE) }));
  let releases = 0;
  let lists = 0;
  for (const issues of Object.values(sample)) {
    for (const issue of Object.values(issues)) {
      if (Array.isArray(issue.releases)) lists++;
      else releases += Object.keys(issue.releases as object).length;
    }
  }
  assert.equal(collected.advisories.flatMap((a) => a.affected).length + collected.skipped.length - lists, releases);
  assert.equal(collected.skipped.length, lists);

  const fixed = sample.prototypejs['CVE-2008-7220'].releases as Record<string, { fixed_version: string; urgency: string }>;
  assert.deepEqual(find(collected.advisories, 'CVE-2008-7220', 'debian:10', 'prototypejs'), {
    namespace: 'debian:10',
    packageName: 'prototypejs',
    status: 'fixed',
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: fixed.buster.fixed_version }] }],
    fixedVersions: [fixed.buster.fixed_version],
    urgency: fixed.buster.urgency.replace(/\*+$/, ''),
  });
  const never = sample.prototypejs['CVE-2007-2383'].releases as Record<string, { fixed_version: string; urgency: string }>;
  assert.equal(never.stretch.fixed_version, '0');
  assert.deepEqual(find(collected.advisories, 'CVE-2007-2383', 'debian:9', 'prototypejs'), { namespace: 'debian:9', packageName: 'prototypejs', status: 'not-affected', ranges: [], fixedVersions: [], urgency: never.stretch.urgency });
  for (const [codename, release] of Object.entries(sample.chromium['CVE-2022-0456'].releases as Record<string, { status: string; urgency: string }>)) {
    const got = find(collected.advisories, 'CVE-2022-0456', `debian:${NUMBERS[codename]}`, 'chromium');
    assert.equal(got?.status, release.urgency === 'end-of-life' ? 'end-of-life' : 'fixed', codename);
  }
  const advisory = collected.advisories.find((a) => a.id === 'CVE-2008-7220');
  assert.equal(advisory?.source, 'debian-tracker');
  assert.equal(advisory?.summary, (sample.prototypejs['CVE-2008-7220'] as unknown as { description: string }).description);
});

/** Whether a DSA/DLA file of the fixture set ships `version` of `packageName` in `release` for CVE `id` (which overrides a no-dsa/postponed line). */
function shippedFix(id: string, release: string, packageName: string, version: string): boolean {
  const dir = join(DEBIAN, 'cve-list/dsa-dla-json');
  return readdirSync(dir).some((name) => {
    const { Annotations: lines } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { Annotations: Annotation[] };
    return lines.some((line) => line.Type === 'xref' && (line.Bugs ?? []).includes(id))
      && lines.some((line) => line.Type === 'package' && line.Release === release && line.Package === packageName && line.Kind === 'fixed' && line.Version === version);
  });
}

test('CVE list of the fixture packages: one advisory per entry, every release line kept', async () => {
  const collected = await ingestAll(debianTrackerFeed, filesUnder(join(DEBIAN, 'cve-list')));
  const ids = readdirSync(join(DEBIAN, 'cve-list/json')).map((name) => name.replace(/\.json$/, ''));
  assert.deepEqual(collected.advisories.map((a) => a.id).sort(), [...ids].sort());
  assert.deepEqual(collected.skipped, []);
  for (const id of ids) {
    for (const annotation of entry(id).Annotations) {
      if (annotation.Type !== 'package' || !annotation.Release || !NUMBERS[annotation.Release]) continue;
      const got = find(collected.advisories, id, `debian:${NUMBERS[annotation.Release]}`, annotation.Package as string);
      assert.ok(got, `${id} ${annotation.Release} ${annotation.Package}`);
      if (annotation.Kind === 'fixed') assert.deepEqual(got.fixedVersions, [annotation.Version]);
      else if (got.status === 'fixed') assert.ok(shippedFix(id, annotation.Release, annotation.Package as string, got.fixedVersions[0]!), `${id} ${annotation.Release}: fixed only by a DSA/DLA`);
      else assert.equal(got.statusReason, annotation.Description);
    }
  }
});

test('glibc, openssl and systemd in bullseye and bookworm come out as the tracker says', async () => {
  const collected = await ingestAll(debianTrackerFeed, filesUnder(join(DEBIAN, 'cve-list')));
  // CVE-2025-8058: fixed by a bookworm point release, postponed in bullseye, fixed in unstable.
  const bookworm = line('CVE-2025-8058', 'bookworm', 'glibc');
  assert.deepEqual(find(collected.advisories, 'CVE-2025-8058', 'debian:12', 'glibc')?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: bookworm.Version }] }]);
  const bullseye = find(collected.advisories, 'CVE-2025-8058', 'debian:11', 'glibc');
  assert.equal(bullseye?.status, 'postponed');
  assert.equal(bullseye?.statusReason, line('CVE-2025-8058', 'bullseye', 'glibc').Description);
  assert.deepEqual(find(collected.advisories, 'CVE-2025-8058', 'debian:unstable', 'glibc')?.fixedVersions, [line('CVE-2025-8058', undefined, 'glibc').Version]);
  // CVE-2023-5363: bullseye's openssl never had the code.
  const openssl = find(collected.advisories, 'CVE-2023-5363', 'debian:11', 'openssl');
  assert.equal(openssl?.status, 'not-affected');
  assert.equal(openssl?.statusReason, line('CVE-2023-5363', 'bullseye', 'openssl').Description);
  // CVE-2026-29111: the bullseye fix is only in DLA-4533-1.
  const dla = JSON.parse(readFileSync(join(DEBIAN, 'cve-list/dsa-dla-json/DLA-4533-1.json'), 'utf8')) as { Annotations: Annotation[] };
  assert.ok(dla.Annotations.find((a) => a.Type === 'xref')?.Bugs?.includes('CVE-2026-29111'));
  assert.equal(line('CVE-2026-29111', 'bullseye', 'systemd'), undefined);
  const fix = dla.Annotations.find((a) => a.Release === 'bullseye' && a.Package === 'systemd')?.Version;
  assert.deepEqual(find(collected.advisories, 'CVE-2026-29111', 'debian:11', 'systemd')?.fixedVersions, [fix]);
  assert.deepEqual(find(collected.advisories, 'CVE-2026-29111', 'debian:12', 'systemd')?.fixedVersions, [line('CVE-2026-29111', 'bookworm', 'systemd').Version]);
  // CVE-2026-0915: unfixed everywhere; bullseye and bookworm inherit it.
  assert.equal(line('CVE-2026-0915', undefined, 'glibc').Kind, 'unfixed');
  for (const namespace of ['debian:11', 'debian:12']) assert.equal(find(collected.advisories, 'CVE-2026-0915', namespace, 'glibc')?.status, 'affected');
  // CVE-2011-3374: apt, unfixed and unimportant.
  assert.equal(find(collected.advisories, 'CVE-2011-3374', 'debian:12', 'apt')?.urgency, 'unimportant');
});

test('malformed JSON, an invalid fixed version and an unknown release are skipped with reasons; the rest stay', async () => {
  const tracker = {
    zlib: {
      'CVE-2022-37434': {
        description: 'inflate overflow',
        releases: {
          bookworm: { status: 'resolved', fixed_version: '1:1.2.13.dfsg-1', urgency: 'high' },
          bullseye: { status: 'resolved', fixed_version: 'not a version!', urgency: 'high' },
          hamm: { status: 'open', urgency: 'low' },
          trixie: { status: 'open', urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'postponed' },
        },
      },
    },
  };
  const collected = await ingestAll(debianTrackerFeed, filesOf({ name: 'debian/broken.json', content: '{"zlib": {' }, { name: 'debian/json', content: JSON.stringify(tracker) }));
  assert.deepEqual(collected.advisories.flatMap((a) => a.affected.map((f) => [a.id, f.namespace, f.status, f.statusReason])), [
    ['CVE-2022-37434', 'debian:12', 'fixed', undefined],
    ['CVE-2022-37434', 'debian:13', 'postponed', 'Minor issue'],
  ]);
  const reasons = collected.skipped.map((s) => `${s.where}: ${s.reason}`);
  assert.equal(reasons.length, 3);
  assert.match(reasons[0], /^debian\/broken\.json: malformed JSON/);
  assert.match(reasons[1], /bullseye: invalid Debian version "not a version!"/);
  assert.match(reasons[2], /hamm: unknown Debian release "hamm"/);
});

test('wants the tracker download and Debian JSON, not the DSA text lists, Alpine files or an OSV record', async () => {
  const wants = (name: string) => debianTrackerFeed.wants({ name });
  assert.deepEqual(['json', 'tracker-json-format-sample/debian.json', 'cve-list/json/CVE-2025-8058.json', 'DSA-list', 'v3.18/main.json'].map(wants), [true, true, true, false, false]);
  const osv = { schema_version: '1.6.0', id: 'DSA-1234-1', affected: [] };
  const collected = await ingestAll(debianTrackerFeed, filesOf({ name: 'DSA-1234-1.json', content: JSON.stringify(osv) }));
  assert.deepEqual(collected.advisories, []);
  assert.match(collected.skipped[0]?.reason ?? '', /not a tracker JSON object/);
});
