// A small, strict XML reader for the OVAL documents this feed reads (no XML parser is among the
// project's dependencies). It builds a tree of elements with attributes and text; it accepts the XML
// declaration, comments, processing instructions, CDATA and the five predefined entities plus numeric
// character references, and rejects a DOCTYPE (no entity expansion), mismatched or unclosed tags and
// anything else that is not well-formed, with the line where it stopped.

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

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(text: string): XmlElement {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const fail = (reason: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw new XmlError(`${reason} at line ${line}`);
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;&\s]*);?/g, (whole, entity: string) => {
      if (!whole.endsWith(';')) fail(`unterminated entity reference &${entity}`);
      const predefined = PREDEFINED[entity];
      if (predefined !== undefined) return predefined;
      const numeric = /^#(?:x([0-9A-Fa-f]+)|(\d+))$/.exec(entity);
      const code = numeric ? parseInt(numeric[1] ?? numeric[2] ?? '', numeric[1] !== undefined ? 16 : 10) : NaN;
      if (!Number.isFinite(code) || code > 0x10ffff) fail(`unknown entity &${entity};`);
      return String.fromCodePoint(code);
    });
  const addText = (raw: string, decoded: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += decoded;
    else if (raw.trim() !== '') fail('text outside the root element');
  };
  const skipPast = (end: string, what: string) => {
    const at = text.indexOf(end, pos);
    if (at < 0) fail(`unterminated ${what}`);
    pos = at + end.length;
  };

  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    if (lt < 0) {
      addText(text.slice(pos), decode(text.slice(pos)));
      break;
    }
    if (lt > pos) {
      const raw = text.slice(pos, lt);
      addText(raw, decode(raw));
    }
    pos = lt;
    if (text.startsWith('<!--', pos)) {
      skipPast('-->', 'comment');
    } else if (text.startsWith('<![CDATA[', pos)) {
      const start = pos + 9;
      skipPast(']]>', 'CDATA section');
      const raw = text.slice(start, pos - 3);
      if (stack.length === 0) fail('CDATA outside the root element');
      addText(raw, raw);
    } else if (text.startsWith('<?', pos)) {
      skipPast('?>', 'processing instruction');
    } else if (text.startsWith('<!', pos)) {
      fail('DOCTYPE and other declarations are not accepted');
    } else if (text.startsWith('</', pos)) {
      pos += 2;
      NAME.lastIndex = pos;
      const name = NAME.exec(text)?.[0] ?? fail('malformed end tag');
      pos += name.length;
      const close = /\s*>/y;
      close.lastIndex = pos;
      if (!close.test(text)) fail(`malformed end tag </${name}`);
      pos = close.lastIndex;
      const open = stack.pop();
      if (!open) fail(`end tag </${name}> without a start tag`);
      else if (open.name !== name) fail(`end tag </${name}> does not close <${open.name}>`);
    } else {
      pos += 1;
      NAME.lastIndex = pos;
      const name = NAME.exec(text)?.[0] ?? fail('malformed start tag');
      pos += name.length;
      const element: XmlElement = { name, attributes: {}, children: [], text: '' };
      for (;;) {
        ATTRIBUTE.lastIndex = pos;
        const attribute = ATTRIBUTE.exec(text);
        if (!attribute) break;
        const key = attribute[1] as string;
        if (Object.hasOwn(element.attributes, key)) fail(`duplicate attribute ${key} on <${name}>`);
        element.attributes[key] = decode(attribute[2] ?? attribute[3] ?? '');
        pos = ATTRIBUTE.lastIndex;
      }
      const end = /\s*(\/?)>/y;
      end.lastIndex = pos;
      const closing = end.exec(text);
      if (!closing) fail(`malformed start tag <${name}`);
      pos = end.lastIndex;
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) fail('a second root element');
      else root = element;
      if (closing?.[1] !== '/') stack.push(element);
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack[stack.length - 1]?.name}>`);
  if (!root) fail('no root element');
  return root as XmlElement;
}
