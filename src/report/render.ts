// One way in to every vulnerability report format: `render(report, format, options)`.
import type { VulnerabilityReport } from '../core/finding.ts';
import { renderCyclonedx } from './cyclonedx.ts';
import { renderGitlab } from './gitlab.ts';
import { renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import { renderOnlyPackages } from './only-packages.ts';
import type { RenderOptions } from './options.ts';
import { renderPackages } from './packages.ts';
import { renderSarif } from './sarif.ts';
import { renderSpdx } from './spdx.ts';

const RENDERERS = {
  packages: renderPackages,
  'only-packages': renderOnlyPackages,
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
  gitlab: renderGitlab,
  cyclonedx: renderCyclonedx,
  spdx: renderSpdx,
} as const satisfies Record<string, (report: VulnerabilityReport, options: RenderOptions) => string>;

export type ReportFormat = keyof typeof RENDERERS;

export const REPORT_FORMATS = Object.keys(RENDERERS) as ReportFormat[];

export function render(report: VulnerabilityReport, format: ReportFormat, options: RenderOptions): string {
  return RENDERERS[format](report, options);
}
