import type { Digest } from '../core/digest.ts';
import type { Package, PackageType } from '../core/package.ts';

/** What a cataloger learns from one file: purl, id, locations and layers are filled in by the engine. */
export interface FoundPackage {
  type: PackageType;
  name: string;
  version: string;
  arch?: string;
  sourceName?: string;
  sourceVersion?: string;
  /** purl namespace where the ecosystem has one (npm scope, maven group, composer vendor, Go module path prefix is part of the name). */
  namespace?: string;
  licenses?: string[];
  root?: boolean;
  /** Index (in the same result's `packages`) of the package this one was found inside. */
  parentIndex?: number;
  files?: string[];
  metadata?: Record<string, string>;
  /** Extra purl qualifiers the ecosystem needs (rpm `epoch`, maven `type`…). */
  qualifiers?: Record<string, string>;
}

/** One file a cataloger asked for, with its bytes. */
export interface CatalogFile {
  /** Absolute POSIX path inside the image. */
  path: string;
  content: Buffer;
  mode: number;
  layerDiffId: Digest;
}

export interface CatalogResult {
  packages: FoundPackage[];
  /** Files installed by OS packages, from lists stored beside the database (dpkg `info/NAME.list`): `owner` is the package name, `name:arch` allowed. */
  fileLists?: { owner: string; files: string[] }[];
  /** Licences stated in a file beside the database (dpkg `/usr/share/doc/NAME/copyright`): given to package `owner` of the same cataloger when it declares none itself. */
  licenses?: { owner: string; licenses: string[] }[];
  /** Problems with this file that still left something useful; a thrown error makes the file an unknown. */
  warnings?: string[];
  /** The file's whole text, for catalogAndCollect's caller (only a FileCollector's stand-in cataloger returns it). */
  collected?: string;
}

/**
 * A cataloger, shaped like osv-scalibr's extractors: a cheap predicate saying which files it needs and
 * a pure parser of one file. `id@version` is part of the per-layer cache key: bump `version` when
 * the parser's output changes.
 */
export interface Cataloger {
  id: string;
  version: number;
  /** Called for every regular file (and hard link) of every layer: keep it cheap. */
  wants(path: string, info: { size: number; mode: number }): boolean;
  /** The most bytes this cataloger will read from one file; larger files become unknowns. Default 64 MiB. */
  maxFileBytes?: number;
  parse(file: CatalogFile): CatalogResult | Promise<CatalogResult>;
}

export type { Package };
