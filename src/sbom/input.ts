// `sbom://FILE` (or `sbom://-` for stdin): an SBOM stands in for an image wherever one is accepted.
import { readFile, stat } from 'node:fs/promises';
import type { Sbom } from '../core/sbom.ts';
import { SpyglassError, errorText } from '../core/errors.ts';
import { decode } from './format.ts';
import { SBOM_PREFIX, isSbomInput } from './input-prefix.ts';

export { SBOM_PREFIX, isSbomInput };

/** SBOMs are read whole; past this size the input is refused rather than risking the process's memory. */
export const MAX_SBOM_BYTES = 512 * 1024 * 1024;


async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buffer.length;
    if (total > MAX_SBOM_BYTES) throw new SpyglassError(`sbom://-: standard input is larger than ${MAX_SBOM_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function loadSbomInput(input: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<Sbom> {
  if (!isSbomInput(input)) throw new SpyglassError(`${input}: not an sbom:// input`);
  const file = input.slice(SBOM_PREFIX.length);
  if (file === '') throw new SpyglassError(`${input}: expected sbom://FILE or sbom://- for standard input`);
  let text: string;
  if (file === '-') {
    text = await readStdin(stdin);
  } else {
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new SpyglassError(`${input}: not a file`);
      if (info.size > MAX_SBOM_BYTES) throw new SpyglassError(`${input}: larger than ${MAX_SBOM_BYTES} bytes`);
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (error instanceof SpyglassError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new SpyglassError(`${input}: ${code === 'ENOENT' ? 'no such file' : errorText(error)}`);
    }
  }
  return decode(text, input);
}
