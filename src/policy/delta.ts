// `compare IMAGE --to OTHER`: per policy, whether IMAGE is better, worse or unchanged against OTHER
// (docs/policy.md, "compare"): met is better than failed; with both failed, fewer violations is
// better; when one side is unknown and the other is not, the change is unknown (cannot be compared).
import type { PolicyResult, PolicyStatus } from './model.ts';

export type PolicyChange = 'better' | 'worse' | 'unchanged' | 'unknown';

export interface PolicyDelta {
  name: string;
  type: PolicyResult['type'];
  /** IMAGE's status and violation count, and OTHER's. */
  image: { status: PolicyStatus; violations: number };
  other: { status: PolicyStatus; violations: number };
  change: PolicyChange;
}

const RANK: Readonly<Record<PolicyStatus, number>> = { failed: 0, unknown: 1, met: 2 };


/** One row per policy (both lists come from the same policies, in the same order). */
export function policyDelta(image: readonly PolicyResult[], other: readonly PolicyResult[]): PolicyDelta[] {
  return image.map((mine, index) => {
    const theirs = other.find((result) => result.name === mine.name) ?? other[index]!;
    const rank = RANK[mine.status] - RANK[theirs.status];
    const fewer = theirs.violations.length - mine.violations.length;
    const change: PolicyChange = mine.status !== theirs.status && (mine.status === 'unknown' || theirs.status === 'unknown') ? 'unknown'
      : rank > 0 ? 'better' : rank < 0 ? 'worse'
        : mine.status === 'failed' && fewer !== 0 ? (fewer > 0 ? 'better' : 'worse') : 'unchanged';
    return {
      name: mine.name, type: mine.type,
      image: { status: mine.status, violations: mine.violations.length },
      other: { status: theirs.status, violations: theirs.violations.length },
      change,
    };
  });
}

const ARROW: Readonly<Record<PolicyChange, string>> = { better: '↑', worse: '↓', unchanged: '=', unknown: '?' };

function cell(side: PolicyDelta['image']): string {
  return side.status === 'failed' ? `failed (${side.violations})` : side.status;
}

/** The section `compare` prints after the comparison (text). */
export function renderPolicyDeltaText(deltas: readonly PolicyDelta[], names: { image: string; other: string }): string {
  const width = Math.max(...deltas.map((delta) => delta.name.length));
  const lines = ['', `  Policies (${names.image} against ${names.other})`, ''];
  for (const delta of deltas) {
    lines.push(`  ${ARROW[delta.change]} ${delta.change.padEnd(9)}  ${delta.name.padEnd(width)}  ${cell(delta.other)} → ${cell(delta.image)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderPolicyDeltaMarkdown(deltas: readonly PolicyDelta[], names: { image: string; other: string }): string {
  const lines = ['', '## Policies', '', `| Change | Policy | ${names.other.replace(/\|/g, '\\|')} | ${names.image.replace(/\|/g, '\\|')} |`, '| --- | --- | --- | --- |'];
  for (const delta of deltas) lines.push(`| ${ARROW[delta.change]} ${delta.change} | ${delta.name.replace(/\|/g, '\\|')} | ${cell(delta.other)} | ${cell(delta.image)} |`);
  return `${lines.join('\n')}\n`;
}
