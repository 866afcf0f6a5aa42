/**
 * report.html built on a worker thread while this thread writes the tables: at 10M grants the
 * report's data (2.4 s) and the tables' CSV encoding (2.4 s) each kept one core busy in turn.
 * The worker runs the same reportData and reportHtml on the tables it is sent, so report.html is
 * byte for byte the one the writer builds in process (test/report.test.ts, outputFiles).
 *
 * Only the columns reportData reads (REPORT_READS, src/report/data.ts) are sent, structured-cloned
 * once (a dictionary shared by several tables stays shared: one message); the worker's views throw
 * on any other, so a column missing from REPORT_READS fails the write rather than drawing empty.
 * Node only (src/output/write.ts).
 */
import { Worker } from 'node:worker_threads';
import type { OutTable } from '../model/tables.js';
import { REPORT_READS } from '../report/data.js';
import type { ReportOptions } from '../report/index.js';

/** What the worker is sent: the tables (their read columns), each table's full column list, the summary as written. */
export interface ReportJob {
  tables: (Pick<OutTable, 'name' | 'length' | 'columns'> & { all: string[] })[];
  /** Every table's name, sent or not. */
  names: string[];
  summary: unknown;
  options: ReportOptions;
}

/** The columns of `tables` that reportData reads (tables it does not read left out). */
export function reportJobTables(tables: OutTable[]): ReportJob['tables'] {
  const out: ReportJob['tables'] = [];
  for (const t of tables) {
    const reads = REPORT_READS[t.name];
    if (!reads) continue;
    out.push({ name: t.name, length: t.length, columns: reads === '*' ? t.columns : t.columns.filter(([n]) => reads.includes(n)), all: t.columns.map(([n]) => n) });
  }
  return out;
}

/** Tables made after the thread started (the review, made while the others are written), with the summary as written. */
export interface ReportLater {
  tables: ReportJob['tables'];
  names: string[];
  summary: unknown;
}

export interface ReportThread {
  /**
   * report.html's text, once given the files listed before it (as deliverableFiles lists them) and
   * the tables made since the start (`later`: their read columns go now; the summary as written).
   */
  finish(files: { path: string; bytes: number }[], later?: { tables: OutTable[]; summary: unknown }): Promise<string>;
  /** Stops the worker (a failed or aborted write). */
  cancel(): void;
}

/** Starts building report.html for `tables` and `summary` on a worker thread. */
export function startReportThread(tables: OutTable[], summary: unknown, options: ReportOptions): ReportThread {
  const job: ReportJob = { tables: reportJobTables(tables), names: tables.map((t) => t.name), summary, options };
  const worker = new Worker(new URL('./report-worker.js', import.meta.url), { workerData: job });
  // The page, or why there is none: settled by the worker's one message, its error or its exit
  // (whichever comes first; an exit after the page changes nothing).
  const page = new Promise<string>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`rolemill: the report worker exited with code ${code}`)));
  });
  page.catch(() => undefined); // a write that fails first never asks for the page
  return {
    finish(files, later) {
      const rest: ReportLater | null = later ? { tables: reportJobTables(later.tables), names: later.tables.map((t) => t.name), summary: later.summary } : null;
      worker.postMessage({ files, later: rest });
      return page.finally(() => void worker.terminate());
    },
    cancel() {
      void worker.terminate();
    },
  };
}
