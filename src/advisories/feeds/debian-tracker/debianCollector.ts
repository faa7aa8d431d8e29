// Gathers the Debian tracker's records over a whole input: one Advisory per CVE although data/json
// lists a CVE under each source package it touches, and the DSA/DLA fixes that CVE-list entries rely on.
import type { Advisory, RecordSink } from '../../model.ts';

/** A `[release] - package version` line of a DSA or DLA that names the CVE. */
export interface AdvisoryFix {
  advisory: string;
  release: string;
  packageName: string;
  version: string;
}

export class DebianCollector {
  private readonly advisories = new Map<string, Advisory>();
  /** CVE id → fixes announced by DSA/DLA entries in the input. */
  readonly fixes = new Map<string, AdvisoryFix[]>();

  advisory(id: string): Advisory {
    let advisory = this.advisories.get(id);
    if (!advisory) {
      advisory = { source: 'debian-tracker', id, aliases: [], severity: [], references: [`https://security-tracker.debian.org/tracker/${id}`], affected: [] };
      this.advisories.set(id, advisory);
    }
    return advisory;
  }

  addFix(cve: string, fix: AdvisoryFix): void {
    const list = this.fixes.get(cve) ?? [];
    list.push(fix);
    this.fixes.set(cve, list);
  }

  flush(sink: RecordSink): void {
    for (const advisory of this.advisories.values()) {
      advisory.references = [...new Set(advisory.references)];
      advisory.aliases = [...new Set(advisory.aliases)];
      sink.advisory(advisory);
    }
    this.advisories.clear();
  }
}
