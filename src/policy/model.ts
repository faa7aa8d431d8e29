// Policies (docs/policy.md): what an organization requires of an image, each evaluated to met, failed or
// unknown with the packages, layers or settings that decide it. The vocabulary every part of policy/
// shares: the policy specifications a policy file holds, the facts an image offers, the results.
import type { SeverityLevel, VulnerabilityReport } from '../core/finding.ts';
import type { PackageType } from '../core/package.ts';

export const POLICY_TYPES = [
  'fixable-critical-high', 'high-profile', 'copyleft', 'non-root-user', 'supply-chain', 'outdated-base', 'approved-base', 'custom-vulnerability',
] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

interface PolicyBase {
  type: PolicyType;
  /** What the policy is shown and selected (`--only-policy`) as; default: the type's title. */
  name: string;
}

export interface FixableCriticalHighPolicy extends PolicyBase {
  type: 'fixable-critical-high';
  severities: SeverityLevel[];
  /** A fix counts once it is at least this many days old (the fixing source's published, else modified, date). */
  fixAgeDays: number;
  /** Leave out the packages the base image brought. */
  ignoreBase: boolean;
}

export interface HighProfilePolicy extends PolicyBase {
  type: 'high-profile';
  /** Vulnerabilities in CISA's Known Exploited Vulnerabilities catalog fail the policy. */
  kev: boolean;
  /** The organization's own list of ids (CVE, GHSA, … or an alias). */
  ids: string[];
}

export interface CopyleftPolicy extends PolicyBase {
  type: 'copyleft';
  /** SPDX licence ids no package may require. */
  licenses: string[];
}

export interface NonRootUserPolicy extends PolicyBase {
  type: 'non-root-user';
}

export interface SupplyChainPolicy extends PolicyBase {
  type: 'supply-chain';
  sbom: boolean;
  provenance: boolean;
  /** The provenance must carry the build graph (BuildKit `mode=max`). */
  provenanceMode: 'max' | 'min';
}

export interface OutdatedBasePolicy extends PolicyBase {
  type: 'outdated-base';
  /** When given, a newer digest of the base's tag is tolerated for this many days after it was recorded. */
  maxAgeDays?: number;
}

export interface ApprovedBasePolicy extends PolicyBase {
  type: 'approved-base';
  /** `repository[:tag]` globs (`*` any run of characters, `?` one) or `/regex/`. */
  patterns: string[];
}

export interface CustomVulnerabilityPolicy extends PolicyBase {
  type: 'custom-vulnerability';
  severities?: SeverityLevel[];
  packageTypes?: PackageType[];
  fixStatus?: 'fixed' | 'not-fixed' | 'any';
  /** Only vulnerabilities with an EPSS score of at least this (0–1). */
  epssScore?: number;
  epssPercentile?: number;
  kev?: boolean;
}

export type Policy =
  | FixableCriticalHighPolicy | HighProfilePolicy | CopyleftPolicy | NonRootUserPolicy | SupplyChainPolicy
  | OutdatedBasePolicy | ApprovedBasePolicy | CustomVulnerabilityPolicy;

/** The base image as detection and the catalog know it, or why it is unknown. */
export type BaseFacts =
  | { known: false; reason: string }
  | {
    known: true;
    /** As shown, `debian:bullseye-slim`. */
    name: string;
    repository: string;
    tag?: string;
    digest?: string;
    method: string;
    /** Packages (ids) the base's layers brought, when which layers are the base's is known. */
    packageIds?: string[];
    /** Where the catalog has the base's tag; undefined when the catalog does not have it (with why). */
    catalog?: { repository: string; tag: string; digest?: string; refreshed?: { name: string; digest: string; indexedAt: string; created?: string } };
    catalogNote?: string;
  };

/** Everything policies read of one image. Absent parts (an SBOM input has no config) make the policies reading them unknown. */
export interface PolicyInput {
  report: VulnerabilityReport;
  /** The image config's `User`; `config` undefined when there is no image (an SBOM input). */
  config?: { user?: string };
  /** What the image's attestations are; undefined when there is no image. */
  attestations?: { sbom: boolean; provenance: { predicateType: string; mode: 'max' | 'min'; manifestDigest: string }[] };
  base: BaseFacts;
  now: Date;
}

export type PolicyStatus = 'met' | 'failed' | 'unknown';

/** One thing that fails (or made the verdict): a package, a layer, a setting. */
export interface Violation {
  /** `package`, `vulnerability`, `setting`, `attestation`, `base-image`. */
  kind: 'vulnerability' | 'package' | 'setting' | 'attestation' | 'base-image';
  /** One line: `openssl 1.1.1w-0+deb11u1: CVE-2024-5535 (critical), fixed in 1.1.1w-0+deb11u2`. */
  text: string;
  packageId?: string;
  purl?: string;
  vulnerability?: string;
  layerDiffId?: string;
}

export interface PolicyResult {
  name: string;
  type: PolicyType;
  status: PolicyStatus;
  /** One line: what the policy requires and the verdict in words. */
  summary: string;
  /** The parameters the policy was evaluated with. */
  parameters: Record<string, unknown>;
  violations: Violation[];
}
