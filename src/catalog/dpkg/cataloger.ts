// The dpkg cataloger: installed packages from the status database, each package's files from
// info/NAME.list (status.d/NAME.md5sums on distroless images), licences from DEP-5 copyright files.
import { posix } from 'node:path';
import type { Cataloger, CatalogFile, CatalogResult } from '../cataloger.ts';
import { parseCopyright } from './copyright.ts';
import { parseDpkgStatus } from './status.ts';

const STATUS = '/var/lib/dpkg/status';
const STATUS_D = '/var/lib/dpkg/status.d/';
const INFO = '/var/lib/dpkg/info/';
const DOC = /^\/usr\/share\/doc\/([^/]+)\/copyright$/;

/**
 * Files distroless images keep beside each status.d/NAME paragraph file: maintainer scripts and
 * checksums, not paragraphs. Names may contain dots (libpython3.11), so only these suffixes are skipped.
 */
const STATUS_D_COMPANIONS = /\.(md5sums|preinst|postinst|prerm|postrm|config|templates|conffiles|triggers|shlibs|symbols|list)$/;

/** `info/NAME.list`: one absolute path per line, `/.` for the root. */
function listedFiles(text: string, relative: boolean): string[] {
  const files: string[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    // md5sums lines are `CHECKSUM  relative/path`.
    if (relative) line = line.replace(/^[0-9a-f]{32}\s+/, '');
    if (line === '' || line === '/.') continue;
    files.push(relative && !line.startsWith('/') ? `/${line}` : line);
  }
  return files;
}

function parse(file: CatalogFile): CatalogResult {
  const { path } = file;
  const text = file.content.toString('utf8');
  if (path.startsWith(INFO)) {
    return { packages: [], fileLists: [{ owner: posix.basename(path, '.list'), files: listedFiles(text, false) }] };
  }
  if (path.startsWith(STATUS_D) && path.endsWith('.md5sums')) {
    return { packages: [], fileLists: [{ owner: posix.basename(path, '.md5sums'), files: listedFiles(text, true) }] };
  }
  const doc = DOC.exec(path);
  if (doc) {
    const licenses = parseCopyright(text);
    return { packages: [], licenses: licenses.length > 0 ? [{ owner: doc[1]!, licenses }] : [] };
  }
  const { packages, warnings } = parseDpkgStatus(text, path !== STATUS);
  return warnings.length > 0 ? { packages, warnings } : { packages };
}

export const dpkgCataloger: Cataloger = {
  id: 'dpkg',
  version: 1,
  wants(path) {
    if (path === STATUS) return true;
    if (path.startsWith(STATUS_D)) {
      const name = path.slice(STATUS_D.length);
      return name !== '' && !name.includes('/') && (!STATUS_D_COMPANIONS.test(name) || name.endsWith('.md5sums'));
    }
    if (path.startsWith(INFO)) return path.endsWith('.list') && !path.slice(INFO.length).includes('/');
    return DOC.test(path);
  },
  // The status database of a large system is a few MiB; copyright files and lists are smaller.
  maxFileBytes: 32 * 1024 * 1024,
  parse,
};
