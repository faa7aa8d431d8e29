// The ignore file (`.spyglassignore.yaml`, docs/ignore.schema.json): vulnerabilities the user has
// decided to accept, each with a reason, optionally only in one package and only until a date.
// Suppressed findings stay in the report, marked, so that `--show-suppressed` can show them.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { SpyglassError, errorText } from '../core/errors.ts';
import type { Finding, Suppression } from '../core/finding.ts';
import type { Package } from '../core/package.ts';
import { parsePurl, purlMatches, type PurlPattern } from './purl-match.ts';

export interface IgnoreEntry {
  /** A vulnerability id or any alias of it. */
  id: string;
  /** A package URL (no version: any version) or a `*` pattern over the package URL or name. */
  package?: string;
  reason: string;
  /** YYYY-MM-DD: from this day (UTC) on the entry no longer applies. */
  expires?: string;
}

export interface IgnoreFile {
  path: string;
  entries: IgnoreEntry[];
}

const SCHEMA_URL = new URL('../../docs/ignore.schema.json', import.meta.url);

let validator: ValidateFunction<{ ignore: IgnoreEntry[] }> | undefined;

function validate(): ValidateFunction<{ ignore: IgnoreEntry[] }> {
  validator ??= new Ajv2020({ allErrors: false }).compile<{ ignore: IgnoreEntry[] }>(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  return validator;
}

/** `/ignore/2/expires` → `ignore entry 3: expires`. */
function describeSchemaError(error: ErrorObject | undefined): string {
  if (!error) return 'does not match docs/ignore.schema.json';
  const entry = /^\/ignore\/(\d+)(?:\/(.+))?$/.exec(error.instancePath);
  const where = entry ? `ignore entry ${Number(entry[1]) + 1}${entry[2] ? `: ${entry[2]}` : ''}` : error.instancePath ? error.instancePath.slice(1) : 'the file';
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'pattern' && entry?.[2] === 'expires') message = 'must be a date written YYYY-MM-DD';
  if (error.keyword === 'pattern' && entry?.[2] === 'id') message = 'must be one id without spaces';
  if (error.keyword === 'additionalProperties') message += ` (${String(error.params.additionalProperty)})`;
  if (error.instancePath === '' && error.keyword === 'type') message = 'must be a mapping with an `ignore:` list';
  return `${where} ${message}`;
}

function isRealDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Reads and checks an ignore file; any problem is one line naming the file. */
export async function loadIgnoreFile(path: string): Promise<IgnoreFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpyglassError(`ignore file ${path}: ${code === 'ENOENT' ? 'no such file' : errorText(error)}`);
  }
  return parseIgnoreFile(text, path);
}

export function parseIgnoreFile(text: string, path: string): IgnoreFile {
  const document = parseDocument(text, { prettyErrors: true });
  const problem = document.errors[0];
  if (problem) throw new SpyglassError(`ignore file ${path}: not valid YAML: ${problem.message.split('\n')[0]!.replace(/:$/, '')}`);
  const value: unknown = document.toJS() ?? { ignore: [] };
  const check = validate();
  if (!check(value)) throw new SpyglassError(`ignore file ${path}: ${describeSchemaError(check.errors?.[0])}`);
  value.ignore.forEach((entry, index) => {
    const where = `ignore file ${path}: ignore entry ${index + 1}`;
    if (entry.expires !== undefined && !isRealDate(entry.expires)) throw new SpyglassError(`${where}: expires ${entry.expires} is not a date`);
    if (entry.package !== undefined && !entry.package.includes('*') && entry.package.startsWith('pkg:') && !parsePurl(entry.package)) {
      throw new SpyglassError(`${where}: package ${entry.package} is not a valid package URL`);
    }
  });
  return { path, entries: value.ignore };
}

/** A `*` pattern: `*` is any run of characters, everything else itself. */
function globExpression(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

type PackageTest = (pkg: Package) => boolean;

function packageTest(pattern: string): PackageTest {
  if (pattern.includes('*') || !pattern.startsWith('pkg:')) {
    const expression = globExpression(pattern);
    if (!pattern.startsWith('pkg:')) return (pkg) => expression.test(pkg.name);
    return (pkg) => {
      let decoded = pkg.purl;
      try {
        decoded = decodeURIComponent(pkg.purl);
      } catch {
        // A purl with a stray % is matched as written.
      }
      return expression.test(pkg.purl) || expression.test(decoded);
    };
  }
  const purl = parsePurl(pattern) as PurlPattern;
  return (pkg) => purlMatches(purl, pkg.purl);
}

function entryName(entry: IgnoreEntry): string {
  return entry.package ? `${entry.id} (${entry.package})` : entry.id;
}

/** Today's date as YYYY-MM-DD in UTC, the way `expires` is compared. */
function utcDay(today: Date): string {
  return today.toISOString().slice(0, 10);
}

/**
 * Marks the findings an entry of `ignoreFile` names as suppressed (a finding already suppressed, by
 * VEX for one, keeps that). Entries whose `expires` day has come apply no more and come back as
 * warnings.
 */
export function applyIgnores(
  findings: Finding[],
  packagesById: ReadonlyMap<string, Package>,
  ignoreFile: IgnoreFile,
  today: Date,
): { findings: Finding[]; warnings: string[] } {
  const day = utcDay(today);
  const warnings: string[] = [];
  const active: { entry: IgnoreEntry; id: string; test?: PackageTest }[] = [];
  for (const entry of ignoreFile.entries) {
    if (entry.expires !== undefined && entry.expires <= day) {
      warnings.push(`ignore entry ${entryName(entry)} expired on ${entry.expires}`);
      continue;
    }
    active.push({ entry, id: entry.id.toUpperCase(), test: entry.package === undefined ? undefined : packageTest(entry.package) });
  }
  if (active.length === 0) return { findings, warnings };
  const result = findings.map((finding) => {
    if (finding.suppressed) return finding;
    const ids = new Set([finding.id, ...finding.aliases].map((id) => id.toUpperCase()));
    const pkg = packagesById.get(finding.packageId);
    const found = active.find(({ id, test }) => ids.has(id) && (test === undefined || (pkg !== undefined && test(pkg))));
    if (!found) return finding;
    const suppressed: Suppression = { kind: 'ignore', status: 'ignored', reason: found.entry.reason, origin: ignoreFile.path };
    return { ...finding, suppressed };
  });
  return { findings: result, warnings };
}
