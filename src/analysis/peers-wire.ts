/**
 * How a peer-group worker (Node's peers-worker.ts, the browser's peers-worker-browser.ts) sends
 * its result back: the factors as columns, so the reply is a few transferred buffers, not millions
 * of cloned objects; and how the caller reads it back. Platform-neutral.
 */
import { UsageError } from '../errors.js';
import { peerGroups, type PeerFactor, type PeerInput, type PeerOptions, type PeerResult } from './peers.js';

/** Peer factors as columns (factor k of each), `kind` 1 for missing and 0 for unusual. */
export interface FactorColumns {
  identity: Uint32Array;
  entitlement: Uint32Array;
  kind: Uint8Array;
  groupShare: Float64Array;
  globalShare: Float64Array;
}

export type PeerReply =
  | { ok: true; group: Int32Array; groups: number; score: Float64Array; n: number; cols: FactorColumns; ms: number }
  | { ok: false; name: string; message: string };

/** The reply for `r` (computed in `ms`), with the buffers to transfer. */
export function peerReply(r: PeerResult, ms: number): { reply: PeerReply; transfer: ArrayBuffer[] } {
  const cols = factorColumns(r);
  return {
    reply: { ok: true, group: r.group, groups: r.groups, score: r.score, n: r.factors.length, cols, ms },
    transfer: [r.group.buffer, r.score.buffer, cols.identity.buffer, cols.entitlement.buffer, cols.kind.buffer, cols.groupShare.buffer, cols.globalShare.buffer] as ArrayBuffer[],
  };
}

/** What a peer-group worker does with its request: the peer groups, as a reply (or the error's). */
export function answerPeers(input: PeerInput, options: PeerOptions): { reply: PeerReply; transfer: ArrayBuffer[] } {
  try {
    const t0 = performance.now();
    const r = peerGroups(input, options);
    return peerReply(r, performance.now() - t0);
  } catch (e) {
    return { reply: { ok: false, name: (e as Error).name, message: (e as Error).message }, transfer: [] };
  }
}

/** The columns each result was made from (peerRunOf), or made from its factors once asked for. */
const columnsOf = new WeakMap<PeerResult, FactorColumns>();

/**
 * The factors of `r` as columns: those the worker's reply carried (no object per factor is made
 * for the run's own reads: 730k factors at 10M grants, about 0.1 GB of heap the collector walked
 * to the end of the run), else made from `r.factors` once.
 */
export function factorColumns(r: PeerResult): FactorColumns {
  let c = columnsOf.get(r);
  if (c) return c;
  const fs = r.factors;
  const n = fs.length;
  c = { identity: new Uint32Array(n), entitlement: new Uint32Array(n), kind: new Uint8Array(n), groupShare: new Float64Array(n), globalShare: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const f = fs[k]!;
    c.identity[k] = f.identity;
    c.entitlement[k] = f.entitlement;
    c.kind[k] = f.kind === 'missing' ? 1 : 0;
    c.groupShare[k] = f.groupShare;
    c.globalShare[k] = f.globalShare;
  }
  columnsOf.set(r, c);
  return c;
}

/**
 * The result a reply carries, or its error (a UsageError stays one). Its `factors` are made from
 * the columns on first read (factorColumns reads the columns themselves); setting them replaces
 * the columns.
 */
export function peerRunOf(m: PeerReply): { result: PeerResult; ms: number } {
  if (!m.ok) throw m.name === 'UsageError' ? new UsageError(m.message) : new Error(m.message);
  const cols = m.cols;
  const result = { group: m.group, groups: m.groups, score: m.score } as PeerResult;
  let factors: PeerFactor[] | null = null;
  Object.defineProperty(result, 'factors', {
    enumerable: true,
    configurable: true,
    get(): PeerFactor[] {
      if (factors) return factors;
      const made: PeerFactor[] = new Array(m.n);
      for (let k = 0; k < m.n; k++) made[k] = { identity: cols.identity[k]!, entitlement: cols.entitlement[k]!, kind: cols.kind[k] === 1 ? 'missing' : 'unusual', groupShare: cols.groupShare[k]!, globalShare: cols.globalShare[k]! };
      return (factors = made);
    },
    set(v: PeerFactor[]) {
      factors = v;
      columnsOf.delete(result);
    },
  });
  columnsOf.set(result, cols);
  return { result, ms: m.ms };
}
