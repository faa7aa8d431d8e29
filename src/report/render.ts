// One way in to every vulnerability report format: `render(report, format, options)`. Each format's
// module is loaded when it is asked for, so a command pays only for the one it prints.
import type { VulnerabilityReport } from '../core/finding.ts';
import type { HtmlQuickview } from './html.ts';
import type { RenderOptions } from './options.ts';

// The quickview's base rows are html's alone (the other formats take two arguments and never see them).
type Renderer = (report: VulnerabilityReport, options: RenderOptions, quickview?: HtmlQuickview) => string;

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

export async function render(report: VulnerabilityReport, format: ReportFormat, options: RenderOptions, quickview?: HtmlQuickview): Promise<string> {
  return (await RENDERERS[format]())(report, options, quickview);
}
