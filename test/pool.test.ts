// The mining pool (approx mining's candidate phase on worker threads): the model does not depend on
// the number of workers or the row order; cancelling mid-phase leaves no thread behind (the process
// exits by itself); a worker's failure reaches the caller and the engine stays usable.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as rolemill from '../dist/index.js';
import { SyncEngine } from '../dist/engine/engine.js';
import { Core } from '../dist/engine/abi.js';
import { loadCoreModule } from '../dist/engine/wasm-node.js';
import { createNodePool } from '../dist/engine/pool-node.js';
import { nodePlatform } from '../dist/engine/node.js';
import type { RoleModel } from '../src/model/model.js';
import type { PoolMatrix } from '../src/engine/pool.js';
import { bitsetBound, componentsOf, threadsWithin, type Components } from '../dist/engine/exact-parts.js';
import { generateEnterprise } from '../src/generate.js';
import { bruteForceMinRoles, checkModel, randomPairs, rng, shuffle, type Pairs } from './support/reference.js';

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
          exact: real.exact,
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
    ['exact', 'exact mining of components on the pool', /^aborted in mine after \d+ pool reports\n$/],
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

/**
 * Pairs of `blocks` separate companies (no identity or entitlement shared): each a generated
 * enterprise of `identities`, its names prefixed, so the matrix has at least `blocks` components.
 */
function conglomerate(blocks: number, identities: number, strayRate: number): Pairs {
  const out: Pairs = [];
  for (let b = 0; b < blocks; b++) {
    const e = generateEnterprise({ identities, seed: 40 + b, strayRate, missingRate: 0 });
    for (let i = 0; i < e.grants.identity.length; i++) out.push([`c${b}/${e.identities[e.grants.identity[i]!]!.id}`, `c${b}/${e.entitlementNames[e.grants.entitlement[i]!]!}`]);
  }
  return out;
}

describe('exact mining of components on the pool', () => {
  const hp = async (name: string) => rolemill.readGrants(fileURLToPath(new URL(`../../shared/datasets/hp/${name}.txt`, import.meta.url)));
  const copy = (g: rolemill.Grants) => ({ ...g, identity: g.identity.slice(), entitlement: g.entitlement.slice() });

  it('gives the model mined in process, for 1 to 4 workers, on the HP sets with components (apj: 77, customer: 2)', async () => {
    for (const [name, optimum, components] of [['apj', 453, 77], ['customer', 276, 2]] as const) {
      const g = await hp(name);
      for (const objective of ['roles', 'wsc'] as const) {
        const one = (await rolemill.createEngine({ workers: 1 })).mine(copy(g), { mode: 'exact', objective });
        expect(one.summary.mining.components).toBe(components);
        expect(one.summary.model.roleLowerBound).toBe(optimum);
        expect(one.summary.model.optimalityProven).toBe(true);
        expect(one.summary.timings.poolWorkers).toBeUndefined();
        for (const workers of [2, 3, 4]) {
          const many = (await rolemill.createEngine({ workers })).mine(copy(g), { mode: 'exact', objective });
          expect(many.summary.timings.poolWorkers).toBe(Math.min(workers, components));
          expect(content(many)).toEqual(content(one));
        }
      }
    }
  });

  it('on separate companies: every grant explained exactly, the brute-force minimum of each, whatever the workers', async () => {
    // Small noisy blocks, each with a brute-forced minimum; together one input of several components.
    const rand = rng(77);
    const blocks = Array.from({ length: 5 }, () => randomPairs(rand, 7, 6, 3, 0.15));
    const pairs = blocks.flatMap((b, k) => b.map(([i, e]) => [`b${k}${i}`, `b${k}${e}`] as [string, string]));
    const minimum = blocks.reduce((n, b) => n + bruteForceMinRoles(b), 0);
    const one = (await rolemill.createEngine({ workers: 1 })).mine(rolemill.grantsFromPairs(pairs), { mode: 'exact' });
    expect(one.summary.model.roles).toBe(minimum);
    for (const workers of [2, 4]) {
      const many = (await rolemill.createEngine({ workers })).mine(rolemill.grantsFromPairs(shuffle(pairs, rng(workers))), { mode: 'exact' });
      expect(checkModel(many, pairs)).toEqual({ missing: 0, extra: 0 });
      expect(many.summary.model.roles).toBe(minimum);
      expect(rolemill.roleObjects(many)).toEqual(rolemill.roleObjects(one));
      expect(many.summary.model).toEqual(one.summary.model);
    }
  });

  it('on generated companies, through remine and the worker engine too', async () => {
    const pairs = conglomerate(3, 400, 0.01);
    const g = rolemill.grantsFromPairs(pairs);
    const one = (await rolemill.createEngine({ workers: 1 })).mine(g, { mode: 'exact', objective: 'wsc' });
    expect(one.summary.mining.components).toBeGreaterThanOrEqual(3);
    expect(checkModel(one, pairs)).toEqual({ missing: 0, extra: 0 });
    const e = await rolemill.createEngine({ workers: 2 });
    e.load(g);
    expect(content(e.remine({ mode: 'exact', objective: 'wsc' }))).toEqual(content(one));
    const w = rolemill.createWorkerEngine({ workers: 2 });
    const viaWorker = await w.mine(rolemill.grantsFromPairs(pairs), { mode: 'exact', objective: 'wsc' });
    await w.dispose();
    expect(viaWorker.summary.timings.poolWorkers).toBe(2);
    expect(content(viaWorker)).toEqual(content(one));
  });

  it('a component over the bitset limit fails as it does in process, and a worker that cannot start names itself', async () => {
    const g = await hp('customer');
    const module = await loadCoreModule();
    const engine = (workers: number, platform = nodePlatform, limit?: number) => new SyncEngine(Core.instantiateSync(module), { workers, ...(limit !== undefined ? { componentLimitMiB: limit } : {}) }, platform);
    const failure = (f: () => unknown): Error => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      throw new Error('did not fail');
    };
    // A limit of 0 MiB: every component of more than one class is over it, the first one fails.
    const inProcess = failure(() => engine(1, nodePlatform, 0).mine(copy(g), { mode: 'exact' }));
    expect(inProcess.message).toMatch(/^rolemill: a connected part of the access matrix needs \d+ MiB of bitsets for exact mining, over the limit/);
    const pooled = failure(() => engine(2, nodePlatform, 0).mine(copy(g), { mode: 'exact' }));
    expect(pooled).toBeInstanceOf(rolemill.CoreError);
    expect(pooled.message).toBe(inProcess.message);
    // A pool handed a module that is not the core (the kernels, which import a shared memory): its
    // threads fail to instantiate it; the engine stays usable.
    let wrong = true;
    const kernels = new WebAssembly.Module(readFileSync(fileURLToPath(new URL('../build/rolemill.pool.wasm', import.meta.url))));
    const faulty = {
      cores: 2,
      pool: (n: number) => {
        const real = createNodePool(n);
        return { ...real, exact: (c: Parameters<typeof real.exact>[0], job: Parameters<typeof real.exact>[1], p: (f: number) => boolean) => real.exact(c, wrong ? { ...job, core: kernels } : job, p) };
      },
    };
    const e = engine(2, faulty);
    const err = failure(() => e.mine(copy(g), { mode: 'exact' }));
    expect(err).toBeInstanceOf(rolemill.CoreError);
    expect(err.message).toMatch(/^rolemill: mining worker \d failed: LinkError: /);
    wrong = false;
    expect(content(e.mine(copy(g), { mode: 'exact' }))).toEqual(content(engine(1).mine(copy(g), { mode: 'exact' })));
  });
});

/** Components by breadth-first search over the bipartite graph: for each identity with grants, its component's smallest identity. */
function componentLeaders(rows: number[][], entitlements: number): number[] {
  const holders: number[][] = Array.from({ length: entitlements }, () => []);
  rows.forEach((r, i) => r.forEach((e) => holders[e]!.push(i)));
  const leader = rows.map(() => -1);
  rows.forEach((r, i) => {
    if (leader[i]! >= 0 || r.length === 0) return;
    const queue = [i];
    leader[i] = i;
    for (let q = 0; q < queue.length; q++) for (const e of rows[queue[q]!]!) for (const h of holders[e]!) if (leader[h]! < 0) (leader[h] = i), queue.push(h);
  });
  return leader;
}

describe('connected components for the pool', () => {
  it('joins every identity and entitlement that share a grant, directly or through others, as a search does', () => {
    // Rows whose first entitlement's set is joined to two smaller sets in turn: {0, 5}, {1, 4}, then {3, 4, 5} joins all three.
    const cases: number[][][] = [[[0, 5], [1, 4], [3, 4, 5]]];
    const random = rng(29);
    for (let t = 0; t < 300; t++) {
      const E = 1 + Math.floor(random() * 12);
      cases.push(Array.from({ length: 1 + Math.floor(random() * 10) }, () => [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => Math.floor(random() * E)))].sort((a, b) => a - b)));
    }
    for (const rows of cases) {
      const E = Math.max(0, ...rows.flat()) + 1;
      const mOff = Uint32Array.from([0, ...rows.map((_, i) => rows.slice(0, i + 1).reduce((n, r) => n + r.length, 0))]);
      const c = componentsOf(mOff, Uint32Array.from(rows.flat()), E);
      const leader = componentLeaders(rows, E);
      const compOf = rows.map(() => -1);
      for (let k = 0; k < c.count; k++) for (const i of c.ids.subarray(c.idOff[k]!, c.idOff[k + 1]!)) compOf[i] = k;
      // The same partition of the identities, numbered by smallest identity.
      const leaders = [...new Set(leader.filter((l) => l >= 0))];
      expect(compOf).toEqual(leader.map((l) => (l < 0 ? -1 : leaders.indexOf(l))));
      // Every grant lands in its identity's component, on its own entitlement.
      for (let k = 0; k < c.count; k++) {
        const ids = c.ids.subarray(c.idOff[k]!, c.idOff[k + 1]!);
        const ents = c.ents.subarray(c.entOff[k]!, c.entOff[k + 1]!);
        const got: number[][] = [];
        for (let g = c.grantOff[k]!; g < c.grantOff[k + 1]!; g++) got.push([ids[c.grantId[g]!]!, ents[c.grantEnt[g]!]!]);
        expect(got).toEqual([...ids].flatMap((i) => rows[i]!.map((e) => [i, e])));
      }
    }
  });

  it('mines components joined through several sets in one row as in process', async () => {
    const pairs: Pairs = [['a', 'e0'], ['a', 'e5'], ['b', 'e1'], ['b', 'e4'], ['c', 'e3'], ['c', 'e4'], ['c', 'e5'], ['x', 'f1'], ['y', 'f1'], ['y', 'f2']];
    const [e1, e2] = await Promise.all([rolemill.createEngine({ workers: 1 }), rolemill.createEngine({ workers: 2 })]);
    const one = e1.mine(rolemill.grantsFromPairs(pairs), { mode: 'exact' });
    const two = e2.mine(rolemill.grantsFromPairs(pairs), { mode: 'exact' });
    e1.dispose();
    e2.dispose();
    expect(one.summary.input.grants).toBe(pairs.length);
    expect(two.summary.model.unexplainedGrants).toBe(0);
    expect(two.summary.timings['poolWorkers']).toBe(2);
    expect(content(two)).toEqual(content(one));
  });

  it('splits a CSR into components by smallest identity, local ids keeping the global order', () => {
    // Identities 0..5: 0 {1, 3}, 1 {}, 2 {0}, 3 {3, 4}, 4 {0, 2}, 5 {5}. Components: {0, 3} x {1, 3, 4}, {2, 4} x {0, 2}, {5} x {5}.
    const mOff = Uint32Array.of(0, 2, 2, 3, 5, 7, 8);
    const mIdx = Uint32Array.of(1, 3, 0, 3, 4, 0, 2, 5);
    const c = componentsOf(mOff, mIdx, 6);
    expect(c.count).toBe(3);
    expect([...c.idOff]).toEqual([0, 2, 4, 5]);
    expect([...c.ids]).toEqual([0, 3, 2, 4, 5]);
    expect([...c.entOff]).toEqual([0, 3, 5, 6]);
    expect([...c.ents]).toEqual([1, 3, 4, 0, 2, 5]);
    expect([...c.grantOff]).toEqual([0, 4, 7, 8]);
    expect([...c.grantId]).toEqual([0, 0, 1, 1, 0, 1, 1, 0]);
    expect([...c.grantEnt]).toEqual([0, 1, 1, 2, 0, 0, 1, 0]);
    // 2 x 3 and 2 x 2: (2 x 1 + 3 x 1) x 16 and (2 + 2) x 16 bytes; one identity: no bitsets.
    expect([0, 1, 2].map((k) => bitsetBound(c, k))).toEqual([80, 64, 0]);
  });

  it('mines no more components side by side than one may take in process', () => {
    // Three components of 1,000 identities x 100 entitlements: (1000 x 2 + 100 x 16) x 16 = 57,600 bytes each.
    const three: Components = {
      count: 3, idOff: Uint32Array.of(0, 1000, 2000, 3000), ids: new Uint32Array(3000), entOff: Uint32Array.of(0, 100, 200, 300), ents: new Uint32Array(300),
      grantOff: Float64Array.of(0, 1, 2, 3), grantId: new Uint32Array(3), grantEnt: new Uint32Array(3),
    };
    expect(bitsetBound(three, 0)).toBe(57_600);
    expect(threadsWithin(three, 4, 3 * 57_600)).toBe(3);
    expect(threadsWithin(three, 4, 2 * 57_600 + 1)).toBe(2);
    expect(threadsWithin(three, 2, 10 * 57_600)).toBe(2);
    expect(threadsWithin(three, 4, 57_600)).toBe(1);
  });
});
