// Java archives (.jar .war .ear .jpi .hpi): every `pom.properties` declares a Maven artifact (a fat
// jar holds its shaded dependencies' ones too), nested archives are read to a depth limit, and an
// archive that declares none is named from META-INF/MANIFEST.MF and its file name, as syft does.
// Packages are named `groupId:artifactId` (trivy's convention; purl.ts splits it into the namespace).
import type { CatalogFile, CatalogResult, Cataloger, FoundPackage } from '../cataloger.ts';
import { readZipEntry, zipEntries, type ZipEntry } from '../zip.ts';

const ARCHIVE = /\.(jar|war|ear|jpi|hpi)$/i;
/** Jars inside a war inside an ear: deeper nesting is skipped with a warning. */
const MAX_DEPTH = 3;
const MAX_TEXT_BYTES = 1024 * 1024;
const MAX_NESTED_BYTES = 64 * 1024 * 1024;
/** All bytes inflated for one file on disk, nested archives included. */
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;
const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;

interface Budget {
  left: number;
  warnings: string[];
}

/** java.util.Properties, enough for pom.properties: `key=value`, `key: value`, `#`/`!` comments. */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) properties.set(match[1]!, match[2]!.trim());
  }
  return properties;
}

/** The main section of a JAR manifest (https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html#jar-manifest): continuation lines start with a space. */
export function parseManifest(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n|\r/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last) {
      attributes.set(last, attributes.get(last)! + line.slice(1));
      continue;
    }
    const at = line.indexOf(':');
    if (at <= 0) continue;
    last = line.slice(0, at).trim();
    attributes.set(last, line.slice(at + 1).trim());
  }
  return attributes;
}

/** `commons-lang3-3.12.0.jar` → artifact `commons-lang3`, version `3.12.0` (the first `-` followed by a digit). */
export function nameFromFile(fileName: string): { artifact: string; version?: string } {
  const base = fileName.replace(ARCHIVE, '');
  const match = /^(.+?)-(\d[^/]*)$/.exec(base);
  return match ? { artifact: match[1]!, version: match[2]! } : { artifact: base };
}

function readText(buf: Buffer, entry: ZipEntry, budget: Budget, archivePath: string): string | undefined {
  try {
    const bytes = readZipEntry(buf, entry, Math.min(MAX_TEXT_BYTES, budget.left));
    budget.left -= bytes.length;
    return bytes.toString('utf8');
  } catch (error) {
    budget.warnings.push(`${archivePath}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Appends the packages of one archive (and its nested archives) to `packages`. */
function catalogArchive(buf: Buffer, archivePath: string, depth: number, parentIndex: number | undefined, packages: FoundPackage[], budget: Budget): void {
  const entries = zipEntries(buf);
  const fileName = archivePath.slice(archivePath.lastIndexOf('/') + 1);
  const fromFile = nameFromFile(fileName);
  const found: FoundPackage[] = [];
  for (const entry of entries) {
    if (!entry.name.endsWith('pom.properties')) continue;
    const text = readText(buf, entry, budget, archivePath);
    if (text === undefined) continue;
    const properties = parseProperties(text);
    const groupId = properties.get('groupId');
    const artifactId = properties.get('artifactId');
    const version = properties.get('version');
    if (!groupId || !artifactId || !version) continue;
    found.push({
      type: 'maven', name: `${groupId}:${artifactId}`, version,
      metadata: { groupId, artifactId, archive: archivePath, pomProperties: entry.name, source: 'pom.properties' },
    });
  }
  if (found.length === 0) {
    const manifestEntry = entries.find((entry) => entry.name === 'META-INF/MANIFEST.MF');
    const manifest = parseManifest(manifestEntry ? readText(buf, manifestEntry, budget, archivePath) ?? '' : '');
    // A versioned file name is the most specific name; else the manifest's names that look like artifact ids.
    const fromManifest = [manifest.get('Bundle-SymbolicName')?.replace(/;.*$/, ''), manifest.get('Implementation-Title')].find((name) => name && /^[\w.-]+$/.test(name));
    const artifact = fromFile.version ? fromFile.artifact : fromManifest ?? fromFile.artifact;
    const version = fromFile.version ?? manifest.get('Implementation-Version') ?? manifest.get('Bundle-Version') ?? manifest.get('Specification-Version');
    if (artifact && version) {
      const groupId = manifest.get('Implementation-Vendor-Id');
      const source = fromFile.version && artifact === fromFile.artifact ? 'file name' : 'MANIFEST.MF';
      const metadata: Record<string, string> = { artifactId: artifact, archive: archivePath, source };
      if (groupId) metadata.groupId = groupId;
      found.push({ type: 'maven', name: metadata.groupId ? `${metadata.groupId}:${artifact}` : artifact, version, metadata });
    }
  }
  // The archive's own package is the one named like the file, else the only one; the rest it contains.
  const ownAt = found.length === 1 ? 0 : found.findIndex((pkg) => pkg.metadata!.artifactId === fromFile.artifact || fromFile.artifact.endsWith(`.${pkg.metadata!.artifactId}`));
  const base = packages.length;
  found.forEach((pkg, index) => {
    const parent = index === ownAt ? parentIndex : ownAt >= 0 ? base + ownAt : parentIndex;
    if (parent !== undefined) pkg.parentIndex = parent;
    packages.push(pkg);
  });
  const own = ownAt >= 0 ? base + ownAt : parentIndex;

  for (const entry of entries) {
    if (!ARCHIVE.test(entry.name) || entry.name.endsWith('/')) continue;
    const nestedPath = `${archivePath}!/${entry.name}`;
    if (depth + 1 >= MAX_DEPTH) {
      budget.warnings.push(`${nestedPath}: nested deeper than ${MAX_DEPTH} archives, not read`);
      continue;
    }
    try {
      const nested = readZipEntry(buf, entry, Math.min(MAX_NESTED_BYTES, budget.left));
      budget.left -= nested.length;
      catalogArchive(nested, nestedPath, depth + 1, own, packages, budget);
    } catch (error) {
      budget.warnings.push(`${nestedPath}: ${(error as Error).message}`);
    }
  }
}

export function parseJavaArchive(file: Pick<CatalogFile, 'path' | 'content'>): CatalogResult {
  const packages: FoundPackage[] = [];
  const budget: Budget = { left: MAX_TOTAL_BYTES, warnings: [] };
  catalogArchive(file.content, file.path, 0, undefined, packages, budget);
  return budget.warnings.length > 0 ? { packages, warnings: budget.warnings } : { packages };
}

export const javaArchiveCataloger: Cataloger = {
  id: 'java-archive',
  version: 1,
  wants: (path) => ARCHIVE.test(path),
  maxFileBytes: MAX_ARCHIVE_BYTES,
  parse: parseJavaArchive,
};
