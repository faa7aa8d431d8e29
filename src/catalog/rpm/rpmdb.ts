// The rpm cataloger: the installed-package database in whichever of rpm's three formats the image
// uses, at the places rpm keeps it (`/var/lib/rpm`, and `/usr/lib/sysimage/rpm` since rpm 4.16 /
// openSUSE, where /var/lib/rpm is often a symlink to it). Every package rpm -qa lists is reported,
// gpg-pubkey pseudo-packages included, as rpm -qa does.
import type { Cataloger, CatalogFile, CatalogResult } from '../cataloger.ts';
import { readBdbHeaders } from './bdb.ts';
import { headerToPackage, parseHeaderBlob } from './header.ts';
import { readNdbHeaders } from './ndb.ts';
import { readSqliteHeaders } from './sqlite.ts';

const DIRECTORIES = ['/var/lib/rpm/', '/usr/lib/sysimage/rpm/'];

const READERS: Record<string, (content: Buffer) => Buffer[]> = {
  'rpmdb.sqlite': readSqliteHeaders,
  'Packages.db': readNdbHeaders,
  Packages: readBdbHeaders,
};

function databaseName(path: string): string | undefined {
  const directory = DIRECTORIES.find((candidate) => path.startsWith(candidate));
  const name = directory === undefined ? undefined : path.slice(directory.length);
  return name !== undefined && Object.hasOwn(READERS, name) ? name : undefined;
}

export function parseRpmDatabase(file: CatalogFile): CatalogResult {
  const name = databaseName(file.path) ?? file.path.slice(file.path.lastIndexOf('/') + 1);
  const read = READERS[name];
  if (!read) throw new Error(`not an rpm database name: ${name}`);
  const warnings: string[] = [];
  const packages = read(file.content).flatMap((blob, index) => {
    // One bad header loses one package, not the database: rpm -qa also skips headers it cannot import.
    try {
      return [headerToPackage(parseHeaderBlob(blob))];
    } catch (error) {
      warnings.push(`package ${index + 1}: ${(error as Error).message}`);
      return [];
    }
  });
  if (packages.length === 0 && warnings.length > 0) throw new Error(`no readable package header (${warnings[0]})`);
  return warnings.length > 0 ? { packages, warnings } : { packages };
}

export const rpmdbCataloger: Cataloger = {
  id: 'rpmdb',
  version: 1,
  wants: (path) => databaseName(path) !== undefined,
  // Large Fedora or RHEL databases pass 64 MiB; the whole file is needed to read any of the formats.
  maxFileBytes: 256 * 1024 * 1024,
  parse: parseRpmDatabase,
};
