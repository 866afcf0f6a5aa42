/**
 * Writes a model to a folder, all or nothing, through writeOutput (src/output/dest.ts): the folder
 * must be absent, empty or an earlier rolemill output; files go to a temporary folder beside it,
 * which replaces it only when every file is complete. A failure or abort leaves no output behind
 * and an earlier output at the same path as it was.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutTable } from '../model/tables.js';
import type { RoleModel } from '../model/model.js';
import type { Run } from '../pipeline/mine.js';
import { AbortError } from '../errors.js';
import { writeOutput, writingFile, manifestFiles, MANIFEST } from './dest.js';
import { csvHeader, csvRowEncoder, deliverableFiles, fitsWire, outputTables, reportFileList, reportOptionsOf, summaryText, tableBytes, type Deliverables, type OutputFormat, type TableShape } from './files.js';
import { REPORT_FILE } from '../report/index.js';
import { startReportThread, type ReportThread } from './report-thread.js';
import { startTableThread, type TableThread } from './table-thread.js';
import { writeCsvFile } from './csv-file.js';

export type { OutputFormat } from './files.js';

export interface WriteOptions extends TableShape, Deliverables {
  format?: OutputFormat;
  /** Leave out `timings` from summary.json, making every file a pure function of the input. */
  omitTimings?: boolean;
  /** Called with the share of table rows written so far, in [0, 1]. */
  onProgress?: (fraction: number) => void;
  /** Stops the write with AbortError between chunks: nothing is left behind, an earlier output at `dir` stays as it was. */
  signal?: AbortSignal;
  /** Input files of the run: `dir` may not be or hold any of them (OutputError). */
  inputs?: string[];
  /**
   * Builds report.html on a worker thread while the tables are written (src/output/report-thread.ts;
   * the same bytes): 'auto' when the tables hold at least REPORT_THREAD_ROWS rows, as the command
   * line asks; default 'never' (in process: the worker's module is the built dist/ one).
   */
  reportThread?: 'auto' | 'always' | 'never';
  /**
   * Writes CSV tables on a worker thread (src/output/table-thread.ts; the same bytes) while this
   * thread makes `later`'s tables: 'auto' when the tables hold at least REPORT_THREAD_ROWS rows;
   * default 'never'. Other formats are written in process.
   */
  tableThread?: 'auto' | 'always' | 'never';
  /**
   * Tables made while the others are written (the command line's review, src/pipeline/mine.ts
   * withReview): called once the destination is good and the tables are on their way; its tables
   * are written after them and its tableFiles join the deliverables. summary.json (and report.html)
   * are drawn from the summary after it, so a time it records there is written.
   */
  later?: () => { tables: OutTable[]; tableFiles?: Deliverables['tableFiles'] };
}

/**
 * Table rows from which 'auto' builds the report, and writes the CSV tables, on worker threads:
 * below this, each takes well under a worker's start (about 40 ms) and the tables' copy.
 */
export const REPORT_THREAD_ROWS = 200_000;

/**
 * Writes the tables, summary.json, the deliverables (src/output/files.ts: per-reviewer files,
 * exports, report.html) and the manifest into `dir`; returns the file names written (the manifest
 * last). OutputError when `dir` may not or cannot be written. `outputFiles` gives the same bytes
 * in memory.
 */
export async function writeModel(dir: string, model: RoleModel, options: WriteOptions = {}): Promise<string[]> {
  return writeFolder(dir, 'model', outputTables(model, options), model.summary, options);
}

/**
 * Writes plain tables and a summary as an output folder of `kind` (diff, and later outputs that are
 * not a model), all or nothing, through writeOutput. Returns the file names written.
 */
export async function writeTables(dir: string, tables: OutTable[], summary: unknown, options: Pick<WriteOptions, 'format' | 'signal' | 'inputs' | 'onProgress' | 'command' | 'report' | 'files' | 'exports' | 'tableFiles' | 'reportThread'> & { kind: string }): Promise<string[]> {
  return writeFolder(dir, options.kind, tables, summary, options);
}

async function writeFolder(dir: string, kind: string, tables: OutTable[], summary: unknown, options: WriteOptions): Promise<string[]> {
  const format = options.format ?? 'csv';
  const files: string[] = [];
  const { signal, onProgress } = options;
  const rows = tables.reduce((n, t) => n + t.length, 0);
  const large = (mode: WriteOptions['reportThread']) => mode === 'always' || (mode === 'auto' && rows >= REPORT_THREAD_ROWS);
  const reportOptions = reportOptionsOf(options);
  const threadedReport = reportOptions !== null && !options.onReportData && large(options.reportThread ?? 'never');
  const threadedTables = format === 'csv' && large(options.tableThread ?? 'never');
  // Set once the destination is good; stopped if the write fails.
  const threads: { report: ReportThread | null; tables: TableThread | null } = { report: null, tables: null };
  try {
    await writeOutput(dir, { kind, ...(options.inputs ? { inputs: options.inputs } : {}), ...(signal ? { signal } : {}), ...(options.command ? { command: options.command } : {}) }, async (tmp) => {
      // The deliverables are drawn from the tables and the summary as written (JSON round-tripped).
      // report.html's data is built on its thread while the tables are written.
      if (threadedReport) threads.report = startReportThread(tables, JSON.parse(summaryText(summary, options.omitTimings)), reportOptions);
      let total = Math.max(1, rows);
      let written = 0;
      let shown = 0;
      const advance = (n: number) => {
        if (signal?.aborted) throw new AbortError();
        written += n;
        shown = Math.max(shown, Math.min(1, written / total));
        onProgress?.(shown);
      };
      advance(0);
      // Tables to the thread first (those that fit: fitsWire), then the rest here, in order.
      const writeAll = async (list: OutTable[]) => {
        const here: [string, OutTable][] = [];
        const queued = [];
        for (const t of list) {
          const file = `${t.name}.${format}`;
          const path = join(tmp, file);
          if (threads.tables && fitsWire(t)) queued.push({ path, table: t });
          else here.push([path, t]);
          files.push(file);
        }
        if (queued.length) threads.tables!.write(queued);
        for (const [path, t] of here)
          await writingFile(path, async () => {
            if (format === 'csv') await writeCsvFile(path, csvHeader(t), csvRowEncoder(t), t.length, advance);
            else {
              await writeFile(path, tableBytes(t, format));
              advance(t.length);
            }
          });
      };
      if (threadedTables) threads.tables = startTableThread(advance);
      await writeAll(tables);
      // What is made while those are written.
      const more = options.later?.() ?? null;
      if (more) {
        if (signal?.aborted) throw new AbortError();
        total += more.tables.reduce((n, t) => n + t.length, 0);
        await writeAll(more.tables);
      }
      await threads.tables?.finish();
      if (signal?.aborted) throw new AbortError();
      const text = summaryText(summary, options.omitTimings);
      await writeFile(join(tmp, 'summary.json'), text);
      files.push('summary.json');
      const summaryJson: unknown = JSON.parse(text);
      const all = more ? [...tables, ...more.tables] : tables;
      const deliverables: Deliverables = more?.tableFiles?.length ? { ...options, tableFiles: [...(options.tableFiles ?? []), ...more.tableFiles] } : options;
      // The deliverables, report.html last (from its thread when it has one).
      const before = await manifestFiles(tmp);
      const out = deliverableFiles(all, summaryJson, format, threads.report ? { ...deliverables, report: undefined } : deliverables, before);
      if (threads.report) out.push({ path: REPORT_FILE, data: await threads.report.finish(reportFileList(before, out), more ? { tables: more.tables, summary: summaryJson } : undefined) });
      for (const f of out) {
        if (signal?.aborted) throw new AbortError();
        const path = join(tmp, ...f.path.split('/'));
        await mkdir(dirname(path), { recursive: true });
        await writingFile(path, () => writeFile(path, f.data));
        files.push(f.path);
      }
    });
  } finally {
    threads.report?.cancel();
    threads.tables?.cancel();
  }
  files.push(MANIFEST);
  return files;
}

/** How writeRun writes: the format, the write's controls and the deliverables (the tables come from the run). */
export type WriteRunOptions = Omit<WriteOptions, 'roleColumns' | 'roleKind' | 'exceptionColumns'>;

/** Writes a governed run (src/pipeline/mine.ts): its model, its role columns and its extra tables. */
export function writeRun(dir: string, run: Pick<Run, 'model' | 'extraTables' | 'roleColumns' | 'exceptionColumns'>, options: WriteRunOptions = {}): Promise<string[]> {
  return writeModel(dir, run.model, { ...options, extraTables: [...run.extraTables, ...(options.extraTables ?? [])], roleColumns: run.roleColumns, exceptionColumns: run.exceptionColumns });
}
