// Browser factories for both engines.
import { Core } from './abi.js';
import { SyncEngine, type EngineOptions } from './engine.js';
import { WorkerEngine, type WorkerHandle } from './worker-engine.js';
import { loadCoreModule } from './wasm-browser.js';

/** The synchronous engine on the calling thread (blocks it: prefer the worker engine in pages). */
export async function createEngine(options: EngineOptions = {}): Promise<SyncEngine> {
  return new SyncEngine(await Core.instantiate(await loadCoreModule(options.build)), options);
}

/** The asynchronous engine on a module Web Worker, started on first use. */
export function createWorkerEngine(options: EngineOptions = {}): WorkerEngine {
  return new WorkerEngine((): WorkerHandle => {
    const worker = new Worker(new URL('./worker-browser.js', import.meta.url), { type: 'module', name: JSON.stringify(options) });
    return {
      endpoint: worker,
      terminate: () => worker.terminate(),
      onCrash: (listener) => worker.addEventListener('error', (e) => listener(new Error(`rolemill: worker failed: ${e.message}`))),
      busy: () => undefined,
    };
  });
}
