// SSVC decision points (https://certcc.github.io/SSVC/) as CISA's ADP publishes them: kept as one
// severity entry whose rating lists the decision points in CISA's order and spelling, e.g.
// `Exploitation:active;Automatable:no;Technical Impact:total`. The model has no SSVC field; a
// rating string keeps them without changing the contract.
import type { SeverityEntry } from '../../model.ts';

export const SSVC_BY = 'cisa-adp-ssvc';

/** NVD's API spells CISA's decision points in camel case (`ssvcV203.ssvcData.options`). */
const NVD_NAMES: Record<string, string> = {
  exploitation: 'Exploitation',
  automatable: 'Automatable',
  technicalImpact: 'Technical Impact',
};

/**
 * The severity entry for an SSVC `options` list (`[{Exploitation: 'none'}, {Automatable: 'yes'}, …]`),
 * or undefined when the list is not one.
 */
export function ssvcSeverity(options: unknown, by: string = SSVC_BY): SeverityEntry | undefined {
  if (!Array.isArray(options) || options.length === 0) return undefined;
  const points: string[] = [];
  for (const option of options as unknown[]) {
    if (option === null || typeof option !== 'object') return undefined;
    for (const [name, value] of Object.entries(option)) {
      if (typeof value !== 'string') return undefined;
      points.push(`${NVD_NAMES[name] ?? name}:${value}`);
    }
  }
  return points.length > 0 ? { by, rating: points.join(';') } : undefined;
}
