/**
 * CSV read on several worker threads (Node): the file is cut into byte ranges at line ends, each
 * range parsed after the header line by the ordinary reader, and the parts merged into exactly the
 * Grants a sequential read gives (same names, canonical ids, row order and kept columns; tested).
 *
 * It only takes the easy road: a header without quotes and line ends with LF. A cut cannot land
 * inside a quoted field unnoticed: the range before it would end inside quotes, which the reader
 * rejects. Whenever anything is unusual (a short file, no LF near a cut, any error in a part) it
 * returns null and the caller reads the file sequentially, which also gives the canonical error
 * message with the right line. It runs for files of at least `parts` x 256 KiB (smaller ones are
 * not worth the threads). An operating-system error on the path is an InputError, as everywhere.
 */
import { Worker } from 'node:worker_threads';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { canonicalOrder } from './encoder.js';
import type { Grants, ReadOptions } from '../types.js';
import { AbortError } from '../errors.js';
import { cannotRead } from './input-file.js';
import { Interner } from '../util/names.js';
import { mapU32 } from '../util/typed.js';

const WINDOW = 1 << 16;

/** Reads `path` on `parts` workers; null when it cannot (the caller then reads it sequentially). */
export async function readCsvParallel(path: string, opts: ReadOptions, parts: number): Promise<Grants | null> {
  let size: number;
  let fh: FileHandle;
  try {
    // The file system's errors are the user's (a path that cannot be read), never raw.
    const s = await stat(path);
    if (!s.isFile()) return null; // the sequential reader names what it is
    size = s.size;
    if (parts < 2 || size < parts * WINDOW * 4) return null;
    fh = await open(path, 'r');
  } catch (e) {
    throw cannotRead(path, e);
  }
  let cuts: number[];
  let header: Uint8Array;
  try {
    const head = new Uint8Array(WINDOW);
    const { bytesRead } = await fh.read(head, 0, WINDOW, 0);
    const lf = head.subarray(0, bytesRead).indexOf(10);
    if (lf < 0) return null;
    header = head.slice(0, lf + 1);
    if (header.includes(0x22)) return null; // a quoted header: leave it to the sequential reader
    if (header[0] === 0xef && header[1] === 0xbb && header[2] === 0xbf) header = header.slice(3);
    cuts = [0];
    for (let k = 1; k < parts; k++) {
      const target = Math.floor((size * k) / parts);
      const win = new Uint8Array(WINDOW);
      const { bytesRead: n } = await fh.read(win, 0, WINDOW, target);
      const at = win.subarray(0, n).indexOf(10);
      if (at < 0) return null;
      const cut = target + at + 1;
      if (cut <= cuts[cuts.length - 1]! || cut <= lf + 1 || cut >= size) return null;
      cuts.push(cut);
    }
    cuts.push(size);
  } catch (e) {
    throw cannotRead(path, e);
  } finally {
    await fh.close();
  }
  const { onProgress: _p, signal, ...plain } = opts;
  if (signal?.aborted) throw new AbortError();
  const workers: Worker[] = [];
  const reading = Promise.all(
    cuts.slice(0, -1).map(
      (start, k) =>
        new Promise<Grants | null>((resolve) => {
          const w = new Worker(new URL('./parallel-worker.js', import.meta.url), { workerData: { path, start, end: cuts[k + 1]!, header: k === 0 ? null : header, opts: plain } });
          workers.push(w);
          w.once('message', (m: { ok: boolean; g?: Grants }) => {
            void w.terminate();
            resolve(m.ok ? m.g! : null);
          });
          w.once('error', () => resolve(null));
          w.once('exit', () => resolve(null)); // no effect once resolved; guards a worker that ends without a word
        }),
    ),
  );
  // Cancelling terminates every thread at once, whatever it is doing.
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      for (const w of workers) void w.terminate();
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  let results: (Grants | null)[];
  try {
    results = await Promise.race([reading, aborted]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (results.some((r) => r === null)) return null;
  return merge(results as Grants[]);
}

/** Concatenates parts read in file order into the Grants of the whole file. */
function merge(parts: Grants[]): Grants {
  const remapNames = (lists: string[][]): [string[], Uint32Array[]] => {
    const set = new Set<string>();
    for (const l of lists) for (const n of l) set.add(n);
    const [names] = canonicalOrder([...set]);
    const index = new Map<string, number>();
    names.forEach((n, i) => index.set(n, i));
    return [names, lists.map((l) => mapU32(l, (n) => index.get(n)!))];
  };
  const [identities, idMaps] = remapNames(parts.map((p) => p.identities));
  const [entitlements, entMaps] = remapNames(parts.map((p) => p.entitlements));
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const identity = new Uint32Array(rows);
  const entitlement = new Uint32Array(rows);
  let w = 0;
  parts.forEach((p, k) => {
    const im = idMaps[k]!;
    const em = entMaps[k]!;
    for (let r = 0; r < p.rows; r++) {
      identity[w] = im[p.identity[r]!]!;
      entitlement[w++] = em[p.entitlement[r]!]!;
    }
  });
  // Kept columns: dictionaries in first-appearance order over the whole file, as a sequential read.
  const columns: Grants['columns'] = {};
  for (const name of Object.keys(parts[0]!.columns)) {
    const dict = new Interner();
    const codes = new Uint32Array(rows);
    let o = 0;
    for (const p of parts) {
      const col = p.columns[name]!;
      const map = col.values.map((v) => dict.id(v));
      for (let r = 0; r < p.rows; r++) codes[o++] = map[col.codes[r]!]!;
    }
    columns[name] = { values: dict.names, codes };
  }
  return { ...parts[0]!, identities, entitlements, identity, entitlement, rows, columns };
}
