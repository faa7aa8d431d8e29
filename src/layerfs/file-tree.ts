// The squashed view of an image's layers: what `docker run` would see, built entry by entry.
// Directories hold their children in a Map, so a whiteout or a replaced directory drops a whole
// subtree in O(1). Whiteouts follow https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
import { SpyglassError } from '../core/errors.ts';
import type { Digest } from '../core/digest.ts';
import type { TarEntry, TarEntryType } from './tar-reader.ts';

/** The layer that last wrote a node. */
export interface LayerRef {
  index: number;
  diffId: Digest;
}

export interface FileNode {
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** Symlinks: the target as written. Hardlinks: the absolute path of the target in the layer tar. */
  linkname: string;
  layer: LayerRef;
  /** Newest layer that wrote this node or anything below it (decides what an opaque whiteout keeps). */
  touched: number;
  /** The body, only when the `wants` predicate selected it. Hardlinks read their target's. */
  content?: Buffer;
  children?: Map<string, FileNode>;
  /** Hardlinks: the node the link shares its inode with. */
  target?: FileNode;
}

/** One selected copy of a path in one layer. */
export interface FileVersion {
  layer: LayerRef;
  content: Buffer;
}

/** Per-layer counts, for reports and progress. */
export interface LayerStats {
  index: number;
  diffId: Digest;
  digest: Digest;
  /** Tar entries (files, dirs, links, whiteouts…). */
  entries: number;
  whiteouts: number;
  /** Bytes of the blob as stored and of the uncompressed tar. */
  compressedBytes: number;
  uncompressedBytes: number;
  /** Bodies buffered because `wants` selected them, and their bytes. */
  selectedFiles: number;
  selectedBytes: number;
}

/** Linux follows at most 40 symlinks in one lookup (MAXSYMLINKS, path_resolution(7)). */
export const MAX_SYMLINK_HOPS = 40;
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

function newDir(name: string, layer: LayerRef): FileNode {
  return { name, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, linkname: '', layer, touched: layer.index, children: new Map() };
}

/** Removes from a directory everything that only lower layers than `layer` wrote. */
function pruneLower(dir: FileNode, layer: number): void {
  const children = dir.children;
  if (children === undefined) return;
  let keepsAny = false;
  for (const child of children.values()) {
    if (child.touched >= layer) {
      keepsAny = true;
      break;
    }
  }
  if (!keepsAny) {
    dir.children = new Map();
    return;
  }
  for (const [name, child] of children) {
    if (child.touched < layer) children.delete(name);
    else if (child.type === 'dir') pruneLower(child, layer);
  }
}

export class FileTree {
  readonly root: FileNode;
  /** The image input, for messages. */
  readonly source: string;
  readonly layers: LayerStats[] = [];
  /** Files the walk could not buffer (over the per-file cap, hardlinks to unselected files…). */
  readonly warnings: string[] = [];
  private readonly history = new Map<string, FileVersion[]>();

  constructor(source: string) {
    this.source = source;
    this.root = newDir('', { index: -1, diffId: 'sha256:' as Digest });
  }

  /**
   * Follows `path` from the root. Symlinks in intermediate components are always followed, the last
   * one only with `followLast`; absolute targets start again at the image root and `..` at the root
   * stays there, as in a chroot. With `create` (used for the parent of a new entry), missing or
   * non-directory components become directories of that layer, as `mkdir -p` during extraction. Returns the chain of nodes from the root (the last is the
   * path's node) or undefined when a component is missing.
   */
  private lookup(path: string, followLast: boolean, create?: LayerRef): { chain: FileNode[]; names: string[] } | undefined {
    const todo = splitPath(path).reverse();
    const chain: FileNode[] = [this.root];
    const names: string[] = [];
    let hops = 0;
    while (todo.length > 0) {
      const name = todo.pop() as string;
      if (name === '..') {
        if (chain.length > 1) {
          chain.pop();
          names.pop();
        }
        continue;
      }
      const parent = chain[chain.length - 1];
      if (parent.children === undefined) return undefined; // a file used as a directory: ENOTDIR
      let child = parent.children.get(name);
      const last = todo.length === 0;
      if (child === undefined || (create !== undefined && child.type !== 'dir' && child.type !== 'symlink')) {
        if (create === undefined) return undefined;
        child = newDir(name, create);
        parent.children.set(name, child);
      }
      if (child.type === 'symlink' && (!last || followLast)) {
        if (++hops > MAX_SYMLINK_HOPS) {
          throw new SpyglassError(`${path} in ${this.source}: symlink loop (more than ${MAX_SYMLINK_HOPS} links to follow)`);
        }
        const target = child.linkname;
        if (target.startsWith('/')) {
          chain.length = 1;
          names.length = 0;
        }
        const parts = splitPath(target);
        for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
        continue;
      }
      chain.push(child);
      names.push(name);
    }
    return { chain, names };
  }

  /** Applies one tar entry of layer `layer` (bottom first, in tar order). */
  apply(layer: LayerRef, entry: TarEntry, body?: Buffer): void {
    const slash = entry.path.lastIndexOf('/');
    const dirPath = entry.path.slice(0, slash) || '/';
    const name = entry.path.slice(slash + 1);
    if (name.startsWith(WHITEOUT_PREFIX)) {
      this.applyWhiteout(layer, dirPath, name);
      return;
    }
    const found = this.lookup(dirPath, true, layer);
    if (found === undefined) return;
    const parent = found.chain[found.chain.length - 1];
    for (const node of found.chain) if (node.touched < layer.index) node.touched = layer.index;
    let children = parent.children;
    if (children === undefined) {
      // The parent resolved to a non-directory (a symlink to a file): overwrite it as a directory.
      children = new Map();
      parent.children = children;
      parent.type = 'dir';
    }
    const existing = children.get(name);
    if (entry.type === 'dir' && existing !== undefined && existing.type === 'dir') {
      // Directories merge with the lower one; only their metadata changes.
      Object.assign(existing, { mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime: entry.mtime, layer, touched: layer.index });
      return;
    }
    const node: FileNode = {
      name,
      type: entry.type,
      mode: entry.mode,
      uid: entry.uid,
      gid: entry.gid,
      size: entry.size,
      mtime: entry.mtime,
      linkname: entry.linkname,
      layer,
      touched: layer.index,
    };
    if (entry.type === 'dir') node.children = new Map();
    if (entry.type === 'hardlink') {
      const target = this.lookup(entry.linkname, false)?.chain.at(-1);
      if (target === undefined || target.type === 'dir') {
        this.warnings.push(`${entry.path} in layer ${layer.diffId} of ${this.source}: hard link to missing ${entry.linkname}`);
      } else {
        node.target = target.target ?? target;
        node.size = node.target.size;
      }
    }
    if (body !== undefined) {
      node.content = body;
      const path = `/${[...found.names, name].join('/')}`;
      const versions = this.history.get(path);
      if (versions === undefined) this.history.set(path, [{ layer, content: body }]);
      else versions.push({ layer, content: body });
    }
    children.set(name, node);
  }

  private applyWhiteout(layer: LayerRef, dirPath: string, name: string): void {
    const found = this.lookup(dirPath, true);
    const dir = found?.chain.at(-1);
    if (dir === undefined || dir.children === undefined) return;
    if (name === OPAQUE_MARKER) {
      // Hides everything lower layers put in the directory; this layer's entries stay, in any order.
      pruneLower(dir, layer.index);
      return;
    }
    if (name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // other AUFS metadata (.wh..wh.plnk…)
    const hidden = name.slice(WHITEOUT_PREFIX.length);
    const node = dir.children.get(hidden);
    if (node === undefined) return;
    // A whiteout applies to lower layers only; what this layer wrote under that name stays.
    if (node.touched < layer.index) dir.children.delete(hidden);
    else if (node.layer.index < layer.index && node.type === 'dir') pruneLower(node, layer.index);
  }

  /** The node at `path` itself (a symlink is returned as a symlink; intermediate symlinks are followed). */
  lstat(path: string): FileNode | undefined {
    return this.lookup(path, false)?.chain.at(-1);
  }

  /** Same as lstat: the node stored at that path. */
  get(path: string): FileNode | undefined {
    return this.lstat(path);
  }

  /** The node `path` leads to after following every symlink, with its real path; undefined when dangling. */
  resolve(path: string): { path: string; node: FileNode } | undefined {
    const found = this.lookup(path, true);
    if (found === undefined) return undefined;
    return { path: `/${found.names.join('/')}`, node: found.chain[found.chain.length - 1] };
  }

  /** The content of the file at `path` (following symlinks and hard links), if it was selected. */
  readFile(path: string): Buffer | undefined {
    const node = this.resolve(path)?.node;
    if (node === undefined) return undefined;
    if (node.type === 'hardlink') return node.target?.content;
    return node.type === 'file' ? node.content : undefined;
  }

  /** Every path under the root with its node, depth first, children sorted by name (UTF-16 code-unit order). */
  *walk(): Generator<{ path: string; node: FileNode }> {
    const stack: { path: string; node: FileNode }[] = [{ path: '', node: this.root }];
    while (stack.length > 0) {
      const { path, node } = stack.pop() as { path: string; node: FileNode };
      if (node !== this.root) yield { path, node };
      if (node.children === undefined) continue;
      const names = [...node.children.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
      for (const name of names) stack.push({ path: `${path}/${name}`, node: node.children.get(name) as FileNode });
    }
  }

  /** Regular files and hard links. */
  *files(): Generator<{ path: string; node: FileNode }> {
    for (const item of this.walk()) if (item.node.type === 'file' || item.node.type === 'hardlink') yield item;
  }

  /**
   * Every selected copy of `path` across layers, bottom first, whether or not a later layer deleted
   * it: "the first layer whose dpkg status lists X" is answered from these.
   */
  versions(path: string): FileVersion[] {
    return this.history.get(path) ?? [];
  }
}
