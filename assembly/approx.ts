// Noise-tolerant role mining (`--mode approx`): a small set of roles explaining most grants, with
// every grant no role explains left as an exception, never absorbed.
//
// Objective (minimised): cost = ROLE_COST x |roles| + |UA| + |PA| + exceptionCost x |exceptions|,
// i.e. WSC (Molloy et al. 2008) plus one unit per unexplained grant, the MDL-style trade-off of
// PaNDa+ (Lucchese, Orlando, Perego, TKDE 2014): a role is worth having when the grants it explains
// outweigh the assignments it adds. With exceptionCost 1 (default) a one-entitlement role never pays
// (one grant explained per assignment): such access stays visible as exceptions; raise it to let
// single-entitlement layers become roles. A role never gives an identity an entitlement it does not hold
// (roles are sub-bicliques of the grants, "mined from below").
//
// Method: lazy greedy weighted set cover over a candidate pool.
// - Birthright: entitlements held by at least `birthrightShare` of identities form one role, taken
//   first.
// - Candidates: for each entitlement j, the entitlements held by at least `support` of j's holders
//   (a noise-tolerant closure of j: a stray grant or a missing one does not break it, unlike the
//   exact closure GreConD uses (Belohlavek and Vychodil 2010)), and the same over j's typical
//   holders only (kernels.closure: stray holders of j would dilute a small group's share). Both
//   kinds together beat either alone on the HP sets and on generated data (bench/results).
//   Identical candidates are merged.
// - Evaluation against what is still unexplained: the candidate keeps the entitlements still
//   unexplained for most of its holders that have anything left to explain; its members are the identities holding all of them for which
//   the grants explained exceed the assignment (gain per member = unexplained grants - 1).
//   value = sum of member gains - ROLE_COST - |P|.
// - Lazy greedy (Minoux 1978): a popped candidate whose fresh value still beats the next stored
//   value is taken. Values mostly fall as coverage grows; the few that rise (see `parked`) are
//   re-evaluated before stopping. Each accepted role adds its "all but one entitlement" variants,
//   which explain identities missing one of its grants.
// - Stops when no candidate has positive value, or at `maxRoles`, or at the `coverage` target.
// Deterministic: ties go to the lower candidate index; candidates are built in entitlement order.

import { Csr } from './matrix';
import { progress } from './progress';
import { PHASE_MINE } from './status';
import { closure, holders } from './kernels';

export const ROLE_COST: f64 = 1;
const CLOSURES = 2; // closures per entitlement: over all holders, over typical holders (see kernels.closure)

export class ApproxOptions {
  minMembers: i32 = 3;
  minEntitlements: i32 = 1;
  coverage: f64 = 1; // stop once this share of grants is explained
  maxRoles: i32 = 0; // 0: no limit
  birthrightShare: f64 = 0.9; // 0 or above 1: no birthright role
  support: f64 = 0.8; // share of j's holders that must hold an entitlement for it to join j's candidate
  exceptionCost: f64 = 1; // cost of one unexplained grant, in units of one assignment
  // Entitlements of a role a member may lack (each then listed as over-assigned); AUTO (-1, the
  // default): decided per identity by the evidence (see addNearMembersAuto), 0: never.
  tolerance: i32 = AUTO;
  significance: f64 = CHANCE_ALPHA; // a mined role's shared access must be less likely by chance (see byChance); 0: no test
}

/** tolerance AUTO: an identity joins a role when its grants say it is a member that lacks some (see addNearMembersAuto). */
export const AUTO: i32 = -1;
/**
 * The share of a role's grants assumed never provisioned (or revoked) at random. It prices a
 * missing entitlement in the membership test: lacking one costs log(MISSING_RATE) of evidence.
 */
export const MISSING_RATE: f64 = 0.03;
/**
 * Above this share of a role's holders lacking the same entitlement, the lack is structure (a
 * sub-population that does not get it), not noise: those identities are not made members with an
 * over-assignment; they can form their own role (a variant) if they make one.
 */
export const STRUCTURE_RATE: f64 = 0.1;
/**
 * The minimal-perturbation term: a preferred role (the previous snapshot's, `mine --baseline`)
 * continuing unchanged is valued without what defining it costs, which was paid already: this
 * (the role) plus one per entitlement (its role-entitlement pairs). Between it and an equally good
 * new role, it wins; a new role better by more than that still wins. Measured on two generated
 * snapshots mined bottom-up (test/baseline.test.ts): 59 of 59 roles keep their id with it, 52 with
 * the role's cost alone (one), 54 of 58 without preferred roles.
 */
export const PERTURBATION_WEIGHT: f64 = ROLE_COST;
/** Default significance: a mined role's shared access must be less likely than this by chance, over all candidates tried (Bonferroni). */
export const CHANCE_ALPHA: f64 = 0.01;

/** The most entitlements of a role of s that an identity may lack in auto mode: one for s <= 5, then a third. */
export function autoLacking(s: i32): i32 {
  return s <= 5 ? 1 : s / 3;
}

/**
 * log P(X >= k) for X ~ Poisson(lambda): the chance that k or more identities hold a set of
 * entitlements if each identity held each entitlement independently at its observed rate. Summed
 * from the pmf at k (at most 64 terms past it; the tail beyond is negligible for k > lambda).
 */
export function logPoissonTail(k: i32, lambda: f64): f64 {
  if (<f64>k <= lambda || k <= 0) return 0;
  if (lambda <= 0) return -Infinity;
  // log pmf(k) = -lambda + k log lambda - log k!
  let logFact: f64 = 0;
  for (let i = 2; i <= k; i++) logFact += Math.log(<f64>i);
  const lp = -lambda + <f64>k * Math.log(lambda) - logFact;
  let sum: f64 = 1;
  let term: f64 = 1;
  for (let i = k + 1; i <= k + 64; i++) {
    term *= lambda / <f64>i;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return lp + Math.log(sum);
}

/**
 * What approx mining reuses across runs on one loaded matrix (an interactive slider changing
 * minMembers, coverage or maxRoles mines again without recomputing them): each entitlement's
 * closure for one support share, the holders of each closure (a pristine copy, as runs compact
 * their own), and the holders of entitlement sets evaluations kept (up to 2 u32 per grant). The
 * host's load() and reset() drop it. Memory: a few to ten MB per million grants.
 */
export class ApproxCache {
  support: f64 = -1;
  closure: Array<StaticArray<u32> | null> = [];
  holders: Map<i32, Array<u32>> = new Map();
  // Holders of entitlement sets evaluations kept (a pure function of the set), by content hash,
  // up to `budget` rows in all.
  setHash: Map<u64, Array<i32>> = new Map();
  sets: Array<Array<u32>> = [];
  setRows: Array<Array<u32>> = [];
  rowsKept: i64 = 0;
  budget: i64 = 0;

  /** The cached holders of set p (ascending ids), or null. Do not modify the list returned. */
  holdersOfSet(p: Array<u32>): Array<u32> | null {
    const h = hashSet(p);
    if (!this.setHash.has(h)) return null;
    const list = this.setHash.get(h);
    for (let x = 0; x < list.length; x++) {
      const q = this.sets[list[x]];
      if (q.length != p.length) continue;
      let same = true;
      for (let i = 0; i < p.length && same; i++) if (q[i] != p[i]) same = false;
      if (same) return this.setRows[list[x]];
    }
    return null;
  }

  /** Remembers the holders of set p (copies both), while within budget. */
  keepHolders(p: Array<u32>, rows: Array<u32>): void {
    if (this.rowsKept + <i64>rows.length > this.budget) return;
    const h = hashSet(p);
    if (!this.setHash.has(h)) this.setHash.set(h, []);
    this.setHash.get(h).push(this.sets.length);
    this.sets.push(p.slice(0));
    this.setRows.push(rows.slice(0));
    this.rowsKept += <i64>rows.length;
  }

  /** Empties the cache unless it was built for this support share and `cols` entitlements. */
  prepare(cols: i32, support: f64): void {
    if (this.support == support && this.closure.length == 2 * cols) return;
    this.support = support;
    this.closure = new Array<StaticArray<u32> | null>(2 * cols);
    for (let j = 0; j < 2 * cols; j++) this.closure[j] = null;
    this.holders = new Map();
    this.setHash = new Map();
    this.sets = [];
    this.setRows = [];
    this.rowsKept = 0;
  }
}

export class ApproxResult {
  rowOff: Array<u32> = [0];
  rows: Array<u32> = [];
  colOff: Array<u32> = [0];
  cols: Array<u32> = [];
  kind: Array<u8> = []; // 0 technical, 1 birthright, 2 business (a seed role given by the host)
  origin: Array<i32> = []; // per role: index of the seed role it came from, -1 when mined here
  candidates: i32 = 0;
  evaluations: i64 = 0;
}

/** A max-heap of (value, candidate); ties: lower candidate first. */
class Heap {
  v: Array<f64> = [];
  c: Array<i32> = [];
  get size(): i32 {
    return this.v.length;
  }
  @inline less(i: i32, j: i32): bool {
    // true when i should be below j
    const a = unchecked(this.v[i]);
    const b = unchecked(this.v[j]);
    return a < b || (a == b && unchecked(this.c[i]) > unchecked(this.c[j]));
  }
  swap(i: i32, j: i32): void {
    const tv = this.v[i];
    this.v[i] = this.v[j];
    this.v[j] = tv;
    const tc = this.c[i];
    this.c[i] = this.c[j];
    this.c[j] = tc;
  }
  push(value: f64, cand: i32): void {
    this.v.push(value);
    this.c.push(cand);
    let i = this.v.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(p, i)) break;
      this.swap(p, i);
      i = p;
    }
  }
  topValue(): f64 {
    return this.v.length > 0 ? this.v[0] : -Infinity;
  }
  pop(): i32 {
    const top = this.c[0];
    const last = this.v.length - 1;
    this.swap(0, last);
    this.v.pop();
    this.c.pop();
    let i = 0;
    const n = this.v.length;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(m, l)) m = l;
      if (r < n && this.less(m, r)) m = r;
      if (m == i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

export class ApproxMiner {
  m: Csr;
  t: Csr;
  opt: ApproxOptions;
  covered: StaticArray<u8>; // per grant (CSR position): explained by an accepted role
  colCovered: StaticArray<i32>; // per entitlement: its grants explained so far
  open: StaticArray<i32>; // per identity: grants not yet explained
  stamp: StaticArray<i32>; // per entitlement: marks the row being scanned
  rowStamp: StaticArray<i32>; // per identity: marks rows seen in the current pass
  rowStampNo: i32 = 0;
  stampNo: i32 = 0;
  cnt: StaticArray<i32>; // per entitlement scratch counts
  cands: Array<StaticArray<u32>> = [];
  candKind: Array<u8> = [];
  seen: Map<u64, Array<i32>> = new Map();
  holderCache: Map<i32, Array<u32>> = new Map();
  posCache: Map<i32, StaticArray<u32>> = new Map(); // candidates of <= 64 entitlements: see evaluateMasked
  keptRows: Map<i32, Array<u32>> = new Map(); // per candidate: holders of its last kept subset
  keptMaskOf: Map<i32, u64> = new Map();
  // Scratch for evaluation results.
  evalP: Array<u32> = [];
  evalU: Array<u32> = [];
  identities: i32 = 0;
  grants: i64 = 0;
  seededExplained: i64 = 0; // grants explained by seed roles
  seedPerms: Array<StaticArray<u32>> = []; // entitlements of each seed role kept
  birthrightSeeded: bool = false;

  cache: ApproxCache;
  preferPerms: Array<StaticArray<u32>> = []; // preferred roles' entitlements (prefer())
  preferred: Set<i32> = new Set(); // candidates that are preferred roles
  forced: i32 = -1; // the birthright candidate: taken by its share, not tested against chance
  candJ: Array<i32> = []; // per candidate: the entitlement whose closure it is, -1 for others

  constructor(m: Csr, t: Csr, opt: ApproxOptions, cache: ApproxCache) {
    this.cache = cache;
    cache.prepare(m.cols, opt.support);
    cache.budget = 2 * <i64>m.nnz; // kept-set holder lists: at most 2 u32 per grant
    this.m = m;
    this.t = t;
    this.opt = opt;
    this.covered = new StaticArray<u8>(m.nnz);
    this.colCovered = new StaticArray<i32>(m.cols);
    this.stamp = new StaticArray<i32>(m.cols);
    this.rowStamp = new StaticArray<i32>(m.rows);
    this.cnt = new StaticArray<i32>(m.cols);
    const open = new StaticArray<i32>(m.rows);
    for (let r = 0; r < m.rows; r++) unchecked((open[r] = m.deg(r)));
    this.open = open;
    for (let r = 0; r < m.rows; r++) if (m.deg(r) > 0) this.identities++;
    this.grants = m.nnz;
  }

  /** Adds a candidate unless an identical entitlement set exists; returns its index or -1. */
  addCandidate(p: StaticArray<u32>, kind: u8): i32 {
    if (p.length < this.opt.minEntitlements || p.length == 0) return -1;
    let h: u64 = 1469598103934665603;
    for (let i = 0; i < p.length; i++) h = (h ^ <u64>unchecked(p[i])) * 1099511628211;
    let bucket = this.seen.has(h) ? this.seen.get(h) : null;
    if (bucket != null) {
      for (let x = 0; x < bucket.length; x++) {
        const q = this.cands[bucket[x]];
        if (q.length == p.length && memory.compare(changetype<usize>(q), changetype<usize>(p), <usize>p.length << 2) == 0) return -1;
      }
    } else {
      bucket = [];
      this.seen.set(h, bucket);
    }
    const idx = this.cands.length;
    bucket.push(idx);
    this.cands.push(p);
    this.candKind.push(kind);
    this.candJ.push(-1);
    return idx;
  }

  /**
   * Starts the model from a role the host gives (attribute-driven roles, `--by`): entitlements `p`
   * (ascending, distinct), candidate members `u` (ascending, distinct), kind 1 (birthright) or 2
   * (business). A candidate joins when it lacks at most `tolerance` of p, the same rule as mined
   * roles (so a seed never gives an identity an entitlement it lacks beyond the tolerance, and each
   * one it does give is listed by verify()). A seed left with no member is dropped. Seeds are never
   * specialised; the greedy mines what they leave unexplained. A birthright seed replaces the
   * birthright step. Call before run().
   */
  seed(res: ApproxResult, index: i32, kind: u8, p: StaticArray<u32>, u: StaticArray<u32>): void {
    // Auto tolerance: a member of the seed's group lacking at most autoLacking(|p|) of it, holding
    // at least as many as it lacks (the group is the evidence of membership).
    const auto = this.opt.tolerance == AUTO;
    const tol = auto ? min(autoLacking(p.length), p.length / 2) : this.opt.tolerance;
    const members: Array<u32> = [];
    for (let x = 0; x < u.length; x++) {
      const r = <i32>unchecked(u[x]);
      let lacking = 0;
      for (let i = 0; i < p.length && lacking <= tol; i++) if (this.findMaybe(r, unchecked(p[i])) < 0) lacking++;
      if (lacking <= tol && this.m.deg(r) > lacking) members.push(<u32>r);
    }
    if (members.length == 0 || p.length == 0) return;
    this.seedPerms.push(p);
    for (let x = 0; x < members.length; x++) {
      const r = <i32>members[x];
      res.rows.push(<u32>r);
      for (let i = 0; i < p.length; i++) {
        const pos = this.findMaybe(r, unchecked(p[i]));
        if (pos >= 0 && unchecked(this.covered[pos]) == 0) {
          unchecked((this.covered[pos] = 1));
          unchecked((this.open[r] = this.open[r] - 1));
          unchecked((this.colCovered[p[i]] = this.colCovered[p[i]] + 1));
          this.seededExplained++;
        }
      }
    }
    for (let i = 0; i < p.length; i++) res.cols.push(unchecked(p[i]));
    res.rowOff.push(<u32>res.rows.length);
    res.colOff.push(<u32>res.cols.length);
    res.kind.push(kind);
    res.origin.push(index);
    if (kind == 1) this.birthrightSeeded = true;
  }

  /** Registers a preferred role (entitlements p, ascending): a candidate of run() with the minimal-perturbation term. Call before run(). */
  prefer(p: StaticArray<u32>): void {
    if (p.length > 0) this.preferPerms.push(p);
  }

  /** The index of the candidate with exactly the entitlements p, or -1. */
  findCandidate(p: StaticArray<u32>): i32 {
    let h: u64 = 1469598103934665603;
    for (let i = 0; i < p.length; i++) h = (h ^ <u64>unchecked(p[i])) * 1099511628211;
    if (!this.seen.has(h)) return -1;
    const bucket = this.seen.get(h);
    for (let x = 0; x < bucket.length; x++) {
      const q = this.cands[bucket[x]];
      if (q.length == p.length && memory.compare(changetype<usize>(q), changetype<usize>(p), <usize>p.length << 2) == 0) return bucket[x];
    }
    return -1;
  }

  /**
   * Adds the "all but one entitlement" variants of p (2 to 64 entitlements) as unevaluated
   * candidates, with their holder lists found in one pass: a row holding all of p but one holds one
   * of p's two rarest entitlements, so only their holders are scanned.
   */
  pushVariants(heap: Heap, p: StaticArray<u32>, kind: u8, members: Array<u32> | null): void {
    const np = p.length;
    if (np < 2 || np > 64) return;
    // The members of the role just taken hold no unexplained grant of p any more (taking it
    // explained every grant of p they hold): they are passed over without reading their rows.
    const skip = ++this.rowStampNo;
    if (members != null) for (let x = 0; x < members.length; x++) unchecked((this.rowStamp[members[x]] = skip));
    // The three rarest entitlements of p (r3 only when p has three or more).
    const t = this.t;
    let r1 = -1;
    let r2 = -1;
    let r3 = -1;
    for (let i = 0; i < np; i++) {
      const c = <i32>unchecked(p[i]);
      const d = t.deg(c);
      if (r1 < 0 || d < t.deg(r1)) {
        r3 = r2;
        r2 = r1;
        r1 = c;
      } else if (r2 < 0 || d < t.deg(r2)) {
        r3 = r2;
        r2 = c;
      } else if (r3 < 0 || d < t.deg(r3)) r3 = c;
    }
    // lists[i]: rows holding all of p but p[i]; all: rows holding all of p; each ascending, and
    // only rows with a grant of p still unexplained, the only ones a variant can ever serve
    // (coverage only grows). A variant's holder list is all + lists[i]: the rows it can serve,
    // which is all evaluate() needs of it.
    const lists = new Array<Array<u32>>(np);
    for (let i = 0; i < np; i++) lists[i] = [];
    const all: Array<u32> = [];
    if (np >= 3) {
      // A row lacking at most one entitlement of p holds at least two of its three rarest: only the
      // rows in two or more of their holder lists (merged ascending: sequential reads) are read.
      let a = <i32>unchecked(t.off[r1]);
      const ae = <i32>unchecked(t.off[r1 + 1]);
      let b = <i32>unchecked(t.off[r2]);
      const be = <i32>unchecked(t.off[r2 + 1]);
      let c = <i32>unchecked(t.off[r3]);
      const ce = <i32>unchecked(t.off[r3 + 1]);
      while (true) {
        const va = a < ae ? unchecked(t.idx[a]) : u32.MAX_VALUE;
        const vb = b < be ? unchecked(t.idx[b]) : u32.MAX_VALUE;
        const vc = c < ce ? unchecked(t.idx[c]) : u32.MAX_VALUE;
        const v = min(va, min(vb, vc));
        if (v == u32.MAX_VALUE) break;
        let n = 0;
        if (va == v) {
          n++;
          a++;
        }
        if (vb == v) {
          n++;
          b++;
        }
        if (vc == v) {
          n++;
          c++;
        }
        if (n >= 2 && unchecked(this.rowStamp[v]) != skip) this.variantRow(<i32>v, p, lists, all);
      }
    } else {
      // Two entitlements: every holder of either lacks at most one; each row once, ascending.
      let a = <i32>unchecked(t.off[r1]);
      const ae = <i32>unchecked(t.off[r1 + 1]);
      let b = <i32>unchecked(t.off[r2]);
      const be = <i32>unchecked(t.off[r2 + 1]);
      while (a < ae || b < be) {
        const va = a < ae ? unchecked(t.idx[a]) : u32.MAX_VALUE;
        const vb = b < be ? unchecked(t.idx[b]) : u32.MAX_VALUE;
        const v = min(va, vb);
        if (va == v) a++;
        if (vb == v) b++;
        if (unchecked(this.rowStamp[v]) != skip) this.variantRow(<i32>v, p, lists, all);
      }
    }
    for (let left = 0; left < np; left++) {
      // Fewer rows left to serve than a role needs: the variant could never be a role.
      if (all.length + lists[left].length < this.opt.minMembers) continue;
      const q = new StaticArray<u32>(np - 1);
      let w = 0;
      for (let i = 0; i < np; i++) if (i != left) unchecked((q[w++] = p[i]));
      const vi = this.addCandidate(q, kind == 1 ? 1 : 0);
      if (vi < 0) continue;
      this.holderCache.set(vi, mergeSorted(all, lists[left]));
      heap.push(Infinity, vi);
    }
  }

  /** pushVariants for row r: into `all` when it holds all of p, into lists[i] when it lacks only p[i]; left out when every grant of p it holds is explained. */
  @inline variantRow(r: i32, p: StaticArray<u32>, lists: Array<Array<u32>>, all: Array<u32>): void {
    const m = this.m;
    const np = p.length;
    let lo = <i32>unchecked(m.off[r]);
    const hi = <i32>unchecked(m.off[r + 1]);
    let lacking = -1;
    let nLacking = 0;
    let unexplained = false;
    for (let i = 0; i < np && nLacking < 2; i++) {
      const e = unchecked(p[i]);
      while (lo < hi && unchecked(m.idx[lo]) < e) lo++;
      if (lo < hi && unchecked(m.idx[lo]) == e) {
        if (unchecked(this.covered[lo]) == 0) unexplained = true;
        lo++;
      } else {
        lacking = i;
        nLacking++;
      }
    }
    if (!unexplained) return;
    if (nLacking == 0) all.push(<u32>r);
    else if (nLacking == 1) unchecked(lists[lacking]).push(<u32>r);
  }

  /** Both closures of j, [plain, typical], ascending, from one count of its holders (kernels.closure). */
  closures(j: i32, share: f64): StaticArray<StaticArray<u32>> {
    const m = this.m;
    const t = this.t;
    if (this.touched.length < m.cols) {
      this.touched = new StaticArray<u32>(m.cols);
      this.closureOut = new StaticArray<u32>(m.cols);
      this.plainOut = new StaticArray<u32>(m.cols + 1);
    }
    const n = closure(
      changetype<usize>(m.off), changetype<usize>(m.idx), changetype<usize>(t.off), changetype<usize>(t.idx), this.identities,
      j, share,
      changetype<usize>(this.cnt), changetype<usize>(this.stamp), ++this.stampNo, changetype<usize>(this.touched), changetype<usize>(this.closureOut), changetype<usize>(this.plainOut),
    );
    const np = <i32>unchecked(this.plainOut[0]);
    const plain = new StaticArray<u32>(np);
    memory.copy(changetype<usize>(plain), changetype<usize>(this.plainOut) + 4, <usize>np << 2);
    const typical = new StaticArray<u32>(n);
    memory.copy(changetype<usize>(typical), changetype<usize>(this.closureOut), <usize>n << 2);
    const both = new StaticArray<StaticArray<u32>>(2);
    both[0] = plain;
    both[1] = typical;
    return both;
  }

  plainOut: StaticArray<u32> = new StaticArray<u32>(0);

  touched: StaticArray<u32> = new StaticArray<u32>(0);
  closureOut: StaticArray<u32> = new StaticArray<u32>(0);
  rowsOut: StaticArray<u32> = new StaticArray<u32>(0);

  /** Unexplained grants of row r among entitlements p (r holds all of p). Binary search per entitlement. */
  unexplained(r: i32, p: Array<u32>): i32 {
    if (unchecked(this.open[r]) == 0) return 0; // everything r holds is explained
    const m = this.m;
    let n = 0;
    let lo = <i32>unchecked(m.off[r]);
    const hi = <i32>unchecked(m.off[r + 1]);
    // p ascending and the row ascending: merge.
    const np = p.length;
    for (let i = 0; i < np && lo < hi; i++) {
      const c = unchecked(p[i]);
      while (lo < hi && unchecked(m.idx[lo]) < c) lo++;
      if (lo < hi && unchecked(m.idx[lo]) == c) {
        if (unchecked(this.covered[lo]) == 0) n++;
        lo++;
      }
    }
    return n;
  }

  /** Members of p: rows holding all of p, ascending (kernels.holders). */
  holdersOf(p: Array<u32>, out: Array<u32>): void {
    out.length = 0;
    if (p.length == 0) return;
    const m = this.m;
    const t = this.t;
    if (this.rowsOut.length < m.rows) this.rowsOut = new StaticArray<u32>(m.rows);
    const n = holders(changetype<usize>(m.off), changetype<usize>(m.idx), changetype<usize>(t.off), changetype<usize>(t.idx), p.dataStart, p.length, changetype<usize>(this.rowsOut));
    out.length = n;
    memory.copy(out.dataStart, changetype<usize>(this.rowsOut), <usize>n << 2);
  }

  /**
   * Fresh value of candidate `ci` against the current coverage; leaves its effective entitlements
   * in evalP and members in evalU. The entitlements kept are those still unexplained for at least
   * half of the candidate's holders.
   */
  evaluate(ci: i32): f64 {
    this.dead = false;
    const full = this.cands[ci];
    let value = full.length <= 64 ? this.evaluateMasked(ci) : this.evaluateWide(ci);
    if (value == -Infinity) return value;
    const kept = this.evalP;
    // Parked, not dropped: its kept entitlements may change as coverage grows.
    if (ci != this.forced && this.byChance(kept, this.evalU.length)) return -Infinity;
    // A preferred role continuing as it was (all its entitlements kept) exists already.
    if (kept.length == full.length && this.preferred.has(ci)) value += PERTURBATION_WEIGHT + <f64>kept.length;
    return value;
  }

  masks: StaticArray<u64> = new StaticArray<u64>(0);
  dead: bool = false; // set by evaluate(): the candidate can never be a role again
  bitCount: StaticArray<i32> = new StaticArray<i32>(64);

  /**
   * Bit i set when row r holds p[i] and that grant is still unexplained (p ascending, at most 64
   * entitlements): one merge of the row with p.
   */
  @inline uncoveredMask(r: i32, p: StaticArray<u32>): u64 {
    if (unchecked(this.open[r]) == 0) return 0;
    const m = this.m;
    let lo = <i32>unchecked(m.off[r]);
    const hi = <i32>unchecked(m.off[r + 1]);
    let mask: u64 = 0;
    const np = p.length;
    for (let i = 0; i < np && lo < hi; i++) {
      const c = unchecked(p[i]);
      while (lo < hi && unchecked(m.idx[lo]) < c) lo++;
      if (lo < hi && unchecked(m.idx[lo]) == c) {
        if (unchecked(this.covered[lo]) == 0) mask |= (<u64>1) << <u64>i;
        lo++;
      }
    }
    return mask;
  }

  /**
   * evaluate() for candidates of at most 64 entitlements, with the same result as evaluateWide():
   * one merge per holder gives the bitmask of its unexplained grants among p, from which pending
   * holders, kept entitlements and member gains all follow by bit operations.
   */
  evaluateMasked(ci: i32): f64 {
    const full = this.cands[ci];
    const np = full.length;
    let holders: Array<u32>;
    if (this.holderCache.has(ci)) holders = this.holderCache.get(ci);
    else {
      const p: Array<u32> = [];
      for (let i = 0; i < np; i++) p.push(unchecked(full[i]));
      holders = [];
      this.holdersOf(p, holders);
      this.holderCache.set(ci, holders);
      const j = this.candJ[ci];
      if (j >= 0) this.cache.holders.set(j, holders.slice(0));
    }
    if (!this.posCache.has(ci)) {
      // Grant positions of every (holder, entitlement) pair: later evaluations read covered[]
      // directly instead of merging rows (holders x |p| u32; they never change).
      const pos = new StaticArray<u32>(holders.length * np);
      const m = this.m;
      for (let x = 0; x < holders.length; x++) {
        let lo = <i32>unchecked(m.off[holders[x]]);
        for (let i = 0; i < np; i++) {
          const c = unchecked(full[i]);
          while (unchecked(m.idx[lo]) < c) lo++;
          unchecked((pos[x * np + i] = <u32>lo));
        }
      }
      this.posCache.set(ci, pos);
    }
    const pos = this.posCache.get(ci);
    const H = holders.length;
    if (H < this.opt.minMembers) {
      this.dead = true;
      return -Infinity;
    }
    if (this.masks.length < H) this.masks = new StaticArray<u64>(H + (H >> 1));
    const masks = this.masks;
    const bc = this.bitCount;
    for (let b = 0; b < 64; b++) unchecked((bc[b] = 0));
    const covered = this.covered;
    const open = this.open;
    // A holder whose grants of p are all explained never has one unexplained again (coverage only
    // grows): it is dropped from the candidate's lists for good (in place, order kept), so a
    // candidate evaluated again only looks at holders it can still serve.
    let w = 0;
    for (let x = 0; x < H; x++) {
      let mask: u64 = 0;
      const r = unchecked(holders[x]);
      const base = x * np;
      if (unchecked(open[r]) != 0) {
        for (let i = 0; i < np; i++) if (unchecked(covered[unchecked(pos[base + i])]) == 0) mask |= (<u64>1) << <u64>i;
      }
      if (mask == 0) continue;
      if (w != x) {
        unchecked((holders[w] = r));
        const wb = w * np;
        for (let i = 0; i < np; i++) unchecked((pos[wb + i] = unchecked(pos[base + i])));
      }
      unchecked((masks[w] = mask));
      w++;
      while (mask != 0) {
        const b = <i32>ctz(mask);
        unchecked((bc[b] = bc[b] + 1));
        mask &= mask - 1;
      }
    }
    holders.length = w;
    const pending = w;
    if (pending < this.opt.minMembers) {
      this.dead = true; // pending rows only ever get fewer
      return -Infinity;
    }
    let keptMask: u64 = 0;
    const kept: Array<u32> = [];
    for (let i = 0; i < full.length; i++) {
      if (unchecked(bc[i]) * 2 >= pending) {
        keptMask |= (<u64>1) << <u64>i;
        kept.push(unchecked(full[i]));
      }
    }
    if (kept.length < this.opt.minEntitlements || kept.length == 0) return -Infinity;
    const cost = this.opt.exceptionCost;
    this.evalU.length = 0;
    let value: f64 = -ROLE_COST - <f64>kept.length;
    if (kept.length == full.length) {
      for (let x = 0; x < pending; x++) {
        const gain = cost * <f64>popcnt(unchecked(masks[x])) - 1;
        if (gain > 0) {
          value += gain;
          this.evalU.push(unchecked(holders[x]));
        }
      }
    } else {
      // Members: holders of the kept set (a superset of the holders of p) whose gain is positive.
      // Their list is kept per candidate for its last kept set: the kept set of a candidate
      // evaluated again is usually the same.
      let all: Array<u32>;
      if (this.keptRows.has(ci) && this.keptMaskOf.get(ci) == keptMask) all = this.keptRows.get(ci);
      else {
        const cached = this.cache.holdersOfSet(kept);
        if (cached != null) all = cached.slice(0);
        else {
          all = [];
          this.holdersOf(kept, all);
          this.cache.keepHolders(kept, all);
        }
        this.keptRows.set(ci, all);
        this.keptMaskOf.set(ci, keptMask);
      }
      // As above, rows with nothing of the kept set left to explain are dropped for good.
      let wa = 0;
      for (let x = 0; x < all.length; x++) {
        const r = <i32>unchecked(all[x]);
        const bits = popcnt(this.uncoveredMask(r, full) & keptMask);
        if (bits == 0) continue;
        unchecked((all[wa++] = <u32>r));
        const gain = cost * <f64>bits - 1;
        if (gain > 0) {
          value += gain;
          this.evalU.push(<u32>r);
        }
      }
      all.length = wa;
    }
    if (this.evalU.length < this.opt.minMembers) return -Infinity;
    this.evalP = kept;
    return value;
  }

  /** evaluate() for candidates of any size. */
  evaluateWide(ci: i32): f64 {
    const full = this.cands[ci];
    const p: Array<u32> = [];
    for (let i = 0; i < full.length; i++) p.push(unchecked(full[i]));
    // The holders of a candidate's full entitlement set never change: computed once.
    let holders: Array<u32>;
    if (this.holderCache.has(ci)) holders = this.holderCache.get(ci);
    else {
      holders = [];
      this.holdersOf(p, holders);
      this.holderCache.set(ci, holders);
    }
    if (holders.length < this.opt.minMembers) return -Infinity;
    // Keep the entitlements still unexplained for at least half of the holders that have anything
    // left to explain here (the others are already served by accepted roles).
    const pending: Array<u32> = [];
    for (let x = 0; x < holders.length; x++) if (this.unexplained(<i32>holders[x], p) > 0) pending.push(holders[x]);
    if (pending.length < this.opt.minMembers) return -Infinity;
    const kept: Array<u32> = [];
    for (let i = 0; i < p.length; i++) {
      const c = p[i];
      let unc = 0;
      for (let x = 0; x < pending.length; x++) {
        const pos = this.find(<i32>pending[x], c);
        if (unchecked(this.covered[pos]) == 0) unc++;
      }
      if (unc * 2 >= pending.length) kept.push(c);
    }
    if (kept.length < this.opt.minEntitlements || kept.length == 0) return -Infinity;
    // Members: holders of the kept set (a superset of the holders of p) whose gain is positive.
    const all: Array<u32> = [];
    if (kept.length < p.length) this.holdersOf(kept, all);
    else for (let x = 0; x < holders.length; x++) all.push(holders[x]);
    this.evalU.length = 0;
    let value: f64 = -ROLE_COST - <f64>kept.length;
    for (let x = 0; x < all.length; x++) {
      const r = <i32>all[x];
      const gain = this.opt.exceptionCost * <f64>this.unexplained(r, kept) - 1;
      if (gain > 0) {
        value += gain;
        this.evalU.push(<u32>r);
      }
    }
    if (this.evalU.length < this.opt.minMembers) return -Infinity;
    this.evalP = kept;
    return value;
  }

  /**
   * Whether `members` identities holding all of p is unremarkable by chance: with each identity
   * holding each entitlement independently at its observed rate (holders / identities), the number
   * holding all of p is about Poisson(lambda = n x product of the rates). A role needs
   * P(X >= members) below `significance` / (candidates tried), so broad, unrelated access (typical of
   * service accounts) does not form pseudo-roles of a few accounts sharing popular entitlements.
   */
  byChance(p: Array<u32>, members: i32): bool {
    if (this.opt.significance <= 0) return false;
    const n = <f64>this.identities;
    if (n <= 0) return false;
    let logLambda = Math.log(n);
    for (let i = 0; i < p.length; i++) logLambda += Math.log(<f64>this.t.deg(unchecked(p[i])) / n);
    const lambda = Math.exp(logLambda);
    const bar = Math.log(this.opt.significance / <f64>max(1, this.cands.length));
    // The members still to serve are a lower bound on the holders: enough when they pass.
    if (logPoissonTail(members, lambda) <= bar) return false;
    // Otherwise count every holder of p (those earlier roles already serve too: the pattern is
    // theirs as well), cached by set (ApproxCache.holdersOfSet).
    let rows = this.cache.holdersOfSet(p);
    if (rows == null) {
      const r: Array<u32> = [];
      this.holdersOf(p, r);
      this.cache.keepHolders(p, r);
      rows = r;
    }
    return logPoissonTail(rows.length, lambda) > bar;
  }

  /** CSR position of grant (r, c); the grant must exist. */
  find(r: i32, c: u32): i32 {
    const m = this.m;
    let lo = <i32>unchecked(m.off[r]);
    let hi = <i32>unchecked(m.off[r + 1]) - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(m.idx[mid]) < c) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  run(res: ApproxResult): void {
    const m = this.m;
    const t = this.t;
    const opt = this.opt;
    // Birthright first.
    const heap = new Heap();
    let forced = -1; // the birthright candidate, accepted first whatever its value
    if (!this.birthrightSeeded && opt.birthrightShare > 0 && opt.birthrightShare <= 1 && this.identities > 0) {
      const need = <i32>Math.ceil(opt.birthrightShare * <f64>this.identities - 1e-9);
      const b: Array<u32> = [];
      for (let c = 0; c < m.cols; c++) if (t.deg(c) >= need && t.deg(c) > 0) b.push(<u32>c);
      if (b.length > 0) {
        forced = this.addCandidate(toStatic(b), 1);
        this.forced = forced;
        if (forced >= 0) heap.push(Infinity, forced);
      }
    }
    // One noise-tolerant closure per entitlement with enough holders.
    const cache = this.cache;
    for (let j = 0; j < m.cols; j++) {
      if (t.deg(j) < opt.minMembers) continue;
      // Two closures per entitlement: over all its holders, and over its typical holders only.
      for (let kind = 0; kind < CLOSURES; kind++) {
        const key = 2 * j + kind;
        let closure = cache.closure[key];
        if (closure == null) {
          // Both kinds come from one count of j's holders; the cache keeps those it lacks (a
          // prefill from the pool brings both).
          const both = this.closures(j, opt.support);
          for (let k = 0; k < CLOSURES; k++) if (cache.closure[2 * j + k] == null) cache.closure[2 * j + k] = both[k];
          closure = cache.closure[key];
        }
        const ci = this.addCandidate(closure!, 0);
        if (ci < 0) continue;
        this.candJ[ci] = key;
        if (cache.holders.has(key)) this.holderCache.set(ci, cache.holders.get(key).slice(0));
        heap.push(Infinity, ci); // unevaluated: popped and evaluated lazily
      }
      if ((j & 1023) == 0 && progress(PHASE_MINE, 0.3 * <f64>j / <f64>m.cols)) return;
    }
    // Each seed role's "all but one entitlement" variants, as after an accepted role: candidates for
    // the identities of its group that lack one of its grants.
    for (let g = 0; g < this.seedPerms.length; g++) this.pushVariants(heap, this.seedPerms[g], 2, null);
    // Preferred roles: candidates like the others (an identical closure is the same candidate).
    for (let g = 0; g < this.preferPerms.length; g++) {
      const p = this.preferPerms[g];
      if (p.length < opt.minEntitlements) continue;
      let ci = this.addCandidate(p, 0);
      if (ci >= 0) heap.push(Infinity, ci);
      else ci = this.findCandidate(p);
      if (ci >= 0) this.preferred.add(ci);
    }
    res.candidates = this.cands.length;
    let explained: i64 = this.seededExplained;
    const target = <i64>Math.ceil(opt.coverage * <f64>this.grants - 1e-9);
    // Candidates not worth a role now. A candidate's value can rise after other roles are taken
    // (its kept entitlements shrink, so more identities qualify), so they are parked, not dropped,
    // and re-evaluated once the heap runs dry, as long as roles were taken since the last time.
    const parked: Array<i32> = [];
    let acceptedSinceRefresh = 0;
    while (true) {
      if (opt.maxRoles > 0 && res.kind.length >= opt.maxRoles) break;
      if (explained >= target) break;
      if (heap.size == 0 || heap.topValue() <= 0) {
        if (acceptedSinceRefresh == 0) break;
        acceptedSinceRefresh = 0;
        while (heap.size > 0) parked.push(heap.pop());
        parked.sort((a: i32, b: i32): i32 => a - b);
        for (let x = 0; x < parked.length; x++) heap.push(Infinity, parked[x]);
        parked.length = 0;
        continue;
      }
      const ci = heap.pop();
      const v = this.evaluate(ci);
      res.evaluations++;
      const birthright = this.candKind[ci] == 1;
      const force = ci == forced;
      if (v == -Infinity || (!force && v <= 0)) {
        if (!this.dead) parked.push(ci);
        else {
          this.dropCaches(ci);
          this.pushResidual(heap, ci);
        }
        continue;
      }
      if (!force && v < heap.topValue()) {
        heap.push(v, ci);
        continue;
      }
      // Accept: members evalU, entitlements evalP.
      const p = this.evalP;
      const u = this.evalU;
      if (opt.tolerance == AUTO) this.addNearMembersAuto(p, u, birthright);
      else if (opt.tolerance > 0 && p.length > opt.tolerance) this.addNearMembers(p, u);
      u.sort((a: u32, b: u32): i32 => (a < b ? -1 : a > b ? 1 : 0));
      for (let x = 0; x < u.length; x++) {
        const r = <i32>u[x];
        res.rows.push(<u32>r);
        for (let i = 0; i < p.length; i++) {
          const pos = this.findMaybe(r, p[i]);
          if (pos < 0) continue; // a near member lacks it: an over-assignment, listed by verify()
          if (unchecked(this.covered[pos]) == 0) {
            unchecked((this.covered[pos] = 1));
            unchecked((this.open[r] = this.open[r] - 1));
            unchecked((this.colCovered[p[i]] = this.colCovered[p[i]] + 1));
            explained++;
          }
        }
      }
      for (let i = 0; i < p.length; i++) res.cols.push(p[i]);
      res.rowOff.push(<u32>res.rows.length);
      res.colOff.push(<u32>res.cols.length);
      res.kind.push(birthright ? 1 : 0);
      res.origin.push(-1);
      acceptedSinceRefresh++;
      // Variants without one entitlement: for identities missing one grant of this role.
      this.pushVariants(heap, toStatic(p), birthright ? 1 : 0, u);
      if (progress(PHASE_MINE, 0.3 + 0.7 * <f64>explained / (this.grants > 0 ? <f64>this.grants : 1.0))) return;
    }
    if (opt.maxRoles == 0 || res.kind.length < opt.maxRoles) this.specialise(res, target - explained);
  }

  /**
   * Specialisation pass, after the greedy. The greedy takes the broadest role first (a job family's
   * shared access), after which what seniors hold on top is often a single entitlement, and a
   * one-entitlement role never pays. But the role "family + that entitlement" for the members who
   * hold it, replacing the family role for them, costs 2 + |P| and explains one grant per member:
   *   change = 2 + |P_A| - exceptionCost x |S|    (S: members of A holding e unexplained)
   * It is applied when negative (and |S| >= minMembers), repeatedly, new roles included, so nested
   * access (junior, senior = junior + more, lead = senior + more) comes out as nested roles.
   * When every member of A holds e, e simply joins A. Stray grants never qualify: their holders
   * inside one role are far fewer than 2 + |P_A|.
   */
  specialise(res: ApproxResult, budget: i64): void {
    const m = this.m;
    const R0 = res.kind.length;
    const members = new Array<Array<u32>>(R0);
    const perms = new Array<Array<u32>>(R0);
    const kinds: Array<u8> = [];
    const origins: Array<i32> = [];
    for (let g = 0; g < R0; g++) {
      origins.push(res.origin[g]);
      members[g] = res.rows.slice(<i32>res.rowOff[g], <i32>res.rowOff[g + 1]);
      perms[g] = res.cols.slice(<i32>res.colOff[g], <i32>res.colOff[g + 1]);
      kinds.push(res.kind[g]);
    }
    const cnt = this.cnt;
    let done: i64 = 0;
    for (let g = 0; g < members.length && done < budget; g++) {
      if (this.opt.maxRoles > 0 && members.length >= this.opt.maxRoles) break;
      if (kinds[g] != 0) continue; // birthright access is not specialised by job; seed roles stay as given
      // Repeat on g while it yields a specialisation or an extension. The counts of unexplained
      // entitlements over g's members are taken once and then kept up to date: members moved to a
      // specialised role take their counts with them, an extension only clears its entitlement.
      if (members[g].length < this.opt.minMembers) continue;
      const touched: Array<u32> = [];
      {
        const mem = members[g];
        for (let x = 0; x < mem.length; x++) {
          const r = <i32>mem[x];
          if (unchecked(this.open[r]) == 0) continue;
          for (let q = <i32>unchecked(m.off[r]); q < <i32>unchecked(m.off[r + 1]); q++) {
            if (unchecked(this.covered[q]) != 0) continue;
            const c = unchecked(m.idx[q]);
            const n = unchecked(cnt[c]);
            if (n == 0) touched.push(c);
            unchecked((cnt[c] = n + 1));
          }
        }
      }
      while (members[g].length >= this.opt.minMembers) {
        const mem = members[g];
        let best: i32 = -1;
        let bestN = 0;
        for (let i = 0; i < touched.length; i++) {
          const c = touched[i];
          const n = unchecked(cnt[c]);
          if (n > bestN || (n == bestN && <i32>c < best)) {
            bestN = n;
            best = <i32>c;
          }
        }
        if (best < 0 || bestN < this.opt.minMembers) break;
        // A new role would exceed maxRoles (extending g, when every member holds it, adds none).
        if (this.opt.maxRoles > 0 && members.length >= this.opt.maxRoles && bestN < mem.length) break;
        const P = perms[g];
        if (bestN < mem.length) {
          if (this.opt.exceptionCost * <f64>bestN <= 2 + <f64>P.length) break;
          if (this.byChance(insertSorted(P, <u32>best), bestN)) break;
          // The members left in A must still make a role.
          if (mem.length - bestN < this.opt.minMembers) break;
        }
        // S: members holding `best` unexplained (with its grant's position), in member order.
        const S: Array<u32> = [];
        const Spos: Array<i32> = [];
        const rest: Array<u32> = [];
        if (this.t.deg(best) < mem.length) {
          // Fewer holders of `best` than members: walk its holders (ascending, as members are)
          // among the stamped members instead of searching every member's row for it.
          const isMember = ++this.rowStampNo;
          for (let x = 0; x < mem.length; x++) unchecked((this.rowStamp[mem[x]] = isMember));
          const inS = ++this.rowStampNo;
          const t = this.t;
          for (let k = <i32>unchecked(t.off[best]); k < <i32>unchecked(t.off[best + 1]); k++) {
            const r = <i32>unchecked(t.idx[k]);
            if (unchecked(this.rowStamp[r]) != isMember) continue;
            const pos = this.findMaybe(r, <u32>best);
            if (unchecked(this.covered[pos]) != 0) continue;
            S.push(<u32>r);
            Spos.push(pos);
            unchecked((this.rowStamp[r] = inS));
          }
          for (let x = 0; x < mem.length; x++) if (unchecked(this.rowStamp[mem[x]]) != inS) rest.push(mem[x]);
        } else {
          for (let x = 0; x < mem.length; x++) {
            const r = <i32>mem[x];
            const pos = this.findMaybe(r, <u32>best);
            if (pos >= 0 && unchecked(this.covered[pos]) == 0) {
              S.push(<u32>r);
              Spos.push(pos);
            } else rest.push(<u32>r);
          }
        }
        if (rest.length > 0) {
          // S leaves g: its unexplained grants no longer count for g.
          for (let x = 0; x < S.length; x++) {
            const r = <i32>S[x];
            for (let q = <i32>unchecked(m.off[r]); q < <i32>unchecked(m.off[r + 1]); q++) {
              if (unchecked(this.covered[q]) != 0) continue;
              const c = unchecked(m.idx[q]);
              unchecked((cnt[c] = cnt[c] - 1));
            }
          }
        } else unchecked((cnt[best] = 0)); // every member holds it: now explained for all
        for (let x = 0; x < S.length; x++) {
          unchecked((this.covered[Spos[x]] = 1));
          unchecked((this.colCovered[best] = this.colCovered[best] + 1));
          unchecked((this.open[S[x]] = this.open[S[x]] - 1));
        }
        done += S.length;
        const Pe = insertSorted(P, <u32>best);
        if (rest.length == 0) {
          perms[g] = Pe; // every member holds it: extend the role
        } else {
          members[g] = rest;
          members.push(S);
          perms.push(Pe);
          kinds.push(0);
          origins.push(-1);
        }
      }
      for (let i = 0; i < touched.length; i++) unchecked((cnt[touched[i]] = 0));
    }
    res.rows.length = 0;
    res.cols.length = 0;
    res.rowOff.length = 1;
    res.colOff.length = 1;
    res.kind.length = 0;
    res.origin.length = 0;
    for (let g = 0; g < members.length; g++) {
      if (members[g].length == 0) continue;
      for (let x = 0; x < members[g].length; x++) res.rows.push(members[g][x]);
      for (let x = 0; x < perms[g].length; x++) res.cols.push(perms[g][x]);
      res.rowOff.push(<u32>res.rows.length);
      res.colOff.push(<u32>res.cols.length);
      res.kind.push(kinds[g]);
      res.origin.push(origins[g]);
    }
  }

  /**
   * Tolerance: adds to an accepted role (entitlements p, members u) the identities lacking at most
   * `tolerance` of p, when the grants it explains for them outweigh the assignment and the
   * entitlements it would give them without a grant (each such pair is an over-assignment that
   * verify() lists). An identity lacking t of p holds one of p's t+1 rarest entitlements, so only
   * their holders are scanned.
   */
  addNearMembers(p: Array<u32>, u: Array<u32>): void {
    const m = this.m;
    const t = this.t;
    const tol = this.opt.tolerance;
    // The tol+1 rarest entitlements of p.
    const keys = new StaticArray<u64>(p.length);
    for (let i = 0; i < p.length; i++) unchecked((keys[i] = (<u64>t.deg(p[i]) << 32) | <u64>p[i]));
    keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    const seenRow = new Map<u32, bool>();
    for (let x = 0; x < u.length; x++) seenRow.set(u[x], true);
    const added: Array<u32> = [];
    for (let k = 0; k <= tol && k < p.length; k++) {
      const c = <i32>(unchecked(keys[k]) & 0xffffffff);
      for (let q = <i32>unchecked(t.off[c]); q < <i32>unchecked(t.off[c + 1]); q++) {
        const r = unchecked(t.idx[q]);
        if (seenRow.has(r)) continue;
        seenRow.set(r, true);
        // Held and unexplained entitlements of p for r.
        let held = 0;
        let unexplained = 0;
        for (let i = 0; i < p.length; i++) {
          const pos = this.findMaybe(<i32>r, p[i]);
          if (pos >= 0) {
            held++;
            if (unchecked(this.covered[pos]) == 0) unexplained++;
          }
        }
        const lacking = p.length - held;
        if (lacking > tol) continue;
        // Explained grants pay; the assignment and each over-assigned entitlement cost one.
        if (this.opt.exceptionCost * <f64>unexplained - 1 - <f64>lacking > 0) added.push(r);
      }
    }
    for (let x = 0; x < added.length; x++) u.push(added[x]);
  }

  /**
   * Auto tolerance (the default): adds to an accepted role (entitlements p, members u) the
   * identities whose grants make them far likelier members that lack some of p than non-members
   * that happen to hold the rest. For an identity holding H of p and lacking the rest (at most
   * autoLacking(|p|)), with f_e the share of non-members holding e and q = MISSING_RATE:
   *   log-odds = log(|u| / (n - |u|))                          (prior: the role's share)
   *            + sum over e in H      of log((1 - q) / f_e)      (holding what outsiders rarely hold)
   *            + sum over e not in H  of log(q / (1 - f_e))      (each lack costs about log q)
   * It joins when the log-odds are positive and it has a grant of p left to explain. So a member of
   * a 6-entitlement department role lacking one joins, and so does a member of a 2-entitlement role
   * holding an entitlement no one outside the role holds, while an identity holding one popular
   * entitlement of a small role does not (a stray grant explains it better). Then the lacks are
   * checked for structure: when more of the role's holders lack the same entitlement than noise at
   * STRUCTURE_RATE would explain (mean + 2 sd + 1), the identities lacking it are a sub-population,
   * not members with a missing grant; they stay out (the role's variant may serve them). Each pair
   * a member is given without a grant is listed as an over-assignment by verify(). The birthright
   * role takes everyone lacking at most autoLacking(|p|) without the odds: it is meant for all, and
   * its outsiders hold most of it too, so holding it is no evidence either way.
   */
  addNearMembersAuto(p: Array<u32>, u: Array<u32>, birthright: bool): void {
    const t = this.t;
    const s = p.length;
    if (s < 2 || s > 64) return;
    const L = autoLacking(s);
    const U = u.length;
    const outside = <f64>this.identities - <f64>U;
    if (U == 0 || outside <= 0) return;
    const q = MISSING_RATE;
    const holdW = new StaticArray<f64>(s);
    const lackW = new StaticArray<f64>(s);
    for (let i = 0; i < s; i++) {
      const o = <f64>max(0, t.deg(unchecked(p[i])) - U); // holders outside the role (members hold all of p)
      const fHeld = min(0.999, (max(0, o - 1) + 0.5) / outside); // the identity itself left out
      const fLack = min(0.999, (o + 0.5) / outside);
      unchecked((holdW[i] = Math.log((1 - q) / fHeld)));
      unchecked((lackW[i] = Math.log(q / (1 - fLack))));
    }
    const prior = Math.log(<f64>U / outside);
    // Identities lacking at most L of p hold one of its L+1 rarest entitlements.
    const keys = new StaticArray<u64>(s);
    for (let i = 0; i < s; i++) unchecked((keys[i] = (<u64>t.deg(p[i]) << 32) | <u64>p[i]));
    keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    const mark = ++this.rowStampNo;
    for (let x = 0; x < u.length; x++) unchecked((this.rowStamp[u[x]] = mark));
    const cand: Array<u32> = [];
    const candLack: Array<u64> = []; // bit i: lacks p[i]
    const lacks = new StaticArray<i32>(s);
    for (let k = 0; k <= L && k < s; k++) {
      const c = <i32>(unchecked(keys[k]) & 0xffffffff);
      for (let z = <i32>unchecked(t.off[c]); z < <i32>unchecked(t.off[c + 1]); z++) {
        const r = unchecked(t.idx[z]);
        if (unchecked(this.rowStamp[r]) == mark) continue;
        unchecked((this.rowStamp[r] = mark));
        if (unchecked(this.open[r]) == 0) continue; // nothing left to explain
        let lack: u64 = 0;
        let nLack = 0;
        let unexplained = 0;
        let score = prior;
        for (let i = 0; i < s && nLack <= L; i++) {
          const pos = this.findMaybe(<i32>r, p[i]);
          if (pos >= 0) {
            score += unchecked(holdW[i]);
            if (unchecked(this.covered[pos]) == 0) unexplained++;
          } else {
            lack |= (<u64>1) << <u64>i;
            nLack++;
            score += unchecked(lackW[i]);
          }
        }
        if (nLack == 0 || nLack > L || unexplained == 0 || (!birthright && score <= 0)) continue;
        cand.push(r);
        candLack.push(lack);
        for (let i = 0; i < s; i++) if ((lack >> <u64>i) & 1) unchecked((lacks[i] = lacks[i] + 1));
      }
    }
    if (cand.length == 0) return;
    let structural: u64 = 0;
    for (let i = 0; i < s; i++) {
      const ne = <f64>unchecked(lacks[i]);
      if (ne == 0) continue;
      const mean = STRUCTURE_RATE * (<f64>U + ne);
      if (ne > mean + 2 * Math.sqrt(mean) + 1) structural |= (<u64>1) << <u64>i;
    }
    for (let x = 0; x < cand.length; x++) if ((candLack[x] & structural) == 0) u.push(cand[x]);
  }

  /**
   * A closure that can no longer serve enough identities because it also asks for entitlements
   * earlier roles already explain (most often seed roles: a project's entitlements closed together
   * with the department and title access of its typical holders, which only a handful hold
   * whole) gives way to its residual: its entitlements whose grants are still mostly unexplained.
   * Without it, a project whose members all hold attribute roles was never mined (measured: the
   * 3-entitlement project roles of the large-role configurations of VARIED_GRID).
   */
  pushResidual(heap: Heap, ci: i32): void {
    if (this.candJ[ci] < 0) return; // closures only (a residual's own residual would repeat it)
    const full = this.cands[ci];
    const q: Array<u32> = [];
    for (let i = 0; i < full.length; i++) {
      const e = unchecked(full[i]);
      if (unchecked(this.colCovered[e]) * 2 < this.t.deg(e)) q.push(e);
    }
    if (q.length == 0 || q.length == full.length || q.length < this.opt.minEntitlements) return;
    const ri = this.addCandidate(toStatic(q), 0);
    if (ri >= 0) heap.push(Infinity, ri);
  }

  /** Frees what a dead candidate cached. */
  dropCaches(ci: i32): void {
    if (this.holderCache.has(ci)) this.holderCache.delete(ci);
    if (this.posCache.has(ci)) this.posCache.delete(ci);
    if (this.keptRows.has(ci)) this.keptRows.delete(ci);
  }

  /** CSR position of grant (r, c), or -1 if r does not hold c. */
  findMaybe(r: i32, c: u32): i32 {
    const m = this.m;
    const s = <i32>unchecked(m.off[r]);
    const e = <i32>unchecked(m.off[r + 1]);
    if (s == e) return -1;
    const pos = this.find(r, c);
    return pos < e && unchecked(m.idx[pos]) == c ? pos : -1;
  }
}

/** FNV-1a over a set's ids. */
function hashSet(p: Array<u32>): u64 {
  let h: u64 = 1469598103934665603;
  for (let i = 0; i < p.length; i++) h = (h ^ <u64>unchecked(p[i])) * 1099511628211;
  return h;
}

/** The union of two ascending, disjoint lists, ascending. */
function mergeSorted(a: Array<u32>, b: Array<u32>): Array<u32> {
  a.sort((x: u32, y: u32): i32 => (x < y ? -1 : x > y ? 1 : 0));
  b.sort((x: u32, y: u32): i32 => (x < y ? -1 : x > y ? 1 : 0));
  const out = new Array<u32>(a.length + b.length);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out[w++] = a[i++];
    else out[w++] = b[j++];
  }
  return out;
}

function insertSorted(a: Array<u32>, v: u32): Array<u32> {
  const out: Array<u32> = [];
  let placed = false;
  for (let i = 0; i < a.length; i++) {
    if (!placed && v < a[i]) {
      out.push(v);
      placed = true;
    }
    out.push(a[i]);
  }
  if (!placed) out.push(v);
  return out;
}

function toStatic(a: Array<u32>): StaticArray<u32> {
  const s = new StaticArray<u32>(a.length);
  for (let i = 0; i < a.length; i++) unchecked((s[i] = a[i]));
  return s;
}
