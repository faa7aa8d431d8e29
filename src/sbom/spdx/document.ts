// The parts of an SPDX 2.3 JSON document (https://spdx.github.io/spdx-spec/v2.3/) that Spyglass
// writes and reads; the official schema is in ../shared/data/specs/spdx/.

export interface SpdxAnnotation {
  annotationDate: string;
  annotationType: 'OTHER' | 'REVIEW';
  annotator: string;
  comment: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed?: boolean;
  primaryPackagePurpose?: string;
  licenseConcluded?: string;
  licenseDeclared?: string;
  copyrightText?: string;
  sourceInfo?: string;
  supplier?: string;
  checksums?: { algorithm: string; checksumValue: string }[];
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  annotations?: SpdxAnnotation[];
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
  comment?: string;
}

export interface SpdxDocument {
  spdxVersion: string;
  dataLicense: string;
  SPDXID: string;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; licenseListVersion?: string };
  packages?: SpdxPackage[];
  relationships?: SpdxRelationship[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name?: string }[];
  annotations?: SpdxAnnotation[];
}

export const IMAGE_SPDXID = 'SPDXRef-Image';
export const DISTRO_SPDXID = 'SPDXRef-OperatingSystem';
