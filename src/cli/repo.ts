// `spyglass repo enable|disable|list`: repository activation through the server's API.
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { addClientOptions, ApiClient, table, type ClientOptions } from './api-client.ts';
import { parseFormat, type CommandContext } from './context.ts';

interface RepositoryView {
  id: string;
  repository: string;
  enabled: boolean;
  lastPushedAt: string | null;
}

/** The repository named `registry/name` or by id; `registry/name` not yet known is added (activating before the first push). */
async function resolve(client: ApiClient, reference: string, addMissing: boolean): Promise<RepositoryView> {
  const { repositories } = await client.request<{ repositories: RepositoryView[] }>('GET', await client.orgPath('/repositories'));
  const found = repositories.find((repository) => repository.id === reference || repository.repository === reference.replace(/^[a-z]+:\/\//i, ''));
  if (found !== undefined) return found;
  const slash = reference.indexOf('/');
  if (!addMissing || slash <= 0) throw new SpyglassError(`no repository ${reference} in ${await client.org()} (give registry/name or an id; see spyglass repo list)`);
  return client.request<RepositoryView>('POST', await client.orgPath('/repositories'), { registry: reference.slice(0, slash), name: reference.slice(slash + 1) });
}

export function registerRepo(program: Command, context: CommandContext): void {
  const repo = program.command('repo').description('repositories of an organization on a Spyglass server: list, enable, disable analysis')
    .addHelpText('after', `
Examples:
  $ spyglass repo list
  $ spyglass repo enable registry.example.com/team/app`);

  addClientOptions(repo.command('enable').argument('<repository>', 'registry/name or repository id'))
    .description('activate analysis of a repository (its most recent images are analysed at once)')
    .addHelpText('after', `
Examples:
  $ spyglass repo enable registry.example.com/team/app`)
    .action(async (reference: string, options: ClientOptions) => {
      const client = new ApiClient(options);
      const repository = await resolve(client, reference, true);
      const enabled = await client.request<RepositoryView>('PUT', await client.orgPath(`/repositories/${encodeURIComponent(repository.id)}/activation`));
      context.stdout.write(`${enabled.repository}: enabled\n`);
    });

  addClientOptions(repo.command('disable').argument('<repository>', 'registry/name or repository id'))
    .description('stop analysing a repository')
    .addHelpText('after', `
Examples:
  $ spyglass repo disable registry.example.com/team/app`)
    .action(async (reference: string, options: ClientOptions) => {
      const client = new ApiClient(options);
      const repository = await resolve(client, reference, false);
      const disabled = await client.request<RepositoryView>('DELETE', await client.orgPath(`/repositories/${encodeURIComponent(repository.id)}/activation`));
      context.stdout.write(`${disabled.repository}: disabled\n`);
    });

  addClientOptions(repo.command('list'))
    .description('repositories seen through integrations, with their activation')
    .addHelpText('after', `
Examples:
  $ spyglass repo list
  $ spyglass repo list --format json`)
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: ClientOptions & { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const client = new ApiClient(options);
      const answer = await client.request<{ repositories: RepositoryView[]; activated: number; limit: number | null; plan: string }>('GET', await client.orgPath('/repositories'));
      if (format === 'json') {
        context.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
        return;
      }
      context.stdout.write(table([
        ['REPOSITORY', 'ENABLED', 'LAST PUSH', 'ID'],
        ...answer.repositories.map((r) => [r.repository, r.enabled ? 'yes' : 'no', r.lastPushedAt ?? '-', r.id]),
      ]));
      context.stdout.write(`${answer.activated} of ${answer.limit ?? 'unlimited'} activated (plan ${answer.plan})\n`);
    });
}
