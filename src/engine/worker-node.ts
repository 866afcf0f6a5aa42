// Node worker_threads entry: exposes the worker API on the parent port.
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { workerApi } from './worker-api.js';
import { loadCoreModule } from './wasm-node.js';
import type { EngineOptions } from './engine.js';
import { nodePlatform } from './node.js';
import { parquetToIpc } from '../ingest/node.js';
import { peerGroupsInWorker } from '../analysis/peers-async.js';

// Parquet through parquet-wasm's Node build (imported on the first Parquet file), as the CLI reads it.
// Peer groups on a thread of their own beside mining, as the command line runs them.
expose(workerApi(loadCoreModule, (workerData ?? {}) as EngineOptions, nodePlatform, { parquetToIpc, peerRunner: (input) => peerGroupsInWorker(input, {}, undefined, true) }), nodeEndpoint(parentPort));
