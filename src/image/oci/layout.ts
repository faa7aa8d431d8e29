// `oci-dir://PATH` and `oci-archive://PATH`: an OCI image layout, as a directory or a tar of one
// (https://github.com/opencontainers/image-spec/blob/main/image-layout.md). index.json may name
// several images (`org.opencontainers.image.ref.name`, or containerd's `io.containerd.image.name`);
// `--ref` picks one, and an entry that is itself an index goes through platform selection.
import { stat } from 'node:fs/promises';
import { SpyglassError } from '../../core/errors.ts';
import { sha256Digest } from '../../core/digest.ts';
import { formatImageRef, parseImageRef } from '../../core/reference.ts';
import { MAX_MANIFEST_BYTES, type RootManifest } from '../blob-store.ts';
import { parseManifestDocument, type IndexDocument } from '../manifest.ts';
import { MediaType } from '../media-types.ts';
import type { Descriptor, Image, ImageSourceKind, OpenImageOptions } from '../model.ts';
import { resolveImage } from '../resolve.ts';
import { openArchiveFile } from '../tar/archive-file.ts';
import { LayoutBlobStore, directoryFiles, tarFiles, type LayoutFiles } from './layout-store.ts';

export const REF_NAME = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME = 'io.containerd.image.name';

type SourceOptions = OpenImageOptions & { input: string };

/** The names an index.json entry carries: containerd's full name first, then the OCI ref name. */
export function entryNames(descriptor: Descriptor): string[] {
  const names = [descriptor.annotations?.[CONTAINERD_NAME], descriptor.annotations?.[REF_NAME]];
  return [...new Set(names.filter((name): name is string => typeof name === 'string' && name !== ''))];
}

/** Whether `wanted` (what the user typed) names `name`: literally, or as the same normalised image reference. */
export function refMatches(wanted: string, name: string): boolean {
  if (wanted === name) return true;
  try {
    return formatImageRef(parseImageRef(wanted)) === formatImageRef(parseImageRef(name));
  } catch {
    return false;
  }
}

/** Reads and checks index.json; every way it can be unusable is a one-line error. */
export async function readLayoutIndex(files: LayoutFiles): Promise<{ bytes: Buffer; index: IndexDocument }> {
  const { label } = files;
  if ((await files.kind('oci-layout')) !== 'file') throw new SpyglassError(`${label}: not an OCI image layout (no oci-layout file)`);
  const kind = await files.kind('index.json');
  if (kind === undefined) throw new SpyglassError(`${label}: not an OCI image layout (no index.json)`);
  if (kind === 'dir') throw new SpyglassError(`${label}: index.json is a directory, not a file`);
  const bytes = await files.read('index.json', MAX_MANIFEST_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SpyglassError(`${label}: index.json is not valid JSON`);
  }
  const manifests = (parsed as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests) || manifests.length === 0) throw new SpyglassError(`${label}: index.json lists no images`);
  const doc = parseManifestDocument(bytes, `${label} index.json`, MediaType.ociIndex);
  if (doc.kind !== 'index') throw new SpyglassError(`${label}: index.json is not an image index`);
  return { bytes, index: doc };
}

function describeChoices(entries: Descriptor[]): string {
  return entries.map((entry) => entryNames(entry)[0] ?? entry.digest).join(', ');
}

/**
 * The root to resolve: the entry `ref` names (or whose digest it is), else the only image, else — for an index.json that is
 * itself a multi-platform index (entries with platforms and no names) — index.json as a whole.
 */
export async function chooseLayoutRoot(
  store: LayoutBlobStore, bytes: Buffer, index: IndexDocument, ref: string | undefined,
): Promise<RootManifest> {
  const label = store.label;
  let candidates = index.manifests;
  if (ref !== undefined) {
    // By name, or by the entry's manifest digest (how a base image named by digest is found in the same layout).
    candidates = candidates.filter((entry) => entry.digest === ref || entryNames(entry).some((name) => refMatches(ref, name)));
    if (candidates.length === 0) {
      throw new SpyglassError(`${label}: no image named "${ref}" in the layout (it has: ${describeChoices(index.manifests)})`);
    }
  }
  const digests = new Set(candidates.map((entry) => entry.digest));
  if (digests.size > 1) {
    const flatIndex = ref === undefined && candidates.every((entry) => entry.platform && entryNames(entry).length === 0);
    if (flatIndex) {
      const descriptor: Descriptor = { mediaType: index.mediaType, digest: sha256Digest(bytes), size: bytes.length };
      return { descriptor, bytes, names: [] };
    }
    const how = ref === undefined ? 'choose one with --ref' : `"${ref}" names more than one`;
    throw new SpyglassError(`${label}: the layout holds ${digests.size} images; ${how} (${describeChoices(candidates)})`);
  }
  const descriptor = candidates[0]!;
  const names = [...new Set(candidates.flatMap(entryNames))];
  return { descriptor, bytes: await store.readManifest(descriptor), names };
}

/** Resolves the image of a layout whose files and store are open; closes the store on error. */
export async function openLayoutImage(
  files: LayoutFiles, store: LayoutBlobStore, options: SourceOptions, source: ImageSourceKind,
): Promise<Image> {
  try {
    const { bytes, index } = await readLayoutIndex(files);
    const root = await chooseLayoutRoot(store, bytes, index, options.ref);
    return await resolveImage(store, root, { source, input: options.input, platform: options.platform });
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** `oci-dir://PATH`. */
export async function openOciDirImage(path: string, options: SourceOptions): Promise<Image> {
  const label = options.input;
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new SpyglassError(`${label}: no such directory`);
  if (!info.isDirectory()) throw new SpyglassError(`${label}: not a directory (for a tar of an OCI layout use oci-archive://)`);
  const files = directoryFiles(path, label);
  return openLayoutImage(files, new LayoutBlobStore(files), options, 'oci-dir');
}

/** `oci-archive://PATH`: a tar (optionally gzip or zstd compressed) of an OCI layout. */
export async function openOciArchiveImage(path: string, options: SourceOptions): Promise<Image> {
  const archive = await openArchiveFile(path, { cacheDir: options.cacheDir, label: options.input });
  const files = tarFiles(archive.index);
  return openLayoutImage(files, new LayoutBlobStore(files, archive.close), options, 'oci-archive');
}
