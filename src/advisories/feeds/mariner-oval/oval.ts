// One CBL-Mariner / Azure Linux OVAL document (microsoft/AzureLinuxVulnerabilityData): each
// `<definition class="vulnerability">` names one CVE (`<reference source="CVE">`) and one package
// through `criteria` → one `criterion` → `rpminfo_test` → `rpminfo_object` `<name>` and
// `rpminfo_state` `<evr datatype="evr_string" operation="less than">0:V-R</evr>` ("less than or
// equal" where no fix exists yet; Azure Linux 3.0 adds a second criterion `greater than` as the lower
// bound for a few). Anything outside that subset is skipped with its reason.
import type { Advisory, AffectedPackage, Namespace, RecordSink, SeverityEntry } from '../../model.ts';
import { rpm } from '../../../versions/rpm/rpm.ts';
import { childNamed, childrenNamed, localName, type XmlElement } from './xml.ts';

/** The file name's release: `cbl-mariner-2.0-oval.xml` → `mariner:2.0`, `azurelinux-3.0-oval.xml` → `azurelinux:3.0`. */
export const OVAL_FILE = /(?:^|\/)(cbl-mariner|azurelinux)-(\d+\.\d+)-oval[^/]*\.xml$/;

export function ovalNamespace(fileName: string): Namespace | undefined {
  const match = OVAL_FILE.exec(fileName);
  if (!match) return undefined;
  return `${match[1] === 'cbl-mariner' ? 'mariner' : 'azurelinux'}:${match[2]}`;
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

interface RpmTest {
  objectRef?: string;
  stateRef?: string;
}

interface Indexes {
  tests: Map<string, RpmTest>;
  objects: Map<string, string | undefined>;
  states: Map<string, XmlElement>;
}

function index(root: XmlElement): Indexes {
  const tests = new Map<string, RpmTest>();
  const objects = new Map<string, string | undefined>();
  const states = new Map<string, XmlElement>();
  for (const element of childNamed(root, 'tests')?.children ?? []) {
    if (localName(element.name) !== 'rpminfo_test' || !element.attributes.id) continue;
    tests.set(element.attributes.id, { objectRef: childNamed(element, 'object')?.attributes.object_ref, stateRef: childNamed(element, 'state')?.attributes.state_ref });
  }
  for (const element of childNamed(root, 'objects')?.children ?? []) {
    if (localName(element.name) !== 'rpminfo_object' || !element.attributes.id) continue;
    const name = childNamed(element, 'name')?.text.trim();
    objects.set(element.attributes.id, name === '' ? undefined : name);
  }
  for (const element of childNamed(root, 'states')?.children ?? []) {
    if (localName(element.name) === 'rpminfo_state' && element.attributes.id) states.set(element.attributes.id, element);
  }
  return { tests, objects, states };
}

/** `0:1.2.12-1.cm2` → `1.2.12-1.cm2`: epoch 0 is rpm's default, and installed versions are shown without it. */
function displayEvr(evr: string): string {
  return evr.startsWith('0:') ? evr.slice(2) : evr;
}

type Read<T> = { value: T } | { problem: string };

/** The rpminfo tests a definition's criteria hold: one criterion, or (Azure Linux 3.0) an AND of an upper and a lower bound. */
function testRefs(definition: XmlElement): Read<string[]> {
  const criteria = childrenNamed(definition, 'criteria');
  if (criteria.length !== 1) return { problem: `${criteria.length} criteria elements (one expected)` };
  const top = criteria[0] as XmlElement;
  if (top.attributes.negate === 'true') return { problem: 'negated criteria are not supported' };
  const operator = top.attributes.operator ?? 'AND';
  const criterion = top.children.filter((child) => localName(child.name) === 'criterion');
  if (criterion.length !== top.children.length || criterion.length === 0 || criterion.length > 2 || (criterion.length > 1 && operator !== 'AND')) {
    return { problem: 'criteria other than one criterion or an AND of two are not supported' };
  }
  const refs: string[] = [];
  for (const each of criterion) {
    if (each.attributes.negate === 'true') return { problem: 'a negated criterion is not supported' };
    if (!each.attributes.test_ref) return { problem: 'criterion without test_ref' };
    refs.push(each.attributes.test_ref);
  }
  return { value: refs };
}

interface Bound {
  packageName: string;
  operation: string;
  version: string;
}

function boundOf(ref: string, indexes: Indexes): Read<Bound> {
  const test = indexes.tests.get(ref);
  if (!test) return { problem: `test ${ref} is not an rpminfo_test of the document` };
  const packageName = test.objectRef === undefined ? undefined : indexes.objects.get(test.objectRef);
  if (packageName === undefined) return { problem: `test ${ref}: no rpminfo_object with a package name` };
  const state = test.stateRef === undefined ? undefined : indexes.states.get(test.stateRef);
  if (!state) return { problem: `test ${ref}: no rpminfo_state` };
  const evrs = childrenNamed(state, 'evr');
  if (evrs.length !== 1 || state.children.length !== 1) return { problem: `state ${test.stateRef}: one evr expected` };
  const evr = evrs[0] as XmlElement;
  if (evr.attributes.datatype !== 'evr_string') return { problem: `state ${test.stateRef}: evr datatype ${JSON.stringify(evr.attributes.datatype)} is not evr_string` };
  const version = evr.text.trim();
  if (!rpm.valid(version)) return { problem: `state ${test.stateRef}: invalid rpm EVR ${JSON.stringify(version)}` };
  return { value: { packageName, operation: evr.attributes.operation ?? 'equals', version: displayEvr(version) } };
}

const UPPER = new Set(['less than', 'less than or equal']);
const LOWER = new Set(['greater than', 'greater than or equal']);

function affectedOf(definition: XmlElement, indexes: Indexes, namespace: Namespace, patchable: string | undefined): Read<AffectedPackage> {
  const refs = testRefs(definition);
  if ('problem' in refs) return refs;
  const bounds: Bound[] = [];
  for (const ref of refs.value) {
    const bound = boundOf(ref, indexes);
    if ('problem' in bound) return bound;
    bounds.push(bound.value);
  }
  const uppers = bounds.filter((bound) => UPPER.has(bound.operation));
  const lowers = bounds.filter((bound) => LOWER.has(bound.operation));
  const other = bounds.find((bound) => !UPPER.has(bound.operation) && !LOWER.has(bound.operation));
  if (other) return { problem: `unsupported operation ${JSON.stringify(other.operation)}` };
  const upper = uppers[0];
  if (uppers.length !== 1 || lowers.length > 1 || upper === undefined) return { problem: 'criteria without exactly one upper bound (less than)' };
  const lower = lowers[0];
  if (lower && lower.packageName !== upper.packageName) return { problem: `criteria name two packages (${upper.packageName}, ${lower.packageName})` };
  // OSV has no exclusive lower bound: `greater than X` becomes `introduced X` (Azure Linux writes `greater than 0:0.0.0.azl3`, below every release).
  const introduced = { introduced: lower ? lower.version : '0' };
  const reason = patchable !== undefined && patchable !== 'true' ? { statusReason: `patchable: ${patchable}` } : {};
  const base = { namespace, packageName: upper.packageName, ...reason };
  return upper.operation === 'less than'
    ? { value: { ...base, status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [introduced, { fixed: upper.version }] }], fixedVersions: [upper.version] } }
    : { value: { ...base, status: 'affected', ranges: [{ type: 'ECOSYSTEM', events: [introduced, { last_affected: upper.version }] }], fixedVersions: [] } };
}

/** One Advisory per definition (the store joins the definitions of one CVE into one advisory). */
export function readOval(root: XmlElement, where: string, namespace: Namespace, sink: RecordSink): Advisory[] {
  if (localName(root.name) !== 'oval_definitions') {
    sink.skipped({ where, reason: `not an OVAL definitions document (root <${root.name}>)` });
    return [];
  }
  const definitions = childNamed(root, 'definitions');
  if (!definitions) {
    sink.skipped({ where, reason: 'OVAL document without definitions' });
    return [];
  }
  const indexes = index(root);
  const advisories: Advisory[] = [];
  for (const [position, definition] of definitions.children.entries()) {
    const id = definition.attributes.id;
    const at = `${where} ${id ?? `definition[${position}]`}`;
    if (localName(definition.name) !== 'definition' || !id) {
      sink.skipped({ where: at, reason: 'not a definition with an id' });
      continue;
    }
    if (definition.attributes.class !== 'vulnerability') {
      sink.skipped({ where: at, reason: `definition class ${JSON.stringify(definition.attributes.class)} is not vulnerability` });
      continue;
    }
    const metadata = childNamed(definition, 'metadata');
    const cves = (metadata ? childrenNamed(metadata, 'reference') : []).filter((ref) => ref.attributes.source === 'CVE');
    const cveIds = cves.map((ref) => ref.attributes.ref_id ?? '');
    const cve = cveIds[0];
    if (cve === undefined) {
      sink.skipped({ where: at, reason: 'no CVE reference' });
      continue;
    }
    const bad = cveIds.find((each) => !CVE.test(each));
    if (bad !== undefined) {
      sink.skipped({ where: at, reason: `malformed CVE id ${JSON.stringify(bad)}` });
      continue;
    }
    const text = (name: string): string | undefined => {
      const value = metadata ? childNamed(metadata, name)?.text.trim() : undefined;
      return value === '' ? undefined : value;
    };
    const affected = affectedOf(definition, indexes, namespace, text('patchable'));
    if ('problem' in affected) {
      sink.skipped({ where: at, reason: affected.problem });
      continue;
    }
    const rating = text('severity');
    const severity: SeverityEntry[] = rating ? [{ by: 'mariner', rating }] : [];
    const advisory: Advisory = {
      source: 'mariner-oval',
      id: cve,
      aliases: [...cveIds.slice(1), id],
      severity,
      references: cves.map((ref) => ref.attributes.ref_url).filter((url): url is string => typeof url === 'string' && url !== ''),
      affected: [affected.value],
    };
    const summary = text('title');
    const details = text('description');
    const published = text('advisory_date');
    if (summary !== undefined) advisory.summary = summary;
    if (details !== undefined) advisory.details = details;
    if (published !== undefined) advisory.published = published;
    advisories.push(advisory);
  }
  return advisories;
}
