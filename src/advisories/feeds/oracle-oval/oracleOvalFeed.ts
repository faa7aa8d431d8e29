// Feed `oracle-oval`: Oracle Linux security advisories (ELSA) from Oracle's OVAL, the whole history in
// com.oracle.elsa-all.xml.bz2 or one year per com.oracle.elsa-YYYY.xml.bz2, into `oracle:<major>`
// namespaces (os-release ID `ol`, src/match/data/distributions.json). The bzip2 copy is decompressed here
// (the input layer reads gzip and xz only); each definition is parsed on its own (definitions.ts).
import type { Feed, FeedFile } from '../feed.ts';
import type { RecordSink } from '../../model.ts';
import { parseXml } from '../mariner-oval/xml.ts';
import { bunzip2, definitionTexts, isBzip2 } from './definitions.ts';
import { readElsaInto } from './elsa.ts';

const FILE = /(?:^|\/)com\.oracle\.elsa-[\w-]+\.xml(?:\.bz2)?$/;
const DEFINITION_ID = /^<definition\b[^>]*\bid="([^"]+)"/;

export const oracleOvalFeed: Feed = {
  name: 'oracle-oval',
  defaultLocations: ['https://linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2'],
  wants: (file) => FILE.test(file.name),
  async ingest(files: AsyncIterable<FeedFile>, sink: RecordSink): Promise<void> {
    for await (const file of files) {
      if (!FILE.test(file.name)) continue;
      let bytes = await file.read();
      if (isBzip2(bytes)) {
        try {
          bytes = await bunzip2(bytes);
        } catch (error) {
          sink.skipped({ where: file.name, reason: `unreadable bzip2: ${(error as Error).message}` });
          continue;
        }
      }
      if (!bytes.subarray(0, 4096).toString('utf8').includes('<oval_definitions')) {
        sink.skipped({ where: file.name, reason: 'not an OVAL definitions document' });
        continue;
      }
      let count = 0;
      for (const { position, text } of definitionTexts(bytes)) {
        count++;
        const where = `${file.name} ${DEFINITION_ID.exec(text)?.[1] ?? `definition[${position}]`}`;
        let definition;
        try {
          definition = parseXml(text);
        } catch (error) {
          sink.skipped({ where, reason: `malformed XML: ${(error as Error).message}` });
          continue;
        }
        readElsaInto(definition, where, sink);
      }
      if (count === 0) sink.skipped({ where: file.name, reason: 'OVAL document without definitions' });
    }
  },
};
