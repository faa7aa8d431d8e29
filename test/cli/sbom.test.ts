// `spyglass sbom` on a fixture image, as a user runs it: the Debian packages are exactly those of the
// fixture manifest (read here), -o writes only after success, bad input is one line and no file.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Sbom } from '../../src/core/sbom.ts';
import { runCli } from '../helpers/cli.ts';
import { FIXTURE_MANIFESTS, fixtureArchives } from '../helpers/fixtures.ts';
import { cycloneDxValidator, errorsText, spdxValidator, spyglassValidator } from '../sbom/schemas.ts';

interface ManifestPackage { type: string; name: string; version: string; purl: string }
const manifest = JSON.parse(readFileSync(join(FIXTURE_MANIFESTS, 'app-bookworm.json'), 'utf8')) as { packages: ManifestPackage[] };
const expectedDebs = manifest.packages.filter((pkg) => pkg.type === 'deb').map((pkg) => `${pkg.name} ${pkg.version} ${pkg.purl}`).sort();
const debsOf = (sbom: Sbom) => sbom.packages.filter((pkg) => pkg.type === 'deb').map((pkg) => `${pkg.name} ${pkg.version} ${pkg.purl}`).sort();

describe('spyglass sbom', () => {
  let work: string;
  let cache: string;
  let image: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'spyglass-sbom-cli-'));
    cache = join(work, 'cache');
    image = `archive://${join(fixtureArchives(), 'app-bookworm.docker.tar')}`;
  });
  after(() => rmSync(work, { recursive: true, force: true }));
  const sbom = (...args: string[]) => runCli(['--cache-dir', cache, '-q', 'sbom', ...args]);

  it('--format json --only-package-type deb gives the manifest\'s Debian packages, valid against docs/sbom.schema.json', () => {
    const result = sbom(image, '--format', 'json', '--only-package-type', 'deb');
    assert.equal(result.status, 0, result.stderr);
    const document = JSON.parse(result.stdout) as Sbom;
    const validate = spyglassValidator();
    assert.ok(validate(document), errorsText(validate.errors));
    assert.deepEqual(debsOf(document), expectedDebs);
    assert.deepEqual(new Set(document.packages.map((pkg) => pkg.type)), new Set(['deb']));
  });

  it('list: a TYPE NAME VERSION table and the count per type', () => {
    const result = sbom(image, '--only-package-type', 'deb');
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^TYPE +NAME +VERSION$/);
    assert.deepEqual(lines.slice(1, -2).map((line) => line.split(/ +/)).map(([type, name, version]) => `${type} ${name} ${version}`).sort(),
      manifest.packages.filter((pkg) => pkg.type === 'deb').map((pkg) => `deb ${pkg.name} ${pkg.version}`).sort());
    assert.equal(lines.at(-2), '');
    assert.equal(lines.at(-1), `${expectedDebs.length} packages: ${expectedDebs.length} deb`);
  });

  it('-o writes SPDX and CycloneDX files valid against the official schemas, that read back through sbom://', () => {
    for (const [format, validator] of [['spdx', spdxValidator()], ['cyclonedx', cycloneDxValidator()]] as const) {
      const file = join(work, `app.${format}.json`);
      const written = sbom(image, '--format', format, '-o', file);
      assert.equal(written.status, 0, written.stderr);
      assert.equal(written.stdout, '');
      assert.ok(validator(JSON.parse(readFileSync(file, 'utf8'))), errorsText(validator.errors));
      const back = sbom(`sbom://${file}`, '--format', 'json');
      assert.equal(back.status, 0, back.stderr);
      assert.deepEqual(debsOf(JSON.parse(back.stdout) as Sbom), expectedDebs);
    }
  });

  it('bad input: one line, exit 1, no output file', () => {
    const output = join(work, 'never.json');
    const invalidJson = join(work, 'invalid.json');
    writeFileSync(invalidJson, '{"bomFormat": "CycloneDX", ');
    const cases: [string[], RegExp][] = [
      [[`archive://${join(work, 'missing.tar')}`], /^spyglass: .*missing\.tar.*\n$/],
      [[image, '--format', 'xml'], /^spyglass: --format xml: expected one of list, json, spdx, cyclonedx\n$/],
      [[image, '--only-package-type', 'deb,snap'], /^spyglass: --only-package-type deb,snap: expected some of deb, apk, rpm, npm, pypi, maven, golang, cargo, gem, composer, nuget\n$/],
      [[image, '--sbom-source', 'magic'], /^spyglass: --sbom-source magic: expected one of auto, attestation, layers\n$/],
      [[`sbom://${join(work, 'missing.json')}`], new RegExp(`^spyglass: sbom://${join(work, 'missing.json')}: no such file\\n$`)],
      [[`sbom://${invalidJson}`], new RegExp(`^spyglass: sbom://${invalidJson}: not valid JSON \\(.*\\)\\n$`)],
    ];
    for (const [args, message] of cases) {
      const result = sbom(...args, '-o', output);
      assert.equal(result.status, 1, args.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
      assert.equal(existsSync(output), false, args.join(' '));
    }
  });
});
