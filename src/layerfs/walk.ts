// Reads an image's layers once each, bottom first, one at a time: blob → decompress → (sha256 against
// the diff_id, tar parse) → the consumer. Memory stays bounded by the selected bodies.
import { createHash } from 'node:crypto';
import { SpyglassError } from '../core/errors.ts';
import type { Image, Layer, ProgressSink } from '../image/model.ts';
import { decompressedChunks } from './decompress.ts';
import { FileTree, type LayerRef, type LayerStats } from './file-tree.ts';
import { DEFAULT_MAX_FILE_BYTES, TarReader, type OversizePolicy, type TarEntry } from './tar-reader.ts';

import { DEFAULT_MAX_LAYER_BYTES } from './limits.ts';

export { DEFAULT_MAX_LAYER_BYTES };

export interface WalkOptions {
  /** Which file bodies to buffer; cheap, called for every file entry of every layer. Default: none. */
  wants?: (path: string, entry: TarEntry) => boolean;
  /** Per-file cap on buffered bodies; default 64 MiB. */
  maxFileBytes?: number;
  /** Over-cap files: `skip` (default; recorded in `warnings`) or `error`. */
  oversize?: OversizePolicy;
  /** Cap on each layer's decompressed size; default 8 GiB. */
  maxLayerBytes?: number;
  /** Decompressed bytes per layer, labelled by diff_id. */
  progress?: ProgressSink;
}

/** What walkLayers hands the consumer for each entry; `body` only when `wants` selected it. */
export type EntryVisitor = (layer: Layer, entry: TarEntry, body: Buffer | undefined) => void;

/**
 * Streams every layer of `image` through the tar reader, bottom first, calling `visit` in tar order.
 * Each layer's uncompressed bytes are checked against its diff_id. Returns per-layer counts;
 * warnings (oversize files) are pushed to `warnings`.
 */
export async function walkLayers(
  image: Image,
  options: WalkOptions,
  visit: EntryVisitor,
  warnings: string[] = [],
): Promise<LayerStats[]> {
  const stats: LayerStats[] = [];
  const wants = options.wants;
  for (const layer of image.layers) {
    const label = layer.diffId ?? layer.digest;
    const where = `layer ${label} of ${image.input}`;
    const layerStats: LayerStats = {
      index: layer.index,
      diffId: layer.diffId,
      digest: layer.digest,
      entries: 0,
      whiteouts: 0,
      compressedBytes: layer.size,
      uncompressedBytes: 0,
      selectedFiles: 0,
      selectedBytes: 0,
    };
    const reader = new TarReader({
      where,
      maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      oversize: options.oversize,
      onOversize: (entry, message) => {
        warnings.push(message);
        visit(layer, entry, undefined);
      },
      onEntry: (entry) => {
        if (entry.path.includes('/.wh.')) {
          layerStats.whiteouts++;
          visit(layer, entry, undefined);
          return false;
        }
        const selected = wants !== undefined && entry.type === 'file' && wants(entry.path, entry);
        // Selected entries are visited once their body is complete (or right away, when over the cap).
        if (!selected) visit(layer, entry, undefined);
        return selected;
      },
      onBody: (entry, body) => {
        layerStats.selectedFiles++;
        layerStats.selectedBytes += body.length;
        visit(layer, entry, body);
      },
    });
    const hash = createHash('sha256');
    const id = `layer:${label}`;
    options.progress?.start(id, label, undefined);
    const blob = await layer.open();
    for await (const chunk of decompressedChunks(blob, { layer: label, image: image.input, maxBytes: options.maxLayerBytes ?? DEFAULT_MAX_LAYER_BYTES })) {
      hash.update(chunk);
      reader.write(chunk);
      options.progress?.advance(id, chunk.length);
    }
    reader.end();
    options.progress?.done(id);
    const actual = `sha256:${hash.digest('hex')}`;
    if (layer.diffId !== undefined && layer.diffId.startsWith('sha256:') && actual !== layer.diffId) {
      throw new SpyglassError(`${where}: content does not match its diff_id (got ${actual})`);
    }
    layerStats.entries = reader.entries;
    layerStats.uncompressedBytes = reader.bytes;
    stats.push(layerStats);
  }
  return stats;
}

/**
 * Builds the squashed file tree of `image`, buffering the bodies `wants` selects.
 *
 * Hard links: a link has no body of its own in the tar; it reads its target's buffered content, so
 * a predicate that selects a link path should select the target path too (a warning says when not).
 */
export async function buildFileTree(image: Image, options: WalkOptions = {}): Promise<FileTree> {
  const tree = new FileTree(image.input);
  const refs = new Map<number, LayerRef>();
  const stats = await walkLayers(
    image,
    options,
    (layer, entry, body) => {
      let ref = refs.get(layer.index);
      if (ref === undefined) {
        ref = { index: layer.index, diffId: layer.diffId };
        refs.set(layer.index, ref);
      }
      tree.apply(ref, entry, body);
      if (entry.type === 'hardlink' && options.wants?.(entry.path, entry) && tree.readFile(entry.path) === undefined) {
        tree.warnings.push(`${entry.path} in layer ${layer.diffId} of ${image.input}: hard link to ${entry.linkname}, whose content was not selected`);
      }
    },
    tree.warnings,
  );
  tree.layers.push(...stats);
  return tree;
}
