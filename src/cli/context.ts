import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { resolveCacheDir, resolveDataDir } from '../core/dirs.ts';
import { parsePlatform } from '../core/platform.ts';
import type { OpenImageOptions } from '../image/model.ts';
import { terminalProgress, wantsProgress } from './progress.ts';
import { loadConfig } from './config.ts';

export interface CommandContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface GlobalOptions {
  cacheDir: string;
  dataDir: string;
  quiet: boolean;
  debug: boolean;
  color: ColorChoice;
  /** Registry host → mirror host, from the config file. */
  registryMirrors: Record<string, string>;
}

export const COLOR_CHOICES = ['auto', 'always', 'never'] as const;
export type ColorChoice = (typeof COLOR_CHOICES)[number];

/** Flag > environment > config file > default, for the options every command shares. */
export function globalOptions(program: Command, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const options = program.opts<{ cacheDir?: string; dataDir?: string; quiet?: boolean; debug?: boolean; color?: string }>();
  const config = loadConfig(env).values;
  return {
    cacheDir: resolveCacheDir(options.cacheDir, env, config.cacheDir),
    dataDir: resolveDataDir(options.dataDir, env, config.dataDir),
    quiet: options.quiet === true,
    debug: options.debug === true,
    color: options.color === undefined ? 'auto' : parseColor(options.color),
    registryMirrors: config.registryMirrors ?? {},
  };
}

export function parseColor(value: string): ColorChoice {
  if (!(COLOR_CHOICES as readonly string[]).includes(value)) throw new SpyglassError(`--color ${value}: expected one of ${COLOR_CHOICES.join(', ')}`);
  return value as ColorChoice;
}

/**
 * Whether to colour what goes to `stream`: --color always|never decides; auto colours a terminal
 * unless NO_COLOR is set to something (https://no-color.org: present and not empty).
 */
export function useColor(stream: NodeJS.WritableStream, choice: ColorChoice, env: NodeJS.ProcessEnv = process.env): boolean {
  if (choice !== 'auto') return choice === 'always';
  return (stream as NodeJS.WriteStream).isTTY === true && !env.NO_COLOR;
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
    registryMirrors: global.registryMirrors,
    progress: wantsProgress(global.quiet) ? terminalProgress() : undefined,
  };
}
