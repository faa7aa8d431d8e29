// Layer decompression chosen by magic bytes, not by media type: registries and `docker save` tars
// mislabel layers often enough that the bytes are the only reliable witness (containerd's
// archive/compression.DetectCompression does the same).
import { Readable, type Transform } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { ZstdTransform, detectCompression } from '../image/compression.ts';
import { SpyglassError, errorText } from '../core/errors.ts';

export { detectCompression, type Compression } from '../image/compression.ts';

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


/** Bytes of decompressed output the engine may hold ahead of the tar reader. */
const ENGINE_BUFFER = 1024 * 1024;

/**
 * Reads at least the 4 magic bytes (or all there is) off `blob` and puts them back, so the blob can
 * be piped whole into the engine chosen from them.
 */
async function readHead(blob: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < 4) {
    const chunk = blob.read() as Buffer | null;
    if (chunk !== null) {
      parts.push(chunk);
      length += chunk.length;
      continue;
    }
    if (blob.readableEnded || blob.destroyed) break;
    const more = await new Promise<boolean>((resolve, reject) => {
      const onReadable = () => finish(true);
      const onEnd = () => finish(false);
      const onError = (error: Error) => {
        blob.off('readable', onReadable);
        blob.off('end', onEnd);
        reject(error);
      };
      const finish = (value: boolean) => {
        blob.off('readable', onReadable);
        blob.off('end', onEnd);
        blob.off('error', onError);
        resolve(value);
      };
      blob.once('readable', onReadable);
      blob.once('end', onEnd);
      blob.once('error', onError);
    });
    if (!more) break;
  }
  const head = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  if (head.length > 0) blob.unshift(head);
  return head;
}

/**
 * The decompressed bytes of a layer blob, as an async iterable of Buffers. Errors are SpyglassErrors
 * naming the layer: corrupt gzip/zstd data, or more than `maxBytes` of output.
 */
export async function* decompressedChunks(blob: Readable, options: DecompressOptions): AsyncGenerator<Buffer> {
  const where = `layer ${options.layer} of ${options.image}`;
  const head = await readHead(blob);
  const compression = detectCompression(head);
  if (compression === 'xz' || compression === 'bzip2') {
    throw new SpyglassError(`${where}: ${compression}-compressed layers are not supported (OCI layers are gzip, zstd or plain tar)`);
  }
  let output: AsyncIterable<Buffer>;
  let engine: Transform | undefined;
  if (compression === 'none') {
    output = blob;
  } else {
    // zlib inflates on the libuv thread pool: a deep output buffer lets it run ahead while this
    // thread hashes and parses, which is most of what keeps layerfs near the bare-gunzip floor.
    engine = compression === 'gzip'
      // zlib streams pass their options on to Transform; @types/node's ZlibOptions just omits the stream ones.
      ? createGunzip({ chunkSize: CHUNK_SIZE, readableHighWaterMark: ENGINE_BUFFER } as ZlibOptions)
      : new ZstdTransform({ readableHighWaterMark: ENGINE_BUFFER });
    const target = engine;
    blob.on('error', (error) => target.destroy(error));
    blob.pipe(target);
    output = target;
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
