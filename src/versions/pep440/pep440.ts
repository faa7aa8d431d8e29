// Python package versions: PEP 440 as implemented by pypa/packaging's `packaging.version.Version`
// (https://packaging.python.org/en/latest/specifications/version-specifiers/), the order pip uses
// and the one PyPI advisories in OSV are written against.
import { ParsedCache } from '../parsed-cache.ts';
import { InvalidVersionError, type VersionScheme } from '../scheme.ts';

// packaging.version.VERSION_PATTERN, anchored and case-insensitive as `Version` compiles it.
const VERSION_PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?' +
    '(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

/** The parts of `Version._key`, numbers kept as digit strings without leading zeros. */
interface Pep440Key {
  epoch: string;
  /** Release segments with trailing zeros removed (1.0 == 1.0.0). */
  release: string[];
  /** -1 = "dev-only release sorts before any pre-release", 1 = no pre-release. */
  pre: { rank: number; letter: string; number: string };
  post: string | undefined;
  dev: string | undefined;
  /** Each segment: a number, or a lower-cased string (strings sort before numbers). */
  local: (string | { text: string })[] | undefined;
}

function digits(text: string | undefined): string {
  const stripped = (text ?? '0').replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// packaging's _parse_letter_version: alternate spellings of the pre-release letters.
const PRE_LETTER: Record<string, string> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' };

function parseKey(version: string): Pep440Key | undefined {
  const match = VERSION_PATTERN.exec(version);
  const groups = match?.groups;
  if (!groups) return undefined;
  const release = groups.release!.split('.').map(digits);
  while (release.length > 0 && release[release.length - 1] === '0') release.pop();
  const post = groups.post === undefined ? undefined : digits(groups.postN1 ?? groups.postN2);
  const dev = groups.dev === undefined ? undefined : digits(groups.devN);
  let pre: Pep440Key['pre'];
  if (groups.pre !== undefined) pre = { rank: 0, letter: PRE_LETTER[groups.preL!.toLowerCase()]!, number: digits(groups.preN) };
  // _cmpkey: a dev release of a final version (1.0.dev0) sorts before its pre-releases (1.0a0).
  else if (post === undefined && dev !== undefined) pre = { rank: -1, letter: '', number: '0' };
  else pre = { rank: 1, letter: '', number: '0' };
  const local = groups.local?.toLowerCase().split(/[-_.]/).map((part) => (/^[0-9]+$/.test(part) ? digits(part) : { text: part }));
  return { epoch: digits(groups.epoch), release, pre, post, dev, local };
}

function compareRelease(a: string[], b: string[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const result = compareNumbers(a[i] ?? '0', b[i] ?? '0');
    if (result !== 0) return result;
  }
  return 0;
}

function compareLocal(a: Pep440Key['local'], b: Pep440Key['local']): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const left = a[i]!;
    const right = b[i]!;
    let result: number;
    if (typeof left === 'string') result = typeof right === 'string' ? compareNumbers(left, right) : 1;
    else result = typeof right === 'string' ? -1 : compareText(left.text, right.text);
    if (result !== 0) return result;
  }
  return Math.sign(a.length - b.length);
}

function compareKeys(a: Pep440Key, b: Pep440Key): number {
  return (
    compareNumbers(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    Math.sign(a.pre.rank - b.pre.rank) ||
    compareText(a.pre.letter, b.pre.letter) ||
    compareNumbers(a.pre.number, b.pre.number) ||
    // no post-release sorts first, no dev-release sorts last
    (a.post === b.post ? 0 : a.post === undefined ? -1 : b.post === undefined ? 1 : compareNumbers(a.post, b.post)) ||
    (a.dev === b.dev ? 0 : a.dev === undefined ? 1 : b.dev === undefined ? -1 : compareNumbers(a.dev, b.dev)) ||
    compareLocal(a.local, b.local)
  );
}

const cache = new ParsedCache<Pep440Key>(parseKey);

function required(version: string): Pep440Key {
  const parsedKey = cache.get(version);
  if (parsedKey === undefined) throw new InvalidVersionError('pep440', version);
  return parsedKey;
}

export const pep440: VersionScheme = {
  name: 'pep440',
  compare(a, b) {
    const result = compareKeys(required(a), required(b));
    return result < 0 ? -1 : result > 0 ? 1 : 0;
  },
  valid(version) {
    return cache.get(version) !== undefined;
  },
};
