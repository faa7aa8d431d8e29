import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SpyglassError, errorText } from '../../core/errors.ts';
import { DOCKER_HUB } from '../../core/reference.ts';

/** Registry credentials as the Docker CLI stores them. */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (`identitytoken`, or a helper's answer with Username `<token>`). */
  identityToken?: string;
}

export interface CredentialOptions {
  /** An explicit config file; default $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The key the Docker CLI uses for Docker Hub in config.json and with credential helpers. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export function dockerConfigPath(options: CredentialOptions = {}): string {
  if (options.configPath) return options.configPath;
  const env = options.env ?? process.env;
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

/**
 * The host[:port] a config key names: keys are written as `https://index.docker.io/v1/`,
 * `host:port`, `http://host` or `host/path` (as the Docker CLI's `ConvertToHostname` reads them).
 */
export function normaliseRegistryKey(key: string): string {
  let host = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  host = host.split('/')[0]!.toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

async function readDockerConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SpyglassError(`${path}: cannot read the Docker config (${errorText(error)})`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as DockerConfig;
  } catch (error) {
    throw new SpyglassError(`${path}: the Docker config is not valid JSON (${errorText(error)})`);
  }
}

function lookup<T>(map: Record<string, T> | undefined, host: string): T | undefined {
  if (!map) return undefined;
  for (const [key, value] of Object.entries(map)) if (normaliseRegistryKey(key) === host) return value;
  return undefined;
}

function fromAuthEntry(entry: NonNullable<DockerConfig['auths']>[string], path: string, host: string): Credentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken, username: entry.username };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new SpyglassError(`${path}: the "auth" entry for ${host} is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

/**
 * Asks `docker-credential-<helper> get` for the credentials of one server
 * (https://github.com/docker/docker-credential-helpers: server URL on stdin, JSON on stdout).
 */
export async function runCredentialHelper(helper: string, serverUrl: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => reject(new SpyglassError(`credential helper ${program}: cannot run it (${errorText(error)})`)));
    child.on('close', (status) => resolve({ code: status, stdout: out, stderr: err }));
    child.stdin.end(serverUrl);
  });
  const message = (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
  if (code !== 0) {
    if (/credentials not found/i.test(message)) return undefined;
    throw new SpyglassError(`credential helper ${program}: failed for ${serverUrl} (exit ${code}: ${message})`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(stdout) as typeof answer;
  } catch {
    throw new SpyglassError(`credential helper ${program}: answered something that is not JSON for ${serverUrl}`);
  }
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  const secret = typeof answer.Secret === 'string' ? answer.Secret : '';
  if (!secret) return undefined;
  // The Docker CLI stores identity tokens in helpers under the user name "<token>".
  if (username === '<token>') return { identityToken: secret };
  return { username, password: secret };
}

/**
 * The credentials the Docker CLI would use for `registryHost`: its `credHelpers` entry, else the
 * `credsStore`, else the `auths` entry. Undefined means anonymous.
 */
export async function findCredentials(registryHost: string, options: CredentialOptions = {}): Promise<Credentials | undefined> {
  const path = dockerConfigPath(options);
  const config = await readDockerConfig(path);
  if (!config) return undefined;
  const env = options.env ?? process.env;
  const host = normaliseRegistryKey(registryHost);
  const serverUrl = host === DOCKER_HUB ? DOCKER_HUB_KEY : host;
  const helper = lookup(config.credHelpers, host);
  if (helper) return runCredentialHelper(helper, serverUrl, env);
  if (config.credsStore) {
    const stored = await runCredentialHelper(config.credsStore, serverUrl, env);
    if (stored) return stored;
  }
  const entry = lookup(config.auths, host);
  return entry ? fromAuthEntry(entry, path, host) : undefined;
}
