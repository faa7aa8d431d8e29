// JFrog Artifactory webhooks, the Docker domain (JFrog Platform Administration documentation,
// "Webhooks" → "Domain: Docker", event "pushed": "triggered when a new tag of a Docker image is pushed"):
//   {domain: "docker", event_type: "pushed", jpd_origin: "https://HOST",
//    data: {repo_key, path: "IMAGE/TAG/manifest.json" | ".../list.manifest.json", name, sha256, size,
//           image_name, tag, platforms?: [{architecture, os}]}}
// `sha256` is the checksum of the manifest file, i.e. the manifest (or manifest list) digest. The image
// is pulled as HOST/REPO_KEY/IMAGE_NAME (Artifactory's "repository path" Docker access method), so the
// repository is `repo_key/image_name`; the host is the integration's registry, else jpd_origin's.
// Other domains and event types (deleted, promoted, tagged…) are ignored. The body carries no event
// time or id: the push time is when it was received, and de-duplication is by digest.
import { MediaType } from '../../image/media-types.ts';
import { checkPush, hostOf, isObject, parseJsonObject, WebhookBodyError, type ParsedDelivery, type PushEvent } from './events.ts';

/** The header Artifactory sends the webhook's secret token in (when "use secret for signing" is off). */
export const ARTIFACTORY_AUTH_HEADER = 'x-jfrog-event-auth';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function parseArtifactoryPayload(body: string, receivedAt = Date.now()): ParsedDelivery {
  const payload = parseJsonObject(body, 'Artifactory webhook');
  const domain = text(payload.domain);
  const eventType = text(payload.event_type);
  if (domain === undefined || eventType === undefined) throw new WebhookBodyError('Artifactory webhook: the body has no "domain" and "event_type"');
  const parsed: ParsedDelivery = { pushes: [], ignored: 0, rejected: [] };
  if (domain !== 'docker' || eventType !== 'pushed') {
    parsed.ignored = 1;
    return parsed;
  }
  const data = payload.data;
  if (!isObject(data)) throw new WebhookBodyError('Artifactory webhook: a docker "pushed" event without "data"');
  const repoKey = text(data.repo_key);
  const imageName = text(data.image_name);
  const sha256 = text(data.sha256);
  if (repoKey === undefined || imageName === undefined) throw new WebhookBodyError('Artifactory webhook: data has no repo_key or image_name');
  if (sha256 === undefined || !/^[a-f0-9]{64}$/.test(sha256)) throw new WebhookBodyError('Artifactory webhook: data.sha256 is not a sha256 checksum');
  const origin = text(payload.jpd_origin);
  const registry = origin !== undefined ? hostOf(origin) : undefined;
  const name = text(data.name) ?? '';
  const tag = text(data.tag);
  const push: PushEvent = {
    ...(registry !== undefined ? { registry } : {}),
    repository: `${repoKey}/${imageName}`,
    digest: `sha256:${sha256}`,
    ...(tag !== undefined ? { tag } : {}),
    // Artifactory stores a manifest list as list.manifest.json and an image manifest as manifest.json.
    ...(name === 'list.manifest.json' ? { mediaType: MediaType.dockerManifestList } : name === 'manifest.json' ? { mediaType: MediaType.dockerManifest } : {}),
    pushedAt: receivedAt,
  };
  const problem = checkPush(push);
  if (problem !== undefined) parsed.rejected.push({ index: 0, reason: problem });
  else parsed.pushes.push(push);
  return parsed;
}
