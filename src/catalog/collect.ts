// Files that are no package metadata but that a later stage reads from the image: OpenVEX documents
// named `*.vex.json` (Docker Scout reads those wherever they are in the final image). catalogAndCollect
// runs a collector as one more cataloger that finds no packages and keeps the file's text, so the
// files come from the same single walk over the layers, under the same caps, through the same per-layer
// cache (the collector's `id@version` joins the cache key, not the Sbom's cataloger list), and only
// those that survive in the squashed image are handed back.
import type { Digest } from '../core/digest.ts';
import type { Cataloger, CatalogResult } from './cataloger.ts';

export interface FileCollector {
  id: string;
  /** Bump when `wants` changes: cached layers are keyed by it. */
  version: number;
  /** Called for every regular file (and hard link) of every layer: keep it cheap. */
  wants(path: string, info: { size: number; mode: number }): boolean;
  /** Larger files are not read; they come back as `uncollected`. */
  maxFileBytes: number;
}

/** A collected file as it is in the squashed image, with the layer that last wrote it. */
export interface CollectedFile {
  path: string;
  layerDiffId: Digest;
  text: string;
}

export function collectorCataloger(collector: FileCollector): Cataloger {
  return {
    id: `collect:${collector.id}`,
    version: collector.version,
    wants: (path, info) => collector.wants(path, info),
    maxFileBytes: collector.maxFileBytes,
    parse: (file): CatalogResult => ({ packages: [], collected: file.content.toString('utf8') }),
  };
}
