// The text form of `spyglass db search`: one block per source's advisory, or one line per source's
// verdict on a package.
import type { Advisory, AffectedPackage, EpssEntry, KevEntry } from '../advisories/model.ts';
import type { AffectedRow } from '../advisories/store/store.ts';

export interface SearchResult {
  query: string;
  namespace?: string;
  advisories: Advisory[];
  packages: AffectedRow[];
  scores: { cve: string; kev?: KevEntry; epss?: EpssEntry }[];
}

function verdict(affected: AffectedPackage): string {
  const reason = affected.statusReason ? ` (${affected.statusReason})` : '';
  const fixed = affected.fixedVersions.length > 0 ? `, fixed in ${affected.fixedVersions.join(', ')}` : '';
  const urgency = affected.urgency ? `, urgency ${affected.urgency}` : '';
  const ranges = affected.ranges
    .map((range) => range.events.map((event) => Object.entries(event).map(([key, value]) => `${key} ${String(value)}`).join('')).join(', '))
    .filter((text) => text.length > 0);
  return `${affected.status}${reason}${fixed}${urgency}${ranges.length > 0 ? ` [${ranges.join('; ')}]` : ''}`;
}

export function formatSearch(result: SearchResult): string {
  const lines: string[] = [];
  for (const advisory of result.advisories) {
    lines.push(`${advisory.id} (${advisory.source})${advisory.aliases.length > 0 ? `  aliases: ${advisory.aliases.join(', ')}` : ''}`);
    if (advisory.summary) lines.push(`  ${advisory.summary}`);
    const dates = [
      advisory.published && `published ${advisory.published}`,
      advisory.modified && `modified ${advisory.modified}`,
      advisory.withdrawn && `WITHDRAWN ${advisory.withdrawn}`,
    ].filter(Boolean);
    if (dates.length > 0) lines.push(`  ${dates.join(', ')}`);
    for (const entry of advisory.severity) {
      const score = entry.score !== undefined ? ` ${entry.score}` : '';
      lines.push(`  severity by ${entry.by}:${score} ${entry.vector ?? entry.rating ?? ''}`.trimEnd());
    }
    for (const affected of advisory.affected) lines.push(`  ${affected.namespace} ${affected.packageName}: ${verdict(affected)}`);
    if (advisory.references.length > 0) lines.push(`  ${advisory.references.length} references, e.g. ${advisory.references[0]}`);
  }
  for (const row of result.packages) {
    const aliases = row.aliases.length > 0 ? ` (${row.aliases.join(', ')})` : '';
    lines.push(`${row.affected.namespace} ${row.affected.packageName}  ${row.advisoryId}${aliases} [${row.source}]: ${verdict(row.affected)}`);
  }
  for (const score of result.scores) {
    if (score.kev) {
      const ransomware = score.kev.knownRansomwareCampaignUse ? `, known ransomware use: ${score.kev.knownRansomwareCampaignUse}` : '';
      lines.push(`${score.cve}: in CISA KEV since ${score.kev.dateAdded}${score.kev.dueDate ? `, due ${score.kev.dueDate}` : ''}${ransomware}`);
    }
    if (score.epss) lines.push(`${score.cve}: EPSS ${score.epss.score} (percentile ${score.epss.percentile}) on ${score.epss.date}`);
  }
  if (lines.length === 0) {
    return `nothing known about ${result.query}${result.namespace !== undefined ? ` in ${result.namespace}` : ''}\n`;
  }
  return `${lines.join('\n')}\n`;
}
