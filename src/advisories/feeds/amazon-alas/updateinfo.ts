// yum's updateinfo.xml as Amazon Linux publishes it in each release's repository (gzip-compressed in
// repodata/): `<updates>` of `<update type="security">` with `<id>` (ALAS2023-2023-001), `<title>`,
// `<issued date>`, `<updated date>`, `<severity>`, `<description>`, `<references><reference type="cve"
// id href>` and `<pkglist><collection short><package name epoch version release arch>`. Each update is
// read as one ALAS-keyed advisory with its CVEs as aliases; the feed splits it per CVE (rows.ts perCve).
import type { Advisory, RecordSink } from '../../model.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';
import { childNamed, childrenNamed, localName, type XmlElement } from '../mariner-oval/xml.ts';
import { ALAS_SEVERITIES, CVE_ID, isExtrasCollection, releaseByCollection, type AmazonRelease } from './releases.ts';
import { displayEvr, fixedRows, type FixedPackage } from './rows.ts';

const ALAS_ID = /^ALAS[\w.-]*-\d{4}-\d+$/;

type Read<T> = { value: T } | { problem: string };

const text = (element: XmlElement | undefined): string | undefined => {
  const value = element?.text.trim();
  return value === undefined || value === '' ? undefined : value;
};

function readUpdate(update: XmlElement): Read<Advisory> {
  const id = text(childNamed(update, 'id'));
  if (id === undefined || !ALAS_ID.test(id)) return { problem: `update id ${JSON.stringify(id ?? '')} is not an ALAS id` };
  if (update.attributes.type !== undefined && update.attributes.type !== 'security') return { problem: `update type ${JSON.stringify(update.attributes.type)} is not security` };
  const collections = childNamed(update, 'pkglist') ? childrenNamed(childNamed(update, 'pkglist')!, 'collection') : [];
  if (collections.length === 0) return { problem: 'no pkglist collection' };
  let release: AmazonRelease | undefined;
  const packages: FixedPackage[] = [];
  for (const collection of collections) {
    const short = collection.attributes.short ?? '';
    if (isExtrasCollection(short)) return { problem: `extras repository ${JSON.stringify(short)} is not read (not a release's core repository)` };
    const known = releaseByCollection(short);
    if (known === undefined) return { problem: `unknown collection ${JSON.stringify(short)}` };
    if (release !== undefined && release !== known) return { problem: `collections of two releases (${release.collection}, ${known.collection})` };
    release = known;
    for (const pkg of childrenNamed(collection, 'package')) {
      const { name, epoch, version, release: rel } = pkg.attributes;
      if (!name || !version || !rel) return { problem: `package without name, version or release in ${short}` };
      const evr = displayEvr(epoch, version, rel);
      if ((epoch !== undefined && !/^\d+$/.test(epoch)) || !rpm.valid(evr)) return { problem: `package ${name}: invalid rpm version ${JSON.stringify(`${epoch ?? ''}:${version}-${rel}`)}` };
      packages.push({ name, evr });
    }
  }
  if (release === undefined || packages.length === 0) return { problem: 'no packages' };
  if (!id.startsWith(`${release.idPrefix}-`) || (release.idPrefix === 'ALAS' && !/^ALAS-\d{4}-\d+$/.test(id))) {
    return { problem: `id ${id} does not belong to ${release.collection}` };
  }
  const severity = text(childNamed(update, 'severity'))?.toLowerCase();
  if (severity !== undefined && !ALAS_SEVERITIES.has(severity)) return { problem: `unknown severity ${JSON.stringify(severity)}` };
  const references = childNamed(update, 'references');
  const cveRefs = (references ? childrenNamed(references, 'reference') : []).filter((ref) => ref.attributes.type === 'cve');
  const cves = [...new Set(cveRefs.map((ref) => ref.attributes.id ?? ''))];
  const bad = cves.find((cve) => !CVE_ID.test(cve));
  if (bad !== undefined) return { problem: `malformed CVE id ${JSON.stringify(bad)}` };
  const advisory: Advisory = {
    source: 'amazon-alas',
    id,
    aliases: cves,
    severity: severity === undefined ? [] : [{ by: 'amazon', rating: severity }],
    references: (references ? childrenNamed(references, 'reference') : []).map((ref) => ref.attributes.href ?? '').filter((href) => href !== ''),
    affected: fixedRows(release.namespace, packages),
  };
  const summary = text(childNamed(update, 'title'));
  const details = text(childNamed(update, 'description'));
  const published = childNamed(update, 'issued')?.attributes.date;
  const modified = childNamed(update, 'updated')?.attributes.date;
  if (summary !== undefined) advisory.summary = summary;
  if (details !== undefined) advisory.details = details;
  if (published) advisory.published = published;
  if (modified) advisory.modified = modified;
  return { value: advisory };
}

/** Every `<update>` of one updateinfo document; one that cannot be read is skipped with the reason. */
export function readUpdateinfo(root: XmlElement, where: string, sink: RecordSink): Advisory[] {
  if (localName(root.name) !== 'updates') {
    sink.skipped({ where, reason: `not an updateinfo document (root <${root.name}>)` });
    return [];
  }
  const advisories: Advisory[] = [];
  for (const [position, update] of root.children.entries()) {
    const id = text(childNamed(update, 'id'));
    const at = `${where} ${id ?? `update[${position}]`}`;
    if (localName(update.name) !== 'update') {
      sink.skipped({ where: at, reason: `<${update.name}> is not an update` });
      continue;
    }
    const read = readUpdate(update);
    if ('problem' in read) sink.skipped({ where: at, reason: read.problem });
    else advisories.push(read.value);
  }
  return advisories;
}
