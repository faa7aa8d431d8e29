// The configuration file (docs/config.md, docs/config.schema.json): defaults for the command line,
// read from $SPYGLASS_CONFIG or $XDG_CONFIG_HOME/spyglass/config.yaml. A flag wins over an
// environment variable, which wins over this file, which wins over the built-in default; each value
// is resolved where it was before the file existed (dirs.ts, context.ts, api-client.ts), with the
// file's value as one more fallback.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Document, isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import type { Command } from 'commander';
import { SpyglassError, errorText } from '../core/errors.ts';

export interface SpyglassConfig {
  server?: string;
  token?: string;
  platform?: string;
  cacheDir?: string;
  dataDir?: string;
  /** Default --format per command name (`format.cves: sarif`). */
  format?: Record<string, string>;
  /** Registry host → mirror host. */
  registryMirrors?: Record<string, string>;
}

export interface LoadedConfig {
  path: string;
  values: SpyglassConfig;
}

const SCHEMA_URL = new URL('../../docs/config.schema.json', import.meta.url);
let validator: ValidateFunction<SpyglassConfig> | undefined;

export function configSchema(): { properties: Record<string, { properties?: Record<string, { enum?: string[] }> }> } {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as ReturnType<typeof configSchema>;
}

function validate(): ValidateFunction<SpyglassConfig> {
  validator ??= new Ajv2020({ allErrors: false }).compile<SpyglassConfig>(configSchema() as object);
  return validator;
}

/** $SPYGLASS_CONFIG, else $XDG_CONFIG_HOME/spyglass/config.yaml, else ~/.config/spyglass/config.yaml. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPYGLASS_CONFIG) return env.SPYGLASS_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'spyglass', 'config.yaml');
}

/** The file as a YAML document (comments kept for `config set`); syntax errors name the file and line. An absent file is an empty document. */
export function readConfigDocument(path: string): { document: Document; lines: LineCounter } {
  const lines = new LineCounter();
  if (!existsSync(path)) return { document: new Document(), lines };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SpyglassError(`${path}: cannot read the configuration file: ${errorText(error)}`);
  }
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const [first] = document.errors;
  if (first !== undefined) {
    throw new SpyglassError(`${path}:${lines.linePos(first.pos[0]).line}: malformed YAML: ${first.message.split('\n')[0]}`);
  }
  return { document, lines };
}

/** Checks a document against docs/config.schema.json; the first problem names the file, the line and the key. */
export function checkConfigDocument(document: Document, lines: LineCounter, path: string): SpyglassConfig {
  const values: unknown = document.toJS() ?? {};
  if (validate()(values)) return values;
  const error = validate().errors![0]!;
  const at = error.instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = document.getIn(at, true) as Node | undefined;
  let key = at.join('.');
  let problem: string;
  if (error.keyword === 'additionalProperties') {
    const name = (error.params as { additionalProperty: string }).additionalProperty;
    node = keyNode(node, name) ?? node;
    key = [...at, name].join('.');
    const known = Object.keys((at.length === 0 ? configSchema().properties : configSchema().properties[at[0]!]?.properties) ?? {});
    problem = `unknown key "${key}"${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
  } else if (error.propertyName !== undefined || error.keyword === 'propertyNames') {
    // ajv reports a bad key of a map as the failing keyword with `propertyName` set.
    const name = error.propertyName ?? (error.params as { propertyName: string }).propertyName;
    node = keyNode(node, name) ?? node;
    problem = `${key}: "${name}" is not a registry host (host[:port])`;
  } else {
    problem = `${key === '' ? 'the file' : key}: ${describe(error, at[0])}`;
  }
  const line = node?.range ? lines.linePos(node.range[0]).line : 1;
  throw new SpyglassError(`${path}:${line}: ${problem}`);
}

/** The key node of `name` in a map, where the line of an unknown or malformed key is. */
function keyNode(map: Node | undefined, name: string): Node | undefined {
  const pair = isMap(map) ? map.items.find((item) => isScalar(item.key) && String(item.key.value) === name) : undefined;
  return pair !== undefined && isScalar(pair.key) ? pair.key : undefined;
}

const EXPECTED_FORM: Record<string, string> = {
  server: 'expected an http:// or https:// URL',
  platform: 'expected os/arch[/variant], e.g. linux/arm64',
  registryMirrors: 'expected a mirror host[:port], e.g. mirror.example.com:5000',
};

function describe(error: ErrorObject, topKey: string | undefined): string {
  if (error.keyword === 'enum') return `expected one of ${(error.params as { allowedValues: string[] }).allowedValues.join(', ')}`;
  if (error.keyword === 'type') return `expected a ${(error.params as { type: string }).type === 'object' ? 'map' : (error.params as { type: string }).type}`;
  if (error.keyword === 'pattern') return EXPECTED_FORM[topKey ?? ''] ?? 'not in the expected form (see docs/config.md)';
  return error.message ?? 'invalid';
}

/** The configuration in effect: the file at configPath(env), validated; {} when there is none. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = configPath(env);
  const { document, lines } = readConfigDocument(path);
  const values = checkConfigDocument(document, lines, path);
  for (const key of ['cacheDir', 'dataDir'] as const) {
    const value = values[key];
    if (value !== undefined && (value === '~' || value.startsWith('~/'))) values[key] = join(homedir(), value.slice(1));
  }
  return { path, values };
}

/** Writes the document next to its final place and renames it there, so a reader never sees half a file; mode 0600 because it may hold a token. */
export function writeConfigDocument(path: string, document: Document): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  const text = document.contents === null ? '' : document.toString();
  try {
    writeFileSync(temporary, text, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  } catch (error) {
    throw new SpyglassError(`${path}: cannot write the configuration file: ${errorText(error)}`);
  }
}

/**
 * A key as the `config` command names it: `server`, `format.cves`, `registryMirrors.docker.io`.
 * Only the first dot separates, because registry hosts have dots of their own.
 */
export function keyPath(key: string): string[] {
  const path = splitKey(key);
  const properties = configSchema().properties;
  const top = properties[path[0]!];
  const known = Object.keys(properties);
  if (top === undefined) throw new SpyglassError(`unknown configuration key "${key}" (known: ${known.join(', ')})`);
  const nested = path[0] === 'format' || path[0] === 'registryMirrors';
  if (nested && path.length === 1 && path[0] === 'format') throw new SpyglassError(`"format" is a map: name the command, e.g. format.cves`);
  if (nested && path.length === 1) throw new SpyglassError(`"registryMirrors" is a map: name the registry, e.g. registryMirrors.docker.io`);
  if (!nested && path.length > 1) throw new SpyglassError(`unknown configuration key "${key}": ${path[0]} has no sub-keys`);
  return path;
}

function splitKey(key: string): string[] {
  const dot = key.indexOf('.');
  return dot === -1 ? [key] : [key.slice(0, dot), key.slice(dot + 1)];
}

/**
 * Sets (a string) or removes (undefined) keys and writes the file back once, refusing a value the
 * schema does not allow. Comments and the order of the other keys stay as they were. Returns the
 * keys that changed.
 */
export function updateConfig(path: string, changes: Record<string, string | undefined>): string[] {
  const { document } = readConfigDocument(path);
  const changed: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    // A key the schema does not know can still be removed: that is how a user mends the file.
    const at = value === undefined && document.hasIn(splitKey(key)) ? splitKey(key) : keyPath(key);
    if (value === undefined) {
      if (!document.hasIn(at)) continue;
      document.deleteIn(at);
      const parent = at.length > 1 ? document.getIn([at[0]!]) : undefined;
      if (isMap(parent) && parent.items.length === 0) document.deleteIn([at[0]!]);
    } else {
      document.setIn(at, value);
    }
    changed.push(key);
  }
  if (changed.length === 0) return changed;
  // The edited document's positions are not those of a file: check it as the text that will be written.
  const text = document.contents === null ? '' : document.toString();
  const lines = new LineCounter();
  checkConfigDocument(parseDocument(text, { lineCounter: lines }), lines, path);
  writeConfigDocument(path, document);
  return changed;
}

/** Where the file's values apply as option defaults: `format.<command>` and `platform` for the commands that open an image. */
export function applyConfiguredDefaults(command: Command, config: SpyglassConfig): void {
  const has = (flag: string) => command.options.some((option) => option.long === flag);
  const topLevel = command.parent !== null && command.parent.parent === null;
  const format = config.format?.[command.name()];
  if (format !== undefined && topLevel && has('--format') && command.getOptionValueSource('format') === 'default') {
    command.setOptionValueWithSource('format', format, 'config');
  }
  // --ref goes with --platform only on the commands that select one image (addImageSelectionOptions).
  if (config.platform !== undefined && has('--platform') && has('--ref') && command.getOptionValueSource('platform') === undefined) {
    command.setOptionValueWithSource('platform', config.platform, 'config');
  }
}

/** Values as `config list` shows them: one dotted key per line, the token shortened. */
export function flattenConfig(values: SpyglassConfig): [string, string][] {
  const rows: [string, string][] = [];
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'object' && value !== null) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, string>)) rows.push([`${key}.${inner}`, innerValue]);
    } else {
      rows.push([key, key === 'token' ? maskToken(String(value)) : String(value)]);
    }
  }
  return rows;
}

export function maskToken(token: string): string {
  return token.length <= 8 ? '****' : `${token.slice(0, 8)}…`;
}
