/**
 * worker_threads entry of `readCsvParallel`: parses one byte range of a CSV file, after the file's
 * header line (given as bytes), with the ordinary CSV reader, and posts its Grants back (buffers
 * transferred). Any error is posted back as such; the caller then reads the file sequentially.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { readCsv } from './csv.js';
import type { ReadOptions } from '../types.js';

const { path, start, end, header, opts } = workerData as { path: string; start: number; end: number; header: Uint8Array | null; opts: ReadOptions };

async function* chunks(): AsyncGenerator<Uint8Array> {
  if (header) yield header;
  if (end > start) for await (const c of createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 })) yield c as Uint8Array;
}

readCsv(chunks(), path, { ...opts, sizeHint: end - start }).then(
  (g) => {
    const buffers = [g.identity.buffer, g.entitlement.buffer, ...Object.values(g.columns).map((c) => c.codes.buffer)] as ArrayBuffer[];
    parentPort!.postMessage({ ok: true, g }, [...new Set(buffers)]);
  },
  (e: unknown) => parentPort!.postMessage({ ok: false, message: (e as Error)?.message ?? String(e) }),
);
