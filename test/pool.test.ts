// The mining pool (approx mining's candidate phase on worker threads): the model does not depend on
// the number of workers or the row order; cancelling mid-phase leaves no thread behind (the process
// exits by itself); a worker's failure reaches the caller and the engine stays usable.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as rolemill from '../dist/index.js';
import { SyncEngine } from '../dist/engine/engine.js';
import { Core } from '../dist/engine/abi.js';
import { loadCoreModule } from '../dist/engine/wasm-node.js';
import { createNodePool } from '../dist/engine/pool-node.js';
import { nodePlatform } from '../dist/engine/node.js';
import type { RoleModel } from '../src/model/model.js';
import type { PoolMatrix } from '../src/engine/pool.js';
import { generateEnterprise } from '../src/generate.js';
import { rng, shuffle, type Pairs } from './support/reference.js';

function enterprisePairs(identities: number, seed: number): Pairs {
  const e = generateEnterprise({ identities, seed, strayRate: 0.02 });
  const pairs: Pairs = [];
  for (let i = 0; i < e.grants.identity.length; i++) pairs.push([e.identities[e.grants.identity[i]!]!.id, e.entitlementNames[e.grants.entitlement[i]!]!]);
  return pairs;
}

/** Everything of a model but its timings. */
function content(m: RoleModel): unknown {
  const { timings: _t, ...summary } = m.summary as RoleModel['summary'] & { timings?: unknown };
  return { ...m, summary };
}

const pairs = enterprisePairs(2500, 21);
const grants = rolemill.grantsFromPairs(pairs);
// The worker engine takes its input by transfer, which leaves the arrays given detached.
const fresh = () => rolemill.grantsFromPairs(pairs);

describe('mining pool', () => {
  it('gives the same model with 1, 2 and 4 workers, for each knob setting', async () => {
    for (const options of [{}, { tolerance: 1 }, { minMembers: 5, support: 0.7 }, { exceptionCost: 3, coverage: 0.95 }]) {
      const one = (await rolemill.createEngine({ workers: 1 })).mine(grants, options);
      expect(one.roles.count).toBeGreaterThan(20);
      for (const workers of [2, 4]) {
        const many = (await rolemill.createEngine({ workers })).mine(grants, options);
        expect(content(many)).toEqual(content(one));
      }
    }
  });

  it('gives the same roles for shuffled rows, with 1 and 4 workers', async () => {
    const shuffled = rolemill.grantsFromPairs(shuffle(pairs, rng(9)));
    const a = (await rolemill.createEngine({ workers: 1 })).mine(grants);
    const b = (await rolemill.createEngine({ workers: 4 })).mine(shuffled);
    expect(rolemill.roleObjects(b)).toEqual(rolemill.roleObjects(a));
    expect(b.summary.model).toEqual(a.summary.model);
  });

  it('remine after load, and the worker engine, give the same model with workers', async () => {
    const one = (await rolemill.createEngine({ workers: 1 })).mine(grants, { tolerance: 1 });
    const e = await rolemill.createEngine({ workers: 3 });
    e.load(grants);
    expect(content(e.remine({ tolerance: 1 }))).toEqual(content(one));
    expect(content(e.remine({ tolerance: 1 }))).toEqual(content(one)); // from the cache this time
    const w = rolemill.createWorkerEngine({ workers: 2 });
    expect(content(await w.mine(fresh(), { tolerance: 1 }))).toEqual(content(one));
    await w.dispose();
  });

  it('reports progress that never goes back within a phase, with the pool or without', async () => {
    for (const workers of [1, 2]) {
      const seen: [string, number][] = [];
      (await rolemill.createEngine({ workers })).mine(grants, { onProgress: (p, f) => seen.push([p, f]) });
      const phases = seen.map(([p]) => p).filter((p, i, a) => i === 0 || a[i - 1] !== p);
      expect(phases).toEqual(['load', 'mine', 'verify']);
      for (let i = 1; i < seen.length; i++) if (seen[i]![0] === seen[i - 1]![0]) expect(seen[i]![1]).toBeGreaterThanOrEqual(seen[i - 1]![1]);
      expect(seen.filter(([p]) => p === 'mine').length).toBeGreaterThan(2);
    }
  });

  it('rejects a worker count that is not a whole number from 1 to 256', async () => {
    await expect(rolemill.createEngine({ workers: 0 })).rejects.toThrow('rolemill: workers must be an integer from 1 to 256, got 0');
    await expect(rolemill.createEngine({ workers: 1.5 })).rejects.toThrow(rolemill.UsageError);
  });

  it('a worker that fails reaches the caller as a CoreError naming it, and the engine stays usable', async () => {
    // A pool given a corrupt matrix (offsets past the end of the data): its kernels trap on the
    // out-of-bounds read, inside the workers.
    let corrupt = true;
    const faulty = {
      cores: 2,
      pool: (n: number) => {
        const real = createNodePool(n);
        return {
          workers: n,
          candidates: (m: PoolMatrix, job: Parameters<typeof real.candidates>[1], onProgress: (f: number) => boolean) => {
            if (!corrupt) return real.candidates(m, job, onProgress);
            const tOff = m.tOff.map((v) => v + 0x7fff0000);
            tOff[0] = 0;
            return real.candidates({ ...m, tOff }, job, onProgress);
          },
        };
      },
    };
    const e = new SyncEngine(await Core.instantiate(await loadCoreModule()), { workers: 2 }, faulty);
    let err: unknown;
    try {
      e.mine(grants);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(rolemill.CoreError);
    expect((err as Error).message).toMatch(/^rolemill: mining worker \d failed: RuntimeError: memory access out of bounds/);
    corrupt = false;
    const good = e.mine(grants);
    expect(content(good)).toEqual(content((await rolemill.createEngine({ workers: 1 })).mine(grants)));
  });

  it('uses the pool only where the platform has one: a platform-less engine mines on its own thread', async () => {
    const e = new SyncEngine(await Core.instantiate(await loadCoreModule()), { workers: 4 }, null);
    expect(content(e.mine(grants))).toEqual(content((await rolemill.createEngine({ workers: 1 })).mine(grants)));
    expect(nodePlatform.cores).toBeGreaterThanOrEqual(1);
  });

  // Cancelling: a child process aborts mid-phase and must then exit on its own, which it cannot
  // while any worker thread is alive.
  const script = fileURLToPath(new URL('./support/abort-pool.mjs', import.meta.url));
  const cases = [
    ['sync', 'mining on the sync engine while its pool runs', /^aborted in mine after \d+ pool reports\n$/],
    ['worker', 'mining on the worker engine while its pool runs', /^aborted in mine after \d+ pool reports\n$/],
    ['read', 'a CSV read on worker threads', /^aborted read\n$/],
  ] as const;
  for (const [mode, what, expected] of cases) {
    it(`cancelling ${what} frees every thread: the process exits by itself`, () => {
      const run = spawnSync(process.execPath, [script, mode], { encoding: 'utf8', timeout: 30_000 });
      expect(run.stderr).toBe('');
      expect(run.signal).toBe(null); // not killed by the timeout: nothing kept it alive
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(expected);
    });
  }
});
