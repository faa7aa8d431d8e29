// Installed Python packages (https://packaging.python.org/en/latest/specifications/recording-installed-packages/):
// wheels' `*.dist-info/METADATA`, eggs' `*.egg-info/PKG-INFO` (or an `*.egg-info` file holding the
// same text, as distutils wrote it), unpacked eggs' `EGG-INFO/PKG-INFO`, and zipped `*.egg` files
// with `EGG-INFO/PKG-INFO` inside. The path suffixes are trivy's (case-sensitive, as Python writes them).
import { readZipEntry, zipEntries } from '../zip.ts';
import type { Cataloger, CatalogFile, CatalogResult } from '../cataloger.ts';
import { parseCoreMetadata } from './core-metadata.ts';

const METADATA_SUFFIXES = ['.dist-info/METADATA', '.egg-info/PKG-INFO', '/EGG-INFO/PKG-INFO', '.egg-info'];

/** The metadata file inside a zipped egg, and the most of it we inflate (a real one is a few kB). */
const EGG_METADATA = 'EGG-INFO/PKG-INFO';
const MAX_EGG_METADATA_BYTES = 4 * 1024 * 1024;

/** Read with the capped zip reader that Java archives use: sizes are checked before inflating. */
function eggMetadata(egg: Buffer): Buffer {
  try {
    const entry = zipEntries(egg).find((candidate) => candidate.name === EGG_METADATA);
    if (entry && entry.size <= MAX_EGG_METADATA_BYTES) return readZipEntry(egg, entry, MAX_EGG_METADATA_BYTES);
  } catch (error) {
    throw new Error(`unreadable .egg zip: ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new Error(`no ${EGG_METADATA} (of at most ${MAX_EGG_METADATA_BYTES} bytes) in the .egg zip`);
}

export function parsePythonPackage(file: CatalogFile): CatalogResult {
  const content = file.path.endsWith('.egg') ? eggMetadata(file.content) : file.content;
  const metadata = parseCoreMetadata(content);
  return {
    packages: [{ type: 'pypi', name: metadata.name, version: metadata.version, licenses: metadata.licenses }],
  };
}

export const pythonPackageCataloger: Cataloger = {
  id: 'python-package-metadata',
  version: 1,
  wants: (path) => path.endsWith('.egg') || METADATA_SUFFIXES.some((suffix) => path.endsWith(suffix)),
  // Metadata files are small; zipped eggs hold the whole package's code.
  maxFileBytes: 64 * 1024 * 1024,
  parse: parsePythonPackage,
};
