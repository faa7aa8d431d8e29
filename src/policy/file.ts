// The policy file (docs/policy.md, docs/policy.schema.json): `policies:` a list of `{type, name?, …}`.
// Every problem is one line naming the file, the line and the field; a file with a problem is refused
// whole, so nothing is evaluated partially. Without a file, DEFAULT_POLICIES (Docker Scout's defaults).
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { SpyglassError, errorText } from '../core/errors.ts';
import type { SeverityLevel } from '../core/finding.ts';
import type { PackageType } from '../core/package.ts';
import { isSpdxId } from './license.ts';
import { basePatternExpression } from './evaluate.ts';
import type { Policy, PolicyType } from './model.ts';

/** Each type's title: its name when the file gives none. */
export const POLICY_TITLES: Readonly<Record<PolicyType, string>> = {
  'fixable-critical-high': 'No fixable critical or high vulnerabilities',
  'high-profile': 'No high-profile vulnerabilities',
  copyleft: 'No copyleft licenses',
  'non-root-user': 'Default non-root user',
  'supply-chain': 'Supply chain attestations',
  'outdated-base': 'No outdated base images',
  'approved-base': 'Approved base images',
  'custom-vulnerability': 'Custom vulnerability policy',
};

export const DEFAULT_COPYLEFT_LICENSES = ['AGPL-3.0-only', 'AGPL-3.0-or-later'];

/** The policies evaluated without --policy-file: Docker Scout's default policies (approved-base has no default patterns, so it is off). */
export const DEFAULT_POLICIES: readonly Policy[] = [
  { type: 'fixable-critical-high', name: POLICY_TITLES['fixable-critical-high'], severities: ['critical', 'high'], fixAgeDays: 0, ignoreBase: false },
  { type: 'high-profile', name: POLICY_TITLES['high-profile'], kev: true, ids: [] },
  { type: 'copyleft', name: POLICY_TITLES.copyleft, licenses: DEFAULT_COPYLEFT_LICENSES },
  { type: 'non-root-user', name: POLICY_TITLES['non-root-user'] },
  { type: 'supply-chain', name: POLICY_TITLES['supply-chain'], sbom: true, provenance: true, provenanceMode: 'max' },
  { type: 'outdated-base', name: POLICY_TITLES['outdated-base'] },
];

const SCHEMA_URL = new URL('../../docs/policy.schema.json', import.meta.url);

let validator: ValidateFunction<{ policies: RawPolicy[] }> | undefined;

function validate(): ValidateFunction<{ policies: RawPolicy[] }> {
  validator ??= new Ajv2020({ allErrors: false, discriminator: true }).compile<{ policies: RawPolicy[] }>(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  return validator;
}

type RawPolicy = Record<string, unknown> & { type: PolicyType; name?: string };

/** `/policies/2/licenses/0` → `['policies', 2, 'licenses', 0]`. */
function pathOf(pointer: string): (string | number)[] {
  return pointer.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** `['policies', 2, 'licenses', 0]` → `policies[2].licenses[0]`. */
function fieldName(path: readonly (string | number)[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('') || '(the document)';
}

class Located {
  constructor(private readonly file: string, private readonly document: Document, private readonly lines: LineCounter) {}

  /** The line (1-based) of the node at `path`, or of its nearest ancestor that exists; a key's line when `key` is given. */
  line(path: readonly (string | number)[], key?: string): number {
    if (key !== undefined) {
      const map = this.document.getIn(path, true);
      if (isNode(map) && 'items' in map && Array.isArray(map.items)) {
        const pair = (map.items as { key: unknown }[]).find((item) => isNode(item.key) && (item.key as { value?: unknown }).value === key);
        const range = pair && isNode(pair.key) ? pair.key.range : undefined;
        if (range) return this.lines.linePos(range[0]).line;
      }
    }
    for (let length = path.length; length >= 0; length--) {
      const node = length === 0 ? this.document.contents : this.document.getIn(path.slice(0, length), true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return 1;
  }

  error(path: readonly (string | number)[], message: string, key?: string): SpyglassError {
    const field = key !== undefined ? [...path, key] : path;
    return new SpyglassError(`policy file ${this.file}:${this.line(path, key)}: ${fieldName(field)}: ${message}`);
  }
}

function schemaError(error: ErrorObject | undefined, at: Located): SpyglassError {
  if (error === undefined) return at.error([], 'does not match docs/policy.schema.json');
  const path = pathOf(error.instancePath);
  switch (error.keyword) {
    case 'discriminator': {
      const params = error.params as { error: string; tagValue?: unknown };
      const message = params.error === 'mapping' ? `unknown policy type ${JSON.stringify(params.tagValue)} (known: ${Object.keys(POLICY_TITLES).join(', ')})` : 'must be a policy type name';
      return at.error([...path, 'type'], message);
    }
    case 'additionalProperties': {
      const property = String((error.params as { additionalProperty: unknown }).additionalProperty);
      return at.error(path, `unknown parameter${path.length === 2 ? ` for this policy type` : ''}`, property);
    }
    case 'required':
      return at.error(path, `must have ${String((error.params as { missingProperty: unknown }).missingProperty)}`);
    case 'enum':
      return at.error(path, `must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues).map(String).join(', ')}`);
    default:
      if (error.instancePath === '' && error.keyword === 'type') return at.error(path, 'must be a mapping with a `policies:` list');
      return at.error(path, error.message ?? 'is invalid');
  }
}

/** Reads and checks a policy file; any problem is one line naming the file, line and field. */
export async function loadPolicyFile(path: string): Promise<Policy[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpyglassError(`policy file ${path}: ${code === 'ENOENT' ? 'no such file' : errorText(error)}`);
  }
  return parsePolicyFile(text, path);
}

export function parsePolicyFile(text: string, file: string): Policy[] {
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter: lines, uniqueKeys: true });
  const problem = document.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line ?? lines.linePos(problem.pos[0]).line;
    throw new SpyglassError(`policy file ${file}:${line}: not valid YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+.*$/, '').replace(/:$/, '')}`);
  }
  const at = new Located(file, document, lines);
  const value: unknown = document.toJS();
  const check = validate();
  if (!check(value)) throw schemaError(check.errors?.[0], at);
  const names = new Map<string, number>();
  return value.policies.map((raw, index) => {
    const path = ['policies', index];
    const name = raw.name ?? POLICY_TITLES[raw.type];
    if (names.has(name)) throw at.error([...path, raw.name !== undefined ? 'name' : 'type'], `the name "${name}" is already policies[${names.get(name)}]'s: give each policy its own name`);
    names.set(name, index);
    return policyOf(raw, name, path, at);
  });
}

function policyOf(raw: RawPolicy, name: string, path: (string | number)[], at: Located): Policy {
  const get = <T>(key: string, fallback: T): T => (raw[key] === undefined ? fallback : raw[key] as T);
  switch (raw.type) {
    case 'fixable-critical-high':
      return { type: raw.type, name, severities: get<SeverityLevel[]>('severities', ['critical', 'high']), fixAgeDays: get('fixAgeDays', 0), ignoreBase: get('ignoreBase', false) };
    case 'high-profile':
      return { type: raw.type, name, kev: get('kev', true), ids: get<string[]>('ids', []) };
    case 'copyleft': {
      const licenses = get<string[]>('licenses', DEFAULT_COPYLEFT_LICENSES);
      licenses.forEach((id, position) => {
        if (!isSpdxId(id)) throw at.error([...path, 'licenses', position], `${JSON.stringify(id)} is not an SPDX licence id (see spdx.org/licenses; e.g. AGPL-3.0-only)`);
      });
      return { type: raw.type, name, licenses };
    }
    case 'non-root-user':
      return { type: raw.type, name };
    case 'supply-chain':
      return { type: raw.type, name, sbom: get('sbom', true), provenance: get('provenance', true), provenanceMode: get<'max' | 'min'>('provenanceMode', 'max') };
    case 'outdated-base':
      return { type: raw.type, name, ...(raw.maxAgeDays !== undefined ? { maxAgeDays: raw.maxAgeDays as number } : {}) };
    case 'approved-base': {
      const patterns = raw.patterns as string[];
      patterns.forEach((pattern, position) => {
        try {
          basePatternExpression(pattern);
        } catch (error) {
          throw at.error([...path, 'patterns', position], `${JSON.stringify(pattern)} is not a valid regular expression (${errorText(error).replace(/^Invalid regular expression: /, '')})`);
        }
      });
      return { type: raw.type, name, patterns };
    }
    case 'custom-vulnerability': {
      const optional = <K extends string>(key: K) => (raw[key] !== undefined ? { [key]: raw[key] } : {});
      return {
        type: raw.type, name,
        ...optional('severities') as { severities?: SeverityLevel[] }, ...optional('packageTypes') as { packageTypes?: PackageType[] },
        ...optional('fixStatus') as { fixStatus?: 'fixed' }, ...optional('epssScore') as { epssScore?: number },
        ...optional('epssPercentile') as { epssPercentile?: number }, ...optional('kev') as { kev?: boolean },
      };
    }
  }
}

/** `--only-policy NAME,…`: the named policies (by name or type), in the file's order; an unknown name is one line. */
export function selectPolicies(policies: readonly Policy[], only: string | undefined): Policy[] {
  if (only === undefined) return [...policies];
  const wanted = only.split(',').map((part) => part.trim()).filter(Boolean);
  for (const name of wanted) {
    if (!policies.some((policy) => policy.name === name || policy.type === name)) {
      throw new SpyglassError(`--only-policy ${name}: no such policy (policies: ${policies.map((policy) => policy.name).join(', ')})`);
    }
  }
  return policies.filter((policy) => wanted.includes(policy.name) || wanted.includes(policy.type));
}
