// The CVSS calculator against the scores NVD and the CNAs publish beside their vectors, for every
// vector in the shared NVD and vulnrichment files (v2, v3.0, v3.1, v4.0), plus vectors that must fail.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { InvalidCvssVectorError, cvssRating, cvssSeverity, cvssVersionOf, scoreCvss } from '../../src/advisories/cvss.ts';
import { SHARED } from '../helpers/fixtures.ts';

const SCORING = join(SHARED, 'data/scoring');

interface Published {
  where: string;
  version: string;
  vector: string;
  score: number;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

/** Every object with `vectorString` and `baseScore` anywhere in a JSON document. */
function publishedIn(where: string, node: unknown, out: Published[]): Published[] {
  if (Array.isArray(node)) node.forEach((child) => publishedIn(where, child, out));
  else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.vectorString === 'string' && typeof record.baseScore === 'number') {
      out.push({ where, version: String(record.version), vector: record.vectorString, score: record.baseScore });
    }
    Object.values(record).forEach((child) => publishedIn(where, child, out));
  }
  return out;
}

const published: Published[] = [];
for (const path of [...jsonFiles(join(SCORING, 'nvd')), ...jsonFiles(join(SCORING, 'vulnrichment'))]) {
  publishedIn(path, JSON.parse(readFileSync(path, 'utf8')), published);
}
const legacy = join(SCORING, 'nvd/legacy-1.1');
for (const name of readdirSync(legacy).filter((file) => file.endsWith('.json.gz'))) {
  publishedIn(name, JSON.parse(gunzipSync(readFileSync(join(legacy, name))).toString('utf8')), published);
}

describe('CVSS scores', () => {
  for (const version of ['2.0', '3.0', '3.1', '4.0']) {
    const vectors = published.filter((entry) => entry.version === version);
    it(`computes every published v${version} base score (${vectors.length} vectors)`, () => {
      assert.ok(vectors.length > 0, `the shared files hold v${version} vectors`);
      const wrong = vectors.filter((entry) => scoreCvss(entry.vector).score !== entry.score);
      assert.deepEqual(
        wrong.map((entry) => `${entry.where}: ${entry.vector} published ${entry.score}, computed ${scoreCvss(entry.vector).score}`),
        [],
      );
      for (const entry of vectors) assert.equal(cvssVersionOf(entry.vector), version);
    });
  }

  it('rates scores on FIRST’s scale (v3/v4) and NVD’s (v2)', () => {
    assert.equal(cvssRating(0, '3.1'), 'NONE');
    assert.equal(cvssRating(3.9, '3.1'), 'LOW');
    assert.equal(cvssRating(4, '4.0'), 'MEDIUM');
    assert.equal(cvssRating(8.9, '3.0'), 'HIGH');
    assert.equal(cvssRating(9, '3.1'), 'CRITICAL');
    assert.equal(cvssRating(10, '2.0'), 'HIGH');
    assert.equal(cvssRating(3.9, '2.0'), 'LOW');
  });

  it('fills score and rating from the vector when the source gives only the vector', () => {
    const entry = cvssSeverity('ghsa', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    assert.deepEqual(entry, { by: 'ghsa', cvssVersion: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, rating: 'CRITICAL' });
    const kept = cvssSeverity('nvd', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', { version: '2.0', score: 7.5, rating: 'HIGH' });
    assert.equal(kept.cvssVersion, '2.0');
    assert.equal(kept.score, 7.5);
  });

  const invalid: [string, string][] = [
    ['garbage', 'no CVSS version prefix'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', 'missing base metric A'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q', 'Unknown component value Q'],
    ['CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV given twice'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:H', 'Unknown component ZZ'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/', 'malformed metric'],
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 'missing base metric AT'],
    ['CVSS:5.0/AV:N', 'no CVSS version prefix'],
  ];
  for (const [vector, why] of invalid) {
    it(`rejects ${vector}`, () => {
      assert.throws(() => scoreCvss(vector), (error: unknown) => error instanceof InvalidCvssVectorError && error.message.includes(why));
    });
  }

  it('rejects a vector whose prefix disagrees with the version the source states', () => {
    assert.throws(() => cvssSeverity('nvd', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', { version: '3.1' }), InvalidCvssVectorError);
  });
});
