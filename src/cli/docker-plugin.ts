// `spyglass docker-plugin install|uninstall`: Spyglass as a Docker CLI plugin, so that `docker spyglass
// quickview IMAGE` works the way `docker scout quickview IMAGE` does. Docker's plugin convention
// (github.com/docker/cli, cli-plugins/manager): an executable `docker-<name>` in `$DOCKER_CONFIG/cli-plugins`
// (default `~/.docker/cli-plugins`) answers `docker-cli-plugin-metadata` with a JSON description and is
// otherwise run as `docker-<name> <name> ARGS`.
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TOOL_VERSION } from '../catalog/version.ts';
import { errorText, SpyglassError } from '../core/errors.ts';
import type { CommandContext } from './context.ts';

export const PLUGIN_FILE = 'docker-spyglass';
/** The line that marks a plugin file as written by Spyglass, so that uninstall never removes another tool's file. */
const MARKER = '# Docker CLI plugin written by `spyglass docker-plugin install`';

/** What `docker-spyglass docker-cli-plugin-metadata` prints; SchemaVersion 0.1.0 is the only one Docker defines. */
export function pluginMetadata(version: string = TOOL_VERSION): Record<string, string> {
  return {
    SchemaVersion: '0.1.0',
    Vendor: 'Spyglass',
    Version: version,
    ShortDescription: 'Analyse container images: packages, vulnerabilities, base images',
  };
}

/** The plugin directory: --dir, else $DOCKER_CONFIG/cli-plugins, else ~/.docker/cli-plugins (where the docker client looks). */
export function pluginDirectory(dir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (dir !== undefined) return resolve(dir);
  if (env.DOCKER_CONFIG) return join(resolve(env.DOCKER_CONFIG), 'cli-plugins');
  return join(homedir(), '.docker', 'cli-plugins');
}

/** How this Spyglass was started: the node binary, its flags (tsx's loader when run from the sources) and the CLI entry. */
export interface SpyglassCommand {
  node: string;
  nodeArgs: readonly string[];
  entry: string;
}

export function currentCommand(): SpyglassCommand {
  const entry = process.argv[1];
  if (entry === undefined) throw new SpyglassError('docker-plugin install: cannot tell which file started spyglass (no script in process.argv)');
  // The real path, not npm's symlink in <prefix>/bin, which may later point at another install.
  return { node: process.execPath, nodeArgs: absoluteNodeArgs(process.execArgv), entry: realpathSync(entry) };
}

const MODULE_FLAGS = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);

/**
 * Node's flags with the modules they load made absolute (`--import tsx` when run from the sources), because
 * Docker starts the plugin in whatever directory the user is in, where a bare or relative name would not resolve.
 */
export function absoluteNodeArgs(args: readonly string[]): string[] {
  const absolute = (specifier: string): string => {
    if (specifier.startsWith('file:') || specifier.startsWith('node:') || isAbsolute(specifier)) return specifier;
    if (specifier.startsWith('.')) return resolve(specifier);
    try {
      return import.meta.resolve(specifier);
    } catch {
      return specifier;
    }
  };
  return args.map((arg, index) => {
    const [flag, value] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (value !== undefined && MODULE_FLAGS.has(flag)) return `${flag}=${absolute(value)}`;
    return index > 0 && MODULE_FLAGS.has(args[index - 1]!) ? absolute(arg) : arg;
  });
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The POSIX shell script Docker runs: the metadata answer, then this Spyglass with Docker's leading `spyglass` dropped. */
export function pluginScript(command: SpyglassCommand, version: string = TOOL_VERSION): string {
  const run = [command.node, ...command.nodeArgs, command.entry].map(shellQuote).join(' ');
  return [
    '#!/bin/sh',
    MARKER,
    `# Spyglass ${version}; re-run the install after moving or upgrading Spyglass.`,
    'if [ "$1" = "docker-cli-plugin-metadata" ]; then',
    `  printf '%s\\n' ${shellQuote(JSON.stringify(pluginMetadata(version)))}`,
    '  exit 0',
    'fi',
    'if [ "$1" = "spyglass" ]; then shift; fi',
    `exec ${run} "$@"`,
    '',
  ].join('\n');
}

/** The first executable `docker` on PATH, or undefined. */
export function findDocker(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'docker');
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // Not in this PATH entry.
    }
  }
  return undefined;
}

/** Writes the plugin file (atomically: a temporary file renamed over it) and returns its path. */
export function installPlugin(dir: string, command: SpyglassCommand): string {
  const target = join(dir, PLUGIN_FILE);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, pluginScript(command), { mode: 0o755 });
    chmodSync(temporary, 0o755); // writeFileSync's mode is reduced by the umask
    renameSync(temporary, target);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The directory was never usable (ENOTDIR, EACCES): there is no temporary file to remove.
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpyglassError(`docker-plugin install: plugin directory ${dir} is not writable (${code ?? errorText(error)})`);
  }
  return target;
}

/** Removes the plugin file if Spyglass wrote it; returns false when there was none. */
export function uninstallPlugin(dir: string): boolean {
  const target = join(dir, PLUGIN_FILE);
  if (!existsSync(target)) return false;
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (error) {
    throw new SpyglassError(`docker-plugin uninstall: cannot read ${target} (${errorText(error)})`);
  }
  if (!text.includes(MARKER)) throw new SpyglassError(`docker-plugin uninstall: ${target} was not written by spyglass docker-plugin install; left in place`);
  try {
    rmSync(target);
  } catch (error) {
    throw new SpyglassError(`docker-plugin uninstall: cannot remove ${target} (${(error as NodeJS.ErrnoException).code ?? errorText(error)})`);
  }
  return true;
}

export function registerDockerPlugin(program: Command, context: CommandContext): void {
  const plugin = program
    .command('docker-plugin')
    .description('install spyglass as a Docker CLI plugin (docker spyglass ...)')
    .addHelpText('after', '\nExamples:\n  spyglass docker-plugin install\n  docker spyglass quickview registry://alpine:3.20\n  spyglass docker-plugin uninstall');
  plugin
    .command('install')
    .description(`write ${PLUGIN_FILE} into Docker's plugin directory`)
    .addHelpText('after', `
Examples:
  $ spyglass docker-plugin install
  $ spyglass docker-plugin install --dir ~/.docker/cli-plugins`)
    .option('--dir <dir>', 'plugin directory (default $DOCKER_CONFIG/cli-plugins or ~/.docker/cli-plugins)')
    .action((options: { dir?: string }) => {
      const dir = pluginDirectory(options.dir);
      const command = currentCommand();
      const target = installPlugin(dir, command);
      context.stdout.write(`installed ${target} (spyglass ${TOOL_VERSION}, ${command.entry})\n`);
      if (findDocker() === undefined) context.stderr.write('warning: no docker client on PATH; `docker spyglass` works once Docker is installed\n');
    });
  plugin
    .command('uninstall')
    .description(`remove ${PLUGIN_FILE} from Docker's plugin directory`)
    .addHelpText('after', `
Examples:
  $ spyglass docker-plugin uninstall`)
    .option('--dir <dir>', 'plugin directory (default $DOCKER_CONFIG/cli-plugins or ~/.docker/cli-plugins)')
    .action((options: { dir?: string }) => {
      const dir = pluginDirectory(options.dir);
      const removed = uninstallPlugin(dir);
      context.stdout.write(removed ? `removed ${join(dir, PLUGIN_FILE)}\n` : `no plugin to remove: ${join(dir, PLUGIN_FILE)} does not exist\n`);
    });
}
