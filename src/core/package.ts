import type { Digest } from './digest.ts';

/** Package types, named after their purl types (https://github.com/package-url/purl-spec). */
export type PackageType = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'maven' | 'golang' | 'cargo' | 'gem' | 'composer' | 'nuget';

/** The package types of a distribution's package manager (the rest are language packages). */
export const OS_PACKAGE_TYPES: ReadonlySet<PackageType> = new Set(['deb', 'apk', 'rpm']);

/** Where a package was found: the metadata file (or binary) and the layer that last wrote it. */
export interface PackageLocation {
  path: string;
  layerDiffId: Digest;
}

/** One installed package, whatever its ecosystem. */
export interface Package {
  /** Stable within one SBOM: type, name, version and first location. */
  id: string;
  type: PackageType;
  name: string;
  /** The version as the ecosystem writes it (deb: `[epoch:]upstream[-revision]`; rpm: `[epoch:]version-release`). */
  version: string;
  arch?: string;
  /** The source package (deb `Source:`, apk `origin`, rpm source RPM name) and its version. */
  sourceName?: string;
  sourceVersion?: string;
  purl: string;
  /** SPDX identifiers where recognisable, else the text as declared. */
  licenses: string[];
  /** The metadata file(s) that declare it; the first one is where it was found. */
  locations: PackageLocation[];
  /** The first layer whose metadata lists this package at this version. */
  introducedLayerDiffId?: Digest;
  /** The id of the OS package whose files include this package's files (matched through the distribution only). */
  ownedBy?: string;
  /** The application's own package (a root package.json, a main Go module). */
  root?: boolean;
  /** The id of the package this one was found inside (a Go module in a binary, a jar in a jar). */
  parent?: string;
  /** Files the package installed (OS packages), for ownership; absolute paths. */
  files?: string[];
  /** Ecosystem details worth keeping (Go `vcs.*` settings, rpm vendor, maven group…). */
  metadata?: Record<string, string>;
}

/** The operating system of an image, from os-release and its friends. */
export interface Distro {
  /** `debian`, `alpine`, `ubuntu`, `rhel`, … (os-release ID). */
  id: string;
  versionId?: string;
  codename?: string;
  prettyName?: string;
  /** Where the release's security support ends or ended, from data files. */
  endOfLife?: { date?: string; ended: boolean; source: string };
}

/** A file that looked like package metadata but could not be read. */
export interface UnknownFile {
  path: string;
  layerDiffId?: Digest;
  cataloger: string;
  reason: string;
}
