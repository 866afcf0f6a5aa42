// The identity-by-entitlement matrix in compressed sparse form, and its reductions.
//
// Storage is sorted id lists (CSR by identity, CSC by entitlement): 8 bytes per grant plus offsets,
// so 10M grants take ~80 MB plus the input buffers. Dense bitsets are only built later, per reduced
// connected component, where they pay off (exact.ts). This is the roaring-style split: sorted
// arrays for the sparse whole, bitsets for dense parts.

import { PHASE_LOAD, PHASE_REDUCE } from './status';
import { progress } from './progress';

/** Compressed sparse rows: row r's sorted column ids are idx[off[r] .. off[r+1]). */
export class Csr {
  constructor(
    public rows: i32,
    public cols: i32,
    public off: StaticArray<u32>,
    public idx: StaticArray<u32>,
  ) {}

  @inline deg(r: i32): i32 {
    return <i32>(unchecked(this.off[r + 1]) - unchecked(this.off[r]));
  }

  get nnz(): i32 {
    return <i32>unchecked(this.off[this.rows]);
  }

  /** The transpose, with sorted lists (counting sort: O(nnz + cols)). */
  transpose(): Csr {
    const cols = this.cols;
    const nnz = this.nnz;
    const off = offsetsOf(this.idx, nnz, cols);
    const pos = new StaticArray<u32>(cols);
    for (let c = 0; c < cols; c++) unchecked((pos[c] = off[c]));
    const idx = new StaticArray<u32>(nnz);
    for (let r = 0; r < this.rows; r++) {
      const e = unchecked(this.off[r + 1]);
      for (let k = unchecked(this.off[r]); k < e; k++) {
        const c = unchecked(this.idx[k]);
        const p = unchecked(pos[c]);
        unchecked((idx[p] = r));
        unchecked((pos[c] = p + 1));
      }
    }
    return new Csr(cols, this.rows, off, idx);
  }
}

/** The offsets of a counting sort of ids[0..n) over [0, size): off[v] is where value v's run starts, off[size] = n. */
function offsetsOf(ids: StaticArray<u32>, n: i32, size: i32): StaticArray<u32> {
  const off = new StaticArray<u32>(size + 1);
  for (let i = 0; i < n; i++) {
    const v = unchecked(ids[i]);
    unchecked((off[v + 1] = off[v + 1] + 1));
  }
  for (let v = 0; v < size; v++) unchecked((off[v + 1] = off[v + 1] + off[v]));
  return off;
}

/**
 * Builds the deduplicated CSR from unsorted (row, col) pairs: two stable counting sorts (by col,
 * then by row), so each row's list comes out ascending and duplicates adjacent; pairs that are
 * already in that order are copied as they are. O(n + rows + cols).
 * Returns null if an id is out of range. `dupOut[0]` receives the number of duplicates dropped.
 */
export function buildCsr(
  rows: i32,
  cols: i32,
  n: i32,
  inRow: StaticArray<u32>,
  inCol: StaticArray<u32>,
  dupOut: StaticArray<i32>,
): Csr | null {
  for (let i = 0; i < n; i++) {
    if (unchecked(inRow[i]) >= <u32>rows || unchecked(inCol[i]) >= <u32>cols) return null;
  }
  progress(PHASE_LOAD, 0.1);
  const off = offsetsOf(inRow, n, rows);
  const idx = new StaticArray<u32>(n);
  // Pairs already by row, columns ascending within each row (the governed grants come so): the
  // counting sorts below would rebuild this very order, so the columns are taken as they are.
  let sorted = true;
  for (let i = 1; i < n; i++) {
    const r0 = unchecked(inRow[i - 1]);
    const r1 = unchecked(inRow[i]);
    if (r1 < r0 || (r1 == r0 && unchecked(inCol[i]) < unchecked(inCol[i - 1]))) {
      sorted = false;
      break;
    }
  }
  if (sorted) {
    memory.copy(changetype<usize>(idx), changetype<usize>(inCol), <usize>n << 2);
  } else {
    // Pass 1: stable by column.
    const cpos = offsetsOf(inCol, n, cols);
    const byColRow = new StaticArray<u32>(n);
    for (let i = 0; i < n; i++) {
      const c = unchecked(inCol[i]);
      const p = unchecked(cpos[c]);
      unchecked((byColRow[p] = inRow[i]));
      unchecked((cpos[c] = p + 1));
    }
    progress(PHASE_LOAD, 0.4);
    // Pass 2: stable by row; iterating columns in order yields ascending columns within each row.
    const rpos = new StaticArray<u32>(rows);
    for (let r = 0; r < rows; r++) unchecked((rpos[r] = off[r]));
    let k: u32 = 0;
    for (let c = 0; c < cols; c++) {
      const e = unchecked(cpos[c]); // after pass 1, cpos[c] = end of column c
      for (; k < e; k++) {
        const r = unchecked(byColRow[k]);
        const p = unchecked(rpos[r]);
        unchecked((idx[p] = c));
        unchecked((rpos[r] = p + 1));
      }
    }
  }
  progress(PHASE_LOAD, 0.7);
  // Drop adjacent duplicates in place and rewrite offsets.
  let w: u32 = 0;
  let start: u32 = 0;
  for (let r = 0; r < rows; r++) {
    const e = unchecked(off[r + 1]);
    const rowStart = w;
    let last: i64 = -1;
    for (let q = start; q < e; q++) {
      const c = unchecked(idx[q]);
      if (<i64>c != last) {
        unchecked((idx[w++] = c));
        last = <i64>c;
      }
    }
    unchecked((off[r] = rowStart));
    start = e;
  }
  unchecked((off[rows] = w));
  unchecked((dupOut[0] = n - <i32>w));
  const out = new StaticArray<u32>(<i32>w);
  memory.copy(changetype<usize>(out), changetype<usize>(idx), <usize>w << 2);
  return new Csr(rows, cols, off, out);
}

function hashRow(m: Csr, r: i32): u32 {
  // FNV-1a over the ids, then a final avalanche (murmur3 fmix32).
  let h: u32 = 2166136261;
  const e = unchecked(m.off[r + 1]);
  for (let k = unchecked(m.off[r]); k < e; k++) {
    h = (h ^ unchecked(m.idx[k])) * 16777619;
  }
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

function sameRow(m: Csr, a: i32, b: i32): bool {
  const da = m.deg(a);
  if (da != m.deg(b)) return false;
  return (
    memory.compare(
      changetype<usize>(m.idx) + (<usize>unchecked(m.off[a]) << 2),
      changetype<usize>(m.idx) + (<usize>unchecked(m.off[b]) << 2),
      <usize>da << 2,
    ) == 0
  );
}

/**
 * Twin classes: rows with identical lists share a class. Classes are numbered in order of their
 * smallest row, so the numbering depends only on the matrix, never on input row order. Rows with no
 * entries get class -1 (an identity named but holding nothing contributes no grant).
 * Returns the class count; `cls[r]` receives the class of row r.
 */
export function twinClasses(m: Csr, cls: StaticArray<i32>): i32 {
  const rows = m.rows;
  // Sort (hash << 32 | row): equal rows become adjacent runs, ties broken by row id.
  const keys = new StaticArray<u64>(rows);
  let nk = 0;
  for (let r = 0; r < rows; r++) {
    if (m.deg(r) == 0) continue;
    unchecked((keys[nk++] = (<u64>hashRow(m, r) << 32) | <u64>r));
  }
  const sorted = sortU64(keys, nk);
  const rep = new StaticArray<i32>(rows);
  for (let r = 0; r < rows; r++) unchecked((rep[r] = -1));
  let i = 0;
  while (i < nk) {
    const h = unchecked(sorted[i]) >>> 32;
    let j = i + 1;
    while (j < nk && unchecked(sorted[j]) >>> 32 == h) j++;
    // Within a run of equal hashes, assign each row to the first earlier row with equal content.
    // Runs hold almost always one distinct content, so this is linear in practice.
    for (let a = i; a < j; a++) {
      const ra = <i32>(unchecked(sorted[a]) & 0xffffffff);
      if (unchecked(rep[ra]) >= 0) continue;
      unchecked((rep[ra] = ra));
      for (let b = a + 1; b < j; b++) {
        const rb = <i32>(unchecked(sorted[b]) & 0xffffffff);
        if (unchecked(rep[rb]) < 0 && sameRow(m, ra, rb)) unchecked((rep[rb] = ra));
      }
    }
    i = j;
  }
  // ra is the smallest row of its class (rows ascend within a run), so ascending rows number classes.
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const p = unchecked(rep[r]);
    if (p < 0) unchecked((cls[r] = -1));
    else if (p == r) unchecked((cls[r] = n++));
    else unchecked((cls[r] = cls[p]));
  }
  return n;
}

/** LSD radix sort of the first n keys (8 passes of 8 bits); returns a new array. O(n). */
export function sortU64(keys: StaticArray<u64>, n: i32): StaticArray<u64> {
  let a = new StaticArray<u64>(n);
  memory.copy(changetype<usize>(a), changetype<usize>(keys), <usize>n << 3);
  let b = new StaticArray<u64>(n);
  const count = new StaticArray<i32>(256);
  for (let shift: u64 = 0; shift < 64; shift += 8) {
    for (let i = 0; i < 256; i++) unchecked((count[i] = 0));
    for (let i = 0; i < n; i++) {
      const d = <i32>((unchecked(a[i]) >>> shift) & 0xff);
      unchecked((count[d] = count[d] + 1));
    }
    if (unchecked(count[<i32>((unchecked(a[0]) >>> shift) & 0xff)]) == n) continue; // digit constant
    let s = 0;
    for (let i = 0; i < 256; i++) {
      const c = unchecked(count[i]);
      unchecked((count[i] = s));
      s += c;
    }
    for (let i = 0; i < n; i++) {
      const v = unchecked(a[i]);
      const d = <i32>((v >>> shift) & 0xff);
      const p = unchecked(count[d]);
      unchecked((b[p] = v));
      unchecked((count[d] = p + 1));
    }
    const t = a;
    a = b;
    b = t;
  }
  return a;
}

/**
 * The matrix after merging twin identities and twin entitlements (Ene et al. 2008: merging twins
 * preserves the minimum number of roles). Row i of `m` is identity class i; `rowWeight[i]` counts its
 * identities; the same for columns.
 */
export class Reduced {
  constructor(
    public m: Csr,
    public t: Csr,
    public rowOf: StaticArray<i32>, // identity -> class or -1
    public colOf: StaticArray<i32>, // entitlement -> class or -1
    public rowWeight: StaticArray<i32>,
    public colWeight: StaticArray<i32>,
  ) {}
}

export function reduce(m: Csr, t: Csr): Reduced {
  const rowOf = new StaticArray<i32>(m.rows);
  const nr = twinClasses(m, rowOf);
  progress(PHASE_REDUCE, 0.3);
  const colOf = new StaticArray<i32>(m.cols);
  const nc = twinClasses(t, colOf);
  progress(PHASE_REDUCE, 0.6);
  const rowWeight = new StaticArray<i32>(nr);
  const repRow = new StaticArray<i32>(nr);
  for (let r = m.rows - 1; r >= 0; r--) {
    const k = unchecked(rowOf[r]);
    if (k < 0) continue;
    unchecked((rowWeight[k] = rowWeight[k] + 1));
    unchecked((repRow[k] = r));
  }
  const colWeight = new StaticArray<i32>(nc);
  for (let c = 0; c < m.cols; c++) {
    const k = unchecked(colOf[c]);
    if (k >= 0) unchecked((colWeight[k] = colWeight[k] + 1));
  }
  // Reduced rows: the representative's entitlements mapped to classes. Twin columns share a class
  // and hold exactly the same rows, so a row either has all of a class's columns or none: take the
  // class once, at the column that is its smallest member (colOf numbers classes by smallest member).
  const firstOfClass = new StaticArray<i32>(nc);
  for (let i = 0; i < nc; i++) unchecked((firstOfClass[i] = -1));
  for (let c = 0; c < m.cols; c++) {
    const k = unchecked(colOf[c]);
    if (k >= 0 && unchecked(firstOfClass[k]) < 0) unchecked((firstOfClass[k] = c));
  }
  const off = new StaticArray<u32>(nr + 1);
  let nnz: u32 = 0;
  for (let i = 0; i < nr; i++) {
    const r = unchecked(repRow[i]);
    const e = unchecked(m.off[r + 1]);
    for (let q = unchecked(m.off[r]); q < e; q++) {
      const c = <i32>unchecked(m.idx[q]);
      if (unchecked(firstOfClass[unchecked(colOf[c])]) == c) nnz++;
    }
    unchecked((off[i + 1] = nnz));
  }
  const idx = new StaticArray<u32>(<i32>nnz);
  let w = 0;
  for (let i = 0; i < nr; i++) {
    const r = unchecked(repRow[i]);
    const e = unchecked(m.off[r + 1]);
    for (let q = unchecked(m.off[r]); q < e; q++) {
      const c = <i32>unchecked(m.idx[q]);
      const k = unchecked(colOf[c]);
      if (unchecked(firstOfClass[k]) == c) unchecked((idx[w++] = k));
    }
    // Classes ascend with their smallest member, and members were visited ascending: sorted already.
  }
  const rm = new Csr(nr, nc, off, idx);
  return new Reduced(rm, rm.transpose(), rowOf, colOf, rowWeight, colWeight);
}

/**
 * Connected components of the bipartite graph of `red` (union-find over rows and columns).
 * Components are numbered by their smallest row; `compOfRow[i]` receives each row's component.
 * Every column belongs to the component of its rows (no empty columns exist after reduction).
 */
export function components(red: Reduced, compOfRow: StaticArray<i32>): i32 {
  const nr = red.m.rows;
  const nc = red.m.cols;
  const parent = new StaticArray<i32>(nr + nc);
  for (let i = 0; i < nr + nc; i++) unchecked((parent[i] = i));
  for (let r = 0; r < nr; r++) {
    const e = unchecked(red.m.off[r + 1]);
    for (let q = unchecked(red.m.off[r]); q < e; q++) {
      union(parent, r, nr + <i32>unchecked(red.m.idx[q]));
    }
  }
  const label = new StaticArray<i32>(nr + nc);
  for (let i = 0; i < nr + nc; i++) unchecked((label[i] = -1));
  let n = 0;
  for (let r = 0; r < nr; r++) {
    const root = find(parent, r);
    if (unchecked(label[root]) < 0) unchecked((label[root] = n++));
    unchecked((compOfRow[r] = label[root]));
  }
  return n;
}

/** Union-find root with path halving. */
export function find(parent: StaticArray<i32>, x: i32): i32 {
  while (unchecked(parent[x]) != x) {
    const g = unchecked(parent[unchecked(parent[x])]);
    unchecked((parent[x] = g));
    x = g;
  }
  return x;
}

/** Union by smaller root id, so roots (and numbering by root) stay deterministic. */
export function union(parent: StaticArray<i32>, a: i32, b: i32): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra < rb) unchecked((parent[rb] = ra));
  else if (rb < ra) unchecked((parent[ra] = rb));
}
