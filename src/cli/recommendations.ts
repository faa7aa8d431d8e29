// `spyglass recommendations IMAGE`: the image's base image and, from the base image catalog, the
// refreshed base (same tag, newer digest) and the updated base (another tag, by the documented rule)
// with their counts and changes, as `docker scout recommendations` shows them.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { BaseImageCatalog } from '../baseimage/model.ts';
import { SpyglassError } from '../core/errors.ts';
import type { VulnerabilityReport } from '../core/finding.ts';
import type { Attestation } from '../image/model.ts';
import { addImageSelectionOptions, globalOptions, useColor, parseFormat, type CommandContext, type GlobalOptions, type ImageSelectionOptions } from './context.ts';
import { scanInput, type ScanFlags } from './cves.ts';

const FORMATS = ['text', 'json', 'markdown'] as const;

interface RecommendationsOptions extends ImageSelectionOptions {
  format: string;
  onlyRefresh?: boolean;
  onlyUpdate?: boolean;
  tag?: string;
  details?: boolean;
}

/** Whether the data directory holds a base image catalog (`base-images.db`). */
export async function hasCatalog(global: GlobalOptions): Promise<boolean> {
  const { catalogPath } = await import('../baseimage/catalog.ts');
  return existsSync(catalogPath(global.dataDir));
}

/**
 * The catalog with every record's counts computed against the current database (recounted from the
 * stored SBOMs when the database was rebuilt since), for `fn`; closed afterwards.
 */
export async function withCountedCatalog<T>(global: GlobalOptions, fn: (catalog: BaseImageCatalog) => Promise<T>): Promise<T> {
  const [{ SqliteBaseImageCatalog }, { SqliteAdvisoryStore }, { recount }] = await Promise.all([
    import('../baseimage/catalog.ts'), import('../advisories/store/sqlite.ts'), import('../baseimage/index-images.ts'),
  ]);
  const catalog = SqliteBaseImageCatalog.open(global.dataDir);
  try {
    const store = SqliteAdvisoryStore.open(global.dataDir);
    try {
      await recount(catalog, store);
    } finally {
      await store.close();
    }
    return await fn(catalog);
  } finally {
    catalog.close();
  }
}

/** The scan of `input`, and the image's provenance attestations read while it is open, for base detection (none for an SBOM). */
export async function scanWithProvenance(input: string, options: ScanFlags, global: GlobalOptions, warn: (line: string) => void): Promise<{ report: VulnerabilityReport; attestations: Attestation[] }> {
  let attestations: Attestation[] = [];
  const report = await scanInput(input, options, global, warn, async (image) => {
    attestations = await (await import('../baseimage/provenance.ts')).bufferProvenance(image.attestations);
  });
  return { report, attestations };
}

export function registerRecommendations(program: Command, context: CommandContext): void {
  const command = program
    .command('recommendations')
    .description('refreshed and updated base images for an image, from the base image catalog')
    .addHelpText('after', `
Examples:
  $ spyglass recommendations archive://app.tar
  $ spyglass recommendations node:20-bookworm --only-update --format markdown`)
    .argument('<image>', 'image reference (registry://, archive://, oci-dir://, oci-archive://, fs://, local://, a bare name) or sbom://FILE')
    .option('--only-refresh', 'only the refreshed base image (same tag, newer digest)')
    .option('--only-update', 'only the updated base image (another tag) and the other variants')
    .option('--tag <tag>', 'show this tag of the base image\'s repository as the updated base image')
    .option('--format <format>', FORMATS.join(', '), 'text')
    .option('--details', 'show the evidence the base image was detected by');
  addImageSelectionOptions(command).action(async (input: string, options: RecommendationsOptions) => {
    const format = parseFormat(options.format, FORMATS);
    if (options.onlyRefresh === true && options.onlyUpdate === true) throw new SpyglassError('--only-refresh and --only-update: give one of them, or neither for both');
    const global = globalOptions(program);
    const { FILL_CATALOG_HINT, recommendForImage } = await import('../baseimage/image-recommendations.ts');
    if (!(await hasCatalog(global))) {
      throw new SpyglassError(`no base image catalog in ${global.dataDir}: recommendations compare the image's base image with catalogued images. ${FILL_CATALOG_HINT}`);
    }
    const warnings: string[] = [];
    const { report, attestations } = await scanWithProvenance(input, { ...options, vexLocation: [] }, global, (line) => warnings.push(line));
    const result = await withCountedCatalog(global, (catalog) => recommendForImage({ source: report.target, attestations }, catalog, options.tag !== undefined ? { tag: options.tag } : {}));
    const [{ countFindings }, { renderRecommendations }] = await Promise.all([import('../report/counts.ts'), import('../report/recommendations.ts')]);
    const base = result.outcome.base;
    const digest = report.target.manifestDigest ?? report.target.configDigest;
    const text = renderRecommendations({
      target: {
        name: report.target.names[0] ?? input,
        ...(digest ? { digest } : {}),
        ...(report.target.platform ? { platform: report.target.platform } : {}),
        counts: countFindings(report.findings),
        packages: report.packages.length,
      },
      ...(base !== undefined ? {
        base: {
          name: base.name,
          ...(result.place?.digest ?? base.ref.digest ? { digest: result.place?.digest ?? base.ref.digest } : {}),
          method: base.method,
          evidence: base.evidence,
          ...result.current,
        },
      } : {}),
      recommendations: result.recommendations,
      sections: { refresh: options.onlyUpdate !== true, update: options.onlyRefresh !== true },
      emptyRefresh: result.emptyRefresh,
      emptyUpdate: result.emptyUpdate,
      notes: result.notes,
      database: report.database,
      warnings,
    }, format, { color: format === 'text' && useColor(context.stdout, global.color), details: options.details === true });
    context.stdout.write(text);
    if (!global.quiet && format === 'json') for (const line of warnings) context.stderr.write(`warning: ${line}\n`);
  });
}
