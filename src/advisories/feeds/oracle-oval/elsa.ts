// One ELSA definition of Oracle's OVAL (linux.oracle.com/security/oval/): `class="patch"`, metadata with
// the ELSA id (`<reference source="elsa">`), the CVEs (`<reference source="CVE">`), `<advisory><severity>`
// and `<issued date>`, and criteria whose comments say what the tests check, as Grype's vunnel reads them:
//   "Oracle Linux 8 is installed"                 → namespace oracle:8
//   "Oracle Linux arch is aarch64"                → the branch holds one architecture's fixes
//   "Module nodejs:18 is enabled"                 → the branch is about one modularity stream
//   "openssl is earlier than 1:1.1.1k-12.el8_9"   → a fixed row for openssl
//   "openssl is signed with the Oracle Linux 8 key", "openssl is ksplice-based" → qualifiers of that row
// Decisions: one advisory per CVE of each ELSA, aliased to the ELSA id, as the matcher reports a finding per
// vulnerability with its errata as aliases (an ELSA without CVEs stays one advisory under its id). Ksplice
// userspace builds ("is ksplice-based", `.ksplice` releases) replace the ordinary package only on systems
// running Ksplice; the matcher cannot tell them apart, so those rows are left out. Where architectures are
// fixed at different releases, the row takes the highest fix and its reason names each architecture's.
import type { Advisory, AffectedPackage, RecordSink } from '../../model.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';
import { childNamed, childrenNamed, localName, type XmlElement } from '../mariner-oval/xml.ts';

const CVE = /^CVE-\d{4}-\d{4,}$/;
const ELSA = /^ELSA-\d{4}-\d+$/;
const INSTALLED = /^Oracle Linux (\d+) is installed$/;
const ARCH = /^Oracle Linux arch is (\S+)$/;
const MODULE = /^Module (\S+) is enabled$/;
const EARLIER = /^(\S+) is earlier than (\S+)$/;
const SIGNED = /^\S+ is signed with the Oracle Linux \d+ key$/;
const KSPLICE = /^(\S+) is ksplice-based$/;

interface Context {
  release?: string;
  arch?: string;
  module?: string;
}

interface Candidate extends Context {
  name: string;
  evr: string;
  ksplice: boolean;
}

type Read<T> = { value: T } | { problem: string };

/** `0:1.2-3` → `1.2-3`: epoch 0 is rpm's default, and installed versions are shown without it. */
const displayEvr = (evr: string): string => (evr.startsWith('0:') ? evr.slice(2) : evr);

function collect(criteria: XmlElement, outer: Context, found: Candidate[]): string | undefined {
  if (criteria.attributes.negate === 'true') return 'negated criteria are not supported';
  const context: Context = { ...outer };
  const earlier: { name: string; evr: string }[] = [];
  const ksplice = new Set<string>();
  const nested: XmlElement[] = [];
  for (const child of criteria.children) {
    const kind = localName(child.name);
    if (kind === 'criteria') {
      nested.push(child);
      continue;
    }
    if (kind !== 'criterion') return `unexpected <${child.name}> in criteria`;
    if (child.attributes.negate === 'true') return 'a negated criterion is not supported';
    const comment = (child.attributes.comment ?? '').trim();
    let match: RegExpExecArray | null;
    if ((match = INSTALLED.exec(comment))) context.release = match[1];
    else if ((match = ARCH.exec(comment))) context.arch = match[1];
    else if ((match = MODULE.exec(comment))) context.module = match[1];
    else if ((match = EARLIER.exec(comment))) earlier.push({ name: match[1]!, evr: match[2]! });
    else if ((match = KSPLICE.exec(comment))) ksplice.add(match[1]!);
    else if (!SIGNED.test(comment)) return `unknown criterion ${JSON.stringify(comment)}`;
  }
  const operator = criteria.attributes.operator ?? 'AND';
  if (operator !== 'AND' && operator !== 'OR') return `criteria operator ${JSON.stringify(operator)} is not supported`;
  const narrows = context.release !== outer.release || context.arch !== outer.arch || context.module !== outer.module;
  if (operator === 'OR' && narrows) return 'an "is installed", "arch is" or "Module" criterion under OR';
  if (operator === 'AND' && earlier.length > 1) return `one AND of ${earlier.length} "is earlier than" criteria`;
  for (const { name, evr } of earlier) {
    if (!rpm.valid(evr)) return `${name}: invalid rpm EVR ${JSON.stringify(evr)}`;
    found.push({ ...context, name, evr: displayEvr(evr), ksplice: ksplice.has(name) || /\.ksplice\d*\./.test(evr) });
  }
  for (const child of nested) {
    const problem = collect(child, context, found);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function rowsOf(candidates: Candidate[]): Read<AffectedPackage[]> {
  const rows = new Map<string, { candidate: Candidate; byArch: Map<string, string> }>();
  for (const candidate of candidates) {
    if (candidate.release === undefined) return { problem: `${candidate.name}: no "Oracle Linux N is installed" criterion above it` };
    const key = `${candidate.release}\0${candidate.module ?? ''}\0${candidate.name}`;
    const row = rows.get(key) ?? { candidate, byArch: new Map<string, string>() };
    rows.set(key, row);
    if (rpm.compare(candidate.evr, row.candidate.evr) > 0) row.candidate = candidate;
    if (candidate.arch !== undefined) row.byArch.set(candidate.arch, candidate.evr);
  }
  return {
    value: [...rows.values()].map(({ candidate, byArch }) => {
      const fixed = candidate.evr;
      const differ = new Set(byArch.values()).size > 1;
      return {
        namespace: `oracle:${candidate.release}`,
        packageName: candidate.name,
        status: 'fixed',
        ...(differ ? { statusReason: `fixed per architecture: ${[...byArch].sort().map(([arch, evr]) => `${arch} ${evr}`).join(', ')}` } : {}),
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
        fixedVersions: [fixed],
        ...(candidate.module !== undefined ? { module: candidate.module } : {}),
      };
    }),
  };
}

/** The advisory of one definition, keyed by its ELSA id with its CVEs as aliases, or why it was left out. */
export function readElsa(definition: XmlElement): Read<Advisory> {
  if (localName(definition.name) !== 'definition') return { problem: `<${definition.name}> is not a definition` };
  if (definition.attributes.class !== 'patch') return { problem: `definition class ${JSON.stringify(definition.attributes.class)} is not patch` };
  const metadata = childNamed(definition, 'metadata');
  if (!metadata) return { problem: 'definition without metadata' };
  const references = childrenNamed(metadata, 'reference');
  const elsa = references.filter((ref) => ref.attributes.source === 'elsa').map((ref) => ref.attributes.ref_id ?? '');
  const id = elsa[0];
  if (elsa.length !== 1 || id === undefined || !ELSA.test(id)) return { problem: `not one ELSA reference (${JSON.stringify(elsa)})` };
  const cves = [...new Set(references.filter((ref) => ref.attributes.source === 'CVE').map((ref) => ref.attributes.ref_id ?? ''))];
  const bad = cves.find((cve) => !CVE.test(cve));
  if (bad !== undefined) return { problem: `malformed CVE id ${JSON.stringify(bad)}` };
  const criteria = childrenNamed(definition, 'criteria');
  if (criteria.length !== 1) return { problem: `${criteria.length} top-level criteria (one expected)` };
  const candidates: Candidate[] = [];
  const problem = collect(criteria[0]!, {}, candidates);
  if (problem !== undefined) return { problem };
  const ordinary = candidates.filter((candidate) => !candidate.ksplice);
  if (ordinary.length === 0) return { problem: candidates.length > 0 ? 'Ksplice userspace packages only' : 'no "is earlier than" criterion' };
  const rows = rowsOf(ordinary);
  if ('problem' in rows) return rows;
  const advisory = childNamed(metadata, 'advisory');
  const rating = advisory ? childNamed(advisory, 'severity')?.text.trim() : undefined;
  const result: Advisory = {
    source: 'oracle-oval',
    id,
    aliases: cves,
    // Oracle writes CRITICAL, IMPORTANT, MODERATE, LOW (kept as written); N/A rates nothing.
    severity: rating === undefined || rating === '' || rating === 'N/A' ? [] : [{ by: 'oracle', rating }],
    references: references.map((ref) => ref.attributes.ref_url ?? '').filter((url) => url !== ''),
    affected: rows.value,
  };
  const title = childNamed(metadata, 'title')?.text.trim();
  const description = childNamed(metadata, 'description')?.text.trim();
  const issued = advisory ? childNamed(advisory, 'issued')?.attributes.date : undefined;
  if (title) result.summary = title;
  if (description) result.details = description;
  if (issued) result.published = issued;
  return { value: result };
}

/** The definition's advisories, one per CVE, into the sink; or why it was left out. */
export function readElsaInto(definition: XmlElement, where: string, sink: RecordSink): void {
  const read = readElsa(definition);
  if ('problem' in read) {
    sink.skipped({ where, reason: read.problem });
    return;
  }
  const elsa = read.value;
  if (elsa.aliases.length === 0) sink.advisory(elsa);
  for (const cve of elsa.aliases) sink.advisory({ ...elsa, id: cve, aliases: [elsa.id], affected: elsa.affected.map((row) => ({ ...row })) });
}
