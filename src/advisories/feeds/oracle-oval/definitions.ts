// The `<definition>` elements of an Oracle OVAL document, one at a time. com.oracle.elsa-all.xml holds
// every ELSA since 2007 (hundreds of megabytes once decompressed), and everything this feed reads is inside
// the definitions (metadata and criterion comments, as Grype's vunnel reads them), so each definition is cut
// out of the bytes and parsed on its own; the document's tests, objects and states are never parsed.
import { spawn } from 'node:child_process';

const OPEN = Buffer.from('<definition');
const CLOSE = Buffer.from('</definition>');

export interface DefinitionText {
  /** 0-based position in the document. */
  position: number;
  text: string;
}

/** Each `<definition …>…</definition>` of the document, in order. An unterminated last one is returned as is (its parse fails). */
export function* definitionTexts(bytes: Buffer): Generator<DefinitionText> {
  let from = 0;
  for (let position = 0; ; position++) {
    let start = bytes.indexOf(OPEN, from);
    // `<definitions>` (the container) shares the prefix: the next byte tells a definition from it.
    while (start >= 0 && !/[\s>]/.test(String.fromCharCode(bytes[start + OPEN.length] ?? 0))) start = bytes.indexOf(OPEN, start + OPEN.length);
    if (start < 0) return;
    const end = bytes.indexOf(CLOSE, start);
    const stop = end < 0 ? bytes.length : end + CLOSE.length;
    yield { position, text: bytes.subarray(start, stop).toString('utf8') };
    if (end < 0) return;
    from = stop;
  }
}

const BZIP2 = Buffer.from('BZh');

export const isBzip2 = (bytes: Buffer): boolean => bytes.subarray(0, 3).equals(BZIP2);

/** `bzip2 -dc`: Oracle publishes its OVAL as .xml.bz2, Node has no bzip2 decoder, and bzip2 is on every machine with tar. */
export function bunzip2(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('bzip2', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => reject(new Error(`cannot run bzip2 (${error.message}); install bzip2 to read .bz2 files`)));
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`bzip2: ${stderr.trim().split('\n')[0] || `exit ${code}`}`))));
    child.stdin.on('error', () => undefined); // bzip2 exiting early on bad input closes stdin; 'close' reports it.
    child.stdin.end(bytes);
  });
}
