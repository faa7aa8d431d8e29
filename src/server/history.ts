// Each image's severity counts after every evaluation (the first analysis and each re-evaluation), kept
// beside its `evaluations` row in the same transaction: what the dashboard's "vulnerabilities over time"
// chart of a repository reads, without opening any stored report.
import { randomUUID } from 'node:crypto';
import type { SeverityCounts } from '../report/counts.ts';
import { emptyCounts } from '../report/counts.ts';
import { toNumber, type Sql } from './db/sql.ts';
import type { FindingsDiff } from './results.ts';

/**
 * Records one evaluation of an image (its first analysis, or a re-evaluation after database generation
 * `generation`): what changed in `evaluations` and the counts it left in `evaluation_counts`. Call it in the
 * transaction that saves the result.
 */
export async function recordEvaluation(tx: Sql, evaluation: { imageId: string; reason: string; generation: number | null; diff: FindingsDiff; counts: SeverityCounts }): Promise<void> {
  const { imageId, reason, generation, diff, counts } = evaluation;
  const id = randomUUID();
  const at = Date.now();
  await tx.run('INSERT INTO evaluations (id, image_id, at, generation, reason, added, removed, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    id, imageId, at, generation, reason, JSON.stringify(diff.added), JSON.stringify(diff.removed), JSON.stringify(diff.changed),
  ]);
  await tx.run('INSERT INTO evaluation_counts (evaluation_id, image_id, at, counts) VALUES (?, ?, ?, ?)', [id, imageId, at, JSON.stringify(counts)]);
}

export interface HistoryPoint {
  at: string;
  digest: string;
  platform: string | null;
  reason: string;
  vulnerabilities: SeverityCounts;
}

/** A repository's images' counts after every evaluation, oldest first. */
export async function repositoryHistory(sql: Sql, repositoryId: string): Promise<HistoryPoint[]> {
  const rows = await sql.all(
    `SELECT c.at, c.counts, e.reason, i.digest, i.platform FROM evaluation_counts c
     JOIN evaluations e ON e.id = c.evaluation_id JOIN images i ON i.id = c.image_id
     WHERE i.repository_id = ? ORDER BY c.at, i.digest, c.evaluation_id`,
    [repositoryId],
  );
  return rows.map((row) => ({
    at: new Date(toNumber(row.at)).toISOString(),
    digest: String(row.digest),
    platform: typeof row.platform === 'string' ? row.platform : null,
    reason: String(row.reason),
    vulnerabilities: { ...emptyCounts(), ...(JSON.parse(String(row.counts)) as Partial<SeverityCounts>) },
  }));
}
