// `spyglass environment [ENV [IMAGE]]` (Docker Scout's `docker scout environment`): with no argument, the
// organization's environments and the image each runs per repository; with ENV, that environment's
// images with the trend against the image each replaced; with ENV IMAGE, records IMAGE (an image the
// server has analysed: a digest, registry/repo:tag or registry/repo@digest) in ENV. Also what
// `compare --to-env` and `cves --env` fetch: the stored SBOM of the image an environment runs for a repository.
import type { Command } from 'commander';
import { SpyglassError } from '../core/errors.ts';
import type { Sbom } from '../core/sbom.ts';
import { addClientOptions, ApiClient, table, type ClientOptions } from './api-client.ts';
import { parseFormat, type CommandContext } from './context.ts';

/** The server's rule for environment names (src/server/environments.ts), checked before asking it. */
const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function checkEnvironment(name: string, flag = 'environment'): string {
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new SpyglassError(`${flag} ${JSON.stringify(name)}: expected 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. production)`);
  }
  return name;
}

type Counts = Record<'critical' | 'high' | 'medium' | 'low' | 'unspecified', number>;

interface EnvironmentImage {
  repository: string;
  digest: string;
  platform: string | null;
  tags: string[];
  recordedAt: string;
  recordedBy: string | null;
  vulnerabilities: Counts | null;
  policy: { met: number; total: number; unknown: number } | null;
}

interface EnvironmentImageDetail extends EnvironmentImage {
  previous: EnvironmentImage | null;
  trend: { vulnerabilities: (Counts & { total: number }) | null; policies: { name: string; change: string }[] | null } | null;
}

/** `1C 2H 8M 1L 0?` as the other commands write counts. */
function counts(value: Counts | null): string {
  if (value === null) return '-';
  return `${value.critical}C ${value.high}H ${value.medium}M ${value.low}L ${value.unspecified}?`;
}

const policy = (value: EnvironmentImage['policy']): string => (value === null ? '-' : `${value.met}/${value.total} met`);
const short = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);
const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));

function trendText(image: EnvironmentImageDetail): string {
  if (image.trend === null || image.previous === null) return 'first image';
  const parts = [`against ${short(image.previous.digest)}:`];
  const v = image.trend.vulnerabilities;
  parts.push(v === null ? 'vulnerabilities unknown' : `${signed(v.total)} vulnerabilities`);
  const policies = image.trend.policies;
  if (policies !== null) {
    const by = (change: string) => policies.filter((delta) => delta.change === change).length;
    parts.push(`policies ${by('better')} better, ${by('worse')} worse, ${by('unchanged')} unchanged${by('unknown') > 0 ? `, ${by('unknown')} unknown` : ''}`);
  }
  return parts.join(' ');
}

/** What `environment ENV IMAGE` sends: the reference without `registry://`; file and archive inputs have no server-side image. */
function serverImage(image: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(image);
  if (match === null) return image;
  if (match[1]!.toLowerCase() === 'registry') return image.slice(match[0].length);
  throw new SpyglassError(`${image}: give an image the server has analysed: a digest, registry/repository:tag or registry/repository@digest`);
}

export interface EnvironmentSbom {
  environment: string;
  repository: string;
  digest: string;
  tags: string[];
  sbom: Sbom;
}

/**
 * The registry/name IMAGE belongs to, from how it is written (a registry reference, `local://` or a bare
 * name), or undefined (a file, an archive, an SBOM).
 */
export async function repositoryOfInput(input: string): Promise<string | undefined> {
  const [{ parseImageInput }, { parseImageRef }] = await Promise.all([import('../image/open.ts'), import('../core/reference.ts')]);
  const { kind, target } = parseImageInput(input);
  if (kind !== 'registry' && kind !== 'image' && kind !== 'local') return undefined;
  const ref = parseImageRef(target);
  return `${ref.registry}/${ref.repository}`;
}

/** The stored SBOM of the image environment `env` runs for `repository`, from the server. */
export async function fetchEnvironmentSbom(options: ClientOptions, env: string, repository: string, flag: string): Promise<EnvironmentSbom> {
  checkEnvironment(env, flag);
  let answer: EnvironmentSbom & { sbom: Sbom | null };
  try {
    const client = new ApiClient(options);
    answer = await client.request('GET', await client.orgPath(`/environments/${encodeURIComponent(env)}/sbom?repository=${encodeURIComponent(repository)}`));
  } catch (error) {
    // The request's own line names the path; the user gave a flag and an image.
    if (error instanceof SpyglassError) throw new SpyglassError(`${flag} ${env}: ${error.message.replace(/^GET \S+: /, '')}`);
    throw error;
  }
  if (answer.sbom === null) throw new SpyglassError(`${flag} ${env}: the server has no SBOM stored for ${answer.repository}@${answer.digest}`);
  return answer;
}

export function registerEnvironment(program: Command, context: CommandContext): void {
  addClientOptions(program.command('environment'))
    .description('environments on a Spyglass server: list them, list one\'s images with their trend, record an image in one')
    .argument('[environment]', 'environment name (production, staging, …)')
    .argument('[image]', 'image the server has analysed, to record in the environment: sha256:…, registry/repository:tag or registry/repository@sha256:…')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', `
An environment runs the latest image recorded in it per repository; recording keeps the history, so
each image shows its trend (vulnerabilities, policies) against the one it replaced.

Examples:
  $ spyglass environment
  $ spyglass environment production
  $ spyglass environment production registry.example.com/team/app:1.4`)
    .action(async (env: string | undefined, image: string | undefined, options: ClientOptions & { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      if (env !== undefined) checkEnvironment(env);
      const sent = image === undefined ? undefined : serverImage(image);
      const client = new ApiClient(options);
      const write = (value: unknown) => context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      if (env === undefined) {
        const answer = await client.request<{ environments: { name: string; images: EnvironmentImage[] }[] }>('GET', await client.orgPath('/environments'));
        if (format === 'json') {
          write(answer);
          return;
        }
        if (answer.environments.length === 0) {
          context.stdout.write(`no environments in ${await client.org()} (record an image: spyglass environment ENV IMAGE)\n`);
          return;
        }
        context.stdout.write(table([
          ['ENVIRONMENT', 'REPOSITORY', 'DIGEST', 'TAGS', 'VULNERABILITIES', 'POLICIES', 'RECORDED'],
          ...answer.environments.flatMap((environment) => environment.images.map((entry) => [
            environment.name, entry.repository, short(entry.digest), entry.tags.join(',') || '-', counts(entry.vulnerabilities), policy(entry.policy), entry.recordedAt,
          ])),
        ]));
        return;
      }
      const path = await client.orgPath(`/environments/${encodeURIComponent(env)}`);
      if (sent === undefined) {
        const answer = await client.request<{ name: string; images: EnvironmentImageDetail[] }>('GET', path);
        if (format === 'json') {
          write(answer);
          return;
        }
        context.stdout.write(table([
          ['REPOSITORY', 'DIGEST', 'TAGS', 'VULNERABILITIES', 'POLICIES', 'TREND'],
          ...answer.images.map((entry) => [entry.repository, short(entry.digest), entry.tags.join(',') || '-', counts(entry.vulnerabilities), policy(entry.policy), trendText(entry)]),
        ]));
        return;
      }
      const answer = await client.request<{ environment: string; changed: boolean; image: EnvironmentImageDetail }>('PUT', `${path}/images`, { image: sent });
      if (format === 'json') {
        write(answer);
        return;
      }
      const recorded = answer.image;
      const name = `${recorded.repository}@${recorded.digest}`;
      context.stdout.write(answer.changed ? `${env}: recorded ${name}\n` : `${env}: already runs ${name} (nothing changed)\n`);
      if (answer.changed) context.stdout.write(`  ${counts(recorded.vulnerabilities)}  policies ${policy(recorded.policy)}  ${trendText(recorded)}\n`);
    });
}
