// Type-level: the worker engine offers exactly the sync engine's methods, returning promises.
import { describe, it, expectTypeOf } from 'vitest';
import type { Engine, AsyncEngine, WorkerEngine, SyncEngine, RoleModel, MatrixStats } from '../src/index.js';

describe('engine APIs stay in step', () => {
  it('WorkerEngine is the promise-returning twin of Engine', () => {
    expectTypeOf<WorkerEngine>().toMatchTypeOf<AsyncEngine>();
    expectTypeOf<SyncEngine>().toMatchTypeOf<Engine>();
    expectTypeOf<keyof AsyncEngine>().toEqualTypeOf<keyof Engine>();
    expectTypeOf<ReturnType<WorkerEngine['mine']>>().toEqualTypeOf<Promise<RoleModel>>();
    expectTypeOf<ReturnType<WorkerEngine['analyze']>>().toEqualTypeOf<Promise<MatrixStats>>();
    expectTypeOf<Parameters<WorkerEngine['mine']>>().toEqualTypeOf<Parameters<SyncEngine['mine']>>();
  });
});
