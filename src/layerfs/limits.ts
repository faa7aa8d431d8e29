/** Cap on each layer's decompressed size (decompression bombs), `--max-layer-bytes`: 8 GiB. */
export const DEFAULT_MAX_LAYER_BYTES = 8 * 1024 * 1024 * 1024;
