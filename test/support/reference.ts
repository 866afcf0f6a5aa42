/**
 * Independent reference code for tests: obviously-correct brute force, sharing nothing with the
 * engine (plain sets of strings, no bitsets, no reductions).
 */
import type { RoleModel } from '../../src/model/model.js';

export type Pairs = [string, string][];

/** Checks a model against its grants from scratch; returns [missing, extra] pair counts. */
export function checkModel(model: RoleModel, pairs: Pairs): { missing: number; extra: number } {
  const held = new Set(pairs.map(([i, e]) => `${i}\u0000${e}`));
  const given = new Set<string>();
  const { roles } = model;
  for (let r = 0; r < roles.count; r++) {
    for (let a = roles.memberOffsets[r]!; a < roles.memberOffsets[r + 1]!; a++) {
      for (let b = roles.entitlementOffsets[r]!; b < roles.entitlementOffsets[r + 1]!; b++) {
        given.add(`${model.identities[roles.members[a]!]}\u0000${model.entitlements[roles.entitlements[b]!]}`);
      }
    }
  }
  let missing = 0;
  let extra = 0;
  for (const k of held) if (!given.has(k)) missing++;
  for (const k of given) if (!held.has(k)) extra++;
  return { missing, extra };
}

/**
 * The minimum number of roles covering exactly the grants (biclique cover number), by brute
 * force: enumerate every formal concept (closed identity set x closed entitlement set) from all
 * subsets of identities, then try covers of size 1, 2, ... For tiny matrices only (<= 8 identities).
 */
export function bruteForceMinRoles(pairs: Pairs): number {
  const ids = [...new Set(pairs.map((p) => p[0]))].sort();
  const ents = [...new Set(pairs.map((p) => p[1]))].sort();
  if (ids.length > 10) throw new Error('brute force is for tiny matrices');
  const has = new Set(pairs.map(([i, e]) => `${i}|${e}`));
  const edges = [...has];
  const concepts: Set<string>[] = [];
  const seen = new Set<string>();
  for (let mask = 1; mask < 1 << ids.length; mask++) {
    const us = ids.filter((_, k) => mask & (1 << k));
    const es = ents.filter((e) => us.every((u) => has.has(`${u}|${e}`)));
    if (es.length === 0) continue;
    const closedUs = ids.filter((u) => es.every((e) => has.has(`${u}|${e}`)));
    const key = closedUs.join(',') + '/' + es.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    concepts.push(new Set(closedUs.flatMap((u) => es.map((e) => `${u}|${e}`))));
  }
  if (edges.length === 0) return 0;
  const covers = (chosen: number[]) => edges.every((x) => chosen.some((c) => concepts[c]!.has(x)));
  for (let k = 1; k <= concepts.length; k++) {
    const pick: number[] = [];
    const rec = (start: number): boolean => {
      if (pick.length === k) return covers(pick);
      for (let c = start; c < concepts.length; c++) {
        pick.push(c);
        if (rec(c + 1)) return true;
        pick.pop();
      }
      return false;
    };
    if (rec(0)) return k;
  }
  throw new Error('unreachable: the concepts cover every grant');
}

/** Seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(a: T[], rand: () => number): T[] {
  const b = a.slice();
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [b[i], b[j]] = [b[j]!, b[i]!];
  }
  return b;
}

/** A random matrix with planted structure: a few random roles, unions per identity, plus noise. */
export function randomPairs(rand: () => number, nId: number, nEnt: number, nRoles: number, noise: number): Pairs {
  const roles = Array.from({ length: nRoles }, () => Array.from({ length: nEnt }, (_, e) => e).filter(() => rand() < 0.35));
  const out = new Set<string>();
  for (let i = 0; i < nId; i++) {
    for (const r of roles) if (rand() < 0.4) for (const e of r) out.add(`u${i}|p${e}`);
    for (let e = 0; e < nEnt; e++) if (rand() < noise) out.add(`u${i}|p${e}`);
  }
  return [...out].map((s) => s.split('|') as [string, string]);
}

/**
 * Effective access by walking memberships upwards (cycles included): what `holder` holds directly
 * plus what every group it reaches holds. An independent reference for the generators' group
 * delivery (test/governance-generate.test.ts, test/varied.test.ts).
 */
export function effectiveAccess(holder: string, held: ReadonlyMap<string, ReadonlySet<string>>, groupsOf: ReadonlyMap<string, readonly string[]>): Set<string> {
  const out = new Set(held.get(holder) ?? []);
  const seen = new Set<string>();
  const pending = [...(groupsOf.get(holder) ?? [])];
  while (pending.length) {
    const g = pending.pop()!;
    if (seen.has(g)) continue;
    seen.add(g);
    for (const e of held.get(g) ?? []) out.add(e);
    pending.push(...(groupsOf.get(g) ?? []));
  }
  return out;
}
