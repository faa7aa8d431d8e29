// Compression as the bytes say it, not the file name or media type: docker load and containerd detect
// it from magic numbers (github.com/moby/moby/pkg/archive DetectCompression). Shared by whole-archive
// reading (image/tar/archive-file.ts) and layer reading (layerfs/decompress.ts).
import { Transform, type TransformCallback } from 'node:stream';
import { Decompress as ZstdDecompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'xz' | 'bzip2' | 'none';

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 6 && XZ_MAGIC.equals(head.subarray(0, 6))) return 'xz';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  return 'none';
}

/** fzstd's streaming decoder as a Transform (Node 20's zlib has no zstd). */
export class ZstdTransform extends Transform {
  private readonly decoder = new ZstdDecompress((data) => {
    // fzstd may reuse its window; copy the block out before handing it on.
    if (data.length > 0) this.push(Buffer.from(data));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.push(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }
}
