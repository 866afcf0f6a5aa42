/**
 * Node worker_threads entry of startTableThread (src/output/table-thread.ts): writes the tables it
 * is sent, in order, one after another, reporting the rows of each chunk; after `end`, says done
 * once every table is written. The first failure is reported and nothing after it is written.
 */
import { parentPort } from 'node:worker_threads';
import { writeCsvFile } from './csv-file.js';
import { writingFile } from './dest.js';
import { wireRowEncoder } from './files.js';
import type { TableThreadMessage, WireJob } from './table-thread.js';

const port = parentPort!;
const post = (m: TableThreadMessage) => port.postMessage(m);
let queue = Promise.resolve();
let failed = false;
const run = (step: () => Promise<void>) => {
  queue = queue.then(async () => {
    if (failed) return;
    try {
      await step();
    } catch (e) {
      failed = true;
      const err = e as NodeJS.ErrnoException;
      post({ error: { message: err?.message ?? String(e), ...(err?.code ? { code: err.code } : {}), ...(err?.path ? { path: err.path } : {}), ...(err?.errno !== undefined ? { errno: err.errno } : {}), ...(err?.syscall ? { syscall: err.syscall } : {}) } });
    }
  });
};
port.on('message', (m: { jobs: WireJob[] } | { end: true }) => {
  if ('jobs' in m)
    for (let k = 0; k < m.jobs.length; k++)
      run(() => {
        const j = m.jobs[k]!;
        delete m.jobs[k]; // each table's buffers go once it is written
        return writingFile(j.path, () => writeCsvFile(j.path, j.header, wireRowEncoder(j.table), j.table.length, (rows) => post({ rows })));
      });
  else run(async () => post({ done: true }));
});
