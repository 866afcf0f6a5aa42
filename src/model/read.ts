/**
 * Reads a model folder back: the interchange format between `rolemill mine` and the commands that
 * come after a review (`evaluate`, `mine --roles`, snapshot diffs).
 *
 * A security team mines a candidate model, edits it by hand or in a spreadsheet, and hands the
 * folder on. So this reader accepts what `mine` writes, in any of its formats, and the edits a
 * reviewer makes, and refuses (InputError naming file, line and column) everything that would
 * make a later command quietly act on something other than what the reviewer meant.
 *
 * The folder
 * - Tables are `roles`, `role_entitlements` (both required) and `assignments` (optional), all as
 *   `.csv`, all as `.arrow` or all as `.json`: the format is the extension of the files present.
 *   Two formats among these tables is an error naming the folder (which one holds the review?).
 *   Other files (exceptions, identities, summary.json, a reviewer's notes) are not read.
 * - `rolemill.json` (the manifest) is returned when present and rolemill's; a folder without it
 *   (assembled by hand from a spreadsheet) is read the same way. It is informational only: a file
 *   whose size differs from the manifest's is simply an edited file.
 *
 * The rows
 * - roles is the list of roles: one row per role id (`role`, required). Optional columns: `name`
 *   (kept verbatim, empty = null), `kind` (verbatim, not checked against the mined kinds, empty =
 *   null), `status` (`approved`, `rejected` or `draft`, any case, surrounding spaces trimmed, empty
 *   = draft). Columns `mine` computes from the mined model (MINED_ROLE_COLUMNS: member_count,
 *   quality, rule, ...) go stale with any edit and are dropped; every other named column (a
 *   reviewer's `owner`, `comment`) is kept per role in `extra`, in `extraColumns` order, so a later
 *   command can write it back.
 * - A rejected role is left out of `roles`, its id listed in `rejected`, and its role_entitlements
 *   and assignments rows are skipped (after the same checks as every other row). Rejecting is the
 *   one-cell way to drop a role.
 * - role_entitlements rows (`role`, `entitlement`) give each role its entitlements (sorted,
 *   distinct). A row naming a role that has no row in roles is an error: deleting a role's row in
 *   roles and forgetting its entitlements, or adding entitlements for a role never listed, cannot be
 *   told apart, and guessing either way changes the model. To drop a role, reject it, or delete its
 *   rows in every file. A role (not rejected) left with no entitlement is an error naming it in
 *   roles: a role that grants nothing is not a role.
 * - assignments rows (`identity`, `role`) in file order; a row naming a role not in roles is an
 *   error, a rejected role's rows are skipped. Without an assignments file, `assignments` is null.
 * - Duplicates are errors: a role id twice in roles, a role+entitlement or identity+role pair twice
 *   (naming both lines: which row did the reviewer mean to keep, and with which columns?).
 * - Role ids, entitlements and identities follow the grants readers' name rule (`checkName`): not
 *   empty or only whitespace, no control character other than a line break. Ids are otherwise
 *   taken exactly (no trimming: they must match the grants' names byte for byte).
 *
 * CSV (the dialect of the project's readers, src/ingest/csv.ts, plus what spreadsheets do):
 * RFC 4180, UTF-8 with or without a BOM, LF / CRLF / CR line ends, lines holding nothing skipped
 * (a trailing empty line), a record whose fields are all empty skipped (a spreadsheet's cleared
 * row: `,,`), fields unquoted or fully quoted with `""` for a quote inside, columns found by header
 * name in any order (names trimmed: a stray space must not turn `status` into an extra column;
 * unnamed columns ignored; a name twice is an error). Every value is un-neutralised: rolemill's CSV
 * writer puts an apostrophe before a formula-like value (`'=cmd`), so one leading `'` is dropped
 * (`unneutralise`). Arrow and JSON carry values unchanged and are read as they are: a JSON number
 * or boolean is taken as its text, null as empty, a row lacking a key has that column empty (and a
 * row lacking a required key is an error at its line); an Arrow null is empty.
 * The project's two CSV parsers (grants, identities) are private byte-level readers built around
 * their interners and their own row rules, so this module has a small string-level tokenizer of
 * the same dialect; model tables are small beside the grants, and a string-level pass keeps memory
 * a small multiple of the file.
 *
 * Lines: errors and `ModelRole.line` give, in CSV, the 1-based physical line where the record
 * starts; in JSON (an array of row objects, as `writeJson` writes it, in any layout) the line where
 * the row's object starts; in Arrow, which has no lines, the 1-based row number (as the grants
 * readers do), and messages then say "row".
 *
 * Memory is linear in the folder: each table is read whole (a string, or JSON / Arrow objects),
 * rows are turned into roles one at a time, and duplicate checks keep one map entry per row.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { InputError } from '../errors.js';
import { unneutralise } from '../output/csv.js';
import { readManifest, MANIFEST, type Manifest } from '../output/dest.js';
import { checkName, InvalidName } from '../ingest/encoder.js';
import { cannotRead, openInput } from '../ingest/input-file.js';
import { IpcInput } from '../ingest/ipc-input.js';
import { osReason } from '../ingest/os-reason.js';

/** Review states of a role, as the `status` column spells them (any case). Empty means `draft`. */
export const ROLE_STATUSES = ['approved', 'rejected', 'draft'] as const;
export type RoleStatus = (typeof ROLE_STATUSES)[number];

/** The formats `mine --format` writes, by file extension. */
export const MODEL_FORMATS = ['csv', 'arrow', 'json'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/**
 * Columns of roles that `mine` derives from the mined model (counts, the attribute rule and its
 * scores). They describe the model as mined, go stale with any edit and are recomputed by whoever
 * writes a model, so they are not carried in `extra`.
 */
export const MINED_ROLE_COLUMNS = [
  'quality', 'rule', 'rule_coverage', 'rule_precision', 'top_attributes',
  'member_count', 'entitlement_count', 'grants_covered', 'exclusive_grants',
] as const;

export interface ModelRole {
  id: string;
  /** The `name` column, verbatim (un-neutralised in CSV); null when the column is absent or the cell empty. */
  name: string | null;
  /** Rejected roles are not here (see ModelFolder.rejected). */
  status: 'approved' | 'draft';
  /** The `kind` column, verbatim; null when absent or empty. */
  kind: string | null;
  /** Sorted (JavaScript string order), distinct, at least one. */
  entitlements: string[];
  /** The other columns of roles (a reviewer's), in `ModelFolder.extraColumns` order: every role has every key. */
  extra: Record<string, string>;
  /** Its row in roles: the 1-based line (CSV, JSON) or row number (Arrow). */
  line: number;
}

export interface ModelFolder {
  dir: string;
  format: ModelFormat;
  /** The roles that are not rejected, in file order. */
  roles: ModelRole[];
  /** Ids of the rejected roles, in file order. */
  rejected: string[];
  /** Names of the columns kept in each role's `extra`, in table order. */
  extraColumns: string[];
  /** In file order, rejected roles' rows left out; null when the folder has no assignments file. */
  assignments: { identity: string; role: string }[] | null;
  /** rolemill.json, or null when there is none (or it is not rolemill's). */
  manifest: Manifest | null;
  /** The files read (paths as `dir` gives them). */
  files: { roles: string; roleEntitlements: string; assignments: string | null };
}

const TABLES = ['roles', 'role_entitlements', 'assignments'] as const;

/** Reads the model folder `dir` (see the module comment). Every problem with it is an InputError. */
export async function readModel(dir: string): Promise<ModelFolder> {
  const format = await detectFormat(dir);
  const path = (t: string) => join(dir, `${t}.${format.format}`);
  const files = { roles: path('roles'), roleEntitlements: path('role_entitlements'), assignments: format.present.has('assignments') ? path('assignments') : null };
  const rolesName = basename(files.roles);
  const reName = basename(files.roleEntitlements);
  for (const [t, other] of [['roles', 'role_entitlements'], ['role_entitlements', 'roles']] as const) {
    if (!format.present.has(t)) {
      throw new InputError(
        `cannot read the file: no such file; a model folder needs ${t}.${format.format} (${t === 'roles' ? 'one row per role' : 'the entitlements of each role'}) beside ${other}.${format.format}`,
        path(t),
      );
    }
  }
  const manifest = await readManifest(dir);

  // roles: the list of roles.
  const rolesTable = await loadTable(files.roles, format.format);
  const roleCol = requireColumn(rolesTable, 'role');
  const nameCol = rolesTable.columns.indexOf('name');
  const kindCol = rolesTable.columns.indexOf('kind');
  const statusCol = rolesTable.columns.indexOf('status');
  const mined = new Set<string>(MINED_ROLE_COLUMNS);
  const extraAt: number[] = [];
  rolesTable.columns.forEach((c, k) => {
    if (c !== '' && k !== roleCol && k !== nameCol && k !== kindCol && k !== statusCol && !mined.has(c)) extraAt.push(k);
  });
  const extraColumns = extraAt.map((k) => rolesTable.columns[k]!);
  const entries = new Map<string, Entry>();
  for (const { values, line } of rolesTable.rows()) {
    const id = nameField(rolesTable, values, roleCol, line, 'role id');
    const prev = entries.get(id);
    if (prev) throw new InputError(`duplicate role ${shown(id)} on ${rolesTable.unit}s ${prev.line} and ${line}: expected one row per role`, rolesTable.file, line, 'role');
    const status = statusCol < 0 ? 'draft' : parseStatus(rolesTable, optional(values[statusCol]), line);
    const name = nameCol < 0 ? '' : optional(values[nameCol]);
    const kind = kindCol < 0 ? '' : optional(values[kindCol]);
    entries.set(id, {
      line,
      status,
      name: name === '' ? null : name,
      kind: kind === '' ? null : kind,
      extra: Object.fromEntries(extraAt.map((k) => [rolesTable.columns[k]!, optional(values[k])])),
      entitlements: new Map(),
      members: null,
    });
  }

  // role_entitlements: each role's entitlements.
  const reTable = await loadTable(files.roleEntitlements, format.format);
  const reRole = requireColumn(reTable, 'role');
  const reEnt = requireColumn(reTable, 'entitlement');
  for (const { values, line } of reTable.rows()) {
    const id = nameField(reTable, values, reRole, line, 'role id');
    const ent = nameField(reTable, values, reEnt, line, 'entitlement');
    const e = entries.get(id);
    if (!e) {
      throw new InputError(
        `role ${shown(id)} is in ${reName} but not in ${rolesName}: add its row to ${rolesName}, or delete its rows here (to drop a role, set its status to rejected, or delete its rows in every file)`,
        reTable.file,
        line,
        'role',
      );
    }
    const first = e.entitlements.get(ent);
    if (first !== undefined) {
      throw new InputError(`duplicate entitlement ${shown(ent)} of role ${shown(id)} on ${reTable.unit}s ${first} and ${line}: expected each pair once`, reTable.file, line, 'entitlement');
    }
    e.entitlements.set(ent, line);
  }
  for (const [id, e] of entries) {
    if (e.status !== 'rejected' && e.entitlements.size === 0) {
      throw new InputError(
        `role ${shown(id)} has no entitlements: ${reName} has no row for it (a role grants at least one entitlement; to drop the role, set its status to rejected or delete its row)`,
        rolesTable.file,
        e.line,
        'role',
      );
    }
  }

  // assignments (optional).
  let assignments: { identity: string; role: string }[] | null = null;
  if (files.assignments !== null) {
    const asTable = await loadTable(files.assignments, format.format);
    const asId = requireColumn(asTable, 'identity');
    const asRole = requireColumn(asTable, 'role');
    assignments = [];
    for (const { values, line } of asTable.rows()) {
      const identity = nameField(asTable, values, asId, line, 'identity');
      const id = nameField(asTable, values, asRole, line, 'role id');
      const e = entries.get(id);
      if (!e) {
        throw new InputError(`assignment names an unknown role ${shown(id)}: it is not in ${rolesName} (add its row there, or delete this assignment)`, asTable.file, line, 'role');
      }
      const members = (e.members ??= new Map());
      const first = members.get(identity);
      if (first !== undefined) {
        throw new InputError(`duplicate assignment of role ${shown(id)} to identity ${shown(identity)} on ${asTable.unit}s ${first} and ${line}: expected each pair once`, asTable.file, line, 'role');
      }
      members.set(identity, line);
      if (e.status !== 'rejected') assignments.push({ identity, role: id });
    }
  }

  const roles: ModelRole[] = [];
  const rejected: string[] = [];
  for (const [id, e] of entries) {
    if (e.status === 'rejected') {
      rejected.push(id);
      continue;
    }
    roles.push({ id, name: e.name, status: e.status, kind: e.kind, entitlements: [...e.entitlements.keys()].sort(), extra: e.extra, line: e.line });
  }
  return { dir, format: format.format, roles, rejected, extraColumns, assignments, manifest, files };
}

/** A role while the folder is read. */
interface Entry {
  line: number;
  status: RoleStatus;
  name: string | null;
  kind: string | null;
  extra: Record<string, string>;
  /** Entitlement -> the line of its row (for duplicate messages). */
  entitlements: Map<string, number>;
  /** Identity -> the line of its assignment row; created on the first one. */
  members: Map<string, number> | null;
}

/** Which format the folder's tables are in, and which of them exist. */
async function detectFormat(dir: string): Promise<{ format: ModelFormat; present: Set<(typeof TABLES)[number]> }> {
  let names: string[];
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new InputError('is not a folder: expected a model folder (what rolemill mine --out writes)', dir);
    names = await readdir(dir);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read the model folder: ${osReason(e)}`, dir);
  }
  const have = new Set(names);
  const found: string[] = [];
  const formats = new Set<ModelFormat>();
  const present = new Set<(typeof TABLES)[number]>();
  for (const t of TABLES) {
    for (const f of MODEL_FORMATS) {
      if (have.has(`${t}.${f}`)) {
        found.push(`${t}.${f}`);
        formats.add(f);
        present.add(t);
      }
    }
  }
  if (formats.size > 1) {
    throw new InputError(
      `holds model tables in more than one format (${found.join(', ')}): expected roles, role_entitlements and assignments all as .csv, all as .arrow or all as .json; move the others away`,
      dir,
    );
  }
  if (formats.size === 0) {
    const manifest = have.has(MANIFEST) ? await readManifest(dir) : null;
    const what = manifest && manifest.kind !== 'model' ? ` (its ${MANIFEST} says it is a rolemill '${manifest.kind}' output)` : '';
    throw new InputError(
      `is not a model folder${what}: it holds none of roles.csv, roles.arrow, roles.json, role_entitlements.csv, role_entitlements.arrow, role_entitlements.json (expected what rolemill mine --out writes)`,
      dir,
    );
  }
  return { format: [...formats][0]!, present };
}

// ---------------------------------------------------------------------------------------------
// Tables: the same rows from CSV, JSON and Arrow.

/** One row: values by column index; undefined only where a JSON row lacks a key. */
interface Row {
  values: (string | undefined)[];
  line: number;
}

interface LoadedTable {
  file: string;
  format: ModelFormat;
  /** 'line' (CSV, JSON) or 'row' (Arrow): what `line` counts, for messages. */
  unit: 'line' | 'row';
  /** Column names ('' for an unnamed CSV column, which is ignored). JSON: every key, first-seen order. */
  columns: string[];
  /** Where the header is (CSV), undefined where there is none. */
  headerLine: number | undefined;
  rows(): Iterable<Row>;
}

/** The index of `name`, or an InputError naming the table's header (JSON: the first row lacking it). */
function requireColumn(t: LoadedTable, name: string): number {
  const at = t.columns.indexOf(name);
  if (at >= 0) return at;
  if (t.format === 'json') {
    // JSON has no header: a missing key is reported at the first row (an empty array lacks nothing).
    for (const r of t.rows()) throw missingInRow(t, r, name);
    return -1;
  }
  const found = t.columns.filter((c) => c !== '');
  throw new InputError(
    `missing column '${name}'; columns found: ${found.length > 0 ? found.map((c) => `'${c}'`).join(', ') : 'none'}`,
    t.file,
    t.headerLine,
    name,
  );
}

function missingInRow(t: LoadedTable, r: Row, name: string): InputError {
  const has = t.columns.filter((_, k) => r.values[k] !== undefined);
  return new InputError(`missing column '${name}'; this row has: ${has.length > 0 ? has.map((c) => `'${c}'`).join(', ') : 'nothing'}`, t.file, r.line, name);
}

/** A role id, entitlement or identity (the column `at` exists; `checkName`'s rule). */
function nameField(t: LoadedTable, values: (string | undefined)[], at: number, line: number, label: string): string {
  const v = values[at];
  if (v === undefined) throw missingInRow(t, { values, line }, t.columns[at]!);
  try {
    checkName(v, label);
  } catch (e) {
    if (e instanceof InvalidName) throw new InputError(e.message, t.file, line, t.columns[at]);
    throw e;
  }
  return v;
}

const optional = (v: string | undefined): string => v ?? '';

function parseStatus(t: LoadedTable, raw: string, line: number): RoleStatus {
  const s = raw.trim().toLowerCase();
  if (s === '') return 'draft';
  if ((ROLE_STATUSES as readonly string[]).includes(s)) return s as RoleStatus;
  throw new InputError(`status ${shown(raw)} is not one of ${ROLE_STATUSES.join(', ')} (any case; empty means draft)`, t.file, line, 'status');
}

/** A value for a message: quoted, control characters escaped, long values cut. */
function shown(v: string): string {
  const s = v.length > 60 ? `${v.slice(0, 60)}...` : v;
  return `'${s.replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

async function readBytes(file: string): Promise<Uint8Array> {
  const { fh } = await openInput(file);
  try {
    return await fh.readFile();
  } catch (e) {
    throw cannotRead(file, e);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The file as text (a leading BOM kept for the caller to drop); invalid UTF-8 names its line. */
function decode(bytes: Uint8Array, file: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    // UTF-8 sequences never hold a LF byte: the first line that does not decode is the culprit.
    let line = 1;
    let from = 0;
    for (;;) {
      const lf = bytes.indexOf(0x0a, from);
      const end = lf < 0 ? bytes.length : lf;
      try {
        utf8.decode(bytes.subarray(from, end));
      } catch {
        break;
      }
      if (lf < 0) break;
      line++;
      from = lf + 1;
    }
    throw new InputError('not valid UTF-8 text: save the file as UTF-8 (in a spreadsheet, "CSV UTF-8")', file, line);
  }
}

async function loadTable(file: string, format: ModelFormat): Promise<LoadedTable> {
  const bytes = await readBytes(file);
  if (format === 'csv') return csvTable(decode(bytes, file), file);
  if (format === 'json') return jsonTable(decode(bytes, file), file);
  return arrowTable(bytes, file);
}

// --- CSV -------------------------------------------------------------------------------------

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Pull tokenizer over CSV text (see the module comment for the dialect). `next()` returns the next
 * record's fields, raw (no un-neutralising), and sets `line` to the line where it starts; null at
 * the end. Structural errors name the field by position (the record may not line up with the header).
 */
class CsvRecords {
  /** The line where the last record returned starts. */
  line = 0;
  private pos: number;
  private nextLine = 1;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  next(): string[] | null {
    const t = this.text;
    const n = t.length;
    let pos = this.pos;
    let line = this.nextLine;
    // Lines holding nothing are not records.
    while (pos < n) {
      const c = t.charCodeAt(pos);
      if (c === LF) pos++;
      else if (c === CR) pos += t.charCodeAt(pos + 1) === LF ? 2 : 1;
      else break;
      line++;
    }
    if (pos >= n) {
      this.pos = pos;
      this.nextLine = line;
      return null;
    }
    this.line = line;
    const fields: string[] = [];
    for (;;) {
      if (t.charCodeAt(pos) === QUOTE) {
        const fieldLine = line;
        let value = '';
        let from = pos + 1;
        for (;;) {
          const q = t.indexOf('"', from);
          if (q < 0) throw new InputError('unbalanced quote: the quoted field starting on this line is never closed', this.file, fieldLine, String(fields.length + 1));
          line += lineBreaks(t, from, q);
          if (t.charCodeAt(q + 1) === QUOTE) {
            value += t.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += t.slice(from, q);
          pos = q + 1;
          break;
        }
        fields.push(value);
        if (pos < n) {
          const c = t.charCodeAt(pos);
          if (c !== COMMA && c !== LF && c !== CR) {
            throw new InputError('expected a comma or the end of the line after a closing quote', this.file, line, String(fields.length));
          }
        }
      } else {
        let j = pos;
        while (j < n) {
          const c = t.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) {
            throw new InputError(
              'unexpected quote inside an unquoted field: expected the whole field quoted, with "" for each quote in it',
              this.file,
              line,
              String(fields.length + 1),
            );
          }
          j++;
        }
        fields.push(t.slice(pos, j));
        pos = j;
      }
      if (pos >= n) break;
      const c = t.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        continue;
      }
      pos += c === CR && t.charCodeAt(pos + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    this.pos = pos;
    this.nextLine = line;
    return fields;
  }
}

/** Line breaks in t[from, to): LF, CRLF and a lone CR each count once. */
function lineBreaks(t: string, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i);
    if (c === LF || (c === CR && t.charCodeAt(i + 1) !== LF)) k++;
  }
  return k;
}

function csvTable(text: string, file: string): LoadedTable {
  const records = new CsvRecords(text, file);
  const header = records.next();
  if (header === null) throw new InputError('empty file: expected a header row naming the columns', file);
  const headerLine = records.line;
  const columns = header.map((h) => unneutralise(h).trim());
  refuseDuplicates(columns, file, headerLine, 'the header');
  const width = columns.length;
  let used = false;
  return {
    file,
    format: 'csv',
    unit: 'line',
    columns,
    headerLine,
    *rows() {
      // One pass over the text; requireColumn only asks JSON tables for their first row.
      if (used) throw new Error('internal: CSV rows read twice');
      used = true;
      for (let f = records.next(); f !== null; f = records.next()) {
        if (f.length !== width) throw new InputError(`expected ${width} fields as in the header, found ${f.length}`, file, records.line);
        if (f.every((v) => v === '')) continue; // a cleared spreadsheet row
        yield { values: f.map(unneutralise), line: records.line };
      }
    },
  };
}

function refuseDuplicates(columns: string[], file: string, line: number | undefined, where: string): void {
  const seen = new Map<string, number>();
  columns.forEach((c, k) => {
    if (c === '') return;
    const prev = seen.get(c);
    // Which of the two would a reader mean? Refuse rather than pick one.
    if (prev !== undefined) throw new InputError(`column '${c}' appears twice in ${where} (columns ${prev + 1} and ${k + 1})`, file, line, c);
    seen.set(c, k);
  });
}

// --- JSON ------------------------------------------------------------------------------------

function jsonTable(text: string, file: string): LoadedTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = /at position (\d+)/.exec(msg);
    throw new InputError(`not valid JSON: ${msg}`, file, at ? 1 + lineBreaks(text, 0, Number(at[1])) : undefined);
  }
  if (!Array.isArray(data)) throw new InputError(`expected a JSON array of row objects, found ${jsonKind(data)}`, file, 1 + leadingLines(text));
  const rowsData: unknown[] = data;
  const lines = elementLines(text);
  const columns: string[] = [];
  const index = new Map<string, number>();
  rowsData.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new InputError(`expected an object (one row of the table), found ${jsonKind(row)}`, file, lines[i]);
    }
    for (const k of Object.keys(row)) {
      if (!index.has(k)) {
        index.set(k, columns.length);
        columns.push(k);
      }
    }
  });
  return {
    file,
    format: 'json',
    unit: 'line',
    columns,
    headerLine: undefined,
    *rows() {
      for (let i = 0; i < rowsData.length; i++) {
        const row = rowsData[i] as Record<string, unknown>;
        const line = lines[i]!;
        yield {
          line,
          values: columns.map((c) => {
            if (!Object.hasOwn(row, c)) return undefined;
            const v = row[c];
            if (typeof v === 'string') return v;
            if (v === null) return '';
            if (typeof v === 'number' || typeof v === 'boolean') return String(v);
            return JSON.stringify(v);
          }),
        };
      }
    },
  };
}

function jsonKind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function leadingLines(text: string): number {
  let i = 0;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return lineBreaks(text, 0, i);
}

/** For valid JSON text holding an array: the 1-based line where each element starts. */
function elementLines(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expect = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === QUOTE) inString = false;
      continue; // valid JSON strings hold no raw line break
    }
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
    if (c === LF || c === CR || c === 0x20 || c === 0x09) continue;
    if (depth === 1 && expect && c !== 0x5d /* ] */) {
      out.push(line);
      expect = false;
    }
    if (c === QUOTE) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth === 1) expect = true;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === COMMA && depth === 1) expect = true;
  }
  return out;
}

// --- Arrow -----------------------------------------------------------------------------------

async function arrowTable(bytes: Uint8Array, file: string): Promise<LoadedTable> {
  if (bytes.length === 0) throw new InputError('empty file: expected an Arrow IPC file', file);
  // apache-arrow reads a file cut short as far as its bytes make sense: check the framing first.
  const input = new IpcInput(
    (async function* () {
      yield bytes;
    })(),
  );
  await input.drain();
  const cut = input.truncation();
  if (cut) throw new InputError(`not a readable Arrow IPC file: ${cut}`, file);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new InputError(`not a readable Arrow IPC file: ${e instanceof Error ? e.message : String(e)}`, file);
  }
  const columns = table.schema.fields.map((f) => f.name);
  refuseDuplicates(columns, file, undefined, 'the schema');
  return {
    file,
    format: 'arrow',
    unit: 'row',
    columns,
    headerLine: undefined,
    *rows() {
      let vectors: unknown[][];
      try {
        vectors = columns.map((_, k) => Array.from(table.getChildAt(k) ?? []));
      } catch (e) {
        throw new InputError(`corrupt Arrow IPC data: ${e instanceof Error ? e.message : String(e)}`, file);
      }
      for (let i = 0; i < table.numRows; i++) {
        yield {
          line: i + 1,
          values: vectors.map((v) => {
            const x = v[i];
            return x === null || x === undefined ? '' : typeof x === 'string' ? x : String(x);
          }),
        };
      }
    },
  };
}

/**
 * The rows of another table of a model folder (`exceptions`, `identities`, ...) in the folder's
 * format, as records keyed by column name (CSV values un-neutralised); null when the folder has no
 * such table. For lookups (explain), not bulk work: one object per row.
 */
export async function readModelTable(folder: Pick<ModelFolder, 'dir' | 'format'>, name: string): Promise<Record<string, string>[] | null> {
  const file = join(folder.dir, `${name}.${folder.format}`);
  const there = await stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!there) return null;
  const t = await loadTable(file, folder.format);
  const out: Record<string, string>[] = [];
  for (const r of t.rows()) {
    const rec: Record<string, string> = {};
    t.columns.forEach((c, k) => {
      if (c !== '') rec[c] = r.values[k] ?? '';
    });
    out.push(rec);
  }
  return out;
}
