import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { resolveCacheDir, resolveDataDir } from '../core/dirs.ts';
import { parsePlatform } from '../core/platform.ts';
import type { OpenImageOptions } from '../image/model.ts';
import { terminalProgress, wantsProgress } from './progress.ts';

export interface CommandContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface GlobalOptions {
  cacheDir: string;
  dataDir: string;
  quiet: boolean;
  debug: boolean;
}

export function globalOptions(program: Command): GlobalOptions {
  const options = program.opts<{ cacheDir?: string; dataDir?: string; quiet?: boolean; debug?: boolean }>();
  return {
    cacheDir: resolveCacheDir(options.cacheDir),
    dataDir: resolveDataDir(options.dataDir),
    quiet: options.quiet === true,
    debug: options.debug === true,
  };
}

export function parseFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new SpyglassError(`--format ${value}: expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** The options every command that reads an image takes: which platform, which image of an archive, plain-HTTP registries. */
export interface ImageSelectionOptions {
  platform?: string;
  ref?: string;
  insecureRegistry: string[];
}

export function addImageSelectionOptions(command: Command): Command {
  return command
    .option('--platform <os/arch[/variant]>', 'platform to pick out of a multi-platform image')
    .option('--ref <name>', 'which image of a multi-image archive or OCI layout')
    .option('--insecure-registry <host>', 'registry that may be reached over plain HTTP (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[]);
}

/** openImage's options from the command line: the selection flags, the cache directory, progress on a terminal. */
export function openImageOptions(options: ImageSelectionOptions, global: GlobalOptions): OpenImageOptions {
  return {
    platform: options.platform ? parsePlatform(options.platform) : undefined,
    ref: options.ref,
    cacheDir: global.cacheDir,
    insecureRegistries: options.insecureRegistry,
    progress: wantsProgress(global.quiet) ? terminalProgress() : undefined,
  };
}
