/**
 * The page's second worker: makes the output folder's files and the report's data from a finished
 * run (output.ts), off the page's main thread. One request at a time per message; each reply
 * carries its request's id, the files as bytes (transferred, not copied), summary.json's text and
 * the report data, or the error's message.
 */
import { bytesOf, outputFolder, reportOf, shownTables, tablesOf, type ShownTables } from './output.js';
import type { OutputChoice } from './options.js';
import type { ReportData, WorkerRun } from '../src/browser.js';

export interface OutputRequest {
  id: number;
  run: WorkerRun;
  output: OutputChoice;
  command: string[];
}

export type OutputReply =
  | { id: number; files: { path: string; data: Uint8Array }[]; summaryJson: string; report: ReportData; tables: ShownTables }
  | { id: number; error: string };

self.onmessage = (e: MessageEvent<OutputRequest>) => {
  const { id, run, output, command } = e.data;
  let reply: OutputReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const made = outputFolder(run, output, command);
    const tables = tablesOf(run);
    const report = reportOf(run, made, command, tables);
    const summaryJson = made.find((f) => f.path === 'summary.json')!.data as string;
    const files = made.map((f) => ({ path: f.path, data: bytesOf(f.data) }));
    transfer = [...new Set(files.map((f) => f.data.buffer))].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    // The page's tables come from here too: making them (sorting a million grants' assignments)
    // on the page's main thread held it for hundreds of milliseconds.
    reply = { id, files, summaryJson, report, tables: shownTables(tables) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(reply, { transfer });
};
