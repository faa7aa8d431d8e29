// Base images: the catalog of known images, detection of an image's base with evidence, and the
// refreshed/updated recommendations. This file is the vocabulary every part of baseimage/ shares.
import type { Digest } from '../core/digest.ts';
import type { Distro, PackageType } from '../core/package.ts';
import type { Sbom } from '../core/sbom.ts';
import type { SeverityCounts } from '../report/counts.ts';

export type { SeverityCounts };

/** One platform image of a catalogued tag, as `base-images add` / `index` recorded it. */
export interface CatalogImage {
  /** Normalised repository, `docker.io/library/debian`, `127.0.0.1:5000/library/debian`. */
  repository: string;
  tag: string;
  /** `os/arch[/variant]`. */
  platform: string;
  /** The platform image's manifest digest. */
  digest: Digest;
  /** The digest the tag pointed at (the index for a multi-platform tag), when known. */
  tagDigest?: Digest;
  configDigest: Digest;
  /** rootfs.diff_ids, bottom first: the chain layer-based detection compares. */
  diffIds: Digest[];
  /** The image config's `created`. */
  created?: string;
  /** Sum of the layer blob sizes (compressed, as pulled). */
  size: number;
  os?: Pick<Distro, 'id' | 'versionId' | 'codename' | 'prettyName'>;
  /** Package count per type. */
  packageSummary: Partial<Record<PackageType, number>>;
  /** Vulnerability counts per severity, with the database build they were computed against. */
  counts?: SeverityCounts;
  countsBuiltAt?: string;
  /** When this digest was recorded for the tag (a later record of the same tag is a refresh). */
  indexedAt: string;
}

/**
 * The catalog, kept in `<dataDir>/base-images.db` (SQLite; apart from the vulnerability database, which
 * `db update` replaces whole). Every digest a tag was seen at is kept; the newest is the tag's current one.
 */
export interface BaseImageCatalog {
  /** Records (or re-records) one platform image of a tag, with its SBOM for re-matching without pulling. */
  put(entry: CatalogImage, sbom: Sbom): void;
  /** The newest record of every (repository, tag, platform), optionally of one repository. */
  list(filter?: { repository?: string; platform?: string }): CatalogImage[];
  /** Every record of a tag (all digests it had), newest first. */
  history(repository: string, tag: string, platform: string): CatalogImage[];
  /** Records whose whole diff_id chain is a prefix of `diffIds`, longest chain first. */
  chainPrefixes(diffIds: readonly Digest[], platform?: string): CatalogImage[];
  /** Records with this manifest digest (several tags can share one). */
  byDigest(digest: Digest): CatalogImage[];
  sbom(digest: Digest): Sbom | undefined;
  setCounts(digest: Digest, counts: SeverityCounts, builtAt: string): void;
  /** Removes a repository's records, or one tag's; returns how many were removed. */
  remove(repository: string, tag?: string): number;
  close(): void;
}

/** How the base was found, in the order detection tries them. */
export type DetectionMethod = 'provenance' | 'annotation' | 'layers';

export interface BaseImageRef {
  repository: string;
  tag?: string;
  digest?: Digest;
}

/** An image's base image, with the evidence `--details` shows. */
export interface BaseDetection {
  method: DetectionMethod;
  /** `repository:tag` (or `repository@digest`) as shown. */
  name: string;
  ref: BaseImageRef;
  /** Lines of evidence: which attestation/annotation/layers said so. */
  evidence: string[];
  /** Other tags sharing the chosen digest (layer detection), most specific first; the chosen one is first. */
  candidates: BaseImageRef[];
  /** How many of the image's bottom layers are the base's (known from the layer chain or the base's own config). */
  baseLayers?: number;
  /** The catalog record, when the base is in the catalog. */
  entry?: CatalogImage;
}

/** Detection's answer: the base, or why there is none. */
export type DetectionOutcome = { base: BaseDetection } | { base?: undefined; reason: string };

/** A recommended base image with its figures and the change against the current base. */
export interface Recommendation {
  kind: 'refreshed' | 'updated' | 'alternative';
  ref: BaseImageRef;
  name: string;
  counts?: SeverityCounts;
  /** Per severity: recommended minus current (negative = fewer). */
  delta?: SeverityCounts;
  size?: number;
  sizeDelta?: number;
  created?: string;
  packages?: number;
  /** Why this one (the rule's words). */
  reason: string;
}
