// `spyglass login SERVER` checks a token against the server and keeps server and token in the
// configuration file (mode 0600), so the client commands need neither --server nor --token;
// `spyglass logout` removes the token.
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { ApiClient, readStdin } from './api-client.ts';
import { configPath, loadConfig, updateConfig } from './config.ts';
import type { CommandContext } from './context.ts';

export function registerLogin(program: Command, context: CommandContext): void {
  program.command('login')
    .description('check an API token against a Spyglass server and store server and token in the config file')
    .argument('<server>', 'the server URL, e.g. https://spyglass.example.com')
    .option('--token <token>', 'the API token (visible to other users in the process list: prefer --token-stdin)')
    .option('--token-stdin', 'read the API token from standard input')
    .addHelpText('after', `
Examples:
  $ spyglass login https://spyglass.example.com --token-stdin < token.txt
  $ echo "$SPYGLASS_TOKEN" | spyglass login http://127.0.0.1:8080 --token-stdin`)
    .action(async (server: string, options: { token?: string; tokenStdin?: boolean }) => {
      if (options.token !== undefined && options.tokenStdin === true) throw new SpyglassError('login: give --token or --token-stdin, not both');
      const token = options.tokenStdin === true ? (await readStdin()).trim() : options.token;
      if (token === undefined || token === '') throw new SpyglassError('login: no token: give --token-stdin (the token on standard input) or --token TOKEN');
      const normalized = server.replace(/\/+$/, '');
      // Neither the environment nor the file may stand in for what is being checked.
      let me: { org: string; email: string | null };
      try {
        me = await new ApiClient({ server: normalized, token }, {}, {}).request('GET', '/api/v1/me');
      } catch (error) {
        if (!(error instanceof SpyglassError)) throw error;
        throw new SpyglassError(`login ${normalized}: ${error.message.replace(/ \(check --token or SPYGLASS_TOKEN\)/, '')}; nothing was stored`);
      }
      const path = configPath();
      updateConfig(path, { server: normalized, token });
      context.stdout.write(`Logged in to ${normalized} as ${me.email ?? 'a token'} (organization ${me.org}); token stored in ${path}\n`);
    });

  program.command('logout')
    .description('remove the API token from the config file (the server stays)')
    .addHelpText('after', `
Examples:
  $ spyglass logout`)
    .action(() => {
      const { path, values } = loadConfig();
      if (values.token === undefined) {
        context.stdout.write(`Not logged in: ${path} holds no token\n`);
        return;
      }
      updateConfig(path, { token: undefined });
      context.stdout.write(`Removed the token${values.server !== undefined ? ` for ${values.server}` : ''} from ${path}\n`);
    });
}
