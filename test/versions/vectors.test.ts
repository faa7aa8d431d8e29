// THE shared version-comparison suite: every `<scheme>.*.tsv` in ../shared/data/specs/versions/ (format
// in its README: `a<TAB>b<TAB>-1|0|1`, computed by each ecosystem's reference implementation) whose
// scheme is registered must compare exactly as listed. Schemes not registered yet are skipped with
// the reason, so a scheme joins the suite by being added to SCHEMES.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scheme } from '../../src/versions/registry.ts';
import { InvalidVersionError } from '../../src/versions/scheme.ts';
import { satisfies } from '../../src/versions/semver/semver.ts';
import { SHARED } from '../helpers/fixtures.ts';

const VECTORS = join(SHARED, 'data/specs/versions');

/** The vector files' names for schemes whose registry name differs (README: rubygems = RubyGems' Gem::Version). */
const SCHEME_OF_FILE: Record<string, string> = { rubygems: 'gem', 'semver-loose': 'npm' };

type Row = [a: string, b: string, expected: string];

function rows(file: string): Row[] {
  return readFileSync(join(VECTORS, file), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t') as Row);
}

/**
 * Versions the reference itself rejects, which appear in a few published rows: there `compare` must
 * throw InvalidVersionError. Go: x/mod's test table marks an invalid input by the canonical form "",
 * so every string that compares equal to `bad` is invalid. apk: README says `apk version -t` refuses
 * `23_foo > 4_beta` and `1.0 < 1.0bc` as invalid (the unit test compares them anyway).
 */
function referenceInvalid(file: string, all: Row[]): Set<string> {
  if (file === 'go.published.tsv') return new Set(['bad', ...all.filter(([a, , e]) => a === 'bad' && e === '0').map(([, b]) => b)]);
  if (file === 'apk.published.tsv') return new Set(['23_foo', '1.0bc']);
  return new Set();
}

const comparisonFiles = readdirSync(VECTORS)
  .filter((file) => /^[a-z0-9-]+\.(published|generated)\.tsv$/.test(file))
  .sort();

describe('version vectors', () => {
  it('finds the vector files of every scheme', () => {
    assert.ok(comparisonFiles.length >= 18, `found ${comparisonFiles.length}`);
  });

  for (const file of comparisonFiles) {
    const prefix = file.slice(0, file.indexOf('.'));
    const name = SCHEME_OF_FILE[prefix] ?? prefix;
    const versionScheme = scheme(name);
    const skip = versionScheme === undefined ? `scheme ${name} is not registered yet` : false;
    it(`${file} (${name})`, { skip }, () => {
      assert.ok(versionScheme);
      const all = rows(file);
      const invalid = referenceInvalid(file, all);
      const mismatches: string[] = [];
      let compared = 0;
      for (const [a, b, expected] of all) {
        const bad = [a, b].filter((version) => invalid.has(version));
        if (bad.length > 0) {
          for (const version of bad) if (versionScheme.valid(version)) mismatches.push(`${JSON.stringify(version)} should be invalid`);
          assert.throws(() => versionScheme.compare(a, b), InvalidVersionError);
          continue;
        }
        let got: string;
        try {
          got = String(versionScheme.compare(a, b));
        } catch (error) {
          got = error instanceof InvalidVersionError ? 'invalid' : String(error);
        }
        if (got !== expected) mismatches.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: want ${expected}, got ${got}`);
        compared++;
      }
      assert.deepEqual(mismatches.slice(0, 20), []);
      assert.ok(compared > 0);
    });
  }
});

describe('apk-tools data files in upstream/', () => {
  const apk = scheme('apk');
  it('apk-tools 2.14 `a OP b` lines (the 2.x unit data; apk 3 keeps its order)', { skip: apk === undefined && 'apk not registered' }, () => {
    assert.ok(apk);
    const lines = readFileSync(join(VECTORS, 'upstream/apk-tools-2.14-stable.test.version.data'), 'utf8').split('\n');
    const mismatches: string[] = [];
    let compared = 0;
    for (const line of lines) {
      const match = /^(\S+)\s+([<>=])\s+(\S+)/.exec(line.replace(/#.*/, ''));
      if (match === null) continue;
      const [, a, op, b] = match;
      // 2.x compared invalid strings too (`1.0 < 1.0bc`); validity is checked by the 3.x lines below.
      if (!apk.valid(a) || !apk.valid(b)) continue;
      const want = op === '<' ? -1 : op === '>' ? 1 : 0;
      if (apk.compare(a, b) !== want) mismatches.push(line);
      compared++;
    }
    assert.deepEqual(mismatches, []);
    assert.ok(compared > 600, `compared ${compared}`);
  });

  it('`ver` lines are valid, `!ver` lines invalid', { skip: apk === undefined && 'apk not registered' }, () => {
    assert.ok(apk);
    const lines = readFileSync(join(VECTORS, 'upstream/apk-tools.test.unit.version.data'), 'utf8').split('\n');
    // A validity line is a lone token (no operator); comments start with `#`.
    const tokens = lines.map((line) => line.replace(/#.*/, '').trim()).filter((line) => line !== '' && !/\s/.test(line));
    assert.ok(tokens.length >= 10, `found ${tokens.length}`);
    for (const token of tokens) {
      const wantValid = !token.startsWith('!');
      const version = wantValid ? token : token.slice(1);
      assert.equal(apk.valid(version), wantValid, version);
    }
  });
});

describe('npm ranges (node-semver range-include/range-exclude fixtures)', () => {
  it('semver-ranges.tsv', () => {
    const cases = rows('semver-ranges.tsv');
    assert.equal(cases.length, 173);
    for (const [version, range, expected] of cases) assert.equal(satisfies(version, range), expected === 'true', `${version} in ${range}`);
  });
  it('semver-ranges-options.tsv', () => {
    const lines = readFileSync(join(VECTORS, 'semver-ranges-options.tsv'), 'utf8').split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 49);
    for (const line of lines) {
      const [version, range, expected, options] = line.split('\t');
      assert.equal(satisfies(version, range, JSON.parse(options) as object), expected === 'true', line);
    }
  });
});
