/**
 * Peer groups on a Node worker thread, so that they run while the engine mines on the calling
 * thread (they need only the grants, not the model): on a machine with two cores or more, the
 * peer analysis costs no wall time beyond mining's. The result is exactly `peerGroups(input,
 * options)`: the same function, run elsewhere.
 */
import { Worker } from 'node:worker_threads';
import { AbortError } from '../errors.js';
import type { PeerInput, PeerOptions, PeerResult } from './peers.js';
import { inputBuffers, peerRunOf, type PeerReply } from './peers-wire.js';

export interface PeerRun {
  result: PeerResult;
  /** Milliseconds the worker spent computing. */
  ms: number;
}

/**
 * Aborting `signal` terminates the worker (freeing its memory at once) and rejects with AbortError.
 * The grant arrays are copied into the worker (structured clone) and the caller keeps its own;
 * with `give`, they are transferred instead (no copy; the caller's arrays are left empty).
 */
export function peerGroupsInWorker(input: PeerInput, options: PeerOptions = {}, signal?: AbortSignal, give = false): Promise<PeerRun> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const transferList = give ? inputBuffers(input) : [];
    const worker = new Worker(new URL('./peers-worker.js', import.meta.url), { workerData: { input, options }, transferList });
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: PeerReply) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      try {
        resolve(peerRunOf(m));
      } catch (err) {
        reject(err);
      }
    });
    worker.once('error', (e) => {
      if (!settled) reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`rolemill: the peer-group worker exited with code ${code}`));
    });
  });
}
