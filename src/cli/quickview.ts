// `spyglass quickview IMAGE`: the image's C/H/M/L(/U) summary and its base image's, as `docker scout
// quickview` shows them. Without a base image catalog the base comes from the image's OCI annotations and
// is scanned when it can be found: in the same OCI layout by its digest, else in its registry. With a
// catalog the base is detected (provenance, annotations, layers), its counts are the catalog's when its
// digest is catalogued, and the refreshed and updated base images are shown with their changes.
import type { Command } from 'commander';
import { errorText } from '../core/errors.ts';
import type { Recommendation } from '../baseimage/model.ts';
import type { VulnerabilityReport } from '../core/finding.ts';
import type { Attestation } from '../image/model.ts';
import type { QuickviewInput, RecommendedRow } from '../report/quickview.ts';
import { addImageSelectionOptions, globalOptions, useColor, parseFormat, type CommandContext, type GlobalOptions } from './context.ts';
import { addSuppressionOptions, scanInput, type ScanFlags } from './cves.ts';
import { hasCatalog, withCountedCatalog } from './recommendations.ts';
import { evaluateScan, loadPolicies, scanForPolicies, type PolicyScan } from './policy.ts';
import type { Policy } from '../policy/model.ts';

const FORMATS = ['text', 'json'] as const;

interface QuickviewOptions extends ScanFlags {
  format: string;
  policyFile?: string;
}

/** Where the base image named by `digest` can be read from, given how the image itself was read. */
export function baseImageInput(input: string, base: NonNullable<VulnerabilityReport['baseImage']>): { input: string; ref?: string } {
  if ((input.startsWith('oci-dir://') || input.startsWith('oci-archive://')) && base.digest !== undefined) return { input, ref: base.digest };
  if (base.digest !== undefined) return { input: `registry://${base.name.replace(/@.*$/, '')}@${base.digest}` };
  return { input: `registry://${base.name}` };
}

type BaseRow = NonNullable<QuickviewInput['base']>;

/** The base image's row: scanned where baseImageInput finds it (a warning, and no counts, when it cannot be read). */
async function scanBase(input: string, base: VulnerabilityReport['baseImage'], options: ScanFlags, global: GlobalOptions, warn: (line: string) => void, shownAs?: string): Promise<BaseRow | undefined> {
  if (base === undefined) return undefined;
  const row = { name: shownAs ?? base.name, ...(base.digest ? { digest: base.digest } : {}) };
  const where = baseImageInput(input, base);
  try {
    const baseReport = await scanInput(where.input, { ...options, ref: where.ref }, global, () => {});
    const { countFindings } = await import('../report/counts.ts');
    return { ...row, counts: countFindings(baseReport.findings), packages: baseReport.packages.length };
  } catch (error) {
    warn(`base image ${base.name}: not scanned (${errorText(error)})`);
    return row;
  }
}

/**
 * With a base image catalog: the detected base (with its catalogued figures when its digest is in the
 * catalog, so it need not be pulled) and the recommendations; notes on what is missing become warnings.
 */
async function recommendedBases(report: VulnerabilityReport, attestations: readonly Attestation[], global: GlobalOptions, warn: (line: string) => void) {
  const { recommendForImage } = await import('../baseimage/image-recommendations.ts');
  const result = await withCountedCatalog(global, (catalog) => recommendForImage({ source: report.target, attestations }, catalog));
  for (const note of result.notes) warn(note);
  const detected = result.outcome.base;
  if (detected === undefined) return undefined;
  const digest = result.place?.digest ?? detected.ref.digest;
  const reference = { name: detected.ref.tag !== undefined ? `${detected.ref.repository}:${detected.ref.tag}` : detected.ref.repository, ...(digest ? { digest } : {}) };
  const catalogued: BaseRow | undefined = result.place?.record !== undefined && result.current.counts !== undefined
    ? { name: detected.name, ...(digest ? { digest } : {}), counts: result.current.counts, ...(result.current.packages !== undefined ? { packages: result.current.packages } : {}) }
    : undefined;
  return { detected, reference, catalogued, recommendations: result.recommendations };
}

/**
 * The quickview of a scanned image: its row, its base image's (from the base image catalog when the data
 * directory has one, else scanned where baseImageInput finds it), the refreshed and updated base images
 * with their changes against the base row, and, with `policies`, the policy status. What could not be
 * read is in `warnings` (the row then shows what is known); the scan's own warnings are not.
 */
export async function buildQuickview(
  input: string, scan: { report: VulnerabilityReport; attestations: readonly Attestation[]; facts?: PolicyScan['facts'] },
  options: ScanFlags, global: GlobalOptions, extra: { policies?: readonly Policy[] } = {},
): Promise<QuickviewInput> {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);
  const { report, attestations } = scan;
  // The base is read from its own image, never from an SBOM given for the image (`cves --env`).
  const baseOptions: ScanFlags = { ...options, vexLocation: options.vexLocation ?? [] };
  delete baseOptions.storedSbom;
  const catalogued = await hasCatalog(global);
  const recommended = catalogued ? await recommendedBases(report, attestations, global, warn) : undefined;
  const base = recommended === undefined
    ? await scanBase(input, report.baseImage, baseOptions, global, warn)
    : recommended.catalogued ?? await scanBase(input, recommended.reference, baseOptions, global, warn, recommended.detected.name);
  const results = extra.policies === undefined ? undefined : (await evaluateScan({ report, attestations: [...attestations], facts: scan.facts ?? {} }, extra.policies, global)).results;
  const { countFindings } = await import('../report/quickview.ts');
  const { countsDelta } = await import('../baseimage/recommend.ts');
  const row = (recommendation: Recommendation | undefined): RecommendedRow | undefined => recommendation === undefined ? undefined : {
    name: recommendation.name,
    ...(recommendation.ref.digest ? { digest: recommendation.ref.digest } : {}),
    ...(recommendation.counts ? { counts: recommendation.counts } : {}),
    // Against the counts the base row shows, so the change line is the difference of the two rows.
    ...(recommendation.counts && base?.counts ? { delta: countsDelta(recommendation.counts, base.counts) } : {}),
  };
  const refreshed = row(recommended?.recommendations.find((r) => r.kind === 'refreshed'));
  const updated = row(recommended?.recommendations.find((r) => r.kind === 'updated'));
  return {
    target: {
      name: report.target.names[0] ?? input,
      ...(report.target.manifestDigest ?? report.target.configDigest ? { digest: report.target.manifestDigest ?? report.target.configDigest } : {}),
      ...(report.target.platform ? { platform: report.target.platform } : {}),
      counts: countFindings(report.findings),
      packages: report.packages.length,
    },
    ...(base !== undefined ? { base } : {}),
    ...(refreshed ? { refreshed } : {}),
    ...(updated ? { updated } : {}),
    ...(results !== undefined ? {
      policy: {
        met: results.filter((result) => result.status === 'met').length,
        total: results.length,
        policies: results.map((result) => ({ name: result.name, status: result.status })),
      },
    } : {}),
    database: report.database,
    warnings,
  };
}

export function registerQuickview(program: Command, context: CommandContext): void {
  const command = program
    .command('quickview')
    .description('summarise the vulnerabilities of an image and of its base image')
    .addHelpText('after', `
Examples:
  $ spyglass quickview alpine:3.20
  $ spyglass quickview archive://app.tar --format json`)
    .argument('<image>', 'image reference (registry://, archive://, oci-dir://, oci-archive://, fs://, local://, a bare name) or sbom://FILE')
    .option('--format <format>', FORMATS.join(', '), 'text')
    .option('--policy-file <file>', 'policies for the policy status line (docs/policy.md); default: the default policies');
  addSuppressionOptions(command);
  addImageSelectionOptions(command).action(async (input: string, options: QuickviewOptions) => {
    const format = parseFormat(options.format, FORMATS);
    const global = globalOptions(program);
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    const { policies } = await loadPolicies(options.policyFile);
    const scanOptions = { ...options, vexLocation: options.vexLocation ?? [] };
    const scan = await scanForPolicies(input, scanOptions, global, warn);
    const built = await buildQuickview(input, scan, options, global, { policies });
    // The scan's warnings first, then what building the rows found.
    const quickview = { ...built, warnings: [...warnings, ...built.warnings] };
    const { renderQuickview, renderQuickviewJson } = await import('../report/quickview.ts');
    context.stdout.write(format === 'json' ? renderQuickviewJson(quickview) : renderQuickview(quickview, { color: useColor(context.stdout, global.color) }));
    // The text shows warnings itself; JSON carries them in `warnings` and on standard error.
    if (!global.quiet && format === 'json') for (const line of quickview.warnings) context.stderr.write(`warning: ${line}\n`);
  });
}
