/**
 * Peer groups on a Node worker thread, so that they run while the engine mines on the calling
 * thread (they need only the grants, not the model): on a machine with two cores or more, the
 * peer analysis costs no wall time beyond mining's. The result is exactly `peerGroups(input,
 * options)`: the same function, run elsewhere.
 */
import { Worker } from 'node:worker_threads';
import { AbortError, UsageError } from '../errors.js';
import type { PeerFactor, PeerInput, PeerOptions, PeerResult } from './peers.js';

export interface PeerRun {
  result: PeerResult;
  /** Milliseconds the worker spent computing. */
  ms: number;
}

/** Aborting `signal` terminates the worker (freeing its memory at once) and rejects with AbortError. */
export function peerGroupsInWorker(input: PeerInput, options: PeerOptions = {}, signal?: AbortSignal): Promise<PeerRun> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    // The grant arrays are copied into the worker (structured clone): the caller keeps its own.
    const worker = new Worker(new URL('./peers-worker.js', import.meta.url), { workerData: { input, options } });
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (!m['ok']) {
        const err = m['name'] === 'UsageError' ? new UsageError(String(m['message'])) : new Error(String(m['message']));
        return reject(err);
      }
      const cols = m['cols'] as { identity: Uint32Array; entitlement: Uint32Array; kind: Uint8Array; groupShare: Float64Array; globalShare: Float64Array };
      const n = m['n'] as number;
      const factors: PeerFactor[] = new Array(n);
      for (let k = 0; k < n; k++) {
        factors[k] = { identity: cols.identity[k]!, entitlement: cols.entitlement[k]!, kind: cols.kind[k] === 1 ? 'missing' : 'unusual', groupShare: cols.groupShare[k]!, globalShare: cols.globalShare[k]! };
      }
      resolve({ result: { group: m['group'] as Int32Array, groups: m['groups'] as number, score: m['score'] as Float64Array, factors }, ms: m['ms'] as number });
    });
    worker.once('error', (e) => {
      if (!settled) reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`rolemill: the peer-group worker exited with code ${code}`));
    });
  });
}
