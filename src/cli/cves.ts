// `spyglass cves IMAGE`: every vulnerability of an image (or of an SBOM), filtered, in one of the report
// formats. The database is opened first, so a missing one is said before anything is pulled.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { VulnerabilityReport } from '../core/finding.ts';
import { ExitStatus, SpyglassError } from '../core/errors.ts';
import type { RenderOptions } from '../report/options.ts';
import { appliedFilters } from '../report/applied-filters.ts';
import type { ReportFormat } from '../report/render.ts';
import { addImageSelectionOptions, globalOptions, useColor, openImageOptions, parseFormat, type CommandContext, type GlobalOptions, type ImageSelectionOptions } from './context.ts';
import { writeOutput } from './sbom.ts';
import { addClientOptions, type ClientOptions } from './api-client.ts';
import { isSbomInput } from '../sbom/input-prefix.ts';
import type { Sbom } from '../core/sbom.ts';
import type { VexDocument } from '../match/vex.ts';
import type { Attestation, Image } from '../image/model.ts';
import type { BaseFilter } from '../baseimage/attribute.ts';

// The formats, in the order --help lists them (report/render.ts renders each).
export const CVES_FORMATS = ['packages', 'only-packages', 'json', 'sarif', 'markdown', 'gitlab', 'cyclonedx', 'spdx', 'html'] as const satisfies readonly ReportFormat[];

/** The ignore file read from the working directory when --ignore-file is not given. */
export const DEFAULT_IGNORE_FILE = '.spyglassignore.yaml';

export interface FilterFlags {
  onlySeverity?: string;
  onlyPackageType?: string;
  onlyPackage?: string;
  onlyCveId?: string;
  onlyFixed?: boolean;
  onlyUnfixed?: boolean;
  onlyVulnPackages?: boolean;
  onlyCisaKev?: boolean;
  onlyMetric?: string;
  epssScore?: string;
  epssPercentile?: string;
  showSuppressed?: boolean;
}

export interface ScanFlags extends ImageSelectionOptions, FilterFlags {
  vexLocation: string[];
  ignoreFile?: string;
  /** An SBOM already at hand (an environment's image, from the server): scanned instead of reading the input. */
  storedSbom?: Sbom;
}

interface CvesOptions extends ScanFlags, ClientOptions {
  env?: string;
  format: string;
  output?: string;
  exitCode?: boolean;
  epss?: boolean;
  locations?: boolean;
  details?: boolean;
  ignoreBase?: boolean;
  onlyBase?: boolean;
}

const repeatable = (value: string, previous: string[]) => [...previous, value];

/** The filter, VEX and ignore flags `cves` takes (quickview takes the VEX and ignore ones too). */
export function addSuppressionOptions(command: Command): Command {
  return command
    .option('--vex-location <path>', 'OpenVEX document or directory of them (repeatable); *.vex.json files in the image are read too', repeatable, [] as string[])
    .option('--ignore-file <file>', `ignore file (default: ${DEFAULT_IGNORE_FILE} in the working directory when present)`)
    .option('--show-suppressed', 'show findings a VEX statement or an ignore entry suppressed, marked SUPPRESSED');
}

/**
 * Scans `input` into a rated report with VEX and ignore entries applied (suppressed findings kept, marked).
 * `onImage` sees the image while it is open (an `sbom://` input has none).
 */
export async function scanInput(
  input: string, options: ScanFlags, global: GlobalOptions, warn: (line: string) => void, onImage?: (image: Image) => Promise<void>,
): Promise<VulnerabilityReport> {
  const { SqliteAdvisoryStore } = await import('../advisories/store/sqlite.ts');
  const store = SqliteAdvisoryStore.open(global.dataDir);
  try {
    // The VEX and ignore-file readers (and their validators) load only when there is something to read;
    // bad VEX and ignore files are reported before the image is read.
    const documents = options.vexLocation.length > 0 ? await (await import('../match/vex.ts')).loadVexDocuments(options.vexLocation) : [];
    const ignorePath = options.ignoreFile ?? (existsSync(DEFAULT_IGNORE_FILE) ? DEFAULT_IGNORE_FILE : undefined);
    const ignore = ignorePath === undefined ? undefined : await import('../match/ignore.ts');
    const ignoreFile = ignorePath === undefined ? undefined : await ignore!.loadIgnoreFile(ignorePath);
    const { scanSbom } = await import('../match/scan.ts');
    const { sbom, vexDocuments, warnings } = await loadSbomWithVex(input, options, global, onImage);
    const report = await scanSbom(sbom, store);
    report.warnings.push(...warnings);
    const packagesById = new Map(report.packages.map((pkg) => [pkg.id, pkg]));
    let findings = report.findings;
    const allDocuments = [...documents, ...vexDocuments];
    if (allDocuments.length > 0) findings = (await import('../match/vex.ts')).applyVex(findings, packagesById, allDocuments, report.target);
    if (ignore !== undefined && ignoreFile !== undefined) {
      const applied = ignore.applyIgnores(findings, packagesById, ignoreFile, new Date());
      findings = applied.findings;
      report.warnings.push(...applied.warnings);
    }
    report.findings = findings;
    for (const line of report.warnings) warn(line);
    return report;
  } finally {
    await store.close();
  }
}

/**
 * The SBOM to match and the VEX documents found in the image (`*.vex.json`, read in the same pass over
 * the layers). An `sbom://` input or an image's SBOM attestation has no files to read them from.
 */
async function loadSbomWithVex(
  input: string, options: ScanFlags, global: GlobalOptions, onImage?: (image: Image) => Promise<void>,
): Promise<{ sbom: Sbom; vexDocuments: VexDocument[]; warnings: string[] }> {
  if (options.storedSbom !== undefined) return { sbom: options.storedSbom, vexDocuments: [], warnings: [] };
  if (isSbomInput(input)) return { sbom: await (await import('../sbom/input.ts')).loadSbomInput(input), vexDocuments: [], warnings: [] };
  const [{ openImage }, { catalogAndCollect }, { sbomFromAttestation }, { VEX_FILE_COLLECTOR }] = await Promise.all([
    import('../image/open.ts'), import('../catalog/engine.ts'), import('../sbom/attestation.ts'), import('../match/vex-files.ts'),
  ]);
  const image = await openImage(input, openImageOptions(options, global));
  try {
    await onImage?.(image);
    const attested = await sbomFromAttestation(image);
    if (attested) return { sbom: attested, vexDocuments: [], warnings: [] };
    const { sbom, collected } = await catalogAndCollect(image, { cacheDir: global.cacheDir, collect: VEX_FILE_COLLECTOR });
    if (collected.length === 0) return { sbom, vexDocuments: [], warnings: [] };
    const { documents, warnings } = (await import('../match/vex.ts')).vexDocumentsFromImage(collected);
    return { sbom, vexDocuments: documents, warnings };
  } finally {
    await image.close();
  }
}

/**
 * The stored SBOM of the image environment `env` runs for IMAGE's repository (`cves --env`, `compare
 * --to-env`); `names` are the image's names when IMAGE is a file or an archive (after reading it).
 */
export async function environmentImageSbom(input: string, env: string, client: ClientOptions, flag: string, names: readonly string[] = []): Promise<Sbom> {
  const { checkEnvironment, fetchEnvironmentSbom, repositoryOfInput } = await import('./environment.ts');
  checkEnvironment(env, flag);
  let repository = isSbomInput(input) ? undefined : await repositoryOfInput(input);
  if (repository === undefined) {
    const { parseImageRef } = await import('../core/reference.ts');
    for (const name of names) {
      try {
        const ref = parseImageRef(name);
        repository = `${ref.registry}/${ref.repository}`;
        break;
      } catch {
        // Not a reference: try the next name.
      }
    }
  }
  if (repository === undefined) throw new SpyglassError(`${flag} ${env}: ${input} names no repository: give the image as registry/repository[:tag]`);
  return (await fetchEnvironmentSbom(client, env, repository, flag)).sbom;
}

/** `--ignore-base` or `--only-base`, when one is given. */
function baseFilterOf(options: CvesOptions): BaseFilter | undefined {
  if (options.ignoreBase === true && options.onlyBase === true) throw new SpyglassError('--ignore-base and --only-base exclude each other: give one');
  if (options.ignoreBase === true) return 'ignore-base';
  return options.onlyBase === true ? 'only-base' : undefined;
}

/**
 * Keeps the findings of packages from the image's own layers (`ignore-base`) or from its base
 * (`only-base`), the base detected with the catalog in the data directory when there is one; a
 * one-line error when the base, or how many layers are its, is unknown.
 */
async function applyBaseFilter(report: VulnerabilityReport, attestations: readonly Attestation[], filter: BaseFilter, global: GlobalOptions): Promise<void> {
  const [{ detectBase }, { attributeToBase, filterByBase }, { SqliteBaseImageCatalog }] = await Promise.all([
    import('../baseimage/detect.ts'), import('../baseimage/attribute.ts'), import('../baseimage/catalog.ts'),
  ]);
  const catalog = SqliteBaseImageCatalog.openReadOnly(global.dataDir);
  try {
    const outcome = await detectBase({ source: report.target, attestations }, catalog);
    if (outcome.base === undefined) throw new SpyglassError(`--${filter}: the base image of ${report.target.input} is unknown: ${outcome.reason}`);
    const base = outcome.base;
    if (base.baseLayers === undefined) {
      const why = base.entry !== undefined ? 'has catalogued layers that are not the image\'s bottom layers' : 'is not in the base-image catalog';
      throw new SpyglassError(`--${filter}: base image ${base.name} (from ${base.method === 'annotation' ? 'annotations' : base.method}) ${why}, so which layers are its is unknown; add it with \`spyglass base-images add\``);
    }
    report.findings = filterByBase(report.findings, attributeToBase({ source: report.target, packages: report.packages }, base), filter);
    report.baseImage ??= { name: base.name, ...(base.ref.digest !== undefined ? { digest: base.ref.digest } : {}) };
  } finally {
    catalog?.close();
  }
}

export function registerCves(program: Command, context: CommandContext): void {
  const command = program
    .command('cves')
    .description('list the vulnerabilities of an image (or of an SBOM: sbom://FILE)')
    .addHelpText('after', `
Examples:
  $ spyglass cves alpine:3.20
  $ spyglass cves archive://app.tar --only-severity critical,high --exit-code
  $ spyglass cves registry://ghcr.io/org/app:1.2 --format sarif --output cves.sarif
  $ spyglass cves sbom://app.cdx.json --only-fixed
  $ spyglass cves ghcr.io/org/app --env production   # the image production runs for ghcr.io/org/app, from the server`)
    .argument('<image>', 'image reference (registry://, archive://, oci-dir://, oci-archive://, fs://, local://, a bare name) or sbom://FILE')
    .option('--format <format>', CVES_FORMATS.join(', '), 'packages')
    .option('-o, --output <file>', 'write the report to this file instead of standard output')
    .option('-e, --exit-code', 'exit 2 when vulnerabilities remain after the filters')
    .option('--only-severity <levels>', 'comma-separated: critical, high, medium, low, unspecified')
    .option('--only-package-type <types>', 'comma-separated package types (deb, npm, golang, …)')
    .option('--only-package <regex>', 'only packages whose name matches')
    .option('--only-cve-id <ids>', 'comma-separated vulnerability ids (CVE, GHSA, … or an alias)')
    .option('--only-fixed', 'only vulnerabilities with a fix')
    .option('--only-unfixed', 'only vulnerabilities without a fix')
    .option('--only-vuln-packages', 'list only packages that have vulnerabilities')
    .option('--only-cisa-kev', 'only vulnerabilities in CISA\'s Known Exploited Vulnerabilities catalog')
    .option('--only-metric <metrics>', 'only vulnerabilities whose CVSS vector has every metric given, e.g. AV:N,PR:N')
    .option('--epss', 'show EPSS score and percentile')
    .option('--epss-score <score>', 'only vulnerabilities with an EPSS score of at least this (0–1)')
    .option('--epss-percentile <percentile>', 'only vulnerabilities with an EPSS percentile of at least this (0–1)')
    .option('--locations', 'show where each package was found (path and layer)')
    .option('--details', 'show why each vulnerability matched')
    .option('--ignore-base', 'leave out vulnerabilities of packages the base image brought')
    .option('--only-base', 'only vulnerabilities of packages the base image brought')
    .option('--env <environment>', "name of environment: analyse the image it runs for IMAGE's repository instead (its SBOM stored on the --server, not pulled)");
  addClientOptions(command);
  addSuppressionOptions(command);
  addImageSelectionOptions(command).action(async (input: string, options: CvesOptions) => {
    const format = parseFormat(options.format, CVES_FORMATS);
    const global = globalOptions(program);
    const { parseFilters, filterFindings } = await import('../report/filter.ts');
    const filters = parseFilters(options);
    const baseFilter = baseFilterOf(options);
    // The default format shows warnings in its header; the others leave them to standard error.
    const warn = (line: string) => {
      if (!global.quiet && format !== 'packages') context.stderr.write(`warning: ${line}\n`);
    };
    // The base is detected after the scan; the image's provenance is read while it is open.
    let attestations: Attestation[] = [];
    const keepProvenance = async (image: Image) => {
      attestations = await (await import('../baseimage/provenance.ts')).bufferProvenance(image.attestations);
    };
    if (options.env !== undefined) options.storedSbom = await environmentImageSbom(input, options.env, options, '--env');
    const report = await scanInput(input, options, global, warn, baseFilter !== undefined || format === 'html' ? keepProvenance : undefined);
    if (baseFilter !== undefined) await applyBaseFilter(report, attestations, baseFilter, global);
    const packagesById = new Map(report.packages.map((pkg) => [pkg.id, pkg]));
    // Suppressed findings stay in the report: renderers hide them (and count them) unless --show-suppressed.
    report.findings = filterFindings(report.findings, packagesById, { ...filters, showSuppressed: true });
    const renderOptions: RenderOptions = {
      showSuppressed: options.showSuppressed === true,
      locations: options.locations === true,
      details: options.details === true,
      epss: options.epss === true || filters.epssScore !== undefined || filters.epssPercentile !== undefined,
      color: options.output === undefined && format === 'packages' && useColor(context.stdout, global.color),
      filters: appliedFilters(options),
    };
    // The html page's quickview: the base image's row and the refreshed and updated bases, as `quickview` builds them.
    const quickview = format === 'html' ? await (await import('./quickview.ts')).buildQuickview(input, { report, attestations }, options, global) : undefined;
    for (const line of quickview?.warnings ?? []) warn(line);
    if (quickview?.base !== undefined) report.baseImage = { name: quickview.base.name, ...(quickview.base.digest !== undefined ? { digest: quickview.base.digest } : {}) };
    const { render } = await import('../report/render.ts');
    const text = await render(report, format, renderOptions, quickview);
    if (options.output !== undefined) await writeOutput(options.output, text);
    else context.stdout.write(text);
    const remaining = report.findings.filter((finding) => finding.suppressed === undefined).length;
    if (options.exitCode === true && remaining > 0) throw new ExitStatus(2);
  });
}

