// Debian findings for a fixture image, computed straight from the security tracker's raw files in
// ../shared/data/advisories/debian (never through Spyglass's feeds, store or matcher), with the real
// `dpkg --compare-versions` doing every version comparison.
//
// The rule (Docker Scout's and Trivy's reading of the tracker), per CVE entry of `data/CVE/list`
// (cve-list/json/*.json, vuln-list-debian's layout), per source package P named on one of its package
// lines, for the image's release R (bullseye, bookworm):
//  1. `[R] - P <not-affected>` (or `<removed>`, `<itp>`, `<undetermined>`): no finding.
//  2. `[R] - P VERSION`: affected, fixed in VERSION, when the installed source version is lower.
//  3. otherwise, a DSA/DLA whose `{…}` names the CVE and has `[R] - P VERSION`: the same as 2, with the
//     lowest such VERSION. The tracker records a fix shipped by an advisory there, not in CVE/list
//     (cve-list/SOURCE.md, "fixes made by an advisory"), and a shipped fix outranks an older triage
//     note: CVE-2021-36087 still says `[bullseye] - libsepol <no-dsa>` although DLA-3930-1 fixed it.
//  4. otherwise `[R] - P <no-dsa>|<ignored>|<postponed>|<end-of-life>|<unfixed>`: affected, no fix.
//  5. otherwise R inherits the unstable line `- P …` (the tracker's own rule: a release without a line
//     of its own has the sid state): `<unfixed>` → affected, no fix; `VERSION` → affected, no fix for R,
//     when the installed version is lower (the tracker's JSON calls such a release `open` with no
//     fixed_version: sid's fix is not in R); `<removed>`/`<not-affected>` → nothing.
// `unimportant` entries count like any other (Trivy and Grype report them at the lowest severity).
// Every binary package built from P gets the finding, compared by its own source version.
//
// The DSA/DLA lists only lend fixed versions to CVEs of the CVE list: a DSA/DLA line never adds a CVE
// the list lacks. The list is the authority on which CVEs touch which packages; it is an excerpt here
// (153 entries), so e.g. DLA-4595-1's eight other gnutls28 CVEs are deliberately not findings.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from './fixtures.ts';

const DEBIAN = join(SHARED, 'data/advisories/debian');

/** A package line of a CVE entry, as vuln-list-debian parses it. */
interface PackageLine {
  Type: string;
  Original: string;
  Package?: string;
  Release?: string;
  Kind?: string;
  Version?: string;
}

interface CveEntry {
  id: string;
  lines: PackageLine[];
}

/** An installed binary deb as the fixture manifest lists it. */
export interface InstalledDeb {
  name: string;
  version: string;
  source: string;
  sourceVersion: string;
}

export interface DebianFinding {
  id: string;
  package: string;
  version: string;
  fixed: string | null;
  /** The raw lines the verdict rests on, for a readable diff. */
  evidence: string;
}

const NOTHING_KINDS = new Set(['not-affected', 'removed', 'itp', 'undetermined']);
const OPEN_KINDS = new Set(['no-dsa', 'ignored', 'postponed', 'end-of-life', 'unfixed']);

let cveEntries: CveEntry[] | undefined;

function readCveList(): CveEntry[] {
  const dir = join(DEBIAN, 'cve-list/json');
  cveEntries ??= readdirSync(dir).filter((name) => name.endsWith('.json')).sort().map((name) => {
    const entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { Header: { ID: string }; Annotations: PackageLine[] };
    return { id: entry.Header.ID, lines: entry.Annotations.filter((line) => line.Type === 'package') };
  });
  return cveEntries;
}

/** `[release] - package version` fixes of the DSA and DLA lists, keyed `CVE release package`. */
let advisoryFixes: Map<string, { version: string; advisory: string }[]> | undefined;

function addFix(cves: readonly string[], release: string, pkg: string, version: string, advisory: string): void {
  if (version.startsWith('<')) return;
  for (const cve of cves) {
    const key = `${cve} ${release} ${pkg}`;
    const fixes = advisoryFixes!.get(key) ?? [];
    if (!fixes.some((fix) => fix.version === version && fix.advisory === advisory)) fixes.push({ version, advisory });
    advisoryFixes!.set(key, fixes);
  }
}

function readAdvisoryFixes(): Map<string, { version: string; advisory: string }[]> {
  if (advisoryFixes) return advisoryFixes;
  advisoryFixes = new Map();
  // The whole 2023 lists, in the tracker's text format: `[date] DSA-N-M pkg - …`, TAB `{CVE …}`, TAB `[rel] - pkg version`.
  for (const name of ['DSA-list', 'DLA-list']) {
    let advisory = '';
    let cves: string[] = [];
    for (const line of readFileSync(join(DEBIAN, 'security-tracker', name), 'utf8').split('\n')) {
      const header = /^\[[^\]]+\]\s+(D[SL]A-\S+)/.exec(line);
      if (header) [advisory, cves] = [header[1]!, []];
      else if (line.startsWith('\t{')) cves = line.trim().slice(1, -1).split(/\s+/).filter(Boolean);
      else {
        const fix = /^\t\[(\w+)\]\s+-\s+(\S+)\s+(\S+)/.exec(line);
        if (fix) addFix(cves, fix[1]!, fix[2]!, fix[3]!, advisory);
      }
    }
  }
  // The 16 newer advisories, in vuln-list-debian's JSON layout.
  const dir = join(DEBIAN, 'cve-list/dsa-dla-json');
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.json')).sort()) {
    const advisory = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { Header: { ID: string }; Annotations: (PackageLine & { Bugs?: string[] })[] };
    const cves = advisory.Annotations.find((line) => line.Type === 'xref')?.Bugs ?? [];
    for (const line of advisory.Annotations) {
      if (line.Type === 'package' && line.Kind === 'fixed' && line.Release && line.Package && line.Version) addFix(cves, line.Release, line.Package, line.Version, advisory.Header.ID);
    }
  }
  return advisoryFixes;
}

const lessThan = new Map<string, boolean>();

/** `dpkg --compare-versions a lt b` for every pair not yet known, in one shell: one spawn, not one per pair. */
function compareWithDpkg(pairs: readonly [string, string][]): void {
  const todo = [...new Set(pairs.map(([a, b]) => `${a}\t${b}`))].filter((pair) => !lessThan.has(pair));
  if (todo.length === 0) return;
  const script = 'while IFS="$(printf \'\\t\')" read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo 1; else echo 0; fi; done';
  const run = spawnSync('sh', ['-c', script], { input: `${todo.join('\n')}\n`, encoding: 'utf8' });
  const answers = run.stdout.split('\n').filter(Boolean);
  if (run.status !== 0 || answers.length !== todo.length) throw new Error(`dpkg --compare-versions failed: ${run.stderr}`);
  todo.forEach((pair, index) => lessThan.set(pair, answers[index] === '1'));
}

function debLess(a: string, b: string): boolean {
  const known = lessThan.get(`${a}\t${b}`);
  if (known === undefined) throw new Error(`not compared: ${a} < ${b}`);
  return known;
}

/** What one CVE entry says about source package P in release R, before the installed version is compared. */
type Verdict = { kind: 'none' } | { kind: 'fixed'; version: string; evidence: string } | { kind: 'open'; evidence: string } | { kind: 'open-below'; version: string; evidence: string };

function verdict(entry: CveEntry, pkg: string, release: string): Verdict {
  const own = entry.lines.filter((line) => line.Package === pkg);
  const releaseLine = own.find((line) => line.Release === release);
  const sidLine = own.find((line) => !line.Release);
  if (releaseLine && NOTHING_KINDS.has(releaseLine.Kind ?? '')) return { kind: 'none' };
  if (releaseLine?.Kind === 'fixed') return { kind: 'fixed', version: releaseLine.Version!, evidence: releaseLine.Original };
  const fixes = readAdvisoryFixes().get(`${entry.id} ${release} ${pkg}`);
  if (fixes?.length) {
    compareWithDpkg(fixes.flatMap((a) => fixes.map((b) => [a.version, b.version] as [string, string])));
    const lowest = fixes.reduce((low, fix) => (debLess(fix.version, low.version) ? fix : low));
    return { kind: 'fixed', version: lowest.version, evidence: `${lowest.advisory}: [${release}] - ${pkg} ${lowest.version}` };
  }
  if (releaseLine && OPEN_KINDS.has(releaseLine.Kind ?? '')) return { kind: 'open', evidence: releaseLine.Original };
  if (releaseLine) throw new Error(`${entry.id}: unknown kind in "${releaseLine.Original}"`);
  if (!sidLine || NOTHING_KINDS.has(sidLine.Kind ?? '')) return { kind: 'none' };
  if (sidLine.Kind === 'unfixed') return { kind: 'open', evidence: sidLine.Original };
  if (sidLine.Kind === 'fixed') return { kind: 'open-below', version: sidLine.Version!, evidence: sidLine.Original };
  throw new Error(`${entry.id}: unknown kind in "${sidLine.Original}"`);
}

/** The tracker's findings for the image's debs in release `codename`. */
export function debianFindings(codename: string, debs: readonly InstalledDeb[]): DebianFinding[] {
  const sources = new Set(debs.map((deb) => deb.source));
  const verdicts: { cve: string; source: string; verdict: Exclude<Verdict, { kind: 'none' }> }[] = [];
  for (const entry of readCveList()) {
    for (const source of new Set(entry.lines.map((line) => line.Package!))) {
      if (!sources.has(source)) continue;
      const found = verdict(entry, source, codename);
      if (found.kind !== 'none') verdicts.push({ cve: entry.id, source, verdict: found });
    }
  }
  compareWithDpkg(verdicts.flatMap(({ source, verdict: found }) => ('version' in found
    ? debs.filter((deb) => deb.source === source).map((deb) => [deb.sourceVersion, found.version] as [string, string]) : [])));
  const findings: DebianFinding[] = [];
  for (const { cve, source, verdict: found } of verdicts) {
    for (const deb of debs.filter((candidate) => candidate.source === source)) {
      const row = { id: cve, package: deb.name, version: deb.version, evidence: found.evidence };
      if (found.kind === 'open') findings.push({ ...row, fixed: null });
      else if (found.kind === 'fixed' && debLess(deb.sourceVersion, found.version)) findings.push({ ...row, fixed: found.version });
      else if (found.kind === 'open-below' && debLess(deb.sourceVersion, found.version)) findings.push({ ...row, fixed: null });
    }
  }
  return findings;
}
