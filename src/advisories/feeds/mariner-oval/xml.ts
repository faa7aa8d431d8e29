// The OVAL documents this feed reads, as a tree of elements with attributes and text, through
// fast-xml-parser (its validator checks well-formedness and says where it stopped). Stricter than the
// library on what OVAL never needs: a DOCTYPE is refused (no entity expansion), as are entities other
// than the five predefined ones and numeric character references, and a second root element.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  /** The qualified name as written (`linux-def:rpminfo_test`). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data (not its children's), entities decoded. */
  text: string;
}

export class XmlError extends Error {}

/** The name without its namespace prefix: `linux-def:rpminfo_test` → `rpminfo_test`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : name;
}

/** Direct children with this local name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => localName(child.name) === name);
}

export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => localName(child.name) === name);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function toElement(node: OrderedNode): XmlElement | string {
  if ('#text' in node) return String(node['#text']);
  const name = Object.keys(node).find((key) => key !== ':@')!;
  const element: XmlElement = { name, attributes: { ...(node[':@'] ?? {}) }, children: [], text: '' };
  for (const child of node[name] as OrderedNode[]) {
    const converted = toElement(child);
    if (typeof converted === 'string') element.text += converted;
    else element.children.push(converted);
  }
  return element;
}

export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE/i.test(text)) throw new XmlError('a DOCTYPE is not accepted (no entity expansion)');
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) throw new XmlError(`${verdict.err.msg.replace(/\.$/, '')} at line ${verdict.err.line}`);
  // Outside CDATA sections, only the predefined entities and character references.
  const unknown = /&(?!(?:lt|gt|amp|quot|apos|#\d+|#x[0-9A-Fa-f]+);)([^;\s<]*;?)/.exec(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''));
  if (unknown) throw new XmlError(`unknown entity &${unknown[1]}`);
  const roots = (parser.parse(text) as OrderedNode[]).map(toElement).filter((node): node is XmlElement => typeof node !== 'string');
  if (roots.length !== 1) throw new XmlError(roots.length === 0 ? 'no root element' : `a second root element <${roots[1]!.name}>`);
  return roots[0]!;
}
