/**
 * The asynchronous engine: the same method names as SyncEngine, returning promises, running the
 * work in a worker (Node worker_threads or a browser Web Worker) through comlink.
 *
 * - Grant buffers are transferred to the worker, not copied: after `mine(grants)` the caller's
 *   `grants.identity` / `grants.entitlement` arrays are detached. Results come back transferred.
 * - Calls queue: one job runs at a time per engine.
 * - Cancelling (AbortSignal) terminates the worker, which frees its memory at once; the next call
 *   starts a fresh worker.
 */
import { wrap, transfer, proxy, releaseProxy, type Endpoint, type Remote } from 'comlink/dist/esm/comlink.mjs';
import { AbortError, CoreError, InputError, UsageError } from '../errors.js';
import type { RoleModel } from '../model/model.js';
import type { Grants, MineOptions, ReadOptions } from '../types.js';
import type { Engine, LoadStats, MatrixStats } from './engine.js';
import type { RunFileOptions, RunFiles, WorkerApi, WorkerRun } from './worker-api.js';

export type { RunFileOptions, RunFiles, WorkerRun } from './worker-api.js';

/** Engine's methods, returning promises: kept in step with Engine by the type test. */
export type AsyncEngine = { [K in keyof Engine]: (...args: Parameters<Engine[K]>) => Promise<ReturnType<Engine[K]>> };

/** A started worker: its comlink endpoint, a way to stop it, and a hook for its crashes. */
export interface WorkerHandle {
  endpoint: Endpoint;
  terminate(): void;
  onCrash(listener: (error: Error) => void): void;
  /** Marks the worker busy or idle (Node: an idle worker must not keep the process alive). */
  busy(on: boolean): void;
}

export class WorkerEngine implements AsyncEngine {
  private handle: WorkerHandle | null = null;
  private remote: Remote<WorkerApi> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private crash: ((e: Error) => void) | null = null;
  private disposed = false;

  constructor(private readonly spawn: () => WorkerHandle) {}

  mine(grants: Grants, options: MineOptions = {}): Promise<RoleModel> {
    const { signal, onProgress, ...rest } = options;
    return this.enqueue(grants, signal, onProgress, (remote, g, p) => remote.mine(g!, rest, p));
  }

  /** Loads the grants in the worker (transferred, as for mine) and keeps them there for remine. */
  load(grants: Grants, options: Pick<MineOptions, 'onProgress' | 'signal'> = {}): Promise<LoadStats> {
    const { signal, onProgress } = options;
    return this.enqueue(grants, signal, onProgress, (remote, g, p) => remote.load(g!, p));
  }

  /**
   * Mines the grants loaded in the worker again. Aborting terminates the worker, and with it what
   * was loaded: a later remine is a UsageError until the next load.
   */
  remine(options: MineOptions = {}): Promise<RoleModel> {
    const { signal, onProgress, ...rest } = options;
    return this.enqueue(null, signal, onProgress, (remote, _g, p) => remote.remine(rest, p));
  }

  /**
   * Reads a Blob or File (CSV, Arrow IPC or integer pairs) in the worker and keeps the grants loaded
   * for remine: a page hands over the user's file and its main thread never parses it. Worker-only:
   * reading is asynchronous, so the synchronous engine has no twin of it (use readGrants + load).
   */
  loadBlob(blob: Blob, name: string, options: Omit<ReadOptions, 'onProgress'> & Pick<MineOptions, 'onProgress' | 'signal'> = {}): Promise<LoadStats> {
    const { signal, onProgress, ...rest } = options;
    return this.enqueue(null, signal, onProgress, (remote, _g, p) => remote.loadBlob(blob, name, rest, p));
  }

  /**
   * The governed run `rolemill mine` does (runMine, src/pipeline/mine.ts), on files handed over as
   * Blobs or Files: the worker reads them (as the CLI reads its paths), runs governance, mining,
   * peer groups and descriptions there, and sends back the model and the tables writeRun writes
   * (buffers transferred). The same files and options give the same model, and with writeRun the
   * same output files, as the CLI (test/worker-run.test.ts; in a browser, test/browser/smoke.mjs).
   *
   * Worker-only, deliberately outside AsyncEngine: reading files is asynchronous and runMine takes
   * an engine, so the synchronous engine's twin is `runMine(inputs, options, syncEngine)` itself.
   * It mines with the engine, so it drops what `load` / `loadBlob` had loaded (a later remine is
   * a UsageError until the next load). Aborting terminates the worker, as for every call.
   */
  runFiles(files: RunFiles, options: RunFileOptions & Pick<MineOptions, 'onProgress' | 'signal'> = {}): Promise<WorkerRun> {
    const { signal, onProgress, ...rest } = options;
    return this.enqueue(null, signal, onProgress, (remote, _g, p) => remote.runFiles(files, rest, p));
  }

  unload(): Promise<void> {
    if (!this.remote) return Promise.resolve(); // no worker: nothing loaded
    return this.enqueue(null, undefined, undefined, (remote) => remote.unload());
  }

  analyze(grants: Grants, options: Pick<MineOptions, 'onProgress' | 'signal'> = {}): Promise<MatrixStats> {
    const { signal, onProgress } = options;
    return this.enqueue(grants, signal, onProgress, (remote, g, p) => remote.analyze(g!, p));
  }

  /**
   * Queues a job. Progress reports travel on their own message channel and can arrive after the
   * result, so the caller's callback is cut off once the job settles: no report after the promise.
   */
  private enqueue<T>(
    grants: Grants | null,
    signal: AbortSignal | undefined,
    onProgress: MineOptions['onProgress'],
    call: (remote: Remote<WorkerApi>, g: Grants | null, progress: MineOptions['onProgress']) => Promise<T>,
  ): Promise<T> {
    let live = true;
    const progress = onProgress ? proxy((phase: string, f: number) => void (live && onProgress(phase, f))) : undefined;
    const run = this.queue.then(() => this.run(grants, signal, (remote, g) => call(remote, g, progress)));
    this.queue = run.catch(() => undefined);
    return run.finally(() => (live = false));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.stop();
  }

  private start(): Remote<WorkerApi> {
    if (!this.remote) {
      const h = this.spawn();
      h.onCrash((e) => this.crash?.(e));
      this.handle = h;
      this.remote = wrap<WorkerApi>(h.endpoint);
    }
    return this.remote;
  }

  private stop(): void {
    this.remote?.[releaseProxy]();
    this.handle?.terminate();
    this.handle = null;
    this.remote = null;
  }

  private run<T>(grants: Grants | null, signal: AbortSignal | undefined, call: (remote: Remote<WorkerApi>, g: Grants | null) => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new UsageError('rolemill: this engine has been disposed'));
    if (signal?.aborted) return Promise.reject(new AbortError());
    const remote = this.start();
    const handle = this.handle!;
    handle.busy(true);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        handle.busy(false);
        signal?.removeEventListener('abort', onAbort);
        this.crash = null;
        f();
      };
      const onAbort = () => {
        this.stop();
        finish(() => reject(new AbortError()));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.crash = (e) => {
        this.stop();
        finish(() => reject(e));
      };
      const buffers = grants ? ([...new Set([grants.identity.buffer, grants.entitlement.buffer])] as ArrayBuffer[]) : [];
      call(remote, grants ? transfer(grants, buffers) : null).then(
          (value) => finish(() => resolve(value)),
          (e: unknown) => finish(() => reject(reviveError(e))),
      );
    });
  }
}

/** comlink sends errors as plain Error with name and message; restore our typed errors. */
function reviveError(e: unknown): Error {
  if (!(e instanceof Error)) return new Error(String(e));
  const any = e as Error & Record<string, unknown>;
  switch (e.name) {
    case 'AbortError':
      return new AbortError(e.message);
    case 'UsageError':
      return new UsageError(e.message);
    case 'CoreError':
      return new CoreError(e.message, Number(any['code'] ?? -1));
    case 'InputError': {
      const err = new InputError('', String(any['file'] ?? ''));
      err.message = e.message;
      return err;
    }
  }
  return e;
}
