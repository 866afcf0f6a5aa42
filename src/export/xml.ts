/**
 * The little XML the midPoint export needs: escaping for text and attributes, and a reader for
 * well-formed documents of elements, attributes, text and character references (what we write; no
 * DTDs, no CDATA handling beyond skipping comments and processing instructions). Platform-neutral.
 */

/** Characters XML 1.0 does not allow (section 2.2 "Char"), lone surrogates included. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text content: `&`, `<`, `>` escaped (so `]]>` and `<img ...>` stay text) and CR as `&#13;` (a
 * parser would turn a raw CR into LF). A character XML cannot carry at all becomes U+FFFD.
 */
export function escapeText(value: string): string {
  return value
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

/** A double-quoted attribute value: as text, plus `"`, `'` and the whitespace a parser would normalise. */
export function escapeAttribute(value: string): string {
  return escapeText(value).replaceAll('"', '&quot;').replaceAll("'", '&apos;').replaceAll('\t', '&#9;').replaceAll('\n', '&#10;');
}

export interface XmlElement {
  /** The qualified name as written (`role`, `c:objects`). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, its children's excluded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const e = ENTITIES[ref];
    if (e === undefined) throw new Error(`XML: unknown entity ${whole}`);
    return e;
  });
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ATTRIBUTE = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/;

/** The root element of `xml`; throws on what is not well-formed (unbalanced tags, a raw `<` or `&` in text). */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const text = (raw: string) => {
    if (raw.includes('<') || raw.includes(']]>') || /&(?!(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);)/.test(raw)) throw new Error('XML: raw markup character in text');
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += decode(raw);
    else if (raw.trim() !== '') throw new Error('XML: text outside the root element');
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      text(xml.slice(i));
      break;
    }
    text(xml.slice(i, lt));
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end < 0) throw new Error('XML: unclosed processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0 || xml.slice(lt + 4, end).includes('--')) throw new Error('XML: bad comment');
      i = end + 3;
    } else if (xml.startsWith('</', lt)) {
      const m = NAME.exec(xml.slice(lt + 2));
      const top = stack.pop();
      if (m === null || top === undefined || top.name !== m[0]) throw new Error(`XML: unexpected end tag at ${lt}`);
      const end = xml.indexOf('>', lt);
      if (xml.slice(lt + 2 + m[0].length, end).trim() !== '') throw new Error(`XML: bad end tag at ${lt}`);
      i = end + 1;
    } else {
      const m = NAME.exec(xml.slice(lt + 1));
      if (m === null) throw new Error(`XML: bad tag at ${lt}`);
      const element: XmlElement = { name: m[0], attributes: {}, children: [], text: '' };
      let rest = xml.slice(lt + 1 + m[0].length);
      let used = lt + 1 + m[0].length;
      for (let a = ATTRIBUTE.exec(rest); a !== null; a = ATTRIBUTE.exec(rest)) {
        if (a[1]! in element.attributes) throw new Error(`XML: attribute ${a[1]} twice`);
        element.attributes[a[1]!] = decode(a[3] ?? a[4] ?? '');
        rest = rest.slice(a[0].length);
        used += a[0].length;
      }
      const close = /^\s*(\/?)>/.exec(rest);
      if (close === null) throw new Error(`XML: bad tag at ${lt}`);
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.children.push(element);
      else if (root === null) root = element;
      else throw new Error('XML: a second root element');
      if (close[1] !== '/') stack.push(element);
      i = used + close[0].length;
    }
  }
  if (root === null || stack.length > 0) throw new Error('XML: the document is not complete');
  return root;
}

/** The children of `e` with the local name `name` (any prefix). */
export function childrenNamed(e: XmlElement, name: string): XmlElement[] {
  return e.children.filter((c) => c.name === name || c.name.endsWith(':' + name));
}
