// Policies on the server (docs/policy.md): each organization's policy document (the same document the
// CLI's --policy-file takes; none stored: the default policies), evaluated with src/policy/evaluate.ts
// on every analysis and re-evaluation from what the server stores of the image (report, config user and
// attestations, base image and recommendations). The latest results are images.policy; every evaluation
// is a policy_evaluations row.
import { randomUUID } from 'node:crypto';
import { isSpyglassError, SpyglassError } from '../core/errors.ts';
import type { VulnerabilityReport } from '../core/finding.ts';
import type { Sbom } from '../core/sbom.ts';
import { attributeToBase } from '../baseimage/attribute.ts';
import type { BaseDetection, Recommendation } from '../baseimage/model.ts';
import { evaluatePolicies } from '../policy/evaluate.ts';
import { DEFAULT_POLICIES, parsePolicyFile } from '../policy/file.ts';
import type { BaseFacts, Policy, PolicyInput, PolicyResult } from '../policy/model.ts';
import { jsonColumn, optionalText, type Sql } from './db/sql.ts';

/** The name errors give the stored document (no file: the organization's policies). */
const DOCUMENT_NAME = 'policies';

/** What images.image_facts holds: the config user and attestations read at analysis. */
export type ImageFacts = Pick<PolicyInput, 'config' | 'attestations'>;

/** Checks a policy document (a `{policies: […]}` value) whole; a problem is the validator's one line. */
export function checkPolicyDocument(document: unknown): Policy[] {
  try {
    return parsePolicyFile(JSON.stringify(document), DOCUMENT_NAME);
  } catch (error) {
    // The body is JSON, not a file: its line is no help, the field is.
    if (isSpyglassError(error)) throw new SpyglassError(error.message.replace(/^policy file [^:]*:\d+: /, 'policy document: '));
    throw error;
  }
}

/** The organization's stored document (JSON text), or undefined for the defaults. */
export async function storedPolicyDocument(sql: Sql, orgId: string): Promise<string | undefined> {
  const row = await sql.get('SELECT document FROM org_policies WHERE org_id = ?', [orgId]);
  return row === undefined ? undefined : optionalText(row.document);
}

export async function orgPolicies(sql: Sql, orgId: string): Promise<Policy[]> {
  const document = await storedPolicyDocument(sql, orgId);
  return document === undefined ? [...DEFAULT_POLICIES] : parsePolicyFile(document, DOCUMENT_NAME);
}

/** The default policies as a document (what GET answers when the organization has none). */
export function defaultPolicyDocument(): { policies: Record<string, unknown>[] } {
  return { policies: DEFAULT_POLICIES.map((policy) => ({ ...policy })) };
}

export async function savePolicyDocument(sql: Sql, orgId: string, document: unknown): Promise<Policy[]> {
  const policies = checkPolicyDocument(document);
  const text = JSON.stringify(document);
  await sql.run(
    'INSERT INTO org_policies (org_id, document, updated_at) VALUES (?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at',
    [orgId, text, Date.now()],
  );
  return policies;
}

type StoredBase = Pick<BaseDetection, 'method' | 'name' | 'ref' | 'baseLayers'> & { evidence?: string[] };

/** The base image facts from images.base_image and images.recommendations (base-image.ts writes them). */
export function storedBaseFacts(sbom: Pick<Sbom, 'source' | 'packages'>, baseImage: unknown, recommendations: unknown): BaseFacts {
  const base = jsonColumn<StoredBase>(baseImage);
  if (base === undefined || typeof base !== 'object' || base.ref === undefined) return { known: false, reason: 'no base image was detected at analysis' };
  const ref = base.ref;
  let packageIds: string[] | undefined;
  if (base.baseLayers !== undefined) {
    const detection = { method: base.method, name: base.name, ref, evidence: base.evidence ?? [], candidates: [], baseLayers: base.baseLayers } as BaseDetection;
    packageIds = [...attributeToBase(sbom, detection)];
  }
  const stored = jsonColumn<{ recommendations?: Recommendation[]; notes?: string[] }>(recommendations);
  const refreshed = stored?.recommendations?.find((recommendation) => recommendation.kind === 'refreshed');
  const facts: BaseFacts = {
    known: true, name: base.name, repository: ref.repository, ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    ...(ref.digest !== undefined ? { digest: ref.digest } : {}), method: base.method,
    ...(packageIds !== undefined ? { packageIds } : {}),
  };
  if (stored === undefined) return { ...facts, catalogNote: `no base image catalog on the server, so whether ${base.name} has a newer digest is unknown` };
  if (ref.tag === undefined) return { ...facts, catalogNote: stored.notes?.[0] ?? `${base.name} has no tag to compare in the base image catalog` };
  return {
    ...facts,
    catalog: {
      repository: ref.repository, tag: ref.tag, ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
      ...(refreshed?.ref.digest !== undefined ? {
        refreshed: {
          name: refreshed.name, digest: refreshed.ref.digest, indexedAt: refreshed.created ?? new Date(0).toISOString(),
          ...(refreshed.created !== undefined ? { created: refreshed.created } : {}),
        },
      } : {}),
    },
  };
}

/**
 * Evaluates the organization's policies on an image (in `tx`, after saveResult) and stores them: the
 * latest in images.policy, a policy_evaluations row. Returns the results before and after.
 */
export async function evaluateImagePolicies(tx: Sql, imageId: string, report: VulnerabilityReport, reason: string, now = new Date()): Promise<{ before: PolicyResult[] | undefined; after: PolicyResult[] }> {
  const row = (await tx.get('SELECT org_id, sbom, image_facts, base_image, recommendations, policy FROM images WHERE id = ?', [imageId]))!;
  const sbom = jsonColumn<Sbom>(row.sbom);
  const facts = jsonColumn<ImageFacts>(row.image_facts) ?? {};
  const base = sbom === undefined ? { known: false as const, reason: 'no SBOM stored' } : storedBaseFacts(sbom, row.base_image, row.recommendations);
  const policies = await orgPolicies(tx, String(row.org_id));
  const results = evaluatePolicies(policies, { report, ...facts, base, now });
  const text = JSON.stringify(results);
  await tx.run('UPDATE images SET policy = ? WHERE id = ?', [text, imageId]);
  await tx.run('INSERT INTO policy_evaluations (id, image_id, at, reason, results) VALUES (?, ?, ?, ?, ?)', [randomUUID(), imageId, now.getTime(), reason, text]);
  return { before: jsonColumn<PolicyResult[]>(row.policy), after: results };
}

/** The names of policies met before and failed now. */
export function newlyFailed(before: readonly PolicyResult[] | undefined, after: readonly PolicyResult[]): string[] {
  if (before === undefined) return [];
  return after.filter((result) => result.status === 'failed' && before.find((old) => old.name === result.name)?.status === 'met').map((result) => result.name);
}

/** `{met, total, unknown}` of stored results, or null when the image has none. */
export function policyCounts(text: unknown): { met: number; total: number; unknown: number } | null {
  const results = jsonColumn<PolicyResult[]>(text);
  if (results === undefined) return null;
  return { met: results.filter((r) => r.status === 'met').length, total: results.length, unknown: results.filter((r) => r.status === 'unknown').length };
}

export function storedPolicyResults(text: unknown): PolicyResult[] | undefined {
  return jsonColumn<PolicyResult[]>(text);
}
