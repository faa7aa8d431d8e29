// Docker distribution notifications (Debian's docker-registry and any registry speaking the format):
// a POST of `{"events": [...]}` (media type application/vnd.docker.distribution.events.v1+json), each
// event `{id, timestamp, action, target: {mediaType, digest, repository, url, tag?}, request: {host}}`.
// Only `push` of an image manifest or index counts; blob pushes, pulls, mounts and deletes are ignored.
// A push without `tag` is an index's child manifest or a push by digest (the index event follows with
// the tag). The envelope is refused whole (400) only when it is not one; a push event that cannot be
// read is reported back and the rest are taken, because the registry retries a refused delivery
// forever and holds every later event behind it.
import { checkPush, hostOf, isObject, parseJsonObject, PUSHABLE_TYPES, WebhookBodyError, type ParsedDelivery, type PushEvent } from './events.ts';

export const DISTRIBUTION_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** One event as a push, `'ignored'` when it is not a manifest/index push, or the reason it cannot be read. */
export function distributionPush(event: unknown, receivedAt: number): PushEvent | 'ignored' | string {
  if (!isObject(event)) return 'the event is not a JSON object';
  const target = isObject(event.target) ? event.target : undefined;
  if (event.action !== 'push' || target === undefined) return event.action === undefined ? 'the event has no action' : 'ignored';
  const mediaType = text(target.mediaType);
  if (mediaType === undefined || !PUSHABLE_TYPES.includes(mediaType)) return 'ignored';
  const repository = text(target.repository);
  const digest = text(target.digest);
  if (repository === undefined) return 'the push event has no target.repository';
  if (digest === undefined) return 'the push event has no target.digest';
  const timestamp = typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : Number.NaN;
  const request = isObject(event.request) ? event.request : {};
  const registry = (text(target.url) !== undefined ? hostOf(String(target.url)) : undefined) ?? text(request.host)?.toLowerCase();
  const push: PushEvent = {
    ...(registry !== undefined ? { registry } : {}),
    repository, digest, mediaType,
    ...(text(target.tag) !== undefined ? { tag: String(target.tag) } : {}),
    ...(text(event.id) !== undefined ? { eventId: String(event.id) } : {}),
    pushedAt: Number.isFinite(timestamp) ? timestamp : receivedAt,
  };
  return checkPush(push) ?? push;
}

/** Reads a notification envelope; throws WebhookBodyError when the body is not one. */
export function parseDistributionEnvelope(body: string, receivedAt = Date.now()): ParsedDelivery {
  const envelope = parseJsonObject(body, 'distribution notification');
  if (!Array.isArray(envelope.events)) throw new WebhookBodyError('distribution notification: expected {"events": [...]}');
  const parsed: ParsedDelivery = { pushes: [], ignored: 0, rejected: [] };
  envelope.events.forEach((event, index) => {
    const result = distributionPush(event, receivedAt);
    if (result === 'ignored') parsed.ignored++;
    else if (typeof result === 'string') parsed.rejected.push({ index, reason: result });
    else parsed.pushes.push(result);
  });
  return parsed;
}
