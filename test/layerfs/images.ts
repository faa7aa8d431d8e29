// The layerfs tests read real images through the real image sources, with a throwaway cache.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImage } from '../../src/image/open.ts';
import type { Image } from '../../src/image/model.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'layerfs-cache-'));

/** An image of an OCI layout directory, chosen by `org.opencontainers.image.ref.name`. */
export function imageFromOciLayout(dir: string, refName?: string): Promise<Image> {
  return openImage(`oci-dir://${dir}`, { cacheDir, ref: refName });
}

/** An image of a `docker save` tar (classic or Docker 25 style) or an OCI archive. */
export function imageFromArchive(tarPath: string): Promise<Image> {
  return openImage(`archive://${tarPath}`, { cacheDir });
}
