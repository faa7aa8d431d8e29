// In-process runs of the CLI for the configuration tests: main() with captured streams and a
// temporary config file named by SPYGLASS_CONFIG, so a developer's own file never leaks in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export interface InProcessResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** A stream that collects what is written; `isTTY` makes it look like a terminal. */
export function collector(isTTY = false): Writable & { text: () => string; isTTY?: boolean } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }) as Writable & { text: () => string; isTTY?: boolean };
  stream.text = () => text;
  if (isTTY) stream.isTTY = true;
  return stream;
}

/** Runs main(argv) with `env` laid over process.env for the duration of the call. */
export async function runInProcess(argv: string[], env: Record<string, string | undefined> = {}, options: { tty?: boolean } = {}): Promise<InProcessResult> {
  const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const stdout = collector(options.tty === true);
  const stderr = collector();
  try {
    const status = await main(argv, { stdout, stderr });
    return { status, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** A temporary directory for one test file, removed by the returned function. */
export function temporaryDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The variables that decide directories, server and token, cleared so only what a test sets counts. */
export const CLEAN_ENV: Record<string, undefined> = {
  SPYGLASS_DATA_DIR: undefined, SPYGLASS_CACHE_DIR: undefined, SPYGLASS_SERVER: undefined, SPYGLASS_TOKEN: undefined,
  XDG_CONFIG_HOME: undefined, NO_COLOR: undefined,
};
