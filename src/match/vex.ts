// VEX statements applied to findings (`--vex-location`, and OpenVEX files found in the image). A
// statement is about a finding when it names the finding's vulnerability (its name or any alias
// against the finding's id or aliases) and a product that is the finding's package: the package by
// purl, or the image itself (by digest, `pkg:oci/…@DIGEST`, or `pkg:docker/NAME@TAG`, as Docker Scout's
// exceptions name it) narrowed to the subcomponents it lists, if any. Of the statements about one
// finding the latest counts, as the spec's statements override the earlier ones
// (OPENVEX-SPEC.md, "The VEX Statement"); `not_affected` and `fixed` suppress the finding,
// `affected` and `under_investigation` leave it shown.
import { isDigest } from '../core/digest.ts';
import type { Finding, Suppression } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import { parseImageRef, type ImageRef } from '../core/reference.ts';
import type { SbomSource } from '../core/sbom.ts';
import { parsePurl, purlMatches, type PurlPattern } from './purl-match.ts';
import type { VexComponent, VexDocument, VexStatement } from './vex-document.ts';

export { loadVexDocuments, parseVexDocument, vexDocumentsFromImage, VEX_FILE_COLLECTOR } from './vex-document.ts';
export type { VexComponent, VexDocument, VexProduct, VexStatement, VexStatus } from './vex-document.ts';

const SUPPRESSING = new Set(['not_affected', 'fixed']);
const IMAGE_PURL_TYPES = new Set(['oci', 'docker']);

/** The image the findings are about, for statements whose product is the image. */
interface ImageIdentity {
  digests: Set<string>;
  refs: ImageRef[];
}

function imageIdentity(target: SbomSource | undefined): ImageIdentity | undefined {
  if (!target) return undefined;
  const digests = new Set<string>([target.configDigest, target.manifestDigest, target.indexDigest].filter((digest): digest is `${string}:${string}` => digest !== undefined));
  const refs: ImageRef[] = [];
  for (const name of target.names) {
    try {
      refs.push(parseImageRef(name));
    } catch {
      // A name that is no reference (a file name an archive carries) cannot be what a purl names.
    }
  }
  return { digests, refs };
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'hub.docker.com']);

function sameRegistry(a: string, b: string): boolean {
  return a === b || (DOCKER_HUB_ALIASES.has(a) && DOCKER_HUB_ALIASES.has(b));
}

/**
 * Whether an image purl names this image: by digest (`pkg:oci/NAME@sha256%3A…`, or its `digest`
 * qualifier; a `pkg:docker` version that is a digest), else by repository and tag
 * (`pkg:docker/example/app@v1` is `example/app:v1`; `pkg:oci/app?repository_url=…&tag=…`).
 */
function imagePurlMatches(purl: PurlPattern, image: ImageIdentity): boolean {
  const digest = isDigest(purl.version) ? purl.version : isDigest(purl.qualifiers.digest) ? purl.qualifiers.digest : undefined;
  if (digest) return image.digests.has(digest);
  const repositoryUrl = purl.qualifiers.repository_url;
  const tag = purl.type === 'docker' ? purl.version ?? purl.qualifiers.tag : purl.qualifiers.tag ?? purl.version;
  // pkg:docker's namespace/name is the repository, its repository_url the registry (Docker Hub by
  // default); pkg:oci's name is only the last path component, its repository_url the whole repository.
  let named: string | undefined;
  if (purl.type === 'docker') {
    const repository = purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name;
    named = repositoryUrl && !DOCKER_HUB_ALIASES.has(repositoryUrl) ? `${repositoryUrl}/${repository}` : repository;
  } else if (repositoryUrl) {
    named = repositoryUrl;
  }
  let wanted: ImageRef | undefined;
  try {
    wanted = named === undefined ? undefined : parseImageRef(named);
  } catch {
    return false;
  }
  return image.refs.some((ref) => {
    if (!wanted) {
      if (ref.repository.split('/').pop() !== purl.name) return false;
    } else if (repositoryPath(ref) !== repositoryPath(wanted) || (repositoryUrl !== undefined && !sameRegistry(ref.registry, wanted.registry))) {
      // Without repository_url any registry will do: an exception written for `example/app` holds
      // for the same image pulled through a mirror or a local registry.
      return false;
    }
    return tag === undefined || ref.tag === tag;
  });
}

/** The repository without Docker Hub's implied `library/`, so that `app` in a local registry is `app` on Docker Hub. */
function repositoryPath(ref: ImageRef): string {
  return DOCKER_HUB_ALIASES.has(ref.registry) && ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
}

/** Whether a component names the whole image: an image purl or a bare digest that is this image's. */
function isThisImage(component: VexComponent, image: ImageIdentity | undefined): boolean {
  if (!image) return false;
  return component.ids.some((id) => {
    if (isDigest(id)) return image.digests.has(id);
    const purl = parsePurl(id);
    return purl !== undefined && IMAGE_PURL_TYPES.has(purl.type) && imagePurlMatches(purl, image);
  });
}

function isPackage(component: VexComponent, pkg: Package): boolean {
  return component.ids.some((id) => {
    const purl = parsePurl(id);
    return purl !== undefined && !IMAGE_PURL_TYPES.has(purl.type) && purlMatches(purl, pkg.purl);
  });
}

/** The package and the packages it is inside (a Go module in a binary, a language package an OS package owns). */
function withContainers(pkg: Package, packagesById: ReadonlyMap<string, Package>): Package[] {
  const chain = [pkg];
  let current: Package | undefined = pkg;
  while (current) {
    const next: Package | undefined = packagesById.get(current.parent ?? current.ownedBy ?? '');
    if (!next || chain.includes(next)) break;
    chain.push(next);
    current = next;
  }
  return chain;
}

/**
 * A product is about the package when it is the image or the package (or one that holds it); when it
 * lists subcomponents, the package must also be one of them.
 */
function statementCoversPackage(statement: VexStatement, chain: Package[], image: ImageIdentity | undefined): boolean {
  return statement.products.some((product) => {
    const subject = isThisImage(product, image) || chain.some((pkg) => isPackage(product, pkg));
    if (!subject) return false;
    return product.subcomponents.length === 0 || product.subcomponents.some((subcomponent) => isPackage(subcomponent, chain[0]!));
  });
}

function suppressionOf(statement: VexStatement, origin: string): Suppression {
  const suppression: Suppression = { kind: 'vex', status: statement.status, origin };
  const reason = [statement.justification, statement.impactStatement].filter(Boolean).join(': ') || statement.statusNotes;
  if (reason) suppression.reason = reason;
  return suppression;
}

/**
 * Marks findings that VEX says are `not_affected` or `fixed` as suppressed. `target` is the image's
 * identity (SbomSource) for statements about the image; without it such statements apply to nothing.
 * A finding already suppressed keeps its suppression.
 */
export function applyVex(findings: Finding[], packagesById: ReadonlyMap<string, Package>, documents: VexDocument[], target?: SbomSource): Finding[] {
  const image = imageIdentity(target);
  const byVulnerability = new Map<string, { statement: VexStatement; origin: string; order: number }[]>();
  let order = 0;
  for (const document of documents) {
    for (const statement of document.statements) {
      const entry = { statement, origin: document.origin, order: order++ };
      for (const name of new Set(statement.vulnerability.map((id) => id.toUpperCase()))) {
        const list = byVulnerability.get(name) ?? [];
        list.push(entry);
        byVulnerability.set(name, list);
      }
    }
  }
  if (byVulnerability.size === 0) return findings;
  return findings.map((finding) => {
    if (finding.suppressed) return finding;
    const pkg = packagesById.get(finding.packageId);
    if (!pkg) return finding;
    const candidates = new Set([finding.id, ...finding.aliases].flatMap((id) => byVulnerability.get(id.toUpperCase()) ?? []));
    if (candidates.size === 0) return finding;
    const chain = withContainers(pkg, packagesById);
    let latest: { statement: VexStatement; origin: string; order: number } | undefined;
    for (const candidate of candidates) {
      if (!statementCoversPackage(candidate.statement, chain, image)) continue;
      // Equal times: the later statement (later in its document, or in a later document) wins.
      if (!latest || candidate.statement.time > latest.statement.time || (candidate.statement.time === latest.statement.time && candidate.order > latest.order)) latest = candidate;
    }
    if (!latest || !SUPPRESSING.has(latest.statement.status)) return finding;
    return { ...finding, suppressed: suppressionOf(latest.statement, latest.origin) };
  });
}
