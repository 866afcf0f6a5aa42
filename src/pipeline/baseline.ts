/**
 * Stable role ids across snapshots (`mine --baseline PREV_DIR`, RunOptions.baseline): the mined
 * roles are matched one-to-one to the baseline's roles by entitlement Jaccard, maximising the total
 * Jaccard over all pairs at or above BASELINE_MATCH (an optimal assignment, the Hungarian method,
 * per connected component of the candidate pairs, which are few and small). A matched role keeps
 * the baseline's id and its name; a new role gets an id never used before in the lineage (the
 * baseline's ids, its rejected ids, and every id its own summary.json says the lineage used); a
 * baseline role left unmatched is reported as removed.
 *
 * Ties (equal total Jaccard) go to the assignment found first over roles in rank order and
 * baseline roles in file order, so the same input and baseline give the same ids.
 */
import type { ModelFolder } from '../model/read.js';
import type { RoleModel } from '../model/model.js';
import { roleName } from '../model/model.js';

/** The least entitlement Jaccard at which a mined role continues a baseline role. */
export const BASELINE_MATCH = 0.5;

export interface BaselineMatch {
  /** Per mined role: the baseline role it continues (index into folder.roles), or -1. */
  matchOf: Int32Array;
  /** Per mined role: the Jaccard with that baseline role (0 when new). */
  jaccard: Float64Array;
  /** Baseline roles no mined role continues, by id. */
  removed: string[];
  /** Every id the lineage has used, this run's included (summary.json `baseline.idsUsed`). */
  idsUsed: string[];
}

/**
 * Matches `model`'s roles to the baseline's and sets `model.roles.ids` (and returns the names to
 * keep: the baseline's, where it has one). `previouslyUsed` are ids the baseline's lineage used
 * before (from its summary.json), never given to a new role.
 */
export function matchBaseline(model: RoleModel, folder: ModelFolder, previouslyUsed: string[] = []): BaselineMatch & { names: (string | null)[] } {
  const R = model.roles.count;
  const B = folder.roles.length;
  const roles = model.roles;
  const mined: Set<string>[] = Array.from({ length: R }, (_, r) => new Set(Array.from(roles.entitlements.subarray(roles.entitlementOffsets[r], roles.entitlementOffsets[r + 1]), (e) => model.entitlements[e]!)));
  // Candidate pairs through an inverted index: baseline roles sharing an entitlement.
  const byEnt = new Map<string, number[]>();
  folder.roles.forEach((b, k) => {
    for (const e of b.entitlements) (byEnt.get(e) ?? byEnt.set(e, []).get(e)!).push(k);
  });
  const edges: { r: number; b: number; j: number }[] = [];
  for (let r = 0; r < R; r++) {
    const shared = new Map<number, number>();
    for (const e of mined[r]!) for (const b of byEnt.get(e) ?? []) shared.set(b, (shared.get(b) ?? 0) + 1);
    for (const [b, inter] of shared) {
      const j = inter / (mined[r]!.size + folder.roles[b]!.entitlements.length - inter);
      if (j >= BASELINE_MATCH) edges.push({ r, b, j });
    }
  }
  edges.sort((x, y) => x.r - y.r || x.b - y.b);
  // Connected components of the candidate graph (union-find over R + B nodes).
  const parent = Int32Array.from({ length: R + B }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (const e of edges) parent[find(e.r)] = find(R + e.b);
  const comps = new Map<number, { r: number; b: number; j: number }[]>();
  for (const e of edges) (comps.get(find(e.r)) ?? comps.set(find(e.r), []).get(find(e.r))!).push(e);
  const matchOf = new Int32Array(R).fill(-1);
  const jaccard = new Float64Array(R);
  for (const es of comps.values()) {
    const rs = [...new Set(es.map((e) => e.r))].sort((a, b) => a - b);
    const bs = [...new Set(es.map((e) => e.b))].sort((a, b) => a - b);
    const w = rs.map(() => new Float64Array(bs.length));
    for (const e of es) w[rs.indexOf(e.r)]![bs.indexOf(e.b)] = e.j;
    const assign = maxWeightAssignment(w);
    assign.forEach((c, i) => {
      if (c < 0 || w[i]![c]! < BASELINE_MATCH) return;
      matchOf[rs[i]!] = bs[c]!;
      jaccard[rs[i]!] = w[i]![c]!;
    });
  }
  const used = new Set<string>([...previouslyUsed, ...folder.roles.map((b) => b.id), ...folder.rejected]);
  const ids: string[] = new Array(R);
  const names: (string | null)[] = new Array(R).fill(null);
  const taken = new Uint8Array(B);
  for (let r = 0; r < R; r++) {
    const b = matchOf[r]!;
    if (b < 0) continue;
    ids[r] = folder.roles[b]!.id;
    names[r] = folder.roles[b]!.name;
    taken[b] = 1;
  }
  let next = 0;
  const width = Math.max(4, String(used.size + R).length);
  for (let r = 0; r < R; r++) {
    if (matchOf[r]! >= 0) continue;
    let id: string;
    do id = roleName(next++, 10 ** (width - 1));
    while (used.has(id));
    used.add(id);
    ids[r] = id;
  }
  roles.ids = ids;
  const removed = folder.roles.filter((_, b) => !taken[b]).map((b) => b.id);
  const all = [...used].sort(compareIds);
  return { matchOf, jaccard, removed, idsUsed: all, names };
}

/** R0002 before R0010; other ids after, as text. */
function compareIds(a: string, b: string): number {
  const x = /^R(\d+)$/.exec(a);
  const y = /^R(\d+)$/.exec(b);
  if (x && y) return Number(x[1]) - Number(y[1]) || (a < b ? -1 : a > b ? 1 : 0);
  if (x || y) return x ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The assignment of rows to columns maximising the total weight (Hungarian method, O(n³) on the
 * padded square matrix; components are small). Returns, per row, its column or -1. Deterministic:
 * among optimal assignments, the one the method reaches scanning rows and columns in order.
 */
export function maxWeightAssignment(w: Float64Array[]): number[] {
  const n = Math.max(w.length, w.reduce((m, row) => Math.max(m, row.length), 0));
  if (n === 0) return [];
  // Minimise cost = max - weight on the padded n x n matrix (1-based arrays, as in the classic method).
  const cost = (i: number, j: number) => 1 - (w[i - 1]?.[j - 1] ?? 0);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost(i0, j) - u[i0]! - v[j]!;
        if (cur < minv[j]! - 1e-12) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta - 1e-12) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Array<number>(w.length).fill(-1);
  for (let j = 1; j <= n; j++) {
    const i = p[j]!;
    if (i >= 1 && i <= w.length && j <= (w[i - 1]?.length ?? 0)) out[i - 1] = j - 1;
  }
  return out;
}
