// What every registry's notification comes down to: a manifest or index pushed to a repository. The
// three receivers (distribution.ts, harbor.ts, artifactory.ts) turn their vendor's body into these, as
// pure functions; record-push.ts stores them.
import { isDigest } from '../../core/digest.ts';
import { INDEX_TYPES, MANIFEST_TYPES } from '../../image/media-types.ts';

export interface PushEvent {
  /** host[:port] the image is pulled from, when the body says (the integration's registry wins). */
  registry?: string;
  repository: string;
  /** The manifest or index digest. */
  digest: string;
  tag?: string;
  /** Manifest or index media type, when the body says. */
  mediaType?: string;
  /** The vendor's id of this notification, for de-duplication of retried deliveries. */
  eventId?: string;
  /** When the registry says the push happened (ms). */
  pushedAt: number;
}

/** A body the receiver refuses whole (400): not JSON, not the vendor's envelope. */
export class WebhookBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookBodyError';
  }
}

export interface ParsedDelivery {
  pushes: PushEvent[];
  /** Events that are not manifest/index pushes (blobs, pulls, mounts, deletes, other event types). */
  ignored: number;
  /** Push events that could not be read, with why; the others in the envelope are still taken. */
  rejected: { index: number; reason: string }[];
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON body as an object, or a WebhookBodyError naming what is wrong. */
export function parseJsonObject(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WebhookBodyError(`${what}: the body is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(value)) throw new WebhookBodyError(`${what}: the body is not a JSON object`);
  return value;
}

export const PUSHABLE_TYPES: readonly string[] = [...MANIFEST_TYPES, ...INDEX_TYPES];

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.includes(mediaType);
}

/** The distribution spec's repository name grammar (lower-case path components). */
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** The distribution spec's tag grammar. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Checks the fields every push needs; returns why not, or undefined when it is fine. */
export function checkPush(event: PushEvent): string | undefined {
  if (!NAME.test(event.repository) || event.repository.length > 255) return `repository ${JSON.stringify(event.repository)} is not a valid repository name`;
  if (!isDigest(event.digest)) return `digest ${JSON.stringify(event.digest)} is not a digest`;
  if (event.tag !== undefined && !TAG.test(event.tag)) return `tag ${JSON.stringify(event.tag)} is not a valid tag`;
  if (!Number.isFinite(event.pushedAt)) return 'the push time is not a time';
  return undefined;
}

/** host[:port] of a URL or of a `host/path` reference; undefined when there is none. */
export function hostOf(text: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      return new URL(text).host.toLowerCase() || undefined;
    } catch {
      return undefined;
    }
  }
  const first = text.split('/')[0] ?? '';
  // A first component is a registry host when it has a dot or a port, or is localhost (Docker's rule).
  return text.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first.toLowerCase() : undefined;
}
