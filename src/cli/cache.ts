import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { BlobCache } from '../image/cache/blob-cache.ts';
import { formatBytes } from './progress.ts';
import { globalOptions, parseFormat, type CommandContext } from './context.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `45s`, `2w`: the ages `cache prune --older-than` accepts. */
export function parseAge(text: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text);
  if (!match) throw new SpyglassError(`--older-than ${text}: expected a number and a unit (s, m, h, d, w), e.g. 7d`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

export function registerCache(program: Command, context: CommandContext): void {
  const cache = program.command('cache').description('the content-addressed cache of registry blobs')
    .addHelpText('after', `
Examples:
  $ spyglass cache df
  $ spyglass cache prune --older-than 30d`);
  cache
    .command('df')
    .description('show how much the blob cache holds')
    .addHelpText('after', `
Examples:
  $ spyglass cache df
  $ spyglass cache df --format json`)
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const { cacheDir } = globalOptions(program);
      const usage = await new BlobCache(cacheDir).df();
      if (format === 'json') {
        context.stdout.write(`${JSON.stringify({ dir: cacheDir, ...usage }, null, 2)}\n`);
        return;
      }
      const lines = [
        `Cache directory  ${cacheDir}`,
        `Blobs            ${usage.count} (${formatBytes(usage.bytes)})`,
        `  layers         ${usage.byKind.layer.count} (${formatBytes(usage.byKind.layer.bytes)})`,
        `  manifests/JSON ${usage.byKind.json.count} (${formatBytes(usage.byKind.json.bytes)})`,
        `  other          ${usage.byKind.other.count} (${formatBytes(usage.byKind.other.bytes)})`,
        `Unfinished       ${usage.temporary.count} (${formatBytes(usage.temporary.bytes)})`,
      ];
      context.stdout.write(`${lines.join('\n')}\n`);
    });
  cache
    .command('prune')
    .description('remove cached blobs not used recently (default: 7 days), or all of them')
    .addHelpText('after', `
Examples:
  $ spyglass cache prune
  $ spyglass cache prune --older-than 12h
  $ spyglass cache prune --all`)
    .option('--all', 'remove every cached blob')
    .option('--older-than <age>', 'remove blobs unused for this long, e.g. 7d, 12h', '7d')
    .action(async (options: { all?: boolean; olderThan: string }) => {
      const { cacheDir } = globalOptions(program);
      const result = await new BlobCache(cacheDir).prune({ all: options.all === true, olderThan: parseAge(options.olderThan) });
      context.stdout.write(`removed ${result.removed} files (${formatBytes(result.bytes)}) from ${cacheDir}\n`);
    });
}
