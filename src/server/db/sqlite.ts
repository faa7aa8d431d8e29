// The embedded server database: one SQLite file in the data directory (WAL, so readers never wait for
// the writer). better-sqlite3 is synchronous; a transaction holds the one connection until it ends,
// and statements of other callers wait for it (they are queued, never interleaved into it).
import Database from 'better-sqlite3';
import type { Row, Sql, SqlValue } from './sql.ts';

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((value) => (typeof value === 'boolean' ? Number(value) : value));
}

export class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /** The transaction in progress: others wait for it to end. */
  #busy: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 10000');
    this.#db.pragma('foreign_keys = ON');
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #all<T>(sql: string, params: readonly SqlValue[]): T[] {
    return this.#prepare(sql).all(...bind(params)) as T[];
  }

  #run(sql: string, params: readonly SqlValue[]): number {
    const statement = this.#prepare(sql);
    if (statement.reader) {
      statement.all(...bind(params));
      return 0;
    }
    return statement.run(...bind(params)).changes;
  }

  /** Plain statements wait for a transaction in progress, so they never land inside it. */
  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    await this.#busy;
    return this.#all<T>(sql, params);
  }

  async get<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    await this.#busy;
    return this.#run(sql, params);
  }

  /** Multi-statement DDL (schema creation). */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const previous = this.#busy;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.#busy = previous.then(() => done);
    await previous;
    const tx: Sql = {
      dialect: 'sqlite',
      all: async <R extends Row>(sql: string, params: readonly SqlValue[] = []) => this.#all<R>(sql, params),
      get: async <R extends Row>(sql: string, params: readonly SqlValue[] = []) => this.#all<R>(sql, params)[0],
      run: async (sql: string, params: readonly SqlValue[] = []) => this.#run(sql, params),
      transaction: (inner) => inner(tx),
      close: async () => undefined,
    };
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = await work(tx);
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw error;
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    await this.#busy;
    this.#db.close();
  }
}
