/**
 * An output folder's files in memory: the same bytes `writeRun` / `writeModel` write to disk
 * (tables in CSV, JSON or Arrow, summary.json, the per-reviewer review files, the role exports,
 * report.html and the manifest), for a page that offers them as downloads or a ZIP, and for the
 * Node writer, which shares every encoder here (it streams large CSV tables in chunks instead of
 * building one string). Platform-neutral: no Node modules.
 */
import { tableToIPC } from 'apache-arrow';
import { csvField, formulaStart, NEEDS_QUOTES } from './csv.js';
import { modelTables, type Column, type OutTable } from '../model/tables.js';
import { tableToArrow } from '../model/arrow.js';
import type { RoleModel } from '../model/model.js';
import { reportDataFor, reportHtml, REPORT_FILE, viewOfTable, type ReportData, type ReportOptions } from '../report/index.js';
import { summaryAppSeparator } from '../report/data.js';
import { exportRoles, type ExportFormat } from '../export/index.js';
import { exportRolesOf } from '../export/model.js';
import { splitByReviewer } from '../review/review.js';
import { VERSION } from '../version.js';

export type OutputFormat = 'csv' | 'arrow' | 'json';

/** The manifest file every rolemill output folder carries (src/output/dest.ts). */
export const MANIFEST_FILE = 'rolemill.json';

/** How a model's tables are shaped: columns from the run (descriptions, accounts) and more tables. */
export interface TableShape {
  /** More tables to write beside the model's (identities, accounts, lineage, review, impact...). */
  extraTables?: OutTable[];
  /** More columns for the roles table, and a replacement for its `kind` column (business alignment). */
  roleColumns?: [string, Column][];
  roleKind?: Column;
  /** More columns for the exceptions table, inserted after `identity`. */
  exceptionColumns?: [string, Column][];
}

/** What goes beside the tables: the same options for the disk writer and for the files in memory. */
export interface Deliverables {
  /** Recorded in the manifest, and shown in the report. */
  command?: string[];
  /** report.html (src/report/), drawn from the tables and summary as written, last. */
  report?: ReportOptions;
  /** More text files (relative '/'-separated paths). */
  files?: { path: string; text: string }[];
  /** More tables in subfolders (review/<reviewer>: one review file per reviewer), in the output's format. */
  tableFiles?: { path: string; table: OutTable }[];
  /** Role exports for governance systems (src/export/), into `export/`, from the roles as written (applications split at the run's separator, recorded in the summary). */
  exports?: { formats: ExportFormat[] };
  /** Called with report.html's data when it is made (a page draws the same report without building it again). */
  onReportData?: (data: ReportData) => void;
}

/** The model's tables as written: roles with the run's columns, exceptions with accounts, then the extra tables. */
export function outputTables(model: RoleModel, shape: TableShape = {}): OutTable[] {
  const tables = modelTables(model).map((t) => {
    if (t.name === 'exceptions' && shape.exceptionColumns?.length) {
      const columns = [...t.columns];
      columns.splice(1, 0, ...shape.exceptionColumns);
      return { ...t, columns };
    }
    if (t.name !== 'roles') return t;
    const columns = t.columns.map(([n, c]): [string, Column] => (n === 'kind' && shape.roleKind ? [n, shape.roleKind] : [n, c]));
    const at = columns.findIndex(([n]) => n === 'kind') + 1;
    columns.splice(at, 0, ...(shape.roleColumns ?? []));
    return { ...t, columns };
  });
  return [...tables, ...(shape.extraTables ?? [])];
}

function cell(t: OutTable, col: number, row: number): string | number {
  const c = t.columns[col]![1];
  return c.kind === 'int' ? c.values[row]! : c.dictionary[c.codes[row]!]!;
}

/** A CSV table's header line. */
export function csvHeader(t: { columns: [string, unknown][] }): string {
  return t.columns.map(([name]) => csvField(name)).join(',') + '\n';
}

/** Each dictionary's names as CSV fields, encoded once (a column's names repeat over its rows). */
const encodedNames = new WeakMap<string[], string[]>();
function encoded(dictionary: string[]): string[] {
  let e = encodedNames.get(dictionary);
  if (!e) encodedNames.set(dictionary, (e = dictionary.map((v) => csvField(v))));
  return e;
}

/** Rows [from, to) of a table as CSV lines (the fields as csvLine writes them). */
export function csvRows(t: OutTable, from: number, to: number): string {
  const cols = t.columns.map(([, c]) => (c.kind === 'name' ? { names: encoded(c.dictionary), codes: c.codes, values: null } : { names: null, codes: null, values: c.values }));
  let out = '';
  for (let i = from; i < to; i++) {
    let line = '';
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      if (k > 0) line += ',';
      line += c.names ? c.names[c.codes![i]!]! : String(c.values![i]!);
    }
    out += line + '\n';
  }
  return out;
}

const encoder = new TextEncoder();

/** A name column's CSV fields as UTF-8: field k (csvField of entry k) is `bytes[off[k], off[k + 1])`; `max`: the longest. */
interface FieldBytes {
  bytes: Uint8Array;
  off: Uint32Array;
  max: number;
}

const fieldBytesOf = new WeakMap<string[], FieldBytes>();
/** Each field of a kept dictionary encoded once (encodeFields). */
function fieldBytes(dictionary: string[]): FieldBytes {
  let f = fieldBytesOf.get(dictionary);
  if (!f) fieldBytesOf.set(dictionary, (f = encodeFields(dictionary)));
  return f;
}

/** Longest text encodeFields joins to encode in one call (V8's strings stop near 2^29 code units). */
const JOIN_LIMIT = 1 << 27;

/**
 * Every entry of a dictionary as its CSV field (csvField) in UTF-8. When the fields are all ASCII
 * they are joined and encoded in one native call (a byte per code unit gives the offsets); else
 * each is written with writeText, the writer of per-row fields, so both paths give the same bytes.
 */
export function encodeFields(dictionary: string[]): FieldBytes {
  const fields = encodedNames.get(dictionary) ?? dictionary.map((v) => csvField(v));
  const off = new Uint32Array(fields.length + 1);
  let length = 0;
  for (const f of fields) length += f.length;
  if (length <= JOIN_LIMIT) {
    const bytes = encoder.encode(fields.join(''));
    if (bytes.length === length) {
      let max = 0;
      for (let k = 0; k < fields.length; k++) {
        off[k + 1] = off[k]! + fields[k]!.length;
        max = Math.max(max, fields[k]!.length);
      }
      return { bytes, off, max };
    }
  }
  let bytes = new Uint8Array(1024);
  let max = 0;
  for (let k = 0; k < fields.length; k++) {
    const field = fields[k]!;
    if (off[k]! + 3 * field.length > bytes.length) {
      const grown = new Uint8Array(Math.max(2 * bytes.length, off[k]! + 3 * field.length));
      grown.set(bytes.subarray(0, off[k]!));
      bytes = grown;
    }
    off[k + 1] = writeText(bytes, off[k]!, field);
    max = Math.max(max, off[k + 1]! - off[k]!);
  }
  return { bytes: bytes.slice(0, off[fields.length]!), off, max };
}

/**
 * Whether a name column's dictionary is encoded once and kept (fieldBytes), or each row's field
 * encoded as it is written: a dictionary with an entry per row (review evidence, outlier factors,
 * per-identity lists) is read once, and keeping its bytes would hold a copy of that table's text
 * for the run's lifetime (at 10M grants with last-use dates, hundreds of MB).
 */
function keepBytes(dictionary: string[], rows: number, small: number): boolean {
  return fieldBytesOf.has(dictionary) || dictionary.length <= small || 2 * dictionary.length <= rows;
}

/** Writes `field` as UTF-8 at `p` of `buf` (which has room); returns the position after it. */
function writeText(buf: Uint8Array, p: number, field: string): number {
  const n = field.length;
  for (let i = 0; i < n; i++) {
    const c = field.charCodeAt(i);
    if (c >= 0x80) return p + i + encoder.encodeInto(field.slice(i), buf.subarray(p + i)).written; // the rest, after an ASCII prefix (no pair is split: field[i - 1] is ASCII)
    buf[p + i] = c;
  }
  return p + n;
}

/** Writes `v` as String(v) does, at `p` of `buf`; returns the position after it. */
function writeNumber(buf: Uint8Array, p: number, v: number): number {
  if (v >>> 0 === v) {
    let len = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) len++;
    let q = p + len;
    let x = v;
    do {
      const d = x % 10;
      buf[--q] = 48 + d;
      x = (x - d) / 10;
    } while (x > 0);
    return p + len;
  }
  const s = String(v); // ASCII: digits, '-', '.', 'e', '+', NaN, Infinity
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}

/**
 * A table's CSV rows as UTF-8 bytes, written straight into a caller's buffer: the bytes of
 * csvRows' text, without building it (a name column's dictionary is encoded once, unless it has an
 * entry per row: see keepBytes; `tune` moves the threshold, for tests). `maxRow`
 * bounds one row's bytes; `fill` writes rows from `from` while a whole row still fits before
 * `buf`'s end and returns the next row and the position after the last row written.
 */
export function csvRowEncoder(t: OutTable, tune: { smallDictionary?: number } = {}): RowEncoder {
  return rowEncoder(
    t.length,
    t.columns.map(([, c]): EncoderColumn => {
      if (c.kind !== 'name') return { f: null, names: null, codes: null, values: c.values, max: 24 }; // a number: at most 24 characters as String writes it (-1.2345678901234567e-300)
      if (keepBytes(c.dictionary, t.length, tune.smallDictionary ?? 4096)) {
        const f = fieldBytes(c.dictionary);
        return { f, names: null, codes: c.codes, values: null, max: f.max };
      }
      // Per row: csvField of a name of n UTF-16 units is at most 2n + 4 of them (quotes, doubled
      // quotes, the apostrophe), each at most 3 bytes.
      let longest = 0;
      for (const v of c.dictionary) longest = Math.max(longest, v.length);
      return { f: null, names: c.dictionary, codes: c.codes, values: null, max: 3 * (2 * longest + 4) };
    }),
  );
}

export interface RowEncoder {
  maxRow: number;
  fill(buf: Uint8Array, at: number, from: number): [next: number, end: number];
}

interface EncoderColumn {
  f: FieldBytes | null;
  names: string[] | null;
  codes: Uint32Array | null;
  values: Float64Array | Uint32Array | null;
  max: number;
}

function rowEncoder(length: number, cols: EncoderColumn[]): RowEncoder {
  const maxRow = cols.reduce((n, c) => n + c.max + 1, 0);
  const fill = (buf: Uint8Array, at: number, from: number): [number, number] => {
    let p = at;
    let i = from;
    const last = buf.length - maxRow;
    for (; i < length && p <= last; i++) {
      for (let k = 0; k < cols.length; k++) {
        const c = cols[k]!;
        if (k > 0) buf[p++] = 44; // ,
        if (c.f) {
          const code = c.codes![i]!;
          const s = c.f.off[code]!;
          const e = c.f.off[code + 1]!;
          if (e - s > 32) buf.set(c.f.bytes.subarray(s, e), p), (p += e - s);
          else for (let q = s; q < e; q++) buf[p++] = c.f.bytes[q]!;
        } else if (c.names) p = writeText(buf, p, csvField(c.names[c.codes![i]!]!));
        else p = writeNumber(buf, p, c.values![i]!);
      }
      buf[p++] = 10; // \n
    }
    return [i, p];
  };
  return { maxRow, fill };
}

/**
 * A name column's dictionary as a thread is sent it: its entries joined into one string with their
 * offsets (UTF-16 units; entry k is joined.slice(off[k], off[k + 1])), or, for a dictionary this
 * thread keeps encoded, its fields' bytes. One string and one buffer instead of an array of
 * strings: at 10M grants cloning the tables' 1.5M strings cost this thread 0.6 s and the peak
 * some 400 MB, and encoding them here 0.8 s; joining them costs a tenth of that.
 */
export type WireNames = { joined: string; off: Uint32Array } | FieldBytes;

/** A table as a thread is sent it (src/output/table-thread.ts): name columns as WireNames, every buffer its own (transferred). */
export interface WireTable {
  name: string;
  length: number;
  columns: [string, { values: Float64Array | Uint32Array } | { names: WireNames; codes: Uint32Array }][];
}

/**
 * Most text (UTF-16 units) a table's name dictionaries may hold to go to a thread: a larger one is
 * written in process, field by field, without a copy. Within JOIN_LIMIT, so every dictionary sent
 * joins into one string.
 */
export const WIRE_TEXT_LIMIT = JOIN_LIMIT;

/**
 * Whether a table goes to a thread as a WireTable: its dictionaries' text (those not kept encoded
 * here) within WIRE_TEXT_LIMIT. Past it the copy would cost more memory than it saves time: a
 * review of 1.4 GB (a 10M run whose dates made most grants dormant) is written in process.
 */
export function fitsWire(t: OutTable, limit = WIRE_TEXT_LIMIT): boolean {
  const seen = new Set<string[]>();
  let text = 0;
  for (const [, c] of t.columns) {
    if (c.kind !== 'name' || fieldBytesOf.has(c.dictionary) || seen.has(c.dictionary)) continue;
    seen.add(c.dictionary);
    for (const v of c.dictionary) if ((text += v.length) > limit) return false;
  }
  return true;
}

/** Tables (each passing fitsWire) as WireTables, a dictionary shared by several sent once, and the buffers to transfer with them. */
export function wireTables(tables: OutTable[]): { tables: WireTable[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const own = <T extends Uint8Array | Uint32Array | Float64Array>(x: T): T => {
    const y = x.slice() as T;
    transfer.push(y.buffer as ArrayBuffer);
    return y;
  };
  const sent = new Map<string[], WireNames>();
  const namesOf = (dictionary: string[]): WireNames => {
    let w = sent.get(dictionary);
    if (w) return w;
    const kept = fieldBytesOf.get(dictionary);
    if (kept) w = { bytes: own(kept.bytes), off: own(kept.off), max: kept.max };
    else {
      // Within JOIN_LIMIT: the table passed fitsWire.
      const off = new Uint32Array(dictionary.length + 1);
      for (let k = 0; k < dictionary.length; k++) off[k + 1] = off[k]! + dictionary[k]!.length;
      transfer.push(off.buffer as ArrayBuffer);
      w = { joined: dictionary.join(''), off };
    }
    sent.set(dictionary, w);
    return w;
  };
  const out = tables.map((t): WireTable => ({
    name: t.name,
    length: t.length,
    columns: t.columns.map(([n, c]): WireTable['columns'][number] => (c.kind === 'int' ? [n, { values: own(c.values) }] : [n, { names: namesOf(c.dictionary), codes: own(c.codes) }])),
  }));
  return { tables: out, transfer };
}

/** Each joined dictionary's fields, made once (a dictionary shared by several tables arrives as one object). */
const joinedFields = new WeakMap<object, FieldBytes>();

/**
 * The CSV fields of a joined dictionary, as encodeFields makes them from its entries. When no
 * entry needs quoting and all are ASCII (the common case: one regular-expression test and one
 * native encode over the whole text), the bytes are the text's own with an apostrophe before each
 * entry that neutralise marks; else entry by entry.
 */
function fieldsOfJoined(w: { joined: string; off: Uint32Array }): FieldBytes {
  let f = joinedFields.get(w);
  if (f) return f;
  const { joined, off } = w;
  const n = off.length - 1;
  const raw = NEEDS_QUOTES.test(joined) ? null : encoder.encode(joined);
  if (raw && raw.length === joined.length) {
    const fieldOff = new Uint32Array(n + 1);
    let extra = 0;
    let max = 0;
    for (let k = 0; k < n; k++) {
      const len = off[k + 1]! - off[k]!;
      const mark = len > 0 && formulaStart(raw[off[k]!]!) ? 1 : 0;
      extra += mark;
      fieldOff[k + 1] = off[k + 1]! + extra;
      max = Math.max(max, len + mark);
    }
    let bytes = raw;
    if (extra > 0) {
      bytes = new Uint8Array(raw.length + extra);
      for (let k = 0; k < n; k++) {
        let p = fieldOff[k]!;
        if (fieldOff[k + 1]! - p > off[k + 1]! - off[k]!) bytes[p++] = 39; // '
        bytes.set(raw.subarray(off[k]!, off[k + 1]!), p);
      }
    }
    f = { bytes, off: fieldOff, max };
  } else f = encodeFields(Array.from({ length: n }, (_, k) => joined.slice(off[k]!, off[k + 1]!)));
  joinedFields.set(w, f);
  return f;
}

/** The CSV rows of a WireTable: the bytes csvRowEncoder writes for the table it was made from. */
export function wireRowEncoder(t: WireTable): RowEncoder {
  return rowEncoder(
    t.length,
    t.columns.map(([, c]): EncoderColumn => {
      if ('values' in c) return { f: null, names: null, codes: null, values: c.values, max: 24 };
      const f = 'joined' in c.names ? fieldsOfJoined(c.names) : c.names;
      return { f, names: null, codes: c.codes, values: null, max: f.max };
    }),
  );
}

/** A table as JSON: an array of row objects, one per line. */
export function jsonText(t: OutTable): string {
  const names = t.columns.map(([n]) => n);
  const rows: Record<string, string | number>[] = [];
  for (let i = 0; i < t.length; i++) rows.push(Object.fromEntries(names.map((n, c) => [n, cell(t, c, i)])));
  return JSON.stringify(rows, null, 1) + '\n';
}

/** A table's file in `format`: CSV text, JSON text or Arrow IPC (file format) bytes. */
export function tableBytes(t: OutTable, format: OutputFormat): string | Uint8Array {
  if (format === 'csv') {
    let out = csvHeader(t);
    for (let i = 0; i < t.length; i += 4096) out += csvRows(t, i, Math.min(t.length, i + 4096));
    return out;
  }
  if (format === 'json') return jsonText(t);
  return tableToIPC(tableToArrow(t), 'file');
}

/** summary.json's text (timings left out when asked). */
export function summaryText(summary: unknown, omitTimings = false): string {
  const s = omitTimings && summary && typeof summary === 'object' ? { ...(summary as object), timings: undefined } : summary;
  return JSON.stringify(s, null, 2) + '\n';
}

/** Checks a path of rolemill's own making stays inside the output folder (a bug otherwise). */
export function safePath(p: string): string {
  if (p.split('/').some((part) => part === '' || part === '.' || part === '..' || part.includes('\\'))) throw new Error(`internal: an output file path must stay inside the folder, got '${p}'`);
  return p;
}

/**
 * The order of a folder's files as the manifest lists them: folder by folder, names in JavaScript
 * string order, a folder's files where its name sorts (as src/output/dest.ts walks the folder).
 */
export function compareOutputPaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k]! < y[k]! ? -1 : 1;
  return x.length - y.length;
}

export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

export function byteLength(data: string | Uint8Array): number {
  return typeof data === 'string' ? encoder.encode(data).length : data.length;
}

/**
 * The files beside the tables and summary: the per-reviewer tables, the text files, the exports,
 * then report.html (drawn from `tables` and `summary` as written, listing every file written
 * before it: `before` plus these). Shared by the disk writer and `outputFiles`.
 */
export function deliverableFiles(tables: OutTable[], summaryJson: unknown, format: OutputFormat, options: Deliverables, before: { path: string; bytes: number }[]): OutputFile[] {
  const out: OutputFile[] = [];
  for (const f of options.tableFiles ?? []) out.push({ path: `${safePath(f.path)}.${format}`, data: tableBytes(f.table, format) });
  for (const f of options.files ?? []) out.push({ path: safePath(f.path), data: f.text });
  if (options.exports?.formats.length) {
    const roles = exportRolesOf(new Map(tables.map((t) => [t.name, viewOfTable(t)])));
    for (const f of exportRoles(roles, options.exports.formats, { appSeparator: summaryAppSeparator(summaryJson as Record<string, unknown>) })) out.push({ path: safePath(`export/${f.path}`), data: f.text });
  }
  if (options.report) {
    const listed = reportFileList(before, out);
    const data = reportDataFor(tables, summaryJson, listed, reportOptionsOf(options)!);
    options.onReportData?.(data);
    out.push({ path: REPORT_FILE, data: reportHtml(data) });
  }
  return out;
}

/** The files report.html lists: those written before it (`before`) and the deliverables before it, in manifest order. */
export function reportFileList(before: { path: string; bytes: number }[], out: OutputFile[]): { path: string; bytes: number }[] {
  return [...before, ...out.map((f) => ({ path: f.path, bytes: byteLength(f.data) }))].sort((a, b) => compareOutputPaths(a.path, b.path));
}

/** The report's options, with the command the manifest records when the report names none (null: no report asked for). */
export function reportOptionsOf(options: Deliverables): ReportOptions | null {
  return options.report ? { ...options.report, command: options.report.command ?? options.command ?? null } : null;
}

/** The manifest's text for these files (the manifest itself left out). */
export function manifestText(kind: string, files: { path: string; bytes: number }[], command?: string[]): string {
  const sorted = [...files].sort((a, b) => compareOutputPaths(a.path, b.path));
  return JSON.stringify({ tool: 'rolemill', version: VERSION, kind, files: sorted, ...(command ? { command } : {}) }, null, 2) + '\n';
}

export interface OutputFilesOptions extends TableShape, Deliverables {
  format?: OutputFormat;
  omitTimings?: boolean;
  /** The manifest's kind (default `model`). */
  kind?: string;
}

/**
 * What an output carries beside its tables, as the command line's flags choose it: one review
 * file per reviewer in review/ (--review-split), the role exports (--export), report.html (unless
 * --no-report). The command line and the browser app both ask here.
 */
export function deliverablesFor(kind: ReportOptions['kind'], choice: { review: OutTable | null; reviewSplit: boolean; exports: ExportFormat[]; report: boolean }): Deliverables {
  const split = choice.reviewSplit && choice.review ? splitByReviewer(choice.review) : [];
  return {
    ...(split.length ? { tableFiles: split.map((p) => ({ path: `review/${p.file}`, table: p.table })) } : {}),
    ...(choice.exports.length ? { exports: { formats: choice.exports } } : {}),
    ...(choice.report ? { report: { kind } } : {}),
  };
}

/**
 * Every file of the output folder `writeModel(dir, model, options)` writes, in memory and in the
 * manifest's order, the manifest last: the same bytes, for a page to offer as downloads.
 */
export function outputFiles(model: RoleModel, options: OutputFilesOptions = {}): OutputFile[] {
  return outputFilesOf(outputTables(model, options), model.summary, options);
}

/** outputFiles for tables already shaped (outputTables) and their summary. */
export function outputFilesOf(tables: OutTable[], summaryObject: unknown, options: Omit<OutputFilesOptions, keyof TableShape> = {}): OutputFile[] {
  const format = options.format ?? 'csv';
  const files: OutputFile[] = tables.map((t) => ({ path: `${t.name}.${format}`, data: tableBytes(t, format) }));
  const summary = summaryText(summaryObject, options.omitTimings);
  files.push({ path: 'summary.json', data: summary });
  files.push(...deliverableFiles(tables, JSON.parse(summary), format, options, files.map((f) => ({ path: f.path, bytes: byteLength(f.data) }))));
  files.sort((a, b) => compareOutputPaths(a.path, b.path));
  files.push({ path: MANIFEST_FILE, data: manifestText(options.kind ?? 'model', files.map((f) => ({ path: f.path, bytes: byteLength(f.data) })), options.command) });
  return files;
}
