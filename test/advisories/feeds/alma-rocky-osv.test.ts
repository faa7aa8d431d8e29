// The existing `osv` feed over every shared AlmaLinux and Rocky Linux OSV record: each raw `affected[]` entry becomes a
// fixed row in `almalinux:N` / `rocky:N` with the raw fixed version (epoch kept as written; rpm reads `0:` as no
// epoch), in one record per CVE the notice names under `related` (aliased to the notice; a notice without CVEs
// keeps its id); packages built for a SIG repository (purl distro `…-sig-…`) are left out. Expected values are read
// from the raw JSON here.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { osvFeed } from '../../../src/advisories/feeds/osv/osv-feed.ts';
import { openFeedInput } from '../../../src/advisories/input/open.ts';
import type { AffectedPackage } from '../../../src/advisories/model.ts';
import { rpm } from '../../../src/versions/rpm/rpm.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { filesUnder, ingestAll } from './scoring-sink.ts';

interface RawOsv { id: string; related?: string[]; affected: { package: { ecosystem: string; name: string; purl?: string }; ranges: { type: string; events: Record<string, string>[] }[] }[] }

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

/** `Rocky Linux:8` → `rocky:8`, `AlmaLinux:10` → `almalinux:10`. */
function namespaceOf(ecosystem: string): string {
  const [family, release] = ecosystem.split(':');
  return `${family === 'Rocky Linux' ? 'rocky' : family!.toLowerCase()}:${release}`;
}

for (const [label, dir, count] of [
  ['Rocky Linux', join(SHARED, 'data/advisories/rocky/osv'), 5],
  ['AlmaLinux', join(SHARED, 'data/advisories/alma/osv'), 9],
] as const) {
  describe(`osv: the shared ${label} OSV records`, () => {
    it(`reads all ${count} into their release namespaces with the raw fixed versions, one record per CVE`, async () => {
      const collected = await ingestAll(osvFeed, filesUnder(dir));
      const files = jsonFiles(dir);
      assert.equal(files.length, count);
      const expectedSkips: string[] = [];
      let expectedRecords = 0;
      for (const file of files) {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as RawOsv;
        const cves = [...new Set((raw.related ?? []).filter((id) => id.startsWith('CVE-')))];
        const ids = cves.length > 0 ? cves : [raw.id];
        const kept = raw.affected.filter((entry) => !/distro=[^&]*-sig-/.test(entry.package.purl ?? ''));
        for (const entry of raw.affected) if (!kept.includes(entry)) expectedSkips.push(entry.package.name);
        if (kept.length === 0) continue;
        expectedRecords += ids.length;
        for (const id of ids) {
          const advisory = collected.advisories.find((a) => a.id === id && (id === raw.id || a.aliases.includes(raw.id)));
          assert.ok(advisory, `${raw.id} → ${id}`);
          assert.equal(advisory.affected.length, kept.length, raw.id);
          for (const entry of kept) {
            const namespace = namespaceOf(entry.package.ecosystem);
            assert.match(namespace, label === 'Rocky Linux' ? /^rocky:(8|9)$/ : /^almalinux:(8|9|10)$/);
            const fixed = entry.ranges[0]!.events.find((event) => 'fixed' in event)!.fixed!;
            const row: AffectedPackage | undefined = advisory.affected.find((r) => r.namespace === namespace && r.packageName === entry.package.name);
            assert.ok(row, `${raw.id} ${namespace} ${entry.package.name}`);
            assert.equal(row.status, 'fixed');
            assert.deepEqual(row.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }]);
            assert.ok(rpm.valid(fixed), fixed);
            // OSV records say nothing of module streams: the row applies to any.
            assert.equal(row.module, undefined);
          }
        }
      }
      assert.equal(collected.advisories.length, expectedRecords);
      assert.deepEqual(collected.skipped.filter((s) => s.reason !== 'no affected package in a supported ecosystem').map((s) => s.where.split(': ')[1]).sort(), expectedSkips.sort());
    });
  });
}

describe('osv: rpm reads the records\' explicit zero epoch as none', () => {
  it('0:3.3.1-2.module+el9.4.0+20787+4c237fd3 (RLSA-2024:3671) equals the installed 3.3.1-2.module+el9.4.0+20787+4c237fd3', () => {
    assert.equal(rpm.compare('3.3.1-2.module+el9.4.0+20787+4c237fd3', '0:3.3.1-2.module+el9.4.0+20787+4c237fd3'), 0);
    assert.ok(rpm.compare('3.3.0-1.module+el9.3.0+16000+aaaaaaaa', '0:3.3.1-2.module+el9.4.0+20787+4c237fd3') < 0);
  });
});

describe('osv: the whole AlmaLinux OSV database archive', () => {
  it('reads every record of almalinux-osv-database-advisories.tar.xz: each notice with CVEs as one record per CVE, the others as themselves, nothing skipped', async () => {
    const archive = join(SHARED, 'data/advisories/alma/almalinux-osv-database-advisories.tar.xz');
    const work = mkdtempSync(join(tmpdir(), 'spyglass-alma-'));
    try {
      // The expected records come from the archive's files as the system tar extracts them.
      execFileSync('tar', ['-xJf', archive, '-C', work]);
      const expected = new Set<string>();
      let files = 0;
      for (const file of jsonFiles(work)) {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as RawOsv;
        files += 1;
        const cves = (raw.related ?? []).filter((id) => /^CVE-\d{4}-\d+$/.test(id));
        for (const id of cves.length > 0 ? cves : [raw.id]) expected.add(id);
      }
      assert.ok(files > 5000, `${files} records`);
      const input = await openFeedInput(archive, { cacheDir: work, accept: (name) => osvFeed.wants({ name }) });
      const collected = await ingestAll(osvFeed, input.files);
      assert.deepEqual(collected.skipped, []);
      assert.deepEqual(new Set(collected.advisories.map((a) => a.id)), expected);
      for (const advisory of collected.advisories) {
        assert.ok(advisory.affected.every((row) => /^almalinux:(8|9|10)$/.test(row.namespace)), advisory.id);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
