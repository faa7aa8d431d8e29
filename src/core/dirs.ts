import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where downloaded blobs live: --cache-dir, SPYGLASS_CACHE_DIR, the config file's cacheDir,
 * $XDG_CACHE_HOME/spyglass, ~/.cache/spyglass.
 */
export function resolveCacheDir(flag?: string, env: NodeJS.ProcessEnv = process.env, configured?: string): string {
  if (flag) return flag;
  if (env.SPYGLASS_CACHE_DIR) return env.SPYGLASS_CACHE_DIR;
  if (configured) return configured;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'spyglass');
}

/**
 * Where the database lives: --data-dir, SPYGLASS_DATA_DIR, the config file's dataDir,
 * $XDG_DATA_HOME/spyglass, ~/.local/share/spyglass.
 */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env, configured?: string): string {
  if (flag) return flag;
  if (env.SPYGLASS_DATA_DIR) return env.SPYGLASS_DATA_DIR;
  if (configured) return configured;
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'spyglass');
}
