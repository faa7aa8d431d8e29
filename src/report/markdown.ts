// `--format markdown`: a pull-request comment (GitHub-flavoured Markdown). An overview table, then one
// collapsed `<details>` section per vulnerable package, most severe first, each with a table of its
// vulnerabilities linked to their advisories.
import { SEVERITY_LEVELS, type Finding, type VulnerabilityReport } from '../core/finding.ts';
import { countFindings, totalOf } from './counts.ts';
import { advisoryUrl } from './advisory-links.ts';
import { suppressionText } from './finding-facts.ts';
import { epssPercentileText, epssScoreText, fixedVersionText, kevText, scoreText } from './finding-text.ts';
import { groupByPackage, layerNumber, type PackageGroup } from './groups.ts';
import type { RenderOptions } from './options.ts';
import { levelOf } from './order.ts';
import { databaseAge, SEVERITY_LETTER, severityWord } from './table.ts';

export function renderMarkdown(report: VulnerabilityReport, options: RenderOptions): string {
  const { target } = report;
  const name = target.names[0] ?? target.input;
  const groups = groupByPackage(report, options.showSuppressed);
  const counts = countFindings(report.findings);
  const vulnerable = groups.filter((group) => totalOf(group.counts) > 0).length;
  const digest = target.manifestDigest ?? target.configDigest;

  const lines = [`## Vulnerabilities in ${code(name)}`, ''];
  if (report.warnings.length > 0) lines.push('> [!WARNING]', ...report.warnings.map((warning) => `> ${text(warning)}`), '');
  const overview: [string, string][] = [['Target', code(name)]];
  if (digest) overview.push(['Digest', code(digest)]);
  if (target.platform) overview.push(['Platform', code(target.platform)]);
  if (report.distro) overview.push(['OS', text(report.distro.prettyName ?? report.distro.id)]);
  if (report.baseImage) overview.push(['Base image', code(report.baseImage.name)]);
  overview.push(
    ['Vulnerabilities', SEVERITY_LEVELS.map((level) => `${counts[level]}${SEVERITY_LETTER[level]}`).join(' ')],
    ['Packages', `${vulnerable} vulnerable of ${report.packages.length}`],
    ['Database', text(databaseAge(report.database))],
  );
  lines.push('| | |', '|---|---|', ...overview.map(([label, value]) => `| ${label} | ${value} |`), '');
  const suppressed = report.findings.filter((finding) => finding.suppressed).length;
  if (suppressed > 0) lines.push(`${suppressed} suppressed ${suppressed === 1 ? 'vulnerability' : 'vulnerabilities'} ${options.showSuppressed ? 'shown, not counted' : 'not shown'}.`, '');

  if (groups.length === 0) lines.push('No vulnerable package detected.', '');
  for (const group of groups) lines.push(...packageSection(report, group, options), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

function packageSection(report: VulnerabilityReport, group: PackageGroup, options: RenderOptions): string[] {
  const pkg = group.pkg;
  const counts = SEVERITY_LEVELS.filter((level) => level !== 'unspecified' || group.counts.unspecified > 0)
    .map((level) => `${group.counts[level]}${SEVERITY_LETTER[level]}`).join(' ');
  const lines = ['<details>', `<summary>${counts} <b>${html(pkg.name)}</b> <code>${html(pkg.version)}</code></summary>`, '', code(pkg.purl), ''];
  if (options.locations) {
    for (const location of pkg.locations) {
      const n = layerNumber(report, location.layerDiffId);
      lines.push(`- ${code(location.path)}, layer ${n ?? '?'} of ${report.target.layers.length} (${code(location.layerDiffId)})`);
    }
    lines.push('');
  }
  const header = ['Severity', 'Vulnerability', 'CVSS', 'Affected range', 'Fixed version'];
  if (options.epss) header.push('EPSS');
  if (options.details) header.push('Matched');
  lines.push(`| ${header.join(' | ')} |`, `|${header.map((h) => (h === 'CVSS' || h === 'EPSS' ? '---:' : '---')).join('|')}|`);
  for (const finding of group.findings) lines.push(`| ${row(finding, options).join(' | ')} |`);
  lines.push('', '</details>');
  return lines;
}

function row(finding: Finding, options: RenderOptions): string[] {
  const notes = [
    finding.kev ? `**KEV** (${text(kevText(finding.kev))})` : '',
    finding.suppressed ? `_${text(suppressionText(finding.suppressed))}_` : '',
  ].filter(Boolean);
  const cells = [
    finding.suppressed ? `~~${severityWord(levelOf(finding))}~~` : severityWord(levelOf(finding)),
    [`[${text(finding.id)}](${advisoryUrl(finding.id)})`, ...notes].join('<br>'),
    finding.rating?.cvss ? scoreText(finding.rating.cvss.score) : '',
    code(finding.affectedRange),
    finding.status === 'fixed' ? code(fixedVersionText(finding)) : text(fixedVersionText(finding)),
  ];
  if (options.epss) cells.push(finding.epss ? `${epssScoreText(finding.epss)} (${epssPercentileText(finding.epss)})` : '');
  if (options.details) {
    cells.push(finding.matches.map((match) => `${text(match.source)} ${text(match.advisoryId)} (${text(match.rule)}): ${code(match.comparison)}`).join('<br>'));
  }
  return cells;
}

/** Text in a table cell: the characters that would end the cell, open a tag or strike through escaped. */
function text(value: string): string {
  return value.replace(/[\\|*_~`[\]]/g, (c) => `\\${c}`).replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

/** A code span (versions, ranges, purls, digests); only `|` needs escaping inside a table. */
function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  return `${fence}${value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}${fence}`;
}

function html(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
