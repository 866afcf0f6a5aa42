import { describe, expect, it } from 'vitest';
import { bundles, peerGroups, type PeerFactor, type PeerResult } from '../src/analysis/peers.js';
import { rng } from './support/reference.js';
import { generateEnterprise, type Enterprise } from '../src/generate.js';
import { UsageError } from '../src/errors.js';

/** Grants from per-identity entitlement lists. */
function population(rows: number[][], entitlements = 100) {
  const identity: number[] = [];
  const entitlement: number[] = [];
  rows.forEach((row, i) => row.forEach((e) => (identity.push(i), entitlement.push(e))));
  return { identities: rows.length, entitlements, identity: Uint32Array.from(identity), entitlement: Uint32Array.from(entitlement) };
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, k) => a + k);

function factorsOf(r: PeerResult, i: number): PeerFactor[] {
  return r.factors.filter((f) => f.identity === i);
}

describe('peerGroups on hand-built populations', () => {
  // Three teams of 4; identity 3 (team A) also holds entitlement 13, which nobody else holds.
  // Entitlement 0 is held by everyone.
  const teams = population([
    [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 13],
    [0, 5, 6, 7, 8], [0, 5, 6, 7, 8], [0, 5, 6, 7, 8], [0, 5, 6, 7, 8],
    [0, 9, 10, 11, 12], [0, 9, 10, 11, 12], [0, 9, 10, 11, 12], [0, 9, 10, 11, 12],
  ], 14);

  it('puts each team in one group and the extra entitlement in the only factor', () => {
    const r = peerGroups(teams);
    // Leaders in order of twin-class size (B, C: 4 identical; A: 3 identical), group ids by size then leader order.
    expect(Array.from(r.group)).toEqual([2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(r.groups).toBe(3);
    expect(r.factors).toEqual([{ identity: 3, entitlement: 13, kind: 'unusual', groupShare: 0.25, globalShare: 1 / 12 }]);
    // unusual = (1 - 1/4) * (1 - 1/12) (13 has no bundle: one holder); |A| = 6; nothing missing.
    expect(r.score[3]).toBeCloseTo((0.75 * (11 / 12)) / 6, 12);
    for (let i = 0; i < 12; i++) if (i !== 3) expect(r.score[i]).toBe(0);
    const top = Array.from(r.score).indexOf(Math.max(...r.score));
    expect(top).toBe(3);
  });

  it('gives the same answer with LSH candidates as with exact all-pairs', () => {
    const exact = peerGroups(teams, { exact: true });
    for (const seed of [1, 2, 3]) expect(peerGroups(teams, { exact: false, seed })).toEqual(exact);
  });

  // Team T (0-11): 0-2 also share a project bundle {30, 31, 32}; 5 holds a lone stray 40; 11 lacks 23.
  // Team U (12-16) is identical. 17 holds only an entitlement nobody else holds. 18 overlaps team T a
  // little. 19 holds nothing.
  const base = [0, 20, 21, 22, 23];
  const mixed = population([
    [...base, 30, 31, 32], [...base, 30, 31, 32], [...base, 30, 31, 32],
    base, base, [...base, 40], base, base, base, base, base, [0, 20, 21, 22],
    [0, 50, 51, 52], [0, 50, 51, 52], [0, 50, 51, 52], [0, 50, 51, 52], [0, 50, 51, 52],
    [99],
    [0, 20, 60, 61],
    [],
  ]);
  const active = 19;

  it('groups, scores and explains exactly', () => {
    const r = peerGroups(mixed);
    expect(Array.from(r.group)).toEqual([...Array(12).fill(0), ...Array(5).fill(1), -1, -1, -1]);
    expect(r.groups).toBe(2);
    // The project members hold their uncommon entitlements with the whole bundle: typical.
    for (const i of [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16]) {
      expect(r.score[i]).toBe(0);
      expect(factorsOf(r, i)).toEqual([]);
    }
    // The lone stray: share 1/12 of the group, 1/19 overall, no bundle.
    expect(factorsOf(r, 5)).toEqual([{ identity: 5, entitlement: 40, kind: 'unusual', groupShare: 1 / 12, globalShare: 1 / active }]);
    expect(r.score[5]).toBeCloseTo(((11 / 12) * (18 / active)) / 6, 12);
    // The single gap: 23 is held by 11 of 12 peers and 11 holds the rest of its bundle (0, 20, 21, 22).
    expect(factorsOf(r, 11)).toEqual([{ identity: 11, entitlement: 23, kind: 'missing', groupShare: 11 / 12, globalShare: 11 / active }]);
    expect(r.score[11]).toBeCloseTo(11 / 12 / (4 + 11 / 12), 12);
    // No group and no group shares anything with it: 1, as it holds an entitlement fewer than 3 hold.
    expect(r.score[17]).toBe(1);
    expect(factorsOf(r, 17)).toEqual([{ identity: 17, entitlement: 99, kind: 'unusual', groupShare: 0, globalShare: 1 / active }]);
    // No group, scored against its nearest group (team T, group 0).
    expect(r.score[18]).toBeGreaterThan(0.3);
    expect(r.score[18]).toBeLessThanOrEqual(1);
    const f18 = factorsOf(r, 18);
    expect(f18.slice(0, 2).map((f) => [f.entitlement, f.kind, f.groupShare])).toEqual([[60, 'unusual', 0], [61, 'unusual', 0]]);
    expect(f18.slice(2).map((f) => [f.entitlement, f.kind, f.groupShare])).toEqual([[21, 'missing', 1], [22, 'missing', 1], [23, 'missing', 11 / 12]]);
    // Holds nothing.
    expect(r.score[19]).toBe(0);
    expect(factorsOf(r, 19)).toEqual([]);
  });

  it('dissolves groups below minGroup and respects maxFactors', () => {
    const r = peerGroups(mixed, { minGroup: 6, maxFactors: 1 });
    expect(r.factors.length).toBeGreaterThan(5);
    expect(r.groups).toBe(1);
    expect(Array.from(r.group.subarray(12, 17))).toEqual([-1, -1, -1, -1, -1]);
    const per = new Map<number, number>();
    for (const f of r.factors) per.set(f.identity, (per.get(f.identity) ?? 0) + 1);
    for (const n of per.values()) expect(n).toBe(1);
  });

  it('ignores duplicate pairs and row order', () => {
    const r = peerGroups(mixed);
    const n = mixed.identity.length;
    const perm = range(0, n).reverse();
    const identity = Uint32Array.from([...perm, 0, 5].map((k) => mixed.identity[k]!));
    const entitlement = Uint32Array.from([...perm, 0, 5].map((k) => mixed.entitlement[k]!));
    expect(peerGroups({ ...mixed, identity, entitlement })).toEqual(r);
  });

  it('rejects bad input and options', () => {
    expect(() => peerGroups({ identities: 1, entitlements: 1, identity: Uint32Array.of(1), entitlement: Uint32Array.of(0) })).toThrow(UsageError);
    expect(() => peerGroups({ identities: 1, entitlements: 1, identity: Uint32Array.of(0), entitlement: Uint32Array.of(1) })).toThrow(UsageError);
    expect(() => peerGroups(teams, { similarity: 0 })).toThrow(UsageError);
    expect(() => peerGroups(teams, { bands: 65 })).toThrow(UsageError);
    expect(() => peerGroups(teams, { minGroup: 1.5 })).toThrow(UsageError);
    const empty = peerGroups({ identities: 3, entitlements: 0, identity: new Uint32Array(0), entitlement: new Uint32Array(0) });
    expect(Array.from(empty.group)).toEqual([-1, -1, -1]);
    expect(empty.groups).toBe(0);
  });
});

describe('peerGroups on a generated enterprise (2,000 identities, 5% stray grants)', () => {
  const ent: Enterprise = generateEnterprise({ identities: 2000, seed: 7, strayRate: 0.05 });
  const N = ent.identities.length;
  const input = { identities: N, entitlements: ent.entitlementNames.length, identity: ent.grants.identity, entitlement: ent.grants.entitlement };
  const r = peerGroups(input); // 2,000 identities: LSH candidates by default

  it('is deterministic for a seed and independent of row order', () => {
    expect(peerGroups(input, { seed: 1 })).toEqual(r);
    expect(peerGroups(input, { seed: 5 })).toEqual(peerGroups(input, { seed: 5 }));
    const G = input.identity.length;
    const perm = range(0, G);
    let x = 12345;
    for (let k = G - 1; k > 0; k--) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const j = x % (k + 1);
      [perm[k], perm[j]] = [perm[j]!, perm[k]!];
    }
    const shuffled = { ...input, identity: Uint32Array.from(perm, (k) => input.identity[k]!), entitlement: Uint32Array.from(perm, (k) => input.entitlement[k]!) };
    expect(peerGroups(shuffled)).toEqual(r);
  });

  it('keeps identical entitlement sets together and returns well-formed output', () => {
    const rows: number[][] = Array.from({ length: N }, () => []);
    for (let k = 0; k < input.identity.length; k++) rows[input.identity[k]!]!.push(input.entitlement[k]!);
    const seen = new Map<string, number>();
    let twins = 0;
    for (let i = 0; i < N; i++) {
      const key = rows[i]!.sort((a, b) => a - b).join(',');
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else {
        twins++;
        expect(r.group[i]).toBe(r.group[first]);
        expect(r.score[i]).toBe(r.score[first]);
      }
    }
    expect(twins).toBeGreaterThan(100);
    expect(r.groups).toBeGreaterThan(10);
    for (let i = 0; i < N; i++) {
      expect(r.score[i]).toBeGreaterThanOrEqual(0);
      expect(r.score[i]).toBeLessThanOrEqual(1);
      expect(r.group[i]).toBeLessThan(r.groups);
    }
    for (let k = 1; k < r.factors.length; k++) expect(r.factors[k]!.identity).toBeGreaterThanOrEqual(r.factors[k - 1]!.identity);
    // Exact all-pairs finds nearly the same groups (pairs of identities grouped together agree).
    const exact = peerGroups(input, { exact: true });
    let agree = 0;
    let pairs = 0;
    for (let i = 0; i < N; i += 7) {
      for (let j = i + 1; j < N; j += 13) {
        pairs++;
        const a = r.group[i]! >= 0 && r.group[i] === r.group[j];
        const b = exact.group[i]! >= 0 && exact.group[i] === exact.group[j];
        if (a === b) agree++;
      }
    }
    expect(agree / pairs).toBeGreaterThan(0.97);
  });

  const strays = new Uint32Array(N);
  const strayPairs = new Set<number>();
  for (let k = 0; k < ent.stray.identity.length; k++) {
    strays[ent.stray.identity[k]!]!++;
    strayPairs.add(ent.stray.identity[k]! * 65536 + ent.stray.entitlement[k]!);
  }

  it('scores identities with stray grants higher', () => {
    const mean = (pick: (i: number) => boolean): number => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < N; i++) if (pick(i)) (s += r.score[i]!), n++;
      return s / n;
    };
    const none = mean((i) => strays[i] === 0);
    const some = mean((i) => strays[i]! >= 1);
    const many = mean((i) => strays[i]! >= 2);
    // Measured: none 0.043, some 0.088, many 0.109.
    expect(some).toBeGreaterThan(1.5 * none);
    expect(some - none).toBeGreaterThan(0.03);
    expect(many).toBeGreaterThan(some);
  });

  it('names stray grants in the factors of the top-scored identities', () => {
    const byIdentity = new Map<number, PeerFactor[]>();
    for (const f of r.factors) byIdentity.set(f.identity, [...(byIdentity.get(f.identity) ?? []), f]);
    const top = range(0, N).sort((a, b) => r.score[b]! - r.score[a]! || a - b).slice(0, 50);
    const named = top.filter((i) => (byIdentity.get(i) ?? []).some((f) => f.kind === 'unusual' && strayPairs.has(i * 65536 + f.entitlement)));
    // Measured: 44 of 50.
    expect(named.length / top.length).toBeGreaterThanOrEqual(0.8);
  });
});

describe('peerGroupsInWorker', () => {
  it('gives exactly what peerGroups gives, on a worker thread; errors come back typed', async () => {
    // The built worker script is what runs (a worker loads JavaScript), so this imports from dist.
    const { peerGroupsInWorker } = await import('../dist/analysis/peers-async.js');
    const e = generateEnterprise({ identities: 3000, seed: 8, strayRate: 0.03 });
    const input = { identities: e.identities.length, entitlements: e.entitlementNames.length, identity: e.grants.identity, entitlement: e.grants.entitlement };
    const run = await peerGroupsInWorker(input);
    expect(run.result).toEqual(peerGroups(input));
    expect(run.ms).toBeGreaterThan(0);
    // The caller's arrays were copied, not taken; given, they are transferred (left empty here).
    expect(input.identity.length).toBe(e.grants.identity.length);
    const given = { ...input, identity: input.identity.slice(), entitlement: input.entitlement.slice() };
    expect((await peerGroupsInWorker(given, {}, undefined, true)).result).toEqual(run.result);
    expect([given.identity.length, given.entitlement.length]).toEqual([0, 0]);
    await expect(peerGroupsInWorker(input, { similarity: 2 })).rejects.toMatchObject({ name: 'UsageError', message: 'peers: similarity must be in (0, 1], got 2' });
    // Aborting terminates the worker and rejects at once.
    const ctl = new AbortController();
    const pending = peerGroupsInWorker(input, {}, ctl.signal);
    ctl.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(peerGroupsInWorker(input, {}, ctl.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('the peer-group reply (peers-wire.ts)', () => {
  it('carries the factors as columns; the result reads them back as the same factors, made only when read', async () => {
    const { peerReply, peerRunOf, factorColumns } = await import('../src/analysis/peers-wire.js');
    const e = generateEnterprise({ identities: 800, seed: 5, strayRate: 0.03 });
    const input = { identities: e.identities.length, entitlements: e.entitlementNames.length, identity: e.grants.identity, entitlement: e.grants.entitlement };
    const direct = peerGroups(input);
    expect(direct.factors.length).toBeGreaterThan(100);
    const { reply } = peerReply(peerGroups(input), 1);
    const { result } = peerRunOf(reply);
    // The columns are the reply's own, not made from objects.
    expect(factorColumns(result)).toBe((reply as { cols: unknown }).cols);
    const cols = factorColumns(direct);
    expect(Array.from(cols.identity)).toEqual(direct.factors.map((f) => f.identity));
    expect(Array.from(cols.kind)).toEqual(direct.factors.map((f) => (f.kind === 'missing' ? 1 : 0)));
    expect(Array.from(cols.groupShare)).toEqual(direct.factors.map((f) => f.groupShare));
    expect(Object.keys(result)).toEqual(Object.keys(direct));
    expect(result.factors).toEqual(direct.factors);
    expect(result.factors).toBe(result.factors); // made once
    expect(result).toEqual(direct);
    // Replacing the factors replaces what the columns say.
    result.factors = direct.factors.slice(0, 3);
    expect(Array.from(factorColumns(result).identity)).toEqual(direct.factors.slice(0, 3).map((f) => f.identity));
  });
});

describe("identities.csv's factor text (factor-text.ts)", () => {
  it('is each identity\'s factors in words; a worker given the names sends it, and it is used only for those names', async () => {
    const { peerReply, peerRunOf, bindFactorNames, factorTextsOf, factorColumns } = await import('../src/analysis/peers-wire.js');
    const { factorTexts } = await import('../src/analysis/factor-text.js');
    const e = generateEnterprise({ identities: 800, seed: 5, strayRate: 0.03 });
    const names = e.entitlementNames;
    const N = e.identities.length;
    const input = { identities: N, entitlements: names.length, identity: e.grants.identity, entitlement: e.grants.entitlement };
    const direct = peerGroups(input);
    // The reference: identity by identity, from the factor objects.
    const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
    const expected = Array.from({ length: N }, (_, i) =>
      direct.factors
        .filter((f) => f.identity === i)
        .map((f) => (f.kind === 'unusual' ? `holds ${names[f.entitlement]} (group ${pct(f.groupShare)}, all ${pct(f.globalShare)})` : `lacks ${names[f.entitlement]} (group ${pct(f.groupShare)})`))
        .join('; '),
    );
    expect(expected.filter((t) => t !== '').length).toBeGreaterThan(100);
    const texts = (t: { dictionary: string[]; codes: Uint32Array }) => Array.from(t.codes, (c) => t.dictionary[c]);
    const here = factorTexts(factorColumns(direct), N, names);
    expect(texts(here)).toEqual(expected);
    expect(here.dictionary.length).toBeLessThan(N); // each distinct list once
    const { reply } = peerReply(peerGroups(input), 1, names);
    const { result } = peerRunOf(reply);
    expect(factorTextsOf(result, names, N)).toBeNull(); // not yet bound to the names it was made with
    bindFactorNames(result, names);
    const sent = factorTextsOf(result, names, N)!;
    expect(texts(sent)).toEqual(expected);
    expect(factorTextsOf(result, [...names], N)).toBe(sent);
    expect(factorTextsOf(result, names.map((n) => `${n}.`), N)).toBeNull();
    expect(factorTextsOf(result, names, N + 1)).toBeNull();
    expect(factorTextsOf(peerRunOf(peerReply(peerGroups(input), 1).reply).result, names, N)).toBeNull(); // sent without names
  });
});

describe('bundles', () => {
  it('lists, for each entitlement held by 2 to 90%, every f with 3 co >= holders - 1 on both sides (brute force)', () => {
    const rand = rng(7);
    for (let trial = 0; trial < 60; trial++) {
      const E = 4 + Math.floor(rand() * 30);
      const want = 1 + Math.floor(rand() * 40);
      // Distinct rows (classes), each with a multiplicity; some entitlements common, some rare.
      const rows: number[][] = [];
      const seen = new Set<string>();
      for (let tries = 0; rows.length < want && tries < 1000; tries++) {
        const row = range(0, E).filter((e) => rand() < (e % 5 === 0 ? 0.7 : 0.15));
        if (row.length === 0 || seen.has(row.join())) continue;
        seen.add(row.join());
        rows.push(row);
      }
      const C = rows.length;
      const mult = Uint32Array.from(rows, () => 1 + Math.floor(rand() * 4));
      const start = new Uint32Array(C + 1);
      rows.forEach((r, c) => (start[c + 1] = start[c]! + r.length));
      const ents = Uint32Array.from(rows.flat());
      const holders = new Uint32Array(E);
      rows.forEach((r, c) => r.forEach((e) => (holders[e]! += mult[c]!)));
      const active = mult.reduce((a, b) => a + b, 0);
      const got = bundles(C, E, start, ents, Uint32Array.from(range(0, C)), mult, holders, active);
      for (let e = 0; e < E; e++) {
        const expected: string[] = [];
        if (holders[e]! >= 2 && holders[e]! * 10 <= active * 9) {
          for (let f = 0; f < E; f++) {
            if (f === e) continue;
            let co = 0;
            rows.forEach((r, c) => r.includes(e) && r.includes(f) && (co += mult[c]!));
            if (co > 0 && 3 * co >= holders[e]! - 1 && 3 * co >= holders[f]! - 1) expected.push(`${f}:${co}`);
          }
        }
        const have: string[] = [];
        for (let q = got.start[e]!; q < got.start[e + 1]!; q++) have.push(`${got.ent[q]}:${got.co[q]}`);
        expect(have.sort(), `trial ${trial}, entitlement ${e}`).toEqual(expected.sort());
      }
    }
  });
});
