// `archive://PATH`: a `docker save` tar, plain or gzip/zstd compressed. Two layouts exist:
//   classic (Docker < 25, podman, skopeo): manifest.json + `<config>.json` + layer files;
//   Docker >= 25: an OCI image layout (index.json, blobs/) with manifest.json beside it.
// For the second, the OCI path is preferred so the manifest digest and annotations are the real
// ones; manifest.json still decides which image (RepoTags) and is the fallback when index.json is
// unusable (go-containerregistry's hello-world-v25.tar has `"manifests": null`).
import { SpyglassError } from '../../core/errors.ts';
import { sha256Digest, type Digest } from '../../core/digest.ts';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from '../blob-store.ts';
import type { Descriptor, Image, ImageSourceKind, OpenImageOptions } from '../model.ts';
import { entryNames, openLayoutImage, readLayoutIndex, refMatches } from '../oci/layout.ts';
import { LayoutBlobStore, tarFiles } from '../oci/layout-store.ts';
import { resolveImage } from '../resolve.ts';
import { openArchiveFile } from '../tar/archive-file.ts';
import type { TarIndex } from '../tar/tar-index.ts';
import { classicImage, hexFromName } from './classic.ts';
import { chooseDockerEntry, parseDockerManifest, type DockerSaveEntry } from './docker-manifest.ts';

type SourceOptions = OpenImageOptions & { input: string };

async function entryConfigDigest(index: TarIndex, entry: DockerSaveEntry): Promise<Digest> {
  const hex = hexFromName(entry.config);
  return hex ? `sha256:${hex}` : sha256Digest(await index.readFile(entry.config, MAX_CONFIG_BYTES));
}

/**
 * The image of a Docker >= 25 tar reached through its OCI index: the index entry whose image has the
 * config the manifest.json entry names (entries carrying one of its RepoTags are tried first).
 * Undefined when the tar has no usable layout or no entry leads to that config.
 */
async function imageViaLayout(index: TarIndex, entry: DockerSaveEntry, options: SourceOptions, source: ImageSourceKind, close: () => Promise<void>): Promise<Image | undefined> {
  if (!index.resolve('oci-layout') || !index.resolve('index.json')) return undefined;
  const files = tarFiles(index);
  const store = new LayoutBlobStore(files, close);
  let layoutIndex;
  try {
    layoutIndex = await readLayoutIndex(files);
  } catch (error) {
    if (error instanceof SpyglassError) return undefined;
    throw error;
  }
  const wanted = await entryConfigDigest(index, entry);
  const named = (d: Descriptor) => entryNames(d).some((name) => entry.repoTags.some((tag) => refMatches(tag, name)));
  const candidates = [...layoutIndex.index.manifests].sort((a, b) => Number(named(b)) - Number(named(a)));
  for (const candidate of candidates) {
    let image: Image;
    try {
      const root = { descriptor: candidate, bytes: await store.readManifest(candidate), names: entryNames(candidate) };
      image = await resolveImage(store, root, { source, input: options.input, platform: options.platform });
    } catch (error) {
      if (error instanceof SpyglassError) continue;
      throw error;
    }
    if (image.configDigest === wanted) return { ...image, names: entry.repoTags.length > 0 ? entry.repoTags : image.names };
  }
  return undefined;
}

/**
 * Opens a docker-save tar as the given source kind (`archive`, or `local` for a tar exported by the
 * engine). `extraClose` runs after the image's own temporary files are removed.
 */
export async function openDockerArchive(path: string, options: SourceOptions, source: ImageSourceKind, extraClose: () => Promise<void> = async () => {}): Promise<Image> {
  const label = options.input;
  const archive = await openArchiveFile(path, { cacheDir: options.cacheDir, label });
  const close = async () => {
    await archive.close();
    await extraClose();
  };
  try {
    const { index } = archive;
    if (!index.resolve('manifest.json')) {
      if (index.resolve('oci-layout')) {
        const files = tarFiles(index);
        return await openLayoutImage(files, new LayoutBlobStore(files, close), options, source);
      }
      if (index.resolve('repositories')) {
        throw new SpyglassError(`${label}: legacy docker save archive without manifest.json (Docker < 1.10) is not supported; re-save it with a current Docker`);
      }
      throw new SpyglassError(`${label}: no manifest.json: not a docker save archive`);
    }
    const entries = parseDockerManifest(await index.readFile('manifest.json', MAX_MANIFEST_BYTES), label);
    const entry = chooseDockerEntry(entries, options.ref, label);
    const image = await imageViaLayout(index, entry, options, source, close);
    return image ?? (await classicImage(index, entry, options, source, close));
  } catch (error) {
    await close();
    throw error;
  }
}

/** `archive://PATH`. */
export function openArchiveImage(path: string, options: SourceOptions): Promise<Image> {
  return openDockerArchive(path, options, 'archive');
}
