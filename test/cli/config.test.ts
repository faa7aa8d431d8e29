// The configuration file: where it is, how a bad one is refused (file and line), `spyglass config`,
// and the precedence flag > environment > file > default for every key.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configPath, loadConfig } from '../../src/cli/config.ts';
import { resolveCacheDir, resolveDataDir } from '../../src/core/dirs.ts';
import { expectedImage, FIXTURE_OCI } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/cli.ts';
import { CLEAN_ENV, runInProcess, temporaryDir } from './config-helpers.ts';

const KNOWN = '(known: server, token, platform, cacheDir, dataDir, format, registryMirrors)';

describe('the configuration file', () => {
  let tmp: ReturnType<typeof temporaryDir>;
  let file: string;
  let count = 0;
  /** A fresh config file path for each test; `text` is written to it when given. */
  const fresh = (text?: string) => {
    file = join(tmp.dir, `config-${++count}`, 'config.yaml');
    if (text !== undefined) {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, text);
    }
    return file;
  };
  const run = (argv: string[], env: Record<string, string | undefined> = {}) => runInProcess(argv, { ...CLEAN_ENV, SPYGLASS_CONFIG: file, ...env });

  before(() => {
    tmp = temporaryDir('spyglass-config-');
  });
  after(() => tmp.remove());

  it('lives at $SPYGLASS_CONFIG, else $XDG_CONFIG_HOME/spyglass/config.yaml, else ~/.config/spyglass/config.yaml', () => {
    assert.equal(configPath({ SPYGLASS_CONFIG: '/etc/spyglass.yaml', XDG_CONFIG_HOME: '/x' }), '/etc/spyglass.yaml');
    assert.equal(configPath({ XDG_CONFIG_HOME: '/x' }), '/x/spyglass/config.yaml');
    assert.equal(configPath({}), join(homedir(), '.config', 'spyglass', 'config.yaml'));
    assert.deepEqual(loadConfig({ SPYGLASS_CONFIG: join(tmp.dir, 'absent.yaml') }).values, {});
  });

  it('an unknown key is refused in one line naming the file and the line, exit 1', () => {
    fresh('# defaults\nserver: http://127.0.0.1:8080\n\ncolour: never\n');
    const result = runCli(['config', 'list'], { env: { SPYGLASS_CONFIG: file } });
    assert.deepEqual([result.status, result.stderr, result.stdout], [1, `spyglass: ${file}:4: unknown key "colour" ${KNOWN}\n`, '']);
  });

  it('an unknown key inside format, a wrong type and a bad mirror host name their line too', async () => {
    fresh('format:\n  cves: sarif\n  sboms: json\n');
    assert.deepEqual(await run(['config', 'list']), {
      status: 1, stdout: '', stderr: `spyglass: ${file}:3: unknown key "format.sboms" (known: cves, quickview, sbom, inspect, compare, recommendations, policy)\n`,
    });
    fresh('token: abc\nserver:\n  - http://a\n');
    assert.deepEqual(await run(['config', 'list']), { status: 1, stdout: '', stderr: `spyglass: ${file}:3: server: expected a string\n` });
    fresh('\nplatform: arm64\n');
    assert.deepEqual(await run(['config', 'list']), { status: 1, stdout: '', stderr: `spyglass: ${file}:2: platform: expected os/arch[/variant], e.g. linux/arm64\n` });
    fresh('format:\n  quickview: sarif\n');
    assert.deepEqual(await run(['config', 'list']), { status: 1, stdout: '', stderr: `spyglass: ${file}:2: format.quickview: expected one of text, json\n` });
    fresh('registryMirrors:\n  docker.io: mirror.example.com\n  "https://ghcr.io": mirror.example.com\n');
    assert.deepEqual(await run(['config', 'list']), { status: 1, stdout: '', stderr: `spyglass: ${file}:3: registryMirrors: "https://ghcr.io" is not a registry host (host[:port])\n` });
  });

  it('a malformed file is refused with its line, by every command that reads it', async () => {
    fresh('server: http://127.0.0.1:8080\nformat:\n  cves: [sarif\n');
    const expected = { status: 1, stdout: '', stderr: `spyglass: ${file}:4: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n` };
    assert.deepEqual(await run(['config', 'list']), expected);
    assert.deepEqual(await run(['cache', 'df']), expected);
    fresh('server: a: b\n');
    const second = await run(['version']);
    assert.equal(second.status, 1);
    assert.match(second.stderr, new RegExp(`^spyglass: ${file}:1: malformed YAML: `));
  });

  it('config set writes the file with mode 0600 through a rename, keeps comments, and refuses a bad value leaving the file as it was', async () => {
    fresh('# written by hand\n\nserver: http://127.0.0.1:8080 # the lab server\n');
    assert.equal((await run(['config', 'set', 'format.cves', 'sarif'])).status, 0);
    assert.equal((await run(['config', 'set', 'registryMirrors.docker.io', 'mirror.example.com:5000'])).status, 0);
    assert.equal((await run(['config', 'set', 'platform', 'linux/arm64/v8'])).status, 0);
    const text = readFileSync(file, 'utf8');
    assert.equal(text, '# written by hand\n\nserver: http://127.0.0.1:8080 # the lab server\nformat:\n  cves: sarif\nregistryMirrors:\n  docker.io: mirror.example.com:5000\nplatform: linux/arm64/v8\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(file, '..')), ['config.yaml'], 'no temporary file left behind');

    assert.deepEqual(await run(['config', 'set', 'format.cves', 'xml']), {
      status: 1, stdout: '', stderr: `spyglass: ${file}:5: format.cves: expected one of packages, only-packages, json, sarif, markdown, gitlab, cyclonedx, spdx, html\n`,
    });
    assert.deepEqual(await run(['config', 'set', 'server', 'spyglass.example.com']), { status: 1, stdout: '', stderr: `spyglass: ${file}:3: server: expected an http:// or https:// URL\n` });
    assert.deepEqual(await run(['config', 'set', 'colour', 'never']), { status: 1, stdout: '', stderr: `spyglass: unknown configuration key "colour" ${KNOWN}\n` });
    assert.deepEqual(await run(['config', 'set', 'format', 'json']), { status: 1, stdout: '', stderr: 'spyglass: "format" is a map: name the command, e.g. format.cves\n' });
    assert.equal(readFileSync(file, 'utf8'), text, 'a refused value changes nothing');
  });

  it('config get prints one value, exit 1 when it is not set; list shortens the token; unset removes keys, even unknown ones', async () => {
    fresh('token: spy_0123456789abcdef\nformat:\n  cves: json\nbogus: 1\n');
    assert.equal((await run(['config', 'get', 'token'])).status, 1, 'the unknown key makes the file invalid');
    assert.deepEqual(await run(['config', 'unset', 'bogus']), { status: 0, stdout: '', stderr: '' });
    assert.deepEqual(await run(['config', 'get', 'token']), { status: 0, stdout: 'spy_0123456789abcdef\n', stderr: '' });
    assert.deepEqual(await run(['config', 'get', 'format.cves']), { status: 0, stdout: 'json\n', stderr: '' });
    assert.deepEqual(await run(['config', 'get', 'server']), { status: 1, stdout: '', stderr: `spyglass: server is not set in ${file}\n` });
    assert.deepEqual(await run(['config', 'list']), { status: 0, stdout: 'token        spy_0123…\nformat.cves  json\n', stderr: '' });
    assert.deepEqual(JSON.parse((await run(['config', 'list', '--format', 'json'])).stdout), { path: file, values: { token: 'spy_0123…', format: { cves: 'json' } } });
    assert.deepEqual(await run(['config', 'unset', 'format.cves']), { status: 0, stdout: '', stderr: '' });
    assert.equal(readFileSync(file, 'utf8'), 'token: spy_0123456789abcdef\n', 'an emptied map goes too');
    assert.deepEqual(await run(['config', 'unset', 'platform']), { status: 0, stdout: '', stderr: `platform was not set in ${file}\n` });
    assert.deepEqual(await run(['config', 'path']), { status: 0, stdout: `${file}\n`, stderr: '' });
  });

  it('dataDir: --data-dir > SPYGLASS_DATA_DIR > the file > $XDG_DATA_HOME/spyglass; ~/ is the home directory', async () => {
    fresh('dataDir: /from/file\n');
    const dataDir = async (argv: string[], env: Record<string, string> = {}) => (JSON.parse((await run([...argv, 'version', '--format', 'json'], env)).stdout) as { dataDir: string }).dataDir;
    assert.equal(await dataDir(['--data-dir', '/from/flag'], { SPYGLASS_DATA_DIR: '/from/env' }), '/from/flag');
    assert.equal(await dataDir([], { SPYGLASS_DATA_DIR: '/from/env' }), '/from/env');
    assert.equal(await dataDir([]), '/from/file');
    fresh('dataDir: ~/spyglass-data\n');
    assert.equal(await dataDir([]), join(homedir(), 'spyglass-data'));
    fresh();
    assert.equal(await dataDir([], { XDG_DATA_HOME: '/xdg/data' }), '/xdg/data/spyglass');
    assert.equal(resolveDataDir(undefined, {}, undefined), join(homedir(), '.local', 'share', 'spyglass'));
  });

  it('cacheDir: --cache-dir > SPYGLASS_CACHE_DIR > the file > $XDG_CACHE_HOME/spyglass', async () => {
    const base = join(tmp.dir, 'caches');
    fresh(`cacheDir: ${base}/file\n`);
    const cacheDir = async (argv: string[], env: Record<string, string> = {}) => (JSON.parse((await run([...argv, 'cache', 'df', '--format', 'json'], env)).stdout) as { dir: string }).dir;
    assert.equal(await cacheDir(['--cache-dir', `${base}/flag`], { SPYGLASS_CACHE_DIR: `${base}/env` }), `${base}/flag`);
    assert.equal(await cacheDir([], { SPYGLASS_CACHE_DIR: `${base}/env` }), `${base}/env`);
    assert.equal(await cacheDir([]), `${base}/file`);
    fresh();
    assert.equal(await cacheDir([], { XDG_CACHE_HOME: `${base}/xdg` }), `${base}/xdg/spyglass`);
    assert.equal(resolveCacheDir(undefined, {}, undefined), join(homedir(), '.cache', 'spyglass'));
  });

  it('platform: --platform > the file > the default (linux/amd64), for the commands that open an image', async () => {
    const amd64 = expectedImage('multiarch-amd64').configDigest;
    const arm64 = expectedImage('multiarch-arm64').configDigest;
    const configDigest = async (argv: string[]) => {
      const result = await run(['inspect', `oci-dir://${FIXTURE_OCI}`, '--ref', 'multiarch', '--format', 'json', ...argv]);
      assert.equal(result.status, 0, result.stderr);
      return (JSON.parse(result.stdout) as { configDigest: string }).configDigest;
    };
    fresh();
    assert.equal(await configDigest([]), amd64);
    fresh('platform: linux/arm64/v8\n');
    assert.equal(await configDigest([]), arm64);
    assert.equal(await configDigest(['--platform', 'linux/amd64']), amd64);
  });

  it('format.<command>: --format > the file > the command\'s default', async () => {
    const inspect = (argv: string[]) => run(['inspect', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bookworm', ...argv]);
    fresh();
    const text = await inspect([]);
    assert.equal(text.status, 0, text.stderr);
    assert.throws(() => JSON.parse(text.stdout), 'the default is text');
    fresh('format:\n  inspect: json\n');
    const fromFile = await inspect([]);
    assert.equal((JSON.parse(fromFile.stdout) as { configDigest: string }).configDigest, expectedImage('app-bookworm').configDigest);
    assert.equal((await inspect(['--format', 'text'])).stdout, text.stdout);
  });

  describe('server and token: flag > SPYGLASS_SERVER/SPYGLASS_TOKEN > the file', () => {
    // Two plain HTTP servers answer like the Spyglass API does for `repo list`; each records the tokens it saw.
    const seen: { server: string; token: string }[] = [];
    const servers: http.Server[] = [];
    const urls: string[] = [];
    before(async () => {
      for (const name of ['A', 'B', 'C']) {
        const server = http.createServer((request, response) => {
          seen.push({ server: name, token: (request.headers.authorization ?? '').replace(/^Bearer /, '') });
          response.setHeader('content-type', 'application/json');
          response.end(request.url === '/api/v1/me' ? JSON.stringify({ org: 'acme', email: 'a@acme.test', role: 'owner' }) : '[]');
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        servers.push(server);
        urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      }
    });
    after(async () => {
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
    });

    const used = async (argv: string[], env: Record<string, string> = {}) => {
      seen.length = 0;
      const result = await run(['repo', 'list', '--format', 'json', ...argv], env);
      assert.equal(result.status, 0, result.stderr);
      return [...new Set(seen.map((request) => `${request.server} ${request.token}`))];
    };

    it('each value comes from the first place that has it', async () => {
      fresh(`server: ${urls[2]}\ntoken: file-token\n`);
      assert.deepEqual(await used([]), ['C file-token']);
      assert.deepEqual(await used([], { SPYGLASS_SERVER: urls[1]!, SPYGLASS_TOKEN: 'env-token' }), ['B env-token']);
      assert.deepEqual(await used(['--server', urls[0]!, '--token', 'flag-token'], { SPYGLASS_SERVER: urls[1]!, SPYGLASS_TOKEN: 'env-token' }), ['A flag-token']);
      assert.deepEqual(await used(['--server', urls[0]!]), ['A file-token'], 'server and token are resolved each on its own');
      assert.deepEqual(await used([], { SPYGLASS_TOKEN: 'env-token' }), ['C env-token']);
    });

    it('with neither, the error says what to give', async () => {
      fresh();
      assert.deepEqual(await run(['repo', 'list']), { status: 1, stdout: '', stderr: 'spyglass: no server: give --server URL or set SPYGLASS_SERVER\n' });
      assert.equal(existsSync(file), false, 'reading does not create the file');
    });
  });
});
