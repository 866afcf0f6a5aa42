// Node worker_threads entry of a mining-pool thread (see pool.ts).
import { workerData } from 'node:worker_threads';
import { runPoolWorker } from './pool-worker.js';
import type { PoolWorkerData } from './pool.js';

runPoolWorker(workerData as PoolWorkerData);
