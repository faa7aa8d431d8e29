// OpenVEX documents (https://github.com/openvex/spec, v0.2.0): read from files and directories
// (`--vex-location`), from in-toto statements or DSSE envelopes whose predicate is OpenVEX, and from
// `*.vex.json` files found in the image. Each is validated against the official JSON schema
// (docs/openvex-0.2.0.schema.json, a copy of the spec repository's openvex_json_schema.json) and
// normalised to the few things matching needs: who says what about which vulnerability in which
// product, and when.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { SpyglassError, errorText } from '../core/errors.ts';
import type { CollectedFile } from '../catalog/collect.ts';

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

/** A product or subcomponent: its identifiers (`@id` and `identifiers.purl`), purls or image digests. */
export interface VexComponent {
  ids: string[];
}

export interface VexProduct extends VexComponent {
  subcomponents: VexComponent[];
}

export interface VexStatement {
  /** The vulnerability's name first, then its aliases. */
  vulnerability: string[];
  products: VexProduct[];
  status: VexStatus;
  justification?: string;
  impactStatement?: string;
  statusNotes?: string;
  /** When the statement was known true, in ms since 1970: its `last_updated`, else its `timestamp`, else the document's. */
  time: number;
}

export interface VexDocument {
  /** Where it was read: a file path, or `image:PATH` for a document found in the image. */
  origin: string;
  /** The document's `@id`. */
  id: string;
  author: string;
  statements: VexStatement[];
}

/** The JSON of a document that passed the schema (the parts read here). */
interface OpenVexJson {
  '@context': string;
  '@id': string;
  author: string;
  timestamp: string;
  last_updated?: string;
  statements: {
    vulnerability: { name: string; aliases?: string[] };
    products?: OpenVexComponentJson[];
    status: VexStatus;
    timestamp?: string;
    last_updated?: string;
    justification?: string;
    impact_statement?: string;
    status_notes?: string;
  }[];
}

interface OpenVexComponentJson {
  '@id'?: string;
  identifiers?: { purl?: string };
  subcomponents?: OpenVexComponentJson[];
}

const SCHEMA_URL = new URL('../../docs/openvex-0.2.0.schema.json', import.meta.url);
const OPENVEX_PREDICATE = /^https:\/\/openvex\.dev\/ns(\/|$)/;
const IN_TOTO_STATEMENT = /^https:\/\/in-toto\.io\/Statement\//;
const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';
/** VEX documents are small; a file past this is not one. */
const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

let validator: ValidateFunction<OpenVexJson> | undefined;

function validate(): ValidateFunction<OpenVexJson> {
  // Formats (iri, date-time) are not checked by the schema here: the timestamps matching reads are
  // parsed below, with an error naming the one that does not parse.
  validator ??= new Ajv2020({ allErrors: false, validateFormats: false }).compile<OpenVexJson>(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  return validator;
}

/** Ajv's first error in words; the two sides of the spec's `justification` / `impact_statement` anyOf together. */
function describeSchemaError(errors: ErrorObject[]): string {
  const first = errors[0];
  if (!first) return 'does not match the OpenVEX schema';
  const where = first.instancePath || '/';
  const alternatives = errors.filter((error) => error.instancePath === first.instancePath && error.keyword === 'required').map((error) => `'${String(error.params.missingProperty)}'`);
  if (alternatives.length > 1 && errors.some((error) => error.instancePath === first.instancePath && error.keyword === 'anyOf')) {
    return `${where} must have property ${alternatives.join(' or ')}`;
  }
  let detail = '';
  if (first.keyword === 'additionalProperties') detail = ` (${String(first.params.additionalProperty)})`;
  if (first.keyword === 'enum') detail = ` (${(first.params.allowedValues as unknown[]).join(', ')})`;
  return `${where} ${first.message ?? 'is invalid'}${detail}`;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$/;

/** RFC 3339 date-time in ms; also a bare date or a time without offset (read as UTC), as some producers write. */
export function parseVexTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const millis = fraction ? fraction.slice(1, 4).padEnd(3, '0') : '000';
  const offset = zone === 'Z' || zone === 'z' ? 'Z' : zone;
  const time = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`);
  return Number.isNaN(time) ? undefined : time;
}

interface Envelope {
  document: unknown;
  /** in-toto subjects: the products of statements that name none (the spec's inheritance from an encapsulating document). */
  subjects: VexComponent[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The OpenVEX document inside a Sigstore bundle, a DSSE envelope or an in-toto statement, or the predicate type it has instead. */
function unwrap(json: unknown, origin: string): Envelope | { otherPredicate: string } {
  let value = json;
  // A Sigstore bundle (`cosign attest … --bundle`) carries the DSSE envelope; signatures are not checked.
  if (isRecord(value) && isRecord(value.dsseEnvelope)) value = value.dsseEnvelope;
  if (isRecord(value) && typeof value.payloadType === 'string' && typeof value.payload === 'string') {
    if (value.payloadType !== IN_TOTO_PAYLOAD) throw new SpyglassError(`${origin}: a DSSE envelope of ${value.payloadType}, not an in-toto statement`);
    try {
      value = JSON.parse(Buffer.from(value.payload, 'base64').toString('utf8')) as unknown;
    } catch (error) {
      throw new SpyglassError(`${origin}: the DSSE envelope's payload is not JSON (${errorText(error)})`);
    }
  }
  if (isRecord(value) && typeof value._type === 'string' && IN_TOTO_STATEMENT.test(value._type)) {
    const predicateType = typeof value.predicateType === 'string' ? value.predicateType : '';
    if (!OPENVEX_PREDICATE.test(predicateType)) return { otherPredicate: predicateType || '(none)' };
    const subjects = Array.isArray(value.subject) ? value.subject.filter(isRecord).map(subjectComponent) : [];
    return { document: value.predicate, subjects };
  }
  return { document: value, subjects: [] };
}

/** An in-toto subject `{ name, digest: { sha256: HEX } }`: its digests (`sha256:HEX`) and its name when that is a purl. */
function subjectComponent(subject: Record<string, unknown>): VexComponent {
  const ids: string[] = [];
  if (isRecord(subject.digest)) {
    for (const [algorithm, hex] of Object.entries(subject.digest)) if (typeof hex === 'string') ids.push(`${algorithm}:${hex.toLowerCase()}`);
  }
  if (typeof subject.name === 'string' && subject.name.startsWith('pkg:')) ids.push(subject.name);
  return { ids };
}

function component(json: OpenVexComponentJson): VexComponent {
  const ids: string[] = [];
  if (json['@id']) ids.push(json['@id']);
  if (json.identifiers?.purl && json.identifiers.purl !== json['@id']) ids.push(json.identifiers.purl);
  return { ids };
}

/**
 * Parses one file's text. Returns undefined for an in-toto statement of another predicate type when
 * `skipOtherAttestations` (a directory may hold provenance beside VEX); anything else that is not a
 * valid OpenVEX document is a one-line SpyglassError naming `origin`.
 */
export function parseVexDocument(text: string, origin: string, options: { skipOtherAttestations?: boolean } = {}): VexDocument | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SpyglassError(`${origin}: not valid JSON (${errorText(error)})`);
  }
  const unwrapped = unwrap(json, origin);
  if ('otherPredicate' in unwrapped) {
    if (options.skipOtherAttestations) return undefined;
    throw new SpyglassError(`${origin}: an in-toto statement with predicate type ${unwrapped.otherPredicate}, not OpenVEX`);
  }
  const check = validate();
  if (!check(unwrapped.document)) {
    if (isRecord(unwrapped.document) && isRecord(unwrapped.document.document) && 'csaf_version' in unwrapped.document.document) {
      throw new SpyglassError(`${origin}: a CSAF document, not OpenVEX (Spyglass reads OpenVEX v0.2.0)`);
    }
    const context = isRecord(unwrapped.document) ? unwrapped.document['@context'] : undefined;
    // The spec: an @context without a version means v0.0.1, whose statements are shaped differently.
    const hint = typeof context === 'string' && !/\/v0\.2\.\d+$/.test(context) ? ` (its @context ${context} is OpenVEX v0.0.1; Spyglass reads v0.2.0)` : '';
    throw new SpyglassError(`${origin}: not a valid OpenVEX document: ${describeSchemaError(check.errors ?? [])}${hint}`);
  }
  const document = unwrapped.document;
  const time = (value: string, what: string) => {
    const parsed = parseVexTimestamp(value);
    if (parsed === undefined) throw new SpyglassError(`${origin}: ${what} "${value}" is not a date and time`);
    return parsed;
  };
  const documentTime = time(document.timestamp, 'timestamp');
  const statements = document.statements.map((statement, index): VexStatement => {
    const what = `statement ${index + 1}`;
    const products = statement.products?.length
      ? statement.products.map((product) => ({ ...component(product), subcomponents: (product.subcomponents ?? []).map(component) }))
      : unwrapped.subjects.map((subject) => ({ ...subject, subcomponents: [] }));
    if (products.length === 0) throw new SpyglassError(`${origin}: ${what} (${statement.vulnerability.name}) names no product, and no enclosing attestation has a subject`);
    const stated = statement.last_updated ?? statement.timestamp;
    const result: VexStatement = {
      vulnerability: [statement.vulnerability.name, ...(statement.vulnerability.aliases ?? [])],
      products,
      status: statement.status,
      time: stated === undefined ? documentTime : time(stated, `${what} ${statement.last_updated ? 'last_updated' : 'timestamp'}`),
    };
    if (statement.justification) result.justification = statement.justification;
    if (statement.impact_statement) result.impactStatement = statement.impact_statement;
    if (statement.status_notes) result.statusNotes = statement.status_notes;
    return result;
  });
  return { origin, id: document['@id'], author: document.author, statements };
}

async function readDocumentFile(path: string, options: { skipOtherAttestations?: boolean }): Promise<VexDocument | undefined> {
  const info = await stat(path);
  if (info.size > MAX_DOCUMENT_BYTES) throw new SpyglassError(`${path}: ${info.size} bytes, larger than a VEX document can be (${MAX_DOCUMENT_BYTES})`);
  return parseVexDocument(await readFile(path, 'utf8'), path, options);
}

/**
 * Every OpenVEX document at `locations`: a file (whatever its name), or a directory, whose `*.json`
 * files (not its subdirectories) are read in name order. Bad documents stop the load with a one-line
 * error naming the file; in a directory, in-toto statements of other predicate types are passed over.
 */
export async function loadVexDocuments(locations: string[]): Promise<VexDocument[]> {
  const documents: VexDocument[] = [];
  for (const location of locations) {
    const info = await stat(location).catch(() => undefined);
    if (!info) throw new SpyglassError(`VEX location ${location}: no such file or directory`);
    if (info.isDirectory()) {
      const names = (await readdir(location, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
        .map((entry) => entry.name)
        .sort();
      for (const name of names) {
        const document = await readDocumentFile(join(location, name), { skipOtherAttestations: true });
        if (document) documents.push(document);
      }
    } else {
      const document = await readDocumentFile(location, {});
      if (document) documents.push(document);
    }
  }
  return documents;
}

export { VEX_FILE_COLLECTOR } from './vex-files.ts';

/**
 * The OpenVEX documents among files collected from an image (catalogAndCollect with
 * VEX_FILE_COLLECTOR). A file the image's author shipped broken does not stop the scan: it is
 * a warning, and its statements are not applied.
 */
export function vexDocumentsFromImage(files: CollectedFile[]): { documents: VexDocument[]; warnings: string[] } {
  const documents: VexDocument[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    try {
      const document = parseVexDocument(file.text, `image:${file.path}`, { skipOtherAttestations: true });
      if (document) documents.push(document);
    } catch (error) {
      warnings.push(`VEX document not applied: ${errorText(error)}`);
    }
  }
  return { documents, warnings };
}
