// Feed `alpine-secdb`: Alpine's secdb, per branch and repository, as JSON (secdb.alpinelinux.org)
// or as the YAML of the retired alpinelinux/alpine-secdb repository.
import { parse as parseYaml } from 'yaml';
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { alpineOrigin, readSecdb } from './secdb.ts';

/**
 * `v3.18/main.json`, `edge/community.json`, `v3.11/main.yaml`, or a lone `main.json` (a download is
 * named by its last URL segment): the branch comes from the file's `distroversion`, else its folder.
 */
const SECDB_FILE = /(?:^|\/)(?:(v\d+\.\d+|edge)\/)?(?:main|community|testing)\.(json|ya?ml)$/;

const BRANCHES = ['v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22', 'edge'];

export const alpineSecdbFeed: Feed = {
  name: 'alpine-secdb',
  // Branches with security support at the time of writing; add a `--source` for older ones.
  defaultLocations: BRANCHES.flatMap((branch) => ['main', 'community'].map((repo) => `https://secdb.alpinelinux.org/${branch}/${repo}.json`)),
  wants: (file) => SECDB_FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      const match = SECDB_FILE.exec(file.name);
      if (!match) continue;
      const text = (await file.read()).toString('utf8');
      let data: unknown;
      try {
        // The failsafe schema keeps every scalar a string: a version key `1.10` must not become 1.1.
        data = match[2] === 'json' ? JSON.parse(text) : parseYaml(text, { schema: 'failsafe' });
      } catch (error) {
        sink.skipped({ where: file.name, reason: `malformed ${match[2] === 'json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}` });
        continue;
      }
      for (const advisory of readSecdb(data, file.name, alpineOrigin(match[1]), sink)) sink.advisory(advisory);
    }
  },
};
