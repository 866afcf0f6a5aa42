/**
 * CSV tables written on a worker thread while this thread goes on: at 10M grants the command line
 * makes the review (3 s) while the model's tables (2.5 s of encoding) are written beside it, where
 * the two ran one after the other. The worker runs writeCsvFile (src/output/csv-file.ts), the
 * writer's own, so each file is byte for byte the one written in process (test/write.test.ts).
 *
 * Tables go as WireTables (src/output/files.ts): a name column's dictionary as one joined string,
 * every buffer transferred, not cloned (cloning the 1.5M strings of the 10M run's tables took this
 * thread 0.6 s and raised the peak by some 400 MB). An operating-system
 * error comes back with its code and path, so the writer names the file as it does for its own
 * writes (src/output/dest.ts). Node only (src/output/write.ts).
 */
import { Worker } from 'node:worker_threads';
import type { OutTable } from '../model/tables.js';
import { csvHeader, wireTables, type WireTable } from './files.js';

/** One file to write: its full path and the table. */
export interface TableJob {
  path: string;
  table: OutTable;
}

/** A job as the worker gets it. */
export interface WireJob {
  path: string;
  header: string;
  table: WireTable;
}

/** The worker's messages: rows written (after each chunk), a failure, or every queued table written. */
export type TableThreadMessage = { rows: number } | { error: { message: string; code?: string; path?: string; errno?: number; syscall?: string } } | { done: true };

export interface TableThread {
  /** Queues tables, written in this order after those queued before. */
  write(jobs: TableJob[]): void;
  /** Resolves once every queued table is written; rejects with the first failure (or what `onRows` threw). */
  finish(): Promise<void>;
  /** Stops the worker (a failed or aborted write). */
  cancel(): void;
}

/** Starts the worker; `onRows` is called with the rows of each chunk written (it may throw to stop the write). */
export function startTableThread(onRows: (rows: number) => void): TableThread {
  const worker = new Worker(new URL('./table-worker.js', import.meta.url));
  let fail: (e: unknown) => void = () => undefined;
  let succeed: () => void = () => undefined;
  // Settled by the worker's `done`, its error message, its crash or exit, or onRows throwing.
  const settled = new Promise<void>((resolve, reject) => {
    succeed = resolve;
    fail = (e) => {
      reject(e);
      void worker.terminate();
    };
  });
  settled.catch(() => undefined); // a write that fails first never asks
  worker.on('message', (m: TableThreadMessage) => {
    if ('rows' in m) {
      try {
        onRows(m.rows);
      } catch (e) {
        fail(e);
      }
    } else if ('error' in m) fail(Object.assign(new Error(m.error.message), m.error));
    else succeed();
  });
  worker.once('error', (e) => fail(e));
  worker.once('exit', (code) => fail(new Error(`rolemill: the table writer exited with code ${code}`)));
  return {
    write(jobs) {
      const { tables, transfer } = wireTables(jobs.map((j) => j.table));
      worker.postMessage({ jobs: jobs.map((j, k): WireJob => ({ path: j.path, header: csvHeader(j.table), table: tables[k]! })) }, transfer);
    },
    finish() {
      worker.postMessage({ end: true });
      return settled.finally(() => void worker.terminate());
    },
    cancel() {
      void worker.terminate();
    },
  };
}
