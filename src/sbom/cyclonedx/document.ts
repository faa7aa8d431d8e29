// The parts of a CycloneDX 1.6 JSON BOM (https://cyclonedx.org/docs/1.6/json/) that Spyglass writes
// and reads; the official schema is in ../shared/data/specs/cyclonedx/.

export interface CdxProperty { name: string; value: string }

export type CdxLicenseChoice = ({ license: { id: string } | { name: string } } | { expression: string })[];

export interface CdxComponent {
  type: string;
  'bom-ref'?: string;
  name: string;
  version?: string;
  purl?: string;
  licenses?: CdxLicenseChoice;
  hashes?: { alg: string; content: string }[];
  properties?: CdxProperty[];
}

export interface CdxBom {
  $schema?: string;
  bomFormat: 'CycloneDX';
  specVersion: string;
  serialNumber?: string;
  version?: number;
  metadata?: {
    timestamp?: string;
    tools?: { components?: { type: string; name: string; version?: string }[] };
    component?: CdxComponent;
    properties?: CdxProperty[];
  };
  components?: CdxComponent[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

export const IMAGE_REF = 'image';
