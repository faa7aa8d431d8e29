// `spyglass db …`: build, inspect, carry and search the local vulnerability database. The store, the
// feeds and the downloader are imported inside the actions so that `spyglass --help` stays fast.
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import type { SourceLocation } from '../advisories/update.ts';
import { globalOptions, parseFormat, type CommandContext } from './context.ts';
import { formatSearch } from './db-search.ts';
import { formatBytes, wantsProgress } from './progress.ts';

const STALE_MS = 24 * 3_600_000;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--source NAME=URL|PATH`; the name is checked against the feeds by updateDatabase. */
export function parseSourceOption(value: string): SourceLocation {
  const equals = value.indexOf('=');
  if (equals <= 0 || equals === value.length - 1) throw new SpyglassError(`--source ${value}: expected NAME=URL or NAME=PATH, e.g. osv=./osv-npm.zip`);
  return { name: value.slice(0, equals), location: value.slice(equals + 1) };
}

export function formatAge(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  if (hours >= 1) return `${hours} h`;
  return `${Math.max(0, Math.floor(ms / 60_000))} min`;
}

/** One line per download on the terminal, redrawn in place at most ten times a second. */
function downloadProgress(stream: NodeJS.WriteStream = process.stderr): (progress: { location: string; receivedBytes: number; totalBytes?: number; done: boolean }) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (!progress.done && now - last < 100) return;
    last = now;
    const amount = progress.totalBytes ? `${formatBytes(progress.receivedBytes)} / ${formatBytes(progress.totalBytes)}` : formatBytes(progress.receivedBytes);
    stream.write(`\r\x1b[2K${progress.location}: ${progress.done ? `downloaded ${formatBytes(progress.receivedBytes)}\n` : `downloading ${amount}`}`);
  };
}

export function registerDb(program: Command, context: CommandContext): void {
  const db = program.command('db').description('the local vulnerability database: update, status, export, import, search')
    .addHelpText('after', `
Examples:
  $ spyglass db update
  $ spyglass db status
  $ spyglass db search CVE-2023-44487`);

  db.command('update')
    .description('read the advisory feeds into the database (default: every feed from its public location)')
    .addHelpText('after', `
Examples:
  $ spyglass db update
  $ spyglass db update --only osv
  $ spyglass db update --source osv=./osv-npm.zip --only osv`)
    .option('--source <NAME=URL|PATH>', 'read feed NAME from a URL, file, directory or archive (repeatable, also for one name); only the named feeds are updated', collect, [])
    .option('--only <NAME>', 'update only this feed (repeatable)', collect, [])
    .action(async (options: { source: string[]; only: string[] }) => {
      const { dataDir, cacheDir, quiet } = globalOptions(program);
      const { FEEDS } = await import('../advisories/feeds/registry.ts');
      const { updateDatabase } = await import('../advisories/update.ts');
      const { openFeedInput } = await import('../advisories/input/open.ts');
      const known = FEEDS.map((feed) => feed.name);
      for (const name of options.only) {
        if (!known.includes(name)) throw new SpyglassError(`--only ${name}: unknown feed, expected one of ${known.join(', ')}`);
      }
      const explicit = options.source.map(parseSourceOption);
      const wanted = (name: string) => options.only.length === 0 || options.only.includes(name);
      let sources: SourceLocation[];
      if (explicit.length > 0) {
        // Named sources only: an air-gapped `--source osv=./osv.zip` must not try the network for the others.
        sources = explicit.filter((source) => wanted(source.name));
        for (const name of options.only) {
          if (!explicit.some((source) => source.name === name)) {
            sources.push(...FEEDS.find((feed) => feed.name === name)!.defaultLocations.map((location) => ({ name, location })));
          }
        }
      } else {
        sources = FEEDS.filter((feed) => wanted(feed.name)).flatMap((feed) => feed.defaultLocations.map((location) => ({ name: feed.name, location })));
      }
      if (sources.length === 0) throw new SpyglassError('nothing to update: no feed selected (see `spyglass db update --help`)');
      const showProgress = wantsProgress(quiet);
      const outcomes = await updateDatabase(dataDir, sources, {
        cacheDir,
        openInput: (location, inputOptions) => openFeedInput(location, { ...inputOptions, ...(showProgress ? { progress: downloadProgress() } : {}) }),
        onSource: (event) => {
          if (!quiet && event.phase === 'start') context.stderr.write(`${event.source}: reading…\n`);
        },
      });
      for (const outcome of outcomes) {
        if (outcome.outcome === 'updated' && outcome.changesSince !== undefined) {
          context.stdout.write(`${outcome.source}: ${outcome.records} records changed since ${outcome.changesSince} merged, ${outcome.skipped.length} skipped (${outcome.location})\n`);
        } else if (outcome.outcome === 'updated') {
          context.stdout.write(`${outcome.source}: ${outcome.records} records, ${outcome.skipped.length} skipped (${outcome.location})\n`);
        } else if (outcome.outcome === 'not-modified') {
          context.stdout.write(`${outcome.source}: not modified since the last update (${outcome.location})\n`);
        } else {
          context.stdout.write(`${outcome.source}: FAILED, previous records kept: ${outcome.error}\n`);
        }
      }
      const failed = outcomes.filter((outcome) => outcome.outcome === 'failed').map((outcome) => outcome.source);
      if (failed.length > 0) throw new SpyglassError(`${failed.length} of ${outcomes.length} sources failed (${failed.join(', ')}); the others were updated`);
    });

  db.command('status')
    .description('schema, build time and age of the database; per source: records, skipped records and why, last update')
    .addHelpText('after', `
Examples:
  $ spyglass db status
  $ spyglass db status --format json`)
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const { dataDir } = globalOptions(program);
      const { SqliteAdvisoryStore, databasePath } = await import('../advisories/store/sqlite.ts');
      const store = SqliteAdvisoryStore.open(dataDir);
      const status = await store.status();
      await store.close();
      const ageMs = Date.now() - Date.parse(status.builtAt);
      const stale = ageMs > STALE_MS;
      if (format === 'json') {
        context.stdout.write(`${JSON.stringify({ path: databasePath(dataDir), ...status, ageSeconds: Math.floor(ageMs / 1000), stale }, null, 2)}\n`);
        return;
      }
      const lines = [
        `Database     ${databasePath(dataDir)}`,
        `Schema       ${status.schemaVersion}`,
        `Built        ${status.builtAt} (${formatAge(ageMs)} ago)`,
        `Contents     ${status.counts.advisories} advisories, ${status.counts.affected} affected packages, ${status.counts.kev} KEV, ${status.counts.epss} EPSS`,
        '',
        'Sources:',
      ];
      for (const source of status.sources) {
        const updated = source.updatedAt === '' ? 'never read successfully' : `updated ${source.updatedAt} from ${source.location}`;
        lines.push(`  ${source.source}: ${source.records} records, ${source.skipped} skipped, ${updated}`);
        for (const reason of source.skippedReasons) lines.push(`    skipped ${reason.count}: ${reason.reason} (e.g. ${reason.example})`);
        if (source.lastError) lines.push(`    last update FAILED at ${source.lastError.at}: ${source.lastError.message}`);
      }
      if (status.sources.length === 0) lines.push('  (none)');
      context.stdout.write(`${lines.join('\n')}\n`);
      if (stale) context.stderr.write(`warning: the database is ${formatAge(ageMs)} old: run \`spyglass db update\`\n`);
    });

  db.command('export')
    .description('write the database to one compressed, checksummed file (for an air-gapped machine)')
    .addHelpText('after', `
Examples:
  $ spyglass db export spyglass-db.gz`)
    .argument('<file>', 'where to write it')
    .action(async (file: string) => {
      const { dataDir } = globalOptions(program);
      const { exportDatabase } = await import('../advisories/store/export.ts');
      const header = await exportDatabase(dataDir, file);
      context.stdout.write(`exported the database built ${header.builtAt} to ${file} (sha256 ${header.sha256})\n`);
    });

  db.command('import')
    .description('replace the database with one written by `db export` (checked before it replaces anything)')
    .addHelpText('after', `
Examples:
  $ spyglass db import spyglass-db.gz`)
    .argument('<file>', 'a file written by `spyglass db export`')
    .action(async (file: string) => {
      const { dataDir } = globalOptions(program);
      const { importDatabase } = await import('../advisories/store/export.ts');
      const header = await importDatabase(dataDir, file);
      context.stdout.write(`imported the database built ${header.builtAt} into ${dataDir}\n`);
    });

  db.command('search')
    .description('what the database knows about an advisory (CVE, GHSA, … or any alias) or a package, per source')
    .addHelpText('after', `
Examples:
  $ spyglass db search CVE-2023-44487
  $ spyglass db search GHSA-qwcr-r2fm-qrc7 --format json
  $ spyglass db search openssl --ecosystem Debian:12`)
    .argument('<id-or-package>', 'an advisory id or alias, or a package name')
    .option('--ecosystem <ecosystem>', 'the package ecosystem or distribution release (npm, PyPI, Debian:11, …)')
    .option('--namespace <namespace>', "spyglass's namespace (npm, pypi, debian:11, alpine:3.18, …)")
    .option('--format <format>', 'text or json', 'text')
    .action(async (query: string, options: { ecosystem?: string; namespace?: string; format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      if (options.ecosystem !== undefined && options.namespace !== undefined) throw new SpyglassError('--ecosystem and --namespace: give one of them');
      const namespace = options.namespace ?? options.ecosystem?.toLowerCase();
      const { dataDir } = globalOptions(program);
      const { SqliteAdvisoryStore } = await import('../advisories/store/sqlite.ts');
      const store = SqliteAdvisoryStore.open(dataDir);
      try {
        const advisories = namespace === undefined ? await store.advisories(query) : [];
        const packages = advisories.length > 0 ? [] : namespace === undefined ? await store.affectedInAnyNamespace(query) : await store.affected(namespace, query);
        const cves = [...new Set([query, ...advisories.flatMap((advisory) => [advisory.id, ...advisory.aliases])].filter((name) => name.startsWith('CVE-')))];
        const scores = await Promise.all(cves.map(async (cve) => ({ cve, kev: await store.kev(cve), epss: await store.epss(cve) })));
        const result = { query, ...(namespace !== undefined ? { namespace } : {}), advisories, packages, scores: scores.filter((score) => score.kev || score.epss) };
        context.stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatSearch(result));
      } finally {
        await store.close();
      }
    });
}
