// Feed `mariner-oval`: CBL-Mariner (1.0, 2.0) and Azure Linux (3.0) OVAL, one document per release
// (https://github.com/microsoft/CBL-MarinerVulnerabilityData). The release comes from the file name;
// a `.xml.gz` or `.xml.xz` copy is decompressed by the input layer.
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { OVAL_FILE, ovalNamespace, readOval } from './oval.ts';
import { parseXml } from './xml.ts';

// The repository's README is titled "Azure Linux Vulnerability Data"; Azure Linux 3.0 is in it too.
const BASE = 'https://raw.githubusercontent.com/microsoft/CBL-MarinerVulnerabilityData/main';

export const marinerOvalFeed: Feed = {
  name: 'mariner-oval',
  defaultLocations: ['cbl-mariner-1.0-oval.xml', 'cbl-mariner-2.0-oval.xml', 'azurelinux-3.0-oval.xml'].map((file) => `${BASE}/${file}`),
  wants: (file) => OVAL_FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      const namespace = ovalNamespace(file.name);
      if (namespace === undefined) continue;
      let root;
      try {
        root = parseXml((await file.read()).toString('utf8'));
      } catch (error) {
        sink.skipped({ where: file.name, reason: `malformed XML: ${(error as Error).message}` });
        continue;
      }
      for (const advisory of readOval(root, file.name, namespace, sink)) sink.advisory(advisory);
    }
  },
};
