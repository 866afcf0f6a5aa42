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
import type { OutTable } from '../model/tables.js';
import type { RoleModel } from '../model/model.js';
import type { Run } from '../pipeline/mine.js';
import { AbortError } from '../errors.js';
import { writeOutput, writingFile, manifestFiles, MANIFEST } from './dest.js';
import { csvHeader, csvRows, deliverableFiles, outputTables, summaryText, tableBytes, type Deliverables, type OutputFormat, type TableShape } from './files.js';

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
}

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
export async function writeTables(dir: string, tables: OutTable[], summary: unknown, options: Pick<WriteOptions, 'format' | 'signal' | 'inputs' | 'onProgress' | 'command' | 'report' | 'files' | 'exports' | 'tableFiles'> & { kind: string }): Promise<string[]> {
  return writeFolder(dir, options.kind, tables, summary, options);
}

async function writeFolder(dir: string, kind: string, tables: OutTable[], summary: unknown, options: WriteOptions): Promise<string[]> {
  const format = options.format ?? 'csv';
  const files: string[] = [];
  const { signal, onProgress } = options;
  await writeOutput(dir, { kind, ...(options.inputs ? { inputs: options.inputs } : {}), ...(signal ? { signal } : {}), ...(options.command ? { command: options.command } : {}) }, async (tmp) => {
    const total = Math.max(1, tables.reduce((n, t) => n + t.length, 0));
    let written = 0;
    const advance = (rows: number) => {
      if (signal?.aborted) throw new AbortError();
      written += rows;
      onProgress?.(Math.min(1, written / total));
    };
    advance(0);
    for (const t of tables) {
      const file = `${t.name}.${format}`;
      const path = join(tmp, file);
      await writingFile(path, async () => {
        if (format === 'csv') await writeCsv(path, t, advance);
        else {
          await writeFile(path, tableBytes(t, format));
          advance(t.length);
        }
      });
      files.push(file);
    }
    if (signal?.aborted) throw new AbortError();
    const text = summaryText(summary, options.omitTimings);
    await writeFile(join(tmp, 'summary.json'), text);
    files.push('summary.json');
    // The deliverables, drawn from the tables and the summary as written (JSON round-tripped).
    for (const f of deliverableFiles(tables, JSON.parse(text), format, options, await manifestFiles(tmp))) {
      if (signal?.aborted) throw new AbortError();
      const path = join(tmp, ...f.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writingFile(path, () => writeFile(path, f.data));
      files.push(f.path);
    }
  });
  files.push(MANIFEST);
  return files;
}

/** How writeRun writes: the format, the write's controls and the deliverables (the tables come from the run). */
export type WriteRunOptions = Omit<WriteOptions, 'roleColumns' | 'roleKind' | 'exceptionColumns'>;

/** Writes a governed run (src/pipeline/mine.ts): its model, its role columns and its extra tables. */
export function writeRun(dir: string, run: Pick<Run, 'model' | 'extraTables' | 'roleColumns' | 'exceptionColumns'>, options: WriteRunOptions = {}): Promise<string[]> {
  return writeModel(dir, run.model, { ...options, extraTables: [...run.extraTables, ...(options.extraTables ?? [])], roleColumns: run.roleColumns, exceptionColumns: run.exceptionColumns });
}

/** Writes one table as CSV in 1 MiB chunks, honouring back-pressure, calling `advance` with the rows of each chunk (it may throw to stop). */
async function writeCsv(path: string, t: OutTable, advance: (rows: number) => void): Promise<void> {
  const out = createWriteStream(path);
  const closed = once(out, 'close');
  const errored = new Promise<never>((_, reject) => out.on('error', reject));
  const write = async (s: string) => {
    if (!out.write(s)) await Promise.race([once(out, 'drain'), errored]);
  };
  await write(csvHeader(t));
  try {
    // Rows in slices of 512, a chunk sent once it passes 1 MiB.
    let chunk = '';
    let rows = 0;
    for (let i = 0; i < t.length; i += 512) {
      const to = Math.min(t.length, i + 512);
      chunk += csvRows(t, i, to);
      rows += to - i;
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
