// `spyglass notification add|list|remove`: where an organization is told about new vulnerabilities.
import type { Command } from 'commander';
import { addClientOptions, ApiClient, table, type ClientOptions } from './api-client.ts';
import { parseFormat, type CommandContext } from './context.ts';

interface TargetView {
  id: string;
  kind: string;
  url: string;
  repository?: string;
}

export function registerNotification(program: Command, context: CommandContext): void {
  const notification = program.command('notification').description('notification targets of an organization on a Spyglass server')
    .addHelpText('after', `
Examples:
  $ spyglass notification list
  $ spyglass notification add --url https://hooks.example.com/spyglass`);

  addClientOptions(notification.command('add'))
    .description('send notifications to a JSON webhook (HMAC-SHA256 signed) or, with --slack, a Slack incoming webhook')
    .addHelpText('after', `
Examples:
  $ spyglass notification add --url https://hooks.example.com/spyglass
  $ spyglass notification add --slack --url https://hooks.slack.com/services/T/B/X --repository registry.example.com/team/app`)
    .requiredOption('--url <url>', 'where to send them')
    .option('--slack', 'a Slack-compatible incoming webhook')
    .option('--repository <repository>', 'only for this repository (registry/name or id)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: ClientOptions & { url: string; slack?: boolean; repository?: string; format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const client = new ApiClient(options);
      const created = await client.request<{ id: string; secret: string | null }>('POST', await client.orgPath('/notifications'), {
        url: options.url, kind: options.slack === true ? 'slack' : 'webhook',
        ...(options.repository !== undefined ? { repository: options.repository } : {}),
      });
      if (format === 'json') {
        context.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
        return;
      }
      context.stdout.write(`Notification target ${created.id}\n`);
      if (created.secret !== null) context.stdout.write(`Signing secret  ${created.secret}\n(HMAC-SHA256 of the body; shown only now)\n`);
    });

  addClientOptions(notification.command('list'))
    .description("the organization's notification targets")
    .addHelpText('after', `
Examples:
  $ spyglass notification list
  $ spyglass notification list --format json`)
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: ClientOptions & { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const client = new ApiClient(options);
      const { targets } = await client.request<{ targets: TargetView[] }>('GET', await client.orgPath('/notifications'));
      if (format === 'json') {
        context.stdout.write(`${JSON.stringify(targets, null, 2)}\n`);
        return;
      }
      context.stdout.write(table([['ID', 'KIND', 'REPOSITORY', 'URL'], ...targets.map((t) => [t.id, t.kind, t.repository ?? '(all)', t.url])]));
    });

  addClientOptions(notification.command('remove').argument('<id>', 'target id'))
    .description('remove a notification target')
    .addHelpText('after', `
Examples:
  $ spyglass notification remove TARGET_ID`)
    .action(async (id: string, options: ClientOptions) => {
      const client = new ApiClient(options);
      await client.request('DELETE', await client.orgPath(`/notifications/${encodeURIComponent(id)}`));
      context.stdout.write(`removed notification target ${id}\n`);
    });
}
