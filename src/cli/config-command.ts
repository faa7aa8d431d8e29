// `spyglass config get|set|unset|list|path`: the configuration file (docs/config.md) without an editor.
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { table } from './api-client.ts';
import { configPath, keyPath, loadConfig, flattenConfig, maskToken, updateConfig } from './config.ts';
import { parseFormat, type CommandContext } from './context.ts';

export function registerConfig(program: Command, context: CommandContext): void {
  const config = program.command('config').description('the configuration file: defaults for server, token, platform, directories, formats, registry mirrors')
    .addHelpText('after', `
Examples:
  $ spyglass config set format.cves sarif
  $ spyglass config set registryMirrors.docker.io mirror.example.com
  $ spyglass config list --format json
  $ spyglass config path`);

  config.command('get')
    .description('print one value of the file (exit 1 when it is not set)')
    .argument('<key>', 'server, token, platform, cacheDir, dataDir, format.COMMAND, registryMirrors.HOST')
    .addHelpText('after', `
Examples:
  $ spyglass config get server
  $ spyglass config get format.cves`)
    .action((key: string) => {
      const at = keyPath(key);
      const { path, values } = loadConfig();
      const value = at.length === 1 ? values[at[0] as keyof typeof values] : (values[at[0] as 'format' | 'registryMirrors'] ?? {})[at[1]!];
      if (value === undefined) throw new SpyglassError(`${key} is not set in ${path}`);
      context.stdout.write(`${String(value)}\n`);
    });

  config.command('set')
    .description('set one value (checked against docs/config.schema.json) and write the file with mode 0600')
    .argument('<key>', 'server, token, platform, cacheDir, dataDir, format.COMMAND, registryMirrors.HOST')
    .argument('<value>', 'the value')
    .addHelpText('after', `
Examples:
  $ spyglass config set platform linux/arm64
  $ spyglass config set dataDir ~/spyglass-data
  $ spyglass config set format.quickview json`)
    .action((key: string, value: string) => {
      updateConfig(configPath(), { [key]: value });
    });

  config.command('unset')
    .description('remove one value from the file (also a key the file should not have)')
    .argument('<key>', 'the key to remove')
    .addHelpText('after', `
Examples:
  $ spyglass config unset format.cves
  $ spyglass config unset registryMirrors.docker.io`)
    .action((key: string) => {
      if (updateConfig(configPath(), { [key]: undefined }).length === 0) context.stderr.write(`${key} was not set in ${configPath()}\n`);
    });

  config.command('list')
    .description('every value of the file (the token shortened)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', `
Examples:
  $ spyglass config list
  $ spyglass config list --format json`)
    .action((options: { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const { path, values } = loadConfig();
      if (format === 'json') {
        const shown = values.token === undefined ? values : { ...values, token: maskToken(values.token) };
        context.stdout.write(`${JSON.stringify({ path, values: shown }, null, 2)}\n`);
        return;
      }
      const rows = flattenConfig(values);
      context.stdout.write(rows.length === 0 ? `(${path} sets nothing)\n` : table(rows));
    });

  config.command('path')
    .description('where the file is ($SPYGLASS_CONFIG, else $XDG_CONFIG_HOME/spyglass/config.yaml)')
    .addHelpText('after', `
Examples:
  $ spyglass config path
  $ $EDITOR "$(spyglass config path)"`)
    .action(() => {
      context.stdout.write(`${configPath()}\n`);
    });
}
