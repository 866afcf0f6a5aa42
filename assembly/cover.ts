// Minimum clique partition of a small "compatibility" graph, solved as graph colouring of its
// complement (the "incompatibility" graph): a set of grants that can share one role is exactly a
// clique of pairwise-compatible grants (see exact.ts), so the fewest roles for the kernel equals the
// chromatic number of the incompatibility graph.
//
// - Lower bound: a large clique of the incompatibility graph (pairwise incompatible grants, no two of
//   which can share a role), greedy from several seeds, maximising remaining candidates (the bound
//   ALGORITHMS.md reports as sharp on most HP datasets).
// - Upper bound: DSATUR (Brelaz 1979).
// - Exact: DSATUR branch and bound (Brelaz 1979; San Segundo 2012) under a deterministic work budget
//   (vertex scans, not time), so the same input always gives the same answer whatever the machine.

import { andPopcount, getBit, nextBit, popcount, setBit, zero, andInto, isEmpty, intersects } from './bitset';

export class CoverResult {
  colors: i32 = 0;
  lowerBound: i32 = 0;
  proven: bool = false;
  nodes: i64 = 0;
}

/**
 * `inc` holds k rows of `kw` u64 words: bit j of row i set when vertices i and j are incompatible
 * (symmetric, no self-loops). Writes a colour per vertex into `color` (0-based, contiguous).
 */
export function colorGraph(k: i32, inc: usize, kw: i32, color: StaticArray<i32>, nodeBudget: i64): CoverResult {
  const res = new CoverResult();
  if (k == 0) {
    res.proven = true;
    return res;
  }
  const rowBytes = <usize>kw << 3;
  const deg = new StaticArray<i32>(k);
  for (let i = 0; i < k; i++) unchecked((deg[i] = popcount(inc + <usize>i * rowBytes, kw)));

  res.lowerBound = cliqueLowerBound(k, inc, kw, deg);

  // Upper bound by DSATUR, then improved by iterated greedy recolouring.
  let ub = dsatur(k, inc, kw, deg, color);
  if (ub > res.lowerBound) ub = iteratedGreedy(k, inc, kw, color, ub, res.lowerBound);
  res.colors = ub;
  if (ub <= res.lowerBound) {
    res.proven = true;
    return res;
  }
  const bb = new ExactColoring(k, inc, kw, deg, ub, res.lowerBound, nodeBudget);
  bb.run();
  res.nodes = bb.nodes;
  if (bb.best < ub) {
    res.colors = bb.best;
    for (let i = 0; i < k; i++) unchecked((color[i] = bb.bestColor[i]));
  }
  res.proven = bb.completed || res.colors <= res.lowerBound;
  if (bb.completed) res.lowerBound = res.colors;
  return res;
}

function cliqueLowerBound(k: i32, inc: usize, kw: i32, deg: StaticArray<i32>): i32 {
  const rowBytes = <usize>kw << 3;
  const cand = heap.alloc(rowBytes);
  // Seeds: vertices in descending degree order, the top 24 (deterministic: ties by index).
  const order = new StaticArray<i32>(k);
  for (let i = 0; i < k; i++) unchecked((order[i] = i));
  sortByDegreeDesc(order, deg);
  let best = 1;
  // Each seed costs about clique size x k^2/64 word operations: fewer seeds on large graphs.
  const maxSeeds = k <= 2000 ? 24 : k <= 8000 ? 4 : 1;
  const seeds = k < maxSeeds ? k : maxSeeds;
  for (let s = 0; s < seeds; s++) {
    const v0 = unchecked(order[s]);
    if (unchecked(deg[v0]) + 1 <= best) continue;
    memory.copy(cand, inc + <usize>v0 * rowBytes, rowBytes);
    let size = 1;
    while (!isEmpty(cand, kw)) {
      // Pick the candidate that keeps the most candidates.
      let bestV = -1;
      let bestScore: i64 = -1;
      for (let v = nextBit(cand, kw, 0); v >= 0; v = nextBit(cand, kw, v + 1)) {
        const sc = andPopcount(cand, inc + <usize>v * rowBytes, kw);
        if (sc > bestScore) {
          bestScore = sc;
          bestV = v;
        }
      }
      size++;
      andInto(cand, inc + <usize>bestV * rowBytes, kw);
    }
    if (size > best) best = size;
  }
  heap.free(cand);
  return best;
}

function sortByDegreeDesc(order: StaticArray<i32>, deg: StaticArray<i32>): void {
  // Insertion sort is fine for the sizes the exact path takes (k <= a few thousand), but use a
  // key sort to stay O(k log k): key = (maxDeg - deg) << 32 | index.
  const k = order.length;
  const keys = new StaticArray<u64>(k);
  for (let i = 0; i < k; i++) {
    const v = unchecked(order[i]);
    unchecked((keys[i] = (<u64>(0x7fffffff - unchecked(deg[v])) << 32) | <u64>v));
  }
  keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0; i < k; i++) unchecked((order[i] = <i32>(keys[i] & 0xffffffff)));
}

function dsatur(k: i32, inc: usize, kw: i32, deg: StaticArray<i32>, color: StaticArray<i32>): i32 {
  const rowBytes = <usize>kw << 3;
  // used[v] = bitset over colours used by v's neighbours (at most k colours).
  const used = heap.alloc(<usize>k * rowBytes);
  zero(used, k * kw);
  const sat = new StaticArray<i32>(k);
  for (let i = 0; i < k; i++) unchecked((color[i] = -1));
  let ncolors = 0;
  for (let step = 0; step < k; step++) {
    let v = -1;
    for (let i = 0; i < k; i++) {
      if (unchecked(color[i]) >= 0) continue;
      if (
        v < 0 ||
        unchecked(sat[i]) > unchecked(sat[v]) ||
        (unchecked(sat[i]) == unchecked(sat[v]) && unchecked(deg[i]) > unchecked(deg[v]))
      )
        v = i;
    }
    // Smallest colour not used by a neighbour.
    const uv = used + <usize>v * rowBytes;
    let c = 0;
    while (getBit(uv, c)) c++;
    unchecked((color[v] = c));
    if (c + 1 > ncolors) ncolors = c + 1;
    const row = inc + <usize>v * rowBytes;
    for (let w = nextBit(row, kw, 0); w >= 0; w = nextBit(row, kw, w + 1)) {
      const uw = used + <usize>w * rowBytes;
      if (!getBit(uw, c)) {
        setBit(uw, c);
        unchecked((sat[w] = sat[w] + 1));
      }
    }
  }
  heap.free(used);
  return ncolors;
}

/**
 * Iterated greedy (Culberson 1992): recolour first-fit, visiting vertices class by class in a new
 * class order. Vertices of one class stay mutually non-adjacent, so the count never rises. The
 * orders cycle through reversed, largest-first and smallest-first classes; a fixed number of rounds
 * keeps it deterministic. Returns the colour count; `color` holds the best colouring.
 */
function iteratedGreedy(k: i32, inc: usize, kw: i32, color: StaticArray<i32>, ncolors: i32, lb: i32): i32 {
  // About 1e9 word operations at most: rounds x k x colours x kw.
  const perRound = <f64>k * <f64>ncolors * <f64>kw;
  let rounds = <i32>Math.min(60, 1e9 / Math.max(1, perRound));
  if (rounds < 1) return ncolors;
  const rowBytes = <usize>kw << 3;
  const classBits = heap.alloc(<usize>k * rowBytes);
  const order = new StaticArray<i32>(k);
  const size = new StaticArray<i32>(k);
  const rank = new StaticArray<i32>(k);
  const next = new StaticArray<i32>(k);
  let best = ncolors;
  let stale = 0;
  for (let round = 0; round < rounds && best > lb && stale < 12; round++) {
    // Class order for this round.
    for (let c = 0; c < best; c++) unchecked((size[c] = 0));
    for (let v = 0; v < k; v++) unchecked((size[color[v]] = size[color[v]] + 1));
    const keys = new StaticArray<u64>(best);
    const rule = round % 3;
    for (let c = 0; c < best; c++) {
      const key: u64 = rule == 0 ? <u64>(best - 1 - c) : rule == 1 ? <u64>(k - unchecked(size[c])) : <u64>unchecked(size[c]);
      unchecked((keys[c] = (key << 32) | <u64>c));
    }
    keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    for (let x = 0; x < best; x++) unchecked((rank[<i32>(keys[x] & 0xffffffff)] = x));
    // Counting sort of vertices by the rank of their class.
    for (let x = 0; x <= best; x++) unchecked((next[x] = 0));
    for (let v = 0; v < k; v++) unchecked((next[rank[color[v]] + 1] = next[rank[color[v]] + 1] + 1));
    for (let x = 0; x < best; x++) unchecked((next[x + 1] = next[x + 1] + next[x]));
    for (let v = 0; v < k; v++) {
      const r = unchecked(rank[color[v]]);
      unchecked((order[next[r]] = v));
      unchecked((next[r] = next[r] + 1));
    }
    // First-fit in that order.
    zero(classBits, best * kw);
    let used = 0;
    for (let x = 0; x < k; x++) {
      const v = unchecked(order[x]);
      const row = inc + <usize>v * rowBytes;
      let c = 0;
      while (c < used && intersects(row, classBits + <usize>c * rowBytes, kw)) c++;
      if (c == used) used++;
      setBit(classBits + <usize>c * rowBytes, v);
      unchecked((color[v] = c));
    }
    if (used < best) {
      best = used;
      stale = 0;
    } else stale++;
  }
  heap.free(classBits);
  return best;
}

/** DSATUR branch and bound; `best` starts at the heuristic bound and only improves. */
class ExactColoring {
  color: StaticArray<i32>;
  bestColor: StaticArray<i32>;
  cnt: StaticArray<i32>; // cnt[v * maxC + c]: coloured neighbours of v with colour c
  sat: StaticArray<i32>;
  nodes: i64 = 0;
  work: i64 = 0; // vertex scans: each node scans all k vertices, so this tracks time closely
  completed: bool = true;
  maxC: i32;

  constructor(
    public k: i32,
    public inc: usize,
    public kw: i32,
    public deg: StaticArray<i32>,
    public best: i32,
    public lb: i32,
    public budget: i64,
  ) {
    this.maxC = best;
    this.color = new StaticArray<i32>(k);
    this.bestColor = new StaticArray<i32>(k);
    this.cnt = new StaticArray<i32>(k * best);
    this.sat = new StaticArray<i32>(k);
    for (let i = 0; i < k; i++) unchecked((this.color[i] = -1));
  }

  run(): void {
    this.dfs(0, 0);
  }

  dfs(colored: i32, ncolors: i32): void {
    if (this.best <= this.lb) return;
    this.nodes++;
    this.work += this.k;
    if (this.work > this.budget) {
      this.completed = false;
      return;
    }
    const k = this.k;
    if (colored == k) {
      if (ncolors < this.best) {
        this.best = ncolors;
        for (let i = 0; i < k; i++) unchecked((this.bestColor[i] = this.color[i]));
      }
      return;
    }
    let v = -1;
    for (let i = 0; i < k; i++) {
      if (unchecked(this.color[i]) >= 0) continue;
      if (
        v < 0 ||
        unchecked(this.sat[i]) > unchecked(this.sat[v]) ||
        (unchecked(this.sat[i]) == unchecked(this.sat[v]) && unchecked(this.deg[i]) > unchecked(this.deg[v]))
      )
        v = i;
    }
    // A vertex that sees best-1 colours already forces best colours: prune.
    if (unchecked(this.sat[v]) >= this.best - 1) return;
    const maxC = this.maxC;
    const row = this.inc + <usize>v * (<usize>this.kw << 3);
    const limit = ncolors < this.best - 1 ? ncolors : this.best - 2; // colours 0..limit allowed
    for (let c = 0; c <= limit; c++) {
      if (unchecked(this.cnt[v * maxC + c]) != 0) continue;
      unchecked((this.color[v] = c));
      for (let w = nextBit(row, this.kw, 0); w >= 0; w = nextBit(row, this.kw, w + 1)) {
        const p = w * maxC + c;
        const n = unchecked(this.cnt[p]);
        if (n == 0) unchecked((this.sat[w] = this.sat[w] + 1));
        unchecked((this.cnt[p] = n + 1));
      }
      this.dfs(colored + 1, c + 1 > ncolors ? c + 1 : ncolors);
      for (let w = nextBit(row, this.kw, 0); w >= 0; w = nextBit(row, this.kw, w + 1)) {
        const p = w * maxC + c;
        const n = unchecked(this.cnt[p]) - 1;
        if (n == 0) unchecked((this.sat[w] = this.sat[w] - 1));
        unchecked((this.cnt[p] = n));
      }
      unchecked((this.color[v] = -1));
      if (!this.completed || this.best <= this.lb) return;
    }
  }
}
