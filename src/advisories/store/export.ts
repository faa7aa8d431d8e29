// `db export` / `db import`: the database as one gzip file to carry to an air-gapped machine. Inside
// the gzip stream: one JSON header line (format, schema, build time, size and SHA-256 of the database
// bytes), then the SQLite file itself. gzip's own CRC catches most damage; the SHA-256 catches the rest
// and a file that is not ours.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
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

/** Reads the database file once, from an open descriptor: the published file is only ever replaced by rename. */
async function* chunksOf(fd: number): AsyncIterable<Buffer> {
  yield* createReadStream('', { fd, start: 0, autoClose: false }) as AsyncIterable<Buffer>;
}

export async function exportDatabase(dataDir: string, file: string): Promise<ExportHeader> {
  const path = databasePath(dataDir);
  if (!existsSync(path)) throw noDatabaseError(dataDir);
  // The descriptor keeps the file this export started on, even if an update publishes a new one meanwhile.
  const fd = openSync(path, 'r');
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    const status = readStatus(db);
    db.close();
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of chunksOf(fd)) {
      hash.update(chunk);
      size += chunk.length;
    }
    const header: ExportHeader = { format: FORMAT, schemaVersion: status.schemaVersion, builtAt: status.builtAt, size, sha256: hash.digest('hex') };
    async function* content(): AsyncIterable<Buffer> {
      yield Buffer.from(`${JSON.stringify(header)}\n`);
      yield* chunksOf(fd);
    }
    await pipeline(content(), createGzip(), createWriteStream(temp));
    renameSync(temp, file);
    return header;
  } catch (error) {
    rmSync(temp, { force: true });
    throw new SpyglassError(`cannot write ${file}: ${errorText(error)}`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks an export whole (gzip CRC, header, size, SHA-256, schema, SQLite quick_check) on a temporary
 * file in the data directory, streaming, before it replaces the database with one rename.
 */
export async function importDatabase(dataDir: string, file: string): Promise<ExportHeader> {
  if (!existsSync(file)) throw new SpyglassError(`${file}: no such file`);
  const refuse = (why: string) => new SpyglassError(`${file} is not a usable spyglass database export: ${why}`);
  mkdirSync(dataDir, { recursive: true });
  // Named like the writer's temporaries, so that one left by a killed import is removed by the next update.
  const temp = join(dataDir, `${DATABASE_FILE}.${process.pid}.import.tmp`);
  const hash = createHash('sha256');
  let header: ExportHeader | undefined;
  let size = 0;
  const output = await open(temp, 'w');
  try {
    try {
      await pipeline(createReadStream(file), createGunzip(), async (source: AsyncIterable<Buffer>) => {
        let pending = Buffer.alloc(0);
        for await (const chunk of source) {
          let body = chunk;
          if (header === undefined) {
            pending = Buffer.concat([pending, chunk]);
            const newline = pending.indexOf(0x0a);
            if (newline < 0) {
              if (pending.length > 4096) throw refuse('header: no header line');
              continue;
            }
            header = parseHeader(pending.subarray(0, newline), refuse);
            body = pending.subarray(newline + 1);
          }
          hash.update(body);
          size += body.length;
          await output.write(body);
        }
      });
    } catch (error) {
      if (error instanceof SpyglassError) throw error;
      throw refuse(`gzip: ${errorText(error)}`);
    } finally {
      await output.close();
    }
    if (header === undefined) throw refuse('header: no header line');
    if (size !== header.size) throw refuse(`${size} database bytes, the header says ${header.size}`);
    const digest = hash.digest('hex');
    if (digest !== header.sha256) throw refuse(`SHA-256 ${digest} does not match the header's ${header.sha256}`);
    if (header.schemaVersion !== SCHEMA_VERSION) {
      throw refuse(`schema ${header.schemaVersion}, this spyglass reads ${SCHEMA_VERSION} (export it again with this version)`);
    }
    const db = new Database(temp, { readonly: true });
    const version = readSchemaVersion(db);
    const check: unknown = db.pragma('quick_check', { simple: true });
    db.close();
    if (version !== SCHEMA_VERSION || check !== 'ok') throw refuse(`SQLite check: ${String(check)}`);
    renameSync(temp, databasePath(dataDir));
    return header;
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof SpyglassError) throw error;
    throw new SpyglassError(`cannot import ${file}: ${errorText(error)}`, { cause: error });
  }
}

function parseHeader(line: Buffer, refuse: (why: string) => SpyglassError): ExportHeader {
  try {
    const header = JSON.parse(line.toString('utf8')) as ExportHeader;
    if (header.format !== FORMAT) throw new Error(`format ${String(header.format)}`);
    return header;
  } catch (error) {
    throw refuse(`header: ${errorText(error)}`);
  }
}
