/**
 * The mining pool on browser Web Workers (contract and coordination in pool.ts). Available only
 * where the page is cross-origin isolated (shared memory) and only from a worker (the page's main
 * thread may not wait): the worker engine's worker. A browser starts a new worker only when the
 * thread creating it returns to its event loop, and the pool's caller waits synchronously, so the
 * threads are started ahead, here, and reused job after job; they end with the engine's worker
 * (dispose, or cancel, which terminates it).
 */
import { runExactPool, runPool, type PoolWorkerData } from './pool.js';
import type { EnginePlatform } from './engine.js';

/** Whether this realm can run the pool: shared memory allowed and waiting allowed (a worker). */
export function poolAvailable(): boolean {
  const g = globalThis as unknown as { crossOriginIsolated?: boolean; document?: unknown };
  return g.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined' && g.document === undefined;
}

/** Starts `n` pool threads and compiles the kernel module; resolves once every thread is ready. */
export async function browserPlatform(n: number): Promise<EnginePlatform> {
  const kernels = await WebAssembly.compileStreaming(fetch(new URL('../../build/rolemill.pool.wasm', import.meta.url)));
  const threads = await Promise.all(
    Array.from({ length: n }, () => {
      const w = new Worker(new URL('./pool-worker-browser.js', import.meta.url), { type: 'module' });
      return new Promise<Worker>((resolve, reject) => {
        w.onmessage = () => resolve(w);
        w.onerror = (e) => reject(new Error(`rolemill: a mining worker failed to start: ${e.message}`));
      });
    }),
  );
  return {
    cores: n,
    pool: (workers) => {
      const use = Math.min(workers, n);
      const start = (data: PoolWorkerData) => {
        threads[data.w]!.postMessage(data);
        return { terminate: () => undefined }; // it returns to waiting for the next job
      };
      return {
        workers: use,
        candidates: (matrix, job, onProgress) => runPool(start, kernels, use, matrix, job, onProgress),
        exact: (components, job, onProgress) => runExactPool(start, use, components, job, onProgress),
      };
    },
  };
}
