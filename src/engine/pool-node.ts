/**
 * The mining pool on Node worker_threads (contract and coordination in pool.ts). Node always has
 * shared WebAssembly.Memory and may wait on any thread, so the pool is always available here.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { runExactPool, runPool, type MiningPool, type PoolWorkerData } from './pool.js';

let kernelModule: WebAssembly.Module | null = null;
function kernels(): WebAssembly.Module {
  return (kernelModule ??= new WebAssembly.Module(readFileSync(new URL('../../build/rolemill.pool.wasm', import.meta.url))));
}

function startThread(data: PoolWorkerData): { terminate(): void } {
  const worker = new Worker(new URL('./pool-worker-node.js', import.meta.url), { workerData: data });
  return { terminate: () => void worker.terminate() };
}

export function createNodePool(workers: number): MiningPool {
  return {
    workers,
    candidates: (matrix, job, onProgress) => runPool(startThread, kernels(), workers, matrix, job, onProgress),
    exact: (components, job, onProgress) => runExactPool(startThread, workers, components, job, onProgress),
  };
}
