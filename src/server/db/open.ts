// Opens the server database: SQLite in the data directory by default, PostgreSQL for a postgres:// URL.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorText, SpyglassError } from '../../core/errors.ts';
import { migrate } from './schema.ts';
import type { Sql } from './sql.ts';

export const SERVER_DATABASE_FILE = 'server.db';

/** A fixed key for PostgreSQL's advisory lock around schema creation (several processes start at once). */
const MIGRATION_LOCK = 0x5397_1a55;

export async function openServerDatabase(options: { dataDir: string; databaseUrl?: string | undefined }): Promise<Sql> {
  const url = options.databaseUrl;
  if (url !== undefined && url !== '' && !/^postgres(ql)?:\/\//.test(url)) {
    throw new SpyglassError(`--database ${url}: expected a postgres:// URL (without it the server uses SQLite in the data directory)`);
  }
  if (url !== undefined && url !== '') {
    const { openPostgres } = await import('./postgres.ts');
    const sql = openPostgres(url);
    try {
      await sql.transaction(async (tx) => {
        await tx.run('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
        await migrate(tx, async (ddl) => {
          for (const statement of ddl.split(/;\s*\n/).map((text) => text.trim()).filter(Boolean)) await tx.run(statement);
        });
      });
    } catch (error) {
      await sql.close().catch(() => undefined);
      throw new SpyglassError(`cannot open the server database at ${redactUrl(url)}: ${errorText(error)}`, { cause: error });
    }
    return sql;
  }
  mkdirSync(options.dataDir, { recursive: true });
  const path = join(options.dataDir, SERVER_DATABASE_FILE);
  const { SqliteSql } = await import('./sqlite.ts');
  let sql: InstanceType<typeof SqliteSql>;
  try {
    sql = new SqliteSql(path);
    await migrate(sql, async (ddl) => sql.exec(ddl));
  } catch (error) {
    throw new SpyglassError(`cannot open the server database ${path}: ${errorText(error)}`, { cause: error });
  }
  return sql;
}

/** A database URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
