/**
 * Exact mining by connected component, for the mining pool (pool.ts). Identities and entitlements
 * that share no grant, directly or through others, never share a role, and the core mines each
 * connected component on its own: its own twin classes, search, WSC descent and stopping rule
 * (assembly/index.ts `mine`). So the model of the whole matrix is the union of the models of its
 * components' grants mined one by one, whoever mines them: here, each component's grants (in
 * local ids that keep the global order, so its classes come out in the same order) are mined by a
 * core on a pool thread and the parts are merged, keyed by component. The engine sorts the roles
 * canonically, and the model is byte-identical to the one mined in process, for any number of
 * workers (test/pool.test.ts).
 */
import { RESULT, STAT, STATUS, type Core } from './abi.js';

/** The loaded matrix's connected components, ordered by their smallest identity (as the core numbers them). */
export interface Components {
  count: number;
  /** Component c's identities: ids[idOff[c]..idOff[c + 1]), ascending. */
  idOff: Uint32Array;
  ids: Uint32Array;
  /** Its entitlements, ascending. */
  entOff: Uint32Array;
  ents: Uint32Array;
  /** Its grants (grantOff[c]..), sorted by local identity then local entitlement. */
  grantOff: Float64Array;
  /** Grants in each component's local ids: position in its identity and entitlement lists. */
  grantId: Uint32Array;
  grantEnt: Uint32Array;
}

/**
 * Components of the bipartite graph of the loaded CSR (`mOff` over identities, `mIdx` their
 * entitlements, each list ascending): union-find over entitlements, each set's root its smallest
 * entitlement, an identity joining the component of its first entitlement. Identities without
 * grants belong to none.
 */
export function componentsOf(mOff: Uint32Array, mIdx: Uint32Array, entitlements: number): Components {
  const rows = mOff.length - 1;
  const parent = new Int32Array(entitlements);
  for (let j = 0; j < entitlements; j++) parent[j] = j;
  const find = (j: number): number => {
    while (parent[j] !== j) {
      parent[j] = parent[parent[j]!]!;
      j = parent[j]!;
    }
    return j;
  };
  for (let r = 0; r < rows; r++) {
    const s = mOff[r]!;
    const e = mOff[r + 1]!;
    if (e === s) continue;
    // `a` stays the root of everything joined so far: the smaller root of each union.
    let a = find(mIdx[s]!);
    for (let q = s + 1; q < e; q++) {
      const b = find(mIdx[q]!);
      if (b > a) parent[b] = a;
      else if (b < a) (parent[a] = b), (a = b);
    }
  }
  // Number components by their smallest identity.
  const compOfRoot = new Int32Array(entitlements).fill(-1);
  const compOfRow = new Int32Array(rows).fill(-1);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    if (mOff[r + 1] === mOff[r]) continue;
    const root = find(mIdx[mOff[r]!]!);
    if (compOfRoot[root] === -1) compOfRoot[root] = count++;
    compOfRow[r] = compOfRoot[root]!;
  }
  const idOff = new Uint32Array(count + 1);
  const entOff = new Uint32Array(count + 1);
  const grantOff = new Float64Array(count + 1);
  for (let r = 0; r < rows; r++) {
    const c = compOfRow[r]!;
    if (c < 0) continue;
    idOff[c + 1]!++;
    grantOff[c + 1]! += mOff[r + 1]! - mOff[r]!;
  }
  const compOfEnt = new Int32Array(entitlements).fill(-1);
  for (let j = 0; j < entitlements; j++) {
    const c = compOfRoot[find(j)]!;
    compOfEnt[j] = c;
    if (c >= 0) entOff[c + 1]!++;
  }
  for (let c = 0; c < count; c++) {
    idOff[c + 1]! += idOff[c]!;
    entOff[c + 1]! += entOff[c]!;
    grantOff[c + 1]! += grantOff[c]!;
  }
  const ids = new Uint32Array(idOff[count]!);
  const ents = new Uint32Array(entOff[count]!);
  const localId = new Uint32Array(rows);
  const localEnt = new Uint32Array(entitlements);
  const fill = new Uint32Array(count);
  for (let r = 0; r < rows; r++) {
    const c = compOfRow[r]!;
    if (c < 0) continue;
    localId[r] = fill[c]!;
    ids[idOff[c]! + fill[c]!++] = r;
  }
  fill.fill(0);
  for (let j = 0; j < entitlements; j++) {
    const c = compOfEnt[j]!;
    if (c < 0) continue;
    localEnt[j] = fill[c]!;
    ents[entOff[c]! + fill[c]!++] = j;
  }
  const grantId = new Uint32Array(mIdx.length);
  const grantEnt = new Uint32Array(mIdx.length);
  const at = Float64Array.from(grantOff.subarray(0, count));
  for (let r = 0; r < rows; r++) {
    const c = compOfRow[r]!;
    if (c < 0) continue;
    for (let q = mOff[r]!; q < mOff[r + 1]!; q++) {
      const w = at[c]!++;
      grantId[w] = localId[r]!;
      grantEnt[w] = localEnt[mIdx[q]!]!;
    }
  }
  return { count, idOff, ids, entOff, ents, grantOff, grantId, grantEnt };
}

/**
 * Most bitset bytes the exact solver can need for component c: assembly/exact.ts bitsetBytes over
 * its identities and entitlements (twin classes, which it actually uses, are never more).
 */
export function bitsetBound(comps: Components, c: number): number {
  const nr = comps.idOff[c + 1]! - comps.idOff[c]!;
  const nc = comps.entOff[c + 1]! - comps.entOff[c]!;
  if (nr <= 1 || nc <= 1) return 0;
  const words = (n: number) => Math.ceil(n / 64);
  return (nr * words(nc) + nc * words(nr)) * 16;
}

/**
 * Threads that may mine at once, at most `workers`, so that the bitsets of the components mined
 * side by side stay within what one component may take in process (`limitBytes`): the largest
 * components' bounds summed. Mining in process holds one component's bitsets at a time; the pool
 * must not multiply that by its threads.
 */
export function threadsWithin(comps: Components, workers: number, limitBytes: number): number {
  const bounds = Array.from({ length: comps.count }, (_, c) => bitsetBound(comps, c)).sort((a, b) => b - a);
  let n = 0;
  let sum = 0;
  while (n < Math.min(workers, comps.count) && (n === 0 || sum + bounds[n]! <= limitBytes)) sum += bounds[n++]!;
  return n;
}

/** Stats a part reports: every STAT slot (the core's stats array has 32). */
export const PART_STATS = 32;

/**
 * One component mined exactly by `core` (a pool thread's own instance): its grants loaded, mined,
 * verified. Returns the core's status (OK, ERR_TOO_LARGE with the component's bitset bytes in the
 * stats, ERR_ABORTED), the stats, and the roles packed as [R, entitlement offsets (R + 1),
 * entitlements, member offsets (R + 1), members], in the component's local ids.
 */
export function mineExactPart(
  core: Core,
  part: { identities: number; entitlements: number; id: Uint32Array; ent: Uint32Array },
  objective: number,
  nodeBudget: number,
): { status: number; stats: Float64Array; roles: Uint32Array } {
  const x = core.x;
  const n = part.id.length;
  core.u32View(x.inputBuffer(n), n).set(part.id);
  core.u32View(x.inputColsPtr(), n).set(part.ent);
  const stats = () => Float64Array.from({ length: PART_STATS }, (_, k) => x.stat(k));
  try {
    let status = x.load(part.identities, part.entitlements, n);
    if (status === STATUS.OK) status = x.mine(objective, nodeBudget);
    if (status === STATUS.OK) status = x.verify();
    if (status !== STATUS.OK) return { status, stats: stats(), roles: new Uint32Array(0) };
    const eo = core.result(RESULT.ROLE_ENT_OFF);
    const e = core.result(RESULT.ROLE_ENT);
    const mo = core.result(RESULT.ROLE_ID_OFF);
    const m = core.result(RESULT.ROLE_ID);
    const R = eo.length - 1;
    const roles = new Uint32Array(1 + eo.length + e.length + mo.length + m.length);
    roles[0] = R;
    roles.set(eo, 1);
    roles.set(e, 1 + eo.length);
    roles.set(mo, 1 + eo.length + e.length);
    roles.set(m, 1 + eo.length + e.length + mo.length);
    return { status, stats: stats(), roles };
  } finally {
    x.reset();
  }
}

/** How each stat of the parts combines into the whole model's: sums, except these. */
const MAX_STATS: readonly number[] = [STAT.LARGEST_KERNEL, STAT.LARGEST_COMPONENT_BYTES];

/**
 * The whole model's stats from its parts' (in component order) and the whole load's counts
 * (identities, entitlements, grants, duplicates: what the engine loaded itself).
 */
export function mergeStats(parts: Float64Array[], load: (k: number) => number): Float64Array {
  const out = new Float64Array(PART_STATS);
  for (const p of parts) {
    for (let k = 0; k < PART_STATS; k++) out[k] = MAX_STATS.includes(k) ? Math.max(out[k]!, p[k]!) : out[k]! + p[k]!;
  }
  out[STAT.PROVEN] = parts.every((p) => p[STAT.PROVEN] === 1) ? 1 : 0;
  for (const k of [STAT.IDENTITIES, STAT.ENTITLEMENTS, STAT.GRANTS, STAT.DUPLICATES]) out[k] = load(k);
  return out;
}

/**
 * The parts' roles in global ids, concatenated in component order (the engine sorts them):
 * entitlement and member offsets and lists, as the core's result buffers.
 */
export function mergeRoles(comps: Components, parts: Uint32Array[]): { count: number; entitlementOffsets: Uint32Array; entitlements: Uint32Array; memberOffsets: Uint32Array; members: Uint32Array } {
  let R = 0;
  let ne = 0;
  let nm = 0;
  for (const p of parts) {
    const r = p[0]!;
    R += r;
    ne += p[1 + r]!;
    nm += p[1 + (r + 1) + p[1 + r]! + r]!;
  }
  const entitlementOffsets = new Uint32Array(R + 1);
  const memberOffsets = new Uint32Array(R + 1);
  const entitlements = new Uint32Array(ne);
  const members = new Uint32Array(nm);
  let g = 0;
  let we = 0;
  let wm = 0;
  parts.forEach((p, c) => {
    const r = p[0]!;
    const eo = 1;
    const e = eo + r + 1;
    const mo = e + p[eo + r]!;
    const m = mo + r + 1;
    const ents = comps.ents.subarray(comps.entOff[c]!, comps.entOff[c + 1]!);
    const ids = comps.ids.subarray(comps.idOff[c]!, comps.idOff[c + 1]!);
    for (let k = 0; k < r; k++) {
      for (let q = p[eo + k]!; q < p[eo + k + 1]!; q++) entitlements[we++] = ents[p[e + q]!]!;
      for (let q = p[mo + k]!; q < p[mo + k + 1]!; q++) members[wm++] = ids[p[m + q]!]!;
      g++;
      entitlementOffsets[g] = we;
      memberOffsets[g] = wm;
    }
  });
  return { count: R, entitlementOffsets, entitlements, memberOffsets, members };
}
