// `spyglass policy IMAGE`: evaluates the image against the policies of a policy file (docs/policy.md),
// or Docker Scout's default policies, and shows per policy met / failed / unknown with what fails.
// The image is scanned as `cves` scans it (scanInput); its config user and attestations are read while
// it is open, and its base image is detected with the base image catalog when the data directory has one.
import type { Command } from 'commander';
import { ExitStatus } from '../core/errors.ts';
import type { VulnerabilityReport } from '../core/finding.ts';
import type { Attestation } from '../image/model.ts';
import type { BaseFacts, Policy, PolicyInput, PolicyResult } from '../policy/model.ts';
import { addImageSelectionOptions, globalOptions, parseFormat, useColor, type CommandContext, type GlobalOptions } from './context.ts';
import { addSuppressionOptions, scanInput, type ScanFlags } from './cves.ts';

interface PolicyOptions extends ScanFlags {
  policyFile?: string;
  onlyPolicy?: string;
  format: string;
  exitCode?: boolean;
}

/** What one scan gives the policies: the report, the provenance (buffered, for base detection), the image facts. */
export interface PolicyScan {
  report: VulnerabilityReport;
  attestations: Attestation[];
  facts: Pick<PolicyInput, 'config' | 'attestations'>;
}

/** The policies of `--policy-file` (checked whole before anything is read), or the defaults. */
export async function loadPolicies(policyFile: string | undefined): Promise<{ policies: Policy[]; source: string }> {
  const { DEFAULT_POLICIES, loadPolicyFile } = await import('../policy/file.ts');
  if (policyFile === undefined) return { policies: [...DEFAULT_POLICIES], source: 'default' };
  return { policies: await loadPolicyFile(policyFile), source: policyFile };
}

/** Scans `input` as `cves` does, keeping what policies need of the image while it is open. */
export async function scanForPolicies(input: string, options: ScanFlags, global: GlobalOptions, warn: (line: string) => void): Promise<PolicyScan> {
  const [{ bufferProvenance }, { imageFacts }] = await Promise.all([import('../baseimage/provenance.ts'), import('../policy/facts.ts')]);
  let attestations: Attestation[] = [];
  let facts: PolicyScan['facts'] = {};
  const report = await scanInput(input, options, global, warn, async (image) => {
    facts = await imageFacts(image);
    attestations = await bufferProvenance(image.attestations);
  });
  return { report, attestations, facts };
}

/** The image's base image facts, with the data directory's base image catalog when there is one. */
export async function baseFactsOf(scan: PolicyScan, global: GlobalOptions): Promise<BaseFacts> {
  const [{ SqliteBaseImageCatalog }, { baseFacts }] = await Promise.all([import('../baseimage/catalog.ts'), import('../policy/facts.ts')]);
  const catalog = SqliteBaseImageCatalog.openReadOnly(global.dataDir);
  try {
    return await baseFacts(scan.report, scan.attestations, catalog);
  } finally {
    catalog?.close();
  }
}

/** Evaluates `policies` on a scan (now, in UTC days). */
export async function evaluateScan(scan: PolicyScan, policies: readonly Policy[], global: GlobalOptions): Promise<{ results: PolicyResult[]; base: BaseFacts }> {
  const { evaluatePolicies } = await import('../policy/evaluate.ts');
  const base = await baseFactsOf(scan, global);
  return { results: evaluatePolicies(policies, { report: scan.report, ...scan.facts, base, now: new Date() }), base };
}

export function registerPolicy(program: Command, context: CommandContext): void {
  const command = program
    .command('policy')
    .description('evaluate an image against policies (a policy file, or the default policies)')
    .addHelpText('after', `
Examples:
  $ spyglass policy alpine:3.20
  $ spyglass policy archive://app.tar --policy-file policies.yaml --exit-code
  $ spyglass policy ghcr.io/org/app:1.2 --format sarif > policy.sarif`)
    .argument('<image>', 'image reference (registry://, archive://, oci-dir://, oci-archive://, fs://, local://, a bare name) or sbom://FILE')
    .option('--policy-file <file>', 'YAML policy file (docs/policy.md); default: the default policies')
    .option('--only-policy <names>', 'comma-separated policy names (or types) to evaluate')
    .option('--format <format>', 'text, json, markdown, sarif', 'text')
    .option('-e, --exit-code', 'exit 2 when a policy fails');
  addSuppressionOptions(command);
  addImageSelectionOptions(command).action(async (input: string, options: PolicyOptions) => {
    const [{ POLICY_FORMATS, renderPolicyReport }, { selectPolicies }] = await Promise.all([import('../policy/render.ts'), import('../policy/file.ts')]);
    const format = parseFormat(options.format, POLICY_FORMATS);
    const global = globalOptions(program);
    // The policy file is checked before the image is read: a bad file evaluates nothing.
    const loaded = await loadPolicies(options.policyFile);
    const policies = selectPolicies(loaded.policies, options.onlyPolicy);
    const warnings: string[] = [];
    const scan = await scanForPolicies(input, { ...options, vexLocation: options.vexLocation ?? [] }, global, (line) => warnings.push(line));
    const { results, base } = await evaluateScan(scan, policies, global);
    const report = scan.report;
    const digest = report.target.manifestDigest ?? report.target.configDigest;
    const text = renderPolicyReport({
      target: { name: report.target.names[0] ?? input, ...(digest ? { digest } : {}), ...(report.target.platform ? { platform: report.target.platform } : {}) },
      tool: report.tool,
      createdAt: report.createdAt,
      ...(base.known ? { baseImage: { name: base.name, ...(base.digest !== undefined ? { digest: base.digest } : {}) } } : {}),
      policySource: loaded.source,
      results,
      database: { builtAt: report.database.builtAt, ageHours: report.database.ageHours },
      warnings,
    }, format, { color: format === 'text' && useColor(context.stdout, global.color) });
    context.stdout.write(text);
    if (!global.quiet && format !== 'text') for (const line of warnings) context.stderr.write(`warning: ${line}\n`);
    if (options.exitCode === true && results.some((result) => result.status === 'failed')) throw new ExitStatus(2);
  });
}
