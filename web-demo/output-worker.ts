/**
 * The page's run worker: it owns the worker engine (whose own worker reads and mines), takes the
 * finished run from it, and makes the output folder's files, the report's data and the page's
 * tables from it (output.ts). The run never crosses the page's main thread: at a million grants
 * its tables' names alone took the page over 100 ms to copy in, and again to copy out. The page
 * gets what it shows: files as bytes (transferred), summary.json's text, the report's data, the
 * three tables, the roles for its test hooks, the summary, notices and warnings.
 *
 * Messages in: run (files, options, engine options, output choices, command line), remake (the
 * last run, other output choices), cancel (a run by id). Out: progress, done, error, cancelled.
 */
import { AbortError, createWorkerEngine, roleObjects, type EngineOptions, type ReportData, type RunFileOptions, type RunFiles, type Summary, type WorkerEngine, type WorkerRun } from '../src/browser.js';
import { bytesOf, outputFolder, reportOf, shownTables, tablesOf, type ShownTables } from './output.js';
import type { OutputChoice } from './options.js';

export type OutputRequest =
  | { type: 'run'; id: number; files: RunFiles; options: RunFileOptions; engine: EngineOptions; output: OutputChoice; command: string[] }
  | { type: 'remake'; id: number; output: OutputChoice; command: string[] }
  | { type: 'cancel'; id: number };

/** The run's roles as plain objects, for the page's test hooks (role, name, kind, entitlements, member count). */
export interface RoleRow {
  role: string;
  name: string | null;
  kind: string;
  entitlements: string[];
  members: number;
}

export interface Made {
  files: { path: string; data: Uint8Array }[];
  summaryJson: string;
  report: ReportData;
  tables: ShownTables;
  roles: RoleRow[];
  exceptionRows: number;
  summary: Summary;
  notices: string[];
  warnings: string[];
}

export type OutputReply =
  | ({ type: 'done'; id: number } & Made)
  | { type: 'progress'; id: number; phase: string; fraction: number }
  | { type: 'error'; id: number; name: string; error: string }
  | { type: 'cancelled'; id: number };

let engine: WorkerEngine | null = null;
let engineKey = '';
/** The last run: kept here for remade outputs (other formats, exports...). */
let last: WorkerRun | null = null;
const running = new Map<number, AbortController>();

const post = (reply: OutputReply, transfer: ArrayBuffer[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

function make(run: WorkerRun, output: OutputChoice, command: string[]): { made: Made; transfer: ArrayBuffer[] } {
  // report.html's data, made once: the page draws what the file holds (without report.html among
  // the outputs, made here for the page alone).
  let data: ReportData | null = null;
  const tables = tablesOf(run);
  const files = outputFolder(run, tables, output, command, (d) => (data = d));
  const report = data ?? reportOf(files, command, tables);
  const summaryJson = files.find((f) => f.path === 'summary.json')!.data as string;
  const bytes = files.map((f) => ({ path: f.path, data: bytesOf(f.data) }));
  const column = run.roleColumns.find(([n]) => n === 'name')?.[1];
  const names = column && column.kind === 'name' ? Array.from(column.codes, (c) => column.dictionary[c]!) : null;
  const roles = roleObjects(run.model).map((r, i) => ({ role: r.role, name: names?.[i] ?? null, kind: r.kind, entitlements: r.entitlements, members: r.members.length }));
  const made: Made = {
    files: bytes,
    summaryJson,
    report,
    tables: shownTables(tables),
    roles,
    exceptionRows: run.model.exceptions.identity.length + run.model.overAssignments.identity.length,
    summary: run.model.summary,
    notices: run.notices,
    warnings: run.warnings,
  };
  return { made, transfer: [...new Set(bytes.map((f) => f.data.buffer))].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer) };
}

self.onmessage = async (e: MessageEvent<OutputRequest>) => {
  const m = e.data;
  if (m.type === 'cancel') {
    running.get(m.id)?.abort(); // terminates the engine's worker; the next run starts a fresh one
    return;
  }
  try {
    if (m.type === 'run') {
      const key = JSON.stringify(m.engine);
      if (!engine || key !== engineKey) {
        await engine?.dispose();
        engine = createWorkerEngine(m.engine);
        engineKey = key;
      }
      const c = new AbortController();
      running.set(m.id, c);
      try {
        last = null;
        last = await engine.runFiles(m.files, { ...m.options, signal: c.signal, onProgress: (phase, fraction) => post({ type: 'progress', id: m.id, phase, fraction }) });
      } finally {
        running.delete(m.id);
      }
      if (c.signal.aborted) return post({ type: 'cancelled', id: m.id });
      post({ type: 'progress', id: m.id, phase: 'write', fraction: 0 });
    }
    if (!last) throw new Error('no run to make the output files of');
    const { made, transfer } = make(last, m.output, m.command);
    post({ type: 'done', id: m.id, ...made }, transfer);
  } catch (err) {
    if (err instanceof AbortError) return post({ type: 'cancelled', id: m.id });
    post({ type: 'error', id: m.id, name: err instanceof Error ? err.name : 'Error', error: err instanceof Error ? err.message : String(err) });
  }
};
