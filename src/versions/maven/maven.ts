// Maven versions: a port of org.apache.maven.artifact.versioning.ComparableVersion (Maven 4 line,
// apache/maven @ 540897d3, compat/maven-artifact), the order behind version ranges in POMs and in
// GHSA/OSV Maven advisories. See https://maven.apache.org/pom.html#version-order-specification.
// At that commit a list item sorts after a string or combination item ("1-0.beta" > "1.0-sp");
// later commits changed that, and the shared vectors pin the behaviour of 540897d3.
import { ParsedCache } from '../parsed-cache.ts';
import { InvalidVersionError, type VersionScheme } from '../scheme.ts';

/** Numbers keep their digits without leading zeros; equal length means plain string order. */
interface NumberItem { kind: 'number'; digits: string }
interface StringItem { kind: 'string'; value: string }
/** A qualifier immediately followed by digits (`rc1`, `x-2`): MNG-7644 / MNG-7700. */
interface CombinationItem { kind: 'combination'; stringPart: StringItem; digitPart: Item }
interface ListItem { kind: 'list'; items: Item[] }
type Item = NumberItem | StringItem | CombinationItem | ListItem;

// ComparableVersion.StringItem: known qualifiers in order; "ga", "final" and "release" rank as "".
const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_QUALIFIERS = new Set(['ga', 'final', 'release']);
const RELEASE_VERSION_INDEX = String(QUALIFIERS.indexOf(''));
// ComparableVersion.MAX_VERSION_LENGTH: longer strings are refused with IllegalArgumentException.
const MAX_VERSION_LENGTH = 256;

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stringItem(value: string, followedByDigit: boolean): StringItem {
  if (followedByDigit && value.length === 1) {
    // a1 = alpha-1, b1 = beta-1, m1 = milestone-1
    if (value === 'a') value = 'alpha';
    else if (value === 'b') value = 'beta';
    else if (value === 'm') value = 'milestone';
  }
  return { kind: 'string', value: value === 'cr' ? 'rc' : value };
}

function comparableQualifier(qualifier: string): string {
  if (RELEASE_QUALIFIERS.has(qualifier)) return RELEASE_VERSION_INDEX;
  const index = QUALIFIERS.indexOf(qualifier);
  return index === -1 ? `${QUALIFIERS.length}-${qualifier}` : String(index);
}

function numberItem(buf: string): NumberItem {
  const digits = buf.replace(/^0+/, '');
  return { kind: 'number', digits: digits === '' ? '0' : digits };
}

// Java's Character.isDigit: any Unicode decimal digit.
const UNICODE_DIGIT = /\p{Nd}/u;

function combinationItem(value: string): CombinationItem {
  const match = UNICODE_DIGIT.exec(value);
  const index = match ? match.index : 0;
  return { kind: 'combination', stringPart: stringItem(value.slice(0, index), true), digitPart: parseItem(false, true, value.slice(index)) };
}

function parseItem(isCombination: boolean, isDigit: boolean, buf: string): Item {
  if (isCombination) return combinationItem(buf.replaceAll('-', ''));
  if (isDigit) return numberItem(buf);
  return stringItem(buf, false);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'number': return item.digits === '0';
    case 'string': return item.value === '';
    case 'combination': return false;
    case 'list': return item.items.length === 0;
  }
}

/** Item.compareTo, with `undefined` for Java's null (the missing item of a shorter list). */
function compareItem(item: Item, other: Item | undefined): number {
  switch (item.kind) {
    case 'number': {
      if (other === undefined) return item.digits === '0' ? 0 : 1; // 1.0 == 1, 1.1 > 1
      if (other.kind !== 'number') return 1; // 1.1 > 1-sp, 1.1 > 1-1
      return item.digits.length !== other.digits.length
        ? Math.sign(item.digits.length - other.digits.length)
        : compareStrings(item.digits, other.digits);
    }
    case 'string': {
      if (other === undefined) return compareStrings(comparableQualifier(item.value), RELEASE_VERSION_INDEX);
      switch (other.kind) {
        case 'number': return -1;
        case 'string': return compareStrings(comparableQualifier(item.value), comparableQualifier(other.value));
        case 'combination': {
          const result = compareItem(item, other.stringPart);
          if (result !== 0) return result;
          if (compareItem(item, undefined) === 0) return -compareItem(other.digitPart, undefined);
          return -1;
        }
        case 'list': return -1; // 1.any < 1-1
      }
      break;
    }
    case 'combination': {
      if (other === undefined) {
        const result = compareItem(item.stringPart, undefined);
        return result === 0 ? compareItem(item.digitPart, undefined) : result;
      }
      switch (other.kind) {
        case 'number': return -1;
        case 'string': {
          const result = compareItem(item.stringPart, other);
          if (result !== 0) return result;
          if (compareItem(item.stringPart, undefined) === 0) return compareItem(item.digitPart, undefined);
          return 1; // X1 > X
        }
        case 'list': return -1;
        case 'combination': {
          const result = compareItem(item.stringPart, other.stringPart);
          return result === 0 ? compareItem(item.digitPart, other.digitPart) : result;
        }
      }
      break;
    }
    case 'list': {
      const items = item.items;
      if (other === undefined) {
        // Compare the entire list with null, not just the first item: MNG-6964.
        for (const element of items) {
          const result = compareItem(element, undefined);
          if (result !== 0) return result;
        }
        return 0;
      }
      switch (other.kind) {
        case 'number': return -1; // 1-1 < 1.0.x
        case 'string':
        case 'combination':
          return 1; // 1-1 > 1-sp
        case 'list': {
          const length = Math.max(items.length, other.items.length);
          for (let i = 0; i < length; i++) {
            const left = items[i];
            const right = other.items[i];
            const result = left === undefined ? (right === undefined ? 0 : -compareItem(right, undefined)) : compareItem(left, right);
            if (result !== 0) return result;
          }
          return 0;
        }
      }
    }
  }
  return 0;
}

/** ListItem.normalize: drop null items before the end or before a qualifier. */
function normalize(list: ListItem): void {
  const items = list.items;
  for (let i = items.length - 1; i >= 0; i--) {
    if (!isNull(items[i]!)) continue;
    const next = items[i + 1];
    if (next === undefined || next.kind === 'string') {
      items.splice(i, 1);
    } else if (next.kind === 'list') {
      const first = next.items[0];
      if (first !== undefined && (first.kind === 'combination' || first.kind === 'string')) items.splice(i, 1);
    }
  }
}

/** ComparableVersion.parseVersion; undefined where it throws IllegalArgumentException. */
function parseVersion(version: string): ListItem | undefined {
  if (version.length > MAX_VERSION_LENGTH) return undefined;
  const text = version.toLowerCase();
  const root: ListItem = { kind: 'list', items: [] };
  let list = root;
  const stack: ListItem[] = [root];
  const push = (): void => {
    const sub: ListItem = { kind: 'list', items: [] };
    list.items.push(sub);
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let isCombination = false;
  let startIndex = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one (non-digit, non-separator) character: skip its low half.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
    if (c === 0x2e /* . */) {
      list.items.push(i === startIndex ? numberItem('0') : parseItem(isCombination, isDigit, text.slice(startIndex, i)));
      isCombination = false;
      startIndex = i + 1;
    } else if (c === 0x2d /* - */) {
      if (i === startIndex) {
        list.items.push(numberItem('0'));
      } else {
        // X-1 is treated as X1
        if (!isDigit && i !== text.length - 1) {
          const next = text.charCodeAt(i + 1);
          if (next >= 0x30 && next <= 0x39) {
            isCombination = true;
            continue;
          }
        }
        list.items.push(parseItem(isCombination, isDigit, text.slice(startIndex, i)));
      }
      startIndex = i + 1;
      if (list.items.length > 0) push();
      isCombination = false;
    } else if (c >= 0x30 && c <= 0x39) {
      if (!isDigit && i > startIndex) {
        isCombination = true; // X1
        if (list.items.length > 0) push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > startIndex) {
        list.items.push(parseItem(isCombination, true, text.slice(startIndex, i)));
        startIndex = i;
        push();
        isCombination = false;
      }
      isDigit = false;
    }
  }
  if (text.length > startIndex) {
    // 1.0.0.X1 < 1.0.0-X2: treat .X as -X for any string qualifier X
    if (!isDigit && list.items.length > 0) push();
    list.items.push(parseItem(isCombination, isDigit, text.slice(startIndex)));
  }
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i]!);
  return root;
}

const cache = new ParsedCache<ListItem>(parseVersion);

function parse(version: string): ListItem {
  const items = cache.get(version);
  if (items === undefined) throw new InvalidVersionError('maven', version);
  return items;
}

export const maven: VersionScheme = {
  name: 'maven',
  compare(a, b) {
    const result = compareItem(parse(a), parse(b));
    return result < 0 ? -1 : result > 0 ? 1 : 0;
  },
  valid(version) {
    // ComparableVersion reads every string up to its length limit.
    return version.length <= MAX_VERSION_LENGTH;
  },
};
