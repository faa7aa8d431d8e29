// Composer's VersionParser::normalize and ::normalizeDefaultBranch (composer/semver 3.x,
// src/VersionParser.php): the form Composer compares, e.g. `v1.2` -> `1.2.0.0`, `1.0-b2` ->
// `1.0.0.0-beta2`, `2.x-dev` -> `2.9999999.9999999.9999999-dev`, `master` -> `9999999-dev`.

// VersionParser::$modifierRegex (PCRE's possessive quantifiers need no counterpart here: nothing
// after them can match what they would give back).
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i');
const ALIAS = /^([^,\s]+) +as +([^,\s]+)$/;
const STABILITY_FLAG = /@(?:stable|RC|beta|alpha|dev)$/i;
const BUILD_METADATA = /^([^,\s+]+)\+[^\s]+$/;
const DEV_SUFFIX = /^(.*?)[.-]?dev$/i;
const NUMERIC_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;

function expandStability(stability: string): string {
  switch (stability.toLowerCase()) {
    case 'a': return 'alpha';
    case 'b': return 'beta';
    case 'p':
    case 'pl': return 'patch';
    case 'rc': return 'RC';
    default: return stability.toLowerCase();
  }
}

// PHP's trim(): space, \t, \n, \r, \0 and \x0B (\v).
const PHP_WHITESPACE = new Set([' ', '\t', '\n', '\r', '\0', '\v']);

function phpTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PHP_WHITESPACE.has(text[start]!)) start++;
  while (end > start && PHP_WHITESPACE.has(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** VersionParser::normalizeBranch. */
function normalizeBranch(name: string): string {
  const match = NUMERIC_BRANCH.exec(phpTrim(name));
  if (match) {
    let version = '';
    for (let i = 1; i < 5; i++) version += match[i] !== undefined ? match[i]!.replace(/[*X]/g, 'x') : '.x';
    return `${version.replaceAll('x', '9999999')}-dev`;
  }
  return `dev-${name}`;
}

/** VersionParser::normalize, or undefined where it throws UnexpectedValueException. */
export function normalizeComposerVersion(input: string): string | undefined {
  let version = phpTrim(input);
  const alias = ALIAS.exec(version);
  if (alias) version = alias[1]!;
  const flag = STABILITY_FLAG.exec(version);
  if (flag) version = version.slice(0, version.length - flag[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') version = `dev-${version}`;
  if (version.slice(0, 4).toLowerCase() === 'dev-') return `dev-${version.slice(4)}`;
  const metadata = BUILD_METADATA.exec(version);
  if (metadata) version = metadata[1]!;

  let match = CLASSICAL.exec(version);
  let index: number;
  if (match) {
    version = match[1]! + (match[2] || '.0') + (match[3] || '.0') + (match[4] || '.0');
    index = 5;
  } else {
    match = DATE.exec(version);
    if (match) {
      version = match[1]!.replace(/\D/g, '.');
      index = 2;
    } else {
      index = 0;
    }
  }
  if (match) {
    const stability = match[index];
    if (stability) {
      // Only the lower-case word is dropped: PHP compares it with ===.
      if (stability === 'stable') return version;
      version += `-${expandStability(stability)}${(match[index + 1] ?? '').replace(/^[.-]+/, '')}`;
    }
    if (match[index + 2]) version += '-dev';
    return version;
  }

  // A branch ending in -dev is only a version if it is numeric (2.x-dev, 1.0.*-dev).
  const dev = DEV_SUFFIX.exec(version);
  if (dev) {
    const normalized = normalizeBranch(dev[1]!);
    if (!normalized.includes('dev-')) return normalized;
  }
  return undefined;
}

/** VersionParser::normalizeDefaultBranch, as Semver::sort applies it. */
export function normalizeDefaultBranch(name: string): string {
  return name === 'dev-master' || name === 'dev-default' || name === 'dev-trunk' ? '9999999-dev' : name;
}
