import type { Digest } from './digest.ts';
import type { Distro, Package, UnknownFile } from './package.ts';

/** The image an SBOM describes, enough to re-match it without pulling the image again. */
export interface SbomSource {
  /** What was analysed, as the user typed it. */
  input: string;
  names: string[];
  configDigest?: Digest;
  manifestDigest?: Digest;
  indexDigest?: Digest;
  /** `os/arch[/variant]`. */
  platform?: string;
  layers: { digest: Digest; diffId: Digest; size: number; createdBy?: string }[];
  annotations?: Record<string, string>;
}

/** A relationship between two packages of the SBOM (by package id). */
export interface Relationship {
  from: string;
  to: string;
  /** `contains` (a binary holds a module, a jar a jar), `owns` (an OS package owns a language package's files). */
  kind: 'contains' | 'owns' | 'depends-on';
}

/** Everything known to be installed in one image: what catalog/ produces and sbom/ encodes. */
export interface Sbom {
  /** Spyglass's own SBOM format version (docs/sbom.schema.json). */
  schemaVersion: 1;
  tool: { name: 'spyglass'; version: string };
  createdAt: string;
  source: SbomSource;
  distro?: Distro;
  packages: Package[];
  relationships: Relationship[];
  unknowns: UnknownFile[];
  /** Which catalogers ran, `id@version`. */
  catalogers: string[];
}
