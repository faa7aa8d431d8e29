// One way in to every vulnerability report format: `render(report, format, options)`. Each format's
// module is loaded when it is asked for, so a command pays only for the one it prints.
import type { VulnerabilityReport } from '../core/finding.ts';
import type { RenderOptions } from './options.ts';

type Renderer = (report: VulnerabilityReport, options: RenderOptions) => string;

const RENDERERS = {
  packages: async () => (await import('./packages.ts')).renderPackages,
  'only-packages': async () => (await import('./only-packages.ts')).renderOnlyPackages,
  json: async () => (await import('./json.ts')).renderJson,
  sarif: async () => (await import('./sarif.ts')).renderSarif,
  markdown: async () => (await import('./markdown.ts')).renderMarkdown,
  gitlab: async () => (await import('./gitlab.ts')).renderGitlab,
  cyclonedx: async () => (await import('./cyclonedx.ts')).renderCyclonedx,
  spdx: async () => (await import('./spdx.ts')).renderSpdx,
  html: async () => (await import('./html.ts')).renderHtml,
} as const satisfies Record<string, () => Promise<Renderer>>;

export type ReportFormat = keyof typeof RENDERERS;

export const REPORT_FORMATS = Object.keys(RENDERERS) as ReportFormat[];

export async function render(report: VulnerabilityReport, format: ReportFormat, options: RenderOptions): Promise<string> {
  return (await RENDERERS[format]())(report, options);
}
