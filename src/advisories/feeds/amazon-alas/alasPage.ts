// One ALAS web page (alas.aws.amazon.com/AL2023/ALAS-2023-126.html), as Grype's vunnel reads it: the
// product line ("<b>Amazon Linux 2023 Security Advisory:</b> ALAS-2023-126"), the heading, the severity
// block, the CVE links of the References block and the "New Packages:" <pre> block, which lists the fixed
// NEVRAs per architecture:
//   <pre>aarch64:<br />&nbsp;&nbsp;&nbsp; kpartx-0.8.7-16.amzn2023.0.1.aarch64<br /><br />src:<br />…</pre>
// Only those parts are read, each by an exact pattern; a page where one of them is missing or holds
// anything else is skipped with the reason. The pages write no epoch: a package with a non-zero epoch is
// compared as epoch 0 (the updateinfo form carries epochs and is the better input).
import { releaseByProduct, canonicalAlasId, ALAS_SEVERITIES, CVE_ID, type AmazonRelease } from './releases.ts';
import type { FixedPackage } from './rows.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';

export interface AlasPage {
  id: string;
  release: AmazonRelease;
  severity: string;
  cves: string[];
  packages: FixedPackage[];
  published?: string;
  modified?: string;
}

type Read<T> = { value: T } | { problem: string };

const PRODUCT = /<b>(Amazon Linux[^<]*?) Security Advisory:<\/b>\s*(ALAS[\w.-]*)\s*</;
const HEADING = /<h1 id='[^']*'>\s*(ALAS[\w.-]*)\s*<\/h1>/;
const SEVERITY = /<div id='severity'[^>]*>\s*<b>Severity:<\/b>(?:\s*<span[^>]*>|\s*<i[^>]*><\/i>|\s*<\/span>)*\s*([A-Za-z]+)\s*<br \/>/;
const REFERENCES = /<div id='references'>([\s\S]*?)<\/div>/;
const CVE_LINK = /href='\/cve\/html\/([^'.]+)\.html'/g;
const NEW_PACKAGES = /<div id='new_packages'>\s*<b>New Packages:<\/b>\s*<pre>([\s\S]*?)<\/pre>\s*<\/div>/;
const RELEASE_DATE = /<b>Advisory Release Date:<\/b>\s*([^<]+?)\s*</;
const UPDATED_DATE = /<b>Advisory Updated Date:<\/b>\s*([^<]+?)\s*</;
const ARCH_LINE = /^([a-z0-9_]+):$/;
/** name-version-release.arch, where version and release hold no '-'. */
const NEVRA = /^(.+)-([^-\s]+)-([^-\s]+)\.([a-z0-9_]+)$/;

/** The fixed packages of the "New Packages:" block: `arch:` lines, then indented NEVRAs of that arch. */
function newPackages(block: string): Read<FixedPackage[]> {
  const lines = block.split(/<br\s*\/?>/).map((line) => line.replace(/&nbsp;/g, ' ').trim());
  const packages: FixedPackage[] = [];
  let arch: string | undefined;
  for (const line of lines) {
    if (line === '') continue;
    const header = ARCH_LINE.exec(line);
    if (header) {
      arch = header[1];
      continue;
    }
    const nevra = NEVRA.exec(line);
    if (!nevra || arch === undefined) return { problem: `New Packages: unexpected line ${JSON.stringify(line)}` };
    const [, name, version, release, lineArch] = nevra as unknown as [string, string, string, string, string];
    if (lineArch !== arch) return { problem: `New Packages: ${line} listed under ${arch}` };
    const evr = `${version}-${release}`;
    if (!rpm.valid(evr)) return { problem: `New Packages: invalid rpm version in ${line}` };
    packages.push({ name, evr });
  }
  return packages.length === 0 ? { problem: 'New Packages: no packages' } : { value: packages };
}

export function readAlasPage(html: string): Read<AlasPage> {
  const product = PRODUCT.exec(html);
  if (!product) return { problem: 'not an ALAS page (no "Security Advisory:" line)' };
  const release = releaseByProduct(product[1]!);
  if (release === undefined) return { problem: `unknown product ${JSON.stringify(product[1])}` };
  const heading = HEADING.exec(html)?.[1];
  const id = canonicalAlasId(heading ?? product[2]!, release) ?? canonicalAlasId(product[2]!, release);
  if (id === undefined) return { problem: `advisory id ${JSON.stringify(product[2])} is not one of ${release.product}` };
  const severity = SEVERITY.exec(html)?.[1]?.toLowerCase();
  if (severity === undefined || !ALAS_SEVERITIES.has(severity)) return { problem: `no known severity (${JSON.stringify(severity ?? '')})` };
  const references = REFERENCES.exec(html)?.[1];
  if (references === undefined) return { problem: 'no References block' };
  const cves = [...new Set([...references.matchAll(CVE_LINK)].map((match) => match[1]!))];
  const bad = cves.find((cve) => !CVE_ID.test(cve));
  if (bad !== undefined) return { problem: `malformed CVE id ${JSON.stringify(bad)}` };
  const block = NEW_PACKAGES.exec(html)?.[1];
  if (block === undefined) return { problem: 'no "New Packages:" block' };
  const packages = newPackages(block);
  if ('problem' in packages) return packages;
  const page: AlasPage = { id, release, severity, cves, packages: packages.value };
  const published = RELEASE_DATE.exec(html)?.[1];
  const modified = UPDATED_DATE.exec(html)?.[1];
  if (published) page.published = published;
  if (modified) page.modified = modified;
  return { value: page };
}
