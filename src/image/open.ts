import { resolve } from 'node:path';
import { SpyglassError } from '../core/errors.ts';
import { parseImageRef } from '../core/reference.ts';
import type { Image, ImageSourceKind, OpenImageOptions } from './model.ts';
import { openRegistryImage } from './registry/source.ts';
import { openArchiveImage } from './archive/docker-save.ts';
import { openOciArchiveImage, openOciDirImage } from './oci/layout.ts';
import { openRootfsImage } from './fs/rootfs.ts';
import { engineHasImage, openEngineImage } from './engine/docker-engine.ts';

/** Docker Scout's input prefixes; a bare reference (or `image://`) is the local engine if it has it, else the registry. */
const PREFIXES: readonly { prefix: string; kind: ImageSourceKind | 'image' }[] = [
  { prefix: 'registry://', kind: 'registry' },
  { prefix: 'archive://', kind: 'archive' },
  { prefix: 'oci-dir://', kind: 'oci-dir' },
  { prefix: 'oci-archive://', kind: 'oci-archive' },
  { prefix: 'fs://', kind: 'fs' },
  { prefix: 'local://', kind: 'local' },
  { prefix: 'image://', kind: 'image' },
];

export interface ParsedInput {
  kind: ImageSourceKind | 'image';
  /** The path or reference after the prefix. */
  target: string;
}

export function parseImageInput(input: string): ParsedInput {
  for (const { prefix, kind } of PREFIXES) {
    if (input.startsWith(prefix)) {
      const target = input.slice(prefix.length);
      if (!target) throw new SpyglassError(`${input}: nothing after ${prefix}`);
      return { kind, target };
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(input);
  if (scheme) {
    throw new SpyglassError(`${input}: unknown input type ${scheme[1]}://; use one of ${PREFIXES.map((p) => p.prefix).join(', ')}`);
  }
  return { kind: 'image', target: input };
}

/** Turns what the user typed into one platform image, from whichever source it names. */
export async function openImage(input: string, options: OpenImageOptions): Promise<Image> {
  const { kind, target } = parseImageInput(input);
  const withInput = { ...options, input };
  switch (kind) {
    case 'registry':
      return openRegistryImage(target, withInput);
    case 'archive':
      return openArchiveImage(resolve(target), withInput);
    case 'oci-dir':
      return openOciDirImage(resolve(target), withInput);
    case 'oci-archive':
      return openOciArchiveImage(resolve(target), withInput);
    case 'fs':
      return openRootfsImage(resolve(target), withInput);
    case 'local':
      return openEngineImage(target, withInput);
    case 'image': {
      parseImageRef(target);
      if (await engineHasImage(target, withInput)) return openEngineImage(target, withInput);
      return openRegistryImage(target, withInput);
    }
  }
}
