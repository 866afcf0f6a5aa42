/**
 * Node worker_threads entry for `peerGroupsInWorker`: computes the peer groups of the grants it is
 * given and posts the result back (src/analysis/peers-wire.ts: factors as columns).
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { PeerInput, PeerOptions } from './peers.js';
import { answerPeers } from './peers-wire.js';

// The peer groups are needed only once the model is assembled, and until then they take what the
// run leaves of the cores: at the lowest priority, the mining pool's workers are not slowed down by
// them (2 cores, 10M grants: mining 7.3 s to 5.9 s, the run 34.4 s to 32.6 s, and the groups still
// ready before they are awaited). Linux only, where a nice value is the calling thread's own (on
// macOS and Windows it would be the whole process's); a refusal changes nothing but the schedule.
if (process.platform === 'linux') {
  try {
    setPriority(19);
  } catch {
    // keep the default priority
  }
}

const { input, options } = workerData as { input: PeerInput; options: PeerOptions };
const { reply, transfer } = answerPeers(input, options);
parentPort!.postMessage(reply, transfer);
