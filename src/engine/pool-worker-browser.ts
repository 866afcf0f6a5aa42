// Browser Web Worker entry of a mining-pool thread (see pool-browser.ts): says it is ready, then
// runs one job per message (the job's data), for as long as the engine's worker lives.
import { runPoolWorker } from './pool-worker.js';
import type { PoolWorkerData } from './pool.js';

self.onmessage = (e: MessageEvent<PoolWorkerData>) => runPoolWorker(e.data);
self.postMessage('ready');
