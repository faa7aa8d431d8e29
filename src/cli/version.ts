// `spyglass version`: what a bug report needs: the tool, Node.js, the platform, and which
// vulnerability database answers (its schema, when it was built, how old it is).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { isSpyglassError } from '../core/errors.ts';
import { formatAge } from './db.ts';
import { globalOptions, parseFormat, type CommandContext } from './context.ts';

interface DatabaseVersion {
  path: string;
  schemaVersion: number;
  builtAt: string;
  ageSeconds: number;
}

export function registerVersion(program: Command, context: CommandContext, version: string): void {
  program.command('version')
    .description('the version of spyglass, Node.js, the platform and the vulnerability database')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', `
Examples:
  $ spyglass version
  $ spyglass version --format json`)
    .action(async (options: { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const { dataDir } = globalOptions(program);
      const { SqliteAdvisoryStore, databasePath } = await import('../advisories/store/sqlite.ts');
      const path = databasePath(dataDir);
      let database: DatabaseVersion | undefined;
      let problem: string | undefined;
      if (existsSync(path)) {
        try {
          const store = SqliteAdvisoryStore.open(dataDir);
          const status = await store.status();
          await store.close();
          database = { path, schemaVersion: status.schemaVersion, builtAt: status.builtAt, ageSeconds: Math.floor((Date.now() - Date.parse(status.builtAt)) / 1000) };
        } catch (error) {
          // An unreadable database is part of the answer, not a reason to give none.
          if (!isSpyglassError(error)) throw error;
          problem = error.message;
        }
      }
      const platform = `${process.platform}/${process.arch}`;
      if (format === 'json') {
        context.stdout.write(`${JSON.stringify({ version, node: process.version, platform, dataDir, database: database ?? null, ...(problem !== undefined ? { databaseError: problem } : {}) }, null, 2)}\n`);
        return;
      }
      const described = database !== undefined
        ? `schema ${database.schemaVersion}, built ${database.builtAt} (${formatAge(database.ageSeconds * 1000)} ago), ${database.path}`
        : problem ?? `no database in ${dataDir} (run \`spyglass db update\`)`;
      context.stdout.write([`spyglass  ${version}`, `Node.js   ${process.version}`, `Platform  ${platform}`, `Database  ${described}`].join('\n') + '\n');
    });
}
