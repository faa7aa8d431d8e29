// Package URLs per the purl specification (https://github.com/package-url/purl-spec), built with
// packageurl-js, the reference implementation. OS packages carry the distribution as namespace and
// `distro` qualifier; Debian packages name their source package in `upstream`, as the fixtures'
// reference lists (and syft) do.
import { PackageURL } from 'packageurl-js';
import type { Distro } from '../core/package.ts';
import type { FoundPackage } from './cataloger.ts';

function splitLast(name: string, separator: string): [string | undefined, string] {
  const at = name.lastIndexOf(separator);
  return at < 0 ? [undefined, name] : [name.slice(0, at), name.slice(at + 1)];
}

function distroQualifier(distro: Distro | undefined): string | undefined {
  return distro?.versionId ? `${distro.id}-${distro.versionId}` : undefined;
}

export function packageUrl(found: FoundPackage, distro: Distro | undefined): string {
  const qualifiers: Record<string, string> = {};
  let namespace = found.namespace;
  let name = found.name;
  let version: string | undefined = found.version || undefined;
  switch (found.type) {
    case 'deb':
    case 'apk':
    case 'rpm': {
      namespace ??= distro?.id ?? (found.type === 'deb' ? 'debian' : found.type === 'apk' ? 'alpine' : undefined);
      if (found.arch) qualifiers.arch = found.arch;
      const qualifier = distroQualifier(distro);
      if (qualifier) qualifiers.distro = qualifier;
      // rpm purls carry the epoch as a qualifier, never in the version (purl-spec PURL-TYPES.rst, rpm).
      const epoch = found.type === 'rpm' ? /^(\d+):(.+)$/.exec(found.version) : null;
      if (epoch) {
        version = epoch[2];
        if (epoch[1] !== '0') qualifiers.epoch = epoch[1]!;
      }
      if (found.type === 'deb' && found.sourceName) {
        const sourceVersion = found.sourceVersion ?? found.version;
        if (found.sourceName !== found.name) qualifiers.upstream = sourceVersion === found.version ? found.sourceName : `${found.sourceName}@${sourceVersion}`;
        else if (sourceVersion !== found.version) qualifiers.upstream = `${found.sourceName}@${sourceVersion}`;
      }
      break;
    }
    case 'npm':
      if (!namespace && name.startsWith('@')) [namespace, name] = splitLast(name, '/');
      break;
    case 'golang':
      if (!namespace) [namespace, name] = splitLast(name, '/');
      if (version === '(devel)') version = undefined;
      if (name === 'stdlib' && version?.startsWith('go')) version = version.slice(2);
      break;
    case 'pypi':
      name = name.toLowerCase().replace(/_/g, '-');
      break;
    case 'maven':
    case 'composer':
      if (!namespace && name.includes('/')) [namespace, name] = splitLast(name, '/');
      if (!namespace && found.type === 'maven' && name.includes(':')) [namespace, name] = splitLast(name, ':');
      break;
    default:
      break;
  }
  Object.assign(qualifiers, found.qualifiers);
  return new PackageURL(found.type, namespace, name, version, Object.keys(qualifiers).length > 0 ? qualifiers : undefined, undefined).toString();
}
