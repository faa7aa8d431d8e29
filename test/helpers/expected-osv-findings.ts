// Language-package findings for a fixture image, computed straight from the raw OSV files in
// ../shared/data/advisories/osv (loose files and archives), never through Spyglass's feeds, store,
// version schemes or matcher. Versions are compared with the `semver` package (npm, Go) and a small
// PEP 440 reading below (PyPI); OSV range semantics per https://ossf.github.io/osv-schema/#evaluation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { SHARED } from './fixtures.ts';

const OSV = join(SHARED, 'data/advisories/osv');

type OsvEvent = { introduced?: string; fixed?: string; last_affected?: string; limit?: string };

export interface OsvRecord {
  id: string;
  aliases?: string[];
  withdrawn?: string;
  affected?: { package: { ecosystem: string; name: string }; ranges?: { type: string; events: OsvEvent[] }[]; versions?: string[] }[];
}

/** The ecosystems of the fixture images' language packages and where their records are. */
const SOURCES: Record<'npm' | 'Go' | 'PyPI', string[]> = {
  npm: ['ghsa', 'archives/ghsa-npm-sample.zip'],
  Go: ['go/records', 'go/golang-vulndb-data-osv.tar.xz', 'archives/go-vulndb-sample.tar.gz'],
  PyPI: ['pypi/records', 'pypi/pypa-advisory-database-vulns.tar.xz'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every file of a folder or an archive as (name, text); archives read with tar (xz, gzip) and fflate (zip). */
function readTexts(location: string): { name: string; text: string }[] {
  if (location.endsWith('.zip')) {
    return Object.entries(unzipSync(readFileSync(location))).map(([name, bytes]) => ({ name, text: Buffer.from(bytes).toString('utf8') }));
  }
  if (/\.tar\.(xz|gz)$/.test(location)) {
    const dir = mkdtempSync(join(tmpdir(), 'expected-findings-'));
    try {
      const run = spawnSync('tar', ['-xf', location, '-C', dir], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`tar -xf ${location}: ${run.stderr}`);
      return readTexts(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return filesUnder(location).map((path) => ({ name: path, text: readFileSync(path, 'utf8') }));
}

/** YAML with every scalar a string: `fixed: 1.20` must stay "1.20", not become the number 1.2. */
function readRecord(name: string, text: string): OsvRecord | undefined {
  if (name.endsWith('.json')) return JSON.parse(text) as OsvRecord;
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return parseYaml(text, { schema: 'failsafe' }) as OsvRecord;
  return undefined;
}

const records = new Map<string, OsvRecord[]>();

/** Every record of the ecosystem, loose and archived (the same id may come several times: merged later). */
export function osvRecords(ecosystem: keyof typeof SOURCES): OsvRecord[] {
  let found = records.get(ecosystem);
  if (!found) {
    found = SOURCES[ecosystem].flatMap((location) => readTexts(join(OSV, location)))
      .map(({ name, text }) => readRecord(name, text))
      .filter((record): record is OsvRecord => record !== undefined && typeof record.id === 'string' && !record.withdrawn
        && (record.affected ?? []).some((affected) => affected.package.ecosystem === ecosystem));
    records.set(ecosystem, found);
  }
  return found;
}

// PEP 440, as far as these versions need it: N(.N)*[{a|b|rc}N][.postN][.devN], no epochs or local
// labels (anything else throws, so a version this reading cannot order is never silently misordered).
// Order: X.devN < X.aN < X.bN < X.rcN < X < X.postN; a pre/post release's own .devN comes before it.
const PEP440 = /^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:[-_.]?post[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?$/i;

function pep440Key(version: string): number[][] {
  const match = PEP440.exec(version.trim());
  if (!match) throw new Error(`not a PEP 440 version this test can order: ${version}`);
  const [, release, preLabel, preNumber, post, dev] = match;
  const preRank = preLabel ? ({ a: 0, alpha: 0, b: 1, beta: 1 } as Record<string, number>)[preLabel.toLowerCase()] ?? 2 : undefined;
  return [
    release!.split('.').map(Number),
    preRank !== undefined ? [0, preRank, Number(preNumber || 0)] : dev !== undefined && post === undefined ? [-1] : [1],
    post !== undefined ? [Number(post || 0)] : [-1],
    dev !== undefined ? [Number(dev || 0)] : [Number.MAX_SAFE_INTEGER],
  ];
}

function comparePep440(a: string, b: string): number {
  const [x, y] = [pep440Key(a), pep440Key(b)];
  for (let part = 0; part < x.length; part++) {
    const [p, q] = [x[part]!, y[part]!];
    const length = part === 0 ? Math.max(p.length, q.length) : p.length;
    for (let i = 0; i < length; i++) {
      const diff = (p[i] ?? 0) - (q[i] ?? 0);
      if (diff !== 0) return Math.sign(diff);
    }
  }
  return 0;
}

/** Installed version → the text compared, and the comparison, per ecosystem. `0` is below everything. */
const COMPARE: Record<keyof typeof SOURCES, (a: string, b: string) => number> = {
  npm: (a, b) => semver.compare(a, b),
  Go: (a, b) => semver.compare(a.replace(/^v/, ''), b.replace(/^v/, '')),
  PyPI: comparePep440,
};

function compare(ecosystem: keyof typeof SOURCES, a: string, b: string): number {
  if (a === '0' || b === '0') return a === b ? 0 : a === '0' ? -1 : 1;
  return COMPARE[ecosystem](a, b);
}

export interface OsvMatch {
  record: OsvRecord;
  /** The fix of the range that holds the installed version; null for `last_affected`, open or version-list matches. */
  fixed: string | null;
  evidence: string;
}

/** Whether `version` of package `name` is affected by the record, by its ranges or its version list. */
export function osvMatch(ecosystem: keyof typeof SOURCES, record: OsvRecord, name: string, version: string): OsvMatch | undefined {
  let listed = false;
  const fixes: string[] = [];
  const evidence: string[] = [];
  for (const affected of record.affected ?? []) {
    if (affected.package.ecosystem !== ecosystem || affected.package.name !== name) continue;
    if (affected.versions?.includes(version)) {
      listed = true;
      evidence.push(`versions lists ${version}`);
    }
    for (const range of affected.ranges ?? []) {
      if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
      const events = range.events.map((event) => Object.entries(event)[0] as [keyof OsvEvent, string])
        .filter(([kind]) => kind !== 'limit')
        .sort(([, a], [, b]) => compare(ecosystem, a, b));
      let inRange = false;
      let fix: string | null = null;
      for (const [kind, at] of events) {
        const cmp = compare(ecosystem, version, at);
        if (kind === 'introduced' && cmp >= 0) [inRange, fix] = [true, null];
        else if (kind === 'fixed' && cmp >= 0) inRange = false;
        else if (kind === 'last_affected' && cmp > 0) inRange = false;
        else if (kind === 'fixed' && inRange && fix === null) fix = at;
      }
      if (inRange) {
        evidence.push(JSON.stringify(range.events));
        if (fix !== null) fixes.push(fix);
        else fixes.push('');
      }
    }
  }
  if (!listed && fixes.length === 0) return undefined;
  // An open range (no fix) wins over a fixed one: the package is then not fixed by any version.
  const real = fixes.filter(Boolean).sort((a, b) => compare(ecosystem, a, b));
  const fixed = fixes.includes('') || real.length === 0 ? null : real[0]!;
  return { record, fixed, evidence: `${record.id} ${name}: ${evidence.join('; ')}` };
}
