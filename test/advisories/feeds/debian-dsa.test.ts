// The DSA/DLA list ingester over the security tracker's real lists: one advisory per header line,
// fields compared with the list text read independently here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../../helpers/fixtures.ts';
import { debianDsaFeed } from '../../../src/advisories/feeds/debian-dsa/debianDsaFeed.ts';
import type { AffectedPackage } from '../../../src/advisories/model.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const DEBIAN = join(SHARED, 'data/advisories/debian');
const LISTS = ['security-tracker/DSA-list', 'security-tracker/DLA-list', 'cve-list/DSA-list-excerpt', 'cve-list/DLA-list-excerpt'];

/** Header line index → its indented lines, straight from the text. */
function entriesOf(text: string): { header: string; body: string[] }[] {
  const out: { header: string; body: string[] }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('[')) out.push({ header: line, body: [] });
    else if (line.trim() !== '' && out.length > 0) out[out.length - 1].body.push(line.trim());
  }
  return out;
}

const MONTH: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };

test('every DSA and DLA header of the real lists becomes one advisory', async () => {
  const collected = await ingestAll(debianDsaFeed, filesUnder(DEBIAN));
  const headers = LISTS.map((file) => readFileSync(join(DEBIAN, file), 'utf8').split('\n').filter((line) => line.startsWith('[')).length);
  assert.equal(collected.advisories.length, headers.reduce((a, b) => a + b, 0));
  assert.ok(collected.advisories.every((advisory) => advisory.source === 'debian-dsa' && /^D[SL]A-\d+/.test(advisory.id)));
});

test('a DSA fixed in several releases: date, CVEs and one fixed range per release line', async () => {
  const text = readFileSync(join(DEBIAN, 'security-tracker/DSA-list'), 'utf8');
  const entry = entriesOf(text).find((e) => e.body.filter((line) => /^\[[a-z]+\] - \S+ [0-9]/.test(line)).length >= 3 && e.body[0].startsWith('{'));
  assert.ok(entry);
  const [, day, month, year, id] = /^\[(\d\d) (\w{3}) (\d{4})\] (\S+)/.exec(entry.header) ?? [];
  const collected = await ingestAll(debianDsaFeed, filesOf({ name: 'DSA-list', content: text }));
  const advisory = collected.advisories.find((a) => a.id === id);
  assert.ok(advisory);
  assert.equal(advisory.published?.slice(0, 10), `${year}-${MONTH[month]}-${day}`);
  assert.deepEqual(advisory.aliases, entry.body[0].slice(1, -1).split(' '));
  const lines = entry.body.filter((line) => line.startsWith('['));
  assert.equal(advisory.affected.length, lines.length);
  for (const [index, line] of lines.entries()) {
    const [, release, pkg, version] = /^\[(\w+)\] - (\S+) (\S+)/.exec(line) ?? [];
    const affected: AffectedPackage = advisory.affected[index];
    assert.equal(affected.packageName, pkg);
    assert.match(affected.namespace, /^debian:\d/, release);
    assert.equal(affected.status, 'fixed');
    assert.deepEqual(affected.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }]);
    assert.deepEqual(affected.fixedVersions, [version]);
  }
});

test('the bullseye openssl fix of a DSA and a <not-affected> line keep their meaning', async () => {
  const text = readFileSync(join(DEBIAN, 'security-tracker/DSA-list'), 'utf8');
  const entry = entriesOf(text).find((e) => e.body.some((line) => line.includes('<not-affected>')));
  assert.ok(entry);
  const line = entry.body.find((l) => l.includes('<not-affected>')) as string;
  const [, pkg, note] = /\] - (\S+) <not-affected> \((.*)\)/.exec(line) ?? [];
  const id = entry.header.split(' ')[3];
  const collected = await ingestAll(debianDsaFeed, filesOf({ name: 'DSA-list', content: text }));
  const affected = collected.advisories.find((a) => a.id === id)?.affected.find((a) => a.packageName === pkg && a.status === 'not-affected');
  assert.ok(affected);
  assert.equal(affected.statusReason, note);
  assert.deepEqual(affected.ranges, []);

  const openssl = entriesOf(text).find((e) => e.body.some((l) => l.startsWith('[bullseye] - openssl ')));
  assert.ok(openssl);
  const version = openssl.body.find((l) => l.startsWith('[bullseye] - openssl '))?.split(' ')[3];
  const fixed = collected.advisories.find((a) => a.id === openssl.header.split(' ')[3])?.affected[0];
  assert.deepEqual(fixed, { namespace: 'debian:11', packageName: 'openssl', status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }], fixedVersions: [version] });
});

test('an unreadable header, an invalid version and an unknown release are skipped with reasons; the rest stay', async () => {
  const content = [
    '[02 Jan 2024] DSA-9999-1 good - security update',
    '\t{CVE-2024-0001}',
    '\t[bookworm] - good 1.0-1+deb12u1',
    '\t[bullseye] - good 1.0_broken!',
    '\t[hamm] - good 0.9-1',
    'garbage line that is no header',
    '\t[bookworm] - orphan 1.0-1',
    '[01 Jan 2024] DLA-8888-1 other - security update',
    '\t[bullseye] - other 2.0-1+deb11u1',
  ].join('\n');
  const collected = await ingestAll(debianDsaFeed, filesOf({ name: 'DSA-list', content }));
  assert.deepEqual(collected.advisories.map((a) => [a.id, a.affected.map((f) => f.namespace)]), [['DSA-9999-1', ['debian:12']], ['DLA-8888-1', ['debian:11']]]);
  assert.equal(collected.skipped.length, 3);
  const reasons = collected.skipped.map((s) => s.reason).sort();
  assert.match(reasons[0], /^invalid Debian version "1.0_broken!"/);
  assert.match(reasons[1], /^unknown Debian release "hamm"/);
  assert.match(reasons[2], /^unreadable advisory header "garbage/);
});

test('a downloaded `list` is read when it is a DSA/DLA list, and ignored when it is the CVE list', async () => {
  const dsa = readFileSync(join(DEBIAN, 'cve-list/DSA-list-excerpt'), 'utf8');
  const cve = readFileSync(join(DEBIAN, 'cve-list/list'), 'utf8');
  assert.deepEqual(['list', 'DSA/list', 'cve-list/list', 'DLA-list', 'json'].map((name) => debianDsaFeed.wants({ name })), [true, true, false, true, false]);
  const read = await ingestAll(debianDsaFeed, filesOf({ name: 'list', content: dsa }));
  assert.equal(read.advisories.length, dsa.split('\n').filter((line) => line.startsWith('[')).length);
  const ignored = await ingestAll(debianDsaFeed, filesOf({ name: 'list', content: cve }));
  assert.deepEqual([ignored.advisories.length, ignored.skipped.length], [0, 0]);
});
