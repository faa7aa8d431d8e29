// `spyglass compare` output: a Comparison (baseimage/compare.ts) as Scout-like text, a Markdown
// pull-request comment, or JSON (docs/compare.md). Pure functions of the Comparison and the options.
import type { ComparedImage, Comparison, PackageChange, PackageChangeKind, VulnerabilityChange } from '../baseimage/compare.ts';
import { SEVERITY_LEVELS, type SeverityLevel } from '../core/finding.ts';
import { advisoryUrl } from './advisory-links.ts';
import { totalOf, type SeverityCounts } from './counts.ts';
import { bold, databaseAge, paint, plural, SEVERITY_LETTER, severityWord, shortDigest } from './table.ts';

export const COMPARE_FORMATS = ['text', 'markdown', 'json'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

export interface CompareRenderOptions {
  /** `--ignore-unchanged`: leave unchanged packages out of the package list (they are still counted). */
  ignoreUnchanged: boolean;
  /** ANSI colour in the text format. */
  color?: boolean;
}

export function renderComparison(comparison: Comparison, format: CompareFormat, options: CompareRenderOptions): string {
  switch (format) {
    case 'text': return renderCompareText(comparison, options);
    case 'markdown': return renderCompareMarkdown(comparison, options);
    case 'json': return renderCompareJson(comparison, options);
  }
}

/** Scout's markers: `+` added, `-` removed, `↑` upgraded, `↓` downgraded, `~` another version that cannot be ordered. */
export const CHANGE_MARKER: Readonly<Record<PackageChangeKind, string>> = { added: '+', removed: '-', upgraded: '↑', downgraded: '↓', changed: '~', unchanged: ' ' };

function listed(comparison: Comparison, options: CompareRenderOptions): PackageChange[] {
  return options.ignoreUnchanged ? comparison.packages.filter((change) => change.change !== 'unchanged') : comparison.packages;
}

/** `34 MB`, `2.3 MB`, `231 B`: decimal units, as Scout and registries show image sizes. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const number = unit === 0 || value >= 100 ? Math.round(value).toString() : value.toFixed(1);
  return `${bytes < 0 ? '-' : ''}${number} ${units[unit]}`;
}

function signed(value: number, text = String(Math.abs(value))): string {
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : text;
}

/** `+4 -1` style change of counts, or '' when nothing changed. */
function countsChange(introduced: SeverityCounts, fixed: SeverityCounts): string {
  const cells: string[] = [];
  for (const level of SEVERITY_LEVELS) {
    if (introduced[level] > 0) cells.push(`+${introduced[level]}${SEVERITY_LETTER[level]}`);
    if (fixed[level] > 0) cells.push(`-${fixed[level]}${SEVERITY_LETTER[level]}`);
  }
  return cells.join(' ');
}

function osText(side: ComparedImage): string | undefined {
  return side.os ? side.os.prettyName ?? [side.os.id, side.os.versionId].filter(Boolean).join(' ') : undefined;
}

/** Count levels shown: the U column when either side has unspecified findings. */
function shownLevels(comparison: Comparison): SeverityLevel[] {
  const withUnspecified = comparison.image.vulnerabilities.unspecified > 0 || comparison.other.vulnerabilities.unspecified > 0;
  return SEVERITY_LEVELS.filter((level) => level !== 'unspecified' || withUnspecified);
}

// ---- text ----

/** A cell as shown (maybe coloured) and its plain width. */
interface Cell { text: string; width: number }
const plain = (text: string): Cell => ({ text, width: text.length });

function countCells(counts: SeverityCounts, levels: readonly SeverityLevel[], color: boolean | undefined): Cell {
  // Scout's cells as formatCounts makes them, but with the same levels on both sides so the columns line up.
  const cells = levels.map((level) => {
    const cell = `${counts[level]}${SEVERITY_LETTER[level]}`.padStart(6);
    return { shown: counts[level] > 0 ? paint(cell, level, color) : cell, width: cell.length };
  });
  return { text: cells.map((cell) => cell.shown).join(' '), width: cells.reduce((sum, cell) => sum + cell.width, 0) + Math.max(0, cells.length - 1) };
}

function deltaCells(delta: SeverityCounts, levels: readonly SeverityLevel[]): Cell {
  return plain(levels.map((level) => (delta[level] === 0 ? '' : signed(delta[level])).padStart(6)).join(' ').trimEnd());
}

function overviewText(comparison: Comparison, options: CompareRenderOptions): string[] {
  const { image, other } = comparison;
  const levels = shownLevels(comparison);
  const value = (text: string | undefined): Cell => plain(text === undefined ? '' : `  ${text}`);
  const rows: [string, Cell, Cell][] = [
    ['  Target', value(image.name), value(other.name)],
    ['    digest', value(image.manifestDigest ?? image.configDigest ? shortDigest((image.manifestDigest ?? image.configDigest)!) : undefined), value(other.manifestDigest ?? other.configDigest ? shortDigest((other.manifestDigest ?? other.configDigest)!) : undefined)],
    ['    platform', value(image.platform), value(other.platform)],
    ['    os', value(osText(image)), value(osText(other))],
    ['    vulnerabilities', countCells(image.vulnerabilities, levels, options.color), countCells(other.vulnerabilities, levels, options.color)],
  ];
  if (SEVERITY_LEVELS.some((level) => comparison.summary.vulnerabilities.delta[level] !== 0)) rows.push(['', deltaCells(comparison.summary.vulnerabilities.delta, levels), plain('')]);
  const sizeDelta = comparison.sizeDelta !== undefined && comparison.sizeDelta !== 0 ? ` (${signed(comparison.sizeDelta, humanSize(Math.abs(comparison.sizeDelta)))})` : '';
  rows.push(['    size', value(image.size !== undefined ? `${humanSize(image.size)}${sizeDelta}` : 'unknown'), value(other.size !== undefined ? humanSize(other.size) : 'unknown')]);
  const packageDelta = image.packages - other.packages;
  rows.push(['    packages', value(`${image.packages}${packageDelta !== 0 ? ` (${signed(packageDelta)})` : ''}`), value(String(other.packages))]);
  rows.push(['', plain(''), plain('')]);
  rows.push(['  Base image', value(image.baseImage?.name ?? 'unknown'), value(other.baseImage?.name ?? 'unknown')]);
  if (image.baseImage?.digest || other.baseImage?.digest) {
    rows.push(['    digest', value(image.baseImage?.digest ? shortDigest(image.baseImage.digest) : undefined), value(other.baseImage?.digest ? shortDigest(other.baseImage.digest) : undefined)]);
  }
  const shown = rows.filter(([label, left, right]) => label === '' || left.width > 0 || right.width > 0);
  const labelWidth = Math.max(...shown.map(([label]) => label.length)) + 1;
  const leftWidth = Math.max('  Analyzed Image'.length, ...shown.map(([, left]) => left.width)) + 2;
  return [
    `${' '.repeat(labelWidth)}│${'  Analyzed Image'.padEnd(leftWidth)}│  Comparison Image`,
    `${'─'.repeat(labelWidth)}┼${'─'.repeat(leftWidth)}┼${'─'.repeat(leftWidth)}`,
    ...shown.map(([label, left, right]) => `${label.padEnd(labelWidth)}│${left.text}${' '.repeat(leftWidth - left.width)}│${right.text}`.trimEnd()),
  ];
}

function packageSummaryText(comparison: Comparison): string[] {
  const counts = comparison.summary.packages;
  const width = Math.max(...Object.values(counts).map((n) => String(n).length));
  const words: Record<PackageChangeKind, string> = { added: 'added', removed: 'removed', upgraded: 'upgraded', downgraded: 'downgraded', changed: 'changed (versions not ordered)', unchanged: 'unchanged' };
  return (Object.keys(words) as PackageChangeKind[])
    .filter((kind) => kind !== 'changed' || counts.changed > 0)
    .map((kind) => `  ${CHANGE_MARKER[kind]}  ${String(counts[kind]).padStart(width)} ${counts[kind] === 1 ? 'package' : 'packages'} ${words[kind]}`);
}

/** The package's name, with `:arch` only where the same name is listed for several architectures. */
function packageNamer(changes: readonly PackageChange[]): (change: PackageChange) => string {
  const archs = new Map<string, Set<string>>();
  for (const change of changes) {
    const key = `${change.type}/${change.name}`;
    archs.set(key, (archs.get(key) ?? new Set()).add(change.arch ?? ''));
  }
  return (change) => (change.arch && (archs.get(`${change.type}/${change.name}`)?.size ?? 0) > 1 ? `${change.name}:${change.arch}` : change.name);
}

function packageRowsText(changes: readonly PackageChange[]): string[] {
  if (changes.length === 0) return ['  No package to list'];
  const name = packageNamer(changes);
  const rows = [['', 'Package', 'Type', 'Version', 'Compared version', 'Vulnerabilities']];
  for (const change of changes) {
    rows.push([CHANGE_MARKER[change.change], name(change), change.type, change.version ?? '', change.otherVersion ?? '', countsChange(change.introduced, change.fixed)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

function vulnerabilityLine(marker: string, change: VulnerabilityChange, width: number): string {
  const fix = change.status === 'fixed' && change.fixedVersion ? `  fixed in ${change.fixedVersion}` : '';
  return `    ${marker} ${change.id.padEnd(width)}  ${change.package.name} ${change.package.versions.join(', ')}${fix}`;
}

function vulnerabilitiesText(comparison: Comparison, options: CompareRenderOptions): string[] {
  const { introduced, fixed } = comparison.vulnerabilities;
  const summary = comparison.summary.vulnerabilities;
  const lines = [
    `  ${plural(totalOf(summary.introduced), 'vulnerability', 'vulnerabilities')} introduced (only in the analyzed image), ${totalOf(summary.fixed)} fixed (only in the comparison image), ${summary.unchanged} in both`,
    '',
    `  ${'severity'.padEnd(12)}${'introduced'.padStart(10)}${'fixed'.padStart(8)}`,
    ...SEVERITY_LEVELS.map((level) => `  ${severityWord(level).padEnd(12)}${String(summary.introduced[level]).padStart(10)}${String(summary.fixed[level]).padStart(8)}`),
  ];
  const width = Math.max(0, ...[...introduced, ...fixed].map((change) => change.id.length));
  for (const level of SEVERITY_LEVELS) {
    const here = [...introduced.filter((c) => c.severity === level).map((c) => ['+', c] as const), ...fixed.filter((c) => c.severity === level).map((c) => ['-', c] as const)];
    if (here.length === 0) continue;
    lines.push('', `  ${paint(severityWord(level), level, options.color)}`);
    for (const [marker, change] of here) lines.push(vulnerabilityLine(marker, change, width));
  }
  const suppressed = comparison.image.suppressed + comparison.other.suppressed;
  if (suppressed > 0) lines.push('', `  ${plural(suppressed, 'suppressed finding')} left out (${comparison.image.suppressed} in ${comparison.image.name}, ${comparison.other.suppressed} in ${comparison.other.name})`);
  return lines;
}

export function renderCompareText(comparison: Comparison, options: CompareRenderOptions): string {
  const lines = [
    bold('## Overview', options.color), '', ...overviewText(comparison, options), '',
    `  Database: ${databaseAge(comparison.database)}`, '', '',
    bold('## Packages', options.color), '', ...packageSummaryText(comparison), '', ...packageRowsText(listed(comparison, options)), '', '',
    bold('## Vulnerabilities', options.color), '', ...vulnerabilitiesText(comparison, options),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}

// ---- markdown ----

const code = (text: string) => `\`${text.replace(/`/g, 'ˋ')}\``;
const cellText = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
const countsText = (counts: SeverityCounts, levels: readonly SeverityLevel[]) => levels.map((level) => `${counts[level]}${SEVERITY_LETTER[level]}`).join(' ');

export function renderCompareMarkdown(comparison: Comparison, options: CompareRenderOptions): string {
  const { image, other, summary } = comparison;
  const levels = shownLevels(comparison);
  const digest = (side: ComparedImage) => (side.manifestDigest ?? side.configDigest ? code((side.manifestDigest ?? side.configDigest)!) : '');
  const deltaText = levels.filter((level) => summary.vulnerabilities.delta[level] !== 0).map((level) => `${signed(summary.vulnerabilities.delta[level])}${SEVERITY_LETTER[level]}`).join(' ');
  const rows: [string, string, string][] = [
    ['Target', code(image.name), code(other.name)],
    ['Digest', digest(image), digest(other)],
    ['Platform', image.platform ? code(image.platform) : '', other.platform ? code(other.platform) : ''],
    ['OS', cellText(osText(image) ?? ''), cellText(osText(other) ?? '')],
    ['Vulnerabilities', `${countsText(image.vulnerabilities, levels)}${deltaText ? ` (${deltaText})` : ''}`, countsText(other.vulnerabilities, levels)],
    ['Size', image.size !== undefined ? `${humanSize(image.size)}${comparison.sizeDelta ? ` (${signed(comparison.sizeDelta, humanSize(Math.abs(comparison.sizeDelta)))})` : ''}` : 'unknown', other.size !== undefined ? humanSize(other.size) : 'unknown'],
    ['Packages', `${image.packages}${image.packages !== other.packages ? ` (${signed(image.packages - other.packages)})` : ''}`, String(other.packages)],
    ['Base image', image.baseImage ? code(image.baseImage.name) : 'unknown', other.baseImage ? code(other.baseImage.name) : 'unknown'],
  ];
  const lines = [
    `## Comparison of ${code(image.name)} with ${code(other.name)}`, '',
    '| | Analyzed image | Comparison image |', '|---|---|---|',
    ...rows.filter(([, a, b]) => a !== '' || b !== '').map(([label, a, b]) => `| ${label} | ${a} | ${b} |`), '',
    `Database: ${cellText(databaseAge(comparison.database))}`, '',
    '### Packages', '',
    (['added', 'removed', 'upgraded', 'downgraded', 'changed', 'unchanged'] as const).filter((kind) => kind !== 'changed' || summary.packages.changed > 0)
      .map((kind) => `${summary.packages[kind]} ${kind}`).join(', '), '',
  ];
  const changes = listed(comparison, options);
  if (changes.length > 0) {
    lines.push('<details>', `<summary>${plural(changes.length, 'package')}</summary>`, '', '| | Package | Type | Version | Compared version | Vulnerabilities |', '|---|---|---|---|---|---|');
    const name = packageNamer(changes);
    for (const change of changes) {
      const marker = change.change === 'unchanged' ? '' : CHANGE_MARKER[change.change];
      lines.push(`| ${marker} | ${cellText(name(change))} | ${change.type} | ${change.version ? code(change.version) : ''} | ${change.otherVersion ? code(change.otherVersion) : ''} | ${countsChange(change.introduced, change.fixed)} |`);
    }
    lines.push('', '</details>', '');
  }
  lines.push('### Vulnerabilities', '', '| Severity | Introduced | Fixed |', '|---|---:|---:|',
    ...SEVERITY_LEVELS.map((level) => `| ${severityWord(level)} | ${summary.vulnerabilities.introduced[level]} | ${summary.vulnerabilities.fixed[level]} |`), '',
    `${summary.vulnerabilities.unchanged} in both images.`, '');
  for (const [title, list] of [['Introduced', comparison.vulnerabilities.introduced], ['Fixed', comparison.vulnerabilities.fixed]] as const) {
    if (list.length === 0) continue;
    lines.push('<details>', `<summary>${title}: ${list.length}</summary>`, '', '| Severity | Vulnerability | Package | Version | Fixed version |', '|---|---|---|---|---|');
    for (const change of list) {
      lines.push(`| ${severityWord(change.severity)} | [${cellText(change.id)}](${advisoryUrl(change.id)}) | ${cellText(change.package.name)} | ${change.package.versions.map(code).join(', ')} | ${change.fixedVersion ? code(change.fixedVersion) : 'not fixed'} |`);
    }
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

// ---- json ----

/** The Comparison as it is (docs/compare.md), without unchanged packages under --ignore-unchanged. */
export function renderCompareJson(comparison: Comparison, options: CompareRenderOptions): string {
  return `${JSON.stringify({ ...comparison, packages: listed(comparison, options) }, null, 2)}\n`;
}
