/* global process, console */
// The build's two steps around tsc: `clean` empties dist/ so that no file of a removed source is packed;
// `copy` puts every data file under src/ (JSON tables, openapi.json) beside the compiled code, because tsc
// emits only the JSON files that are imported, not the ones read at run time with readFileSync.
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

function dataFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...dataFiles(path));
    else if (!entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

const step = process.argv[2];
if (step === 'clean') rmSync(dist, { recursive: true, force: true });
else if (step === 'copy') for (const file of dataFiles(src)) cpSync(file, join(dist, relative(src, file)));
else {
  console.error('usage: node scripts/dist-data.mjs clean|copy');
  process.exit(1);
}
