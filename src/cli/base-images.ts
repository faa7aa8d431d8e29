// `spyglass base-images add|index|list|remove`: the catalog of known base images that base detection
// and recommendations read (`<dataDir>/base-images.db`). The catalog, the registry client and the
// matcher are imported inside the actions so that `spyglass --help` stays fast.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { AdvisoryStore } from '../advisories/store/store.ts';
import type { CatalogImage } from '../baseimage/model.ts';
import { SpyglassError, errorText, isSpyglassError } from '../core/errors.ts';
import { parsePlatform, type Platform } from '../core/platform.ts';
import { globalOptions, parseFormat, type CommandContext, type GlobalOptions } from './context.ts';
import { alignRows, shortDigest } from '../report/table.ts';
import { formatBytes, terminalProgress, wantsProgress } from './progress.ts';

const LIST_FORMATS = ['text', 'json'] as const;

interface RegistryFlags {
  platform: string[];
  insecureRegistry: string[];
}

const repeatable = (value: string, previous: string[]) => [...previous, value];

function addRegistryOptions(command: Command): Command {
  return command
    .option('--platform <os/arch[/variant]>', 'record only this platform (repeatable or comma-separated; default: every platform of the tag)', repeatable, [] as string[])
    .option('--insecure-registry <host>', 'registry that may be reached over plain HTTP (repeatable)', repeatable, [] as string[]);
}

function platformsOf(flags: RegistryFlags): Platform[] | undefined {
  const platforms = flags.platform.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean).map(parsePlatform);
  return platforms.length > 0 ? platforms : undefined;
}

/** The vulnerability database when there is one: records get their counts; without it they are left out, with a warning. */
async function openDatabase(dataDir: string, warn: (line: string) => void): Promise<AdvisoryStore | undefined> {
  const { SqliteAdvisoryStore, databasePath } = await import('../advisories/store/sqlite.ts');
  if (!existsSync(databasePath(dataDir))) {
    warn(`no vulnerability database in ${dataDir}: vulnerability counts left out (run \`spyglass db update\`; \`base-images list\` then computes them)`);
    return undefined;
  }
  try {
    return SqliteAdvisoryStore.open(dataDir);
  } catch (error) {
    if (!isSpyglassError(error)) throw error;
    warn(`vulnerability counts left out: ${error.message}`);
    return undefined;
  }
}

function countsText(entry: CatalogImage): string {
  const counts = entry.counts;
  return counts === undefined ? 'no counts' : `${counts.critical}C ${counts.high}H ${counts.medium}M ${counts.low}L ${counts.unspecified}U`;
}

function packagesTotal(entry: CatalogImage): number {
  return Object.values(entry.packageSummary).reduce((sum, count) => sum + (count ?? 0), 0);
}

interface Recorder {
  /** Catalogs one input and records its platform images; returns how many records were written. */
  record(input: string, options: { name?: string; ref?: string }): Promise<number>;
  close(): Promise<void>;
}

/** The catalog and the database opened once for a whole `add` or `index`, and one line per record written. */
async function openRecorder(global: GlobalOptions, flags: RegistryFlags, context: CommandContext): Promise<Recorder> {
  const [{ SqliteBaseImageCatalog }, { catalogImageRef }] = await Promise.all([import('../baseimage/catalog.ts'), import('../baseimage/index-images.ts')]);
  const platforms = platformsOf(flags);
  const catalog = SqliteBaseImageCatalog.open(global.dataDir);
  // Said once, when the first record without counts is written (not before an error about the input).
  let withoutCounts: string | undefined;
  const store = await openDatabase(global.dataDir, (line) => { withoutCounts = line; });
  const progress = wantsProgress(global.quiet) ? terminalProgress() : undefined;
  return {
    async record(input, options) {
      const records = await catalogImageRef(input, {
        ...(platforms !== undefined ? { platforms } : {}),
        cacheDir: global.cacheDir,
        insecureRegistries: flags.insecureRegistry,
        ...(store !== undefined ? { store } : {}),
        ...(options.ref !== undefined ? { ref: options.ref } : {}),
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(progress !== undefined ? { progress } : {}),
      });
      if (withoutCounts !== undefined && records.length > 0) {
        if (!global.quiet) context.stderr.write(`warning: ${withoutCounts}\n`);
        withoutCounts = undefined;
      }
      for (const { entry, sbom } of records) {
        const current = catalog.history(entry.repository, entry.tag, entry.platform)[0];
        catalog.put(entry, sbom);
        const verb = current === undefined ? 'added' : current.digest === entry.digest ? 'unchanged' : `refreshed (was ${shortDigest(current.digest)})`;
        context.stdout.write(`${entry.repository}:${entry.tag} ${entry.platform} ${shortDigest(entry.digest)}: ${verb}; ${packagesTotal(entry)} packages, ${countsText(entry)}\n`);
      }
      return records.length;
    },
    async close() {
      catalog.close();
      await store?.close();
    },
  };
}

function compilePattern(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new SpyglassError(`--tags ${text}: not a regular expression (${errorText(error)})`);
  }
}

/** `base-images list` as text: per repository, one row per tag and platform. */
export function formatCatalogList(images: readonly CatalogImage[]): string {
  if (images.length === 0) return 'The base image catalog is empty: add images with `spyglass base-images add REF` or `spyglass base-images index REPOSITORY`.\n';
  const lines: string[] = [];
  const repositories = [...new Set(images.map((image) => image.repository))];
  for (const repository of repositories) {
    const rows: string[][] = [['TAG', 'PLATFORM', 'DIGEST', 'CREATED', 'SIZE', 'OS', 'PACKAGES', 'C', 'H', 'M', 'L', 'U']];
    for (const image of images.filter((candidate) => candidate.repository === repository)) {
      const counts = image.counts;
      const count = (value: number | undefined) => (value === undefined ? '-' : String(value));
      rows.push([
        image.tag,
        image.platform,
        shortDigest(image.digest),
        image.created?.slice(0, 10) ?? '-',
        formatBytes(image.size),
        image.os ? [image.os.id, image.os.versionId].filter(Boolean).join(' ') : '-',
        String(packagesTotal(image)),
        count(counts?.critical), count(counts?.high), count(counts?.medium), count(counts?.low), count(counts?.unspecified),
      ]);
    }
    if (lines.length > 0) lines.push('');
    lines.push(repository, ...alignRows(rows).map((line) => `  ${line}`));
  }
  return `${lines.join('\n')}\n`;
}

export function registerBaseImages(program: Command, context: CommandContext): void {
  const command = program.command('base-images').description('the catalog of known base images that base detection and recommendations use')
    .addHelpText('after', `
Examples:
  $ spyglass base-images add debian:bookworm-slim alpine:3.20
  $ spyglass base-images list`);
  const warn = (global: GlobalOptions, line: string) => { if (!global.quiet) context.stderr.write(`warning: ${line}\n`); };

  addRegistryOptions(command.command('add')
    .description('catalog images: every platform of each tag (registry references; an OCI layout or archive named with --as)')
    .addHelpText('after', `
Examples:
  $ spyglass base-images add debian:bookworm-slim alpine:3.20
  $ spyglass base-images add oci-dir://./debian-layout --as docker.io/library/debian:bookworm`)
    .argument('<ref...>', 'registry reference (REPO:TAG, registry://…), or oci-dir://, oci-archive://, archive:// with --as')
    .option('--ref <name>', 'which image of a multi-image OCI layout or archive')
    .option('--as <repo:tag>', 'the repository and tag to record the image under (required for a layout or archive)'))
    .action(async (refs: string[], options: RegistryFlags & { ref?: string; as?: string }) => {
      const global = globalOptions(program);
      if (options.as !== undefined && refs.length > 1) throw new SpyglassError('--as names one image: give one reference with it');
      const recorder = await openRecorder(global, options, context);
      const failed: string[] = [];
      try {
        for (const ref of refs) {
          try {
            await recorder.record(ref, { ...(options.ref !== undefined ? { ref: options.ref } : {}), ...(options.as !== undefined ? { name: options.as } : {}) });
          } catch (error) {
            // One reference: its error is the command's. Several: each failure is said, the others still recorded.
            if (!isSpyglassError(error) || refs.length === 1) throw error;
            warn(global, `${ref}: not catalogued: ${error.message}`);
            failed.push(ref);
          }
        }
      } finally {
        await recorder.close();
      }
      if (failed.length > 0) throw new SpyglassError(`${failed.length} of ${refs.length} references failed (${failed.join(', ')}); the others were catalogued`);
    });

  addRegistryOptions(command.command('index')
    .description("catalog a repository's tags from its registry (every tag, or those --tags matches)")
    .addHelpText('after', `
Examples:
  $ spyglass base-images index docker.io/library/debian --tags '^bookworm'`)
    .argument('<repository>', 'REGISTRY/REPOSITORY, e.g. docker.io/library/debian')
    .option('--tags <regex>', 'only tags this regular expression matches (anywhere in the tag: anchor it with ^…$)'))
    .action(async (repository: string, options: RegistryFlags & { tags?: string }) => {
      const global = globalOptions(program);
      const pattern = options.tags !== undefined ? compilePattern(options.tags) : undefined;
      const { listTags, parseRepositoryTag } = await import('../baseimage/index-images.ts');
      const tags = await listTags(repository, { insecureRegistries: options.insecureRegistry, ...(pattern !== undefined ? { pattern } : {}) });
      if (tags.length === 0) throw new SpyglassError(`${repository}: no tags${options.tags !== undefined ? ` match --tags ${options.tags}` : ' in the registry'}`);
      const key = parseRepositoryTag(repository).repository;
      const recorder = await openRecorder(global, options, context);
      let records = 0;
      const failed: string[] = [];
      try {
        for (const tag of tags) {
          try {
            records += await recorder.record(`registry://${key}:${tag}`, {});
          } catch (error) {
            if (!isSpyglassError(error)) throw error;
            warn(global, `${key}:${tag}: skipped: ${error.message}`);
            failed.push(tag);
          }
        }
      } finally {
        await recorder.close();
      }
      const summary = `${key}: ${records} ${records === 1 ? 'record' : 'records'} from ${tags.length - failed.length} of ${tags.length} tags`;
      if (failed.length === tags.length) throw new SpyglassError(`${summary}: every tag failed (${failed.join(', ')})`);
      context.stdout.write(`${summary}${failed.length > 0 ? `; ${failed.length} failed: ${failed.join(', ')}` : ''}\n`);
    });

  command.command('list')
    .description('the current record of every tag and platform, with its vulnerability counts (recomputed first when the database changed)')
    .addHelpText('after', `
Examples:
  $ spyglass base-images list
  $ spyglass base-images list --repository docker.io/library/debian --format json`)
    .option('--format <format>', LIST_FORMATS.join(', '), 'text')
    .option('--repository <repository>', 'only this repository')
    .option('--platform <os/arch[/variant]>', 'only this platform')
    .action(async (options: { format: string; repository?: string; platform?: string }) => {
      const format = parseFormat(options.format, LIST_FORMATS);
      if (options.platform !== undefined) parsePlatform(options.platform);
      const global = globalOptions(program);
      const [{ SqliteBaseImageCatalog, catalogPath }, { parseRepositoryTag, recount }] = await Promise.all([import('../baseimage/catalog.ts'), import('../baseimage/index-images.ts')]);
      const repository = options.repository !== undefined ? parseRepositoryTag(options.repository).repository : undefined;
      let images: CatalogImage[] = [];
      if (existsSync(catalogPath(global.dataDir))) {
        const catalog = SqliteBaseImageCatalog.open(global.dataDir);
        try {
          const store = await openDatabase(global.dataDir, () => {});
          if (store !== undefined) {
            try {
              const recounted = await recount(catalog, store);
              if (recounted > 0 && !global.quiet) context.stderr.write(`recomputed the vulnerability counts of ${recounted} ${recounted === 1 ? 'image' : 'images'} against the current database\n`);
            } finally {
              await store.close();
            }
          }
          images = catalog.list({ ...(repository !== undefined ? { repository } : {}), ...(options.platform !== undefined ? { platform: options.platform } : {}) });
        } finally {
          catalog.close();
        }
      }
      context.stdout.write(format === 'json' ? `${JSON.stringify({ images }, null, 2)}\n` : formatCatalogList(images));
    });

  command.command('remove')
    .description("remove a repository's records from the catalog, or one tag's (every digest it had)")
    .addHelpText('after', `
Examples:
  $ spyglass base-images remove docker.io/library/debian:bullseye-slim
  $ spyglass base-images remove docker.io/library/debian`)
    .argument('<repository[:tag]>', 'e.g. docker.io/library/debian or docker.io/library/debian:bullseye-slim')
    .action(async (name: string) => {
      const global = globalOptions(program);
      const [{ SqliteBaseImageCatalog, catalogPath }, { parseRepositoryTag }] = await Promise.all([import('../baseimage/catalog.ts'), import('../baseimage/index-images.ts')]);
      const { repository, tag } = parseRepositoryTag(name);
      const what = tag === undefined ? repository : `${repository}:${tag}`;
      const catalog = existsSync(catalogPath(global.dataDir)) ? SqliteBaseImageCatalog.open(global.dataDir) : undefined;
      let removed = 0;
      try {
        removed = catalog?.remove(repository, tag) ?? 0;
      } finally {
        catalog?.close();
      }
      if (removed === 0) throw new SpyglassError(`${name}: nothing in the base image catalog under ${what}`);
      context.stdout.write(`removed ${removed} ${removed === 1 ? 'record' : 'records'} of ${what}\n`);
    });
}
