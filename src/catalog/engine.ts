// catalogImage: every layer catalogued once (or taken from the per-layer cache), the squashed tree
// rebuilt from the layers' listings, and the packages of the files that survive in it reported with
// the layer that last wrote them and the layer that first listed them.
import type { Digest } from '../core/digest.ts';
import { OS_PACKAGE_TYPES, type Package, type UnknownFile } from '../core/package.ts';
import type { Relationship, Sbom } from '../core/sbom.ts';
import type { Image } from '../image/model.ts';
import { imageSource } from '../image/source-summary.ts';
import { FileTree, type FileNode, type LayerRef } from '../layerfs/index.ts';
import type { Cataloger } from './cataloger.ts';
import { collectorCataloger, type CollectedFile, type FileCollector } from './collect.ts';
import { catalogLayer, catalogerKey, loadCachedLayer, storeCachedLayer, type FileFindings, type LayerCatalog } from './layer-catalog.ts';
import { detectDistro } from './os/detect.ts';
import { packageUrl } from './purl.ts';
import { CATALOGERS } from './registry.ts';
import { TOOL_VERSION } from './version.ts';

export interface CatalogOptions {
  catalogers?: readonly Cataloger[];
  /** Where per-layer results are cached (`<cacheDir>/catalog/`); no caching without it. */
  cacheDir?: string;
  maxLayerBytes?: number;
  /** Files to hand back whole beside the Sbom (catalogAndCollect), read in the same pass over the layers. */
  collect?: FileCollector;
}

export interface CatalogOutput {
  sbom: Sbom;
  /** The collector's files that survive in the squashed image, by path. */
  collected: CollectedFile[];
  /** Files the collector wanted but could not have (over its cap). */
  uncollected: UnknownFile[];
}

/** The files of the squashed image that some cataloger read, with the findings of the layer that last wrote them. */
interface SurvivingFile {
  path: string;
  layer: LayerRef;
  findings: FileFindings;
}

function replay(catalogs: LayerCatalog[], input: string): { tree: FileTree; surviving: SurvivingFile[] } {
  const tree = new FileTree(input);
  const origin = new Map<FileNode, SurvivingFile>();
  catalogs.forEach((catalog, index) => {
    const layer: LayerRef = { index, diffId: catalog.diffId };
    for (const [path, type, mode, size, linkname] of catalog.entries) {
      tree.apply(layer, { path, type, mode, size, linkname, uid: 0, gid: 0, mtime: 0 });
      let findings = catalog.files[path];
      // A hard link reads as its target: what was found in the target holds for the link's path too.
      if (!findings && type === 'hardlink') findings = catalog.files[linkname];
      if (findings) {
        const node = tree.lstat(path);
        if (node) origin.set(node, { path, layer, findings });
      }
    }
  });
  const surviving: SurvivingFile[] = [];
  for (const { path, node } of tree.files()) {
    const found = origin.get(node);
    if (found) surviving.push({ ...found, path });
  }
  return { tree, surviving };
}

function osFileReader(tree: FileTree, catalogs: LayerCatalog[]): (path: string) => string | undefined {
  return (path) => {
    const resolved = tree.resolve(path);
    if (!resolved) return undefined;
    const layer = catalogs[resolved.node.layer.index];
    return layer?.osFiles[resolved.path];
  };
}

/** Lists every package in `image`. */
export async function catalogImage(image: Image, options: CatalogOptions = {}): Promise<Sbom> {
  return (await catalogAndCollect(image, options)).sbom;
}

/** Lists every package in `image` and, in the same pass, collects the files `options.collect` wants. */
export async function catalogAndCollect(image: Image, options: CatalogOptions = {}): Promise<CatalogOutput> {
  const catalogers = options.catalogers ?? CATALOGERS;
  const key = catalogerKey(catalogers);
  const collector = options.collect ? collectorCataloger(options.collect) : undefined;
  const walkers = collector ? [...catalogers, collector] : catalogers;
  const cacheKey = catalogerKey(walkers);
  const catalogs: LayerCatalog[] = [];
  for (const layer of image.layers) {
    let catalog = options.cacheDir ? await loadCachedLayer(options.cacheDir, layer.diffId, cacheKey) : undefined;
    if (!catalog) {
      catalog = await catalogLayer(image, layer, walkers, { maxLayerBytes: options.maxLayerBytes });
      if (options.cacheDir) await storeCachedLayer(options.cacheDir, catalog);
    }
    catalogs.push(catalog);
  }
  const { tree, surviving } = replay(catalogs, image.input);
  const distro = detectDistro(osFileReader(tree, catalogs));

  const packages: Package[] = [];
  const relationships: Relationship[] = [];
  const unknowns: UnknownFile[] = [];
  const ids = new Set<string>();
  const fileLists = new Map<string, string[]>();
  const licenseLists = new Map<string, string[]>();
  const catalogerOf = new Map<Package, string>();
  const collected: CollectedFile[] = [];
  const uncollected: UnknownFile[] = [];
  for (const file of surviving) {
    for (const unknown of file.findings.unknowns) {
      (unknown.cataloger === collector?.id ? uncollected : unknowns).push({ ...unknown, path: file.path, layerDiffId: file.layer.diffId });
    }
    for (const [catalogerId, result] of Object.entries(file.findings.results)) {
      if (catalogerId === collector?.id) {
        if (result.collected !== undefined) collected.push({ path: file.path, layerDiffId: file.layer.diffId, text: result.collected });
        continue;
      }
      for (const list of result.fileLists ?? []) fileLists.set(`${catalogerId}\0${list.owner}`, list.files);
      for (const stated of result.licenses ?? []) licenseLists.set(`${catalogerId}\0${stated.owner}`, stated.licenses);
      const made: Package[] = [];
      result.packages.forEach((found, index) => {
        let id = `${found.type}:${found.name}@${found.version}:${file.path}`;
        for (let n = 2; ids.has(id); n++) id = `${found.type}:${found.name}@${found.version}:${file.path}#${n}`;
        ids.add(id);
        const pkg: Package = {
          id,
          type: found.type,
          name: found.name,
          version: found.version,
          purl: packageUrl(found, distro),
          licenses: found.licenses ?? [],
          locations: [{ path: file.path, layerDiffId: file.layer.diffId }],
        };
        if (found.arch) pkg.arch = found.arch;
        if (found.sourceName) pkg.sourceName = found.sourceName;
        if (found.sourceVersion) pkg.sourceVersion = found.sourceVersion;
        if (found.root) pkg.root = true;
        if (found.files) pkg.files = found.files;
        if (found.metadata) pkg.metadata = found.metadata;
        if (found.parentIndex !== undefined && made[found.parentIndex]) {
          pkg.parent = made[found.parentIndex]!.id;
          relationships.push({ from: pkg.parent, to: id, kind: 'contains' });
        }
        made[index] = pkg;
        packages.push(pkg);
        catalogerOf.set(pkg, catalogerId);
      });
    }
  }
  attachFileLists(packages, (pkg) => {
    const catalogerId = catalogerOf.get(pkg);
    return fileLists.get(`${catalogerId}\0${pkg.name}:${pkg.arch}`) ?? fileLists.get(`${catalogerId}\0${pkg.name}`);
  });
  for (const pkg of packages) {
    const stated = licenseLists.get(`${catalogerOf.get(pkg)}\0${pkg.name}`);
    if (stated && pkg.licenses.length === 0) pkg.licenses = stated;
  }
  markIntroduced(packages, catalogs);
  markOwnership(packages, relationships);
  packages.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.locations[0]!.path < b.locations[0]!.path ? -1 : 1));

  const sbom: Sbom = {
    schemaVersion: 1,
    tool: { name: 'spyglass', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    source: imageSource(image),
    distro,
    packages,
    relationships,
    unknowns,
    catalogers: key,
  };
  collected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { sbom, collected, uncollected };
}

/** dpkg keeps each package's files in `info/NAME.list` (or `NAME:ARCH.list` for multi-arch packages). */
function attachFileLists(packages: Package[], listOf: (pkg: Package) => string[] | undefined): void {
  for (const pkg of packages) {
    const files = listOf(pkg);
    if (files && !pkg.files) pkg.files = files;
  }
}

/** An OS package was introduced by the first layer whose database lists it at this version. */
function markIntroduced(packages: Package[], catalogs: LayerCatalog[]): void {
  const firstSeen = new Map<string, Digest>();
  for (const catalog of catalogs) {
    for (const findings of Object.values(catalog.files)) {
      for (const result of Object.values(findings.results)) {
        for (const found of result.packages) {
          if (!OS_PACKAGE_TYPES.has(found.type)) continue;
          const id = `${found.type}\0${found.name}\0${found.version}\0${found.arch ?? ''}`;
          if (!firstSeen.has(id)) firstSeen.set(id, catalog.diffId);
        }
      }
    }
  }
  for (const pkg of packages) {
    if (!OS_PACKAGE_TYPES.has(pkg.type)) continue;
    pkg.introducedLayerDiffId = firstSeen.get(`${pkg.type}\0${pkg.name}\0${pkg.version}\0${pkg.arch ?? ''}`) ?? pkg.locations[0]!.layerDiffId;
  }
}

/**
 * A language package whose metadata file (or its directory, for `*.dist-info/METADATA`) is one of an
 * OS package's files belongs to that OS package: Debian's python3-six, a distribution's Go binary.
 * It is then matched only through the distribution's advisories, which know its backports.
 */
function markOwnership(packages: Package[], relationships: Relationship[]): void {
  const owner = new Map<string, Package>();
  for (const pkg of packages) {
    if (!OS_PACKAGE_TYPES.has(pkg.type)) continue;
    for (const file of pkg.files ?? []) owner.set(file, pkg);
  }
  if (owner.size === 0) return;
  for (const pkg of packages) {
    if (OS_PACKAGE_TYPES.has(pkg.type)) continue;
    const path = pkg.locations[0]!.path;
    const found = owner.get(path) ?? owner.get(path.slice(0, path.lastIndexOf('/')));
    if (found) {
      pkg.ownedBy = found.id;
      relationships.push({ from: found.id, to: pkg.id, kind: 'owns' });
    }
  }
}
