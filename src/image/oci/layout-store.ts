// A BlobStore over an OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md),
// the same for a directory and for a tar of one: blobs live at `blobs/<alg>/<hex>` and every read is
// checked against the digest that named it.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { digestAlgorithm, digestHex } from '../../core/digest.ts';
import { MAX_MANIFEST_BYTES, type BlobStore } from '../blob-store.ts';
import type { Descriptor } from '../model.ts';
import { DigestVerifier, verifyBuffer } from '../verify.ts';
import type { TarIndex } from '../tar/tar-index.ts';

/** The files of a layout, wherever they are. Paths are relative to the layout root, `/`-separated. */
export interface LayoutFiles {
  readonly label: string;
  kind(path: string): Promise<'file' | 'dir' | undefined>;
  /** A small file read fully; a SpyglassError when larger than `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Buffer>;
  open(path: string): Readable;
}

export function directoryFiles(root: string, label: string): LayoutFiles {
  return {
    label,
    async kind(path) {
      try {
        const info = await stat(join(root, path));
        return info.isDirectory() ? 'dir' : 'file';
      } catch {
        return undefined;
      }
    },
    async read(path, maxBytes) {
      const info = await stat(join(root, path));
      if (info.size > maxBytes) throw new SpyglassError(`${label}: ${path} is ${info.size} bytes, more than the ${maxBytes} accepted`);
      return readFile(join(root, path));
    },
    open: (path) => createReadStream(join(root, path)),
  };
}

export function tarFiles(index: TarIndex, prefix = ''): LayoutFiles {
  const at = (path: string) => (prefix ? `${prefix}/${path}` : path);
  return {
    label: index.label,
    async kind(path) {
      const member = index.resolve(at(path));
      if (member) return member.type === 'dir' ? 'dir' : member.type === 'file' ? 'file' : undefined;
      return index.names().some((name) => name.startsWith(`${at(path)}/`)) ? 'dir' : undefined;
    },
    read: (path, maxBytes) => index.readFile(at(path), maxBytes),
    open: (path) => index.openStream(at(path)),
  };
}

export function blobPath(descriptor: Descriptor): string {
  return `blobs/${digestAlgorithm(descriptor.digest)}/${digestHex(descriptor.digest)}`;
}

export class LayoutBlobStore implements BlobStore {
  readonly label: string;
  constructor(
    private readonly files: LayoutFiles,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.label = files.label;
  }

  private async present(descriptor: Descriptor): Promise<string> {
    const path = blobPath(descriptor);
    if ((await this.files.kind(path)) !== 'file') {
      throw new SpyglassError(`${this.label}: blob ${descriptor.digest} is missing from the image layout (${path})`);
    }
    return path;
  }

  async readManifest(descriptor: Descriptor): Promise<Buffer> {
    return this.readBlob(descriptor, MAX_MANIFEST_BYTES);
  }

  async readBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer> {
    const path = await this.present(descriptor);
    const bytes = await this.files.read(path, maxBytes);
    return verifyBuffer(bytes, descriptor.digest, descriptor.size, `${this.label} blob ${descriptor.digest}`);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const path = await this.present(descriptor);
    const verifier = new DigestVerifier(descriptor.digest, descriptor.size, `${this.label} blob ${descriptor.digest}`);
    const source = this.files.open(path);
    source.on('error', (error) => verifier.destroy(new SpyglassError(`${this.label}: cannot read ${path} (${errorText(error)})`)));
    return source.pipe(verifier);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
