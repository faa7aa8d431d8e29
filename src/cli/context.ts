import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { resolveCacheDir, resolveDataDir } from '../core/dirs.ts';

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
