// Policies and environments as the API gives them (docs/server.md "Policies", "Environments"), and the
// pieces the pages share: the verdict badge, the trend arrow (↑ better, ↓ worse, → unchanged, each with
// words for screen readers) and the "met/total" cell with its arrow against an earlier image.
import type { Counts } from './api.ts';
import { Link } from './router.ts';
import { shortDigest } from './ui.tsx';

export type PolicyStatus = 'met' | 'failed' | 'unknown';
export type PolicyChange = 'better' | 'worse' | 'unchanged' | 'unknown';

export interface PolicyCounts {
  met: number;
  total: number;
  unknown: number;
}

export interface ViolationView {
  kind: 'vulnerability' | 'package' | 'setting' | 'attestation' | 'base-image';
  text: string;
  packageId?: string;
  purl?: string;
  vulnerability?: string;
  layerDiffId?: string;
}

export interface PolicyResultView {
  name: string;
  type: string;
  status: PolicyStatus;
  summary: string;
  parameters: Record<string, unknown>;
  violations: ViolationView[];
}

export interface PolicyDeltaView {
  name: string;
  type: string;
  image: { status: PolicyStatus; violations: number };
  other: { status: PolicyStatus; violations: number };
  change: PolicyChange;
}

/** What the image detail adds for policies. */
export interface ImagePolicies {
  policies?: PolicyResultView[] | null;
  policyTrend?: { against: string; policies: PolicyDeltaView[] } | null;
}

export interface EnvironmentImageView {
  repository: string;
  repositoryId: string;
  digest: string;
  indexDigest: string | null;
  platform: string | null;
  tags: string[];
  recordedAt: string;
  recordedBy: string | null;
  vulnerabilities: Counts | null;
  policy: PolicyCounts | null;
}

export interface EnvironmentImageDetailView extends EnvironmentImageView {
  previous: EnvironmentImageView | null;
  trend: { vulnerabilities: (Counts & { total: number }) | null; policies: PolicyDeltaView[] | null } | null;
}

export interface EnvironmentList {
  environments: { name: string; createdAt: string; images: EnvironmentImageView[] }[];
}

export interface EnvironmentDetail {
  name: string;
  images: EnvironmentImageDetailView[];
}

export const STATUS_LABEL: Record<PolicyStatus, string> = { met: 'Met', failed: 'Failed', unknown: 'Unknown' };
const ARROW: Record<PolicyChange, string> = { better: '↑', worse: '↓', unchanged: '→', unknown: '?' };

/** Better when more policies are met than before, worse when fewer; undefined when either side has no results. */
export function countsChange(now: PolicyCounts | null | undefined, before: PolicyCounts | null | undefined): PolicyChange | undefined {
  if (now === null || now === undefined || before === null || before === undefined) return undefined;
  return now.met > before.met ? 'better' : now.met < before.met ? 'worse' : 'unchanged';
}

/** The arrow, hidden from screen readers, which read the words instead. */
export function TrendArrow(props: { change: PolicyChange; against?: string }) {
  const words = props.change === 'unknown' ? 'cannot be compared' : props.change;
  const text = props.against === undefined ? words : `${words} than ${props.against}`;
  return <span class={`trend ${props.change}`} title={text} data-change={props.change}>
    <span aria-hidden="true">{ARROW[props.change]}</span>
    <span class="visually-hidden">{` ${text}`}</span>
  </span>;
}

export function VerdictBadge(props: { status: PolicyStatus }) {
  return <span class={`verdict ${props.status}`} data-status={props.status}>{STATUS_LABEL[props.status]}</span>;
}

/** "met/total" (a link to the image's policy page when `href` is given) and the arrow against `before`. */
export function PolicyCountsCell(props: { policy: PolicyCounts | null | undefined; before?: PolicyCounts | null; beforeDigest?: string | null; href?: string }) {
  const { policy } = props;
  if (policy === null || policy === undefined) return <span class="muted">not evaluated</span>;
  const text = `${policy.met}/${policy.total}`;
  const change = countsChange(policy, props.before);
  const label = `${policy.met} of ${policy.total} policies met${policy.unknown > 0 ? `, ${policy.unknown} unknown` : ''}`;
  return <span class="policy-counts" data-met={policy.met} data-total={policy.total}>
    {props.href !== undefined ? <Link href={props.href} class="policy-link"><span aria-hidden="true">{text}</span><span class="visually-hidden">{label}</span></Link>
      : <><span aria-hidden="true">{text}</span><span class="visually-hidden">{label}</span></>}
    {change !== undefined ? <> <TrendArrow change={change} against={props.beforeDigest !== undefined && props.beforeDigest !== null ? `previous image ${shortDigest(props.beforeDigest)}` : 'the previous image'} /></> : null}
  </span>;
}

/** "failed (3)", "met", "unknown": one side of a policy's trend. */
export function sideText(side: { status: PolicyStatus; violations: number }): string {
  return side.status === 'failed' ? `failed (${side.violations})` : side.status;
}
