// The three receivers' readers on real bodies: the distribution envelopes captured from docker-registry
// 2.8.2 (../shared/notes/events/), and the payloads in Harbor's and JFrog's documentation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseArtifactoryPayload } from '../../../src/server/webhooks/artifactory.ts';
import { parseDistributionEnvelope } from '../../../src/server/webhooks/distribution.ts';
import { WebhookBodyError } from '../../../src/server/webhooks/events.ts';
import { parseHarborPayload } from '../../../src/server/webhooks/harbor.ts';
import { SHARED } from '../../helpers/fixtures.ts';

const EVENTS = join(SHARED, 'notes/events');
const read = (name: string): string => readFileSync(join(EVENTS, name), 'utf8');

describe('distribution notifications', () => {
  it('reads a tagged OCI manifest push', () => {
    const parsed = parseDistributionEnvelope(read('push-oci-manifest-tagged.json'));
    assert.deepEqual(parsed.pushes, [{
      registry: '127.0.0.1:5003', repository: 'demo/app',
      digest: 'sha256:8484a3b718aba197a2f29e9f64715cc7a4613e4b6dc6831e5c8ce50b875462ec',
      mediaType: 'application/vnd.oci.image.manifest.v1+json', tag: 'v1',
      eventId: '3e9b0262-0b9f-4e3f-8659-9091eb0b8afd', pushedAt: Date.parse('2026-11-26T19:08:48.545Z'),
    }]);
    assert.equal(parsed.ignored, 0);
  });

  it('reads a docker v2 schema 2 manifest push', () => {
    const [push] = parseDistributionEnvelope(read('push-docker-v2s2-manifest-tagged.json')).pushes;
    assert.equal(push?.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(push?.tag, 'v1');
  });

  it('ignores blob pushes, pulls, mounts and deletes', () => {
    for (const name of ['push-layer-blob.json', 'push-config-blob.json', 'pull-manifest-GET.json', 'pull-blob-HEAD-before-mount.json', 'mount-blob-cross-repo.json']) {
      const parsed = parseDistributionEnvelope(read(name));
      assert.deepEqual(parsed.pushes, [], name);
      assert.equal(parsed.ignored, 1, name);
    }
    for (const envelope of JSON.parse(read('delete-manifest-sequence.json')) as unknown[]) {
      assert.deepEqual(parseDistributionEnvelope(JSON.stringify(envelope)).pushes, []);
    }
  });

  it('takes the two platform manifests (untagged) and the tagged index out of an --all push', () => {
    const envelopes = JSON.parse(read('multiplatform-push-sequence.json')) as unknown[];
    const pushes = envelopes.flatMap((envelope) => parseDistributionEnvelope(JSON.stringify(envelope)).pushes);
    assert.deepEqual(pushes.map((push) => [push.mediaType, push.tag]), [
      ['application/vnd.oci.image.manifest.v1+json', undefined],
      ['application/vnd.oci.image.manifest.v1+json', undefined],
      ['application/vnd.oci.image.index.v1+json', 'latest'],
    ]);
    const index = parseDistributionEnvelope(read('push-oci-index-tagged.json')).pushes[0];
    assert.equal(index?.digest, pushes[2]?.digest);
    const withReferences = parseDistributionEnvelope(read('push-oci-index-includereferences.json')).pushes[0];
    assert.equal(withReferences?.mediaType, 'application/vnd.oci.image.index.v1+json');
  });

  it('refuses a body that is not an envelope, and reports one bad event while taking the rest', () => {
    for (const body of ['', 'not json', '[]', '{"events": 3}', '{}']) {
      assert.throws(() => parseDistributionEnvelope(body), WebhookBodyError, body);
    }
    const good = JSON.parse(read('push-oci-manifest-tagged.json')) as { events: Record<string, unknown>[] };
    const bad = structuredClone(good.events[0]!);
    (bad.target as Record<string, unknown>).digest = 'not-a-digest';
    const parsed = parseDistributionEnvelope(JSON.stringify({ events: [bad, good.events[0], 7] }));
    assert.equal(parsed.pushes.length, 1);
    assert.deepEqual(parsed.rejected.map((r) => r.index), [0, 2]);
    assert.match(parsed.rejected[0]!.reason, /not-a-digest/);
  });
});

describe('Harbor webhooks', () => {
  // The "Artifact pushed" Default payload of Harbor's documentation
  // (goharbor.io/docs/main/working-with-projects/project-configuration/configure-webhooks/, "Payload Format").
  const documented = {
    type: 'PUSH_ARTIFACT', occur_at: 1680501893, operator: 'harbor-jobservice',
    event_data: {
      resources: [{
        digest: 'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4',
        tag: 'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4',
        resource_url: 'localhost/harbor/alpine@sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4',
      }],
      repository: { date_created: 1680501893, name: 'alpine', namespace: 'harbor', repo_full_name: 'harbor/alpine', repo_type: 'private' },
    },
  };

  it('reads the documented push (a push by digest: no tag)', () => {
    const parsed = parseHarborPayload(JSON.stringify(documented));
    assert.equal(parsed.pushes.length, 1);
    const push = parsed.pushes[0]!;
    assert.equal(push.registry, 'localhost');
    assert.equal(push.repository, 'harbor/alpine');
    assert.equal(push.digest, 'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4');
    assert.equal(push.tag, undefined);
    assert.equal(push.pushedAt, 1680501893000);
    assert.equal(parseHarborPayload(JSON.stringify(documented)).pushes[0]!.eventId, push.eventId);
  });

  it('reads a tagged push, ignores other event types, refuses bodies that are not Harbor events', () => {
    const tagged = structuredClone(documented);
    tagged.event_data.resources[0]!.tag = 'v2';
    tagged.event_data.resources[0]!.resource_url = 'harbor.example.com:8443/harbor/alpine:v2';
    const push = parseHarborPayload(JSON.stringify(tagged)).pushes[0]!;
    assert.equal(push.tag, 'v2');
    assert.equal(push.registry, 'harbor.example.com:8443');
    assert.equal(parseHarborPayload(JSON.stringify({ ...documented, type: 'PULL_ARTIFACT' })).ignored, 1);
    assert.throws(() => parseHarborPayload('{"events": []}'), WebhookBodyError);
    assert.throws(() => parseHarborPayload(JSON.stringify({ type: 'PUSH_ARTIFACT' })), WebhookBodyError);
  });
});

describe('Artifactory webhooks', () => {
  // The "Docker Tag was Pushed" sample of JFrog's documentation (JFrog Platform Administration,
  // Webhooks, "Domain: Docker", event "pushed"), in its envelope {domain, event_type, data}.
  const documented = {
    domain: 'docker', event_type: 'pushed',
    data: {
      repo_key: 'docker-remote-cache', event_type: 'pushed', path: 'library/ubuntu/latest/list.manifest.json', name: 'list.manifest.json',
      sha256: '35c4a2c15539c6c1e4e5fa4e554dac323ad0107d8eb5c582d6ff386b383b7dce', size: 1206, image_name: 'library/ubuntu', tag: 'latest',
      platforms: [{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm', os: 'linux' }, { architecture: 'arm64', os: 'linux' }],
    },
    jpd_origin: 'https://acme.jfrog.io',
  };

  it('reads the documented push of a manifest list', () => {
    const [push] = parseArtifactoryPayload(JSON.stringify(documented), 1000).pushes;
    assert.deepEqual(push, {
      registry: 'acme.jfrog.io', repository: 'docker-remote-cache/library/ubuntu',
      digest: 'sha256:35c4a2c15539c6c1e4e5fa4e554dac323ad0107d8eb5c582d6ff386b383b7dce', tag: 'latest',
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', pushedAt: 1000,
    });
  });

  it('ignores other events, refuses malformed ones', () => {
    assert.equal(parseArtifactoryPayload(JSON.stringify({ ...documented, event_type: 'deleted' })).ignored, 1);
    assert.equal(parseArtifactoryPayload(JSON.stringify({ ...documented, domain: 'artifact' })).ignored, 1);
    assert.throws(() => parseArtifactoryPayload(JSON.stringify({ ...documented, data: { ...documented.data, sha256: 'x' } })), WebhookBodyError);
    assert.throws(() => parseArtifactoryPayload('{"type": "PUSH_ARTIFACT"}'), WebhookBodyError);
  });
});
