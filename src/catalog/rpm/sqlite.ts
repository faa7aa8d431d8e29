// rpm's SQLite backend (rpm ≥ 4.16, lib/backend/sqlite.c): one row per installed package in
// `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`, the blob being the header. rpm -qa lists them by hnum.
import Database from 'better-sqlite3';

/** SQLite file header: bytes 18 and 19 are the write and read format versions, 2 meaning WAL. */
const WAL_VERSION = 2;
const LEGACY_VERSION = 1;

export function readSqliteHeaders(content: Buffer): Buffer[] {
  if (content.length < 100 || content.toString('latin1', 0, 16) !== 'SQLite format 3\0') throw new Error('not an SQLite database');
  // rpm keeps its database in WAL mode, and SQLite cannot open a WAL-mode image from memory; the rows
  // are all in the main file once rpm has closed it, so read it as a rollback-journal database.
  let image = content;
  if (content[18] === WAL_VERSION || content[19] === WAL_VERSION) {
    image = Buffer.from(content);
    image[18] = LEGACY_VERSION;
    image[19] = LEGACY_VERSION;
  }
  let db: Database.Database;
  try {
    db = new Database(image, { readonly: true });
  } catch (error) {
    throw new Error(`unreadable SQLite database: ${(error as Error).message}`);
  }
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Packages'").get();
    if (!table) throw new Error('SQLite database without a Packages table');
    const blobs: Buffer[] = [];
    for (const row of db.prepare('SELECT blob FROM Packages ORDER BY hnum').raw().iterate()) {
      const blob = (row as unknown[])[0];
      if (!Buffer.isBuffer(blob)) throw new Error('rpm SQLite database: a Packages row holds no blob');
      blobs.push(blob);
    }
    return blobs;
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.startsWith('SQLite') || message.startsWith('rpm') ? message : `corrupt SQLite database: ${message}`);
  } finally {
    db.close();
  }
}
