// `spyglass serve`: the HTTP API, webhook receivers, a worker and the background tasks in one process.
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import { globalOptions, type CommandContext } from './context.ts';
import { addWorkerOptions, serverOptions, type ServerCommandOptions } from './server-options.ts';

export function registerServe(program: Command, context: CommandContext): void {
  addWorkerOptions(program.command('serve'))
    .description('run the Spyglass server: REST API, registry webhooks, analysis workers (SQLite in the data directory by default)')
    .addHelpText('after', `
Examples:
  $ spyglass serve
  $ spyglass serve --listen 0.0.0.0:8080 --public-url https://spyglass.example.com
  $ SPYGLASS_DATABASE_URL=postgres://spyglass@db/spyglass spyglass serve --no-worker`)
    .option('--listen <host:port>', 'address to listen on (port 0: any free port)', '127.0.0.1:8080')
    .option('--public-url <url>', 'the URL registries and clients reach this server by (default http://LISTEN)')
    .option('--max-body-bytes <n>', 'largest request body accepted (default 1048576)')
    .option('--db-update-interval <seconds>', 'run `db update` every this many seconds (default 0: never)')
    .option('--db-source <NAME=URL|PATH>', 'where the scheduled `db update` reads feed NAME (repeatable; a mirror or local folder, as `db update --source`); default: every feed\'s public location', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--trust-proxy <addresses>', 'reverse proxies (IP addresses or CIDR ranges, comma-separated) whose X-Forwarded-For gives the client address')
    .option('--no-worker', 'run no jobs in this process (leave them to `spyglass worker` processes sharing --database)')
    .action(async (options: ServerCommandOptions & { listen: string; worker: boolean }) => {
      const { parseListen, startServer, closeOnSignal } = await import('../server/server.ts');
      const listen = parseListen(options.listen);
      if (options.publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(options.publicUrl)) {
        throw new SpyglassError(`--public-url ${options.publicUrl}: expected http(s)://HOST[:PORT][/PATH]`);
      }
      const global = globalOptions(program);
      const base = serverOptions(options, global, options.publicUrl ?? '');
      const server = await startServer({ ...base, listen, worker: options.worker, log: (line) => context.stderr.write(`${line}\n`) });
      context.stderr.write(`listening on ${server.url}\n`);
      await closeOnSignal(() => server.close());
    });
}
