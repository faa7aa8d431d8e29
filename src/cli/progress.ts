import type { ProgressSink } from '../image/model.ts';
import { shortDigest } from '../core/digest.ts';

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Whether to draw pull progress: a TTY on stderr, not --quiet, not CI (as docker and skopeo do). */
export function wantsProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return !quiet && stream.isTTY === true && !env.CI;
}

/** One line per blob being pulled, redrawn in place on the terminal. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const rows = new Map<string, { label: string; total?: number; done: number; finished: boolean }>();
  let drawn = 0;
  let last = 0;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    if (drawn > 0) stream.write(`\x1b[${drawn}A`);
    for (const row of rows.values()) {
      const amount = row.total ? `${formatBytes(row.done)} / ${formatBytes(row.total)}` : formatBytes(row.done);
      stream.write(`\x1b[2K${row.label}: ${row.finished ? 'Pull complete' : `Downloading ${amount}`}\n`);
    }
    drawn = rows.size;
  };
  return {
    start(id, label, total) {
      rows.set(id, { label: label || shortDigest(id), total, done: 0, finished: false });
      draw(true);
    },
    advance(id, bytes) {
      const row = rows.get(id);
      if (row) row.done += bytes;
      draw(false);
    },
    done(id) {
      const row = rows.get(id);
      if (row) row.finished = true;
      draw(true);
    },
  };
}
