// Independent listings of archives for the input tests: unzip or python's zipfile, and GNU tar.
import { execFileSync, spawnSync } from 'node:child_process';

/** Entry names of a zip in archive order, from unzip -Z1 or, without unzip, python's zipfile. */
export function zipListing(path: string): string[] {
  const hasUnzip = spawnSync('sh', ['-c', 'command -v unzip'], { encoding: 'utf8' }).status === 0;
  const text = hasUnzip
    ? execFileSync('unzip', ['-Z1', path], { encoding: 'utf8' })
    : execFileSync('python3', ['-c', 'import sys,zipfile;print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', path], { encoding: 'utf8' });
  return text.split('\n').filter((name) => name !== '' && !name.endsWith('/'));
}

/** Regular-file entries of a tar, in archive order, from tar -tv (the first column's type letter). */
export function tarListing(path: string, flag: 'z' | 'J'): string[] {
  return execFileSync('tar', [`-t${flag}vf`, path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter((line) => line.startsWith('-'))
    .map((line) => line.split(/\s+/).slice(5).join(' ').replace(/^(\.\/)+/, ''));
}

/** Every file entry of a zip with its bytes, extracted by python's zipfile. */
export function zipContents(path: string): Map<string, Buffer> {
  const script = 'import sys,zipfile,json,base64;z=zipfile.ZipFile(sys.argv[1]);print(json.dumps([[n,base64.b64encode(z.read(n)).decode()] for n in z.namelist() if not n.endswith("/")]))';
  const entries = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as [string, string][];
  return new Map(entries.map(([name, data]) => [name, Buffer.from(data, 'base64')]));
}
