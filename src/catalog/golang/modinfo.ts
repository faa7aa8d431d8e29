// The module text inside a Go binary, in the line format `go version -m` prints and Go's
// runtime/debug.ParseBuildInfo reads (https://go.dev/src/runtime/debug/mod.go): tab-separated
// `path`, `mod`, `dep`, `=>` (replaces the module on the line before) and `build key=value` lines.

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  /** The module this one replaced (`=>` line): the binary was built with this one instead. */
  replaces?: { path: string; version: string };
}

export interface GoModInfo {
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  /** Build settings in order (`-ldflags`, `vcs.revision`, `GOOS`…), values unquoted. */
  settings: [string, string][];
}

/** Go quotes keys and values with strconv.Quote (a JSON-compatible escape set for what it writes) or backquotes. */
function unquote(text: string): string {
  if (text.startsWith('`') && text.endsWith('`') && text.length >= 2) return text.slice(1, -1);
  if (text.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'string') return value;
    } catch {
      // \x and \u{...} escapes are Go-only: keep the text as written.
    }
  }
  return text;
}

function moduleFrom(fields: string[]): GoModule {
  const module: GoModule = { path: fields[1] ?? '', version: fields[2] ?? '' };
  if (fields[3]) module.sum = fields[3];
  return module;
}

function parseSetting(text: string): [string, string] | undefined {
  let key: string;
  let rest: string;
  if (text.startsWith('"') || text.startsWith('`')) {
    const match = /^("(?:[^"\\]|\\.)*"|`[^`]*`)=/.exec(text);
    if (!match) return undefined;
    key = unquote(match[1]!);
    rest = text.slice(match[0].length);
  } else {
    const at = text.indexOf('=');
    if (at <= 0) return undefined;
    key = text.slice(0, at);
    rest = text.slice(at + 1);
  }
  return [key, unquote(rest)];
}

export function parseModInfo(text: string): GoModInfo {
  const info: GoModInfo = { deps: [], settings: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split('\t');
    switch (fields[0]) {
      case 'path':
        info.path = fields[1];
        break;
      case 'mod':
        info.main = last = moduleFrom(fields);
        break;
      case 'dep':
        last = moduleFrom(fields);
        info.deps.push(last);
        break;
      case '=>':
        if (last && !last.replaces) {
          const replacement = moduleFrom(fields);
          last.replaces = { path: last.path, version: last.version };
          last.path = replacement.path;
          last.version = replacement.version;
          if (replacement.sum) last.sum = replacement.sum;
          else delete last.sum;
        }
        break;
      case 'build': {
        const setting = parseSetting(fields.slice(1).join('\t'));
        if (setting) info.settings.push(setting);
        break;
      }
      default:
        break;
    }
  }
  return info;
}

/**
 * The version an `-ldflags "-X main.version=v1.2.3"` setting stamped into the program, as trivy
 * reads it for a main module built outside version control (`(devel)`).
 */
export function ldflagsVersion(ldflags: string, modulePath: string): string | undefined {
  const pattern = /-X(?:=|\s+)(?:'([^']*)'|"([^"]*)"|(\S+))/g;
  for (const match of ldflags.matchAll(pattern)) {
    const assignment = match[1] ?? match[2] ?? match[3] ?? '';
    const at = assignment.indexOf('=');
    if (at < 0) continue;
    const key = assignment.slice(0, at).toLowerCase();
    const value = assignment.slice(at + 1);
    const versionKey = key.endsWith('main.version') || key.endsWith('main.ver')
      || (key.startsWith(modulePath.toLowerCase()) && (key.endsWith('.version') || key.endsWith('.ver')));
    if (versionKey && /^v?\d/.test(value)) return value;
  }
  return undefined;
}
