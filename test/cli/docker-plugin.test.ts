// `spyglass docker-plugin install|uninstall`, checked against the real docker client when it is on PATH
// (the client alone: listing and running a CLI plugin needs no Docker engine).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { absoluteNodeArgs, findDocker, pluginScript } from '../../src/cli/docker-plugin.ts';
import { runCli } from '../helpers/cli.ts';
import { expectedImage, fixtureArchives, PROJECT_ROOT } from '../helpers/fixtures.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';

const work = mkdtempSync(join(tmpdir(), 'spyglass-docker-plugin-'));
after(() => rmSync(work, { recursive: true, force: true }));
const VERSION = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const docker = findDocker();

function plugin(path: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  // From another directory than the project's, as Docker would start it.
  return spawnSync(path, args, { cwd: work, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

describe('docker-plugin install', () => {
  it('writes an executable docker-spyglass that answers Docker\'s metadata call and runs this spyglass', () => {
    const dir = join(work, 'metadata', 'plugins');
    const installed = runCli(['docker-plugin', 'install', '--dir', dir]);
    assert.equal(installed.status, 0, installed.stderr);
    const path = join(dir, 'docker-spyglass');
    assert.match(installed.stdout, new RegExp(path.replaceAll('.', '\\.')));
    accessSync(path, constants.X_OK);
    assert.equal(statSync(path).mode & 0o777, 0o755);
    const metadata = plugin(path, ['docker-cli-plugin-metadata']);
    assert.equal(metadata.status, 0, metadata.stderr);
    assert.deepEqual(Object.keys(JSON.parse(metadata.stdout) as object).sort(), ['SchemaVersion', 'ShortDescription', 'Vendor', 'Version']);
    const parsed = JSON.parse(metadata.stdout) as Record<string, string>;
    assert.equal(parsed.SchemaVersion, '0.1.0');
    assert.equal(parsed.Vendor, 'Spyglass');
    assert.equal(parsed.Version, VERSION);
    assert.ok(parsed.ShortDescription!.length > 0);
    // Docker runs `docker-spyglass spyglass ARGS`; the leading name is dropped, and a direct call works too.
    for (const args of [['spyglass', '--version'], ['--version']]) {
      const run = plugin(path, args);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.trim(), VERSION);
    }
  });

  it('goes to $DOCKER_CONFIG/cli-plugins without --dir, and uninstall removes only its own file', () => {
    const config = join(work, 'docker-config');
    const installed = runCli(['docker-plugin', 'install'], { env: { DOCKER_CONFIG: config } });
    assert.equal(installed.status, 0, installed.stderr);
    const path = join(config, 'cli-plugins', 'docker-spyglass');
    assert.ok(existsSync(path));
    const removed = runCli(['docker-plugin', 'uninstall'], { env: { DOCKER_CONFIG: config } });
    assert.equal(removed.status, 0, removed.stderr);
    assert.ok(!existsSync(path));
    const again = runCli(['docker-plugin', 'uninstall'], { env: { DOCKER_CONFIG: config } });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /no plugin to remove/);
    writeFileSync(path, '#!/bin/sh\necho another tool\n', { mode: 0o755 });
    const foreign = runCli(['docker-plugin', 'uninstall'], { env: { DOCKER_CONFIG: config } });
    assert.equal(foreign.status, 1);
    assert.equal(foreign.stderr, `spyglass: docker-plugin uninstall: ${path} was not written by spyglass docker-plugin install; left in place\n`);
    assert.equal(readFileSync(path, 'utf8'), '#!/bin/sh\necho another tool\n');
  });

  it('refuses a plugin directory that cannot be written, in one line, with exit 1', () => {
    // A path under a regular file: unwritable even for root, unlike a read-only directory.
    const file = join(work, 'file');
    writeFileSync(file, 'not a directory\n');
    const dir = join(file, 'plugins');
    const result = runCli(['docker-plugin', 'install', '--dir', dir]);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, `spyglass: docker-plugin install: plugin directory ${dir} is not writable (ENOTDIR)\n`);
    assert.equal(result.stdout, '');
    assert.equal(readFileSync(file, 'utf8'), 'not a directory\n');
  });

  it('warns when no docker client is on PATH and still writes the plugin', () => {
    const emptyPath = join(work, 'empty-bin');
    mkdirSync(emptyPath);
    const dir = join(work, 'no-docker', 'plugins');
    const result = runCli(['docker-plugin', 'install', '--dir', dir], { env: { PATH: emptyPath } });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, 'warning: no docker client on PATH; `docker spyglass` works once Docker is installed\n');
    accessSync(join(dir, 'docker-spyglass'), constants.X_OK);
  });

  it('quotes the paths it runs and passes the arguments through unchanged', () => {
    // An entry point in a folder whose name a shell would split or unquote.
    const folder = join(work, "it's a folder");
    mkdirSync(folder);
    const entry = join(folder, 'print-argv.mjs');
    writeFileSync(entry, 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
    const script = join(folder, 'docker-spyglass');
    writeFileSync(script, pluginScript({ node: process.execPath, nodeArgs: ['--no-warnings'], entry }, '9.9.9'), { mode: 0o755 });
    const run = plugin(script, ['spyglass', 'cves', 'a b', "c'd", '$HOME', 'spyglass']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), ['cves', 'a b', "c'd", '$HOME', 'spyglass']);
    assert.equal((JSON.parse(plugin(script, ['docker-cli-plugin-metadata']).stdout) as { Version: string }).Version, '9.9.9');
  });

  it('makes the modules node was told to load absolute, since Docker starts the plugin elsewhere', () => {
    const tsx = import.meta.resolve('tsx');
    assert.deepEqual(absoluteNodeArgs(['--import', 'tsx', '--no-warnings']), ['--import', tsx, '--no-warnings']);
    assert.deepEqual(absoluteNodeArgs(['--import=./loader.mjs']), [`--import=${resolve('loader.mjs')}`]);
    const url = pathToFileURL(join(work, 'x.mjs')).href;
    assert.deepEqual(absoluteNodeArgs(['--import', url, '-r', '/abs/hook.cjs']), ['--import', url, '-r', '/abs/hook.cjs']);
  });

  it('is listed and run by the real docker client', { skip: docker === undefined ? 'no docker client on PATH' : false }, () => {
    const config = join(work, 'docker-real');
    const env = { DOCKER_CONFIG: config, NO_COLOR: '1' };
    const installed = runCli(['docker-plugin', 'install'], { env });
    assert.equal(installed.status, 0, installed.stderr);
    assert.equal(installed.stderr, '', 'no warning: docker is on PATH');
    const help = plugin(docker!, ['--help'], env);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^\s+spyglass\*?\s+Analyse container images/m);
    const version = plugin(docker!, ['spyglass', '--version'], env);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), VERSION);
    const expected = expectedImage('app-bookworm');
    const archive = `oci-archive://${join(fixtureArchives(), 'app-bookworm.oci.tar')}`;
    const quickview = plugin(docker!, ['spyglass', 'quickview', archive], { ...env, SPYGLASS_DATA_DIR: fixtureDatabase(), SPYGLASS_CACHE_DIR: join(work, 'cache') });
    assert.equal(quickview.status, 0, quickview.stderr);
    const target = quickview.stdout.split('\n').find((line) => line.includes('Target'));
    assert.ok(target !== undefined && target.includes(expected.image), quickview.stdout);
    assert.match(target, /\b\d+C\s+\d+H\s+\d+M\s+\d+L\b/);
    assert.ok(quickview.stdout.includes(expected.manifestDigest.slice(7, 19)), quickview.stdout);
  });
});
