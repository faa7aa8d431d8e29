// Builds the vulnerability database from every shared feed file into the data directory given as the
// first argument (the tests' fixture database). Run with `node --import tsx`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFeedInput } from '../src/advisories/input/open.ts';
import { updateDatabase } from '../src/advisories/update.ts';
import { sharedFeedSources } from '../test/helpers/feeds.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: build-fixture-db.ts DATA_DIR');
  process.exit(2);
}
const cacheDir = mkdtempSync(join(tmpdir(), 'spyglass-fixture-db-cache-'));
try {
  const outcomes = await updateDatabase(dataDir, sharedFeedSources(), { openInput: openFeedInput, cacheDir });
  const failed = outcomes.filter((outcome) => outcome.outcome === 'failed');
  for (const outcome of failed) console.error(`fixture database: ${outcome.source} failed: ${'error' in outcome ? outcome.error : ''}`);
  if (failed.length > 0) process.exitCode = 1;
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
