// SLSA provenance attached to an image (an in-toto statement in a BuildKit attestation manifest), read
// for what base detection needs: the container images the build used, and, when the provenance carries
// the build graph, which of them the final stage starts FROM.
//
// BuildKit does not mark the base among the materials: it lists every image the build resolved (the
// final stage's FROM, other stages' FROMs, `COPY --from` images, the Dockerfile frontend of a
// `# syntax=` line) as `pkg:docker` purls with the resolved digest, in no meaningful order
// (docs.docker.com/build/metadata/attestations/slsa-definitions/; moby/buildkit#6202: "no such concept
// as base image exists in BuildKit build graph"). With `mode=max` the provenance also holds the LLB
// definition (`buildConfig.llbDefinition`), whose last step is the build result; following its root
// filesystem back through RUN/COPY steps reaches the source op the final stage started from.
import type { Digest } from '../core/digest.ts';
import { isDigest } from '../core/digest.ts';
import { errorText } from '../core/errors.ts';
import { PackageURL } from 'packageurl-js';
import type { Attestation } from '../image/model.ts';
import { parseBaseRef, sha256FromDigestSet } from './base-ref.ts';
import type { BaseImageRef } from './model.ts';

export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
const SLSA_PROVENANCE_PREFIX = 'https://slsa.dev/provenance/';

/** Whether an attestation layer's `in-toto.io/predicate-type` is SLSA provenance (any version). */
export function isProvenancePredicateType(predicateType: string): boolean {
  return predicateType.startsWith(SLSA_PROVENANCE_PREFIX);
}

/** A container image among the materials (v0.2) or resolved dependencies (v1). */
export interface ImageMaterial {
  /** The purl as written, e.g. `pkg:docker/debian@bullseye-slim?platform=linux%2Famd64`. */
  uri: string;
  ref: BaseImageRef;
  /** The `platform` qualifier, `os/arch[/variant]`. */
  platform?: string;
  /** `pkg:oci`: an image from an OCI layout build context rather than a registry. */
  local: boolean;
}

/** Where the final stage's root filesystem starts, from the LLB definition. */
export type FinalStageStart =
  | { kind: 'image'; step: string; identifier: string; ref: BaseImageRef; layers?: Digest[] }
  | { kind: 'scratch'; step: string }
  | { kind: 'unknown'; why: string };

export interface ProvenanceStatement {
  predicateType: string;
  subjectNames: string[];
  subjectDigests: Digest[];
  images: ImageMaterial[];
  /** The gateway frontend image the build ran (the `source` request argument), when given. */
  frontendSource?: BaseImageRef;
  /** Present when the provenance carries the build graph (BuildKit `mode=max`). */
  finalStage?: FinalStageStart;
}

export type ProvenanceReading = { statement: ProvenanceStatement } | { error: string };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The statement inside a DSSE envelope or a Sigstore bundle, or the document itself. */
function unwrap(document: unknown): unknown {
  const envelope = isObject(document) && isObject(document.dsseEnvelope) ? document.dsseEnvelope : document;
  if (isObject(envelope) && typeof envelope.payloadType === 'string' && typeof envelope.payload === 'string') {
    return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as unknown;
  }
  return document;
}

/** An image material from its purl; undefined for materials that are no container image (git, https). */
function imageMaterial(uri: string, digestSet: unknown): ImageMaterial | undefined {
  if (!uri.startsWith('pkg:docker/') && !uri.startsWith('pkg:oci/')) return undefined;
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(uri);
  } catch {
    return undefined;
  }
  const qualifiers = (purl.qualifiers ?? {}) as Record<string, string | undefined>;
  const qualifierDigest = qualifiers.digest;
  const versionDigest = isDigest(purl.version) ? purl.version : undefined;
  const digest = sha256FromDigestSet(digestSet) ?? versionDigest ?? (isDigest(qualifierDigest) ? qualifierDigest : undefined);
  const tag = purl.version !== undefined && purl.version !== '' && versionDigest === undefined ? purl.version : undefined;
  const name = purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name;
  const local = purl.type === 'oci';
  // BuildKit writes registry images with RefToPURL: the familiar name split into namespace and name.
  const parsed = local ? { repository: name } : parseBaseRef(tag !== undefined ? `${name}:${tag}` : name);
  if (parsed === undefined) return undefined;
  const ref: BaseImageRef = { repository: parsed.repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
  return { uri, ref, ...(qualifiers.platform ? { platform: qualifiers.platform } : {}), local };
}

function readMaterials(list: unknown, where: string): ImageMaterial[] | string {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return `${where} is not a list`;
  const images: ImageMaterial[] = [];
  for (const [index, entry] of list.entries()) {
    if (!isObject(entry) || typeof entry.uri !== 'string') return `${where}[${index}] has no uri`;
    const image = imageMaterial(entry.uri, entry.digest);
    if (image) images.push(image);
  }
  return images;
}

/** Parses one provenance statement (raw, DSSE-wrapped or in a Sigstore bundle); never throws. */
export function readProvenanceStatement(bytes: Buffer): ProvenanceReading {
  let statement: unknown;
  try {
    statement = unwrap(JSON.parse(bytes.toString('utf8')));
  } catch (error) {
    return { error: `not valid JSON (${errorText(error)})` };
  }
  if (!isObject(statement) || typeof statement.predicateType !== 'string') return { error: 'not an in-toto statement (no predicateType)' };
  const predicateType = statement.predicateType;
  const predicate = statement.predicate;
  if (!isObject(predicate)) return { error: `the ${predicateType} statement has no predicate object` };
  const subjects = Array.isArray(statement.subject) ? statement.subject.filter(isObject) : [];
  const subjectNames = subjects.flatMap((subject) => (typeof subject.name === 'string' ? [subject.name] : []));
  const subjectDigests = subjects.flatMap((subject) => {
    const digest = sha256FromDigestSet(subject.digest);
    return digest ? [digest] : [];
  });

  let images: ImageMaterial[] | string;
  let frontend: unknown;
  let llb: unknown;
  let layers: unknown;
  if (predicateType === SLSA_PROVENANCE_V02) {
    images = readMaterials(predicate.materials, 'predicate.materials');
    frontend = path(predicate, 'invocation', 'parameters', 'args', 'source');
    llb = path(predicate, 'buildConfig', 'llbDefinition');
    layers = path(predicate, 'metadata', 'https://mobyproject.org/buildkit@v1#metadata', 'layers');
  } else if (predicateType.startsWith(SLSA_PROVENANCE_V1)) {
    const definition = predicate.buildDefinition;
    if (!isObject(definition)) return { error: `the ${predicateType} predicate has no buildDefinition object` };
    images = readMaterials(definition.resolvedDependencies, 'predicate.buildDefinition.resolvedDependencies');
    frontend = path(definition, 'externalParameters', 'request', 'args', 'source');
    llb = path(definition, 'internalParameters', 'buildConfig', 'llbDefinition');
    layers = path(predicate, 'runDetails', 'metadata', 'buildkit_metadata', 'layers');
  } else {
    return { error: `predicate type ${predicateType} is not SLSA provenance v0.2 or v1` };
  }
  if (typeof images === 'string') return { error: images };
  const frontendSource = typeof frontend === 'string' ? parseBaseRef(frontend) : undefined;
  const finalStage = llb === undefined || llb === null ? undefined : finalStageStart(llb, layers);
  return {
    statement: {
      predicateType, subjectNames, subjectDigests, images,
      ...(frontendSource ? { frontendSource } : {}),
      ...(finalStage ? { finalStage } : {}),
    },
  };
}

/** Number fields of LLB JSON are left out when 0 (Go's `omitempty`). */
function llbNumber(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : 0;
}

/**
 * Follows the build result's root filesystem back to the op it started from. Steps are
 * `{ id, op: { Op: { exec | source | file | merge | diff | build } }, inputs: ["stepN:output"] }`, the
 * last one the result (moby/buildkit solver/llbsolver/provenance/buildconfig.go, solver/pb/json.go):
 * - exec (RUN): the mount that produces the output followed is the root; its `input` is the state before;
 * - file (COPY, ADD, WORKDIR…): the action producing the output copies onto its `input`, which is an op
 *   input, an earlier action's result (index past the inputs), or -1 for scratch;
 * - merge (`COPY --link`): the first input is the lowest layer, the stage's state;
 * - source: `docker-image://…` or `oci-layout://…` is the image the stage started FROM.
 */
function finalStageStart(definition: unknown, layers: unknown): FinalStageStart {
  if (!Array.isArray(definition) || definition.length === 0) return { kind: 'unknown', why: 'the llbDefinition is not a list of steps' };
  const steps = new Map<string, JsonObject>();
  for (const step of definition) if (isObject(step) && typeof step.id === 'string') steps.set(step.id, step);
  const result = definition.at(-1) as unknown;
  const resultInputs = isObject(result) ? result.inputs : undefined;
  if (!Array.isArray(resultInputs) || resultInputs.length !== 1 || typeof resultInputs[0] !== 'string') {
    return { kind: 'unknown', why: 'the last llbDefinition step is not the build result' };
  }
  let edge: string = resultInputs[0];
  for (let hops = 0; hops <= definition.length; hops++) {
    const colon = edge.lastIndexOf(':');
    const id = colon < 0 ? edge : edge.slice(0, colon);
    const output = colon < 0 ? 0 : Number(edge.slice(colon + 1));
    const step = steps.get(id);
    const op = path(step, 'op', 'Op');
    if (!step || !isObject(op)) return { kind: 'unknown', why: `step ${id} is not in the llbDefinition` };
    const inputs = Array.isArray(step.inputs) ? step.inputs : [];
    const next = (input: number): string | undefined => (typeof inputs[input] === 'string' ? inputs[input] : undefined);
    let following: number | undefined;
    if (isObject(op.source)) {
      const identifier = typeof op.source.identifier === 'string' ? op.source.identifier : '';
      return imageSource(id, edge, identifier, layers);
    } else if (isObject(op.exec)) {
      const mounts = Array.isArray(op.exec.mounts) ? op.exec.mounts.filter(isObject) : [];
      const root = mounts.find((mount) => llbNumber(mount.output) === output) ?? mounts.find((mount) => mount.dest === '/');
      if (!root) return { kind: 'unknown', why: `exec step ${id} has no mount for output ${output}` };
      following = llbNumber(root.input);
    } else if (isObject(op.file)) {
      const actions = Array.isArray(op.file.actions) ? op.file.actions.filter(isObject) : [];
      let action = actions.find((candidate) => llbNumber(candidate.output) === output);
      for (let depth = 0; action !== undefined && depth <= actions.length; depth++) {
        const input = llbNumber(action.input);
        if (input < inputs.length) {
          following = input;
          break;
        }
        action = actions[input - inputs.length];
      }
      if (following === undefined) return { kind: 'unknown', why: `file step ${id} has no action for output ${output}` };
    } else if (isObject(op.merge)) {
      const first = Array.isArray(op.merge.inputs) ? op.merge.inputs[0] : undefined;
      following = isObject(first) ? llbNumber(first.input) : 0;
    } else {
      return { kind: 'unknown', why: `step ${id} is a ${Object.keys(op).join('/') || 'empty'} op, which starts no stage from an image` };
    }
    if (following === -1) return { kind: 'scratch', step: id };
    const inputEdge = next(following);
    if (inputEdge === undefined) return { kind: 'unknown', why: `step ${id} has no input ${following}` };
    edge = inputEdge;
  }
  return { kind: 'unknown', why: 'the llbDefinition has a cycle' };
}

/** `oci-layout://<content store>@<digest>`: a build context's OCI layout, named by the store it was read from. */
function layoutRef(reference: string): BaseImageRef {
  const at = reference.lastIndexOf('@');
  const digest = at < 0 ? undefined : reference.slice(at + 1);
  return { repository: at < 0 ? reference : reference.slice(0, at), ...(isDigest(digest) ? { digest } : {}) };
}

function imageSource(id: string, edge: string, identifier: string, layers: unknown): FinalStageStart {
  const scheme = /^(docker-image|oci-layout):\/\//.exec(identifier);
  if (!scheme) return { kind: 'unknown', why: `the final stage starts from ${identifier || 'an empty source'}, not an image` };
  const reference = identifier.slice(scheme[0].length);
  const ref = scheme[1] === 'docker-image' ? parseBaseRef(reference) : layoutRef(reference);
  if (!ref) return { kind: 'unknown', why: `the final stage's source ${identifier} is not an image reference` };
  // BuildKit's layer map (mode=max): the step's output → its layer descriptors (a list per mount, often repeated).
  const chains = isObject(layers) ? layers[edge] : undefined;
  const first = Array.isArray(chains) && Array.isArray(chains[0]) ? (chains[0] as unknown[]) : undefined;
  const digests = first?.map((descriptor) => path(descriptor, 'digest'));
  const layerDigests = digests?.every(isDigest) ? (digests as Digest[]) : undefined;
  return { kind: 'image', step: id, identifier, ref, ...(layerDigests && layerDigests.length > 0 ? { layers: layerDigests } : {}) };
}

/**
 * The image's provenance statements read into memory, for callers that close the image before
 * detecting its base: every other layer is left out, and `read` returns the bytes already read.
 */
export async function bufferProvenance(attestations: readonly Attestation[]): Promise<Attestation[]> {
  const buffered: Attestation[] = [];
  for (const attestation of attestations) {
    const kept = attestation.layers.flatMap((layer, position) => {
      const predicateType = attestation.predicateTypes[position] ?? '';
      return isProvenancePredicateType(predicateType) ? [{ layer, predicateType }] : [];
    });
    if (kept.length === 0) continue;
    const bytes = new Map<string, Buffer | Error>();
    for (const { layer } of kept) {
      bytes.set(layer.digest, await attestation.read(layer).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
    }
    buffered.push({
      manifestDigest: attestation.manifestDigest,
      describes: attestation.describes,
      layers: kept.map(({ layer }) => layer),
      predicateTypes: kept.map(({ predicateType }) => predicateType),
      read: async (layer) => {
        const read = bytes.get(layer.digest);
        if (read === undefined) throw new Error(`layer ${layer.digest} was not read`);
        if (read instanceof Error) throw read;
        return read;
      },
    });
  }
  return buffered;
}
