/**
 * Peer groups on a module Web Worker of their own (started from the engine's worker), so that in a
 * page they run while the engine mines, as the command line runs them on a thread beside mining
 * (src/analysis/peers-async.ts). The result is exactly `peerGroups(input, options)`.
 */
import type { PeerInput, PeerOptions, PeerResult } from './peers.js';
import { inputBuffers, peerRunOf, type PeerReply } from './peers-wire.js';

/** The grant arrays are copied into the worker; with `give`, transferred (the caller's are left empty). */
export function peerGroupsInBrowserWorker(input: PeerInput, options: PeerOptions = {}, give = false): Promise<{ result: PeerResult; ms: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./peers-worker-browser.js', import.meta.url), { type: 'module', name: 'rolemill-peers' });
    worker.onmessage = (e: MessageEvent<PeerReply>) => {
      worker.terminate();
      try {
        resolve(peerRunOf(e.data));
      } catch (err) {
        reject(err);
      }
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`rolemill: the peer-group worker failed: ${e.message}`));
    };
    worker.postMessage({ input, options }, give ? inputBuffers(input) : []);
  });
}
