// Browser Web Worker entry: exposes the worker API on the worker's global scope.
import { expose } from 'comlink/dist/esm/comlink.mjs';
import { workerApi } from './worker-api.js';
import { loadCoreModule } from './wasm-browser.js';
import { browserPlatform, poolAvailable } from './pool-browser.js';
import type { EngineOptions } from './engine.js';

// Engine options travel in the worker's name (set by createWorkerEngine).
const options = (self.name ? JSON.parse(self.name) : {}) as EngineOptions;
// The mining pool where the page is cross-origin isolated: as many threads as asked for, else the
// available cores (at most 8). Elsewhere mining runs on this worker alone, with the same result.
const workers = options.workers ?? Math.min(8, navigator.hardwareConcurrency || 1);
const platform = poolAvailable() && workers > 1 ? browserPlatform(workers).catch(() => null) : null;
expose(workerApi(loadCoreModule, options, platform));
