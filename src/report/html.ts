// `--format html`: one standalone HTML5 page laid out as the dashboard's image details (docs/cves.md):
// header, quickview, severity distribution (an inline SVG bar), layers, packages, vulnerabilities.
// Nothing is loaded when it opens: the CSS is inline, there is no script, font or image file, and a
// Content-Security-Policy forbids fetching anything; the only URLs are the advisory links. Every
// value is escaped. The markup is also well-formed XML (void elements self-closed), so a test can
// check it with an XML validator.
import { SEVERITY_LEVELS, type Finding, type SeverityLevel, type VulnerabilityReport } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import { advisoryUrl } from './advisory-links.ts';
import { countFindings, totalOf, type SeverityCounts } from './counts.ts';
import { packageIndex, packageOf, summaryOf, suppressionText } from './finding-facts.ts';
import { epssPercentileText, epssScoreText, fixedVersionText, kevText, scoreText } from './finding-text.ts';
import { introducedLayer } from './json.ts';
import type { RenderOptions } from './options.ts';
import { compareFindings, compareText, levelOf } from './order.ts';
import type { RecommendedRow } from './quickview.ts';
import { databaseAge, SEVERITY_LETTER, shortDigest, utcMinute } from './table.ts';

/** What the quickview block shows beyond the report: the base image's counts and recommended bases. */
export interface HtmlQuickview {
  base?: { counts?: SeverityCounts; packages?: number };
  refreshed?: RecommendedRow;
  updated?: RecommendedRow;
}

const SEVERITY_NAME: Readonly<Record<SeverityLevel, string>> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', unspecified: 'Unspecified' };

// Background and text of each severity; every pair has a contrast ratio of at least 4.5:1 (WCAG AA).
const SEVERITY_COLOUR: Readonly<Record<SeverityLevel, readonly [string, string]>> = {
  critical: ['#9f1239', '#ffffff'], high: ['#c2410c', '#ffffff'], medium: ['#facc15', '#1c1917'],
  low: ['#1d4ed8', '#ffffff'], unspecified: ['#6b7280', '#ffffff'],
};

export function renderHtml(report: VulnerabilityReport, options: RenderOptions, quickview: HtmlQuickview = {}): string {
  const { target } = report;
  const name = target.names[0] ?? target.input;
  const counts = countFindings(report.findings);
  const packages = packageIndex(report);
  const shown = report.findings.filter((finding) => options.showSuppressed || !finding.suppressed);
  const pkgName = (finding: Finding) => packageOf(packages, finding).name;
  const findings = [...shown].sort((a, b) => compareFindings(a, b) || compareText(pkgName(a), pkgName(b)) || compareText(a.packageId, b.packageId));
  const layerIndex = new Map(target.layers.map((layer, i) => [layer.diffId, i + 1]));

  const body = [
    header(report, name),
    filtersSection(report, options),
    quickviewSection(report, name, counts, quickview),
    distributionSection(counts),
    layersSection(report, layerIndex),
    packagesSection(report, layerIndex),
    vulnerabilitiesSection(findings, packages, layerIndex, options),
    `<footer><p>Made by ${esc(report.tool.name)} ${esc(report.tool.version)} on ${esc(utcMinute(report.createdAt))}.</p></footer>`,
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    // The page fetches nothing, so nothing can be injected that would.
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:" />',
    `<title>Vulnerabilities in ${esc(name)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(report: VulnerabilityReport, name: string): string {
  const { target } = report;
  const digest = target.manifestDigest ?? target.configDigest;
  const fields: [string, string][] = [];
  if (target.input !== name) fields.push(['Input', code(target.input)]);
  if (digest) fields.push(['Digest', code(digest)]);
  if (target.platform) fields.push(['Platform', code(target.platform)]);
  if (report.distro) {
    const eol = report.distro.endOfLife?.ended ? ' <strong>(end of life)</strong>' : '';
    fields.push(['Distribution', `${esc(report.distro.prettyName ?? [report.distro.id, report.distro.versionId].filter(Boolean).join(' '))}${eol}`]);
  }
  fields.push(['Generated', time(report.createdAt)]);
  if (report.database.builtAt) fields.push(['Database', `schema ${esc(String(report.database.schemaVersion))}, ${esc(databaseAge(report.database))}`]);
  const warnings = report.warnings.length === 0 ? '' : `\n<div class="warnings" role="note"><h2>Warnings</h2><ul>${report.warnings.map((warning) => `<li>${esc(warning)}</li>`).join('')}</ul></div>`;
  return `<header>\n<h1>Vulnerabilities in <span class="name">${esc(name)}</span></h1>\n${definitions(fields)}${warnings}\n</header>`;
}

function filtersSection(report: VulnerabilityReport, options: RenderOptions): string {
  const filters = options.filters ?? [];
  const suppressed = report.findings.filter((finding) => finding.suppressed).length;
  const lines = [filters.length === 0
    ? '<p>No filters: every vulnerability found is listed.</p>'
    : `<p>Filters applied: ${filters.map((filter) => code(filter)).join(' ')}. The counts and the vulnerabilities cover only what they let through; layers and packages are the whole image&#39;s.</p>`];
  if (suppressed > 0) {
    lines.push(`<p>${suppressed} suppressed ${suppressed === 1 ? 'vulnerability' : 'vulnerabilities'} (VEX or ignore file) ${options.showSuppressed ? 'listed and marked, not counted' : 'neither listed nor counted'}.</p>`);
  }
  return section('filters', 'Filters', lines.join('\n'));
}

function quickviewSection(report: VulnerabilityReport, name: string, counts: SeverityCounts, extra: HtmlQuickview): string {
  const rows = [quickviewRow('Your image', name, `${report.packages.length} packages`, counts)];
  if (report.baseImage) {
    const packages = extra.base?.packages !== undefined ? `${extra.base.packages} packages` : report.baseImage.digest ? shortDigest(report.baseImage.digest) : '';
    rows.push(quickviewRow('Base image', report.baseImage.name, packages, extra.base?.counts));
  }
  for (const [label, row] of [['Refreshed base image', extra.refreshed], ['Updated base image', extra.updated]] as const) {
    if (row) rows.push(quickviewRow(label, row.name, row.digest ? shortDigest(row.digest) : '', row.counts, row.delta));
  }
  const table = `<div class="scroll"><table class="quickview">\n<caption>Your image and its base image, vulnerabilities by severity</caption>\n`
    + `<thead><tr><th scope="col">Image</th><th scope="col">Name</th><th scope="col">Vulnerabilities</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
  const note = report.baseImage ? '' : '\n<p>The base image is unknown.</p>';
  return section('quickview', 'Overview', table + note);
}

function quickviewRow(label: string, name: string, detail: string, counts?: SeverityCounts, delta?: SeverityCounts): string {
  const cell = counts ? badges(counts) : '<span class="muted">unknown</span>';
  const change = delta ? `<div class="delta">${deltaText(delta)}</div>` : '';
  const sub = detail ? `<div class="muted">${esc(detail)}</div>` : '';
  return `<tr><th scope="row">${esc(label)}</th><td>${code(name)}${sub}</td><td>${cell}${change}</td></tr>`;
}

/** C/H/M/L/U badges; the U badge only when there are unspecified findings, as every format shows them. */
function badges(counts: SeverityCounts): string {
  const levels = SEVERITY_LEVELS.filter((level) => level !== 'unspecified' || counts.unspecified > 0);
  return `<span class="badges">${levels.map((level) => badge(level, `${counts[level]}${SEVERITY_LETTER[level]}`, `${counts[level]} ${SEVERITY_NAME[level].toLowerCase()}`, counts[level])).join('')}</span>`;
}

/** A severity badge; a count badge carries its number (`data-count`) and is dimmed at zero. */
function badge(level: SeverityLevel, text: string, label: string, count?: number): string {
  const data = count === undefined ? '' : ` data-level="${level}" data-count="${count}"`;
  return `<span class="badge sev-${level}${count === 0 ? ' zero' : ''}" title="${esc(label)}"${data}>${esc(text)}</span>`;
}

/** `−9C +6M`: the change per severity against the base image, nothing where it did not change. */
function deltaText(delta: SeverityCounts): string {
  const parts = SEVERITY_LEVELS.filter((level) => delta[level] !== 0).map((level) => `${delta[level] > 0 ? '+' : '−'}${Math.abs(delta[level])}${SEVERITY_LETTER[level]}`);
  return parts.length === 0 ? 'no change' : esc(parts.join(' '));
}

function distributionSection(counts: SeverityCounts): string {
  const total = totalOf(counts);
  const width = 600;
  const height = 28;
  let x = 0;
  const bars: string[] = [];
  for (const level of SEVERITY_LEVELS) {
    if (counts[level] === 0 || total === 0) continue;
    const w = (counts[level] / total) * width;
    bars.push(`<rect x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="${height}" fill="${SEVERITY_COLOUR[level][0]}"><title>${SEVERITY_NAME[level]}: ${counts[level]}</title></rect>`);
    x += w;
  }
  if (bars.length === 0) bars.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#e5e7eb"><title>No vulnerabilities</title></rect>`);
  const label = `${total} vulnerabilities: ${SEVERITY_LEVELS.map((level) => `${counts[level]} ${SEVERITY_NAME[level].toLowerCase()}`).join(', ')}`;
  const svg = `<svg class="bar" role="img" aria-label="${esc(label)}" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none">${bars.join('')}</svg>`;
  const legend = `<ul class="legend">${SEVERITY_LEVELS.map((level) => `<li><span class="swatch sev-${level}" aria-hidden="true"></span>${SEVERITY_NAME[level]}: <strong data-level="${level}">${counts[level]}</strong></li>`).join('')}<li>Total: <strong data-level="total">${total}</strong></li></ul>`;
  return section('distribution', 'Severity distribution', svg + legend);
}

function layersSection(report: VulnerabilityReport, layerIndex: ReadonlyMap<string, number>): string {
  const { layers } = report.target;
  if (layers.length === 0) return section('layers', 'Layers', '<p>The input has no layers (an SBOM).</p>');
  const added = new Map<string, number>();
  for (const pkg of report.packages) {
    const diffId = introducedLayer(pkg);
    if (diffId !== undefined) added.set(diffId, (added.get(diffId) ?? 0) + 1);
  }
  const rows = layers.map((layer) => `<tr><td class="num">${layerIndex.get(layer.diffId)}</td>`
    + `<td>${layer.createdBy ? `<code class="command">${esc(layer.createdBy)}</code>` : '<span class="muted">no history</span>'}</td>`
    + `<td class="num">${added.get(layer.diffId) ?? 0}</td><td class="num">${esc(size(layer.size))}</td>`
    + `<td><code title="${esc(layer.diffId)}">${esc(shortDigest(layer.diffId))}</code></td></tr>`);
  return section('layers', `Layers (${layers.length})`, table('Layers, bottom first: the command that made each and the packages it added',
    ['#', 'Command', 'Packages added', 'Size', 'Diff id'], rows));
}

function packagesSection(report: VulnerabilityReport, layerIndex: ReadonlyMap<string, number>): string {
  const sorted = [...report.packages].sort((a, b) => compareText(a.name, b.name) || compareText(a.version, b.version) || compareText(a.id, b.id));
  const rows = sorted.map((pkg) => `<tr><td>${esc(pkg.name)}</td><td><code>${esc(pkg.version)}</code></td><td>${esc(pkg.type)}</td><td>${layerCell(pkg, layerIndex)}</td></tr>`);
  if (rows.length === 0) return section('packages', 'Packages (0)', '<p>No package found.</p>');
  return section('packages', `Packages (${sorted.length})`, table('Every package found, by name', ['Name', 'Version', 'Type', 'Layer'], rows));
}

function layerCell(pkg: Package, layerIndex: ReadonlyMap<string, number>): string {
  const diffId = introducedLayer(pkg);
  if (diffId === undefined) return '<span class="muted">–</span>';
  const n = layerIndex.get(diffId);
  return `<span title="${esc(diffId)}">${n === undefined ? esc(shortDigest(diffId)) : n}</span>`;
}

function vulnerabilitiesSection(findings: readonly Finding[], packages: ReturnType<typeof packageIndex>, layerIndex: ReadonlyMap<string, number>, options: RenderOptions): string {
  const title = `Vulnerabilities (${findings.length})`;
  if (findings.length === 0) return section('vulnerabilities', title, '<p>No vulnerability listed.</p>');
  const rows = findings.map((finding) => {
    const pkg = packageOf(packages, finding);
    const level = levelOf(finding);
    const summary = options.details ? summaryOf(finding)?.split('\n')[0] : undefined;
    const notes = [
      finding.aliases.length > 0 ? `<div class="muted">${esc(finding.aliases.join(', '))}</div>` : '',
      summary ? `<div class="summary">${esc(summary)}</div>` : '',
      finding.suppressed ? `<div class="suppressed">${esc(suppressionText(finding.suppressed))}</div>` : '',
    ].join('');
    const cvss = finding.rating?.cvss;
    const fixed = fixedVersionText(finding);
    return `<tr class="sev-row-${level}${finding.suppressed ? ' is-suppressed' : ''}" data-id="${esc(finding.id)}">`
      + `<th scope="row"><a href="${esc(advisoryUrl(finding.id))}">${esc(finding.id)}</a>${notes}</th>`
      + `<td>${badge(level, SEVERITY_NAME[level], SEVERITY_NAME[level])}</td>`
      + `<td class="num">${cvss ? `<span title="${esc(`${cvss.vector} (${cvss.by})`)}">${scoreText(cvss.score)}</span>` : '<span class="muted">–</span>'}</td>`
      + `<td class="num">${finding.epss ? `${esc(epssScoreText(finding.epss))}<div class="muted">${esc(epssPercentileText(finding.epss))}</div>` : '<span class="muted">–</span>'}</td>`
      + `<td>${finding.kev ? `<strong class="kev" title="${esc(kevText(finding.kev))}">KEV</strong>` : '<span class="muted">–</span>'}</td>`
      + `<td><code>${esc(pkg.version)}</code> → ${finding.status === 'fixed' ? `<code>${esc(fixed)}</code>` : `<span class="muted">${esc(fixed)}</span>`}</td>`
      + `<td>${esc(pkg.name)}<div class="muted">${esc(pkg.type)}</div></td>`
      + `<td>${layerCell(pkg, layerIndex)}</td></tr>`;
  });
  return section('vulnerabilities', title, table('Vulnerabilities, most severe first; each id links to its advisory',
    ['Vulnerability', 'Severity', 'CVSS', 'EPSS', 'KEV', 'Installed → fixed', 'Package', 'Layer'], rows));
}

function section(id: string, title: string, content: string): string {
  return `<section id="${id}" aria-labelledby="${id}-title">\n<h2 id="${id}-title">${esc(title)}</h2>\n${content}\n</section>`;
}

function table(caption: string, headings: readonly string[], rows: readonly string[]): string {
  return `<div class="scroll"><table>\n<caption>${esc(caption)}</caption>\n<thead><tr>${headings.map((heading) => `<th scope="col">${esc(heading)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

function definitions(fields: readonly (readonly [string, string])[]): string {
  return `<dl>${fields.map(([label, value]) => `<dt>${esc(label)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

function code(value: string): string {
  return `<code>${esc(value)}</code>`;
}

function time(iso: string): string {
  return `<time datetime="${esc(iso)}">${esc(utcMinute(iso))}</time>`;
}

/** `1.2 MB`, `512 B`. */
function size(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Text and attribute values: the five characters that could end or open markup escaped. */
export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c]!);
}

const CSS = `
:root{color-scheme:light;--fg:#1c1917;--muted:#57534e;--line:#d6d3d1;--bg:#ffffff;--head:#f5f5f4}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1200px;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
code.command{white-space:pre-wrap}
.muted{color:var(--muted);font-size:.85em}
.warnings{border:1px solid #b45309;background:#fffbeb;padding:.25rem 1rem;margin:.5rem 0}
.warnings h2{border:0;margin:.5rem 0 0;font-size:1rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
caption{text-align:left;color:var(--muted);padding:.25rem 0;font-size:.85em}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
thead th{background:var(--head);position:sticky;top:0}
tbody th{font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
a{color:#1d4ed8}a:focus{outline:2px solid #1d4ed8;outline-offset:2px}
.badges{display:inline-flex;gap:.25rem;flex-wrap:wrap}
.badge{display:inline-block;min-width:2.6em;padding:.1rem .4rem;border-radius:.25rem;font-weight:700;font-size:.85em;text-align:center}
.sev-critical{background:${SEVERITY_COLOUR.critical[0]};color:${SEVERITY_COLOUR.critical[1]}}
.sev-high{background:${SEVERITY_COLOUR.high[0]};color:${SEVERITY_COLOUR.high[1]}}
.sev-medium{background:${SEVERITY_COLOUR.medium[0]};color:${SEVERITY_COLOUR.medium[1]}}
.sev-low{background:${SEVERITY_COLOUR.low[0]};color:${SEVERITY_COLOUR.low[1]}}
.sev-unspecified{background:${SEVERITY_COLOUR.unspecified[0]};color:${SEVERITY_COLOUR.unspecified[1]}}
.badge.zero{background:#e7e5e4;color:#44403c}
.delta{font-size:.85em;margin-top:.2rem}
svg.bar{display:block;width:100%;height:28px;border:1px solid var(--line)}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.5rem 0}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.35em;vertical-align:-.1em;border-radius:2px}
.kev{color:#9f1239}
.is-suppressed{text-decoration:line-through;color:var(--muted)}
.suppressed{font-size:.85em;color:var(--muted)}
.summary{font-weight:400;font-size:.85em}
footer{margin:2rem 0 1rem;color:var(--muted);font-size:.85em}
@media (max-width:700px){main{padding:.5rem}dl{grid-template-columns:1fr}th,td{padding:.3rem}}
@media print{thead th{position:static}a{color:inherit}}
`.trim();
