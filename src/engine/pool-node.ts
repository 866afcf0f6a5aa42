/**
 * The mining pool on Node worker_threads (contract in pool.ts). One shared WebAssembly.Memory holds
 * the matrix once, whatever the number of workers, plus each worker's scratch; every worker runs
 * its own instance of the kernel module (build/rolemill.pool.wasm, allocation-free) over it.
 * Workers take work in chunks from an Atomics counter (so a slow chunk does not hold up the
 * others) and post their results on a MessagePort; the calling thread waits on an Atomics counter
 * and takes the results with receiveMessageOnPort, so the call stays synchronous. Results are
 * keyed by entitlement, so which worker did what does not change a byte. The threads end with the
 * job (terminated, also on abort or failure): nothing is left running.
 */
import { readFileSync } from 'node:fs';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { AbortError, CoreError } from '../errors.js';
import { STATUS } from './abi.js';
import {
  MAX_CACHED_WIDTH,
  closureEntitlements,
  distinctForHolders,
  prefillLayout,
  type MiningPool,
  type PoolJob,
  type PoolMatrix,
} from './pool.js';

/** Slots of the control array shared with the workers. */
export const CTL = { NEXT: 0, DONE: 1, PROGRESS: 2, ABORT: 3, STARTED: 4, SIZE: 8 } as const;

/** Byte addresses in the shared memory: the matrix once, then each worker's scratch. */
export interface PoolLayout {
  mOff: number;
  mIdx: number;
  tOff: number;
  tIdx: number;
  scratch: { cnt: number; stamp: number; touched: number; out: number; p: number; rows: number }[];
  bytes: number;
}

export interface PoolWorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: Int32Array;
  layout: PoolLayout;
  w: number;
  port: MessagePort;
  identities: number;
  support: number;
  js: Int32Array;
  jsCount: number;
  chunk: number;
}

let kernelModule: WebAssembly.Module | null = null;
function kernels(): WebAssembly.Module {
  return (kernelModule ??= new WebAssembly.Module(readFileSync(new URL('../../build/rolemill.pool.wasm', import.meta.url))));
}

const PAGE = 65536;
/** A worker that has not started after this long is taken as failed (it never will). */
const START_TIMEOUT_MS = 60_000;

export function createNodePool(workers: number): MiningPool {
  return { workers, candidates: (matrix, job, onProgress) => runPool(workers, matrix, job, onProgress) };
}

function layoutFor(m: PoolMatrix, workers: number): PoolLayout {
  let at = 64;
  const take = (u32s: number) => {
    const p = at;
    at += Math.ceil((u32s * 4) / 8) * 8;
    return p;
  };
  const mOff = take(m.mOff.length);
  const mIdx = take(m.mIdx.length);
  const tOff = take(m.tOff.length);
  const tIdx = take(m.tIdx.length);
  const scratch = [];
  const cols = m.entitlements;
  for (let w = 0; w < workers; w++) {
    scratch.push({ cnt: take(cols), stamp: take(cols), touched: take(cols), out: take(cols), p: take(cols), rows: take(m.identities) });
  }
  return { mOff, mIdx, tOff, tIdx, scratch, bytes: at };
}

function runPool(n: number, m: PoolMatrix, job: PoolJob, onProgress: (fraction: number) => boolean): Uint32Array {
  const layout = layoutFor(m, n);
  const pages = Math.ceil(layout.bytes / PAGE);
  if (pages > 65536) throw new CoreError(`rolemill: the mining pool needs ${layout.bytes} bytes of shared memory, over wasm32's 4 GiB`, STATUS.ERR_TOO_LARGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const buf = memory.buffer as unknown as ArrayBuffer;
  new Uint32Array(buf, layout.mOff, m.mOff.length).set(m.mOff);
  new Uint32Array(buf, layout.mIdx, m.mIdx.length).set(m.mIdx);
  new Uint32Array(buf, layout.tOff, m.tOff.length).set(m.tOff);
  new Uint32Array(buf, layout.tIdx, m.tIdx.length).set(m.tIdx);
  let identities = 0;
  for (let r = 0; r < m.identities; r++) if (m.mOff[r + 1]! > m.mOff[r]!) identities++;

  const js = closureEntitlements(m.tOff, job.minMembers);
  const jsShared = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, js.length)));
  jsShared.set(js);
  const ctl = new Int32Array(new SharedArrayBuffer(4 * CTL.SIZE));
  const module = kernels();
  const threads: { worker: Worker; port: MessagePort }[] = [];
  try {
    for (let w = 0; w < n; w++) {
      const { port1, port2 } = new MessageChannel();
      const data: PoolWorkerData = {
        module,
        memory,
        ctl,
        layout,
        w,
        port: port2,
        identities,
        support: job.support,
        js: jsShared,
        jsCount: js.length,
        chunk: Math.max(1, Math.min(64, Math.floor(js.length / (n * 16)))),
      };
      const worker = new Worker(new URL('./pool-worker.js', import.meta.url), { workerData: data, transferList: [port2] });
      threads.push({ worker, port: port1 });
    }
    // Phase 1 (0 to 0.2 of the mining phase): both closures of every entitlement.
    const parts1 = waitAll(threads, ctl, js.length, (f) => onProgress(0.2 * f));
    const closures: (Uint32Array | undefined)[] = new Array(2 * m.entitlements);
    for (const part of parts1) {
      for (let at = 0; at < part.length; ) {
        const key = part[at]!;
        const len = part[at + 1]!;
        closures[key] = part.slice(at + 2, at + 2 + len);
        at += 2 + len;
      }
    }
    // Phase 2 (0.2 to 0.3): the holders of each distinct closure.
    const keys = distinctForHolders(closures, job.minEntitlements);
    let total = 0;
    for (const k of keys) total += closures[k]!.length;
    const off = new Int32Array(new SharedArrayBuffer(4 * (keys.length + 1)));
    const ids = new Uint32Array(new SharedArrayBuffer(4 * Math.max(1, total)));
    for (let i = 0, at = 0; i < keys.length; i++) {
      const c = closures[keys[i]!]!;
      if (c.length > MAX_CACHED_WIDTH) throw new Error('rolemill: internal error: a wide closure was given holders');
      ids.set(c, at);
      at += c.length;
      off[i + 1] = at;
    }
    Atomics.store(ctl, CTL.NEXT, 0);
    Atomics.store(ctl, CTL.DONE, 0);
    Atomics.store(ctl, CTL.PROGRESS, 0);
    for (const t of threads) t.port.postMessage({ off, ids, count: keys.length });
    const parts2 = waitAll(threads, ctl, keys.length, (f) => onProgress(0.2 + 0.1 * f));
    const holders = new Map<number, Uint32Array>();
    for (const part of parts2) {
      for (let at = 0; at < part.length; ) {
        const i = part[at]!;
        const len = part[at + 1]!;
        holders.set(keys[i]!, part.slice(at + 2, at + 2 + len));
        at += 2 + len;
      }
    }
    return prefillLayout(closures, holders);
  } finally {
    for (const t of threads) {
      t.port.close();
      void t.worker.terminate();
    }
  }
}

/**
 * Waits until every worker has posted its part of the current phase (progress reported every
 * 100 ms; an abort from onProgress stops them), then returns the parts. Throws the first worker's
 * error, or AbortError.
 */
function waitAll(threads: { port: MessagePort }[], ctl: Int32Array, items: number, onProgress: (fraction: number) => boolean): Uint32Array[] {
  const n = threads.length;
  const started = Date.now();
  while (true) {
    const done = Atomics.load(ctl, CTL.DONE);
    if (done >= n) break;
    Atomics.wait(ctl, CTL.DONE, done, 100);
    if (Atomics.load(ctl, CTL.ABORT) === 0 && onProgress(items > 0 ? Math.min(1, Atomics.load(ctl, CTL.PROGRESS) / items) : 1)) {
      Atomics.store(ctl, CTL.ABORT, 1);
      throw new AbortError();
    }
    if (Atomics.load(ctl, CTL.STARTED) < n && Date.now() - started > START_TIMEOUT_MS) {
      throw new CoreError(`rolemill: ${n - Atomics.load(ctl, CTL.STARTED)} of ${n} mining workers did not start`, STATUS.ERR_STATE);
    }
  }
  const parts: Uint32Array[] = [];
  for (let w = 0; w < n; w++) {
    const got = receiveMessageOnPort(threads[w]!.port);
    const msg = got?.message as { part?: Uint32Array; error?: string } | undefined;
    if (!msg) throw new CoreError(`rolemill: mining worker ${w} ended without a result`, STATUS.ERR_STATE);
    if (msg.error !== undefined) throw new CoreError(`rolemill: mining worker ${w} failed: ${msg.error}`, STATUS.ERR_STATE);
    parts.push(msg.part!);
  }
  return parts;
}
