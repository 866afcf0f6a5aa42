/**
 * Browser module-worker entry for `peerGroupsInBrowserWorker`: the peer groups of the grants in
 * the first message, posted back as src/analysis/peers-wire.ts sends them.
 */
import { peerGroups, type PeerInput, type PeerOptions } from './peers.js';
import { peerReply } from './peers-wire.js';

self.onmessage = (e: MessageEvent<{ input: PeerInput; options: PeerOptions }>) => {
  const post = (m: unknown, transfer: ArrayBuffer[] = []) => (self as unknown as Worker).postMessage(m, transfer);
  try {
    const t0 = performance.now();
    const r = peerGroups(e.data.input, e.data.options);
    const { reply, transfer } = peerReply(r, performance.now() - t0);
    post(reply, transfer);
  } catch (err) {
    post({ ok: false, name: (err as Error).name, message: (err as Error).message });
  }
};
