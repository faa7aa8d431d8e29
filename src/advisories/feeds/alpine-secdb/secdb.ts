// One secdb file (https://secdb.alpinelinux.org/, and the YAML of the retired alpine-secdb repository):
// `{distroversion, reponame, packages: [{pkg: {name, secfixes: {fixed-version: [ids]}}}]}`. Version
// `0` lists issues the package was never affected by (aports' secfixes convention,
// https://wiki.alpinelinux.org/wiki/Creating_an_Alpine_package#secfixes).
import type { Advisory, AffectedPackage, Namespace, RecordSink } from '../../model.ts';
import { secfixIds } from './secfixId.ts';

/**
 * apk-tools' version grammar (apk_version.c): dotted digits, one optional letter, `_suffix[N]`
 * repeats, optional `-rN`. Versions outside it (`6.6.2p1-r0`, `4.8.0.-r1`) cannot be compared.
 */
export function validApkVersion(version: string): boolean {
  return /^\d+(?:\.\d+)*[a-z]?(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*(?:-r\d+)?$/.test(version);
}

/** `v3.18` → `alpine:3.18`, `edge` → `alpine:edge`. */
export function alpineNamespace(distroversion: string): Namespace | undefined {
  const match = /^v?(\d+\.\d+)$/.exec(distroversion);
  if (match) return `alpine:${match[1]}`;
  return distroversion === 'edge' ? 'alpine:edge' : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whose secdb it is: the feed named in each Advisory, and the namespace of a document. Alpine's comes from
 * the document's branch; Wolfi's and Chainguard's (the same format, per the wolfi-secdb tool's README)
 * are rolling distributions with one fixed namespace.
 */
export interface SecdbOrigin {
  source: string;
  namespaceOf(document: Record<string, unknown>): Namespace | { problem: string };
}

/** Alpine: the branch from the file's `distroversion`, else from its folder (`v3.18/main.json`). */
export function alpineOrigin(branchFromPath: string | undefined): SecdbOrigin {
  return {
    source: 'alpine-secdb',
    namespaceOf(document) {
      const branch = typeof document.distroversion === 'string' ? document.distroversion : branchFromPath;
      const namespace = branch === undefined ? undefined : alpineNamespace(branch);
      return namespace ?? { problem: `unknown Alpine branch ${JSON.stringify(branch)}` };
    },
  };
}

/** One Advisory per id in the file, holding every package entry that names it. */
export function readSecdb(data: unknown, where: string, origin: SecdbOrigin, sink: RecordSink): Advisory[] {
  // `packages:` with nothing under it (v3.3/community.yaml) is an empty list, not a broken file.
  if (isObject(data) && (data.packages === '' || data.packages === null)) return [];
  if (!isObject(data) || !Array.isArray(data.packages)) {
    sink.skipped({ where, reason: 'not a secdb document (no packages list)' });
    return [];
  }
  const namespace = origin.namespaceOf(data);
  if (typeof namespace !== 'string') {
    sink.skipped({ where, reason: namespace.problem });
    return [];
  }
  const advisories = new Map<string, Advisory>();
  const advisoryFor = (id: string): Advisory => {
    let advisory = advisories.get(id);
    if (!advisory) {
      advisory = { source: origin.source, id, aliases: [], severity: [], references: [], affected: [] };
      advisories.set(id, advisory);
    }
    return advisory;
  };
  for (const [index, entry] of data.packages.entries()) {
    const pkg = isObject(entry) ? entry.pkg : undefined;
    if (!isObject(pkg) || typeof pkg.name !== 'string') {
      sink.skipped({ where: `${where} packages[${index}]`, reason: 'package entry without a name' });
      continue;
    }
    if (pkg.secfixes === undefined || pkg.secfixes === null || pkg.secfixes === '') continue; // nothing fixed yet
    if (!isObject(pkg.secfixes)) {
      sink.skipped({ where: `${where} ${pkg.name}`, reason: 'secfixes is not a map' });
      continue;
    }
    for (const [version, ids] of Object.entries(pkg.secfixes)) {
      const at = `${where} ${pkg.name} ${version}`;
      if (!Array.isArray(ids)) {
        sink.skipped({ where: at, reason: 'secfixes entry is not a list of ids' });
        continue;
      }
      if (version !== '0' && !validApkVersion(version)) {
        sink.skipped({ where: at, reason: `invalid apk version ${JSON.stringify(version)}` });
        continue;
      }
      for (const text of ids) {
        const parsed = typeof text === 'string' ? secfixIds(text) : { problem: `id is not a string: ${JSON.stringify(text)}` };
        if ('problem' in parsed) {
          sink.skipped({ where: at, reason: parsed.problem });
          continue;
        }
        for (const id of parsed.ids) {
          const advisory = advisoryFor(id);
          advisory.aliases.push(...parsed.aliases.filter((alias) => !advisory.aliases.includes(alias)));
          advisory.affected.push(secfixAffected(namespace, pkg.name, version, parsed.note));
        }
      }
    }
  }
  return [...advisories.values()];
}

function secfixAffected(namespace: Namespace, packageName: string, version: string, note: string | undefined): AffectedPackage {
  const affected: AffectedPackage =
    version === '0'
      ? { namespace, packageName, status: 'not-affected', ranges: [], fixedVersions: [] }
      : { namespace, packageName, status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }], fixedVersions: [version] };
  if (note) affected.statusReason = note;
  return affected;
}
