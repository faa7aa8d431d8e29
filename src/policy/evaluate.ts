// Evaluates policies against one image's facts (model.ts PolicyInput). Pure: the CLI gathers the facts
// (scan, config, attestations, base detection, catalog) and this decides, naming what fails.
import type { Finding, SeverityLevel } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import { displayName, normalizedRepository } from '../baseimage/recommend.ts';
import { judgeLicenses } from './license.ts';
import type {
  ApprovedBasePolicy, CopyleftPolicy, CustomVulnerabilityPolicy, FixableCriticalHighPolicy, HighProfilePolicy, NonRootUserPolicy,
  OutdatedBasePolicy, Policy, PolicyInput, PolicyResult, PolicyStatus, SupplyChainPolicy, Violation,
} from './model.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

type Outcome = Pick<PolicyResult, 'status' | 'summary' | 'violations'>;

function parametersOf(policy: Policy): Record<string, unknown> {
  const { type: _type, name: _name, ...parameters } = policy;
  return parameters;
}

export function evaluatePolicies(policies: readonly Policy[], input: PolicyInput): PolicyResult[] {
  return policies.map((policy) => {
    const outcome = evaluatePolicy(policy, input);
    return { name: policy.name, type: policy.type, parameters: parametersOf(policy), ...outcome, violations: disambiguate(outcome.violations, input) };
  });
}

/** The same package found at two paths (a Go binary copied twice) gives two equal lines: each gets its path. */
function disambiguate(violations: Violation[], input: PolicyInput): Violation[] {
  const seen = new Map<string, number>();
  for (const violation of violations) seen.set(violation.text, (seen.get(violation.text) ?? 0) + 1);
  if ([...seen.values()].every((count) => count === 1)) return violations;
  const paths = new Map(input.report.packages.map((pkg) => [pkg.id, pkg.locations[0]?.path]));
  return violations.map((violation) => {
    const path = violation.packageId !== undefined ? paths.get(violation.packageId) : undefined;
    return seen.get(violation.text)! > 1 && path !== undefined ? { ...violation, text: `${violation.text} [${path}]` } : violation;
  });
}

function evaluatePolicy(policy: Policy, input: PolicyInput): Outcome {
  switch (policy.type) {
    case 'fixable-critical-high': return fixableCriticalHigh(policy, input);
    case 'high-profile': return highProfile(policy, input);
    case 'copyleft': return copyleft(policy, input);
    case 'non-root-user': return nonRootUser(policy, input);
    case 'supply-chain': return supplyChain(policy, input);
    case 'outdated-base': return outdatedBase(policy, input);
    case 'approved-base': return approvedBase(policy, input);
    case 'custom-vulnerability': return customVulnerability(policy, input);
  }
}

function verdict(violations: Violation[], met: string, failed: (count: number) => string): Outcome {
  const status: PolicyStatus = violations.length === 0 ? 'met' : 'failed';
  return { status, summary: violations.length === 0 ? met : failed(violations.length), violations };
}

const plural = (count: number, word: string) => `${count} ${count === 1 ? word : word.replace(/([^aeiou])y$/, '$1ie')}${count === 1 ? '' : 's'}`;

function activeFindings(input: PolicyInput): Finding[] {
  return input.report.findings.filter((finding) => finding.suppressed === undefined);
}

function packagesById(input: PolicyInput): Map<string, Package> {
  return new Map(input.report.packages.map((pkg) => [pkg.id, pkg]));
}

function levelOf(finding: Finding): SeverityLevel {
  return finding.rating?.level ?? 'unspecified';
}

function findingViolation(finding: Finding, pkg: Package | undefined, extra = ''): Violation {
  const level = levelOf(finding);
  const fix = finding.fixedVersions[0] !== undefined ? `, fixed in ${finding.fixedVersions[0]}` : ', not fixed';
  return {
    kind: 'vulnerability',
    text: `${pkg ? `${pkg.name} ${pkg.version}` : finding.packageId}: ${finding.id} (${level})${fix}${extra}`,
    packageId: finding.packageId,
    ...(pkg ? { purl: pkg.purl } : {}),
    vulnerability: finding.id,
    ...(pkg?.locations[0] ? { layerDiffId: pkg.locations[0].layerDiffId } : {}),
  };
}

/**
 * How many days old the fix is: from the published (else modified) date of the source record whose
 * match gives the fixed version; 0 when that record has no date (or a placeholder such as 0001-01-01).
 */
export function fixAgeDays(finding: Finding, now: Date): number {
  const fixing = finding.matches.find((match) => match.fixedVersions.length > 0) ?? finding.matches[0];
  if (fixing === undefined) return 0;
  const view = finding.sources.find((source) => source.source === fixing.source && source.id === fixing.advisoryId)
    ?? finding.sources.find((source) => source.id === fixing.advisoryId);
  // Some feeds write Go's zero time (0001-01-01) for a date they do not have: that is no date.
  const time = [view?.published, view?.modified].map((date) => (date === undefined ? Number.NaN : Date.parse(date))).find((value) => value >= EARLIEST_DATE);
  if (time === undefined) return 0;
  return Math.max(0, Math.floor((now.getTime() - time) / DAY_MS));
}

/** Dates before this are placeholders, not publication dates. */
const EARLIEST_DATE = Date.parse('1990-01-01T00:00:00Z');

function fixableCriticalHigh(policy: FixableCriticalHighPolicy, input: PolicyInput): Outcome {
  const packages = packagesById(input);
  const severities = new Set(policy.severities);
  const fixable = activeFindings(input).filter((finding) => finding.status === 'fixed' && finding.fixedVersions.length > 0
    && severities.has(levelOf(finding)) && fixAgeDays(finding, input.now) >= policy.fixAgeDays);
  let considered = fixable;
  if (policy.ignoreBase && fixable.length > 0) {
    const base = input.base;
    if (!base.known) return { status: 'unknown', summary: `ignoreBase: the base image is unknown (${base.reason}), so which of ${plural(fixable.length, 'fixable vulnerability')} are the base's cannot be told`, violations: [] };
    if (base.packageIds === undefined) return { status: 'unknown', summary: `ignoreBase: which layers are the base image ${base.name}'s is unknown (add it to the base image catalog), so ${plural(fixable.length, 'fixable vulnerability')} cannot be attributed`, violations: [] };
    const fromBase = new Set(base.packageIds);
    considered = fixable.filter((finding) => !fromBase.has(finding.packageId));
  }
  const violations = considered.map((finding) => findingViolation(finding, packages.get(finding.packageId)));
  const what = `${policy.severities.join('/')} vulnerabilities with a fix${policy.fixAgeDays > 0 ? ` at least ${policy.fixAgeDays} days old` : ''}${policy.ignoreBase ? ' outside the base image' : ''}`;
  return verdict(violations, `no ${what}`, (count) => `${plural(count, 'fixable vulnerability')}: ${what}`);
}

function highProfile(policy: HighProfilePolicy, input: PolicyInput): Outcome {
  const packages = packagesById(input);
  const listed = new Set(policy.ids.map((id) => id.toUpperCase()));
  const violations: Violation[] = [];
  for (const finding of activeFindings(input)) {
    const inList = [finding.id, ...finding.aliases].find((id) => listed.has(id.toUpperCase()));
    const inKev = policy.kev && finding.kev !== undefined;
    if (!inKev && inList === undefined) continue;
    const why = [inKev ? `in CISA KEV since ${finding.kev!.dateAdded}` : '', inList !== undefined ? `${inList} is on the organization's list` : ''].filter(Boolean).join('; ');
    violations.push(findingViolation(finding, packages.get(finding.packageId), ` — ${why}`));
  }
  const sources = [policy.kev ? 'CISA KEV' : '', policy.ids.length > 0 ? `the organization's list (${plural(policy.ids.length, 'id')})` : ''].filter(Boolean).join(' or ');
  return verdict(violations, `no vulnerability in ${sources}`, (count) => `${plural(count, 'high-profile vulnerability')} (${sources})`);
}

function copyleft(policy: CopyleftPolicy, input: PolicyInput): Outcome {
  const violations: Violation[] = [];
  for (const pkg of input.report.packages) {
    const { failing } = judgeLicenses(pkg.licenses, policy.licenses);
    if (failing.length === 0) continue;
    violations.push({
      kind: 'package', text: `${pkg.name} ${pkg.version} (${pkg.type}): ${failing.join(', ')}`, packageId: pkg.id, purl: pkg.purl,
      ...(pkg.locations[0] ? { layerDiffId: pkg.locations[0].layerDiffId } : {}),
    });
  }
  const listed = policy.licenses.join(', ');
  return verdict(violations, `no package requires ${listed}`, (count) => `${plural(count, 'package')} require ${listed}`);
}

/** Whether a config `User` (`name`, `uid`, `user:group`) is root. */
export function isRootUser(user: string): boolean {
  const name = user.split(':')[0]!.trim();
  return name === '' || name === 'root' || name === '0';
}

function nonRootUser(_policy: NonRootUserPolicy, input: PolicyInput): Outcome {
  if (input.config === undefined) return { status: 'unknown', summary: 'no image config (an SBOM input): the default user is unknown', violations: [] };
  const user = input.config.user?.trim() ?? '';
  if (user === '') return { status: 'failed', summary: 'the image sets no default user, so it runs as root', violations: [{ kind: 'setting', text: 'config User: not set (root)' }] };
  if (isRootUser(user)) return { status: 'failed', summary: `the default user ${user} is root`, violations: [{ kind: 'setting', text: `config User: ${user}` }] };
  return { status: 'met', summary: `runs as ${user}`, violations: [] };
}

function supplyChain(policy: SupplyChainPolicy, input: PolicyInput): Outcome {
  const attestations = input.attestations;
  if (attestations === undefined) return { status: 'unknown', summary: 'no image (an SBOM input): its attestations are unknown', violations: [] };
  const violations: Violation[] = [];
  if (policy.sbom && !attestations.sbom) violations.push({ kind: 'attestation', text: 'no SBOM attestation' });
  if (policy.provenance) {
    if (attestations.provenance.length === 0) violations.push({ kind: 'attestation', text: 'no provenance attestation' });
    else if (policy.provenanceMode === 'max' && !attestations.provenance.some((provenance) => provenance.mode === 'max')) {
      violations.push({ kind: 'attestation', text: `provenance attestation ${attestations.provenance[0]!.manifestDigest} is mode=min (no build definition); mode=max is required` });
    }
  }
  const wanted = [policy.sbom ? 'an SBOM attestation' : '', policy.provenance ? `a provenance attestation${policy.provenanceMode === 'max' ? ' (mode=max)' : ''}` : ''].filter(Boolean).join(' and ');
  return verdict(violations, `has ${wanted}`, () => `missing: ${violations.map((violation) => violation.text.replace(/^no /, '')).join(', ')}`);
}

function outdatedBase(policy: OutdatedBasePolicy, input: PolicyInput): Outcome {
  const base = input.base;
  if (!base.known) return { status: 'unknown', summary: `the base image is unknown: ${base.reason}`, violations: [] };
  if (base.catalog === undefined) return { status: 'unknown', summary: base.catalogNote ?? `${base.name} is not in the base image catalog`, violations: [] };
  const place = base.catalog;
  const tagName = displayName(place.repository, place.tag);
  if (place.digest === undefined) return { status: 'unknown', summary: `the digest of ${base.name} is unknown, so whether ${tagName} has moved cannot be told`, violations: [] };
  const refreshed = place.refreshed;
  if (refreshed === undefined) return { status: 'met', summary: `${base.name} is the newest digest of ${tagName} in the catalog`, violations: [] };
  const since = refreshed.created ?? refreshed.indexedAt;
  const days = Math.max(0, Math.floor((input.now.getTime() - Date.parse(since)) / DAY_MS));
  const text = `${tagName}: the image uses ${place.digest}, the tag now points at ${refreshed.digest} (since ${since.slice(0, 10)}, ${plural(days, 'day')})`;
  if (policy.maxAgeDays !== undefined && days < policy.maxAgeDays) {
    return { status: 'met', summary: `${tagName} moved ${plural(days, 'day')} ago, within the ${policy.maxAgeDays} days allowed`, violations: [] };
  }
  return { status: 'failed', summary: `the base image is outdated: ${tagName} has a newer digest`, violations: [{ kind: 'base-image', text }] };
}

/** A pattern of approved-base: `/regex/` or a glob (`*` any run of characters, `?` one character). */
export function basePatternExpression(pattern: string): RegExp {
  if (pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/')) return new RegExp(pattern.slice(1, -1));
  const body = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

/** The names a base answers to: `docker.io/library/debian:bullseye-slim`, `debian:bullseye-slim`, and each repository alone. */
function baseNames(repository: string, tag: string | undefined): string[] {
  const full = normalizedRepository(repository);
  const familiar = displayName(full, 'x').replace(/:x$/, '');
  const repositories = [...new Set([full, familiar, repository])];
  return [...repositories.flatMap((name) => (tag !== undefined ? [`${name}:${tag}`] : [])), ...repositories];
}

function approvedBase(policy: ApprovedBasePolicy, input: PolicyInput): Outcome {
  const base = input.base;
  if (!base.known) return { status: 'unknown', summary: `the base image is unknown: ${base.reason}`, violations: [] };
  const names = baseNames(base.repository, base.tag);
  for (const pattern of policy.patterns) {
    const expression = basePatternExpression(pattern);
    // A pattern with a tag part is compared with the names with a tag; one without, with the repository names too.
    const matched = names.find((name) => expression.test(name));
    if (matched !== undefined) return { status: 'met', summary: `${base.name} is approved (${pattern} matches ${matched})`, violations: [] };
  }
  return {
    status: 'failed', summary: `${base.name} matches no approved pattern`,
    violations: [{ kind: 'base-image', text: `${base.name} (by ${base.method}): none of ${policy.patterns.join(', ')} matches` }],
  };
}

function customVulnerability(policy: CustomVulnerabilityPolicy, input: PolicyInput): Outcome {
  const packages = packagesById(input);
  const severities = policy.severities === undefined ? undefined : new Set(policy.severities);
  const types = policy.packageTypes === undefined ? undefined : new Set<string>(policy.packageTypes);
  const violations = activeFindings(input).filter((finding) => {
    if (severities !== undefined && !severities.has(levelOf(finding))) return false;
    if (types !== undefined && !types.has(packages.get(finding.packageId)?.type ?? '')) return false;
    if (policy.fixStatus !== undefined && policy.fixStatus !== 'any' && finding.status !== policy.fixStatus) return false;
    if (policy.epssScore !== undefined && (finding.epss === undefined || finding.epss.score < policy.epssScore)) return false;
    if (policy.epssPercentile !== undefined && (finding.epss === undefined || finding.epss.percentile < policy.epssPercentile)) return false;
    if (policy.kev === true && finding.kev === undefined) return false;
    return true;
  }).map((finding) => findingViolation(finding, packages.get(finding.packageId), finding.epss !== undefined && (policy.epssScore !== undefined || policy.epssPercentile !== undefined)
    ? ` — EPSS ${finding.epss.score} (percentile ${finding.epss.percentile})` : ''));
  const criteria = describeCustom(policy);
  return verdict(violations, `no vulnerability with ${criteria}`, (count) => `${plural(count, 'vulnerability')} with ${criteria}`);
}

function describeCustom(policy: CustomVulnerabilityPolicy): string {
  const parts = [
    policy.severities ? `severity ${policy.severities.join('/')}` : '',
    policy.packageTypes ? `package type ${policy.packageTypes.join('/')}` : '',
    policy.fixStatus && policy.fixStatus !== 'any' ? `fix status ${policy.fixStatus}` : '',
    policy.epssScore !== undefined ? `EPSS score ≥ ${policy.epssScore}` : '',
    policy.epssPercentile !== undefined ? `EPSS percentile ≥ ${policy.epssPercentile}` : '',
    policy.kev === true ? 'a CISA KEV entry' : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'any criteria (every vulnerability)';
}
