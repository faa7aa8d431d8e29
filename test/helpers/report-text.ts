// The sample report (test/helpers/report.ts) with what the text formats also show and it lacks, made
// the same way from the fixture database's rows for two more of app-bullseye's packages:
//   curl and libcurl4 7.74.0-1.3+deb11u16  CVE-2023-38545 critical (NVD's CVSS from its record), EPSS, as Debian 11's row says
//   libc6 2.31-13+deb11u11                  CVE-2023-4911 high (NVD's published 7.8, set by hand), CISA KEV, not fixed;
//                                           introduced in an earlier layer than the one its metadata was last written in
import type { AffectedRow } from '../../src/advisories/store/store.ts';
import { SqliteAdvisoryStore } from '../../src/advisories/store/sqlite.ts';
import type { Finding, Rating, VulnerabilityReport } from '../../src/core/finding.ts';
import type { Package } from '../../src/core/package.ts';
import { fixtureDatabase } from './feeds.ts';
import { sampleReport } from './report.ts';

export interface TextSample {
  report: VulnerabilityReport;
  /** The database rows the added findings were made from. */
  curlRow: AffectedRow;
  glibcRow: AffectedRow;
}

const NAMESPACE = 'debian:11';

export async function textSampleReport(): Promise<TextSample> {
  const report = await sampleReport();
  const store = SqliteAdvisoryStore.open(fixtureDatabase());
  try {
    const row = async (sourcePackage: string, id: string) => {
      const found = (await store.affected(NAMESPACE, sourcePackage)).find((candidate) => candidate.advisoryId === id);
      if (!found) throw new Error(`the fixture database has no ${id} row for ${NAMESPACE} ${sourcePackage}`);
      return found;
    };
    const pkg = (name: string) => {
      const found = report.packages.find((candidate) => candidate.type === 'deb' && candidate.name === name);
      if (!found) throw new Error(`the sample image has no deb package ${name}`);
      return found;
    };
    const finding = async (p: Package, r: AffectedRow, rating: (sources: Finding['sources']) => Rating): Promise<Finding> => {
      const sources = (await store.advisories(r.advisoryId)).filter((advisory) => advisory.id === r.advisoryId).map((advisory) => ({
        source: advisory.source, id: advisory.id, aliases: advisory.aliases, severity: advisory.severity, references: advisory.references,
        ...(advisory.summary ? { summary: advisory.summary } : {}),
      }));
      const fixed = r.affected.status === 'fixed';
      const statusReason = fixed ? undefined : r.affected.statusReason ?? (r.affected.status === 'affected' ? undefined : r.affected.status);
      const installed = p.sourceVersion ?? p.version;
      const range = fixed ? `< ${r.affected.fixedVersions[0]}` : 'all versions';
      const kev = await store.kev(r.advisoryId);
      const epss = await store.epss(r.advisoryId);
      return {
        id: r.advisoryId, aliases: [...r.aliases].sort(), packageId: p.id,
        status: fixed ? 'fixed' : 'not-fixed', ...(statusReason ? { statusReason } : {}), fixedVersions: r.affected.fixedVersions, affectedRange: range,
        matches: [{
          source: r.source, advisoryId: r.advisoryId, namespace: NAMESPACE, packageName: r.affected.packageName, rule: 'distro-source-package',
          installedVersion: installed, status: r.affected.status,
          comparison: fixed ? `${installed} < ${r.affected.fixedVersions[0]} (deb)` : `no fix in ${NAMESPACE}`,
          affectedRange: range, fixedVersions: r.affected.fixedVersions,
        }],
        sources, ...(kev ? { kev } : {}), ...(epss ? { epss } : {}), rating: rating(sources),
      };
    };
    const nvdRecord = (sources: Finding['sources']): Rating => {
      const entry = sources.find((source) => source.source === 'nvd')?.severity.find((candidate) => candidate.score !== undefined && candidate.vector);
      if (!entry?.score || !entry.vector || !entry.cvssVersion) throw new Error('no NVD CVSS in the records');
      const cvss = { score: entry.score, vector: entry.vector, version: entry.cvssVersion };
      return { level: 'critical', by: 'nvd', rating: entry.rating, cvss: { ...cvss, by: 'nvd' }, all: [{ source: 'nvd', by: 'nvd', level: 'critical', cvss }] };
    };
    const looneyTunables: Rating = {
      level: 'high', by: 'nvd', rating: 'HIGH',
      cvss: { score: 7.8, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', version: '3.1', by: 'nvd' },
      all: [{ source: 'nvd', by: 'nvd', level: 'high', rating: 'HIGH', cvss: { score: 7.8, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', version: '3.1' } }],
    };
    const curlRow = await row('curl', 'CVE-2023-38545');
    const glibcRow = await row('glibc', 'CVE-2023-4911');
    report.findings.push(
      await finding(pkg('curl'), curlRow, nvdRecord),
      await finding(pkg('libcurl4'), curlRow, nvdRecord),
      await finding(pkg('libc6'), glibcRow, () => looneyTunables),
    );
    return { report, curlRow, glibcRow };
  } finally {
    await store.close();
  }
}
