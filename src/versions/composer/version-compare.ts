// PHP's version_compare() (ext/standard/versioning.c), which Composer's Comparator applies to
// normalised versions: https://www.php.net/manual/en/function.version-compare.php

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);

/** php_canonicalize_version: `-`, `_`, `+` and other symbols become `.`, and `.` splits digits from letters. */
function canonicalize(version: string): string {
  if (version === '') return '';
  let out = version[0]!;
  let previous = version[0]!;
  for (let i = 1; i < version.length; i++) {
    const c = version[i]!;
    const last = out[out.length - 1];
    if (c === '-' || c === '_' || c === '+') {
      if (last !== '.') out += '.';
    } else if ((!isDigit(previous) && previous !== '.' && isDigit(c)) || (isDigit(previous) && !isDigit(c) && c !== '.')) {
      if (last !== '.') out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (last !== '.') out += '.';
    } else {
      out += c;
    }
    previous = c;
  }
  return out;
}

// compare_special_version_forms: prefix matches, in this order; anything else ranks -1.
const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5],
];

function specialFormOrder(form: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (form.startsWith(name)) return order;
  return -1;
}

function compareSpecialForms(a: string, b: string): number {
  return Math.sign(specialFormOrder(a) - specialFormOrder(b));
}

// strtol() saturates at LONG_MAX on a 64-bit build.
const LONG_MAX = 9223372036854775807n;

function compareNumbers(a: string, b: string): number {
  const left = BigInt(/^[0-9]+/.exec(a)![0]);
  const right = BigInt(/^[0-9]+/.exec(b)![0]);
  const l = left > LONG_MAX ? LONG_MAX : left;
  const r = right > LONG_MAX ? LONG_MAX : right;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** php_version_compare, kept close to the C: the way it ends on a shorter string decides `1.0-dev` < `1.0`. */
export function phpVersionCompare(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  const v1 = a.startsWith('#') ? a : canonicalize(a);
  const v2 = b.startsWith('#') ? b : canonicalize(b);
  let p1 = 0;
  let p2 = 0;
  let n1: number | undefined = 0;
  let n2: number | undefined = 0;
  let compare = 0;
  while (p1 < v1.length && p2 < v2.length && n1 !== undefined && n2 !== undefined) {
    const dot1 = v1.indexOf('.', p1);
    const dot2 = v2.indexOf('.', p2);
    n1 = dot1 === -1 ? undefined : dot1;
    n2 = dot2 === -1 ? undefined : dot2;
    const part1 = v1.slice(p1, n1);
    const part2 = v2.slice(p2, n2);
    if (isDigit(part1[0]) && isDigit(part2[0])) compare = compareNumbers(part1, part2);
    else if (!isDigit(part1[0]) && !isDigit(part2[0])) compare = compareSpecialForms(part1, part2);
    else compare = isDigit(part1[0]) ? compareSpecialForms('#N#', part2) : compareSpecialForms(part1, '#N#');
    if (compare !== 0) break;
    if (n1 !== undefined) p1 = n1 + 1;
    if (n2 !== undefined) p2 = n2 + 1;
  }
  if (compare === 0) {
    if (n1 !== undefined) compare = isDigit(v1[p1]) ? 1 : phpVersionCompare(v1.slice(p1), '#N#');
    else if (n2 !== undefined) compare = isDigit(v2[p2]) ? -1 : phpVersionCompare('#N#', v2.slice(p2));
  }
  return compare;
}
