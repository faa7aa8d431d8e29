import type { SbomSource } from '../core/sbom.ts';

/** The name an SBOM document gives the image: its first tag, else what the user typed. */
export function imageName(source: SbomSource): string {
  return source.names[0] ?? source.input;
}
