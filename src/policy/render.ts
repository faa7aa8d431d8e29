// `spyglass policy` output (docs/policy.md, "Output"): text as Docker Scout lays it out (`✓ met`,
// `✗ failed`, `? unknown` per policy with the explanation under it), JSON, markdown and SARIF (one rule
// per policy type, one result per failing or unknown policy).
import { SARIF_SCHEMA } from '../report/sarif.ts';
import { POLICY_TITLES } from './file.ts';
import type { PolicyResult, PolicyStatus } from './model.ts';

export const POLICY_FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
export type PolicyFormat = (typeof POLICY_FORMATS)[number];

export interface PolicyReport {
  target: { name: string; digest?: string; platform?: string };
  tool: { name: 'spyglass'; version: string };
  createdAt: string;
  /** The base image as detected, when known. */
  baseImage?: { name: string; digest?: string };
  /** `default` or the policy file's path. */
  policySource: string;
  results: PolicyResult[];
  database: { builtAt: string; ageHours: number };
  warnings: string[];
}

const MARK: Readonly<Record<PolicyStatus, string>> = { met: '✓', failed: '✗', unknown: '?' };
const COLOR: Readonly<Record<PolicyStatus, string>> = { met: '32', failed: '31', unknown: '33' };

/** How many policies are met, of how many: `N/M policies met`. */
export function policyTally(results: readonly PolicyResult[]): { met: number; failed: number; unknown: number; total: number } {
  return {
    met: results.filter((result) => result.status === 'met').length,
    failed: results.filter((result) => result.status === 'failed').length,
    unknown: results.filter((result) => result.status === 'unknown').length,
    total: results.length,
  };
}

/** The most explanation lines shown per policy in text and markdown (JSON and SARIF have them all). */
const SHOWN = 20;

export function renderPolicyText(report: PolicyReport, options: { color?: boolean } = {}): string {
  const paint = (text: string, status: PolicyStatus) => (options.color ? `\u001b[${COLOR[status]}m${text}\u001b[0m` : text);
  const tally = policyTally(report.results);
  const lines = [
    `  Target     │  ${report.target.name}${report.target.digest ? `  ${report.target.digest.slice(0, 19)}` : ''}`,
    ...(report.baseImage ? [`  Base image │  ${report.baseImage.name}`] : []),
    `  Policies   │  ${report.policySource === 'default' ? 'default policies' : report.policySource}`,
    '',
    `  Policy status  ${tally.met}/${tally.total} policies met${tally.unknown > 0 ? ` (${tally.unknown} unknown)` : ''}`,
    '',
  ];
  for (const result of report.results) {
    lines.push(`  ${paint(`${MARK[result.status]} ${result.status.padEnd(7)}`, result.status)}  ${result.name}`);
    lines.push(`               ${result.summary}`);
    for (const violation of result.violations.slice(0, SHOWN)) lines.push(`                 • ${violation.text}`);
    if (result.violations.length > SHOWN) lines.push(`                 … and ${result.violations.length - SHOWN} more (--format json lists every one)`);
    lines.push('');
  }
  for (const warning of report.warnings) lines.push(`  ! ${warning}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

/** `--format json`: the shape docs/policy.md documents. */
export function renderPolicyJson(report: PolicyReport): string {
  const tally = policyTally(report.results);
  const document = {
    schemaVersion: 1,
    tool: report.tool,
    createdAt: report.createdAt,
    target: report.target,
    ...(report.baseImage ? { baseImage: report.baseImage } : {}),
    policySource: report.policySource,
    summary: tally,
    policies: report.results,
    database: report.database,
    warnings: report.warnings,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderPolicyMarkdown(report: PolicyReport): string {
  const tally = policyTally(report.results);
  const lines = [
    `## Policy status for ${report.target.name}`,
    '',
    `**${tally.met}/${tally.total} policies met**${tally.unknown > 0 ? ` (${tally.unknown} unknown)` : ''} — ${report.policySource === 'default' ? 'default policies' : `policies from \`${report.policySource}\``}`,
    '',
    '| Status | Policy | Result |',
    '| --- | --- | --- |',
    ...report.results.map((result) => `| ${MARK[result.status]} ${result.status} | ${escapeCell(result.name)} | ${escapeCell(result.summary)} |`),
  ];
  for (const result of report.results.filter((entry) => entry.violations.length > 0)) {
    lines.push('', `### ${MARK[result.status]} ${escapeCell(result.name)}`, '');
    for (const violation of result.violations.slice(0, SHOWN)) lines.push(`- ${violation.text.replace(/([*_`])/g, '\\$1')}`);
    if (result.violations.length > SHOWN) lines.push(`- … and ${result.violations.length - SHOWN} more`);
  }
  if (report.warnings.length > 0) lines.push('', ...report.warnings.map((warning) => `> ${warning}`));
  return `${lines.join('\n')}\n`;
}

/** SARIF 2.1.0: one rule per policy type evaluated; a result per failed (error) or unknown (note) policy. */
export function renderPolicySarif(report: PolicyReport): string {
  const types = [...new Set(report.results.map((result) => result.type))];
  const rules = types.map((type) => ({
    id: `policy/${type}`,
    name: type.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase()),
    shortDescription: { text: POLICY_TITLES[type] },
    helpUri: 'docs/policy.md',
  }));
  const results = report.results.filter((result) => result.status !== 'met').map((result) => ({
    ruleId: `policy/${result.type}`,
    ruleIndex: types.indexOf(result.type),
    level: result.status === 'failed' ? 'error' : 'note',
    message: { text: `${result.name}: ${result.status}: ${result.summary}${result.violations.length > 0 ? `\n${result.violations.map((violation) => `- ${violation.text}`).join('\n')}` : ''}` },
    locations: [{ logicalLocations: [{ name: report.target.name, kind: 'image' }] }],
    properties: { policy: result.name, status: result.status, parameters: result.parameters, violations: result.violations },
  }));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: report.tool.name, version: report.tool.version, rules } },
      results,
      properties: { imageName: report.target.name, ...(report.target.digest ? { digest: report.target.digest } : {}), policies: report.results.map((result) => ({ name: result.name, type: result.type, status: result.status })) },
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

export function renderPolicyReport(report: PolicyReport, format: PolicyFormat, options: { color?: boolean } = {}): string {
  switch (format) {
    case 'text': return renderPolicyText(report, options);
    case 'json': return renderPolicyJson(report);
    case 'markdown': return renderPolicyMarkdown(report);
    case 'sarif': return renderPolicySarif(report);
  }
}
