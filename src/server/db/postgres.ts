// The server database on PostgreSQL: one pool per process; API processes and any number of workers
// share it (the job queue claims with FOR UPDATE SKIP LOCKED, see queue.ts).
import pg from 'pg';
import { numberPlaceholders, type Row, type Sql, type SqlValue } from './sql.ts';

// BIGINT (int8) as a JS number: the server's integers are millisecond times and counters, far below 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

function wrap(client: Queryable, transaction: Sql['transaction'], close: () => Promise<void>): Sql {
  const all = async <T extends Row>(sql: string, params: readonly SqlValue[] = []) =>
    (await client.query(numberPlaceholders(sql), [...params])).rows as T[];
  return {
    dialect: 'postgres',
    all,
    get: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (await all<T>(sql, params))[0],
    run: async (sql: string, params: readonly SqlValue[] = []) => (await client.query(numberPlaceholders(sql), [...params])).rowCount ?? 0,
    transaction,
    close,
  };
}

export function openPostgres(url: string, options: { max?: number } = {}): Sql {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client's error (the server restarting) must not end the process; the next query reconnects.
  pool.on('error', () => undefined);
  const transaction = async <T>(work: (tx: Sql) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    const tx: Sql = wrap(client, (inner) => inner(tx), async () => undefined);
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  return wrap(pool, transaction, () => pool.end());
}
