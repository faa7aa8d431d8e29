// `spyglass quickview IMAGE`: the image's C/H/M/L(/U) summary and its base image's, as `docker scout
// quickview` shows them. The base comes from the image's OCI annotations; it is scanned too when it can
// be found: in the same OCI layout by its digest, else in its registry.
import type { Command } from 'commander';
import { errorText } from '../core/errors.ts';
import type { VulnerabilityReport } from '../core/finding.ts';
import { addImageSelectionOptions, globalOptions, parseFormat, type CommandContext, type GlobalOptions } from './context.ts';
import { addSuppressionOptions, scanInput, type ScanFlags } from './cves.ts';

const FORMATS = ['text', 'json'] as const;

interface QuickviewOptions extends ScanFlags {
  format: string;
}

/** Where the base image named by `digest` can be read from, given how the image itself was read. */
export function baseImageInput(input: string, base: NonNullable<VulnerabilityReport['baseImage']>): { input: string; ref?: string } | undefined {
  if ((input.startsWith('oci-dir://') || input.startsWith('oci-archive://')) && base.digest !== undefined) return { input, ref: base.digest };
  if (base.digest !== undefined) return { input: `registry://${base.name.replace(/@.*$/, '')}@${base.digest}` };
  return { input: `registry://${base.name}` };
}

async function scanBase(input: string, report: VulnerabilityReport, options: QuickviewOptions, global: GlobalOptions, warn: (line: string) => void) {
  const base = report.baseImage;
  if (base === undefined) return undefined;
  const where = baseImageInput(input, base);
  if (where === undefined) return { name: base.name, ...(base.digest ? { digest: base.digest } : {}) };
  try {
    const baseReport = await scanInput(where.input, { ...options, ref: where.ref }, global, () => {});
    return { name: base.name, ...(base.digest ? { digest: base.digest } : {}), report: baseReport };
  } catch (error) {
    warn(`base image ${base.name}: not scanned (${errorText(error)})`);
    return { name: base.name, ...(base.digest ? { digest: base.digest } : {}) };
  }
}

export function registerQuickview(program: Command, context: CommandContext): void {
  const command = program
    .command('quickview')
    .description('summarise the vulnerabilities of an image and of its base image')
    .argument('<image>', 'image reference (registry://, archive://, oci-dir://, oci-archive://, fs://, local://, a bare name) or sbom://FILE')
    .option('--format <format>', FORMATS.join(', '), 'text');
  addSuppressionOptions(command);
  addImageSelectionOptions(command).action(async (input: string, options: QuickviewOptions) => {
    const format = parseFormat(options.format, FORMATS);
    const global = globalOptions(program);
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    const report = await scanInput(input, { ...options, vexLocation: options.vexLocation ?? [] }, global, warn);
    const base = await scanBase(input, report, options, global, warn);
    const { countFindings, renderQuickview, renderQuickviewJson } = await import('../report/quickview.ts');
    const live = (findings: VulnerabilityReport['findings']) => findings.filter((finding) => finding.suppressed === undefined);
    const quickview = {
      target: {
        name: report.target.names[0] ?? input,
        ...(report.target.manifestDigest ?? report.target.configDigest ? { digest: report.target.manifestDigest ?? report.target.configDigest } : {}),
        ...(report.target.platform ? { platform: report.target.platform } : {}),
        counts: countFindings(live(report.findings)),
        packages: report.packages.length,
      },
      ...(base !== undefined
        ? {
            base: {
              name: base.name,
              ...(base.digest ? { digest: base.digest } : {}),
              ...('report' in base && base.report ? { counts: countFindings(live(base.report.findings)), packages: base.report.packages.length } : {}),
            },
          }
        : {}),
      database: report.database,
      warnings,
    };
    context.stdout.write(format === 'json' ? renderQuickviewJson(quickview) : renderQuickview(quickview, { color: (context.stdout as NodeJS.WriteStream).isTTY === true && !('NO_COLOR' in process.env) }));
    // The text shows warnings itself; JSON carries them in `warnings` and on standard error.
    if (!global.quiet && format === 'json') for (const line of warnings) context.stderr.write(`warning: ${line}\n`);
  });
}
