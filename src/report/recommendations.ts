// `spyglass recommendations` output: the current base image with its figures, then the refreshed and
// updated base images (and the other variants) with their counts and the change against the base, as
// `docker scout recommendations` lays them out; or a Markdown comment, or JSON. Pure functions.
import type { DetectionMethod, Recommendation } from '../baseimage/model.ts';
import { SEVERITY_LEVELS, type SeverityLevel, type VulnerabilityReport } from '../core/finding.ts';
import { humanSize } from './compare.ts';
import type { SeverityCounts } from './counts.ts';
import { formatDelta } from './quickview.ts';
import { bold, databaseAge, formatCounts, humanAge, SEVERITY_LETTER, shortDigest, wrap } from './table.ts';

export const RECOMMENDATIONS_FORMATS = ['text', 'json', 'markdown'] as const;
export type RecommendationsFormat = (typeof RECOMMENDATIONS_FORMATS)[number];

export interface RecommendationsView {
  target: { name: string; digest?: string; platform?: string; counts: SeverityCounts; packages: number };
  /** The detected base; absent when none was found (`notes` says why). */
  base?: {
    name: string;
    digest?: string;
    method: DetectionMethod;
    evidence: string[];
    counts?: SeverityCounts;
    size?: number;
    created?: string;
    packages?: number;
  };
  recommendations: Recommendation[];
  /** Which sections to show (`--only-refresh`, `--only-update`). */
  sections: { refresh: boolean; update: boolean };
  /** Why a section is empty: shown in its place. */
  emptyRefresh: string;
  emptyUpdate: string;
  /** Why there are no recommendations at all, and how to get some. */
  notes: string[];
  database: VulnerabilityReport['database'];
  warnings: string[];
}

export function renderRecommendations(view: RecommendationsView, format: RecommendationsFormat, options: { color?: boolean; now?: Date; details?: boolean } = {}): string {
  switch (format) {
    case 'text': return renderRecommendationsText(view, options);
    case 'markdown': return renderRecommendationsMarkdown(view, options.now ?? new Date());
    case 'json': return renderRecommendationsJson(view);
  }
}

function shown(view: RecommendationsView): Recommendation[] {
  return view.recommendations.filter((r) => (r.kind === 'refreshed' ? view.sections.refresh : view.sections.update));
}

/** `+N` / `-N`, or `0`. */
function signed(value: number, text = String(Math.abs(value))): string {
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : text;
}

function day(iso: string | undefined): string {
  const time = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(time) ? '' : new Date(time).toISOString().slice(0, 10);
}

function ago(iso: string | undefined, now: Date): string {
  const time = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(time) ? '' : `${humanAge(Math.max(0, now.getTime() - time) / 3_600_000)} ago`;
}

function sizeText(size: number | undefined, delta: number | undefined): string {
  if (size === undefined) return '';
  return `${humanSize(size)}${delta === undefined ? '' : delta === 0 ? ' (same)' : ` (${signed(delta, humanSize(Math.abs(delta)))})`}`;
}

function packagesText(packages: number | undefined, current: number | undefined): string {
  if (packages === undefined) return '';
  const change = current === undefined ? '' : packages === current ? ' (same)' : ` (${signed(packages - current)})`;
  return `${packages}${change}`;
}

// ---- text ----

const SECTION_TITLES: Readonly<Record<Recommendation['kind'], [string, string]>> = {
  refreshed: ['Refreshed base image', 'Rebuild the image on the newest digest of the same tag.'],
  updated: ['Updated base image', 'Change the base to another tag of the same repository and variant (the rule: docs/base-images.md).'],
  alternative: ['Alternatives', 'The best tag of each other variant of the repository.'],
};

export function renderRecommendationsText(view: RecommendationsView, options: { color?: boolean; now?: Date; details?: boolean } = {}): string {
  const now = options.now ?? new Date();
  const lines = [`${bold('Recommended fixes for image', options.color)}  ${view.target.name}`, '', ...overviewText(view, options.color, now), ''];
  // `--details`: the evidence detection went by (JSON always carries it).
  if (options.details === true && view.base !== undefined && view.base.evidence.length > 0) {
    lines.push(`  Base image detected by ${view.base.method}:`);
    for (const line of view.base.evidence) lines.push(...wrap(`- ${line}`, '    '));
    lines.push('');
  }
  for (const warning of view.warnings) lines.push(`  ! ${warning}`);
  if (view.warnings.length > 0) lines.push('');
  for (const note of view.notes) lines.push(...wrap(note, '  '), '');
  if (view.base !== undefined) {
    const recommendations = shown(view);
    const kinds: Recommendation['kind'][] = [...(view.sections.refresh ? ['refreshed' as const] : []), ...(view.sections.update ? ['updated' as const, 'alternative' as const] : [])];
    for (const kind of kinds) {
      const here = recommendations.filter((r) => r.kind === kind);
      if (kind === 'alternative' && here.length === 0) continue;
      const [title, line] = SECTION_TITLES[kind];
      lines.push(bold(title, options.color), `  ${line}`, '');
      if (here.length === 0) lines.push(`  ${kind === 'refreshed' ? view.emptyRefresh : view.emptyUpdate}`);
      else lines.push(...recommendationTable(here, view, options.color, now));
      lines.push('');
    }
  }
  lines.push(`  Vulnerability database: ${databaseAge(view.database)}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

function overviewText(view: RecommendationsView, color: boolean | undefined, now: Date): string[] {
  const rows: [string, string, string][] = [['  Target', view.target.name, formatCounts(view.target.counts, color)]];
  if (view.target.digest) rows.push(['    digest', shortDigest(view.target.digest), '']);
  if (view.target.platform) rows.push(['    platform', view.target.platform, '']);
  const base = view.base;
  if (base === undefined) rows.push(['  Base image', 'unknown', '']);
  else {
    rows.push(['  Base image', base.name, base.counts ? formatCounts(base.counts, color) : '']);
    if (base.digest) rows.push(['    digest', shortDigest(base.digest), '']);
    rows.push(['    detected by', base.method, '']);
    if (base.created) rows.push(['    created', `${day(base.created)} (${ago(base.created, now)})`, '']);
    if (base.size !== undefined) rows.push(['    size', humanSize(base.size), '']);
    if (base.packages !== undefined) rows.push(['    packages', String(base.packages), '']);
  }
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 1;
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  return rows.map(([label, value, counts]) => `${label.padEnd(labelWidth)}│  ${value.padEnd(valueWidth)}  │${counts}`.trimEnd());
}

/** Scout's four columns: the tag, the details (digest, size, packages, why), when it was built, and the counts with their change. */
function recommendationTable(recommendations: readonly Recommendation[], view: RecommendationsView, color: boolean | undefined, now: Date): string[] {
  const rows = recommendations.map((r) => {
    const details = [
      ...(r.ref.digest ? [`digest ${shortDigest(r.ref.digest)}`] : []),
      ...(r.size !== undefined ? [`size ${sizeText(r.size, r.sizeDelta)}`] : []),
      ...(r.packages !== undefined ? [`packages ${packagesText(r.packages, view.base?.packages)}`] : []),
      ...wrap(r.reason, '', 44),
    ];
    const created = r.created ? [day(r.created), ago(r.created, now)] : ['unknown'];
    const counts = r.counts ? [formatCounts(r.counts, color), ...(r.delta ? [formatDelta(r.delta)] : [])] : ['not counted'];
    return { name: [` ${r.name}`], details, created, counts };
  });
  const width = (cells: string[][], header: string) => Math.max(header.length, ...cells.flat().map((cell) => cell.length)) + 1;
  const nameWidth = width(rows.map((row) => row.name), ' Tag');
  const detailsWidth = width(rows.map((row) => row.details), 'Details');
  const createdWidth = width(rows.map((row) => row.created), 'Created');
  const lines = [
    `  ${' Tag'.padEnd(nameWidth)}│ ${'Details'.padEnd(detailsWidth)}│ ${'Created'.padEnd(createdWidth)}│ Vulnerabilities`,
    `  ${'─'.repeat(nameWidth)}┼${'─'.repeat(detailsWidth + 1)}┼${'─'.repeat(createdWidth + 1)}┼${'─'.repeat(30)}`,
  ];
  rows.forEach((row, index) => {
    if (index > 0) lines.push(`  ${' '.repeat(nameWidth)}│ ${' '.repeat(detailsWidth)}│ ${' '.repeat(createdWidth)}│`);
    const height = Math.max(row.name.length, row.details.length, row.created.length, row.counts.length);
    for (let i = 0; i < height; i++) {
      lines.push(`  ${(row.name[i] ?? '').padEnd(nameWidth)}│ ${(row.details[i] ?? '').padEnd(detailsWidth)}│ ${(row.created[i] ?? '').padEnd(createdWidth)}│${row.counts[i] ?? ''}`.trimEnd());
    }
  });
  return lines;
}

// ---- markdown ----

const code = (text: string) => `\`${text.replace(/`/g, 'ˋ')}\``;
const cellText = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');

function countsText(counts: SeverityCounts | undefined): string {
  if (counts === undefined) return 'not counted';
  return SEVERITY_LEVELS.filter((level) => level !== 'unspecified' || counts.unspecified > 0).map((level) => `${counts[level]}${SEVERITY_LETTER[level]}`).join(' ');
}

function deltaText(delta: SeverityCounts | undefined): string {
  if (delta === undefined) return '';
  const changed = SEVERITY_LEVELS.filter((level: SeverityLevel) => delta[level] !== 0);
  return changed.length === 0 ? 'no change' : changed.map((level) => `${signed(delta[level])}${SEVERITY_LETTER[level]}`).join(' ');
}

const KIND_WORD: Readonly<Record<Recommendation['kind'], string>> = { refreshed: 'Refreshed', updated: 'Updated', alternative: 'Alternative' };

export function renderRecommendationsMarkdown(view: RecommendationsView, now: Date = new Date()): string {
  const lines = [`## Base image recommendations for ${code(view.target.name)}`, ''];
  if (view.warnings.length > 0) lines.push('> [!WARNING]', ...view.warnings.map((warning) => `> ${cellText(warning)}`), '');
  for (const note of view.notes) lines.push(cellText(note), '');
  const base = view.base;
  if (base !== undefined) {
    const recommendations = shown(view);
    lines.push('| | Image | Vulnerabilities | Change | Size | Created | Packages |', '|---|---|---|---|---|---|---|');
    lines.push(`| Base image (${base.method}) | ${code(base.name)} | ${countsText(base.counts)} | | ${sizeText(base.size, undefined)} | ${day(base.created)} | ${base.packages ?? ''} |`);
    for (const r of recommendations) {
      lines.push(`| ${KIND_WORD[r.kind]} | ${code(r.name)} | ${countsText(r.counts)} | ${deltaText(r.delta)} | ${sizeText(r.size, r.sizeDelta)} | ${day(r.created)} | ${packagesText(r.packages, base.packages)} |`);
    }
    lines.push('');
    if (view.sections.refresh && !recommendations.some((r) => r.kind === 'refreshed')) lines.push(`Refreshed: ${cellText(view.emptyRefresh)}`, '');
    if (view.sections.update && !recommendations.some((r) => r.kind === 'updated')) lines.push(`Updated: ${cellText(view.emptyUpdate)}`, '');
    for (const r of recommendations) lines.push(`- **${KIND_WORD[r.kind]}** ${code(`${r.name}${r.ref.digest ? `@${r.ref.digest}` : ''}`)}: ${cellText(r.reason)}${r.created ? ` (built ${ago(r.created, now)})` : ''}`);
    if (recommendations.length > 0) lines.push('');
  }
  lines.push(`Database: ${databaseAge(view.database)}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

// ---- json ----

/** `--format json`: the view's facts, recommendations limited to the sections asked for. */
export function renderRecommendationsJson(view: RecommendationsView): string {
  const document = {
    schemaVersion: 1,
    target: view.target,
    ...(view.base ? { base: view.base } : {}),
    recommendations: shown(view),
    notes: view.notes,
    database: view.database,
    warnings: view.warnings,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
