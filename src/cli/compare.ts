// `spyglass compare IMAGE --to OTHER`: both images scanned as `cves` scans them (any input, sbom://
// too), compared (baseimage/compare.ts) and printed (report/compare.ts). `--exit-on vulnerability`
// exits 2 when IMAGE has vulnerabilities OTHER does not.
import type { Command } from 'commander';
import { ExitStatus, SpyglassError } from '../core/errors.ts';
import type { VulnerabilityReport } from '../core/finding.ts';
import { addImageSelectionOptions, globalOptions, useColor, parseFormat, type CommandContext } from './context.ts';
import { DEFAULT_IGNORE_FILE, environmentImageSbom, type ScanFlags } from './cves.ts';
import { addClientOptions, type ClientOptions } from './api-client.ts';
import { evaluateScan, loadPolicies, scanForPolicies } from './policy.ts';
import { writeOutput } from './sbom.ts';
import { isSbomInput } from '../sbom/input-prefix.ts';

// The same list as report/compare.ts COMPARE_FORMATS, here so that --help does not load the renderers.
const FORMATS = ['text', 'markdown', 'json'] as const;
const EXIT_CONDITIONS = ['vulnerability'] as const;

interface CompareOptions extends ScanFlags, ClientOptions {
  to?: string;
  toEnv?: string;
  toRef?: string;
  toPlatform?: string;
  format: string;
  output?: string;
  ignoreUnchanged?: boolean;
  exitOn?: string;
  policyFile?: string;
}

const repeatable = (value: string, previous: string[]) => [...previous, value];

function parseExitOn(value: string | undefined): Set<string> {
  if (value === undefined) return new Set();
  const conditions = value.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);
  if (conditions.length === 0) throw new SpyglassError('--exit-on: no value given (known: vulnerability)');
  for (const condition of conditions) {
    if (!(EXIT_CONDITIONS as readonly string[]).includes(condition)) throw new SpyglassError(`--exit-on: unknown condition "${condition}" (known: ${EXIT_CONDITIONS.join(', ')})`);
  }
  return new Set(conditions);
}

export function registerCompare(program: Command, context: CommandContext): void {
  const command = program
    .command('compare')
    .description('compare an image with another: packages added, removed and changed, vulnerabilities fixed and introduced')
    .addHelpText('after', `
Examples:
  $ spyglass compare archive://app-2.tar --to archive://app-1.tar
  $ spyglass compare ghcr.io/org/app:2 --to ghcr.io/org/app:1 --format markdown --exit-on vulnerability
  $ spyglass compare ghcr.io/org/app:2 --to-env production --server https://spyglass.example.com`)
    .argument('<image>', 'the image analysed (registry://, archive://, oci-dir://, oci-archive://, fs://, local://, a bare name) or sbom://FILE')
    .option('--to <image>', 'the image to compare with (any input IMAGE can be)')
    .option('--to-env <environment>', "compare with the image this environment runs for IMAGE's repository (its SBOM stored on the --server)")
    .option('--format <format>', FORMATS.join(', '), 'text')
    .option('-o, --output <file>', 'write the comparison to this file instead of standard output')
    .option('--ignore-unchanged', 'leave unchanged packages out of the package list')
    .option('--only-severity <levels>', 'comma-separated: critical, high, medium, low, unspecified (both images)')
    .option('--only-package-type <types>', 'comma-separated package types (deb, npm, golang, …) (both images)')
    .option('--exit-on <conditions>', 'exit 2 when the condition holds: vulnerability (IMAGE has vulnerabilities the other image does not)')
    .option('--to-ref <name>', 'which image of a multi-image archive or OCI layout the --to input is')
    .option('--to-platform <os/arch[/variant]>', 'platform to pick out of a multi-platform --to image (default: --platform)')
    .option('--vex-location <path>', 'OpenVEX document or directory of them, applied to both images (repeatable)', repeatable, [] as string[])
    .option('--ignore-file <file>', `ignore file applied to both images (default: ${DEFAULT_IGNORE_FILE} in the working directory when present)`)
    .option('--policy-file <file>', 'policies whose change is shown (docs/policy.md); default: the default policies');
  addClientOptions(command);
  addImageSelectionOptions(command).action(async (input: string, options: CompareOptions) => {
    if (options.to !== undefined && options.toEnv !== undefined) throw new SpyglassError('--to and --to-env exclude each other: give one');
    if (options.to === undefined && options.toEnv === undefined) throw new SpyglassError('--to or --to-env: give the image to compare with (--to IMAGE) or an environment whose image it is (--to-env ENV)');
    if (options.to === '') throw new SpyglassError('--to: no image given (the image to compare with)');
    const format = parseFormat(options.format, FORMATS);
    const exitOn = parseExitOn(options.exitOn);
    const global = globalOptions(program);
    const { parseFilters } = await import('../report/filter.ts');
    const filters = parseFilters({ onlySeverity: options.onlySeverity, onlyPackageType: options.onlyPackageType });
    // Warnings are printed once both images are scanned, each with the image it is about.
    const quiet = () => {};
    const { policies } = await loadPolicies(options.policyFile);
    // --to-env: the environment's image of IMAGE's repository, scanned from its stored SBOM as an sbom:// input is;
    // asked before IMAGE is read when IMAGE names its repository, else after, by the names IMAGE has.
    const env = options.toEnv;
    const environment = env === undefined ? undefined : await import('./environment.ts');
    environment?.checkEnvironment(env!, '--to-env');
    let storedSbom = env !== undefined && !isSbomInput(input) && (await environment!.repositoryOfInput(input)) !== undefined
      ? await environmentImageSbom(input, env, options, '--to-env') : undefined;
    const imageScan = await scanForPolicies(input, options, global, quiet);
    if (env !== undefined) storedSbom ??= await environmentImageSbom(input, env, options, '--to-env', imageScan.report.target.names);
    const otherScan = await scanForPolicies(options.to ?? `--to-env ${options.toEnv!}`, { ...options, ref: options.toRef, platform: options.toPlatform ?? options.platform, storedSbom }, global, quiet);
    const image = imageScan.report;
    const other = otherScan.report;
    const { compareReports } = await import('../baseimage/compare.ts');
    const comparison = compareReports(image, other, {
      ...(filters.severities ? { severities: filters.severities } : {}),
      ...(filters.packageTypes ? { packageTypes: filters.packageTypes } : {}),
    });
    if (!global.quiet) {
      const warn = (report: VulnerabilityReport, name: string) => {
        for (const line of report.warnings) context.stderr.write(`warning: ${name}: ${line}\n`);
      };
      warn(image, comparison.image.name);
      warn(other, comparison.other.name);
    }
    // Per policy: better, worse or unchanged (docs/policy.md); in JSON as `policies`, after the comparison in text and markdown.
    const { policyDelta, renderPolicyDeltaMarkdown, renderPolicyDeltaText } = await import('../policy/delta.ts');
    const deltas = policyDelta((await evaluateScan(imageScan, policies, global)).results, (await evaluateScan(otherScan, policies, global)).results);
    const names = { image: comparison.image.name, other: comparison.other.name };
    const withPolicies = { ...comparison, policies: deltas };
    const { renderComparison } = await import('../report/compare.ts');
    const text = renderComparison(format === 'json' ? withPolicies : comparison, format, {
      ignoreUnchanged: options.ignoreUnchanged === true,
      color: options.output === undefined && format === 'text' && useColor(context.stdout, global.color),
    }) + (format === 'text' ? renderPolicyDeltaText(deltas, names) : format === 'markdown' ? renderPolicyDeltaMarkdown(deltas, names) : '');
    if (options.output !== undefined) await writeOutput(options.output, text);
    else context.stdout.write(text);
    if (exitOn.has('vulnerability') && comparison.vulnerabilities.introduced.length > 0) throw new ExitStatus(2);
  });
}
