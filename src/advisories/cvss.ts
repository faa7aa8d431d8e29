// CVSS vectors: validated strictly here, scored by ae-cvss-calculator (metæffekt's calculator, which
// covers v2, v3.0, v3.1 and v4.0). The library itself is lenient — it ignores unknown metrics, keeps
// the last of a repeated metric and scores an incomplete vector as 0 — so the structure is checked
// first against the specifications' base metric lists:
//   v2   https://www.first.org/cvss/v2/guide#2-4-Base-Temporal-and-Environmental-Vectors
//   v3.x https://www.first.org/cvss/v3.1/specification-document#Vector-String
//   v4.0 https://www.first.org/cvss/v4.0/specification-document#Vector-String
import { createRequire } from 'node:module';
import type cvssLibrary from 'ae-cvss-calculator';
import type { CvssVersion, SeverityEntry } from './model.ts';

// The package is a CommonJS bundle, loaded on first use: a scan whose stored entries all carry their
// score (ingest scores every vector it keeps) never loads it, which saves a CLI run tens of milliseconds.
let library: typeof cvssLibrary | undefined;
function calculators(): typeof cvssLibrary {
  library ??= createRequire(import.meta.url)('ae-cvss-calculator') as typeof cvssLibrary;
  return library;
}

export class InvalidCvssVectorError extends Error {
  constructor(vector: string, why: string) {
    super(`invalid CVSS vector ${JSON.stringify(vector)}: ${why}`);
    this.name = 'InvalidCvssVectorError';
  }
}

export interface CvssScore {
  version: CvssVersion;
  /** The vector as given (v2 without surrounding parentheses). */
  vector: string;
  /** The base score, one decimal. */
  score: number;
  /** The qualitative rating of the base score, upper case as NVD writes it. */
  rating: string;
}

const BASE_METRICS: Record<CvssVersion, readonly string[]> = {
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

/** The version a vector declares (`CVSS:3.1/…`), or 2.0 for a prefix-less v2 vector (`AV:N/AC:L/Au:N/…`). */
export function cvssVersionOf(vector: string): CvssVersion | undefined {
  const prefix = /^CVSS:(\d\.\d)\//.exec(vector.trim());
  if (prefix) return isCvssVersion(prefix[1]) ? prefix[1] : undefined;
  return /^\(?AV:[LAN]\/AC:[HML]\/Au:/.test(vector.trim()) ? '2.0' : undefined;
}

export function isCvssVersion(value: unknown): value is CvssVersion {
  return value === '2.0' || value === '3.0' || value === '3.1' || value === '4.0';
}

/**
 * The qualitative rating of a base score. v3.x and v4.0 share FIRST's scale (None/Low/Medium/High/
 * Critical); v2 has none of its own, NVD's (Low < 4, Medium < 7, High) is the one everyone uses.
 */
export function cvssRating(score: number, version: CvssVersion): string {
  if (version === '2.0') return score < 4 ? 'LOW' : score < 7 ? 'MEDIUM' : 'HIGH';
  if (score === 0) return 'NONE';
  return score < 4 ? 'LOW' : score < 7 ? 'MEDIUM' : score < 9 ? 'HIGH' : 'CRITICAL';
}

/**
 * Validates a vector and computes its base score. `version`, when the source states one, must agree
 * with the vector's own prefix. Throws InvalidCvssVectorError.
 */
export function scoreCvss(vector: string, version?: CvssVersion): CvssScore {
  // NVD's ~250k CVEs share a few thousand distinct vectors, and the calculator costs ~0.2 ms each:
  // results (and failures) are kept by vector, the cache cleared when full rather than tracking recency.
  const key = `${version ?? ''} ${vector}`;
  let known = scored.get(key);
  if (known === undefined) {
    try {
      known = computeCvss(vector, version);
    } catch (error) {
      known = error as Error;
    }
    if (scored.size >= 20_000) scored.clear();
    scored.set(key, known);
  }
  if (known instanceof Error) throw known;
  return { ...known };
}

const scored = new Map<string, CvssScore | Error>();

/**
 * The vector's structure checked against the specification's base metrics, without scoring it: its
 * version and the vector as it is scored (v2 without parentheses). Throws InvalidCvssVectorError.
 */
export function checkCvssVector(vector: string, version?: CvssVersion): { version: CvssVersion; text: string; parts: string[] } {
  let text = vector.trim();
  const declared = cvssVersionOf(text);
  if (!declared) throw new InvalidCvssVectorError(vector, 'no CVSS version prefix (CVSS:3.1/…) and not a v2 vector');
  if (version && version !== declared) throw new InvalidCvssVectorError(vector, `the source says version ${version}`);
  if (declared === '2.0' && text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1);
  const parts = text.split('/');
  if (declared === '2.0' && parts[0] === 'CVSS:2.0') parts.shift();
  else if (declared !== '2.0') parts.shift();
  const seen = new Set<string>();
  for (const part of parts) {
    const metric = /^([A-Za-z]+):([A-Za-z]+)$/.exec(part);
    if (!metric) throw new InvalidCvssVectorError(vector, `malformed metric ${JSON.stringify(part)}`);
    if (seen.has(metric[1])) throw new InvalidCvssVectorError(vector, `metric ${metric[1]} given twice`);
    seen.add(metric[1]);
  }
  const missing = BASE_METRICS[declared].filter((metric) => !seen.has(metric));
  if (missing.length > 0) throw new InvalidCvssVectorError(vector, `missing base metric ${missing.join(', ')}`);
  return { version: declared, text, parts };
}

function computeCvss(vector: string, version?: CvssVersion): CvssScore {
  const { version: declared, text, parts } = checkCvssVector(vector, version);

  let calculator;
  try {
    calculator = newCalculator(declared, text);
    for (const part of parts) {
      // The library accepts metric names from other versions silently; an unknown one is an error here.
      if (!calculator.findComponent(part.split(':')[0])) throw new Error(`unknown metric ${part.split(':')[0]}`);
    }
  } catch (error) {
    throw new InvalidCvssVectorError(vector, (error as Error).message);
  }
  if (!calculator.isBaseFullyDefined()) throw new InvalidCvssVectorError(vector, 'a base metric is not defined');
  const base = calculator.calculateScores().base;
  if (base === undefined || Number.isNaN(base)) throw new InvalidCvssVectorError(vector, 'no base score');
  const score = Math.round(base * 10) / 10;
  return { version: declared, vector: text, score, rating: cvssRating(score, declared) };
}

function newCalculator(version: CvssVersion, vector: string) {
  const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = calculators();
  switch (version) {
    case '2.0':
      return new Cvss2(vector);
    case '3.0':
      return new Cvss3P0(vector);
    case '3.1':
      return new Cvss3P1(vector);
    case '4.0':
      return new Cvss4P0(vector);
  }
}

/**
 * A severity entry for a vector a source published: the vector is validated (throws
 * InvalidCvssVectorError), the source's own score and rating are kept when it gives them, and are
 * computed from the vector when it does not.
 */
export function cvssSeverity(by: string, vector: string, given: { version?: string; score?: unknown; rating?: unknown } = {}): SeverityEntry {
  const version = given.version === '2' ? '2.0' : given.version;
  if (version !== undefined && !isCvssVersion(version)) throw new InvalidCvssVectorError(vector, `unknown CVSS version ${version}`);
  const computed = scoreCvss(vector, version);
  const score = typeof given.score === 'number' && Number.isFinite(given.score) ? given.score : computed.score;
  const rating = typeof given.rating === 'string' && given.rating !== '' ? given.rating : cvssRating(score, computed.version);
  return { by, cvssVersion: computed.version, vector: computed.vector, score, rating };
}
