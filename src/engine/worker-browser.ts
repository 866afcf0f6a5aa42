// Browser Web Worker entry: exposes the worker API on the worker's global scope.
import { expose } from 'comlink/dist/esm/comlink.mjs';
import { workerApi } from './worker-api.js';
import { loadCoreModule } from './wasm-browser.js';
import type { EngineOptions } from './engine.js';

// Engine options travel in the worker's name (set by createWorkerEngine).
expose(workerApi(loadCoreModule, (self.name ? JSON.parse(self.name) : {}) as EngineOptions));
