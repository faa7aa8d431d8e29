// Registry credentials end to end: htpasswd (Basic) and token (Bearer) registries, credentials from a
// Docker config.json `auths` entry and from a real credential helper program on PATH.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRegistryImage } from '../../src/image/registry/source.ts';
import { findCredentials, normaliseRegistryKey } from '../../src/image/registry/credentials.ts';
import { FIXTURE_MANIFESTS } from '../helpers/fixtures.ts';
import { pushFixture, startRegistry, startTokenServer, type TestRegistry, type TokenServer } from '../helpers/registry.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';

const USER = 'testuser';
const PASSWORD = 'testpass';
const AMD64 = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, 'multiarch-amd64.json'), 'utf8')) as { manifestDigest: string; configDigest: string };

let work: string;
let counter = 0;

/** A fresh DOCKER_CONFIG directory holding `config`, and the env that points at it. */
function dockerEnv(config: unknown, extraPath?: string): NodeJS.ProcessEnv {
  const dir = join(work, `docker-${++counter}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return { DOCKER_CONFIG: dir, HOME: work, PATH: extraPath ? `${extraPath}:${process.env.PATH}` : process.env.PATH };
}

const basicAuth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

/** Writes `docker-credential-spyglasstest`: answers for `host`, logs what it was asked. */
function credentialHelper(host: string, user: string, secret: string): { bin: string; asked: () => string[] } {
  const bin = join(work, `helper-bin-${++counter}`);
  mkdirSync(bin);
  const log = join(bin, 'asked.log');
  writeFileSync(join(bin, 'docker-credential-spyglasstest'), `#!/bin/sh
[ "$1" = get ] || exit 2
read -r server
echo "$server" >> '${log}'
if [ "$server" = '${host}' ]; then
  printf '{"ServerURL":"%s","Username":"${user}","Secret":"${secret}"}' "$server"
else
  echo "credentials not found in native keychain"; exit 1
fi
`);
  chmodSync(join(bin, 'docker-credential-spyglasstest'), 0o755);
  return { bin, asked: () => readFileSync(log, 'utf8').trim().split('\n') };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'spyglass-registry-auth-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('htpasswd (Basic) registry', () => {
  let registry: TestRegistry;
  const ref = () => `${registry.host}/fixtures/multiarch:latest`;
  const open = (env: NodeJS.ProcessEnv) => openRegistryImage(ref(), { cacheDir: join(work, `cache-${++counter}`), input: ref(), env });

  before(async () => {
    registry = await startRegistry({ htpasswd: { username: USER, password: PASSWORD } });
    await pushFixture(registry, 'multiarch', 'fixtures/multiarch:latest', { all: true, creds: `${USER}:${PASSWORD}` });
  });
  after(() => registry?.stop());

  it('pulls with credentials from config.json auths (base64 user:password)', async () => {
    const image = await open(dockerEnv({ auths: { [registry.host]: basicAuth(USER, PASSWORD) } }));
    assert.equal(image.manifestDigest, AMD64.manifestDigest);
    assert.equal(image.configDigest, AMD64.configDigest);
  });

  it('finds the auths entry whatever form its key has (http://host:port/path)', async () => {
    const image = await open(dockerEnv({ auths: { [`http://${registry.host}/v2/`]: { username: USER, password: PASSWORD } } }));
    assert.equal(image.manifestDigest, AMD64.manifestDigest);
  });

  it('pulls with credentials from a credHelpers program, asked with the registry host on stdin', async () => {
    const helper = credentialHelper(registry.host, USER, PASSWORD);
    const image = await open(dockerEnv({ credHelpers: { [registry.host]: 'spyglasstest' } }, helper.bin));
    assert.equal(image.manifestDigest, AMD64.manifestDigest);
    assert.deepEqual(helper.asked(), [registry.host]);
  });

  it('falls back from credsStore to auths when the store has nothing for the host', async () => {
    const helper = credentialHelper('other.example:5000', USER, 'wrong');
    const env = dockerEnv({ credsStore: 'spyglasstest', auths: { [registry.host]: basicAuth(USER, PASSWORD) } }, helper.bin);
    const image = await open(env);
    assert.equal(image.manifestDigest, AMD64.manifestDigest);
    assert.deepEqual(helper.asked(), [registry.host]);
  });

  it('says unauthorized, with the docker login hint, for a wrong password', async () => {
    const error = await rejectsWithMessage(
      open(dockerEnv({ auths: { [registry.host]: basicAuth(USER, 'not-the-password') } })),
      `registry://${ref()}: unauthorized (401); log in with "docker login ${registry.host}" or check the credentials`,
    );
    assert.equal(error.hint, `run docker login ${registry.host}`);
  });

  it('says unauthorized when no credentials are configured', async () => {
    await rejectsWithMessage(
      open(dockerEnv({})),
      `registry://${ref()}: unauthorized (401); log in with "docker login ${registry.host}" or check the credentials`,
    );
  });
});

describe('token (Bearer) registry', () => {
  let tokens: TokenServer;
  let registry: TestRegistry;
  const ref = () => `${registry.host}/fixtures/multiarch:latest`;
  const open = (env: NodeJS.ProcessEnv) => openRegistryImage(ref(), { cacheDir: join(work, `cache-${++counter}`), input: ref(), env });

  before(async () => {
    tokens = await startTokenServer({ [USER]: PASSWORD });
    registry = await startRegistry({ token: tokens });
    await pushFixture(registry, 'multiarch', 'fixtures/multiarch:latest', { all: true, creds: `${USER}:${PASSWORD}` });
  });
  after(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it('gets one pull token for the repository with Basic credentials and reuses it for every request', async () => {
    tokens.requests.length = 0;
    const image = await open(dockerEnv({ auths: { [registry.host]: basicAuth(USER, PASSWORD) } }));
    assert.equal(image.manifestDigest, AMD64.manifestDigest);
    assert.equal(image.configDigest, AMD64.configDigest);
    for await (const _chunk of await image.layers[0]!.open()) { /* read it all through the same token */ }
    assert.deepEqual(tokens.requests, [{ scopes: ['repository:fixtures/multiarch:pull'], user: USER, status: 200 }]);
  });

  it('says unauthorized when the token server refuses the password', async () => {
    await rejectsWithMessage(
      open(dockerEnv({ auths: { [registry.host]: basicAuth(USER, 'bad') } })),
      `registry://${ref()}: unauthorized (401: the token server ${new URL(tokens.realm).host} refused the credentials); log in with "docker login ${registry.host}" or check the credentials`,
    );
  });

  it('says unauthorized when an anonymous token grants no access', async () => {
    await rejectsWithMessage(
      open(dockerEnv({})),
      `registry://${ref()}: unauthorized (401); log in with "docker login ${registry.host}" or check the credentials`,
    );
  });
});

describe('Docker config keys and files', () => {
  it('normalises the key forms the Docker CLI writes', () => {
    assert.equal(normaliseRegistryKey('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normaliseRegistryKey('registry-1.docker.io'), 'docker.io');
    assert.equal(normaliseRegistryKey('http://registry.example:5000'), 'registry.example:5000');
    assert.equal(normaliseRegistryKey('Registry.Example/v2/'), 'registry.example');
  });

  it('reads Docker Hub credentials stored under https://index.docker.io/v1/, and identity tokens', async () => {
    const env = dockerEnv({ auths: { 'https://index.docker.io/v1/': basicAuth('hubuser', 'p:ss'), 'quay.io': { identitytoken: 'refresh-me' } } });
    assert.deepEqual(await findCredentials('docker.io', { env }), { username: 'hubuser', password: 'p:ss' });
    assert.deepEqual(await findCredentials('quay.io', { env }), { identityToken: 'refresh-me', username: undefined });
    assert.equal(await findCredentials('ghcr.io', { env }), undefined);
  });

  it('uses an explicit config path over DOCKER_CONFIG, and has no credentials without a file', async () => {
    const other = join(work, 'explicit.json');
    writeFileSync(other, JSON.stringify({ auths: { 'ghcr.io': basicAuth('me', 'secret') } }));
    assert.deepEqual(await findCredentials('ghcr.io', { configPath: other, env: dockerEnv({}) }), { username: 'me', password: 'secret' });
    assert.equal(await findCredentials('ghcr.io', { env: { HOME: join(work, 'nowhere') } }), undefined);
  });

  it('names the file when config.json is not JSON', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, '{not json');
    await rejectsWithMessage(findCredentials('ghcr.io', { configPath: bad }), new RegExp(`^${bad}: the Docker config is not valid JSON \\(`));
  });
});
