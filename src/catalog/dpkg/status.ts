// dpkg's database of installed packages: /var/lib/dpkg/status, and the one-file-per-package
// /var/lib/dpkg/status.d/ of distroless images (https://github.com/GoogleContainerTools/distroless),
// which dpkg itself never writes and whose paragraphs usually have no Status field.
import type { FoundPackage } from '../cataloger.ts';
import { boundedWarnings, field, parseControl, type Paragraph } from './control.ts';

export interface DpkgStatus {
  packages: FoundPackage[];
  warnings: string[];
}

/**
 * dpkg's version syntax (deb-version(7), dpkg's parseversion()): `[epoch:]upstream[-revision]`, epoch
 * digits, upstream of alphanumerics and `.+-~:`, revision of alphanumerics and `.+~`. dpkg-query drops
 * entries whose version breaks it; so do we.
 */
export function versionProblem(version: string): string | undefined {
  if (version === '') return 'empty version';
  let rest = version;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    if (!/^\d+$/.test(rest.slice(0, colon))) return 'epoch is not a number';
    rest = rest.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (upstream === '') return 'empty upstream version';
  if (!/^[A-Za-z0-9.+~:-]+$/.test(upstream)) return 'invalid character in upstream version';
  if (hyphen >= 0 && !/^[A-Za-z0-9.+~]+$/.test(revision)) return 'invalid character in revision';
  return undefined;
}

const MAX_WARNINGS = 100;

/** Package names: policy 5.6.1 (lower case, digits, `+-.`), upper case tolerated as old databases have it. */
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+.-]*$/;

/** `Status: want flag status` (dpkg(1) "package states"): only `installed` counts, whatever is wanted (install, hold…). */
function isInstalled(status: string | undefined, distroless: boolean): boolean {
  if (status === undefined) return distroless;
  return status.trim().split(/\s+/)[2] === 'installed';
}

/** `Source: name` or `Source: name (version)`; both default to the binary package's. */
function sourceOf(paragraph: Paragraph, name: string, version: string): { sourceName: string; sourceVersion: string } {
  const source = field(paragraph, 'Source')?.split('\n', 1)[0]?.trim();
  const match = source ? /^(\S+)(?:\s+\((\S+)\))?$/.exec(source) : null;
  return { sourceName: match?.[1] ?? name, sourceVersion: match?.[2] ?? version };
}

/**
 * The installed packages of one status file. `distroless` is true for status.d/ files, where a
 * paragraph without Status counts as installed (as syft and trivy read them).
 */
export function parseDpkgStatus(text: string, distroless: boolean): DpkgStatus {
  const parsed = parseControl(text);
  const { paragraphs } = parsed;
  const { warnings, warn, finish } = boundedWarnings(parsed.warnings.length + MAX_WARNINGS, parsed.warnings);
  if (text.trim() !== '' && !paragraphs.some((paragraph) => field(paragraph, 'Package') !== undefined)) {
    throw new Error('not a dpkg status file: no paragraph has a Package field');
  }
  if (text.length > 0 && !text.endsWith('\n')) warnings.push('file does not end with a newline: truncated?');
  const packages: FoundPackage[] = [];
  for (const paragraph of paragraphs) {
    const name = field(paragraph, 'Package')?.trim();
    const at = `line ${paragraph.line}`;
    if (name === undefined) {
      warn(`${at}: paragraph without a Package field`);
      continue;
    }
    if (!PACKAGE_NAME.test(name)) {
      warn(`${at}: invalid package name ${JSON.stringify(name.slice(0, 60))}`);
      continue;
    }
    if (!isInstalled(field(paragraph, 'Status'), distroless)) continue;
    const version = field(paragraph, 'Version')?.trim();
    if (version === undefined) {
      warn(`${at}: package ${name} has no Version`);
      continue;
    }
    const problem = versionProblem(version);
    if (problem) {
      warn(`${at}: package ${name}: ${problem} in ${JSON.stringify(version.slice(0, 60))}`);
      continue;
    }
    const found: FoundPackage = { type: 'deb', name, version, ...sourceOf(paragraph, name, version) };
    const arch = field(paragraph, 'Architecture')?.trim();
    if (arch) found.arch = arch;
    packages.push(found);
  }
  finish();
  return { packages, warnings };
}
