// `spyglass integration add|list|remove`: registry integrations through the server's API (Owner).
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { addClientOptions, ApiClient, readStdin, table, type ClientOptions } from './api-client.ts';
import { parseFormat, type CommandContext } from './context.ts';

interface IntegrationView {
  id: string;
  type: string;
  name: string;
  registry?: string;
  webhookUrl?: string;
  pollIntervalSeconds?: number;
}

export function registerIntegration(program: Command, context: CommandContext): void {
  const integration = program.command('integration').description('registry integrations of an organization on a Spyglass server')
    .addHelpText('after', `
Examples:
  $ spyglass integration list
  $ spyglass integration add --type distribution --name main`);

  addClientOptions(integration.command('add'))
    .description('add a registry integration; prints its webhook URL and secret once')
    .addHelpText('after', `
Examples:
  $ spyglass integration add --type distribution --name main
  $ spyglass integration add --type poller --name hub --registry https://registry.example.com --username ci --password-stdin < password.txt`)
    .requiredOption('--type <type>', 'distribution, harbor, artifactory or poller')
    .requiredOption('--name <name>', 'a name for it, unique in the organization')
    .option('--registry <url>', 'the registry (required for poller)')
    .option('--username <user>', 'registry user (with --password-stdin)')
    .option('--password-stdin', 'read the registry password from standard input')
    .option('--poll-interval <seconds>', 'poller: seconds between listings')
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: ClientOptions & { type: string; name: string; registry?: string; username?: string; passwordStdin?: boolean; pollInterval?: string; format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      if ((options.username !== undefined) !== (options.passwordStdin === true)) throw new SpyglassError('--username and --password-stdin go together');
      let pollIntervalSeconds: number | undefined;
      if (options.pollInterval !== undefined) {
        pollIntervalSeconds = Number(options.pollInterval);
        if (!Number.isInteger(pollIntervalSeconds)) throw new SpyglassError(`--poll-interval ${options.pollInterval}: expected whole seconds`);
      }
      const client = new ApiClient(options);
      const password = options.passwordStdin === true ? await readStdin() : undefined;
      const created = await client.request<{ id: string; webhookUrl: string | null; secret: string | null }>('POST', await client.orgPath('/integrations'), {
        type: options.type, name: options.name,
        ...(options.registry !== undefined ? { registry: options.registry } : {}),
        ...(options.username !== undefined ? { username: options.username, password } : {}),
        ...(pollIntervalSeconds !== undefined ? { pollIntervalSeconds } : {}),
      });
      if (format === 'json') {
        context.stdout.write(`${JSON.stringify({ id: created.id, webhookUrl: created.webhookUrl, secret: created.secret }, null, 2)}\n`);
        return;
      }
      context.stdout.write(`Integration ${options.name} (${created.id})\n`);
      if (created.webhookUrl !== null) {
        context.stdout.write(`Webhook URL  ${created.webhookUrl}\nSecret       ${created.secret}\n`);
        context.stdout.write('The registry sends the secret as "Authorization: Bearer SECRET". It is shown only now.\n');
      }
    });

  addClientOptions(integration.command('list'))
    .description("the organization's integrations")
    .addHelpText('after', `
Examples:
  $ spyglass integration list
  $ spyglass integration list --format json`)
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: ClientOptions & { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const client = new ApiClient(options);
      const { integrations } = await client.request<{ integrations: IntegrationView[] }>('GET', await client.orgPath('/integrations'));
      if (format === 'json') {
        context.stdout.write(`${JSON.stringify(integrations, null, 2)}\n`);
        return;
      }
      context.stdout.write(table([
        ['NAME', 'TYPE', 'REGISTRY', 'WEBHOOK URL / INTERVAL', 'ID'],
        ...integrations.map((i) => [i.name, i.type, i.registry ?? '-', i.webhookUrl ?? `${i.pollIntervalSeconds ?? '-'} s`, i.id]),
      ]));
    });

  addClientOptions(integration.command('remove').argument('<integration>', 'id or name'))
    .description('remove an integration (its repositories and images stay)')
    .addHelpText('after', `
Examples:
  $ spyglass integration remove main`)
    .action(async (reference: string, options: ClientOptions) => {
      const client = new ApiClient(options);
      const { integrations } = await client.request<{ integrations: IntegrationView[] }>('GET', await client.orgPath('/integrations'));
      const found = integrations.find((i) => i.id === reference || i.name === reference);
      if (found === undefined) throw new SpyglassError(`no integration ${reference} in ${await client.org()} (see spyglass integration list)`);
      await client.request('DELETE', await client.orgPath(`/integrations/${encodeURIComponent(found.id)}`));
      context.stdout.write(`removed integration ${found.name}\n`);
    });
}
