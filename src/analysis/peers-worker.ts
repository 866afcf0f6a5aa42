/**
 * Node worker_threads entry for `peerGroupsInWorker`: computes the peer groups of the grants it is
 * given and posts the result back (src/analysis/peers-wire.ts: factors as columns).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PeerInput, PeerOptions } from './peers.js';
import { answerPeers } from './peers-wire.js';

const { input, options } = workerData as { input: PeerInput; options: PeerOptions };
const { reply, transfer } = answerPeers(input, options);
parentPort!.postMessage(reply, transfer);
