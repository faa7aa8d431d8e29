// `spyglass worker`: analysis jobs only (no HTTP), sharing the queue through the server database.
import type { Command } from 'commander';
import { globalOptions, type CommandContext } from './context.ts';
import { addWorkerOptions, serverOptions, type ServerCommandOptions } from './server-options.ts';

export function registerWorker(program: Command, context: CommandContext): void {
  addWorkerOptions(program.command('worker'))
    .description('run analysis jobs from the shared server database (PostgreSQL with --database, for several machines)')
    .addHelpText('after', `
Examples:
  $ spyglass worker --database postgres://spyglass@db/spyglass`)
    .option('--public-url <url>', 'the server URL (for links in notifications)')
    .action(async (options: ServerCommandOptions) => {
      const { startWorkerProcess, closeOnSignal } = await import('../server/server.ts');
      const worker = await startWorkerProcess(serverOptions(options, globalOptions(program), options.publicUrl ?? ''));
      context.stderr.write('worker started\n');
      await closeOnSignal(() => worker.close());
    });
}
