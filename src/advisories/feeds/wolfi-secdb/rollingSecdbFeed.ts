// Feeds `wolfi-secdb` and `chainguard-secdb`: Wolfi's and Chainguard's security databases, one
// `security.json` each. The format is Alpine's secdb JSON (the wolfi-secdb tool's README, "Specification":
// `urlprefix`, `apkurl`, `reponame`, `archs`, `packages[].pkg.{name, secfixes}`) without a
// `distroversion`: both distributions are rolling, so every record goes to one namespace, and versions
// follow apk's rules. The Alpine ingester reads it.
import type { Feed, FeedFile } from '../feed.ts';
import type { Namespace, RecordSink } from '../../model.ts';
import { readSecdb, type SecdbOrigin } from '../alpine-secdb/secdb.ts';

/** `security.json`, alone (a download is named by its last URL segment) or in a folder or archive. */
const SECURITY_FILE = /(?:^|\/)security\.json$/;

function rollingSecdbFeed(name: string, namespace: Namespace, location: string): Feed {
  const origin: SecdbOrigin = { source: name, namespaceOf: () => namespace };
  return {
    name,
    defaultLocations: [location],
    wants: (file) => SECURITY_FILE.test(file.name),
    async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
      for await (const file of files) {
        if (!SECURITY_FILE.test(file.name)) continue;
        let data: unknown;
        try {
          data = JSON.parse((await file.read()).toString('utf8'));
        } catch (error) {
          sink.skipped({ where: file.name, reason: `malformed JSON: ${(error as Error).message.split('\n')[0]}` });
          continue;
        }
        for (const advisory of readSecdb(data, file.name, origin, sink)) sink.advisory(advisory);
      }
    },
  };
}

export const wolfiSecdbFeed = rollingSecdbFeed('wolfi-secdb', 'wolfi', 'https://packages.wolfi.dev/os/security.json');
export const chainguardSecdbFeed = rollingSecdbFeed('chainguard-secdb', 'chainguard', 'https://packages.cgr.dev/chainguard/security.json');
