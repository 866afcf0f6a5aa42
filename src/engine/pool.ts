/**
 * The mining pool: approx mining's independent work, spread over worker threads. Before the greedy
 * (which is sequential: each role taken changes what the next one is worth), every entitlement's
 * two closures and the holders of each distinct closure are pure functions of the matrix. The pool
 * computes them with the core's own kernels (assembly/kernels.ts, built alone as
 * build/rolemill.pool.wasm) on N workers, and the engine installs them into the core's approx
 * cache (`approxPrefill`), where mining finds them instead of computing them. Same kernels, results
 * keyed by entitlement and merged in entitlement order: the model is byte-identical whatever N is,
 * including N = 1 (no pool).
 *
 * The pool is synchronous for its caller (the calling thread waits on an Atomics counter), so
 * `SyncEngine.mine` stays synchronous and the worker engine, which runs a SyncEngine on its worker,
 * gets it too. Platform code (pool-node.ts) owns the threads; this file is the platform-neutral
 * contract and the merge.
 */

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

/** A pool of N workers. `candidates` returns the `approxPrefill` buffer; it throws AbortError when `onProgress` asks to stop, and an Error naming the worker's failure when one fails. */
export interface MiningPool {
  readonly workers: number;
  candidates(matrix: PoolMatrix, job: PoolJob, onProgress: (fraction: number) => boolean): Uint32Array;
}

/** Makes a pool of `workers` threads for one job (the threads end with the job). */
export type PoolFactory = (workers: number) => MiningPool;

/** Key of entitlement j's closure of kind k (0: over all holders, 1: over typical holders), as in the core. */
export const closureKey = (j: number, kind: number): number => 2 * j + kind;

/** Closures of at most this many entitlements get holder lists (the core caches those, see evaluateMasked). */
export const MAX_CACHED_WIDTH = 64;

/** Below this many grants the pool's start-up (threads, a matrix copy) costs more than it saves. */
export const POOL_MIN_GRANTS = 200_000;

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
