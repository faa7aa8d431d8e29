// `db export` / `db import`: the database as one gzip file to carry to an air-gapped machine. Inside
// the gzip stream: one JSON header line (format, schema, build time, size and SHA-256 of the database
// bytes), then the SQLite file itself. gzip's own CRC catches most damage; the SHA-256 catches the rest
// and a file that is not ours.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { DATABASE_FILE, SCHEMA_VERSION } from './schema.ts';
import { databasePath, noDatabaseError, readSchemaVersion, readStatus } from './sqlite.ts';

const FORMAT = 'spyglass-db-export';

interface ExportHeader {
  format: typeof FORMAT;
  schemaVersion: number;
  builtAt: string;
  size: number;
  sha256: string;
}

export async function exportDatabase(dataDir: string, file: string): Promise<ExportHeader> {
  const path = databasePath(dataDir);
  if (!existsSync(path)) throw noDatabaseError(dataDir);
  // The published file is replaced whole by rename, never written in place: reading it is a snapshot.
  const bytes = readFileSync(path);
  const db = new Database(bytes);
  const status = readStatus(db);
  db.close();
  const header: ExportHeader = {
    format: FORMAT,
    schemaVersion: status.schemaVersion,
    builtAt: status.builtAt,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, gzipSync(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), bytes])));
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new SpyglassError(`cannot write ${file}: ${errorText(error)}`, { cause: error });
  }
  return header;
}

/** Checks an export whole (gzip, header, size, SHA-256, schema) before it replaces the database. */
export async function importDatabase(dataDir: string, file: string): Promise<ExportHeader> {
  if (!existsSync(file)) throw new SpyglassError(`${file}: no such file`);
  const refuse = (why: string) => new SpyglassError(`${file} is not a usable spyglass database export: ${why}`);
  let content: Buffer;
  try {
    content = gunzipSync(readFileSync(file));
  } catch (error) {
    throw refuse(`gzip: ${errorText(error)}`);
  }
  const newline = content.indexOf(0x0a);
  let header: ExportHeader;
  try {
    if (newline < 0 || newline > 4096) throw new Error('no header line');
    header = JSON.parse(content.subarray(0, newline).toString('utf8')) as ExportHeader;
    if (header.format !== FORMAT) throw new Error(`format ${String(header.format)}`);
  } catch (error) {
    throw refuse(`header: ${errorText(error)}`);
  }
  const bytes = content.subarray(newline + 1);
  if (bytes.length !== header.size) throw refuse(`${bytes.length} database bytes, the header says ${header.size}`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== header.sha256) throw refuse(`SHA-256 ${digest} does not match the header's ${header.sha256}`);
  if (header.schemaVersion !== SCHEMA_VERSION) {
    throw refuse(`schema ${header.schemaVersion}, this spyglass reads ${SCHEMA_VERSION} (export it again with this version)`);
  }
  mkdirSync(dataDir, { recursive: true });
  const temp = join(dataDir, `${DATABASE_FILE}.${process.pid}.import.tmp`);
  try {
    writeFileSync(temp, bytes);
    const db = new Database(temp, { readonly: true });
    const version = readSchemaVersion(db);
    const check = db.pragma('quick_check', { simple: true });
    db.close();
    if (version !== SCHEMA_VERSION || check !== 'ok') throw refuse(`SQLite check: ${String(check)}`);
    renameSync(temp, databasePath(dataDir));
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof SpyglassError) throw error;
    throw new SpyglassError(`cannot import ${file}: ${errorText(error)}`, { cause: error });
  }
  return header;
}
