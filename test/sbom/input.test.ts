// sbom://FILE and sbom://- read every format, told apart by content; bad input is one line naming the file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { encode, type SbomFormat } from '../../src/sbom/format.ts';
import { loadSbomInput } from '../../src/sbom/input.ts';
import { rejectsWithMessage } from '../helpers/expect-error.ts';
import { PROJECT_ROOT } from '../helpers/fixtures.ts';
import { sampleSbom } from './sample-sbom.ts';

const names = (purls: { purl: string }[]) => purls.map((pkg) => pkg.purl);

describe('sbom:// input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spyglass-sbom-input-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['json', 'spdx', 'cyclonedx'] as SbomFormat[]) {
    it(`reads ${format} from a file and from standard input`, async () => {
      const file = join(dir, `sample.${format}.json`);
      writeFileSync(file, encode(sampleSbom(), format));
      const sbom = await loadSbomInput(`sbom://${file}`);
      assert.deepEqual(names(sbom.packages), names(sampleSbom().packages));
      const fromStdin = await loadSbomInput('sbom://-', Readable.from([Buffer.from(encode(sampleSbom(), format))]));
      assert.deepEqual(names(fromStdin.packages), names(sampleSbom().packages));
    });
  }

  it('reads an in-toto statement with an SPDX predicate', async () => {
    const file = join(dir, 'statement.json');
    writeFileSync(file, JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document', subject: [], predicate: JSON.parse(encode(sampleSbom(), 'spdx')) }));
    assert.deepEqual(names((await loadSbomInput(`sbom://${file}`)).packages), names(sampleSbom().packages));
  });

  it('the CLI reads sbom://- from its standard input', () => {
    const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'src/cli/main.ts'), 'sbom', 'sbom://-', '--format', 'list', '--only-package-type', 'npm'], {
      input: encode(sampleSbom(), 'cyclonedx'), encoding: 'utf8', cwd: PROJECT_ROOT,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'TYPE  NAME         VERSION\nnpm   @babel/core  7.22.5\nnpm   app          1.0.0\n\n2 packages: 2 npm\n');
  });

  it('a missing file, invalid JSON, JSON that is no SBOM and an invalid Spyglass SBOM are one-line errors naming the input', async () => {
    await rejectsWithMessage(loadSbomInput(`sbom://${join(dir, 'missing.json')}`), `sbom://${join(dir, 'missing.json')}: no such file`);
    await rejectsWithMessage(loadSbomInput(`sbom://${dir}`), `sbom://${dir}: not a file`);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"spdxVersion": "SPDX-2.3",\n');
    await rejectsWithMessage(loadSbomInput(`sbom://${broken}`), new RegExp(`^sbom://${broken}: not valid JSON \\(`));
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"name": "not an sbom"}');
    await rejectsWithMessage(loadSbomInput(`sbom://${other}`), `sbom://${other}: not an SBOM Spyglass reads (expected SPDX 2.x JSON, CycloneDX JSON or Spyglass JSON)`);
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...sampleSbom(), packages: [{ name: 'x' }] }));
    await rejectsWithMessage(loadSbomInput(`sbom://${invalid}`), `sbom://${invalid}: not a valid Spyglass SBOM: /packages/0 must have required property 'id'`);
    await rejectsWithMessage(loadSbomInput('sbom://'), 'sbom://: expected sbom://FILE or sbom://- for standard input');
  });
});
