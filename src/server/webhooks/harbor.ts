// Harbor webhooks (https://goharbor.io/docs/main/working-with-projects/project-configuration/configure-webhooks/,
// "Payload Format", "Artifact pushed"). The Default format:
//   {type: "PUSH_ARTIFACT", occur_at: <unix seconds>, operator,
//    event_data: {resources: [{digest, tag, resource_url}], repository: {name, namespace, repo_full_name, repo_type}}}
// and the CloudEvents format: {specversion, id, type: "harbor.artifact.pushed", time, data: {resources, repository}}.
// Other event types (pulls, deletes, scans, quota, replication) are ignored. A push by digest carries
// the digest as its tag: that is no tag. resource_url (`host/namespace/name:tag`) names the registry.
// Harbor sends no event id in the Default format: the id is made of what the event says, so a retried
// delivery of the same event is recognised.
import { checkPush, hostOf, isObject, parseJsonObject, WebhookBodyError, type Json, type ParsedDelivery, type PushEvent } from './events.ts';

const PUSH_TYPES = new Set(['PUSH_ARTIFACT', 'harbor.artifact.pushed']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function parseHarborPayload(body: string, receivedAt = Date.now()): ParsedDelivery {
  const payload = parseJsonObject(body, 'Harbor webhook');
  const cloudEvent = payload.specversion !== undefined;
  const type = text(payload.type);
  if (type === undefined) throw new WebhookBodyError('Harbor webhook: the body has no "type"');
  const parsed: ParsedDelivery = { pushes: [], ignored: 0, rejected: [] };
  if (!PUSH_TYPES.has(type)) {
    parsed.ignored = 1;
    return parsed;
  }
  const data: unknown = cloudEvent ? payload.data : payload.event_data;
  const field = cloudEvent ? 'data' : 'event_data';
  if (!isObject(data)) throw new WebhookBodyError(`Harbor webhook: a ${type} event without "${field}"`);
  if (!Array.isArray(data.resources)) throw new WebhookBodyError(`Harbor webhook: ${field}.resources is not a list`);
  const repository: Json = isObject(data.repository) ? data.repository : {};
  const repoName = text(repository.repo_full_name)
    ?? (text(repository.namespace) !== undefined && text(repository.name) !== undefined ? `${String(repository.namespace)}/${String(repository.name)}` : undefined);
  let pushedAt = receivedAt;
  if (typeof payload.occur_at === 'number' && Number.isFinite(payload.occur_at)) pushedAt = payload.occur_at * 1000;
  else if (typeof payload.time === 'string' && Number.isFinite(Date.parse(payload.time))) pushedAt = Date.parse(payload.time);
  data.resources.forEach((resource, index) => {
    if (!isObject(resource)) return void parsed.rejected.push({ index, reason: 'the resource is not a JSON object' });
    if (repoName === undefined) return void parsed.rejected.push({ index, reason: `${field}.repository has no repo_full_name` });
    const digest = text(resource.digest);
    if (digest === undefined) return void parsed.rejected.push({ index, reason: 'the resource has no digest' });
    const tag = text(resource.tag);
    const url = text(resource.resource_url);
    const registry = url !== undefined ? hostOf(url) : undefined;
    const eventId = cloudEvent && text(payload.id) !== undefined
      ? `${String(payload.id)}#${index}`
      : `harbor:${String(payload.occur_at)}:${repoName}:${digest}:${tag ?? ''}`;
    const push: PushEvent = {
      ...(registry !== undefined ? { registry } : {}),
      repository: repoName, digest,
      ...(tag !== undefined && tag !== digest ? { tag } : {}),
      eventId, pushedAt,
    };
    const problem = checkPush(push);
    if (problem !== undefined) parsed.rejected.push({ index, reason: problem });
    else parsed.pushes.push(push);
  });
  return parsed;
}
