import type { Distro } from '../../core/package.ts';

/** Parses os-release(5): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!.trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    fields[match[1]!] = value;
  }
  return fields;
}

/** The distribution of an image, from its release files (read through the squashed tree). */
export function detectDistro(read: (path: string) => string | undefined): Distro | undefined {
  const text = read('/etc/os-release') ?? read('/usr/lib/os-release');
  if (!text) return undefined;
  const fields = parseOsRelease(text);
  if (!fields.ID) return undefined;
  const distro: Distro = { id: fields.ID };
  if (fields.VERSION_ID) distro.versionId = fields.VERSION_ID;
  if (fields.VERSION_CODENAME) distro.codename = fields.VERSION_CODENAME;
  if (fields.PRETTY_NAME) distro.prettyName = fields.PRETTY_NAME;
  return distro;
}
