/**
 * Browser module-worker entry for `peerGroupsInBrowserWorker`: the peer groups of the grants in
 * the first message, posted back as src/analysis/peers-wire.ts sends them.
 */
import type { PeerInput, PeerOptions } from './peers.js';
import { answerPeers } from './peers-wire.js';

self.onmessage = (e: MessageEvent<{ input: PeerInput; options: PeerOptions }>) => {
  const { reply, transfer } = answerPeers(e.data.input, e.data.options);
  (self as unknown as Worker).postMessage(reply, transfer);
};
