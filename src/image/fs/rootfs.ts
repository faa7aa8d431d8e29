import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { arch } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { sha256Digest, type Digest } from '../../core/digest.ts';
import { parseImageConfig, configPlatform } from '../manifest.ts';
import { MediaType } from '../media-types.ts';
import type { Image, OpenImageOptions } from '../model.ts';

/** Node's names for processors, in OCI's words (GOARCH). */
const OCI_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

interface RootEntry {
  /** Path inside the root, without a leading slash; directories end without one too. */
  name: string;
  absolute: string;
}

async function listTree(root: string): Promise<RootEntry[]> {
  const entries: RootEntry[] = [];
  async function visit(relative: string): Promise<void> {
    const names = (await readdir(join(root, relative))).sort();
    for (const name of names) {
      const child = relative ? `${relative}/${name}` : name;
      entries.push({ name: child, absolute: join(root, child) });
      const info = await lstat(join(root, child));
      if (info.isDirectory()) await visit(child);
    }
  }
  await visit('');
  return entries;
}

/**
 * Writes the directory as one deterministic tar (names sorted, numeric owners, PAX for long names):
 * the layer a `docker import` of this directory would make, so the directory has a real diff_id.
 * Sockets are left out, as tar does.
 */
function tarOf(entries: RootEntry[]): Readable {
  const pack = tarStream.pack();
  (async () => {
    for (const entry of entries) {
      const info = await lstat(entry.absolute);
      const base = { name: entry.name, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid, mtime: new Date(Math.floor(info.mtimeMs / 1000) * 1000) };
      if (info.isDirectory()) pack.entry({ ...base, type: 'directory' });
      else if (info.isSymbolicLink()) pack.entry({ ...base, type: 'symlink', linkname: await readlink(entry.absolute) });
      else if (info.isFIFO()) pack.entry({ ...base, type: 'fifo' });
      else if (info.isFile()) {
        const sink = pack.entry({ ...base, type: 'file', size: info.size });
        await pipeline(createReadStream(entry.absolute), sink);
      }
    }
    pack.finalize();
  })().catch((error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))));
  // tar-stream's streams are streamx streams: hand out a Node Readable.
  return Readable.from(pack);
}

async function digestOf(stream: Readable): Promise<{ digest: Digest; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** `fs://PATH`: a root filesystem directory, read as an image of one layer. */
export async function openRootfsImage(path: string, options: OpenImageOptions & { input: string }): Promise<Image> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new SpyglassError(`${options.input}: no such directory`);
  if (!info.isDirectory()) throw new SpyglassError(`${options.input}: not a directory`);
  let entries: RootEntry[];
  let layer: { digest: Digest; size: number };
  try {
    entries = await listTree(path);
    layer = await digestOf(tarOf(entries));
  } catch (error) {
    throw new SpyglassError(`${options.input}: cannot read the directory (${errorText(error)})`);
  }
  const rawConfig = Buffer.from(JSON.stringify({
    architecture: OCI_ARCH[arch()] ?? arch(),
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
    history: [{ created_by: `spyglass: root filesystem ${options.input}` }],
  }));
  const config = parseImageConfig(rawConfig, options.input);
  return {
    source: 'fs',
    input: options.input,
    names: [],
    configDigest: sha256Digest(rawConfig),
    rawConfig,
    config,
    platform: configPlatform(config),
    platforms: [configPlatform(config)],
    layers: [{
      index: 0,
      digest: layer.digest,
      diffId: layer.digest,
      size: layer.size,
      mediaType: MediaType.ociLayer,
      history: config.history[0],
      open: async () => tarOf(entries),
    }],
    annotations: {},
    indexAnnotations: {},
    attestations: [],
    close: async () => undefined,
  };
}
