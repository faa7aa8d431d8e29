import { SpyglassError } from './errors.ts';

/** An OCI platform (https://github.com/opencontainers/image-spec/blob/main/image-index.md). */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) {
    throw new SpyglassError(`--platform ${text}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** Variants a registry may leave out: arm64 is v8 and arm is v7 unless said otherwise (containerd's normalisation). */
function normalVariant(platform: Platform): string | undefined {
  if (platform.variant) return platform.variant;
  if (platform.architecture === 'arm64') return 'v8';
  if (platform.architecture === 'arm') return 'v7';
  return undefined;
}

/** Whether `candidate` satisfies what the user asked for; a request without a variant accepts any variant. */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  if (wanted.os !== candidate.os || wanted.architecture !== candidate.architecture) return false;
  if (!wanted.variant) return true;
  return normalVariant(wanted) === normalVariant(candidate);
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };
