/**
 * The identities-file reader (an HR export: one row per identity), platform-neutral; by path in
 * src/ingest/node.ts; the join onto a model's identities in src/analysis/identities.ts.
 *
 * The file is CSV in the dialect of the grants reader (src/ingest/csv.ts): RFC 4180, comma-separated,
 * UTF-8 with or without a BOM, a header row, LF / CRLF / CR line ends, lines holding nothing skipped,
 * fields either unquoted or fully quoted with `""` for a quote inside, header names and values taken
 * exactly (no trimming, no formula un-neutralising). Errors name the file, the 1-based line where the
 * record starts and the column. The grants reader's `CsvReader` cannot be reused as is: it needs an
 * entitlement column, rejects empty values, and drops the line of each row, which a duplicate-row
 * error must name. So this module has its own small byte-level record parser, fed through the same
 * chunk plumbing (`feedRecords`) and interning (`ByteInterner`), and it streams the same way.
 *
 * Contract of the join: a model identity gets the attributes of the row whose key equals its name
 * exactly, or none (-1). Everything that could make a join quietly wrong is either an error (a
 * duplicate key, an empty key or one that is only whitespace or holds a control character other than a
 * line break, as for grant names, a missing key column) or a counted warning with examples (identities
 * missing from the file, rows that match no identity, empty values).
 */
import { InputError, UsageError } from '../errors.js';
import { feedRecords, hasBom } from './chunks.js';
import { ByteInterner, InvalidName, InvalidUtf8, U32Builder } from './encoder.js';

/** One attribute column, dictionary-encoded: row k's value is `values[codes[k]]`. */
export interface AttributeColumn {
  name: string;
  /** Distinct values, ascending (JavaScript string order). The empty string, if present, is a value here; analyses treat it as "no value". */
  values: string[];
  /** Per row of the table. */
  codes: Uint32Array;
}

/** The identities file, columnar. Rows are in file order. */
export interface IdentityTable {
  source: string;
  keyColumn: string;
  /** Per row: the identity name (unique, never empty). */
  keys: string[];
  /** Per row: the 1-based line where the row starts in the file (for messages). */
  lines: Uint32Array;
  /** The other named columns, in header order. */
  attributes: AttributeColumn[];
}

export type IdentityWarningKind = 'unnamed_column' | 'missing_identity' | 'identity_without_grants' | 'empty_value';

/** A counted warning: how many cases, the first few of them (in id or row order), and a readable message. */
export interface IdentityWarning {
  kind: IdentityWarningKind;
  /** For `empty_value`: the attribute. */
  attribute?: string;
  count: number;
  /** At most `MAX_EXAMPLES` examples, first ones first: identity names (by id for missing identities, by row otherwise), or 1-based column positions for `unnamed_column`. */
  examples: string[];
  message: string;
}

export const MAX_EXAMPLES = 5;

const keyIndexes = new WeakMap<IdentityTable, ReadonlyMap<string, number>>();

/**
 * Each key's row, made once per table and shared (read-only): the key check, the join, `--by
 * auto`, the descriptions and the review's managers each looked names up among the keys, and
 * each built its own set or map (450,000 keys: about 0.1 s each).
 */
export function keyIndex(table: IdentityTable): ReadonlyMap<string, number> {
  let m = keyIndexes.get(table);
  if (!m) {
    const index = new Map<string, number>();
    table.keys.forEach((k, r) => index.set(k, r));
    keyIndexes.set(table, (m = index));
  }
  return m;
}

export interface ReadIdentitiesOptions {
  /** Column holding the identity name, matched against the grants' identity names (default `identity`). */
  keyColumn?: string;
  /** Called for each read-time warning (today: header columns without a name, which are ignored). */
  onWarning?: (w: IdentityWarning) => void;
  /** Total input bytes, if known (buffer sizing). */
  sizeHint?: number;
}

/** Reads an identities CSV from byte chunks (platform-neutral; `name` is used in messages). */
export async function readIdentitiesFromChunks(chunks: AsyncIterable<Uint8Array>, name: string, opts: ReadIdentitiesOptions = {}): Promise<IdentityTable> {
  const reader = new IdentityCsv(name, opts);
  await feedRecords(chunks, (b, start, end, final) => reader.parse(b, start, end, final));
  return reader.finish();
}

/** Reads an identities CSV held in a string (tests, small inputs). */
export function readIdentitiesFromText(text: string, name: string, opts: ReadIdentitiesOptions = {}): Promise<IdentityTable> {
  const bytes = new TextEncoder().encode(text);
  return readIdentitiesFromChunks(
    (async function* () {
      yield bytes;
    })(),
    name,
    opts,
  );
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Column roles: -1 ignored (unnamed), 0 the key, 1 + k attribute k. */
const IGNORED = -1;
const headerDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class IdentityCsv {
  private readonly keyColumn: string;
  private line = 1;
  private started = false;
  private header: string[] | null = null;
  private headerFields: string[] = [];
  private ncols = 0;
  private roles = new Int32Array(0);
  /** The keys (names: checked as the grants reader checks identities, once per distinct key). */
  private readonly keys = new ByteInterner('identity');
  /**
   * Every attribute column's values in one dictionary, and their ids row by row (row-major, one per
   * attribute), split into per-column dictionaries only in `finish`. So a column costs nothing
   * before it has values, and memory stays a small multiple of the input: a wide file (100,000
   * columns, a few rows) once allocated a dictionary and a file-sized buffer per column.
   */
  private readonly values = new ByteInterner(undefined, 64, 1024);
  private readonly codes: U32Builder;
  private attrNames: string[] = [];
  private readonly lines: U32Builder;
  /** Current record's ids per role (-1: empty key). */
  private vals = new Int32Array(0);
  private scratch = new Uint8Array(1024);
  private scratchLen = 0;

  constructor(
    private readonly file: string,
    private readonly opts: ReadIdentitiesOptions,
  ) {
    this.keyColumn = opts.keyColumn ?? 'identity';
    if (this.keyColumn === '') throw new UsageError('the identity key column name must not be empty');
    // Rows are at least a few bytes, fields at least one; a hint of the input size avoids most regrowth.
    const size = opts.sizeHint ?? 0;
    this.lines = new U32Builder(Math.min(1 << 22, Math.max(1024, Math.floor(size / 32))));
    this.codes = new U32Builder(Math.min(1 << 22, Math.max(1024, Math.floor(size / 4))));
  }

  /** A `RecordParser` (see chunks.ts): consumes complete records, returns the offset after them. */
  parse(b: Uint8Array, start: number, end: number, final: boolean): number {
    let pos = start;
    if (!this.started) {
      if (end - pos < 3 && !final) return start; // a BOM may be split across chunks
      if (hasBom(b, pos, end)) pos += 3;
      this.started = true;
    }
    let line = this.line;
    let recStart = pos;
    let recLine = line;
    let fieldLine = line;
    let f = 0;
    let incomplete = false;
    try {
      records: while (pos < end) {
        recStart = pos;
        recLine = line;
        let c = b[pos]!;
        if (c === LF || c === CR) {
          if (c === CR) {
            if (pos + 1 >= end && !final) {
              incomplete = true;
              break;
            }
            pos += pos + 1 < end && b[pos + 1] === LF ? 2 : 1;
          } else pos++;
          line++;
          continue;
        }
        f = 0;
        if (this.header === null) this.headerFields = [];
        for (;;) {
          fieldLine = line;
          let fb = b;
          let fs: number;
          let fe: number;
          if (pos < end && b[pos] === QUOTE) {
            let j = pos + 1;
            let escaped = false;
            for (;;) {
              if (j >= end) {
                if (!final) {
                  incomplete = true;
                  break records;
                }
                throw new InputError('unbalanced quote: the quoted field starting on this line is never closed', this.file, fieldLine, String(f + 1));
              }
              c = b[j]!;
              if (c === QUOTE) {
                if (j + 1 < end) {
                  if (b[j + 1] === QUOTE) {
                    escaped = true;
                    j += 2;
                    continue;
                  }
                  break;
                }
                if (!final) {
                  incomplete = true; // a closing quote or the first half of `""`: unknown yet
                  break records;
                }
                break;
              }
              if (c === LF || (c === CR && (j + 1 >= end || b[j + 1] !== LF))) line++;
              j++;
            }
            if (escaped) {
              fb = this.unescape(b, pos + 1, j);
              fs = 0;
              fe = this.scratchLen;
            } else {
              fs = pos + 1;
              fe = j;
            }
            pos = j + 1;
            if (pos < end) {
              c = b[pos]!;
              if (c !== COMMA && c !== LF && c !== CR) {
                throw new InputError('expected a comma or the end of the line after a closing quote', this.file, line, String(f + 1));
              }
            } else if (!final) {
              incomplete = true;
              break records;
            }
          } else {
            let j = pos;
            while (j < end) {
              c = b[j]!;
              if (c === COMMA || c === LF || c === CR) break;
              if (c === QUOTE) {
                throw new InputError(
                  'unexpected quote inside an unquoted field: expected the whole field quoted, with "" for each quote in it',
                  this.file,
                  line,
                  String(f + 1),
                );
              }
              j++;
            }
            if (j >= end && !final) {
              incomplete = true;
              break records;
            }
            fs = pos;
            fe = j;
            pos = j;
          }
          if (this.header === null) this.headerFields.push(decodeHeader(fb, fs, fe));
          else if (f < this.ncols) {
            const r = this.roles[f]!;
            if (r !== IGNORED) this.vals[r] = r !== 0 ? this.values.intern(fb, fs, fe) : fe === fs ? -1 : this.keys.intern(fb, fs, fe);
          }
          f++;
          if (pos >= end) break;
          c = b[pos]!;
          if (c === COMMA) {
            pos++;
            continue;
          }
          if (c === CR) {
            if (pos + 1 >= end) {
              if (!final) {
                incomplete = true;
                break records;
              }
              pos++;
            } else pos += b[pos + 1] === LF ? 2 : 1;
          } else pos++;
          line++;
          break;
        }
        if (this.header === null) {
          this.setHeader(recLine);
          continue;
        }
        if (f !== this.ncols) throw new InputError(`expected ${this.ncols} fields as in the header, found ${f}`, this.file, recLine);
        this.addRow(recLine);
      }
    } catch (e) {
      if (e instanceof InvalidUtf8 || e instanceof InvalidName) throw new InputError(e.message, this.file, fieldLine, this.header?.[f] ?? String(f + 1));
      throw e;
    }
    if (incomplete) {
      this.line = recLine;
      return recStart;
    }
    this.line = line;
    return pos;
  }

  private addRow(line: number): void {
    const keys = this.keys;
    const id = this.vals[0]!;
    if (id < 0) throw new InputError('empty identity: expected a name in every row', this.file, line, this.keyColumn);
    // Keys are interned in first-seen order and every accepted row adds one line, so a new key's id
    // equals the rows so far; a smaller id is a key seen on an earlier row.
    if (id < this.lines.length) {
      // The key was seen before: two rows would give one identity two sets of attributes.
      const first = this.lines.finish()[id]!;
      throw new InputError(
        `duplicate identity '${keys.names[id]}' on lines ${first} and ${line}: expected one row per identity`,
        this.file,
        line,
        this.keyColumn,
      );
    }
    this.lines.push(line);
    for (let k = 0; k < this.attrNames.length; k++) this.codes.push(this.vals[1 + k]!);
  }

  private setHeader(line: number): void {
    const h = this.headerFields;
    this.header = h;
    this.ncols = h.length;
    const keyAt = h.indexOf(this.keyColumn);
    if (keyAt < 0) {
      throw new InputError(
        `missing column '${this.keyColumn}'; columns found: ${h.map((c) => `'${c}'`).join(', ')} (choose the identity key column)`,
        this.file,
        line,
      );
    }
    const seen = new Map<string, number>();
    const roles = new Int32Array(h.length).fill(IGNORED);
    const unnamed: string[] = [];
    h.forEach((name, k) => {
      if (name === '') {
        unnamed.push(String(k + 1));
        return;
      }
      const prev = seen.get(name);
      if (prev !== undefined) {
        // Which of the two would a reader mean? Refuse rather than pick one.
        throw new InputError(`column '${name}' appears twice in the header (columns ${prev + 1} and ${k + 1})`, this.file, line);
      }
      seen.set(name, k);
      if (k === keyAt) roles[k] = 0;
      else {
        this.attrNames.push(name);
        roles[k] = this.attrNames.length; // 1 + attribute index
      }
    });
    this.roles = roles;
    this.vals = new Int32Array(1 + this.attrNames.length);
    if (unnamed.length > 0) {
      this.opts.onWarning?.({
        kind: 'unnamed_column',
        count: unnamed.length,
        examples: unnamed.slice(0, MAX_EXAMPLES),
        message: `${this.file}:${line}: ${unnamed.length} header column${unnamed.length > 1 ? 's have' : ' has'} no name (position ${unnamed.slice(0, MAX_EXAMPLES).join(', ')}); ignored`,
      });
    }
  }

  /** Copies `b[from, to)` with each `""` made `"` into the scratch buffer. */
  private unescape(b: Uint8Array, from: number, to: number): Uint8Array {
    if (this.scratch.length < to - from) this.scratch = new Uint8Array(Math.max(to - from, 2 * this.scratch.length));
    const s = this.scratch;
    let w = 0;
    for (let i = from; i < to; i++) {
      const c = b[i]!;
      s[w++] = c;
      if (c === QUOTE) i++;
    }
    this.scratchLen = w;
    return s;
  }

  finish(): IdentityTable {
    if (this.header === null) throw new InputError('empty file: expected a header row and one row per identity, found no text', this.file);
    const keys = this.keys.names;
    if (keys.length === 0) throw new InputError('no identities: the file has a header but no data rows', this.file);
    // Per column: the values it uses (shared id -> local index, reset after each column), sorted
    // ascending, so the table does not depend on which row came first. Time is rows x columns (the
    // fields read) plus sorting each column's distinct values; the columns' codes are views of one
    // buffer, so a column costs little more than its name and values.
    const rows = keys.length;
    const width = this.attrNames.length;
    const flat = this.codes.view();
    const shared = this.values.names;
    const local = new Int32Array(shared.length).fill(-1);
    const all = new Uint32Array(rows * width);
    const used: number[] = [];
    const byName = (a: number, b: number) => (shared[a]! < shared[b]! ? -1 : 1); // distinct ids are distinct strings
    const attributes: AttributeColumn[] = this.attrNames.map((name, k) => {
      used.length = 0;
      for (let r = 0, at = k; r < rows; r++, at += width) {
        const g = flat[at]!;
        if (local[g]! < 0) {
          local[g] = 0;
          used.push(g);
        }
      }
      used.sort(byName);
      for (let i = 0; i < used.length; i++) local[used[i]!] = i;
      const codes = all.subarray(k * rows, (k + 1) * rows);
      for (let r = 0, at = k; r < rows; r++, at += width) codes[r] = local[flat[at]!]!;
      const values = used.map((g) => shared[g]!);
      for (const g of used) local[g] = -1;
      return { name, values, codes };
    });
    return { source: this.file, keyColumn: this.keyColumn, keys: keys.slice(), lines: this.lines.finish(), attributes };
  }
}

function decodeHeader(b: Uint8Array, s: number, e: number): string {
  try {
    return headerDecoder.decode(b.subarray(s, e));
  } catch {
    throw new InvalidUtf8();
  }
}


