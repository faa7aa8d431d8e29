// Amazon Linux releases as ALAS names them: the updateinfo `<collection short>`, the web pages' product
// name and folder, the advisory id prefix, and the namespace the matcher looks packages up in
// (src/match/data/distributions.json: os-release ID `amzn`, release = first number of VERSION_ID, so the
// Amazon Linux AMI, VERSION_ID "2018.03", is `amazon:2018`, as end-of-life.json names it).
import type { Namespace } from '../../model.ts';

export interface AmazonRelease {
  /** `<collection short="…">` in updateinfo.xml. */
  collection: string;
  /** As the ALAS pages write it: "Amazon Linux 2 Security Advisory:". */
  product: string;
  /** The folder of alas.aws.amazon.com the release's pages and RSS live in ('' for the AMI). */
  folder: string;
  /** `ALAS2023-2023-001`: updateinfo's and the page headings' prefix. */
  idPrefix: string;
  namespace: Namespace;
}

export const AMAZON_RELEASES: readonly AmazonRelease[] = [
  { collection: 'amazon-linux-ami', product: 'Amazon Linux AMI', folder: '', idPrefix: 'ALAS', namespace: 'amazon:2018' },
  { collection: 'amazon-linux-2', product: 'Amazon Linux 2', folder: 'AL2', idPrefix: 'ALAS2', namespace: 'amazon:2' },
  { collection: 'amazon-linux-2022', product: 'Amazon Linux 2022', folder: 'AL2022', idPrefix: 'ALAS2022', namespace: 'amazon:2022' },
  { collection: 'amazon-linux-2023', product: 'Amazon Linux 2023', folder: 'AL2023', idPrefix: 'ALAS2023', namespace: 'amazon:2023' },
];

/**
 * Extras topics (`amazon-linux-2---kernel-5.15`, `amazon-linux-2023---kernel-livepatch`, `---nvidia`) are
 * separate repositories whose packages replace or sit beside the core release's: they are not read, as
 * Trivy keeps them out of its Amazon Linux data, and counted as skipped with this reason.
 */
export function isExtrasCollection(collection: string): boolean {
  return collection.includes('---');
}

export const releaseByCollection = (collection: string): AmazonRelease | undefined => AMAZON_RELEASES.find((release) => release.collection === collection);
export const releaseByProduct = (product: string): AmazonRelease | undefined => AMAZON_RELEASES.find((release) => release.product === product);
export const releaseByFolder = (folder: string): AmazonRelease | undefined => AMAZON_RELEASES.find((release) => release.folder === folder);

const SHORT_ID = /^ALAS-(\d{4}-\d+)$/;
const RELEASE_ID = /^ALAS(?:2|2022|2023)?-\d{4}-\d+$/;

/**
 * The id updateinfo gives an advisory (`ALAS2-2018-939`). The web pages and RSS of AL2 and later write the
 * short form (`ALAS-2018-939`) under the release's folder; the release's prefix makes it the same id.
 */
export function canonicalAlasId(id: string, release: AmazonRelease): string | undefined {
  const short = SHORT_ID.exec(id);
  if (short) return `${release.idPrefix}-${short[1]}`;
  return RELEASE_ID.test(id) && id.startsWith(`${release.idPrefix}-`) ? id : undefined;
}

/** The ratings ALAS uses (lower case; AL2023's updateinfo and the pages capitalise them). */
export const ALAS_SEVERITIES: ReadonlySet<string> = new Set(['critical', 'important', 'medium', 'low']);

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
