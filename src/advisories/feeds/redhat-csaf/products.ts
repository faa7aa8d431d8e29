// Red Hat's CSAF product tree (https://docs.oasis-open.org/csaf/csaf/v2.0/os/csaf-v2.0-os.html#3113-product-tree-property):
// `product_name` branches are platforms with a CPE (`cpe:/a:redhat:enterprise_linux:9::appstream`), `product_version`
// branches are packages with a purl (`pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=src&epoch=1`, modular builds with
// `rpmmod=ruby:3.1:8070020230102:ad008a3a`), and `relationships` join the two into the ids the vulnerabilities name
// (`AppStream-9.4.0.GA:openssl-1:3.0.7-27.el9.aarch64`, or `red_hat_enterprise_linux_8:libtiff` for a component
// named without a version in a CVE's VEX document).
import type { Namespace } from '../../model.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The namespace of a platform's packages, or undefined for platforms a RHEL or UBI image does not run.
 * Only the main stream maps to `rhel:N`: `enterprise_linux:N` with any variant (baseos, appstream, crb, server,
 * realtime, nfv…), including Red Hat's `X.Y.0.Z.MAIN.EUS` platforms, whose CPE is the main stream's. Extended
 * Update Support, Advanced Update Support, Update Services for SAP (E4S), TUS and ELS streams (`rhel_eus:9.2`,
 * `rhel_aus:8.2`, `rhel_e4s:8.2`, `rhel_tus:8.2`, `rhel_els:7`) ship other builds to subscribers of those streams,
 * not what a UBI or RHEL container image gets; Trivy and Grype match the main stream too. Layered products
 * (OpenStack, JBoss…) have CPEs of their own and no os-release ID.
 */
export function cpeNamespace(cpe: string): Namespace | undefined {
  const main = /^cpe:\/[ao]:redhat:enterprise_linux:(\d+)(?:::[\w-]+)?$/.exec(cpe);
  return main ? `rhel:${main[1]}` : undefined;
}

/** A package as a product_version's purl names it. */
export interface RedHatPackage {
  name: string;
  /** `[epoch:]version-release`, the epoch written only when not zero (as Spyglass writes installed rpm versions). */
  evr?: string;
  arch?: string;
  /** `name:stream` of the `rpmmod` qualifier. */
  module?: string;
}

/** `pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=src&epoch=1` → name, EVR, arch and module; undefined if not an rpm purl. */
export function readRpmPurl(purl: string): RedHatPackage | undefined {
  const match = /^pkg:rpm\/[^/]+\/([^@?#]+)(?:@([^?#]+))?(?:\?([^#]*))?/.exec(purl);
  if (!match) return undefined;
  const qualifiers = new URLSearchParams(match[3] ?? '');
  const name = decodeURIComponent(match[1] as string);
  const version = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  const epoch = qualifiers.get('epoch');
  const arch = qualifiers.get('arch');
  const rpmmod = qualifiers.get('rpmmod');
  const found: RedHatPackage = { name };
  if (version !== undefined) found.evr = epoch && epoch !== '0' ? `${epoch}:${version}` : version;
  if (arch) found.arch = arch;
  if (rpmmod) found.module = rpmmod.split(':').slice(0, 2).join(':');
  return found;
}

/**
 * A package reference without a purl: `openssl-1:3.0.7-27.el9.aarch64` (name-epoch:version-release.arch), or a
 * component without a version, `libtiff` or, for a module's component, `ruby:3.1/ruby`.
 */
export function readReference(reference: string): RedHatPackage {
  const nevra = /^(.+)-(\d+):([^-:]+)-([^-:]+)\.([\w]+)$/.exec(reference);
  if (nevra) {
    const epoch = nevra[2] as string;
    return { name: nevra[1] as string, evr: `${epoch === '0' ? '' : `${epoch}:`}${nevra[3]}-${nevra[4]}`, arch: nevra[5] as string };
  }
  const modular = /^([^:/]+):([^:/]+)\/(.+)$/.exec(reference);
  if (modular) return { name: modular[3] as string, module: `${modular[1]}:${modular[2]}` };
  return { name: reference };
}

/** What the product tree says about the ids a document's vulnerabilities name. */
export interface ProductTree {
  /** Platform product id → CPE. */
  platforms: Map<string, string>;
  /** Package product id → purl. */
  purls: Map<string, string>;
  /** Full product id → (package reference, platform). */
  relationships: Map<string, { reference: string; platform: string }>;
}

export function readProductTree(tree: unknown): ProductTree {
  const platforms = new Map<string, string>();
  const purls = new Map<string, string>();
  const relationships = new Map<string, { reference: string; platform: string }>();
  const walk = (branches: unknown): void => {
    for (const branch of list(branches)) {
      if (!isObject(branch)) continue;
      const product = isObject(branch.product) ? branch.product : undefined;
      const id = product ? text(product.product_id) : undefined;
      const helper = product && isObject(product.product_identification_helper) ? product.product_identification_helper : undefined;
      if (id && helper) {
        const cpe = text(helper.cpe);
        const purl = text(helper.purl);
        if (cpe && branch.category === 'product_name') platforms.set(id, cpe);
        if (purl) purls.set(id, purl);
      }
      walk(branch.branches);
    }
  };
  if (isObject(tree)) {
    walk(tree.branches);
    for (const relationship of list(tree.relationships)) {
      if (!isObject(relationship) || !isObject(relationship.full_product_name)) continue;
      const id = text(relationship.full_product_name.product_id);
      const reference = text(relationship.product_reference);
      const platform = text(relationship.relates_to_product_reference);
      if (id && reference && platform) relationships.set(id, { reference, platform });
    }
  }
  return { platforms, purls, relationships };
}

/**
 * The namespace and package a vulnerability's product id names, `{ skip }` for a platform no image runs,
 * or undefined when the id cannot be read. Ids not in the relationships are split at their first colon
 * (platform ids hold none; package references do: `openssl-1:3.0.7…`).
 */
export function resolveProduct(tree: ProductTree, productId: string): { namespace: Namespace; pkg: RedHatPackage } | { skip: true } | undefined {
  let joined = tree.relationships.get(productId);
  if (joined === undefined) {
    const colon = productId.indexOf(':');
    if (colon <= 0) return undefined;
    joined = { platform: productId.slice(0, colon), reference: productId.slice(colon + 1) };
  }
  const cpe = tree.platforms.get(joined.platform);
  if (cpe === undefined) return undefined;
  const namespace = cpeNamespace(cpe);
  if (namespace === undefined) return { skip: true };
  const purl = tree.purls.get(joined.reference);
  // Container images (`pkg:oci/…`) and other non-rpm components are not installed packages of the release.
  if (purl !== undefined && !purl.startsWith('pkg:rpm/')) return { skip: true };
  const fromPurl = purl === undefined ? undefined : readRpmPurl(purl);
  const fromReference = readReference(joined.reference);
  // A versionless component's purl (`pkg:rpm/redhat/ruby?arch=src`) loses the module of `ruby:3.1/ruby`.
  const pkg = fromPurl === undefined ? fromReference : { ...fromPurl, ...(fromPurl.module === undefined && fromReference.module !== undefined ? { module: fromReference.module } : {}) };
  return { namespace, pkg };
}
