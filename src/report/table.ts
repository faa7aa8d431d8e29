// Pieces every text format shares: severity letters and words, Scout's count cells, column alignment,
// short digests, ages, and ANSI colour that is applied only when asked for.
import { SEVERITY_LEVELS, type SeverityLevel } from '../core/finding.ts';
import type { SeverityCounts } from './counts.ts';

export const SEVERITY_LETTER: Readonly<Record<SeverityLevel, string>> = { critical: 'C', high: 'H', medium: 'M', low: 'L', unspecified: 'U' };

export function severityWord(level: SeverityLevel): string {
  return level.toUpperCase();
}

// SGR codes: bold red, red, yellow, cyan, dim.
const SEVERITY_STYLE: Readonly<Record<SeverityLevel, string>> = { critical: '1;31', high: '31', medium: '33', low: '36', unspecified: '2' };

/** `text` in the severity's colour when `color` is on, else as it is. */
export function paint(text: string, level: SeverityLevel, color: boolean | undefined): string {
  return color ? `\u001b[${SEVERITY_STYLE[level]}m${text}\u001b[0m` : text;
}

export function bold(text: string, color: boolean | undefined): string {
  return color ? `\u001b[1m${text}\u001b[0m` : text;
}

/**
 * Scout's count cells, `    0C     2H     8M     1L`: each count and letter right-aligned in six
 * characters, one space apart; the U cell only when there are unspecified findings. Non-zero cells
 * are coloured when `color` is on (after padding, so colour never shifts a column).
 */
export function formatCounts(counts: SeverityCounts, color?: boolean): string {
  const levels = SEVERITY_LEVELS.filter((level) => level !== 'unspecified' || counts.unspecified > 0);
  return levels.map((level) => {
    const cell = `${counts[level]}${SEVERITY_LETTER[level]}`.padStart(6);
    return counts[level] > 0 ? paint(cell, level, color) : cell;
  }).join(' ');
}

/**
 * Rows of cells as lines, each column as wide as its widest cell, joined by `separator`; trailing
 * blanks trimmed. Cells must be plain text (colour them after aligning).
 */
export function alignRows(rows: readonly (readonly string[])[], separator = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(separator).trimEnd());
}

/** `sha256:ad49464a37e2…` → `ad49464a37e2`, as Scout and `docker images` show an image. */
export function shortDigest(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

/** `less than an hour`, `1 hour`, `5 hours`, `3 days`. */
export function humanAge(hours: number): string {
  if (hours < 1) return 'less than an hour';
  if (hours < 48) return plural(Math.floor(hours), 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** The database is stale past a day: advisories are published daily. */
export const STALE_DATABASE_HOURS = 24;

/** `2026-11-26T22:35:03.877Z` → `2026-11-26 22:35 UTC`; anything else as given. */
export function utcMinute(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `built 2026-11-26 22:35 UTC, 5 hours ago`, and a nudge when older than STALE_DATABASE_HOURS. */
export function databaseAge(database: { builtAt: string; ageHours: number }): string {
  const age = `built ${utcMinute(database.builtAt)}, ${humanAge(database.ageHours)} ago`;
  return database.ageHours > STALE_DATABASE_HOURS ? `${age} (older than a day: run \`spyglass db update\`)` : age;
}

/**
 * Scout's labelled fields: `Affected range : <4.17.3`, labels padded to the longest, a value of
 * several lines continued under ` : `.
 */
export function fieldLines(fields: readonly (readonly [string, readonly string[]])[], indent: string): string[] {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  const lines: string[] = [];
  for (const [label, values] of fields) {
    values.forEach((value, i) => lines.push(`${indent}${(i === 0 ? label : '').padEnd(width)} : ${value}`.trimEnd()));
  }
  return lines;
}

/** Words of `text` in lines of at most `width` characters after `indent`. */
export function wrap(text: string, indent: string, width = 88): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}
