// A feed file's JSON: parsed, or counted as skipped with the parser's first line (the rest of the feed goes on).
import type { RecordSink } from '../model.ts';

export function parseJsonFile(name: string, content: string, sink: RecordSink): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(content) as unknown };
  } catch (error) {
    sink.skipped({ where: name, reason: `malformed JSON: ${(error as Error).message.split('\n')[0]}` });
    return undefined;
  }
}
