import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { FIXTURE_OCI, fixtureArchives, expectedImage } from '../helpers/fixtures.ts';


describe('spyglass inspect', () => {
  let home: string;
  let archives: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    archives = fixtureArchives();
    home = mkdtempSync(join(tmpdir(), 'spyglass-cli-'));
    env = { HOME: home, XDG_CACHE_HOME: join(home, 'cache'), XDG_DATA_HOME: join(home, 'data'), DOCKER_HOST: `unix://${join(home, 'no-engine.sock')}` };
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('prints the JSON report of an OCI archive as the fixture manifest describes it', () => {
    const result = runCli(['inspect', `oci-archive://${join(archives, 'app-bullseye.oci.tar')}`, '--format', 'json'], { env });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    const want = expectedImage('app-bullseye');
    assert.equal(report.manifestDigest, want.manifestDigest);
    assert.equal(report.configDigest, want.configDigest);
    assert.equal(report.platform, want.platform);
    assert.deepEqual(report.annotations, want.annotations);
    assert.deepEqual(
      report.layers.map((layer: { digest: string; diffId: string; size: number; createdBy: string }) => [layer.digest, layer.diffId, layer.size, layer.createdBy]),
      want.layers.map((layer) => [layer.digest, layer.diffId, layer.size, layer.createdBy]),
    );
    assert.equal(report.size, want.layers.reduce((total, layer) => total + layer.size, 0));
  });

  it('prints a readable text report with every layer and its history line', () => {
    const result = runCli(['inspect', `archive://${join(archives, 'app-bookworm.docker.tar')}`], { env });
    assert.equal(result.status, 0, result.stderr);
    const want = expectedImage('app-bookworm');
    assert.match(result.stdout, new RegExp(`Config digest\\s+${want.configDigest}`));
    for (const layer of want.layers) {
      assert.ok(result.stdout.includes(layer.diffId), `layer ${layer.diffId} listed`);
      assert.ok(result.stdout.includes(layer.createdBy), `history line ${layer.createdBy} listed`);
    }
  });

  it('--verify reads every layer and reports the uncompressed sizes gzip reports', () => {
    const result = runCli(['inspect', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bullseye', '--verify', '--format', 'json'], { env });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.verified, true);
    const want = expectedImage('app-bullseye');
    report.layers.forEach((layer: { uncompressedSize: number }, index: number) => {
      const blob = join(FIXTURE_OCI, 'blobs/sha256', want.layers[index]!.digest.slice('sha256:'.length));
      const size = Number(execFileSync('sh', ['-c', 'gzip -dc "$1" | wc -c', 'sh', blob], { encoding: 'utf8' }).trim());
      assert.equal(layer.uncompressedSize, size);
    });
  });

  it('picks a platform out of the multi-platform fixture index', () => {
    const result = runCli(['inspect', `oci-dir://${FIXTURE_OCI}`, '--ref', 'multiarch', '--platform', 'linux/arm64', '--format', 'json'], { env });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    const want = expectedImage('multiarch-arm64');
    assert.equal(report.manifestDigest, want.manifestDigest);
    assert.equal(report.configDigest, want.configDigest);
    assert.deepEqual(report.platforms.sort(), ['linux/amd64', 'linux/arm64/v8']);
  });

  const badInputs: [string, string[], RegExp][] = [
    ['a missing archive', ['inspect', 'archive://does-not-exist.tar'], /does-not-exist\.tar/],
    ['a platform the index lacks', ['inspect', `oci-dir://${FIXTURE_OCI}`, '--ref', 'multiarch', '--platform', 'linux/s390x'], /linux\/s390x.*linux\/amd64/],
    ['a malformed platform', ['inspect', `oci-dir://${FIXTURE_OCI}`, '--platform', 'linux'], /--platform linux/],
    ['an unknown input prefix', ['inspect', 'ftp://example/image'], /unknown input type ftp:\/\//],
    ['an unknown output format', ['inspect', `oci-dir://${FIXTURE_OCI}`, '--format', 'yaml'], /--format yaml/],
    ['an invalid reference', ['inspect', 'registry://UPPER CASE'], /invalid image reference/],
    ['a layer past the decompression cap', ['inspect', `oci-dir://${FIXTURE_OCI}`, '--ref', 'app-bullseye', '--verify', '--max-layer-bytes', '1000000'],
      /layer .* decompresses past the 1000000 byte cap \(--max-layer-bytes\)/],
  ];
  for (const [what, args, message] of badInputs) {
    it(`rejects ${what} with one line, exit code 1 and nothing written outside the cache`, () => {
      const cwd = mkdtempSync(join(tmpdir(), 'spyglass-cwd-'));
      try {
        const result = runCli(args, { env, cwd });
        assert.equal(result.status, 1);
        assert.equal(result.stdout, '');
        const lines = result.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, `one line: ${result.stderr}`);
        assert.match(lines[0]!, /^spyglass: /);
        assert.match(lines[0]!, message);
        assert.doesNotMatch(result.stderr, /\n\s+at /);
        assert.deepEqual(readdirSync(cwd), []);
        assert.deepEqual(readdirSync(home).filter((name) => name !== 'cache'), []);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }

  it('reports an internal error in one line without --debug', () => {
    const file = join(home, 'not-json.txt');
    writeFileSync(file, 'hello');
    const result = runCli(['inspect', `archive://${file}`], { env });
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    assert.match(result.stderr, /not-json\.txt/);
  });
});

describe('spyglass cache', () => {
  it('reports and prunes an empty cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spyglass-cache-'));
    try {
      const df = runCli(['--cache-dir', dir, 'cache', 'df', '--format', 'json']);
      assert.equal(df.status, 0, df.stderr);
      assert.equal(JSON.parse(df.stdout).count, 0);
      const prune = runCli(['--cache-dir', dir, 'cache', 'prune', '--all']);
      assert.equal(prune.status, 0, prune.stderr);
      assert.match(prune.stdout, /removed 0 files/);
      const bad = runCli(['--cache-dir', dir, 'cache', 'prune', '--older-than', 'soon']);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^spyglass: --older-than soon/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
