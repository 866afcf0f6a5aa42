// Node worker_threads entry: exposes the worker API on the parent port.
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { workerApi } from './worker-api.js';
import { loadCoreModule } from './wasm-node.js';
import type { EngineOptions } from './engine.js';
import { nodePlatform } from './node.js';

expose(workerApi(loadCoreModule, (workerData ?? {}) as EngineOptions, nodePlatform), nodeEndpoint(parentPort));
