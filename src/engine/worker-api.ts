/**
 * What a worker exposes over comlink: a thin dispatcher over the synchronous engine. Platform
 * files (worker-node.ts, worker-browser.ts) only choose the endpoint and how the wasm is fetched.
 */
import { transfer } from 'comlink/dist/esm/comlink.mjs';
import { Core, type CoreBuild } from './abi.js';
import { SyncEngine, type EngineOptions, type EnginePlatform, type LoadStats, type MatrixStats } from './engine.js';
import { modelBuffers, type RoleModel } from '../model/model.js';
import type { Grants, MineOptions, ReadOptions } from '../types.js';
import { readGrantsFromChunks } from '../ingest/core.js';

export interface WorkerApi {
  analyze(grants: Grants, onProgress?: MineOptions['onProgress']): Promise<MatrixStats>;
  mine(grants: Grants, options: Omit<MineOptions, 'signal' | 'onProgress'>, onProgress?: MineOptions['onProgress']): Promise<RoleModel>;
  load(grants: Grants, onProgress?: MineOptions['onProgress']): Promise<LoadStats>;
  remine(options: Omit<MineOptions, 'signal' | 'onProgress'>, onProgress?: MineOptions['onProgress']): Promise<RoleModel>;
  unload(): Promise<void>;
  loadBlob(blob: Blob, name: string, options: Omit<ReadOptions, 'onProgress'>, onProgress?: MineOptions['onProgress']): Promise<LoadStats>;
}

export function workerApi(
  loadModule: (build?: CoreBuild) => Promise<WebAssembly.Module>,
  engineOptions: EngineOptions = {},
  platform: EnginePlatform | null | Promise<EnginePlatform | null> = null,
): WorkerApi {
  let engine: Promise<SyncEngine> | null = null;
  const getEngine = () =>
    (engine ??= Promise.all([loadModule(engineOptions.build).then(Core.instantiate), platform]).then(([core, p]) => new SyncEngine(core, engineOptions, p)));
  return {
    async mine(grants, options, onProgress) {
      const e = await getEngine();
      const model = e.mine(grants, { ...options, ...(onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {}) });
      return transfer(model, modelBuffers(model));
    },
    async load(grants, onProgress) {
      const e = await getEngine();
      return e.load(grants, onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {});
    },
    async remine(options, onProgress) {
      const e = await getEngine();
      const model = e.remine({ ...options, ...(onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {}) });
      return transfer(model, modelBuffers(model));
    },
    async loadBlob(blob, name, options, onProgress) {
      const e = await getEngine();
      // Read here, in the worker: the page's main thread never parses the input.
      const grants = await readGrantsFromChunks(blob.stream() as unknown as AsyncIterable<Uint8Array>, name, {
        ...options,
        sizeHint: blob.size,
        ...(onProgress ? { onProgress: (read: number, total: number) => void onProgress('read', total > 0 ? read / total : 0) } : {}),
      });
      return e.load(grants, onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {});
    },
    async unload() {
      (await getEngine()).unload();
    },
    async analyze(grants, onProgress) {
      const e = await getEngine();
      return e.analyze(grants, onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {});
    },
  };
}
