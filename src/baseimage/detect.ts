// An image's base image, with the evidence `--details` shows. Three ways, in this order, the first that
// decides wins (docs/base-images.md, "Detection"):
// 1. SLSA provenance attached to the image (provenance.ts says which material is the final stage's FROM);
// 2. the OCI annotations `org.opencontainers.image.base.name` / `.base.digest`
//    (https://github.com/opencontainers/image-spec/blob/main/annotations.md);
// 3. the catalog image whose whole diff_id chain is the longest prefix of the image's chain.
// A method that cannot decide leaves a note; when none decides, the notes are the reason. Bad input (a
// provenance document that does not parse, an image that shares no layers with anything) is a reason,
// never an exception.
import type { Digest } from '../core/digest.ts';
import { isDigest, shortDigest } from '../core/digest.ts';
import { errorText } from '../core/errors.ts';
import type { SbomSource } from '../core/sbom.ts';
import type { Attestation } from '../image/model.ts';
import { baseRefName, parseBaseRef, samePlatform } from './base-ref.ts';
import type { BaseDetection, BaseImageCatalog, BaseImageRef, CatalogImage, DetectionMethod, DetectionOutcome } from './model.ts';
import { isProvenancePredicateType, readProvenanceStatement, type ImageMaterial, type ProvenanceStatement } from './provenance.ts';
import { bySpecificity } from './tag-specificity.ts';

export const BASE_NAME_ANNOTATION = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_ANNOTATION = 'org.opencontainers.image.base.digest';

/**
 * Docker's Dockerfile frontends: a `# syntax=` line makes BuildKit pull one and list it among the
 * materials, but the image is never built on it.
 */
export const DOCKERFILE_FRONTEND_REPOSITORIES: readonly string[] = ['docker.io/docker/dockerfile', 'docker.io/docker/dockerfile-upstream'];

export interface DetectionInput {
  /** The image: names, annotations, layers with diff_ids and blob digests, platform, manifest digest. */
  source: SbomSource;
  /** The image's attestations (from openImage, or bufferProvenance once the image is closed). */
  attestations?: readonly Attestation[];
}

/** Why a method did not decide: `problem` notes (bad or ambiguous input) also go into a found base's evidence. */
interface Note {
  text: string;
  problem: boolean;
}

interface Context {
  source: SbomSource;
  chain: readonly Digest[];
  platform?: string;
  catalog?: BaseImageCatalog;
  notes: Note[];
}

export async function detectBase(input: DetectionInput, catalog?: BaseImageCatalog): Promise<DetectionOutcome> {
  const context: Context = {
    source: input.source,
    chain: input.source.layers.map((layer) => layer.diffId),
    ...(input.source.platform !== undefined ? { platform: input.source.platform } : {}),
    ...(catalog !== undefined ? { catalog } : {}),
    notes: [],
  };
  const fromProvenance = await detectFromProvenance(context, input.attestations ?? []);
  if (fromProvenance !== undefined) return fromProvenance;
  const fromAnnotations = detectFromAnnotations(context);
  if (fromAnnotations !== undefined) return { base: fromAnnotations };
  const fromLayers = detectFromLayers(context);
  if (fromLayers !== undefined) return { base: fromLayers };
  return { reason: context.notes.map((note) => note.text).join('; ') };
}

function isChainPrefix(prefix: readonly string[], chain: readonly string[]): boolean {
  return prefix.length > 0 && prefix.length <= chain.length && prefix.every((digest, position) => chain[position] === digest);
}

function platformFits(context: Context, platform: string | undefined): boolean {
  return platform === undefined || context.platform === undefined || samePlatform(platform, context.platform);
}

function layerCount(count: number): string {
  return count === 1 ? '1 layer' : `${count} layers`;
}

function recordName(record: CatalogImage): string {
  return baseRefName({ repository: record.repository, tag: record.tag });
}

/** Catalog records of the image a reference names, on the image's platform: by digest, else by tag. */
function catalogRecords(context: Context, ref: BaseImageRef): { records: CatalogImage[]; byTag: boolean } {
  const catalog = context.catalog;
  if (catalog === undefined) return { records: [], byTag: false };
  const fits = (record: CatalogImage) => platformFits(context, record.platform);
  if (ref.digest !== undefined) {
    let records = catalog.byDigest(ref.digest).filter(fits);
    // A tag's digest can be its index's: the platform image is then found by the index digest.
    if (records.length === 0) records = catalog.list({ repository: ref.repository }).filter((record) => record.tagDigest === ref.digest && fits(record));
    if (records.length > 0) return { records, byTag: false };
  }
  if (ref.tag !== undefined && context.platform !== undefined) {
    // Without a catalogued digest, only a record of the tag whose chain is this image's bottom says anything.
    const records = catalog.history(ref.repository, ref.tag, context.platform).filter((record) => isChainPrefix(record.diffIds, context.chain));
    return { records, byTag: true };
  }
  return { records: [], byTag: false };
}

/** The catalog record of a detected base, preferring one whose chain is this image's bottom. */
function catalogEntry(context: Context, ref: BaseImageRef): { entry?: CatalogImage; prefix: boolean; line?: string } {
  const { records, byTag } = catalogRecords(context, ref);
  if (records.length === 0) {
    return context.catalog === undefined ? { prefix: false } : { prefix: false, line: `${baseRefName(ref)} is not in the base-image catalog, so how many of the image's layers are the base's is unknown` };
  }
  const rank = (record: CatalogImage) => [
    isChainPrefix(record.diffIds, context.chain) ? 0 : 1,
    record.repository === ref.repository ? 0 : 1,
    record.tag === ref.tag ? 0 : 1,
  ];
  const entry = [...records].sort((a, b) => {
    const left = rank(a);
    const right = rank(b);
    const differs = left.findIndex((value, position) => value !== right[position]);
    if (differs >= 0) return left[differs]! - right[differs]!;
    return a.indexedAt === b.indexedAt ? 0 : a.indexedAt > b.indexedAt ? -1 : 1;
  })[0]!;
  const prefix = isChainPrefix(entry.diffIds, context.chain);
  const what = `catalog: ${recordName(entry)} ${entry.platform} ${entry.digest}${byTag ? ' (a record of that tag)' : ''}`;
  return {
    entry, prefix,
    line: prefix
      ? `${what}: its ${layerCount(entry.diffIds.length)} ${entry.diffIds.length === 1 ? 'is' : 'are'} the image's bottom ${layerCount(entry.diffIds.length)}`
      : `${what}: its layers are not the image's bottom layers (rebuilt or squashed?), so how many of the image's layers are the base's is unknown`,
  };
}

/** A detection with the catalog record and base layer count filled in from what is known. */
function detection(
  context: Context, method: DetectionMethod, ref: BaseImageRef, evidence: string[],
  options: { entry?: CatalogImage; candidates?: BaseImageRef[]; layerBlobs?: readonly Digest[] } = {},
): BaseDetection {
  let baseLayers: number | undefined;
  if (options.layerBlobs !== undefined) {
    const blobs = context.source.layers.map((layer) => layer.digest);
    if (isChainPrefix(options.layerBlobs, blobs)) {
      baseLayers = options.layerBlobs.length;
      evidence.push(`BuildKit's layer list for that step is the image's bottom ${layerCount(baseLayers)} (by blob digest)`);
    } else {
      evidence.push(`BuildKit's layer list for that step (${layerCount(options.layerBlobs.length)}) is not the bottom of this image's layer blobs`);
    }
  }
  const found = options.entry !== undefined ? { entry: options.entry, prefix: true } : catalogEntry(context, ref);
  if ('line' in found && found.line !== undefined) evidence.push(found.line);
  if (found.prefix && found.entry !== undefined) baseLayers ??= found.entry.diffIds.length;
  for (const note of context.notes) if (note.problem) evidence.push(`passed over: ${note.text}`);
  return {
    method,
    name: baseRefName(ref),
    ref,
    evidence,
    candidates: options.candidates ?? [ref],
    ...(baseLayers !== undefined ? { baseLayers } : {}),
    ...(found.entry !== undefined ? { entry: found.entry } : {}),
  };
}

async function detectFromProvenance(context: Context, attestations: readonly Attestation[]): Promise<DetectionOutcome | undefined> {
  const manifestDigest = context.source.manifestDigest;
  const statements = attestations
    .filter((attestation) => manifestDigest === undefined || attestation.describes === manifestDigest)
    .flatMap((attestation) => attestation.layers.flatMap((layer, position) => {
      const predicateType = attestation.predicateTypes[position] ?? '';
      return isProvenancePredicateType(predicateType) ? [{ attestation, layer, predicateType }] : [];
    }));
  if (statements.length === 0) {
    context.notes.push({ text: 'no provenance attestation', problem: false });
    return undefined;
  }
  for (const { attestation, layer, predicateType } of statements) {
    const label = `provenance attestation ${attestation.manifestDigest} (${predicateType})`;
    let bytes: Buffer;
    try {
      bytes = await attestation.read(layer);
    } catch (error) {
      context.notes.push({ text: `${label} could not be read: ${errorText(error)}`, problem: true });
      continue;
    }
    const reading = readProvenanceStatement(bytes);
    if ('error' in reading) {
      context.notes.push({ text: `${label} does not parse: ${reading.error}`, problem: true });
      continue;
    }
    const outcome = decideFromStatement(context, label, reading.statement);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}

function isFrontend(material: ImageMaterial, statement: ProvenanceStatement): boolean {
  const frontend = statement.frontendSource;
  if (frontend !== undefined && material.ref.repository === frontend.repository && (frontend.tag === undefined || material.ref.tag === frontend.tag)) return true;
  return DOCKERFILE_FRONTEND_REPOSITORIES.includes(material.ref.repository);
}

function sameImage(material: BaseImageRef, source: BaseImageRef): boolean {
  return material.repository === source.repository && (material.digest === undefined || source.digest === undefined || material.digest === source.digest);
}

function decideFromStatement(context: Context, label: string, statement: ProvenanceStatement): DetectionOutcome | undefined {
  const manifestDigest = context.source.manifestDigest;
  if (manifestDigest !== undefined && statement.subjectDigests.length > 0 && !statement.subjectDigests.includes(manifestDigest)) {
    const subject = statement.subjectNames[0] ?? statement.subjectDigests[0]!;
    context.notes.push({ text: `${label} describes ${subject}, not this image`, problem: true });
    return undefined;
  }
  const images = statement.images.filter((material) => platformFits(context, material.platform));
  const frontends = images.filter((material) => isFrontend(material, statement));
  const evidence = [label];
  const stage = statement.finalStage;
  if (stage?.kind === 'scratch') {
    return { reason: `${label}: the build graph's final stage starts FROM scratch (step ${stage.step}), so the image has no base image` };
  }
  if (stage?.kind === 'image') {
    const material = images.find((candidate) => sameImage(candidate.ref, stage.ref));
    evidence.push(`build graph (llbDefinition): the result's root filesystem goes back to step ${stage.step}, ${stage.identifier}`);
    if (material !== undefined) evidence.push(`material ${material.uri}${material.ref.digest ? ` ${material.ref.digest}` : ''}`);
    const others = images.filter((candidate) => candidate !== material);
    if (others.length > 0) evidence.push(`other images the build used: ${others.map((other) => `${other.uri}${frontends.includes(other) ? ' (the Dockerfile frontend)' : ''}`).join(', ')}`);
    const ref: BaseImageRef = { ...stage.ref, ...(stage.ref.digest === undefined && material?.ref.digest !== undefined ? { digest: material.ref.digest } : {}) };
    return { base: detection(context, 'provenance', ref, evidence, stage.layers !== undefined ? { layerBlobs: stage.layers } : {}) };
  }
  if (stage?.kind === 'unknown') context.notes.push({ text: `${label}: its build graph was not followed (${stage.why})`, problem: true });

  const candidates = images.filter((material) => !frontends.includes(material));
  if (candidates.length === 0) {
    const besides = frontends.length > 0 ? ' other than the Dockerfile frontend' : '';
    context.notes.push({ text: `${label} lists no container image for ${context.platform ?? 'this platform'} among its materials${besides}`, problem: true });
    return undefined;
  }
  if (frontends.length > 0) evidence.push(`not the base: ${frontends.map((frontend) => frontend.uri).join(', ')} (the Dockerfile frontend)`);
  // Without the build graph (BuildKit's default mode=min), the catalog tells the stages apart: the base's
  // chain is the bottom of this image's; another stage's image or a COPY --from source's is not.
  const checked = candidates.map((material) => ({ material, ...catalogEntry(context, material.ref) }));
  const confirmed = checked
    .filter((candidate) => candidate.entry !== undefined && candidate.prefix)
    .sort((a, b) => b.entry!.diffIds.length - a.entry!.diffIds.length);
  const ruledOut = checked.filter((candidate) => candidate.entry !== undefined && !candidate.prefix);
  const unknown = checked.filter((candidate) => candidate.entry === undefined);
  for (const candidate of ruledOut) evidence.push(`not the base: ${candidate.material.uri}: its catalogued layers are not the image's bottom layers`);
  let chosen: (typeof checked)[number];
  if (confirmed.length > 0) {
    chosen = confirmed[0]!;
    evidence.push(`material ${chosen.material.uri}${chosen.material.ref.digest ? ` ${chosen.material.ref.digest}` : ''}: the catalogued image of that digest is the image's bottom ${layerCount(chosen.entry!.diffIds.length)}`);
    for (const other of [...confirmed.slice(1), ...unknown]) evidence.push(`also listed: ${other.material.uri}`);
  } else if (unknown.length === 1) {
    chosen = unknown[0]!;
    const why = ruledOut.length > 0 ? 'the only image material the catalog does not rule out' : 'the only image material besides the Dockerfile frontend';
    evidence.push(`material ${chosen.material.uri}${chosen.material.ref.digest ? ` ${chosen.material.ref.digest}` : ''}: ${why}`);
  } else {
    const listed = unknown.length > 0 ? unknown : checked;
    context.notes.push({
      text: `${label} lists ${listed.length} images (${listed.map((candidate) => candidate.material.uri).join(', ')}) and no build graph to say which one the final stage starts FROM (BuildKit mode=min)`,
      problem: true,
    });
    return undefined;
  }
  return { base: detection(context, 'provenance', chosen.material.ref, evidence, chosen.entry !== undefined && chosen.prefix ? { entry: chosen.entry } : {}) };
}

function detectFromAnnotations(context: Context): BaseDetection | undefined {
  const annotations = context.source.annotations ?? {};
  const nameText = annotations[BASE_NAME_ANNOTATION];
  const digestText = annotations[BASE_DIGEST_ANNOTATION];
  if (!nameText && !digestText) {
    context.notes.push({ text: `no ${BASE_NAME_ANNOTATION} annotation`, problem: false });
    return undefined;
  }
  const evidence: string[] = [];
  let digest: Digest | undefined;
  if (digestText) {
    if (isDigest(digestText)) digest = digestText;
    else context.notes.push({ text: `annotation ${BASE_DIGEST_ANNOTATION} ${JSON.stringify(digestText)} is not a digest`, problem: true });
  }
  let ref: BaseImageRef | undefined;
  if (nameText) {
    ref = parseBaseRef(nameText);
    if (ref === undefined) context.notes.push({ text: `annotation ${BASE_NAME_ANNOTATION} ${JSON.stringify(nameText)} is not an image reference`, problem: true });
    else evidence.push(`manifest annotation ${BASE_NAME_ANNOTATION} = ${nameText}`);
  }
  if (digest !== undefined) evidence.push(`manifest annotation ${BASE_DIGEST_ANNOTATION} = ${digest}`);
  if (ref !== undefined) {
    // The spec has base.digest name the manifest base.name refers to; it wins over a digest in the name.
    return detection(context, 'annotation', digest !== undefined ? { ...ref, digest } : ref, evidence);
  }
  if (digest === undefined) return undefined;
  const records = context.catalog?.byDigest(digest).filter((record) => platformFits(context, record.platform)) ?? [];
  if (records.length === 0) {
    context.notes.push({ text: `annotation ${BASE_DIGEST_ANNOTATION} ${digest} has no base.name and names no catalogued image`, problem: true });
    return undefined;
  }
  const named = bySpecificity(records.map((record) => ({ repository: record.repository, tag: record.tag, digest })));
  evidence.push(`named by the catalog: ${named.map(baseRefName).join(', ')}`);
  return detection(context, 'annotation', named[0]!, evidence, { candidates: named });
}

function detectFromLayers(context: Context): BaseDetection | undefined {
  const catalog = context.catalog;
  if (catalog === undefined) {
    context.notes.push({ text: 'no base-image catalog to compare layer chains with (`spyglass base-images add`)', problem: false });
    return undefined;
  }
  if (context.chain.length === 0) {
    context.notes.push({ text: 'the image has no layers to compare', problem: false });
    return undefined;
  }
  const { manifestDigest, configDigest } = context.source;
  // An image is not its own base: a catalogued copy of this very image is left out.
  const matches = catalog.chainPrefixes(context.chain, context.platform).filter((record) =>
    isChainPrefix(record.diffIds, context.chain) && platformFits(context, record.platform)
    && record.digest !== manifestDigest && record.configDigest !== configDigest);
  if (matches.length === 0) {
    context.notes.push({ text: noMatchReason(context, catalog), problem: false });
    return undefined;
  }
  const longest = Math.max(...matches.map((record) => record.diffIds.length));
  const seen = new Set<string>();
  const top = matches.filter((record) => {
    const key = `${record.repository}\n${record.tag}\n${record.digest}`;
    if (record.diffIds.length !== longest || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const candidates = bySpecificity(top.map((record) => ({ repository: record.repository, tag: record.tag, digest: record.digest })));
  const chosen = candidates[0]!;
  const entry = top.find((record) => record.repository === chosen.repository && record.tag === chosen.tag && record.digest === chosen.digest)!;
  const evidence = [
    `layers: the image's bottom ${layerCount(longest)} (${context.chain.slice(0, longest).map((diffId) => shortDigest(diffId)).join(', ')}) ${longest === 1 ? 'is' : 'are'} the whole chain of ${recordName(entry)} ${entry.platform} ${entry.digest}`,
  ];
  if (candidates.length > 1) {
    const digests = new Set(candidates.map((candidate) => candidate.digest));
    evidence.push(`${candidates.length} tags have that chain${digests.size > 1 ? ` (${digests.size} digests)` : ''}: ${candidates.map(baseRefName).join(', ')}; the most specific is chosen (dated build, then more version components, then a name, then a floating tag)`);
  }
  const shorter = [...new Set(matches.filter((record) => record.diffIds.length < longest).map(recordName))];
  if (shorter.length > 0) evidence.push(`shorter chains that are also a prefix (the base's own bases): ${shorter.join(', ')}`);
  return detection(context, 'layers', chosen, evidence, { entry, candidates });
}

/** Why no catalog chain is a prefix: nothing shares the bottom layer, or something does but diverges. */
function noMatchReason(context: Context, catalog: BaseImageCatalog): string {
  const platform = context.platform !== undefined ? ` ${context.platform}` : '';
  const records = catalog.list(context.platform !== undefined ? { platform: context.platform } : {});
  if (records.length === 0) return `the base-image catalog holds no${platform} images to compare layers with`;
  const common = (record: CatalogImage) => {
    let count = 0;
    while (count < record.diffIds.length && record.diffIds[count] === context.chain[count]) count++;
    return count;
  };
  const sharing = records.map((record) => ({ record, common: common(record) })).filter((candidate) => candidate.common > 0);
  if (sharing.length === 0) return `the image shares no layers with any of the ${records.length} catalogued${platform} images`;
  sharing.sort((a, b) => b.common - a.common || (recordName(a.record) < recordName(b.record) ? -1 : 1));
  const best = sharing[0]!;
  return `the image's bottom ${layerCount(best.common)} ${best.common === 1 ? 'is' : 'are'} ${recordName(best.record)}'s, but not its whole chain of ${layerCount(best.record.diffIds.length)}: no catalogued image is a prefix of this one`;
}
