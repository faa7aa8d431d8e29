// Installed gems: RubyGems writes each installed gem's specification as Ruby source under
// `<gem home>/specifications/<name>-<version>.gemspec` (Gem::Specification#to_ruby). It is read
// with line-anchored patterns on the block variable, as trivy and syft do, never evaluated.
import type { Cataloger, CatalogFile, CatalogResult } from '../cataloger.ts';
import { normaliseLicenses } from '../license.ts';

/** `Gem::Specification.new do |s|` or `spec = Gem::Specification.new`: the variable the attributes are set on. */
function specVariable(source: string): string | undefined {
  return /Gem::Specification\.new\s+do\s*\|\s*(\w+)\s*\|/.exec(source)?.[1] ?? /^\s*(\w+)\s*=\s*Gem::Specification\.new/m.exec(source)?.[1];
}

/** The right-hand side of `VAR.attribute = …` on its own line (the last assignment wins, as in Ruby). */
function assignment(source: string, variable: string, attribute: string): string | undefined {
  const pattern = new RegExp(`^\\s*${variable}\\.${attribute}\\s*=\\s*(.+)$`, 'gm');
  let value: string | undefined;
  for (const match of source.matchAll(pattern)) value = match[1];
  return value;
}

/** String literals in a Ruby expression: `"x"`, `'x'`, `%q<x>` / `%q{x}` / `%q(x)`, with or without `.freeze`. */
function stringLiterals(expression: string): string[] {
  const literals: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|%q<([^>]*)>|%q\{([^}]*)\}|%q\(([^)]*)\)/g;
  for (const match of expression.matchAll(pattern)) {
    literals.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5] ?? '');
  }
  return literals;
}

/** A single-string attribute: `"x"`, `"x".freeze`, `Gem::Version.new("x")`; a trailing `# comment` is ignored. */
function stringValue(expression: string | undefined): string | undefined {
  if (expression === undefined) return undefined;
  const value = stringLiterals(expression)[0];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function parseGemspec(file: CatalogFile): CatalogResult {
  const source = file.content.toString('utf8');
  if (source.includes('\0')) throw new Error('binary content, not a gemspec');
  const variable = specVariable(source);
  if (!variable) throw new Error('no Gem::Specification.new block');
  const name = stringValue(assignment(source, variable, 'name'));
  if (!name) throw new Error(`no ${variable}.name in the gemspec`);
  const version = stringValue(assignment(source, variable, 'version'));
  if (!version) throw new Error(`no ${variable}.version in the gemspec`);
  const declared = [
    ...stringLiterals(assignment(source, variable, 'licenses') ?? ''),
    ...stringLiterals(assignment(source, variable, 'license') ?? ''),
  ];
  return { packages: [{ type: 'gem', name, version, licenses: normaliseLicenses(declared) }] };
}

export const gemspecCataloger: Cataloger = {
  id: 'ruby-gemspec',
  version: 1,
  // `specifications/default/` holds the default gems that ship with Ruby itself (json, openssl…): installed too.
  wants: (path) => path.endsWith('.gemspec') && /\/specifications\/(?:default\/)?[^/]+\.gemspec$/.test(path),
  maxFileBytes: 4 * 1024 * 1024,
  parse: parseGemspec,
};
