/**
 * Node worker_threads entry for `peerGroupsInWorker`: computes the peer groups of the grants it is
 * given and posts the result back (src/analysis/peers-wire.ts: factors as columns).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { peerGroups, type PeerInput, type PeerOptions } from './peers.js';
import { peerReply } from './peers-wire.js';

const { input, options } = workerData as { input: PeerInput; options: PeerOptions };
try {
  const t0 = performance.now();
  const r = peerGroups(input, options);
  const { reply, transfer } = peerReply(r, performance.now() - t0);
  parentPort!.postMessage(reply, transfer);
} catch (e) {
  parentPort!.postMessage({ ok: false, name: (e as Error).name, message: (e as Error).message });
}
