/**
 * The mining pool: approx mining's independent work, spread over worker threads. Before the greedy
 * (which is sequential: each role taken changes what the next one is worth), every entitlement's
 * two closures and the holders of each distinct closure are pure functions of the matrix. The pool
 * computes them with the core's own kernels (assembly/kernels.ts, built alone as
 * build/rolemill.pool.wasm) on N workers, and the engine installs them into the core's approx
 * cache (`approxPrefill`), where mining finds them instead of computing them. Same kernels, results
 * keyed by entitlement and merged in entitlement order: the model is byte-identical whatever N is,
 * including N = 1 (no pool). Exact mining's independent work is its connected components: each
 * thread runs its own instance of the core and mines whole components (runExactPool,
 * exact-parts.ts), merged in component order.
 *
 * One shared WebAssembly.Memory, the pool's own, holds a copy of the matrix once, whatever the
 * number of workers (8 bytes per grant), plus each worker's scratch (4 bytes per identity and 24 per
 * entitlement) and results; every worker runs its own instance of the kernel module (no
 * allocation, no static data) over it. The engine's memory limit does not count it: it is a
 * separate memory, with its own 4 GiB. Workers take work in chunks from an Atomics counter (a slow
 * chunk does not hold up the others) and write their results into the shared memory. The calling
 * thread waits on an Atomics counter, so the pool is synchronous for its caller: `SyncEngine.mine`
 * stays synchronous, and the worker engine, which runs a SyncEngine on its worker, gets the pool
 * too. Coordination is by Atomics alone, never by messages, so it is the same code on Node
 * worker_threads and browser Web Workers; platform files only start the threads (pool-node.ts,
 * pool-browser.ts). Browsers allow it in cross-origin-isolated pages, from a worker (the page's
 * main thread may not wait). Comlink is not used here: its calls are promises, and a caller that
 * must stay synchronous cannot await one.
 *
 * On Node the threads end with the job, also on abort or failure: the caller sets the end phase,
 * wakes them and terminates them, so nothing is left running. A browser starts a worker only when
 * its creator returns to the event loop, so there the threads are started ahead and serve job
 * after job until the engine's worker ends (pool-browser.ts).
 */
import { AbortError, CoreError } from '../errors.js';
import { STATUS } from './abi.js';
import { PART_STATS, type Components } from './exact-parts.js';

/** The loaded matrix, as the core holds it (views into wasm memory, valid during the call). */
export interface PoolMatrix {
  identities: number; // rows
  entitlements: number; // cols
  /** Identities' offsets (rows + 1), their entitlements, entitlements' offsets (cols + 1), their holders. */
  mOff: Uint32Array;
  mIdx: Uint32Array;
  tOff: Uint32Array;
  tIdx: Uint32Array;
}

export interface PoolJob {
  support: number;
  minMembers: number;
  minEntitlements: number;
}

/** Exact mining of connected components (exact-parts.ts): each thread runs its own core. */
export interface ExactPoolJob {
  /** The core module the engine runs (build/rolemill.wasm or another build). */
  core: WebAssembly.Module;
  objective: number;
  nodeBudget: number;
  componentLimitMiB?: number;
}

/** A component mined by a pool thread (mineExactPart). */
export interface ExactPart {
  status: number;
  stats: Float64Array;
  roles: Uint32Array;
}

/**
 * A pool of N workers. `candidates` returns the `approxPrefill` buffer; `exact` each component's
 * part, in component order. Both throw AbortError when `onProgress` asks to stop, and an Error
 * naming the worker's failure when one fails.
 */
export interface MiningPool {
  readonly workers: number;
  candidates(matrix: PoolMatrix, job: PoolJob, onProgress: (fraction: number) => boolean): Uint32Array;
  exact(components: Components, job: ExactPoolJob, onProgress: (fraction: number) => boolean): ExactPart[];
}

/** Makes a pool of `workers` threads for one job. */
export type PoolFactory = (workers: number) => MiningPool;

/** Starts one pool thread running pool-worker.ts's runPoolWorker(data); returns how to stop it. */
export type StartThread = (data: PoolWorkerData) => { terminate(): void };

/** Slots of the control array shared with the workers. */
export const CTL = {
  NEXT: 0, // next work item to take
  DONE: 1, // workers done with the current phase
  PROGRESS: 2, // work items done in the current phase
  ABORT: 3, // 1: stop taking work
  STARTED: 4, // workers that instantiated their kernels
  PHASE: 5, // 1 closures, 2 holders, 3 end
  BUMP: 6, // next free 8-byte unit of the shared memory
  P2_OFF: 7, // phase 2 input: byte address of the closures' offsets (i32, count + 1)
  P2_IDS: 8, // byte address of their entitlement ids
  P2_COUNT: 9, // number of closures
  PARTS: 16, // per worker w: [PARTS + 2w] byte address / 8 of its result, [PARTS + 2w + 1] its length in u32, -1: failed (message at that address, UTF-16)
} as const;
export const ctlSize = (workers: number): number => CTL.PARTS + 2 * workers;

/** Byte addresses in the shared memory: the matrix once, then each worker's scratch. */
export interface PoolLayout {
  mOff: number;
  mIdx: number;
  tOff: number;
  tIdx: number;
  scratch: { cnt: number; stamp: number; touched: number; out: number; plain: number; p: number; rows: number }[];
  bytes: number;
}

/** What a pool thread is started with (structured-cloneable: the module and memory are shared, not copied). */
export type PoolWorkerData = CandidatesWorkerData | ExactWorkerData;

/** A thread of the exact job: its components' grants and results live in the shared memory. */
export interface ExactWorkerData {
  kind: 'exact';
  core: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: Int32Array;
  w: number;
  /** Byte addresses: per component [identities, entitlements, first grant, grants] (u32 x 4); the order to take them in (u32); the grants' local identity and entitlement ids (u32). */
  dir: number;
  order: number;
  grantId: number;
  grantEnt: number;
  count: number;
  objective: number;
  nodeBudget: number;
  componentLimitMiB?: number;
}

export interface CandidatesWorkerData {
  kind?: 'candidates';
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: Int32Array;
  layout: PoolLayout;
  w: number;
  identities: number;
  support: number;
  js: Int32Array;
  jsCount: number;
  chunk: number;
}

const PAGE = 65536;
/** A worker that has not started after this long is taken as failed (it never will). */
const START_TIMEOUT_MS = 60_000;

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
    scratch.push({ cnt: take(cols), stamp: take(cols), touched: take(cols), out: take(cols), plain: take(cols + 1), p: take(cols), rows: take(m.identities) });
  }
  return { mOff, mIdx, tOff, tIdx, scratch, bytes: at };
}

/** Grows a shared memory to at least `bytes` (several threads may race: growing twice only wastes). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have >= bytes) return;
  memory.grow(Math.ceil((bytes - have) / PAGE));
}

/** Reserves `bytes` of the shared memory (8-byte aligned), growing it as needed; returns the address. */
export function reserve(memory: WebAssembly.Memory, ctl: Int32Array, bytes: number): number {
  const units = Math.ceil(bytes / 8);
  const at = Atomics.add(ctl, CTL.BUMP, units) * 8;
  ensureMemory(memory, at + units * 8);
  return at;
}

/** The pool's shared memory for a job of `bytes` (CoreError past wasm32's 4 GiB). */
function sharedMemory(bytes: number): WebAssembly.Memory {
  if (bytes > 2 ** 32 - PAGE) throw new CoreError(`rolemill: the mining pool needs ${bytes} bytes of shared memory, over wasm32's 4 GiB`, STATUS.ERR_TOO_LARGE);
  return new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE), maximum: 65536, shared: true });
}

/** Ends a job however it went: the threads stop taking work, wake to the end phase and are terminated. */
function endJob(ctl: Int32Array, threads: { terminate(): void }[]): void {
  Atomics.store(ctl, CTL.ABORT, 1);
  Atomics.store(ctl, CTL.PHASE, 3);
  Atomics.notify(ctl, CTL.PHASE);
  for (const t of threads) t.terminate();
}

/**
 * Runs one job on `n` threads started by `start` with `kernels` (build/rolemill.pool.wasm):
 * returns the approxPrefill buffer. Progress: 0 to 0.2 of the mining phase for the closures, to 0.3
 * for the holders (the core's own loop would report the same span).
 */
export function runPool(start: StartThread, kernels: WebAssembly.Module, n: number, m: PoolMatrix, job: PoolJob, onProgress: (fraction: number) => boolean): Uint32Array {
  const layout = layoutFor(m, n);
  const memory = sharedMemory(layout.bytes);
  const view = (addr: number, len: number) => new Uint32Array(memory.buffer as unknown as ArrayBuffer, addr, len);
  view(layout.mOff, m.mOff.length).set(m.mOff);
  view(layout.mIdx, m.mIdx.length).set(m.mIdx);
  view(layout.tOff, m.tOff.length).set(m.tOff);
  view(layout.tIdx, m.tIdx.length).set(m.tIdx);
  let identities = 0;
  for (let r = 0; r < m.identities; r++) if (m.mOff[r + 1]! > m.mOff[r]!) identities++;
  const js = closureEntitlements(m.tOff, job.minMembers);
  const jsShared = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, js.length)));
  jsShared.set(js);
  const ctl = new Int32Array(new SharedArrayBuffer(4 * ctlSize(n)));
  ctl[CTL.PHASE] = 1;
  ctl[CTL.BUMP] = Math.ceil(layout.bytes / 8);
  const threads: { terminate(): void }[] = [];
  try {
    for (let w = 0; w < n; w++) {
      threads.push(
        start({
          module: kernels, memory, ctl, layout, w, identities, support: job.support, js: jsShared, jsCount: js.length,
          chunk: Math.max(1, Math.min(64, Math.floor(js.length / (n * 16)))),
        }),
      );
    }
    // Phase 1: both closures of every entitlement.
    const closures: (Uint32Array | undefined)[] = new Array(2 * m.entitlements);
    for (const part of waitAll(memory, ctl, n, js.length, (f) => onProgress(0.2 * f))) {
      for (let at = 0; at < part.length; ) {
        const len = part[at + 1]!;
        closures[part[at]!] = part.slice(at + 2, at + 2 + len);
        at += 2 + len;
      }
    }
    // Phase 2: the holders of each distinct closure.
    const keys = distinctForHolders(closures, job.minEntitlements);
    let total = 0;
    for (const k of keys) total += closures[k]!.length;
    const offAt = reserve(memory, ctl, 4 * (keys.length + 1));
    const idsAt = reserve(memory, ctl, 4 * Math.max(1, total));
    const off = new Int32Array(memory.buffer as unknown as ArrayBuffer, offAt, keys.length + 1);
    const ids = view(idsAt, total);
    off[0] = 0;
    for (let i = 0, at = 0; i < keys.length; i++) {
      const c = closures[keys[i]!]!;
      ids.set(c, at);
      at += c.length;
      off[i + 1] = at;
    }
    Atomics.store(ctl, CTL.NEXT, 0);
    Atomics.store(ctl, CTL.DONE, 0);
    Atomics.store(ctl, CTL.PROGRESS, 0);
    Atomics.store(ctl, CTL.P2_OFF, offAt);
    Atomics.store(ctl, CTL.P2_IDS, idsAt);
    Atomics.store(ctl, CTL.P2_COUNT, keys.length);
    Atomics.store(ctl, CTL.PHASE, 2);
    Atomics.notify(ctl, CTL.PHASE);
    const holders = new Map<number, Uint32Array>();
    for (const part of waitAll(memory, ctl, n, keys.length, (f) => onProgress(0.2 + 0.1 * f))) {
      for (let at = 0; at < part.length; ) {
        const len = part[at + 1]!;
        holders.set(keys[part[at]!]!, part.slice(at + 2, at + 2 + len));
        at += 2 + len;
      }
    }
    return prefillLayout(closures, holders);
  } finally {
    endJob(ctl, threads);
  }
}

/**
 * Mines each connected component exactly on `n` threads, each with its own instance of the core
 * (`job.core`), largest component first so that no thread is left with a big one at the end; returns
 * the parts in component order, whichever thread mined them. The components' grants are copied into
 * one shared memory (8 bytes per grant, plus 16 per component); each thread writes a component's
 * result there as [component, status, stats (PART_STATS f64), roles] and hands back, as its part,
 * (component, address / 8, length) for each one it mined. Progress: the share of components
 * mined. No more threads start than there are components.
 */
export function runExactPool(start: StartThread, threads: number, comps: Components, job: ExactPoolJob, onProgress: (fraction: number) => boolean): ExactPart[] {
  const count = comps.count;
  const n = Math.min(threads, count);
  const grants = comps.grantId.length;
  const align = (b: number) => Math.ceil(b / 8) * 8;
  const dir = 64;
  const order = dir + align(16 * count);
  const grantId = order + align(4 * count);
  const grantEnt = grantId + align(4 * grants);
  const bytes = grantEnt + align(4 * grants);
  const memory = sharedMemory(bytes);
  const buf = memory.buffer as unknown as ArrayBuffer;
  const d = new Uint32Array(buf, dir, 4 * count);
  const size = (c: number) => comps.grantOff[c + 1]! - comps.grantOff[c]!;
  for (let c = 0; c < count; c++) {
    d[4 * c] = comps.idOff[c + 1]! - comps.idOff[c]!;
    d[4 * c + 1] = comps.entOff[c + 1]! - comps.entOff[c]!;
    d[4 * c + 2] = comps.grantOff[c]!;
    d[4 * c + 3] = size(c);
  }
  const byLargest = Array.from({ length: count }, (_, c) => c).sort((a, b) => size(b) - size(a) || a - b);
  new Uint32Array(buf, order, count).set(byLargest);
  new Uint32Array(buf, grantId, grants).set(comps.grantId);
  new Uint32Array(buf, grantEnt, grants).set(comps.grantEnt);
  const ctl = new Int32Array(new SharedArrayBuffer(4 * ctlSize(n)));
  ctl[CTL.PHASE] = 1;
  ctl[CTL.BUMP] = Math.ceil(bytes / 8);
  const started: { terminate(): void }[] = [];
  try {
    for (let w = 0; w < n; w++) {
      started.push(start({ kind: 'exact', core: job.core, memory, ctl, w, dir, order, grantId, grantEnt, count, objective: job.objective, nodeBudget: job.nodeBudget, ...(job.componentLimitMiB !== undefined ? { componentLimitMiB: job.componentLimitMiB } : {}) }));
    }
    const out: (ExactPart | undefined)[] = new Array(count);
    for (const part of waitAll(memory, ctl, n, count, onProgress)) {
      for (let at = 0; at < part.length; at += 3) {
        const c = part[at]!;
        const mem = memory.buffer as unknown as ArrayBuffer;
        const addr = part[at + 1]! * 8;
        const len = part[at + 2]!;
        const head = new Uint32Array(mem, addr, 2);
        out[c] = {
          status: head[1]!,
          stats: new Float64Array(mem.slice(addr + 8, addr + 8 + 8 * PART_STATS)),
          roles: new Uint32Array(mem.slice(addr + 8 + 8 * PART_STATS, addr + 4 * len)),
        };
      }
    }
    const missing = out.findIndex((p) => p === undefined);
    if (missing >= 0) throw new CoreError(`rolemill: the mining pool returned no model for component ${missing}`, STATUS.ERR_STATE);
    return out as ExactPart[];
  } finally {
    endJob(ctl, started);
  }
}

/**
 * Waits until every worker is done with the current phase (progress reported every 100 ms; an
 * abort from onProgress stops them), then returns their parts from the shared memory. Throws the
 * first worker's error as a CoreError naming it, or AbortError.
 */
function waitAll(memory: WebAssembly.Memory, ctl: Int32Array, n: number, items: number, onProgress: (fraction: number) => boolean): Uint32Array[] {
  const started = Date.now();
  while (true) {
    const done = Atomics.load(ctl, CTL.DONE);
    if (done >= n) break;
    Atomics.wait(ctl, CTL.DONE, done, 100);
    if (onProgress(items > 0 ? Math.min(1, Atomics.load(ctl, CTL.PROGRESS) / items) : 1)) throw new AbortError();
    if (Atomics.load(ctl, CTL.STARTED) < n && Date.now() - started > START_TIMEOUT_MS) {
      throw new CoreError(`rolemill: ${n - Atomics.load(ctl, CTL.STARTED)} of ${n} mining workers did not start`, STATUS.ERR_STATE);
    }
  }
  const buf = memory.buffer as unknown as ArrayBuffer;
  const parts: Uint32Array[] = [];
  for (let w = 0; w < n; w++) {
    const at = Atomics.load(ctl, CTL.PARTS + 2 * w) * 8;
    const len = Atomics.load(ctl, CTL.PARTS + 2 * w + 1);
    if (len < 0) {
      const chars = new Uint16Array(buf, at, -len - 1);
      throw new CoreError(`rolemill: mining worker ${w} failed: ${String.fromCharCode(...chars)}`, STATUS.ERR_STATE);
    }
    parts.push(new Uint32Array(buf, at, len));
  }
  return parts;
}

/** Key of entitlement j's closure of kind k (0: over all holders, 1: over typical holders), as in the core. */
export const closureKey = (j: number, kind: number): number => 2 * j + kind;

/** Closures of at most this many entitlements get holder lists (the core caches those, see evaluateMasked). */
export const MAX_CACHED_WIDTH = 64;

/** Below this many grants the pool's start-up (threads, a matrix copy) costs about what it saves (bench/results/*-workers-*.md). */
export const POOL_MIN_GRANTS = 2_000_000;

/** Entitlements worth a closure: held by at least minMembers identities (as the core's run loop). */
export function closureEntitlements(tOff: Uint32Array, minMembers: number): number[] {
  const js: number[] = [];
  for (let j = 0; j + 1 < tOff.length; j++) if (tOff[j + 1]! - tOff[j]! >= minMembers) js.push(j);
  return js;
}

/**
 * The distinct closures, in key order, that need holder lists: the first key of each content (the
 * one the core's candidate list keeps; later identical ones are merged into it), of width
 * minEntitlements..MAX_CACHED_WIDTH. `closures[key]` is a closure or undefined.
 */
export function distinctForHolders(closures: (Uint32Array | undefined)[], minEntitlements: number): number[] {
  const seen = new Set<string>();
  const keys: number[] = [];
  for (let key = 0; key < closures.length; key++) {
    const c = closures[key];
    if (!c || c.length === 0 || c.length < minEntitlements) continue;
    const id = c.join(',');
    if (seen.has(id)) continue;
    seen.add(id);
    if (c.length <= MAX_CACHED_WIDTH) keys.push(key);
  }
  return keys;
}

/** The approxPrefill buffer (layout in assembly/index.ts), entries in key order. */
export function prefillLayout(closures: (Uint32Array | undefined)[], holders: Map<number, Uint32Array>): Uint32Array {
  let n = 1;
  let count = 0;
  for (let key = 0; key < closures.length; key++) {
    const c = closures[key];
    if (!c) continue;
    count++;
    n += 3 + c.length + (holders.get(key)?.length ?? 0);
  }
  const out = new Uint32Array(n);
  out[0] = count;
  let at = 1;
  for (let key = 0; key < closures.length; key++) {
    const c = closures[key];
    if (!c) continue;
    out[at++] = key;
    out[at++] = c.length;
    out.set(c, at);
    at += c.length;
    const h = holders.get(key);
    if (h) {
      out[at++] = h.length;
      out.set(h, at);
      at += h.length;
    } else out[at++] = 0xffffffff;
  }
  return out;
}
