// The `manifest.json` of a `docker save` tar: `[{Config, RepoTags, Layers}]`, one entry per image
// (moby image/tarexport; go-containerregistry pkg/v1/tarball). Paths are archive paths.
import { SpyglassError } from '../../core/errors.ts';
import { refMatches } from '../oci/layout.ts';

export interface DockerSaveEntry {
  config: string;
  repoTags: string[];
  layers: string[];
}

/** Parses manifest.json; `null`, `[]` and wrong shapes are one-line errors naming the archive. */
export function parseDockerManifest(bytes: Buffer, label: string): DockerSaveEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SpyglassError(`${label}: manifest.json is not valid JSON`);
  }
  if (parsed === null || (Array.isArray(parsed) && parsed.length === 0)) {
    throw new SpyglassError(`${label}: manifest.json lists no images`);
  }
  if (!Array.isArray(parsed)) throw new SpyglassError(`${label}: manifest.json is not a list of images`);
  return parsed.map((raw, i) => {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof item.Config !== 'string' || item.Config === '') {
      throw new SpyglassError(`${label}: manifest.json entry ${i} has no Config`);
    }
    if (!Array.isArray(item.Layers) || !item.Layers.every((layer): layer is string => typeof layer === 'string')) {
      throw new SpyglassError(`${label}: manifest.json entry ${i} has no Layers list`);
    }
    const repoTags = Array.isArray(item.RepoTags) ? item.RepoTags.filter((tag): tag is string => typeof tag === 'string') : [];
    return { config: item.Config, repoTags, layers: item.Layers };
  });
}

/** The entry `ref` names (a RepoTag, full or short form), else the only one; otherwise an error listing the choices. */
export function chooseDockerEntry(entries: DockerSaveEntry[], ref: string | undefined, label: string): DockerSaveEntry {
  const choices = () => entries.map((entry) => entry.repoTags[0] ?? entry.config).join(', ');
  if (ref !== undefined) {
    const match = entries.find((entry) => entry.repoTags.some((tag) => refMatches(ref, tag)));
    if (!match) throw new SpyglassError(`${label}: no image tagged "${ref}" in the archive (it has: ${choices()})`);
    return match;
  }
  if (entries.length === 1) return entries[0]!;
  throw new SpyglassError(`${label}: the archive holds ${entries.length} images; choose one with --ref (${choices()})`);
}
