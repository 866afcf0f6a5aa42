/**
 * Writes a model to a folder, all or nothing, through writeOutput (src/output/dest.ts): the folder
 * must be absent, empty or an earlier rolemill output; files go to a temporary folder beside it,
 * which replaces it only when every file is complete. A failure or abort leaves no output behind
 * and an earlier output at the same path as it was.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { tableToIPC } from 'apache-arrow';
import { csvLine, csvField } from './csv.js';
import { modelTables, type Column, type OutTable } from '../model/tables.js';
import { tableToArrow } from '../model/arrow.js';
import type { RoleModel } from '../model/model.js';
import type { Run } from '../pipeline/mine.js';
import { AbortError } from '../errors.js';
import { writeOutput, writingFile, manifestFiles, MANIFEST } from './dest.js';
import { reportFor, REPORT_FILE, viewOfTable, type ReportOptions } from '../report/index.js';
import { exportRoles, type ExportFormat } from '../export/index.js';
import { exportRolesOf } from '../export/model.js';

export type OutputFormat = 'csv' | 'arrow' | 'json';

export interface WriteOptions {
  format?: OutputFormat;
  /** Leave out `timings` from summary.json, making every file a pure function of the input. */
  omitTimings?: boolean;
  /** More tables to write beside the model's (e.g. the identities table of src/analysis/report.ts). */
  extraTables?: OutTable[];
  /** More columns for the roles table, and a replacement for its `kind` column (business alignment). */
  roleColumns?: [string, Column][];
  roleKind?: Column;
  /** More columns for the exceptions table, inserted after `identity` (its rows: exceptions, then over-assignments). */
  exceptionColumns?: [string, Column][];
  /** Called with the share of table rows written so far, in [0, 1]. */
  onProgress?: (fraction: number) => void;
  /** Stops the write with AbortError between chunks: nothing is left behind, an earlier output at `dir` stays as it was. */
  signal?: AbortSignal;
  /** Input files of the run: `dir` may not be or hold any of them (OutputError). */
  inputs?: string[];
  /** Recorded in the manifest, and shown in the report. */
  command?: string[];
  /** Writes report.html (src/report/), drawn from the tables and summary as written, last. */
  report?: ReportOptions;
  /** More files (relative '/'-separated paths, e.g. review/<reviewer>.csv), written after the tables. */
  files?: { path: string; text: string }[];
  /** More tables in subfolders (e.g. review/<reviewer>: one review file per reviewer), written in the output's format. */
  tableFiles?: { path: string; table: OutTable }[];
  /** Role exports for governance systems (src/export/), written into `export/`, from the roles as written. */
  exports?: { formats: ExportFormat[]; appSeparator?: string };
}

/**
 * Writes the tables, summary.json and the manifest into `dir`; returns the file names written
 * (the manifest last). OutputError when `dir` may not or cannot be written.
 */
export async function writeModel(dir: string, model: RoleModel, options: WriteOptions = {}): Promise<string[]> {
  const format = options.format ?? 'csv';
  const files: string[] = [];
  await writeOutput(dir, { kind: 'model', ...outputOptions(options) }, async (tmp) => {
    const tables = modelTables(model).map((t) => {
      if (t.name === 'exceptions' && options.exceptionColumns?.length) {
        const columns = [...t.columns];
        columns.splice(1, 0, ...options.exceptionColumns);
        return { ...t, columns };
      }
      if (t.name !== 'roles') return t;
      const columns = t.columns.map(([n, c]): [string, Column] => (n === 'kind' && options.roleKind ? [n, options.roleKind] : [n, c]));
      const at = columns.findIndex(([n]) => n === 'kind') + 1;
      columns.splice(at, 0, ...(options.roleColumns ?? []));
      return { ...t, columns };
    });
    const all = [...tables, ...(options.extraTables ?? [])];
    const total = Math.max(1, all.reduce((n, t) => n + t.length, 0));
    let written = 0;
    const { signal, onProgress } = options;
    const advance = (rows: number) => {
      if (signal?.aborted) throw new AbortError();
      written += rows;
      onProgress?.(Math.min(1, written / total));
    };
    advance(0);
    files.push(...(await writeTablesInto(tmp, all, format, advance)));
    if (signal?.aborted) throw new AbortError();
    const summary = options.omitTimings ? { ...model.summary, timings: undefined } : model.summary;
    await writeFile(join(tmp, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    files.push('summary.json');
    files.push(...(await writeDeliverables(tmp, all, JSON.parse(JSON.stringify(summary)), { ...options, format })));
  });
  files.push(MANIFEST);
  return files;
}

/**
 * Writes plain tables and a summary as an output folder of `kind` (diff, and later outputs that are
 * not a model), all or nothing, through writeOutput. Returns the file names written.
 */
export async function writeTables(dir: string, tables: OutTable[], summary: unknown, options: Pick<WriteOptions, 'format' | 'signal' | 'inputs' | 'onProgress' | 'command' | 'report' | 'files' | 'exports' | 'tableFiles'> & { kind: string }): Promise<string[]> {
  const format = options.format ?? 'csv';
  const files: string[] = [];
  await writeOutput(dir, { kind: options.kind, ...outputOptions(options) }, async (tmp) => {
    const total = Math.max(1, tables.reduce((n, t) => n + t.length, 0));
    let written = 0;
    const advance = (rows: number) => {
      if (options.signal?.aborted) throw new AbortError();
      written += rows;
      options.onProgress?.(Math.min(1, written / total));
    };
    files.push(...(await writeTablesInto(tmp, tables, format, advance)));
    await writeFile(join(tmp, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    files.push('summary.json');
    files.push(...(await writeDeliverables(tmp, tables, JSON.parse(JSON.stringify(summary)), { ...options, format })));
  });
  files.push(MANIFEST);
  return files;
}

function outputOptions(o: Pick<WriteOptions, 'inputs' | 'signal' | 'command'>) {
  return { ...(o.inputs ? { inputs: o.inputs } : {}), ...(o.signal ? { signal: o.signal } : {}), ...(o.command ? { command: o.command } : {}) };
}

/**
 * The files beside the tables: `files` (exports, per-reviewer files), then report.html, drawn
 * from the tables and the summary (as written: JSON round-tripped) and listing every file
 * written before it. Returns the paths written.
 */
async function writeDeliverables(tmp: string, tables: OutTable[], summary: unknown, options: Pick<WriteOptions, 'report' | 'files' | 'command' | 'signal' | 'exports' | 'tableFiles' | 'format'>): Promise<string[]> {
  const out: string[] = [];
  const safe = (p: string) => {
    if (p.split('/').some((part) => part === '' || part === '.' || part === '..' || part.includes('\\'))) throw new Error(`internal: an output file path must stay inside the folder, got '${p}'`);
    return p;
  };
  for (const f of options.tableFiles ?? []) {
    const at = safe(f.path).split('/');
    const sub = join(tmp, ...at.slice(0, -1));
    await mkdir(sub, { recursive: true });
    const written = await writeTablesInto(sub, [f.table], options.format ?? 'csv', () => {
      if (options.signal?.aborted) throw new AbortError();
    }, at[at.length - 1]!);
    out.push(...written.map((w) => [...at.slice(0, -1), w].join('/')));
  }
  const exported = options.exports?.formats.length
    ? exportRoles(exportRolesOf(new Map(tables.map((t) => [t.name, viewOfTable(t)]))), options.exports.formats, options.exports.appSeparator ? { appSeparator: options.exports.appSeparator } : {}).map((f) => ({ path: `export/${f.path}`, text: f.text }))
    : [];
  for (const f of [...(options.files ?? []), ...exported]) {
    safe(f.path);
    if (options.signal?.aborted) throw new AbortError();
    const path = join(tmp, ...f.path.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writingFile(path, () => writeFile(path, f.text));
    out.push(f.path);
  }
  if (options.report) {
    if (options.signal?.aborted) throw new AbortError();
    const html = reportFor(tables, summary, await manifestFiles(tmp), { ...options.report, command: options.report.command ?? options.command ?? null });
    const path = join(tmp, REPORT_FILE);
    await writingFile(path, () => writeFile(path, html));
    out.push(REPORT_FILE);
  }
  return out;
}

/** How writeRun writes: the format and the write's controls (the tables come from the run). */
export type WriteRunOptions = Pick<WriteOptions, 'format' | 'omitTimings' | 'onProgress' | 'signal' | 'inputs' | 'command' | 'report' | 'files' | 'extraTables' | 'exports' | 'tableFiles'>;

/** Writes a governed run (src/pipeline/mine.ts): its model, its role columns and its extra tables. */
export function writeRun(dir: string, run: Pick<Run, 'model' | 'extraTables' | 'roleColumns' | 'exceptionColumns'>, options: WriteRunOptions = {}): Promise<string[]> {
  return writeModel(dir, run.model, { ...options, extraTables: [...run.extraTables, ...(options.extraTables ?? [])], roleColumns: run.roleColumns, exceptionColumns: run.exceptionColumns });
}

/** Writes each table as `<name>.<format>` into `dir` (a folder of rolemill's own); `advance` gets the rows written (it may throw to stop). */
async function writeTablesInto(dir: string, tables: OutTable[], format: OutputFormat, advance: (rows: number) => void, baseName?: string): Promise<string[]> {
  const files: string[] = [];
  for (const t of tables) {
    const file = `${baseName ?? t.name}.${format}`;
    const path = join(dir, file);
    await writingFile(path, async () => {
      if (format === 'csv') await writeCsv(path, t, advance);
      else {
        if (format === 'json') await writeJson(path, t);
        else await writeFile(path, tableToIPC(tableToArrow(t), 'file'));
        advance(t.length);
      }
    });
    files.push(file);
  }
  return files;
}

function cell(t: OutTable, col: number, row: number): string | number {
  const c = t.columns[col]![1];
  return c.kind === 'int' ? c.values[row]! : c.dictionary[c.codes[row]!]!;
}

/** Streams rows in chunks of ~1 MB, honouring back-pressure. */
/** Writes one table as CSV in 1 MiB chunks, calling `advance` with the rows of each chunk (it may throw to stop). */
async function writeCsv(path: string, t: OutTable, advance: (rows: number) => void): Promise<void> {
  const out = createWriteStream(path);
  const closed = once(out, 'close');
  const errored = new Promise<never>((_, reject) => out.on('error', reject));
  const write = async (s: string) => {
    if (!out.write(s)) await Promise.race([once(out, 'drain'), errored]);
  };
  await write(t.columns.map(([name]) => csvField(name)).join(',') + '\n');
  let chunk = '';
  let rows = 0;
  try {
    for (let i = 0; i < t.length; i++) {
      chunk += csvLine(t.columns.map((_, c) => cell(t, c, i)));
      rows++;
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = '';
        advance(rows);
        rows = 0;
      }
    }
    if (chunk) await write(chunk);
    advance(rows);
  } finally {
    out.end();
    await Promise.race([closed, errored]);
  }
}

async function writeJson(path: string, t: OutTable): Promise<void> {
  const names = t.columns.map(([n]) => n);
  const rows: Record<string, string | number>[] = [];
  for (let i = 0; i < t.length; i++) rows.push(Object.fromEntries(names.map((n, c) => [n, cell(t, c, i)])));
  await writeFile(path, JSON.stringify(rows, null, 1) + '\n');
}
