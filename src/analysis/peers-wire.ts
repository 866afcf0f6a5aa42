/**
 * How a peer-group worker (Node's peers-worker.ts, the browser's peers-worker-browser.ts) sends
 * its result back: the factors as columns, so the reply is a few transferred buffers, not millions
 * of cloned objects; and how the caller reads it back. Platform-neutral.
 */
import { UsageError } from '../errors.js';
import { peerGroups, type PeerFactor, type PeerInput, type PeerOptions, type PeerResult } from './peers.js';

export type PeerReply =
  | { ok: true; group: Int32Array; groups: number; score: Float64Array; n: number; cols: { identity: Uint32Array; entitlement: Uint32Array; kind: Uint8Array; groupShare: Float64Array; globalShare: Float64Array }; ms: number }
  | { ok: false; name: string; message: string };

/** The reply for `r` (computed in `ms`), with the buffers to transfer. */
export function peerReply(r: PeerResult, ms: number): { reply: PeerReply; transfer: ArrayBuffer[] } {
  const cols = {
    identity: Uint32Array.from(r.factors, (f) => f.identity),
    entitlement: Uint32Array.from(r.factors, (f) => f.entitlement),
    kind: Uint8Array.from(r.factors, (f) => (f.kind === 'missing' ? 1 : 0)),
    groupShare: Float64Array.from(r.factors, (f) => f.groupShare),
    globalShare: Float64Array.from(r.factors, (f) => f.globalShare),
  };
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

/** The result a reply carries, or its error (a UsageError stays one). */
export function peerRunOf(m: PeerReply): { result: PeerResult; ms: number } {
  if (!m.ok) throw m.name === 'UsageError' ? new UsageError(m.message) : new Error(m.message);
  const factors: PeerFactor[] = new Array(m.n);
  for (let k = 0; k < m.n; k++) {
    factors[k] = { identity: m.cols.identity[k]!, entitlement: m.cols.entitlement[k]!, kind: m.cols.kind[k] === 1 ? 'missing' : 'unusual', groupShare: m.cols.groupShare[k]!, globalShare: m.cols.globalShare[k]! };
  }
  return { result: { group: m.group, groups: m.groups, score: m.score, factors }, ms: m.ms };
}
