// Feed `alpine-secdb`: Alpine's secdb, per branch and repository, as JSON (secdb.alpinelinux.org)
// or as the YAML of the retired alpinelinux/alpine-secdb repository.
import { parse as parseYaml } from 'yaml';
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { readSecdb } from './secdb.ts';

/** `v3.18/main.json`, `edge/community.json`, `v3.11/main.yaml`. */
const SECDB_FILE = /(?:^|\/)(v\d+\.\d+|edge)\/[a-z]+\.(json|ya?ml)$/;

export const alpineSecdbFeed: Feed = {
  name: 'alpine-secdb',
  defaultLocations: ['https://secdb.alpinelinux.org/'],
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
      for (const advisory of readSecdb(data, file.name, match[1], sink)) sink.advisory(advisory);
    }
  },
};
