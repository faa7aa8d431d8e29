// .NET dependencies: the `<app>.deps.json` the SDK writes beside a published application
// (https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md).
// Its `libraries` map has one `Name/Version` key per library; only `type: "package"` entries are
// NuGet packages (`project` is the app's own code, `referenceassembly` and `runtimepack` ship with
// the runtime), as trivy and syft report them.
import { isRecord, parseJsonFile } from '../json-file.ts';
import type { Cataloger, CatalogFile, CatalogResult, FoundPackage } from '../cataloger.ts';

export function parseDepsJson(file: CatalogFile): CatalogResult {
  const deps = parseJsonFile(file.content);
  if (!isRecord(deps)) throw new Error('deps.json is not a JSON object');
  if (!isRecord(deps.libraries)) throw new Error('deps.json has no libraries object');
  const packages: FoundPackage[] = [];
  for (const [key, library] of Object.entries(deps.libraries)) {
    if (!isRecord(library) || library.type !== 'package') continue;
    const slash = key.lastIndexOf('/');
    if (slash <= 0 || slash === key.length - 1) continue;
    packages.push({ type: 'nuget', name: key.slice(0, slash), version: key.slice(slash + 1), licenses: [] });
  }
  return { packages };
}

export const dotnetDepsCataloger: Cataloger = {
  id: 'dotnet-deps-json',
  version: 1,
  wants: (path) => path.endsWith('.deps.json'),
  maxFileBytes: 32 * 1024 * 1024,
  parse: parseDepsJson,
};
