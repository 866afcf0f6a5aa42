/**
 * Engine tests, run on every backend: the in-process engine on the SIMD, plain and debug builds,
 * and the worker engine. They import the built package, the way users do.
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as rolemill from '../dist/index.js';
import type { RoleModel } from '../src/model/model.js';
import { checkModel, bruteForceMinRoles, rng, shuffle, randomPairs, type Pairs } from './support/reference.js';

type Mine = (pairs: Pairs, options?: { objective?: 'roles' | 'wsc' }) => Promise<RoleModel>;

// These suites test exact mining; approx mode has its own file (approx.test.ts).
const EXACT = { mode: 'exact' } as const;

const backends: [string, () => Promise<{ mine: Mine; close: () => Promise<void> }>][] = [
  ...(['simd', 'plain', 'debug'] as const).map((build): [string, () => Promise<{ mine: Mine; close: () => Promise<void> }>] => [
    `sync ${build}`,
    async () => {
      const e = await rolemill.createEngine({ build });
      return { mine: async (p, o) => e.mine(rolemill.grantsFromPairs(p), { ...EXACT, ...o }), close: async () => e.dispose() };
    },
  ]),
  [
    'worker',
    async () => {
      const e = rolemill.createWorkerEngine();
      return { mine: (p, o) => e.mine(rolemill.grantsFromPairs(p), { ...EXACT, ...o }), close: () => e.dispose() };
    },
  ],
];

/** Roles as sorted "members -> entitlements" strings, for exact comparisons. */
function describeRoles(m: RoleModel): string[] {
  return rolemill
    .roleObjects(m)
    .map((r) => `${r.members.join(',')} -> ${r.entitlements.join(',')}`)
    .sort();
}

for (const [name, make] of backends) {
  describe(`engine (${name})`, () => {
    const ready = make();
    afterAll(async () => (await ready).close());

    it('empty input gives an empty exact model', async () => {
      const m = await (await ready).mine([]);
      expect(m.roles.count).toBe(0);
      expect(m.summary.model).toMatchObject({ roles: 0, exact: true, coverage: 1, optimalityProven: true });
    });

    it('one grant gives one role', async () => {
      const m = await (await ready).mine([['alice', 'crm:read']]);
      expect(describeRoles(m)).toEqual(['alice -> crm:read']);
      expect(m.summary.model.wsc).toBe(3);
    });

    it('a nested pair of access sets gives two layered roles', async () => {
      // alice {a,b}, bob {a,b,c}, carol {c}: the minimum is 2 roles, and the lowest-WSC pair is
      // {a,b} for alice and bob plus {c} for bob and carol (WSC 2 + 4 + 3 = 9).
      const m = await (await ready).mine([
        ['alice', 'a'], ['alice', 'b'], ['bob', 'a'], ['bob', 'b'], ['bob', 'c'], ['carol', 'c'],
      ]);
      expect(describeRoles(m)).toEqual(['alice,bob -> a,b', 'bob,carol -> c']);
      expect(m.summary.model).toMatchObject({ roles: 2, identityRoleAssignments: 4, roleEntitlementAssignments: 3, wsc: 9, exact: true });
      expect(m.summary.model.optimalityProven).toBe(true);
    });

    it('twins merge: identical identities share one role', async () => {
      const m = await (await ready).mine([
        ['u1', 'x'], ['u1', 'y'], ['u2', 'x'], ['u2', 'y'], ['u3', 'x'], ['u3', 'y'],
      ]);
      expect(describeRoles(m)).toEqual(['u1,u2,u3 -> x,y']);
      expect(m.summary.mining.identityClasses).toBe(1);
      expect(m.summary.mining.entitlementClasses).toBe(1);
    });

    it('a diagonal needs one role per identity', async () => {
      const m = await (await ready).mine([['a', '1'], ['b', '2'], ['c', '3']]);
      expect(describeRoles(m)).toEqual(['a -> 1', 'b -> 2', 'c -> 3']);
      expect(m.summary.mining.components).toBe(3);
    });

    it('duplicates are dropped and counted', async () => {
      const m = await (await ready).mine([['a', '1'], ['a', '1'], ['b', '1'], ['a', '1']]);
      expect(m.summary.input).toMatchObject({ rows: 4, grants: 2, duplicatesDropped: 2 });
      expect(describeRoles(m)).toEqual(['a,b -> 1']);
    });

    it('seeded random matrices: every model exact, the minimum equals brute force', async () => {
      const rand = rng(42);
      for (let t = 0; t < 40; t++) {
        const pairs = randomPairs(rand, 3 + Math.floor(rand() * 5), 3 + Math.floor(rand() * 6), 1 + Math.floor(rand() * 4), 0.08);
        if (pairs.length === 0) continue;
        const m = await (await ready).mine(pairs);
        expect(checkModel(m, pairs)).toEqual({ missing: 0, extra: 0 });
        expect(m.summary.model.underAssigned + m.summary.model.overAssigned).toBe(0);
        expect(m.roles.count, `case ${t}`).toBe(bruteForceMinRoles(pairs));
        if (m.summary.model.optimalityProven) expect(m.summary.model.roleLowerBound).toBe(m.roles.count);
      }
    });

    it('larger seeded matrices: exact models for both objectives, wsc never worse', async () => {
      const rand = rng(7);
      for (let t = 0; t < 6; t++) {
        const pairs = randomPairs(rand, 40, 30, 6, 0.02);
        const byRoles = await (await ready).mine(pairs);
        const byWsc = await (await ready).mine(pairs, { objective: 'wsc' });
        expect(checkModel(byRoles, pairs)).toEqual({ missing: 0, extra: 0 });
        expect(checkModel(byWsc, pairs)).toEqual({ missing: 0, extra: 0 });
        expect(byWsc.summary.model.wsc).toBeLessThanOrEqual(byRoles.summary.model.wsc);
        expect(byRoles.roles.count).toBeGreaterThanOrEqual(byRoles.summary.model.roleLowerBound);
      }
    });

    it('row order does not change the model', async () => {
      const rand = rng(3);
      const pairs = randomPairs(rand, 40, 30, 6, 0.05);
      const a = await (await ready).mine(pairs);
      const b = await (await ready).mine(shuffle(pairs, rand));
      expect(describeRoles(b)).toEqual(describeRoles(a));
      expect(Array.from(b.roles.members)).toEqual(Array.from(a.roles.members));
    });
  });
}

describe('backends agree', () => {
  it('worker and in-process engines give the same model', async () => {
    const pairs = randomPairs(rng(11), 80, 50, 10, 0.005);
    const sync = await rolemill.createEngine();
    const worker = rolemill.createWorkerEngine();
    const a = sync.mine(rolemill.grantsFromPairs(pairs), EXACT);
    const b = await worker.mine(rolemill.grantsFromPairs(pairs), EXACT);
    await worker.dispose();
    expect(b.roles).toEqual(a.roles);
    const { timings: _a, ...sa } = a.summary;
    const { timings: _b, ...sb } = b.summary;
    expect(sb).toEqual(sa);
  });

  it('the worker engine transfers the grant buffers instead of copying them', async () => {
    const worker = rolemill.createWorkerEngine();
    const g = rolemill.grantsFromPairs([['a', '1'], ['b', '1']]);
    await worker.mine(g);
    await worker.dispose();
    expect(g.identity.byteLength).toBe(0); // detached
  });
});

describe('progress and cancellation', () => {
  const pairs = randomPairs(rng(5), 200, 80, 12, 0.002);

  it('reports phases in order with fractions in [0, 1]', async () => {
    const e = await rolemill.createEngine();
    const seen: string[] = [];
    e.mine(rolemill.grantsFromPairs(pairs), {
      ...EXACT,
      onProgress: (phase, f) => {
        expect(f).toBeGreaterThanOrEqual(0);
        expect(f).toBeLessThanOrEqual(1);
        if (seen[seen.length - 1] !== phase) seen.push(phase);
      },
    });
    expect(seen).toEqual(['load', 'reduce', 'mine', 'verify']);
  });

  it('an already aborted signal throws AbortError (sync)', async () => {
    const e = await rolemill.createEngine();
    expect(() => e.mine(rolemill.grantsFromPairs(pairs), { signal: AbortSignal.abort() })).toThrow(rolemill.AbortError);
  });

  it('aborting during a run stops the sync engine at the next progress point, and it stays usable', async () => {
    const e = await rolemill.createEngine();
    const ctl = new AbortController();
    expect(() => e.mine(rolemill.grantsFromPairs(pairs), { ...EXACT, signal: ctl.signal, onProgress: (p) => p === 'reduce' && ctl.abort() })).toThrow(
      rolemill.AbortError,
    );
    expect(e.mine(rolemill.grantsFromPairs(pairs), EXACT).summary.model.exact).toBe(true);
  });

  it('aborting the worker engine rejects with AbortError and the next call works', async () => {
    const w = rolemill.createWorkerEngine();
    const ctl = new AbortController();
    const run = w.mine(rolemill.grantsFromPairs(pairs), { ...EXACT, signal: ctl.signal });
    ctl.abort();
    await expect(run).rejects.toBeInstanceOf(rolemill.AbortError);
    const m = await w.mine(rolemill.grantsFromPairs(pairs), EXACT);
    expect(m.summary.model.exact).toBe(true);
    await w.dispose();
  });

  it('the worker engine reports no progress after its promise settles', async () => {
    const w = rolemill.createWorkerEngine();
    let settled = false;
    let late = 0;
    let reports = 0;
    await w.mine(rolemill.grantsFromPairs(pairs), {
      onProgress: () => {
        reports++;
        if (settled) late++;
      },
    });
    settled = true;
    await new Promise((r) => setTimeout(r, 100));
    await w.dispose();
    expect(reports).toBeGreaterThan(0);
    expect(late).toBe(0);
  });

  it('errors inside the worker reach the caller typed, and the engine stays usable', async () => {
    const w = rolemill.createWorkerEngine();
    const bad = rolemill.grantsFromPairs([['a', '1']]);
    bad.entitlement = new Uint32Array([5]); // id out of range
    await expect(w.mine(bad)).rejects.toBeInstanceOf(rolemill.CoreError);
    expect((await w.mine(rolemill.grantsFromPairs([['a', '1']]), EXACT)).roles.count).toBe(1);
    await w.dispose();
  });
});

describe('memory limit', () => {
  it('an input whose estimate is over the limit fails before loading, with advice; the engine stays usable', async () => {
    const pairs = randomPairs(rng(7), 300, 40, 6, 0.05);
    const rows = pairs.length;
    const need = rolemill.estimateMemory(rows);
    expect(need).toBe(16 * 2 ** 20 + rolemill.BYTES_PER_GRANT * rows);
    // 1 MiB is below even the fixed part of the estimate.
    const small = await rolemill.createEngine({ memoryLimitMiB: 1 });
    let err: unknown;
    try {
      small.mine(rolemill.grantsFromPairs(pairs));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(rolemill.CoreError);
    expect((err as Error).message).toBe(
      `rolemill: ${rows} grant rows need about ${Math.ceil(need / 2 ** 20)} MiB of WebAssembly memory (80 bytes per row), over the 1 MiB limit; ` +
        'scope the input (by application, --include-app, or by attribute, --where) or partition it, or raise the limit (memoryLimitMiB, --memory-limit; at most 4096 in wasm32)',
    );
    expect(() => small.load(rolemill.grantsFromPairs(pairs))).toThrow(rolemill.CoreError);
    const ok = await rolemill.createEngine({ memoryLimitMiB: 64 });
    expect(ok.mine(rolemill.grantsFromPairs(pairs)).summary.input.grants).toBe(new Set(pairs.map((p) => p.join(' '))).size);
    const worker = rolemill.createWorkerEngine({ memoryLimitMiB: 1 });
    await expect(worker.mine(rolemill.grantsFromPairs(pairs))).rejects.toThrow(/over the 1 MiB limit/);
    await worker.dispose();
    await expect(rolemill.createEngine({ memoryLimitMiB: 0 })).rejects.toThrow(rolemill.UsageError);
  });
});
