// What every report format takes besides the VulnerabilityReport: the `spyglass cves` flags that
// change what is shown. Formats that have no use for a field ignore it.

export interface RenderOptions {
  /** Show findings that a VEX statement or an ignore entry suppressed, marked as such (`--show-suppressed`). */
  showSuppressed: boolean;
  /** Show where each package was found: metadata path and layer (`--locations`). */
  locations: boolean;
  /** Show why each finding matched: every MatchReason, the rating's source, the summary (`--details`). */
  details: boolean;
  /** Show EPSS score and percentile (`--epss`). */
  epss: boolean;
  /** ANSI colours in text formats; the CLI sets it when stdout is a terminal. Absent means none. */
  color?: boolean;
  /** The filter flags the findings went through, as given (`--only-severity critical,high`), for formats that state them. */
  filters?: readonly string[];
}
