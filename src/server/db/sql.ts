// One small interface over the server's two databases: SQLite in the data directory (the default,
// nothing to install) and PostgreSQL (many API and worker processes). Statements are written once with
// `?` placeholders in the SQL both understand; the PostgreSQL side numbers them (`$1`, `$2`…).

export type SqlValue = string | number | bigint | null | Buffer;
export type Row = Record<string, unknown>;

export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a query. */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement without rows; returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` placeholders → `$1`, `$2`… (our statements never hold a literal `?`). */
export function numberPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/** Database integers arrive as numbers (SQLite) or strings (PostgreSQL BIGINT): one way to read them. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

/** A JSON document stored in a TEXT column; undefined when the column is empty or does not hold JSON. */
export function jsonColumn<T>(value: unknown): T | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

export function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
