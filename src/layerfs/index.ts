// The layer filesystem: streaming layer reading, whiteouts, the squashed view.
export { decompressLayer, decompressedChunks, detectCompression, type Compression, type DecompressOptions, type LayerLabel } from './decompress.ts';
export { TarReader, readTar, normaliseEntryPath, DEFAULT_MAX_FILE_BYTES, type TarEntry, type TarEntryType, type TarReaderOptions, type OversizePolicy } from './tar-reader.ts';
export { FileTree, MAX_SYMLINK_HOPS, type FileNode, type FileVersion, type LayerRef, type LayerStats } from './file-tree.ts';
export { walkLayers, buildFileTree, DEFAULT_MAX_LAYER_BYTES, type WalkOptions, type EntryVisitor } from './walk.ts';
