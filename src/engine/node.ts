// Node factories for both engines.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { Core } from './abi.js';
import { SyncEngine, type EngineOptions, type EnginePlatform } from './engine.js';
import { createNodePool } from './pool-node.js';
import { WorkerEngine, type WorkerHandle } from './worker-engine.js';
import { loadCoreModule } from './wasm-node.js';

/** Node's pool for approx mining: worker_threads over one shared WebAssembly.Memory (pool-node.ts). */
export const nodePlatform: EnginePlatform = { pool: createNodePool, cores: availableParallelism() };

/** The synchronous in-process engine (wasm compiled once per process). */
export async function createEngine(options: EngineOptions = {}): Promise<SyncEngine> {
  return new SyncEngine(await Core.instantiate(await loadCoreModule(options.build)), options, nodePlatform);
}

/** The asynchronous engine on a worker_threads worker, started on first use. */
export function createWorkerEngine(options: EngineOptions = {}): WorkerEngine {
  return new WorkerEngine((): WorkerHandle => {
    const worker = new Worker(new URL('./worker-node.js', import.meta.url), { workerData: options });
    worker.unref();
    return {
      endpoint: nodeEndpoint(worker),
      terminate: () => void worker.terminate(),
      onCrash: (listener) => {
        worker.on('error', listener);
        worker.on('exit', (code) => {
          if (code !== 0 && code !== 1) listener(new Error(`rolemill: worker exited with code ${code}`));
        });
      },
      busy: (on) => (on ? worker.ref() : worker.unref()),
    };
  });
}
