// Reads one record file (JSON by its `.json` name, YAML otherwise) for the record feeds (OSV, RubySec,
// FriendsOfPHP); a file that does not parse is reported to the sink and reads as undefined.
import { parse as parseYaml } from 'yaml';
import type { RecordSink } from '../../model.ts';

export function parseRecordFile(name: string, bytes: Buffer, sink: RecordSink): { document: unknown } | undefined {
  const json = /\.json$/i.test(name);
  try {
    const text = bytes.toString('utf8');
    // The yaml package's default (YAML 1.2 core) schema keeps dates and ids as strings.
    return { document: json ? JSON.parse(text) : parseYaml(text) };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    sink.skipped({ where: name, reason: `not valid ${json ? 'JSON' : 'YAML'}: ${message}` });
    return undefined;
  }
}
