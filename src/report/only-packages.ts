// `--format only-packages`: one row per vulnerable package with its counts, in report order, as
// Scout's package table prints them.
import type { VulnerabilityReport } from '../core/finding.ts';
import { groupByPackage } from './groups.ts';
import type { RenderOptions } from './options.ts';
import { alignRows, formatCounts } from './table.ts';

export function renderOnlyPackages(report: VulnerabilityReport, options: RenderOptions): string {
  const groups = groupByPackage(report, options.showSuppressed);
  if (groups.length === 0) return 'No vulnerable package detected\n';
  const rows = [
    ['  Name', 'Version', 'Type', 'Vulnerabilities'],
    ...groups.map(({ pkg, counts }) => [`  ${pkg.name}`, pkg.version, pkg.type, formatCounts(counts)]),
  ];
  const [header, ...body] = alignRows(rows, '  ');
  const rule = '─'.repeat(Math.max(header.length, ...body.map((line) => line.length)));
  // Colour goes on after alignment: the counts are the last column, so nothing after them shifts.
  const shown = options.color ? body.map((line, i) => line.replace(formatCounts(groups[i].counts), formatCounts(groups[i].counts, true))) : body;
  return `${[header, rule, ...shown].join('\n')}\n`;
}
