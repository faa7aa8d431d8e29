// SUSE product names and package references as SUSE's CSAF and CVRF documents write them: a product
// such as `SUSE Linux Enterprise Server 15 SP3` or `openSUSE Leap 15.3`, and a fixed package as
// `NAME-VERSION-RELEASE` (CVRF) or `NAME-VERSION-RELEASE.ARCH` (CSAF), joined into ProductIDs
// `PRODUCT:PACKAGE`.
import type { Namespace } from '../../model.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';

/**
 * The namespace a product's packages are matched in, or undefined for products no scan detects as a
 * release (SUSE Package Hub, SLE Micro, containers and images, which are named by their base release's
 * own products in the same document).
 * `SUSE Linux Enterprise Server 15 SP3`, `SUSE Linux Enterprise Module for Basesystem 15 SP3`,
 * `SUSE Linux Enterprise Server 11 SP2-LTSS` → `suse:15.3`, `suse:15.3`, `suse:11.2`;
 * `SUSE Linux Enterprise Server 15` → `suse:15`; `openSUSE Leap 15.3` → `opensuse:15.3`.
 */
export function suseNamespace(product: string): Namespace | undefined {
  const leap = /^openSUSE Leap (\d+\.\d+)(?: NonFree)?$/.exec(product);
  if (leap) return `opensuse:${leap[1]}`;
  const sle = /^SUSE Linux Enterprise (.+?) (\d+)(?: SP(\d+))?(?:-(?:LTSS|ESPOS|TERADATA|BCL|SAP|CLIENT-TOOLS)(?: ERICSSON)?)?$/.exec(product);
  if (!sle) return undefined;
  const edition = sle[1] as string;
  // SLE Micro and SUSE Manager have their own os-release IDs and version numbers.
  if (/^Micro\b/.test(edition)) return undefined;
  return sle[3] === undefined || sle[3] === '0' ? `suse:${sle[2]}` : `suse:${sle[2]}.${sle[3]}`;
}

const ARCHES = new Set(['noarch', 'x86_64', 'i386', 'i586', 'i686', 'aarch64', 'aarch64_ilp32', 'armv6hl', 'armv7hl', 'ppc', 'ppc64', 'ppc64le', 's390', 's390x', 'ia64', 'riscv64', 'src', 'nosrc']);

/** `libz1-1.2.11-150000.3.30.1` or `bind-9.9.4P2-0.6.1.i586` → name and EVR; undefined if it has no version-release. */
export function splitPackageReference(reference: string): { name: string; evr: string; arch?: string } | undefined {
  let text = reference;
  let arch: string | undefined;
  const dot = text.lastIndexOf('.');
  if (dot > 0 && ARCHES.has(text.slice(dot + 1))) {
    arch = text.slice(dot + 1);
    text = text.slice(0, dot);
  }
  const match = /^(.+)-([^-]+)-([^-]+)$/.exec(text);
  if (!match) return undefined;
  const evr = `${match[2]}-${match[3]}`;
  if (!rpm.valid(evr)) return undefined;
  return { name: match[1] as string, evr, ...(arch === undefined ? {} : { arch }) };
}

/** Splits `PRODUCT:PACKAGE` at the last colon that leaves a package reference (product names hold colons: `Container bci/bci-init:15.3`). */
export function splitProductId(productId: string): { product: string; reference: string } | undefined {
  const colon = productId.lastIndexOf(':');
  if (colon <= 0) return undefined;
  return { product: productId.slice(0, colon), reference: productId.slice(colon + 1) };
}
