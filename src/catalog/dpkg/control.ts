// Debian control-file syntax (deb822), as dpkg's status file and DEP-5 copyright files use it:
// https://www.debian.org/doc/debian-policy/ch-controlfields.html#syntax-of-control-files
// Paragraphs are separated by blank lines; a field is `Name: value`; a line starting with a space or
// a tab continues the previous field.

export interface Paragraph {
  /** Field names as written (case kept); look fields up with `field()`. */
  fields: Map<string, string>;
  /** 1-based line where the paragraph starts, for messages. */
  line: number;
}

export interface ParsedControl {
  paragraphs: Paragraph[];
  warnings: string[];
}

export interface ControlLimits {
  /** A paragraph longer than this is skipped (with a warning) instead of being kept. */
  maxParagraphBytes: number;
  /** At most this many warnings are kept; the rest are counted. */
  maxWarnings: number;
}

const DEFAULT_LIMITS: ControlLimits = { maxParagraphBytes: 1024 * 1024, maxWarnings: 50 };

/** A warning list that keeps its first `max` messages and ends with how many more there were. */
export function boundedWarnings(max: number, warnings: string[] = []) {
  let dropped = 0;
  return {
    warnings,
    warn(message: string) {
      if (warnings.length < max) warnings.push(message);
      else dropped++;
    },
    finish() {
      if (dropped > 0) warnings.push(`${dropped} more warnings`);
      dropped = 0;
    },
  };
}

/** Field names are case-insensitive (policy 5.1). */
export function field(paragraph: Paragraph, name: string): string | undefined {
  const exact = paragraph.fields.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [key, value] of paragraph.fields) if (key.toLowerCase() === lower) return value;
  return undefined;
}

const FIELD = /^([^\s:#-][^\s:]*):[ \t]*(.*)$/;

export function parseControl(text: string, limits: Partial<ControlLimits> = {}): ParsedControl {
  const { maxParagraphBytes, maxWarnings } = { ...DEFAULT_LIMITS, ...limits };
  const paragraphs: Paragraph[] = [];
  const { warnings, warn, finish } = boundedWarnings(maxWarnings);

  let current: Paragraph | undefined;
  let currentField: string | undefined;
  let currentBytes = 0;
  let oversized = false;
  const close = () => {
    if (current && !oversized && current.fields.size > 0) paragraphs.push(current);
    current = undefined;
    currentField = undefined;
    currentBytes = 0;
    oversized = false;
  };

  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      close();
      continue;
    }
    if (!current) current = { fields: new Map(), line: index + 1 };
    if (oversized) continue;
    currentBytes += line.length + 1;
    if (currentBytes > maxParagraphBytes) {
      warn(`line ${current.line}: paragraph longer than ${maxParagraphBytes} bytes, skipped`);
      oversized = true;
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (currentField === undefined) {
        warn(`line ${index + 1}: continuation line without a field`);
        continue;
      }
      current.fields.set(currentField, `${current.fields.get(currentField)}\n${line.trim()}`);
      continue;
    }
    const match = FIELD.exec(line);
    if (!match) {
      warn(`line ${index + 1}: not a field (no colon): ${JSON.stringify(line.slice(0, 60))}`);
      currentField = undefined;
      continue;
    }
    currentField = match[1]!;
    if (current.fields.has(currentField)) warn(`line ${index + 1}: duplicate field ${currentField}`);
    current.fields.set(currentField, match[2]!.trim());
  }
  close();
  finish();
  return { paragraphs, warnings };
}
