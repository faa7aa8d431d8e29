// Licences in the standard formats. A Package holds a list of licence strings, each an SPDX id or
// expression where one was recognised, else the text as declared. SPDX 2.3 and CycloneDX 1.6 only
// accept valid SPDX expressions (SPDX 2.3 annex D), so anything else becomes a LicenseRef (SPDX) or a
// named licence (CycloneDX), and the original text travels with it so that decoding gives it back.
import parseSpdxExpression from 'spdx-expression-parse';

/** Whether `text` is a valid SPDX licence expression (`MIT`, `GPL-2.0-or-later WITH Classpath-exception-2.0`, `LicenseRef-x`). */
export function isSpdxExpression(text: string): boolean {
  try {
    parseSpdxExpression(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether `text` is one licence id (no AND/OR/WITH/+), the kind CycloneDX writes as `license.id`. */
export function isSingleSpdxId(text: string): boolean {
  try {
    const node = parseSpdxExpression(text);
    return 'license' in node && !node.plus && !node.exception && node.license === text;
  } catch {
    return false;
  }
}

/** SPDX ids allow letters, digits, `.` and `-` only (SPDX 2.3 §10.1: LicenseRef-[idstring]). */
export function licenseRefFor(text: string): string {
  const idstring = text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return `LicenseRef-${idstring || 'unknown'}`;
}

/**
 * Splits an expression at its top-level `AND`s: the inverse of joining a package's licences with
 * ` AND ` (each compound one in parentheses), so that one licence list survives SPDX unchanged.
 */
export function splitTopLevelAnd(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  const words = /\(|\)|\s+AND\s+/gi;
  for (let match = words.exec(expression); match; match = words.exec(expression)) {
    if (match[0] === '(') depth++;
    else if (match[0] === ')') depth--;
    else if (depth === 0) {
      parts.push(expression.slice(start, match.index));
      start = match.index + match[0].length;
    }
  }
  parts.push(expression.slice(start));
  return parts.map((part) => stripOuterParentheses(part.trim())).filter((part) => part.length > 0);
}

function stripOuterParentheses(text: string): string {
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    if (depth === 0 && i < text.length - 1) return text;
  }
  return text.slice(1, -1).trim();
}

/** Joins licences into one expression; a compound one is parenthesised so that splitting finds it whole. */
export function joinWithAnd(expressions: string[]): string {
  return expressions.map((expression) => (/\s(AND|OR)\s/i.test(expression) ? `(${expression})` : expression)).join(' AND ');
}
