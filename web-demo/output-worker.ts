/**
 * The page's second worker: makes the output folder's files and the report's data from a finished
 * run (output.ts), off the page's main thread. One request at a time per message; each reply
 * carries its request's id, the files as bytes (transferred, not copied), summary.json's text and
 * the report data, or the error's message.
 */
import { bytesOf, outputFolder, reportOf, shownTables, tablesOf, type ShownTables } from './output.js';
import type { OutputChoice } from './options.js';
import { roleObjects, type ReportData, type WorkerRun } from '../src/browser.js';

export interface OutputRequest {
  id: number;
  /** The run (its buffers transferred here); absent: the last run sent, with other output choices. */
  run?: WorkerRun;
  output: OutputChoice;
  command: string[];
}

/** The run's roles as plain objects, for the page's test hooks (role, name, kind, entitlements, member count). */
export interface RoleRow {
  role: string;
  name: string | null;
  kind: string;
  entitlements: string[];
  members: number;
}

export type OutputReply =
  | { id: number; files: { path: string; data: Uint8Array }[]; summaryJson: string; report: ReportData; tables: ShownTables; roles: RoleRow[]; exceptionRows: number }
  | { id: number; error: string };

/** The last run sent: the page keeps only its summary (its arrays were transferred here). */
let last: WorkerRun | null = null;

self.onmessage = (e: MessageEvent<OutputRequest>) => {
  const { id, output, command } = e.data;
  if (e.data.run) last = e.data.run;
  const run = last;
  let reply: OutputReply;
  let transfer: ArrayBuffer[] = [];
  try {
    if (!run) throw new Error('no run to make the output files of');
    // report.html's data, made once: the page draws what the file holds (without report.html among
    // the outputs, made here for the page alone).
    let data: ReportData | null = null;
    const made = outputFolder(run, output, command, (d) => (data = d));
    const tables = tablesOf(run);
    const report = data ?? reportOf(run, made, command, tables);
    const summaryJson = made.find((f) => f.path === 'summary.json')!.data as string;
    const files = made.map((f) => ({ path: f.path, data: bytesOf(f.data) }));
    transfer = [...new Set(files.map((f) => f.data.buffer))].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    // The page's tables come from here too: making them (sorting a million grants' assignments)
    // on the page's main thread held it for hundreds of milliseconds.
    const column = run.roleColumns.find(([n]) => n === 'name')?.[1];
    const names = column && column.kind === 'name' ? Array.from(column.codes, (c) => column.dictionary[c]!) : null;
    const roles = roleObjects(run.model).map((r, i) => ({ role: r.role, name: names?.[i] ?? null, kind: r.kind, entitlements: r.entitlements, members: r.members.length }));
    reply = { id, files, summaryJson, report, tables: shownTables(tables), roles, exceptionRows: run.model.exceptions.identity.length + run.model.overAssignments.identity.length };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(reply, { transfer });
};
