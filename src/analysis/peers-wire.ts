/**
 * How a peer-group worker (Node's peers-worker.ts, the browser's peers-worker-browser.ts) sends
 * its result back: the factors as columns, so the reply is a few transferred buffers, not millions
 * of cloned objects; and how the caller reads it back. Platform-neutral.
 */
import { UsageError } from '../errors.js';
import { peerGroups, type PeerFactor, type PeerInput, type PeerOptions, type PeerResult } from './peers.js';
import { factorTexts, type FactorTexts } from './factor-text.js';

/** Peer factors as columns (factor k of each), `kind` 1 for missing and 0 for unusual. */
export interface FactorColumns {
  identity: Uint32Array;
  entitlement: Uint32Array;
  kind: Uint8Array;
  groupShare: Float64Array;
  globalShare: Float64Array;
}

export type PeerReply =
  | { ok: true; group: Int32Array; groups: number; score: Float64Array; n: number; cols: FactorColumns; texts?: FactorTexts; ms: number }
  | { ok: false; name: string; message: string };

/**
 * The reply for `r` (computed in `ms`), with the buffers to transfer; with `names` (the
 * entitlements' names), the factors' text too (factor-text.ts), made here rather than by the
 * caller after mining.
 */
export function peerReply(r: PeerResult, ms: number, names?: readonly string[]): { reply: PeerReply; transfer: ArrayBuffer[] } {
  const cols = factorColumns(r);
  const texts = names ? factorTexts(cols, r.group.length, names) : undefined;
  return {
    reply: { ok: true, group: r.group, groups: r.groups, score: r.score, n: r.factors.length, cols, ...(texts ? { texts } : {}), ms },
    transfer: [r.group.buffer, r.score.buffer, cols.identity.buffer, cols.entitlement.buffer, cols.kind.buffer, cols.groupShare.buffer, cols.globalShare.buffer, ...(texts ? [texts.codes.buffer] : [])] as ArrayBuffer[],
  };
}

/**
 * What a peer-group worker does with its request: the peer groups, as a reply (or the error's);
 * with the factors' text when the input names the entitlements.
 */
export function answerPeers(input: PeerInput, options: PeerOptions): { reply: PeerReply; transfer: ArrayBuffer[] } {
  try {
    const t0 = performance.now();
    const r = peerGroups(input, options);
    return peerReply(r, performance.now() - t0, input.entitlementNames);
  } catch (e) {
    return { reply: { ok: false, name: (e as Error).name, message: (e as Error).message }, transfer: [] };
  }
}

/** The input's grant buffers, for a transfer list (a runner that was given them). */
export function inputBuffers(input: PeerInput): ArrayBuffer[] {
  return [input.identity.buffer as ArrayBuffer, input.entitlement.buffer as ArrayBuffer];
}

/** The factors' text a worker made for a result, and the names it was made with (bindFactorNames). */
const textsOf = new WeakMap<PeerResult, { texts: FactorTexts; names: readonly string[] | null }>();

/** Records the names `r`'s factor text was made with (those the caller sent the worker). */
export function bindFactorNames(r: PeerResult, names: readonly string[]): void {
  const t = textsOf.get(r);
  if (t) t.names = names;
}

/**
 * The factors' text the worker made for `r`, when it was made with these names (the same list, or
 * one with the same entries) for `identities` identities; else null (the caller makes it).
 */
export function factorTextsOf(r: PeerResult, names: readonly string[], identities: number): FactorTexts | null {
  const t = textsOf.get(r);
  if (!t || !t.names || t.texts.codes.length !== identities) return null;
  if (t.names !== names && (t.names.length !== names.length || t.names.some((v, k) => v !== names[k]))) return null;
  return t.texts;
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
  if (m.texts) textsOf.set(result, { texts: m.texts, names: null });
  return { result, ms: m.ms };
}
