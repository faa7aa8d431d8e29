// Layer decompression chosen by magic bytes, not by media type: registries and `docker save` tars
// mislabel layers often enough that the bytes are the only reliable witness (containerd's
// archive/compression.DetectCompression does the same).
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { SpyglassError, errorText } from '../core/errors.ts';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Names the layer in messages: `layer <diffId or digest> of <image input>`. */
export interface LayerLabel {
  /** The layer's diffId, or its blob digest when the diffId is not known. */
  layer: string;
  /** What the user typed for the image. */
  image: string;
}

export interface DecompressOptions extends LayerLabel {
  /** Cap on decompressed bytes (decompression bombs); `--max-layer-bytes`. */
  maxBytes: number;
}

/** Output chunk size of the gzip engine: fewer, larger chunks keep per-chunk costs low downstream. */
const CHUNK_SIZE = 64 * 1024;

export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** fzstd's streaming decoder as a Transform. */
class ZstdTransform extends Transform {
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

/**
 * The decompressed bytes of a layer blob, as an async iterable of Buffers. Errors are SpyglassErrors
 * naming the layer: corrupt gzip/zstd data, or more than `maxBytes` of output.
 */
export async function* decompressedChunks(blob: Readable, options: DecompressOptions): AsyncGenerator<Buffer> {
  const where = `layer ${options.layer} of ${options.image}`;
  const input = blob[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head: Buffer = Buffer.alloc(0);
  let ended = false;
  // Collect the 4 magic bytes (a first chunk shorter than that is legal, if unusual).
  while (head.length < 4) {
    const next = await input.next();
    if (next.done) {
      ended = true;
      break;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  const compression = detectCompression(head);
  async function* source(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await input.next();
      if (next.done) return;
      yield next.value;
    }
  }
  let output: AsyncIterable<Buffer>;
  let engine: Transform | undefined;
  if (compression === 'none') {
    output = source();
  } else {
    engine = compression === 'gzip' ? createGunzip({ chunkSize: CHUNK_SIZE }) : new ZstdTransform();
    const from = Readable.from(source(), { objectMode: false });
    from.on('error', (error) => engine?.destroy(error));
    from.pipe(engine);
    output = engine;
  }
  let total = 0;
  try {
    for await (const chunk of output) {
      total += chunk.length;
      if (total > options.maxBytes) {
        throw new SpyglassError(`${where}: decompresses past the ${options.maxBytes} byte cap (--max-layer-bytes)`);
      }
      yield chunk;
    }
  } catch (error) {
    if (error instanceof SpyglassError) throw error;
    if (engine !== undefined && isEngineError(error)) {
      throw new SpyglassError(`${where}: corrupt ${compression} data (${errorText(error)})`, { cause: error });
    }
    throw error;
  } finally {
    engine?.destroy();
    blob.destroy();
  }
}

/** zlib errors carry a `Z_…` code; fzstd's are plain Errors with a numeric code. */
function isEngineError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED';
  return true;
}

/** The decompressed layer as a Readable (see decompressedChunks for the errors it emits). */
export function decompressLayer(blob: Readable, options: DecompressOptions): Readable {
  return Readable.from(decompressedChunks(blob, options), { objectMode: false });
}
