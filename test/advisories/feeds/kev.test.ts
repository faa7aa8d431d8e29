// The KEV feed over CISA's whole catalog (SOURCE.md: 2025.08.25, 1,404 entries), checked against the
// catalog's own JSON schema with ajv and field by field against the file parsed here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { kevFeed } from '../../../src/advisories/feeds/kev/kev-feed.ts';
import { SHARED } from '../../helpers/fixtures.ts';
import { filesOf, filesUnder, ingestAll } from './scoring-sink.ts';

const DIR = join(SHARED, 'data/scoring/kev');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed KEV JSON, read loosely by the test
const catalog = JSON.parse(readFileSync(join(DIR, 'known_exploited_vulnerabilities.json'), 'utf8')) as Json;
const schema = JSON.parse(readFileSync(join(DIR, 'known_exploited_vulnerabilities_schema.json'), 'utf8')) as Json;

describe('kev feed', () => {
  it('the shared catalog is valid against its schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv); // ajv-formats is CommonJS: its function is `default` under NodeNext
    const validate = ajv.compile(schema);
    assert.ok(validate(catalog), JSON.stringify(validate.errors?.slice(0, 3)));
  });

  it('reads every entry, field by field', async () => {
    const got = await ingestAll(kevFeed, filesUnder(DIR));
    assert.equal(catalog.count, 1404);
    assert.equal(catalog.vulnerabilities.length, catalog.count);
    assert.equal(got.kev.length, catalog.count);
    assert.deepEqual(got.skipped, []);
    assert.deepEqual(got.advisories, []);
    for (const [index, item] of (catalog.vulnerabilities as Json[]).entries()) {
      assert.deepEqual(got.kev[index], {
        cve: item.cveID,
        dateAdded: item.dateAdded,
        dueDate: item.dueDate,
        knownRansomwareCampaignUse: item.knownRansomwareCampaignUse,
        vendorProject: item.vendorProject,
        product: item.product,
        name: item.vulnerabilityName,
      });
    }
    assert.equal(kevFeed.wants({ name: 'kev/known_exploited_vulnerabilities_schema.json' }), false);
  });

  it('skips malformed files and entries with a reason; the rest still counts', async () => {
    const good = catalog.vulnerabilities[0] as Json;
    const got = await ingestAll(
      kevFeed,
      filesOf(
        { name: 'a/known_exploited_vulnerabilities.json', content: '{"vulnerabilities": [' },
        { name: 'b/known_exploited_vulnerabilities.json', content: '{"count": 0}' },
        {
          name: 'known_exploited_vulnerabilities.json',
          content: JSON.stringify({ vulnerabilities: [{ ...good, cveID: 'CVE-20-1' }, { ...good, dateAdded: undefined }, 'x', good] }),
        },
      ),
    );
    assert.deepEqual(got.kev.map((entry) => entry.cve), [good.cveID]);
    assert.deepEqual(got.skipped.map((record) => record.where), [
      'a/known_exploited_vulnerabilities.json',
      'b/known_exploited_vulnerabilities.json',
      'known_exploited_vulnerabilities.json vulnerabilities[0]',
      'known_exploited_vulnerabilities.json vulnerabilities[1]',
      'known_exploited_vulnerabilities.json vulnerabilities[2]',
    ]);
    assert.match(got.skipped[2].reason, /bad cveID/);
    assert.match(got.skipped[3].reason, /bad dateAdded/);
  });
});
