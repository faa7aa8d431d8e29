// The oracle-oval feed. No real Oracle OVAL file is in ../shared, so data/oracle/com.oracle.elsa-sample.xml
// is HAND-WRITTEN after the documented format of https://linux.oracle.com/security/oval/ (the document
// layout, criterion comments, arch branches and ksplice criteria as Oracle's com.oracle.elsa-all.xml writes
// them, learned from the verbatim excerpts in anchore/vunnel's tests/unit/providers/oracle/test-fixtures/:
// https://github.com/anchore/vunnel/tree/main/tests/unit/providers/oracle/test-fixtures). Expected values
// are read from that file in the test with regular expressions. End to end, Oracle Linux 8 openssl-libs
// below the fix gives the ELSA's two CVEs, at the fix nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { oracleOvalFeed } from '../../../src/advisories/feeds/oracle-oval/oracleOvalFeed.ts';
import { FEEDS } from '../../../src/advisories/feeds/registry.ts';
import { distroNamespace } from '../../../src/match/namespaces.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';
import { rpmFindings, smallDatabase, type SmallDatabase } from './rpm-feed-match.ts';

const DATA = join(import.meta.dirname, 'data/oracle');
const SAMPLE = join(DATA, 'com.oracle.elsa-sample.xml');
const sampleText = readFileSync(SAMPLE, 'utf8');

interface RawDefinition {
  elsa: string;
  cves: string[];
  severity: string;
  release: string;
  /** Every "X is earlier than E:V-R" of the definition, in order. */
  earlier: [string, string][];
  ksplice: boolean;
  arches: string[];
}

const rawDefinitions: RawDefinition[] = [...sampleText.matchAll(/<definition [\s\S]*?<\/definition>/g)].map(([block]) => ({
  elsa: /source="elsa" ref_id="([^"]+)"/.exec(block)![1]!,
  cves: [...block.matchAll(/source="CVE" ref_id="([^"]+)"/g)].map((m) => m[1]!),
  severity: /<severity>([^<]+)<\/severity>/.exec(block)![1]!,
  release: /comment="Oracle Linux (\d+) is installed"/.exec(block)![1]!,
  earlier: [...block.matchAll(/comment="(\S+) is earlier than (\S+)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]),
  ksplice: /is ksplice-based/.test(block),
  arches: [...block.matchAll(/comment="Oracle Linux arch is (\S+)"/g)].map((m) => m[1]!),
}));

const noEpochZero = (evr: string) => evr.replace(/^0:/, '');

describe('oracle-oval: the ELSA OVAL sample', () => {
  it('reads every definition: one advisory per CVE aliased to the ELSA, rows from the "is earlier than" criteria', async () => {
    const collected = await ingestAll(oracleOvalFeed, filesUnder(DATA));
    assert.equal(rawDefinitions.length, 4);
    const ksplice = rawDefinitions.filter((raw) => raw.ksplice);
    assert.deepEqual(collected.skipped, ksplice.map((raw) => ({ where: `com.oracle.elsa-sample.xml oval:com.oracle.elsa:def:${raw.elsa.replace(/^ELSA-/, '').replace('-', '')}`, reason: 'Ksplice userspace packages only' })));
    const read = rawDefinitions.filter((raw) => !raw.ksplice);
    assert.deepEqual(collected.advisories.map((a) => [a.id, a.aliases]).sort(), read.flatMap((raw) => raw.cves.map((cve) => [cve, [raw.elsa]])).sort());
    for (const raw of read) {
      for (const advisory of collected.advisories.filter((a) => a.aliases[0] === raw.elsa)) {
        assert.equal(advisory.source, 'oracle-oval');
        assert.deepEqual(advisory.severity, [{ by: 'oracle', rating: raw.severity }]);
        assert.ok(advisory.references.includes(`https://linux.oracle.com/errata/${raw.elsa}.html`));
        if (raw.arches.length > 0) continue; // below
        assert.deepEqual(
          advisory.affected.map((row) => [row.namespace, row.packageName, row.status, row.fixedVersions]),
          raw.earlier.map(([name, evr]) => [`oracle:${raw.release}`, name, 'fixed', [noEpochZero(evr)]]),
        );
      }
    }
    const openssl = collected.advisories.find((a) => a.id === 'CVE-2023-3446')!;
    assert.deepEqual(openssl.affected.find((row) => row.packageName === 'openssl-libs')!.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.1.1k-12.el8_9' }] }]);
    assert.equal(openssl.published, '2024-01-10');
    // rsyslog: aarch64 is fixed at 57.0.4, x86_64 at 57.0.1; the row keeps the higher and names both.
    const rsyslog = rawDefinitions.find((raw) => raw.elsa === 'ELSA-2022-4803')!;
    assert.deepEqual(rsyslog.arches, ['aarch64', 'x86_64']);
    assert.deepEqual(rsyslog.earlier, [['rsyslog', '0:8.24.0-57.0.4.el7_9.3'], ['rsyslog', '0:8.24.0-57.0.1.el7_9.3']]);
    assert.deepEqual(collected.advisories.find((a) => a.id === 'CVE-2022-24903')!.affected, [{
      namespace: 'oracle:7',
      packageName: 'rsyslog',
      status: 'fixed',
      statusReason: 'fixed per architecture: aarch64 8.24.0-57.0.4.el7_9.3, x86_64 8.24.0-57.0.1.el7_9.3',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '8.24.0-57.0.4.el7_9.3' }] }],
      fixedVersions: ['8.24.0-57.0.4.el7_9.3'],
    }]);
    // nodejs under "Module nodejs:18 is enabled" carries its stream.
    assert.match(sampleText, /comment="Module nodejs:18 is enabled"/);
    assert.equal(collected.advisories.find((a) => a.id === 'CVE-2023-38552')!.affected[0]!.module, 'nodejs:18');
  });

  it('reads the bzip2 copy Oracle publishes the same way', async () => {
    const compressed = spawnSync('bzip2', ['-c', SAMPLE], { maxBuffer: 1 << 24 });
    assert.equal(compressed.status, 0);
    const plain = await ingestAll(oracleOvalFeed, filesUnder(DATA));
    const bz2 = await ingestAll(oracleOvalFeed, filesOf({ name: 'com.oracle.elsa-all.xml.bz2', content: compressed.stdout }));
    assert.deepEqual(bz2.advisories, plain.advisories);
    const broken = await ingestAll(oracleOvalFeed, filesOf({ name: 'com.oracle.elsa-2024.xml.bz2', content: compressed.stdout.subarray(0, 200) }));
    assert.deepEqual(broken.advisories, []);
    assert.match(broken.skipped[0]!.reason, /^unreadable bzip2: bzip2: /);
  });

  it('counts malformed definitions as skipped with the reason and keeps the rest', async () => {
    const first = /<definition [\s\S]*?<\/definition>/.exec(sampleText)![0];
    const variant = (id: string, from: string, to: string) => first.replace('def:20240010', `def:${id}`).replace(from, to);
    const definitions = [
      first,
      variant('1', 'comment="openssl is signed with the Oracle Linux 8 key"', 'comment="openssl is frobnicated"'),
      variant('2', 'source="elsa" ref_id="ELSA-2024-0010"', 'source="elsa" ref_id="RHSA-2024:0010"'),
      variant('3', 'openssl-devel is earlier than 1:1.1.1k-12.el8_9', 'openssl-devel is earlier than 1:'),
      variant('4', 'class="patch"', 'class="inventory"'),
      variant('5', '<title>', '<title><b>'),
      variant('6', 'comment="Oracle Linux 8 is installed"', 'comment="openssl-libs is signed with the Oracle Linux 8 key"'),
    ];
    const document = sampleText.replace(/<definitions>[\s\S]*<\/definitions>/, `<definitions>\n${definitions.join('\n')}\n</definitions>`);
    const collected = await ingestAll(oracleOvalFeed, filesOf({ name: 'com.oracle.elsa-2024.xml', content: document }, { name: 'com.oracle.elsa-2025.xml', content: '<html></html>' }));
    assert.deepEqual(collected.advisories.map((a) => a.id), ['CVE-2023-3446', 'CVE-2023-3817']);
    const where = (id: string) => `com.oracle.elsa-2024.xml oval:com.oracle.elsa:def:${id}`;
    assert.deepEqual(collected.skipped.map((s) => [s.where, s.reason.replace(/^(malformed XML):.*/, '$1')]), [
      [where('1'), 'unknown criterion "openssl is frobnicated"'],
      [where('2'), 'not one ELSA reference (["RHSA-2024:0010"])'],
      [where('3'), 'openssl-devel: invalid rpm EVR "1:"'],
      [where('4'), 'definition class "inventory" is not patch'],
      [where('5'), 'malformed XML'],
      [where('6'), 'openssl: no "Oracle Linux N is installed" criterion above it'],
      ['com.oracle.elsa-2025.xml', 'not an OVAL definitions document'],
    ]);
  });
});

describe('oracle-oval: matching through the database', () => {
  let db: SmallDatabase;
  before(async () => {
    db = await smallDatabase(oracleOvalFeed, [DATA]);
    assert.deepEqual(db.outcomes.map((o) => o.outcome), ['updated']);
  });
  after(async () => db?.close());

  it('is registered, downloads the whole ELSA OVAL, and oracle:<major> is the matcher\'s namespace', () => {
    assert.ok(FEEDS.includes(oracleOvalFeed));
    assert.deepEqual(oracleOvalFeed.defaultLocations, ['https://linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2']);
    assert.equal(distroNamespace({ id: 'ol', versionId: '8.9' }), 'oracle:8');
  });

  it('finds openssl-libs below the ELSA-2024-0010 fix and nothing at it', async () => {
    const distro = { id: 'ol', versionId: '8.9' };
    const [, fixed] = rawDefinitions.find((raw) => raw.elsa === 'ELSA-2024-0010')!.earlier.find(([name]) => name === 'openssl-libs')!;
    assert.equal(fixed, '1:1.1.1k-12.el8_9');
    const below = await rpmFindings(db.store, distro, [['openssl-libs', '1:1.1.1k-9.el8_7']]);
    assert.deepEqual(below, ['CVE-2023-3446', 'CVE-2023-3817'].map((id) => ({ id, aliases: ['ELSA-2024-0010'], package: 'openssl-libs', installed: '1:1.1.1k-9.el8_7', fixed: [fixed], status: 'fixed', rated: 'medium by oracle' })));
    assert.deepEqual(await rpmFindings(db.store, distro, [['openssl-libs', fixed]]), []);
    // Oracle Linux 7's rsyslog row is not Oracle Linux 8's.
    assert.deepEqual(await rpmFindings(db.store, distro, [['rsyslog', '8.24.0-57.el7']]), []);
  });
});
