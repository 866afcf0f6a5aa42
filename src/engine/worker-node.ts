// Node worker_threads entry: exposes the worker API on the parent port.
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { workerApi } from './worker-api.js';
import { loadCoreModule } from './wasm-node.js';
import type { EngineOptions } from './engine.js';
import { nodePlatform } from './node.js';
import { parquetToIpc } from '../ingest/node.js';

// Parquet through parquet-wasm's Node build (imported on the first Parquet file), as the CLI reads it.
expose(workerApi(loadCoreModule, (workerData ?? {}) as EngineOptions, nodePlatform, { parquetToIpc }), nodeEndpoint(parentPort));
