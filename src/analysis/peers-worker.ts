/**
 * Node worker_threads entry for `peerGroupsInWorker`: computes the peer groups of the grants it is
 * given and posts the result back (factors as columns, so the reply is a few transferred buffers,
 * not millions of cloned objects).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { peerGroups, type PeerInput, type PeerOptions } from './peers.js';

const { input, options } = workerData as { input: PeerInput; options: PeerOptions };
try {
  const t0 = performance.now();
  const r = peerGroups(input, options);
  const n = r.factors.length;
  const cols = {
    identity: Uint32Array.from(r.factors, (f) => f.identity),
    entitlement: Uint32Array.from(r.factors, (f) => f.entitlement),
    kind: Uint8Array.from(r.factors, (f) => (f.kind === 'missing' ? 1 : 0)),
    groupShare: Float64Array.from(r.factors, (f) => f.groupShare),
    globalShare: Float64Array.from(r.factors, (f) => f.globalShare),
  };
  const ms = performance.now() - t0;
  parentPort!.postMessage({ ok: true, group: r.group, groups: r.groups, score: r.score, n, cols, ms }, [
    r.group.buffer, r.score.buffer, cols.identity.buffer, cols.entitlement.buffer, cols.kind.buffer, cols.groupShare.buffer, cols.globalShare.buffer,
  ] as ArrayBuffer[]);
} catch (e) {
  parentPort!.postMessage({ ok: false, name: (e as Error).name, message: (e as Error).message });
}
