// Each image's severity counts after every evaluation (the first analysis and each re-evaluation), kept
// beside its `evaluations` row in the same transaction: what the dashboard's "vulnerabilities over time"
// chart of a repository reads, without opening any stored report.
import type { SeverityCounts } from '../report/counts.ts';
import { emptyCounts } from '../report/counts.ts';
import { toNumber, type Sql } from './db/sql.ts';

/** Records the counts an evaluation left (in the evaluation's transaction). */
export async function saveEvaluationCounts(tx: Sql, evaluationId: string, imageId: string, at: number, counts: SeverityCounts): Promise<void> {
  await tx.run('INSERT INTO evaluation_counts (evaluation_id, image_id, at, counts) VALUES (?, ?, ?, ?)', [evaluationId, imageId, at, JSON.stringify(counts)]);
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
