// The default `spyglass cves` output (`--format packages`), laid out as `docker scout cves` prints it:
// an overview table, the vulnerable packages most severe first, each with its purl and its
// vulnerabilities, and the totals. Plain text; ANSI colour only with options.color.
import { SEVERITY_LEVELS, type Finding, type VulnerabilityReport } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import { countFindings, totalOf } from './counts.ts';
import { advisoryUrl } from './advisory-links.ts';
import { summaryOf } from './finding-facts.ts';
import { epssPercentileText, epssScoreText, fixedVersionText, kevText, scoreText, suppressionStatusText } from './finding-text.ts';
import { groupByPackage, layerNumber, type PackageGroup } from './groups.ts';
import type { RenderOptions } from './options.ts';
import { levelOf } from './order.ts';
import { bold, databaseAge, fieldLines, formatCounts, paint, plural, severityWord, shortDigest, wrap } from './table.ts';

export function renderPackages(report: VulnerabilityReport, options: RenderOptions): string {
  const groups = groupByPackage(report, options.showSuppressed);
  const counts = countFindings(report.findings);
  const lines: string[] = [];
  for (const warning of report.warnings) lines.push(`    ! ${warning}`);
  if (report.warnings.length > 0) lines.push('');

  lines.push(bold('## Overview', options.color), '', ...overview(report, options), '', '');
  lines.push(bold('## Packages and Vulnerabilities', options.color), '');
  if (groups.length === 0) lines.push('  No vulnerable package detected', '');
  for (const group of groups) lines.push(...packageLines(report, group, options), '');

  const vulnerable = groups.filter((group) => totalOf(group.counts) > 0).length;
  if (totalOf(counts) > 0) {
    lines.push(`${plural(totalOf(counts), 'vulnerability', 'vulnerabilities')} found in ${plural(vulnerable, 'package')}`);
    const width = Math.max(...SEVERITY_LEVELS.map((level) => level.length)) + 2;
    for (const level of SEVERITY_LEVELS) lines.push(`  ${severityWord(level).padEnd(width)}${counts[level]}`);
  }
  const suppressed = report.findings.filter((finding) => finding.suppressed).length;
  if (suppressed > 0) {
    lines.push(options.showSuppressed
      ? `${plural(suppressed, 'suppressed vulnerability', 'suppressed vulnerabilities')} shown, not counted`
      : `${plural(suppressed, 'suppressed vulnerability', 'suppressed vulnerabilities')} not shown (--show-suppressed shows them)`);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function overview(report: VulnerabilityReport, options: RenderOptions): string[] {
  const { target } = report;
  const digest = target.manifestDigest ?? target.configDigest;
  // [label, what follows the bar]: values two spaces in, count cells (already right-aligned) as they are.
  const rows: [string, string][] = [['  Target', `  ${target.names[0] ?? target.input}`]];
  if (digest) rows.push(['    digest', `  ${shortDigest(digest)}`]);
  if (target.platform) rows.push(['    platform', `  ${target.platform}`]);
  if (report.distro) rows.push(['    os', `  ${report.distro.prettyName ?? [report.distro.id, report.distro.versionId].filter(Boolean).join(' ')}`]);
  rows.push(['    vulnerabilities', formatCounts(countFindings(report.findings), options.color)]);
  rows.push(['    packages', `  ${report.packages.length}`]);
  if (report.baseImage) {
    rows.push(['  Base image', `  ${report.baseImage.name}`]);
    if (report.baseImage.digest) rows.push(['    digest', `  ${shortDigest(report.baseImage.digest)}`]);
  }
  rows.push(['  Database', `  ${databaseAge(report.database)}`]);
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 1;
  const valueWidth = 30;
  return [
    `${' '.repeat(labelWidth)}│${'Analyzed Image'.padStart(21).padEnd(valueWidth)}`.trimEnd(),
    `${'─'.repeat(labelWidth)}┼${'─'.repeat(valueWidth)}`,
    ...rows.map(([label, value]) => `${label.padEnd(labelWidth)}│${value}`),
  ];
}

function packageLines(report: VulnerabilityReport, group: PackageGroup, options: RenderOptions): string[] {
  const pkg = group.pkg;
  const lines = [`${formatCounts(group.counts, options.color)}  ${bold(`${pkg.name} ${pkg.version}`, options.color)}`, pkg.purl, ''];
  if (options.locations) lines.push(...fieldLines(locationFields(report, pkg), '    '), '');
  for (const finding of group.findings) lines.push(...findingLines(finding, options), '');
  return lines;
}

/** Every metadata file with its layer, and the layer that first installed the package when another. */
function locationFields(report: VulnerabilityReport, pkg: Package): [string, string[]][] {
  const layer = (diffId: string) => {
    const n = layerNumber(report, diffId);
    return n === undefined ? diffId : `layer ${n} of ${report.target.layers.length}, ${diffId}`;
  };
  const fields: [string, string[]][] = [['Location', pkg.locations.map((location) => `${location.path} (${layer(location.layerDiffId)})`)]];
  if (pkg.introducedLayerDiffId && pkg.introducedLayerDiffId !== pkg.locations[0]?.layerDiffId) {
    fields.push(['Introduced in', [layer(pkg.introducedLayerDiffId)]]);
  }
  return fields;
}

function findingLines(finding: Finding, options: RenderOptions): string[] {
  const level = levelOf(finding);
  const tags = [finding.kev ? 'KEV' : '', finding.suppressed ? 'SUPPRESSED' : ''].filter(Boolean);
  const lines = [
    `    ${finding.suppressed ? '○' : '✗'} ${paint(severityWord(level), level, options.color)} ${finding.id}${tags.map((tag) => `  ${tag}`).join('')}`,
    `      ${advisoryUrl(finding.id)}`,
  ];
  const summary = options.details ? summaryOf(finding) : undefined;
  if (summary) lines.push('', ...wrap(summary, '      '), '');

  const fields: [string, string[]][] = [
    ['Affected range', [finding.affectedRange]],
    ['Fixed version', [fixedVersionText(finding)]],
  ];
  const cvss = finding.rating?.cvss;
  if (cvss) fields.push(['CVSS Score', [scoreText(cvss.score)]], ['CVSS Vector', [cvss.vector]]);
  if (finding.kev) fields.push(['CISA KEV', [kevText(finding.kev)]]);
  if (options.epss && finding.epss) fields.push(['EPSS Score', [epssScoreText(finding.epss)]], ['EPSS Percentile', [epssPercentileText(finding.epss)]]);
  if (finding.suppressed) fields.push(['Suppressed', [suppressionStatusText(finding.suppressed), finding.suppressed.origin]]);
  if (options.details) fields.push(...detailFields(finding));
  lines.push(...fieldLines(fields, '      '));
  return lines;
}

/** `--details`: the other ids, who the rating comes from, and every source record that matched. */
function detailFields(finding: Finding): [string, string[]][] {
  const fields: [string, string[]][] = [];
  if (finding.aliases.length > 0) fields.push(['Aliases', [finding.aliases.join(', ')]]);
  const rating = finding.rating;
  if (rating?.by) fields.push(['Severity from', [`${rating.by}${rating.rating ? ` (${rating.rating})` : ''}`]]);
  if (rating?.cvss) fields.push(['CVSS from', [`${rating.cvss.by} (CVSS ${rating.cvss.version})`]]);
  for (const match of finding.matches) {
    fields.push(['Matched', [
      `${match.source} ${match.advisoryId}: ${match.namespace} ${match.packageName} (${match.rule})`,
      match.comparison,
    ]]);
  }
  return fields;
}
