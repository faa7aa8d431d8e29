// The package a user installs: `npm pack` of this checkout, installed with `npm install -g` into a temporary
// prefix (dependencies from the npm registry, better-sqlite3 built by its own install script), then run as
// the `spyglass` that npm links. Slow (one and a half to three minutes, nearly all of it npm installing dependencies and compiling better-sqlite3).
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { expectedImage, fixtureArchives, PROJECT_ROOT } from '../helpers/fixtures.ts';
import { fixtureDatabase } from '../helpers/feeds.ts';

const work = mkdtempSync(join(tmpdir(), 'spyglass-npm-pack-'));
const prefix = join(work, 'prefix');
const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

/** The environment without the npm_* variables of an enclosing `npm test`, which would redirect npm (its prefix, its global flag). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name)) env[name] = value;
  return { ...env, ...extra };
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout: number }): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd: options.cwd, env: cleanEnv(options.env), encoding: 'utf8', timeout: options.timeout, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

let tarball = '';
let packedFiles: string[] = [];
// What the package must hold, listed before packing (other work in the same checkout may add files meanwhile).
let dataFiles: string[] = [];
let docSchemas: string[] = [];

describe('npm pack and npm install -g', { timeout: 900_000 }, () => {
  before(() => {
    const src = join(PROJECT_ROOT, 'src');
    dataFiles = filesUnder(src).filter((file) => !file.endsWith('.ts')).map((file) => `dist/${relative(src, file)}`);
    docSchemas = readdirSync(join(PROJECT_ROOT, 'docs')).filter((name) => name.endsWith('.json')).map((name) => `docs/${name}`);
    const packed = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: PROJECT_ROOT, timeout: 300_000 });
    assert.equal(packed.status, 0, packed.stderr);
    // `prepare` prints the build's output before npm's JSON.
    const report = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[\n'))) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, report[0]!.filename);
    packedFiles = report[0]!.files.map((file) => file.path);
    mkdirSync(prefix);
    const started = Date.now();
    const installed = run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], { cwd: work, timeout: 600_000 });
    assert.equal(installed.status, 0, installed.stderr);
    process.stderr.write(`# npm install -g took ${Math.round((Date.now() - started) / 1000)} s\n`);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('packs the built code, every data file it reads, the docs and the bin, and no sources or tests', () => {
    assert.ok(packedFiles.includes('bin/spyglass.js'));
    assert.ok(packedFiles.includes('dist/cli/main.js'));
    assert.ok(dataFiles.includes('dist/server/http/openapi.json'));
    for (const file of dataFiles) assert.ok(packedFiles.includes(file), `${file} is not in the package`);
    // The JSON schemas the code reads from docs/ (../../docs/*.schema.json relative to dist/<folder>/).
    for (const file of docSchemas) assert.ok(packedFiles.includes(file), `${file} is not in the package`);
    assert.deepEqual(packedFiles.filter((file) => file.endsWith('.ts') || file.startsWith('test/') || file.startsWith('src/')), []);
  });

  it('imports at run time only packages that are in dependencies', () => {
    const dist = join(prefix, 'lib/node_modules/spyglass/dist');
    const imported = new Set<string>();
    for (const file of filesUnder(dist).filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(file, 'utf8');
      for (const match of code.matchAll(/(?:from\s+|import\(\s*|require\(\s*|createRequire\([^)]*\)\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith('node:')) continue;
        imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
      }
    }
    assert.ok(imported.has('better-sqlite3'));
    assert.deepEqual([...imported].filter((name) => !(name in manifest.dependencies)).sort(), []);
  });

  it('installs a spyglass that prints its version', () => {
    const bin = join(prefix, 'bin/spyglass');
    const version = run(bin, ['version'], { cwd: work, timeout: 60_000 });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, new RegExp(`\\b${manifest.version.replaceAll('.', '\\.')}\\b`));
    const flag = run(bin, ['--version'], { cwd: work, timeout: 60_000 });
    assert.equal(flag.status, 0, flag.stderr);
    assert.equal(flag.stdout.trim(), manifest.version);
  });

  it('installs a Docker CLI plugin that runs the installed package, not npm\'s symlink to it', () => {
    const dir = join(work, 'cli-plugins');
    const installed = run(join(prefix, 'bin/spyglass'), ['docker-plugin', 'install', '--dir', dir], { cwd: work, timeout: 60_000 });
    assert.equal(installed.status, 0, installed.stderr);
    const script = readFileSync(join(dir, 'docker-spyglass'), 'utf8');
    assert.ok(script.includes(`'${join(realpathSync(prefix), 'lib/node_modules/spyglass/bin/spyglass.js')}'`), script);
    assert.ok(!script.includes('tsx'), script);
    const version = run(join(dir, 'docker-spyglass'), ['spyglass', '--version'], { cwd: work, timeout: 60_000 });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), manifest.version);
  });

  it('runs quickview on a fixture archive with the native database driver, as the sources do', () => {
    const archive = `oci-archive://${join(fixtureArchives(), 'app-bookworm.oci.tar')}`;
    const expected = expectedImage('app-bookworm');
    const env = { SPYGLASS_DATA_DIR: fixtureDatabase(), SPYGLASS_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1' };
    const installed = run(join(prefix, 'bin/spyglass'), ['quickview', archive], { cwd: work, env, timeout: 120_000 });
    assert.equal(installed.status, 0, installed.stderr);
    const target = installed.stdout.split('\n').find((line) => line.includes('Target'));
    assert.ok(target, installed.stdout);
    assert.ok(target.includes(expected.image), target);
    assert.match(target, /\b\d+C\s+\d+H\s+\d+M\s+\d+L\b/);
    assert.ok(installed.stdout.includes(expected.manifestDigest.slice('sha256:'.length, 'sha256:'.length + 12)), installed.stdout);
    // The installed package and the TypeScript sources it was built from print the same summary.
    const fromSources = runCli(['quickview', archive], { env: { ...env, SPYGLASS_CACHE_DIR: join(work, 'cache-sources') } });
    assert.equal(fromSources.status, 0, fromSources.stderr);
    const withoutAge = (text: string) => text.replace(/\(.* ago\)/g, '');
    assert.equal(withoutAge(installed.stdout), withoutAge(fromSources.stdout));
  });
});
