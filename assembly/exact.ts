// Exact role mining (the basic role mining problem) on one connected component of the reduced
// matrix: the fewest roles whose union reproduces every grant, none extra.
//
// View the grants as vertices of a *compatibility graph*: grants (u1,p1) and (u2,p2) are compatible
// when u1 holds p2 and u2 holds p1. A set of pairwise-compatible grants spans a biclique (every
// identity of the set holds every entitlement of the set), i.e. a role that grants nothing extra, and
// every role is such a set. So the minimum number of roles is the minimum clique partition of the
// compatibility graph (Ene, Horne, Milosavljevic, Rao, Schreiber, Tarjan, "Fast exact and heuristic
// methods for role minimization problems", SACMAT 2008).
//
// Reductions, applied to a fixpoint on the set R of grants still to place (all exact):
// - Domination (Ene et al.): if N_R[e1] is a subset of N_R[e2] (closed neighbourhoods within R), any
//   role holding e1 can take e2 too, so e2 leaves R and later joins e1's role.
//   With U', P' the identities and entitlements of N_R[e1], this is: e2 = (u,p) in N_R[e1], u holds
//   every entitlement of P', and every identity of U' holds p. Computed with bitset ANDs.
// - Simplicial grant: when N_R[e] is itself a clique (U' x P' is all granted), some optimal cover
//   uses exactly that role: take it and remove its grants from R.
// What survives (the kernel) is split into compatibility components and coloured exactly (cover.ts).
// Removed grants join their dominator's role in reverse order of removal; each role stays a clique
// because every grant placed later was in R when its dominated grant left, hence inside N_R[e1].

import {
  wordsFor, getBit, setBit, clearBit, zero, copy, andInto, intersects, isSubset, nextBit,
} from './bitset';
import { Reduced, find, union } from './matrix';
import { colorGraph } from './cover';
import { progress } from './progress';
import { PHASE_MINE } from './status';

/** Roles found so far, in reduced ids (identity classes, entitlement classes). */
export class RoleSink {
  rowOff: Array<u32> = [0];
  rows: Array<u32> = [];
  colOff: Array<u32> = [0];
  cols: Array<u32> = [];
  get count(): i32 {
    return this.rowOff.length - 1;
  }
}

export class ExactStats {
  lowerBound: i64 = 0;
  proven: bool = true;
  kernelGrants: i64 = 0;
  kernelComponents: i64 = 0;
  largestKernel: i64 = 0;
  nodes: i64 = 0;
  reductionRounds: i64 = 0;
}

/** Bytes the exact solver's bitsets need for a component of nr x nc (4 bitset copies). */
export function bitsetBytes(nr: i32, nc: i32): u64 {
  return (<u64>nr * <u64>wordsFor(nc) + <u64>nc * <u64>wordsFor(nr)) * 16;
}

// Branch and bound recurses once per kernel grant: deeper than this, heuristic colouring only
// (the shadow stack, asconfig stackSize, and the engine's native stack both bound the depth).
export const KERNEL_EXACT_LIMIT: i32 = 4000;
// Kernel components above this many grants skip the k x k incompatibility matrix (k^2/8 bytes:
// 112 MB at 30,000) and get the greedy cover below.
export const KERNEL_MATRIX_LIMIT: i32 = 30000;

export class Component {
  nr: i32;
  nc: i32;
  W: i32; // words per row bitset (over columns)
  V: i32; // words per column bitset (over rows)
  rowBits: usize;
  colBits: usize;
  rRow: usize; // R: grants not yet placed, by row
  rCol: usize; // R by column
  eoff: StaticArray<i32> = new StaticArray<i32>(0); // local edge list, CSR by row with sorted columns: edge id = position
  ecol: StaticArray<i32> = new StaticArray<i32>(0);
  group: StaticArray<i32> = new StaticArray<i32>(0); // role (group) of each edge, -1 while unplaced
  groups: i32 = 0;
  logE2: Array<i32> = []; // domination log: logE2[i] joins the role of logE1[i]
  logE1: Array<i32> = [];
  // scratch
  up: usize;
  pp: usize;
  pcu: usize;
  ucp: usize;

  constructor(public red: Reduced, public rows: StaticArray<i32>, public cols: StaticArray<i32>, colLocal: StaticArray<i32>) {
    const nr = rows.length;
    const nc = cols.length;
    this.nr = nr;
    this.nc = nc;
    const W = wordsFor(nc);
    const V = wordsFor(nr);
    this.W = W;
    this.V = V;
    this.rowBits = heap.alloc(<usize>nr * W * 8);
    this.colBits = heap.alloc(<usize>nc * V * 8);
    this.rRow = heap.alloc(<usize>nr * W * 8);
    this.rCol = heap.alloc(<usize>nc * V * 8);
    zero(this.rowBits, nr * W);
    zero(this.colBits, nc * V);
    this.up = heap.alloc(<usize>V * 8);
    this.ucp = heap.alloc(<usize>V * 8);
    this.pp = heap.alloc(<usize>W * 8);
    this.pcu = heap.alloc(<usize>W * 8);
    const m = red.m;
    let E = 0;
    for (let i = 0; i < nr; i++) E += m.deg(unchecked(rows[i]));
    this.eoff = new StaticArray<i32>(nr + 1);
    this.ecol = new StaticArray<i32>(E);
    this.group = new StaticArray<i32>(E);
    let w = 0;
    for (let i = 0; i < nr; i++) {
      const r = unchecked(rows[i]);
      const e = unchecked(m.off[r + 1]);
      for (let q = unchecked(m.off[r]); q < e; q++) {
        const j = unchecked(colLocal[<i32>unchecked(m.idx[q])]);
        unchecked((this.ecol[w] = j));
        unchecked((this.group[w] = -1));
        w++;
        setBit(this.rowBits + <usize>i * W * 8, j);
        setBit(this.colBits + <usize>j * V * 8, i);
      }
      unchecked((this.eoff[i + 1] = w));
    }
    copy(this.rRow, this.rowBits, nr * W);
    copy(this.rCol, this.colBits, nc * V);
  }

  dispose(): void {
    heap.free(this.rowBits);
    heap.free(this.colBits);
    heap.free(this.rRow);
    heap.free(this.rCol);
    heap.free(this.up);
    heap.free(this.ucp);
    heap.free(this.pp);
    heap.free(this.pcu);
  }

  @inline rowPtr(base: usize, i: i32): usize {
    return base + <usize>i * this.W * 8;
  }
  @inline colPtr(base: usize, j: i32): usize {
    return base + <usize>j * this.V * 8;
  }

  /** Edge id of (i, j); the grant must exist. Binary search in row i's sorted columns. */
  edgeId(i: i32, j: i32): i32 {
    let lo = unchecked(this.eoff[i]);
    let hi = unchecked(this.eoff[i + 1]) - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(this.ecol[mid]) < j) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  @inline unplace(i: i32, j: i32): void {
    clearBit(this.rowPtr(this.rRow, i), j);
    clearBit(this.colPtr(this.rCol, j), i);
  }

  /** Computes U' (this.up) and P' (this.pp): the identities and entitlements of N_R[(u,p)]. */
  neighbourhood(u: i32, p: i32): void {
    const W = this.W;
    const V = this.V;
    const up = this.up;
    const pp = this.pp;
    zero(up, V);
    zero(pp, W);
    const urow = this.rowPtr(this.rowBits, u);
    const pcol = this.colPtr(this.colBits, p);
    for (let r = nextBit(pcol, V, 0); r >= 0; r = nextBit(pcol, V, r + 1)) {
      if (intersects(this.rowPtr(this.rRow, r), urow, W)) setBit(up, r);
    }
    for (let c = nextBit(urow, W, 0); c >= 0; c = nextBit(urow, W, c + 1)) {
      if (intersects(this.colPtr(this.rCol, c), pcol, V)) setBit(pp, c);
    }
  }

  /** Applies the reductions to grant (u,p), which is in R. Returns true if R changed. */
  reduceAt(u: i32, p: i32): bool {
    const W = this.W;
    const V = this.V;
    this.neighbourhood(u, p);
    const up = this.up;
    const pp = this.pp;
    // P_c(U'): entitlements every identity of U' holds; U_c(P'): identities holding all of P'.
    const pcu = this.pcu;
    copy(pcu, this.rowPtr(this.rowBits, u), W);
    for (let r = nextBit(up, V, 0); r >= 0; r = nextBit(up, V, r + 1)) andInto(pcu, this.rowPtr(this.rowBits, r), W);
    if (isSubset(pp, pcu, W)) {
      // Simplicial: N_R[(u,p)] is a biclique. Its grants form one role.
      const g = this.groups++;
      for (let r = nextBit(up, V, 0); r >= 0; r = nextBit(up, V, r + 1)) {
        const rr = this.rowPtr(this.rRow, r);
        for (let c = nextBit(rr, W, 0); c >= 0; c = nextBit(rr, W, c + 1)) {
          if (!getBit(pp, c)) continue;
          unchecked((this.group[this.edgeId(r, c)] = g));
          this.unplace(r, c);
        }
      }
      return true;
    }
    const ucp = this.ucp;
    copy(ucp, this.colPtr(this.colBits, p), V);
    for (let c = nextBit(pp, W, 0); c >= 0; c = nextBit(pp, W, c + 1)) andInto(ucp, this.colPtr(this.colBits, c), V);
    andInto(ucp, up, V); // A = U' & U_c(P')
    andInto(pcu, pp, W); // B = P' & P_c(U')
    let changed = false;
    const e1 = this.edgeId(u, p);
    for (let r = nextBit(ucp, V, 0); r >= 0; r = nextBit(ucp, V, r + 1)) {
      const rr = this.rowPtr(this.rRow, r);
      for (let c = nextBit(rr, W, 0); c >= 0; c = nextBit(rr, W, c + 1)) {
        if (!getBit(pcu, c) || (r == u && c == p)) continue;
        this.logE2.push(this.edgeId(r, c));
        this.logE1.push(e1);
        this.unplace(r, c);
        changed = true;
      }
    }
    return changed;
  }

  /** Runs reductions, then the kernel; leaves every edge with a group. */
  solve(stats: ExactStats, nodeBudget: i64): void {
    const nr = this.nr;
    const W = this.W;
    let changed = true;
    while (changed) {
      changed = false;
      stats.reductionRounds++;
      for (let i = 0; i < nr; i++) {
        const rr = this.rowPtr(this.rRow, i);
        for (let j = nextBit(rr, W, 0); j >= 0; j = nextBit(rr, W, j + 1)) {
          if (this.reduceAt(i, j)) changed = true;
        }
      }
    }
    const reducedGroups = this.groups;
    const lb = this.solveKernel(stats, nodeBudget);
    stats.lowerBound += <i64>(reducedGroups + lb);
    // Dominated grants join their dominator's role, latest removal first.
    for (let q = this.logE2.length - 1; q >= 0; q--) {
      unchecked((this.group[this.logE2[q]] = this.group[this.logE1[q]]));
    }
  }

  /** Colours the kernel's compatibility components; returns the sum of their lower bounds. */
  solveKernel(stats: ExactStats, nodeBudget: i64): i32 {
    const nr = this.nr;
    const W = this.W;
    const V = this.V;
    // Kernel grants, in (row, column) order.
    const kr: Array<i32> = [];
    const kc: Array<i32> = [];
    for (let i = 0; i < nr; i++) {
      const rr = this.rowPtr(this.rRow, i);
      for (let j = nextBit(rr, W, 0); j >= 0; j = nextBit(rr, W, j + 1)) {
        kr.push(i);
        kc.push(j);
      }
    }
    const K = kr.length;
    if (K == 0) return 0;
    stats.kernelGrants += K;
    const kOf = new StaticArray<i32>(this.ecol.length);
    for (let q = 0; q < K; q++) unchecked((kOf[this.edgeId(kr[q], kc[q])] = q));
    // Compatibility components by union-find over kernel grants.
    const parent = new StaticArray<i32>(K);
    for (let q = 0; q < K; q++) unchecked((parent[q] = q));
    for (let q = 0; q < K; q++) {
      const u = unchecked(kr[q]);
      const p = unchecked(kc[q]);
      const urow = this.rowPtr(this.rowBits, u);
      const pcol = this.colPtr(this.colBits, p);
      for (let r = nextBit(pcol, V, 0); r >= 0; r = nextBit(pcol, V, r + 1)) {
        const rr = this.rowPtr(this.rRow, r);
        for (let c = nextBit(rr, W, 0); c >= 0; c = nextBit(rr, W, c + 1)) {
          if (getBit(urow, c)) union(parent, q, unchecked(kOf[this.edgeId(r, c)]));
        }
      }
    }
    // Group kernel grants by component (components ordered by their first grant).
    const compId = new StaticArray<i32>(K);
    const rootLabel = new StaticArray<i32>(K);
    for (let q = 0; q < K; q++) unchecked((rootLabel[q] = -1));
    let ncomp = 0;
    for (let q = 0; q < K; q++) {
      const root = find(parent, q);
      if (unchecked(rootLabel[root]) < 0) unchecked((rootLabel[root] = ncomp++));
      unchecked((compId[q] = rootLabel[root]));
    }
    stats.kernelComponents += ncomp;
    const start = new StaticArray<i32>(ncomp + 1);
    for (let q = 0; q < K; q++) unchecked((start[compId[q] + 1] = start[compId[q] + 1] + 1));
    for (let c = 0; c < ncomp; c++) unchecked((start[c + 1] = start[c + 1] + start[c]));
    const members = new StaticArray<i32>(K);
    const fill = new StaticArray<i32>(ncomp);
    for (let q = 0; q < K; q++) {
      const c = unchecked(compId[q]);
      unchecked((members[start[c] + fill[c]] = q));
      unchecked((fill[c] = fill[c] + 1));
    }
    let lbSum = 0;
    for (let c = 0; c < ncomp; c++) {
      const s = unchecked(start[c]);
      const k = unchecked(start[c + 1]) - s;
      if (<i64>k > stats.largestKernel) stats.largestKernel = k;
      if (k == 1) {
        unchecked((this.group[this.edgeId(kr[members[s]], kc[members[s]])] = this.groups++));
        lbSum += 1;
        continue;
      }
      if (k > KERNEL_MATRIX_LIMIT) {
        // Too large for a k x k matrix: greedy cover and a greedy bound, straight from the bitsets.
        lbSum += this.greedyKernel(kr, kc, members, s, k);
        stats.proven = false;
        continue;
      }
      // Incompatibility graph of this component: k x k bitset.
      const kw = wordsFor(k);
      const inc = heap.alloc(<usize>k * kw * 8);
      zero(inc, k * kw);
      for (let a = 0; a < k; a++) {
        const qa = unchecked(members[s + a]);
        const ua = unchecked(kr[qa]);
        const pa = unchecked(kc[qa]);
        const rowA = this.rowPtr(this.rowBits, ua);
        for (let b = a + 1; b < k; b++) {
          const qb = unchecked(members[s + b]);
          if (!getBit(rowA, unchecked(kc[qb])) || !getBit(this.rowPtr(this.rowBits, unchecked(kr[qb])), pa)) {
            setBit(inc + <usize>a * kw * 8, b);
            setBit(inc + <usize>b * kw * 8, a);
          }
        }
      }
      const color = new StaticArray<i32>(k);
      const res = colorGraph(k, inc, kw, color, k <= KERNEL_EXACT_LIMIT ? nodeBudget : 0);
      heap.free(inc);
      stats.nodes += res.nodes;
      if (!res.proven) stats.proven = false;
      lbSum += res.lowerBound;
      const base = this.groups;
      for (let a = 0; a < k; a++) {
        const qa = unchecked(members[s + a]);
        unchecked((this.group[this.edgeId(kr[qa], kc[qa])] = base + color[a]));
      }
      this.groups += res.colors;
      if (progress(PHASE_MINE, -1)) return lbSum;
    }
    return lbSum;
  }

  @inline compatible(u1: i32, p1: i32, u2: i32, p2: i32): bool {
    return getBit(this.rowPtr(this.rowBits, u1), p2) && getBit(this.rowPtr(this.rowBits, u2), p1);
  }

  /**
   * Greedy clique cover of a large kernel component (grants members[s..s+k) of kr/kc): each
   * uncovered grant in order seeds a role, which takes every uncovered grant compatible with all
   * its grants (the identity holds all its entitlements, all its identities hold the entitlement).
   * Returns a lower bound: a greedy set of pairwise incompatible grants.
   */
  greedyKernel(kr: Array<i32>, kc: Array<i32>, members: StaticArray<i32>, s: i32, k: i32): i32 {
    const W = this.W;
    const V = this.V;
    const us = heap.alloc(<usize>V * 8); // identities of the role being built
    const ps = heap.alloc(<usize>W * 8); // its entitlements
    for (let a = 0; a < k; a++) {
      const qa = unchecked(members[s + a]);
      const ea = this.edgeId(kr[qa], kc[qa]);
      if (unchecked(this.group[ea]) >= 0) continue;
      const g = this.groups++;
      unchecked((this.group[ea] = g));
      zero(us, V);
      zero(ps, W);
      setBit(us, kr[qa]);
      setBit(ps, kc[qa]);
      // Candidates: kernel grants (still in R) compatible with the seed, i.e. inside its
      // identities-holding-p x entitlements-of-u window, in (row, column) order.
      const ua = kr[qa];
      const pa = kc[qa];
      const urow = this.rowPtr(this.rowBits, ua);
      const pcol = this.colPtr(this.colBits, pa);
      for (let u = nextBit(pcol, V, 0); u >= 0; u = nextBit(pcol, V, u + 1)) {
        const rr = this.rowPtr(this.rRow, u);
        for (let p = nextBit(rr, W, 0); p >= 0; p = nextBit(rr, W, p + 1)) {
          if (!getBit(urow, p)) continue;
          const eb = this.edgeId(u, p);
          if (unchecked(this.group[eb]) >= 0) continue;
          if (!isSubset(ps, this.rowPtr(this.rowBits, u), W) || !isSubset(us, this.colPtr(this.colBits, p), V)) continue;
          unchecked((this.group[eb] = g));
          setBit(us, u);
          setBit(ps, p);
        }
      }
    }
    heap.free(us);
    heap.free(ps);
    const chosen: Array<i32> = [];
    for (let a = 0; a < k; a++) {
      const qa = unchecked(members[s + a]);
      let ok = true;
      for (let x = 0; x < chosen.length && ok; x++) {
        const qb = chosen[x];
        if (this.compatible(kr[qa], kc[qa], kr[qb], kc[qb])) ok = false;
      }
      if (ok) chosen.push(qa);
    }
    return chosen.length;
  }

  /** Appends one role per group: the identities and entitlements of its grants (reduced ids). */
  emit(sink: RoleSink): void {
    const G = this.groups;
    const E = this.ecol.length;
    // Counting sort of edges by group.
    const gstart = new StaticArray<i32>(G + 1);
    for (let e = 0; e < E; e++) unchecked((gstart[this.group[e] + 1] = gstart[this.group[e] + 1] + 1));
    for (let g = 0; g < G; g++) unchecked((gstart[g + 1] = gstart[g + 1] + gstart[g]));
    const byGroupRow = new StaticArray<i32>(E);
    const byGroupCol = new StaticArray<i32>(E);
    const pos = new StaticArray<i32>(G);
    for (let i = 0; i < this.nr; i++) {
      for (let e = unchecked(this.eoff[i]); e < unchecked(this.eoff[i + 1]); e++) {
        const g = unchecked(this.group[e]);
        const p = unchecked(gstart[g]) + unchecked(pos[g]);
        unchecked((byGroupRow[p] = i));
        unchecked((byGroupCol[p] = this.ecol[e]));
        unchecked((pos[g] = pos[g] + 1));
      }
    }
    const rowMark = new StaticArray<i32>(this.nr);
    const colMark = new StaticArray<i32>(this.nc);
    for (let i = 0; i < this.nr; i++) unchecked((rowMark[i] = -1));
    for (let j = 0; j < this.nc; j++) unchecked((colMark[j] = -1));
    const tmpCols: Array<i32> = [];
    for (let g = 0; g < G; g++) {
      const s = unchecked(gstart[g]);
      const e = unchecked(gstart[g + 1]);
      if (s == e) continue; // a colour class emptied (cannot happen with contiguous colours)
      tmpCols.length = 0;
      for (let p = s; p < e; p++) {
        const i = unchecked(byGroupRow[p]);
        if (unchecked(rowMark[i]) != g) {
          unchecked((rowMark[i] = g));
          sink.rows.push(<u32>unchecked(this.rows[i]));
        }
        const j = unchecked(byGroupCol[p]);
        if (unchecked(colMark[j]) != g) {
          unchecked((colMark[j] = g));
          tmpCols.push(j);
        }
      }
      tmpCols.sort((a: i32, b: i32): i32 => a - b);
      for (let t = 0; t < tmpCols.length; t++) sink.cols.push(<u32>unchecked(this.cols[tmpCols[t]]));
      sink.rowOff.push(<u32>sink.rows.length);
      sink.colOff.push(<u32>sink.cols.length);
    }
  }
}
