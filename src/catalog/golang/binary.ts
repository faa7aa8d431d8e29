// Go binaries: the modules compiled into every executable, as `go version -m` lists them.
// The main module (root), the Go release as the `stdlib` package (what syft, trivy and govulncheck
// match standard-library advisories against) and every dependency, found inside the main module.
import type { CatalogFile, CatalogResult, Cataloger, FoundPackage } from '../cataloger.ts';
import { MAX_EXECUTABLE_BYTES, wantsExecutable } from '../binary/executable.ts';
import { readGoBuildInfo } from './buildinfo.ts';
import { ldflagsVersion, parseModInfo, type GoModule } from './modinfo.ts';

/** `go1.22.1 X:boringcrypto` → `go1.22.1`; `devel go1.23-abc +def` → `go1.23-abc`. */
function releaseOf(goVersion: string): string {
  return goVersion.split(/\s+/).find((token) => /^go\d/.test(token)) ?? goVersion.trim();
}

function modulePackage(module: GoModule, metadata: Record<string, string>, parentIndex?: number): FoundPackage {
  const found: FoundPackage = { type: 'golang', name: module.path, version: module.version, metadata };
  if (module.sum) metadata.sum = module.sum;
  if (module.replaces) metadata.replaces = `${module.replaces.path}@${module.replaces.version}`;
  if (parentIndex !== undefined) found.parentIndex = parentIndex;
  return found;
}

export function parseGoBinary(content: Buffer): CatalogResult {
  const info = readGoBuildInfo(content);
  if (!info) return { packages: [] };
  const modinfo = parseModInfo(info.modinfo);
  const goVersion = releaseOf(info.goVersion);
  const packages: FoundPackage[] = [];
  let mainIndex: number | undefined;
  if (modinfo.main) {
    const metadata: Record<string, string> = { main: 'true', goVersion: info.goVersion };
    for (const [key, value] of modinfo.settings) metadata[key] = value;
    const ldflags = metadata['-ldflags'];
    const stamped = ldflags ? ldflagsVersion(ldflags, modinfo.main.path) : undefined;
    // The version stays what the binary declares (`go version -m`); the stamped one is kept beside it.
    if (stamped) metadata.ldflagsVersion = stamped;
    const main = modulePackage(modinfo.main, metadata);
    main.root = true;
    mainIndex = packages.push(main) - 1;
  }
  const stdlib: FoundPackage = { type: 'golang', name: 'stdlib', version: goVersion };
  if (mainIndex !== undefined) stdlib.parentIndex = mainIndex;
  packages.push(stdlib);
  for (const dep of modinfo.deps) packages.push(modulePackage(dep, { main: 'false' }, mainIndex));
  return { packages };
}

export const goBinaryCataloger: Cataloger = {
  id: 'go-binary',
  version: 1,
  wants: wantsExecutable,
  maxFileBytes: MAX_EXECUTABLE_BYTES,
  parse: (file: CatalogFile) => parseGoBinary(file.content),
};
