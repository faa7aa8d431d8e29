// The `sbom://` prefix alone, so that telling an SBOM input from an image loads none of the decoders.
export const SBOM_PREFIX = 'sbom://';

export function isSbomInput(input: string): boolean {
  return input.startsWith(SBOM_PREFIX);
}
