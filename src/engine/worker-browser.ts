// Browser Web Worker entry: exposes the worker API on the worker's global scope.
import { expose } from 'comlink/dist/esm/comlink.mjs';
import { workerApi } from './worker-api.js';
import { peerGroupsInBrowserWorker } from '../analysis/peers-browser.js';
import { loadCoreModule } from './wasm-browser.js';
import { browserPlatform, poolAvailable } from './pool-browser.js';
import type { EngineOptions } from './engine.js';
import type { ParquetToIpc } from '../ingest/core.js';

// Engine options travel in the worker's name (set by createWorkerEngine).
const options = (self.name ? JSON.parse(self.name) : {}) as EngineOptions;
// The mining pool where the page is cross-origin isolated: as many threads as asked for, else the
// available cores (at most 8). Elsewhere mining runs on this worker alone, with the same result.
const workers = options.workers ?? Math.min(8, navigator.hardwareConcurrency || 1);
const platform = poolAvailable() && workers > 1 ? browserPlatform(workers).catch(() => null) : null;

/**
 * Parquet through parquet-wasm's ESM build, imported and initialised on the first Parquet file
 * (a dynamic import: its JS is a chunk of its own and its 5 MB wasm is fetched only then, so a
 * worker that never sees Parquet loads neither). Its init fetches parquet_wasm_bg.wasm beside its
 * own module (new URL('parquet_wasm_bg.wasm', import.meta.url)); web-demo/build.mjs points that at
 * the site's build/ folder. A failed load is not cached: the next Parquet file tries again.
 */
let parquetWasm: Promise<typeof import('parquet-wasm/esm')> | null = null;
const parquetToIpc: ParquetToIpc = async (bytes) => {
  let pq: typeof import('parquet-wasm/esm');
  try {
    pq = await (parquetWasm ??= import('parquet-wasm/esm').then(async (m) => (await m.default(), m)));
  } catch (e) {
    parquetWasm = null;
    throw new Error(`the Parquet decoder (parquet-wasm) did not load: ${e instanceof Error ? e.message : String(e)}`);
  }
  return pq.readParquet(bytes, { batchSize: 1 << 20 }).intoIPCStream();
};

// Peer groups on a worker of their own, beside mining (the command line runs them on a thread of
// their own too): the same result, sooner.
expose(workerApi(loadCoreModule, options, platform, { parquetToIpc, peerRunner: (input) => peerGroupsInBrowserWorker(input, {}, true) }));
