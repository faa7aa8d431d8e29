// One layer's catalogue: every tar entry (to rebuild the squashed tree without reading the layer
// again), and what each cataloger found in each file this layer wrote. Identified by the layer's
// diff_id and the catalogers' ids and versions, and cached under that key.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorText } from '../core/errors.ts';
import { digestHex, type Digest } from '../core/digest.ts';
import type { UnknownFile } from '../core/package.ts';
import type { Image, Layer } from '../image/model.ts';
import { walkLayers, type TarEntry } from '../layerfs/index.ts';
import type { Cataloger, CatalogResult } from './cataloger.ts';

/** Bump when the shape of a cached LayerCatalog changes. */
const FORMAT = 1;

/** Files kept whole for distribution detection (os/): small text files, resolved in the squashed tree. */
export const OS_FILES: ReadonlySet<string> = new Set([
  '/etc/os-release', '/usr/lib/os-release', '/etc/alpine-release', '/etc/debian_version', '/etc/lsb-release',
  '/etc/redhat-release', '/etc/centos-release', '/etc/rocky-release', '/etc/almalinux-release', '/etc/oracle-release',
  '/etc/fedora-release', '/etc/system-release', '/etc/SuSE-release', '/etc/photon-release', '/etc/mariner-release',
  '/etc/azurelinux-release', '/etc/wolfi-release', '/etc/apk/repositories', '/usr/lib/system-release',
]);
const MAX_OS_FILE_BYTES = 64 * 1024;

/** A tar entry as kept in the cache: `[path, type, mode, size, linkname]`. */
export type ListedEntry = [string, TarEntry['type'], number, number, string];

export interface FileFindings {
  /** `cataloger id` → what it found in this file. */
  results: Record<string, CatalogResult>;
  unknowns: UnknownFile[];
}

export interface LayerCatalog {
  format: number;
  diffId: Digest;
  catalogers: string[];
  entries: ListedEntry[];
  /** Tar path → findings, for files this layer wrote that a cataloger wanted. */
  files: Record<string, FileFindings>;
  /** Tar path → text, for OS release files. */
  osFiles: Record<string, string>;
}

export function catalogerKey(catalogers: readonly Cataloger[]): string[] {
  return catalogers.map((cataloger) => `${cataloger.id}@${cataloger.version}`).sort();
}

function cachePath(cacheDir: string, diffId: Digest, key: string[]): string {
  const hash = createHash('sha256').update(`${FORMAT}\n${key.join('\n')}`).digest('hex').slice(0, 16);
  return join(cacheDir, 'catalog', `${digestHex(diffId)}-${hash}.json`);
}

export async function loadCachedLayer(cacheDir: string, diffId: Digest, key: string[]): Promise<LayerCatalog | undefined> {
  try {
    const cached = JSON.parse(await readFile(cachePath(cacheDir, diffId, key), 'utf8')) as LayerCatalog;
    return cached.format === FORMAT && cached.diffId === diffId ? cached : undefined;
  } catch {
    return undefined;
  }
}

/** Written through a unique temporary file and renamed: two processes may cache the same layer at once. */
export async function storeCachedLayer(cacheDir: string, catalog: LayerCatalog): Promise<void> {
  const path = cachePath(cacheDir, catalog.diffId, catalog.catalogers);
  await mkdir(join(cacheDir, 'catalog'), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, JSON.stringify(catalog));
  await rename(temporary, path);
}

/** Reads one layer once and runs every cataloger on the files it wants. */
export async function catalogLayer(
  image: Image,
  layer: Layer,
  catalogers: readonly Cataloger[],
  options: { maxLayerBytes?: number },
): Promise<LayerCatalog> {
  const catalog: LayerCatalog = {
    format: FORMAT, diffId: layer.diffId, catalogers: catalogerKey(catalogers), entries: [], files: {}, osFiles: {},
  };
  const interested = (path: string, info: { size: number; mode: number }) => catalogers.filter((cataloger) => cataloger.wants(path, info));
  const pending: Promise<void>[] = [];
  const capOf = (cataloger: Cataloger) => cataloger.maxFileBytes ?? 64 * 1024 * 1024;
  const maxFileBytes = Math.max(MAX_OS_FILE_BYTES, ...catalogers.map(capOf));
  const overCap = (entry: TarEntry, cataloger: Cataloger) => `${entry.size} bytes, over the ${capOf(cataloger)} byte cap of ${cataloger.id}`;
  await walkLayers(
    { ...image, layers: [layer] },
    {
      wants: (path, entry) => OS_FILES.has(path) || interested(path, entry).length > 0,
      maxFileBytes,
      maxLayerBytes: options.maxLayerBytes,
    },
    (_layer, entry, body) => {
      catalog.entries.push([entry.path, entry.type, entry.mode, entry.size, entry.linkname]);
      // A wanted file over every cataloger's cap arrives without its body: it is an unknown too.
      if (body === undefined && !(entry.type === 'file' && entry.size > maxFileBytes)) return;
      if (body !== undefined && OS_FILES.has(entry.path) && body.length <= MAX_OS_FILE_BYTES) catalog.osFiles[entry.path] = body.toString('utf8');
      const findings: FileFindings = { results: {}, unknowns: [] };
      for (const cataloger of interested(entry.path, entry)) {
        const unknown = (reason: string) => findings.unknowns.push({ path: entry.path, layerDiffId: layer.diffId, cataloger: cataloger.id, reason });
        if (body === undefined || body.length > capOf(cataloger)) {
          unknown(overCap(entry, cataloger));
          continue;
        }
        // Warnings (a damaged record among good ones, a nested archive past the depth limit) are shown
        // with the unknowns: the file was read, but not all of it.
        const record = (result: CatalogResult) => {
          findings.results[cataloger.id] = result;
          for (const warning of result.warnings ?? []) unknown(warning);
        };
        try {
          const result = cataloger.parse({ path: entry.path, content: body, mode: entry.mode, layerDiffId: layer.diffId });
          if (result instanceof Promise) pending.push(result.then(record, (error: unknown) => void unknown(errorText(error))));
          else record(result);
        } catch (error) {
          unknown(errorText(error));
        }
      }
      catalog.files[entry.path] = findings;
    },
  );
  await Promise.all(pending);
  for (const [path, findings] of Object.entries(catalog.files)) {
    if (Object.keys(findings.results).length === 0 && findings.unknowns.length === 0) delete catalog.files[path];
  }
  return catalog;
}
