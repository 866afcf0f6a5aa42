/**
 * What the page learns about a picked file before handing it to the worker: its format and, for
 * CSV, its header (from the first 64 KiB of the File, on the main thread: a few milliseconds
 * whatever the file's size), so that the column-mapping step can ask which columns hold the
 * identity and the entitlement when the header lacks `identity` or `entitlement`, and so that a
 * dropped file can be told apart as grants, identities or memberships. The worker reads the whole
 * file; nothing here parses rows.
 */
import { detectFormat, type InputFormat } from '../src/browser.js';

export const HEAD_BYTES = 64 << 10;

export interface FileHead {
  /** detectFormat's answer (content first, then the extension), or null where it gives none. */
  format: InputFormat | null;
  /** A CSV file's header names (exactly as written), or null (not CSV, or no header line in the first 64 KiB). */
  columns: string[] | null;
}

/** Reads the head of a file: its format and, for CSV, the header names. */
export async function readHead(file: Blob, name: string): Promise<FileHead> {
  const bytes = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  let format: InputFormat | null;
  try {
    format = detectFormat(bytes, name);
  } catch {
    format = null; // no extension and no magic: CSV is still tried (the reader says what is wrong)
  }
  if (format !== null && format !== 'csv') return { format, columns: null };
  return { format, columns: headerOf(bytes) };
}

/**
 * The first record of CSV bytes as field names: the reader's dialect (src/ingest/csv.ts): comma
 * separated, fields quoted with `"` (`""` for a quote) and then holding commas and line breaks,
 * a leading UTF-8 BOM dropped, blank lines before the header skipped. Null when the header does
 * not end within the bytes given.
 */
export function headerOf(bytes: Uint8Array): string[] | null {
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let i = 0;
  while (i < text.length && (text[i] === '\n' || text[i] === '\r')) i++;
  const fields: string[] = [];
  let field = '';
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      // A quoted field: up to the closing quote.
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return null;
        if (text[j] === '"') {
          if (text[j + 1] === '"') (field += '"'), (j += 2);
          else break;
        } else field += text[j++];
      }
      i = j + 1;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      fields.push(field);
      return fields;
    }
    field += c;
    i++;
  }
  if (bytes.length < HEAD_BYTES && (fields.length || field !== '')) return [...fields, field]; // the whole file is one line
  return null;
}

/** Identity-like and entitlement-like column names, for the mapping step's first guess. */
const IDENTITY_HINTS = /^(identity|user(_?name|_?id)?|account(_?name|_?id)?|login|uid|sam_?account_?name|principal|employee(_?id)?|person|member|subject|email|upn)$/i;
const ENTITLEMENT_HINTS = /^(entitlement|permission|privilege|access|right|role|group|grant|resource|application_?role|group_?name|scope|policy)s?$/i;

/** The mapping step's first guess for the identity and entitlement columns: a telling name, else the first two columns. */
export function guessColumns(columns: string[]): { identity: string; entitlement: string } {
  const named = columns.filter((c) => c !== '');
  const identity = named.find((c) => IDENTITY_HINTS.test(c.trim())) ?? named[0] ?? '';
  const entitlement = named.find((c) => c !== identity && ENTITLEMENT_HINTS.test(c.trim())) ?? named.find((c) => c !== identity) ?? '';
  return { identity, entitlement };
}

export type Slot = 'grants' | 'identities' | 'memberships';

/**
 * Which input a dropped file is: by its header first (a `member` and a `group` column: memberships;
 * an `entitlement` column, or a non-CSV format: grants; an `identity` column with attributes and no
 * entitlement: identities), then by its name (identit*, people, users, hr: identities; member*,
 * group*: memberships), else grants.
 */
export function classify(name: string, head: FileHead): Slot {
  const cols = head.columns?.map((c) => c.trim().toLowerCase()) ?? null;
  if (head.format !== null && head.format !== 'csv') return 'grants';
  if (cols) {
    if (cols.includes('member') && cols.includes('group')) return 'memberships';
    if (cols.includes('entitlement')) return 'grants';
    if (cols.includes('identity') && cols.length > 1) return 'identities';
  }
  const n = name.toLowerCase();
  if (/member|group/.test(n)) return 'memberships';
  if (/identit|people|person|users|employees|hr[^a-z]|^hr/.test(n)) return 'identities';
  return 'grants';
}

/** Sizes for people: 1.2 MB, 340 kB, 12 bytes. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}
