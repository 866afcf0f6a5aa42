// rolemill core: the only export surface of the WebAssembly module. The host (src/engine/abi.ts)
// describes these exports in one typed interface and is the only code touching this memory.
//
// Protocol (integers across the boundary, bulk data in linear memory):
//   1. p = inputBuffer(n); host writes n identity ids at p, n entitlement ids at inputColsPtr().
//   2. load(identities, entitlements, n)      -> status; sorts, drops duplicates, builds CSR/CSC.
//   3. mine(objective, nodeBudget)             -> status; reduces, mines, fills the result buffers.
//   4. verify()                               -> status; checks the result against the matrix.
//   5. resultPtr(k) / resultLen(k), stat(k)    -> read results (copy out once; views go stale on growth).
// Status codes and result/stat indices are listed in status.ts and MUST match src/engine/abi.ts.

import { OK, ERR_STATE, ERR_RANGE, ERR_TOO_LARGE, ERR_ABORTED, PHASE_LOAD, PHASE_REDUCE, PHASE_MINE, PHASE_VERIFY } from './status';
import { Csr, buildCsr, reduce, components, Reduced } from './matrix';
import { Component, RoleSink, ExactStats, bitsetBytes } from './exact';
import { improveWsc } from './wsc';
import { ApproxCache, ApproxMiner, ApproxOptions, ApproxResult, AUTO } from './approx';
import { progress, abortRequested, resetAbort } from './progress';
export { benchBuffer, benchSecond, benchAndPopcount, benchAndPopcountScalar } from './bench';

let inRow = new StaticArray<u32>(0);
let inCol = new StaticArray<u32>(0);
let inN = 0;
let matrix: Csr | null = null;
let matrixT: Csr | null = null;
let duplicates = 0;

// Result buffers (original ids), see RESULT_* below.
let roleEntOff = new StaticArray<u32>(1);
let roleEnt = new StaticArray<u32>(0);
let roleIdOff = new StaticArray<u32>(1);
let roleId = new StaticArray<u32>(0);
let missRow = new StaticArray<u32>(0); // under-assigned grants (identity, entitlement)
let missCol = new StaticArray<u32>(0);
let overRow = new StaticArray<u32>(0); // over-assigned pairs
let overCol = new StaticArray<u32>(0);
let roleKind = new StaticArray<u32>(0); // per role: 0 technical, 1 birthright
let missReason = new StaticArray<u32>(0); // per under-assigned grant: EXC_* below
let roleOrigin = new StaticArray<u32>(0); // per role: seed index it came from, 0xffffffff if mined
let seeds = new StaticArray<u32>(0); // seed roles for the next mineApprox (see seedBuffer)
let hasResult = false;

// Exception reasons (MUST match EXCEPTION_REASONS order in src/model/tables.ts).
const EXC_UNEXPLAINED: u32 = 0; // its entitlement is in no role, though enough identities hold it
const EXC_RARE: u32 = 1; // its entitlement is held by fewer identities than a role needs
const EXC_OUTSIDE_ROLES: u32 = 2; // roles hold the entitlement, but none of this identity's roles

const stats = new StaticArray<f64>(32);
// Stat indices (MUST match STAT in src/engine/abi.ts).
const S_IDENTITIES = 0; // identities holding at least one grant
const S_ENTITLEMENTS = 1;
const S_GRANTS = 2;
const S_DUPLICATES = 3;
const S_ID_CLASSES = 4; // after merging twin identities
const S_ENT_CLASSES = 5;
const S_COMPONENTS = 6;
const S_ROLES = 7;
const S_LOWER_BOUND = 8;
const S_PROVEN = 9;
const S_KERNEL_GRANTS = 10;
const S_KERNEL_COMPONENTS = 11;
const S_LARGEST_KERNEL = 12;
const S_NODES = 13;
const S_UA = 14;
const S_PA = 15;
const S_UNDER = 16;
const S_OVER = 17;
const S_REDUCED_GRANTS = 18;
const S_ROUNDS = 19;
const S_LARGEST_COMPONENT_BYTES = 20;
const S_LARGEST_COMPONENT_ROWS = 21;
const S_LARGEST_COMPONENT_COLS = 22;
const S_CANDIDATES = 23;
const S_EVALUATIONS = 24;

export function inputBuffer(n: i32): usize {
  inRow = new StaticArray<u32>(n);
  inCol = new StaticArray<u32>(n);
  inN = n;
  return changetype<usize>(inRow);
}

export function inputColsPtr(): usize {
  return changetype<usize>(inCol);
}

export function load(identities: i32, entitlements: i32, n: i32): i32 {
  if (n != inN) return ERR_STATE;
  resetAbort();
  hasResult = false;
  const dup = new StaticArray<i32>(1);
  const m = buildCsr(identities, entitlements, n, inRow, inCol, dup);
  if (m == null) return ERR_RANGE;
  // The input buffers are no longer needed; let the collector reclaim them.
  inRow = new StaticArray<u32>(0);
  inCol = new StaticArray<u32>(0);
  inN = 0;
  matrix = m;
  matrixT = m.transpose();
  approxCache = new ApproxCache();
  duplicates = unchecked(dup[0]);
  for (let i = 0; i < stats.length; i++) unchecked((stats[i] = 0));
  let nId = 0;
  for (let r = 0; r < m.rows; r++) if (m.deg(r) > 0) nId++;
  let nEnt = 0;
  const t = matrixT!;
  for (let c = 0; c < t.rows; c++) if (t.deg(c) > 0) nEnt++;
  stats[S_IDENTITIES] = nId;
  stats[S_ENTITLEMENTS] = nEnt;
  stats[S_GRANTS] = m.nnz;
  stats[S_DUPLICATES] = duplicates;
  progress(PHASE_LOAD, 1);
  return abortRequested ? ERR_ABORTED : OK;
}

/** The largest bitset memory the exact solver may take for one component (bytes). */
let componentByteLimit: u64 = <u64>1536 << 20;
export function setComponentByteLimit(mb: i32): void {
  componentByteLimit = <u64>mb << 20;
}

/** The reduced matrix split into connected components (rows of component c: crows[cstart[c]..]). */
class Prepared {
  constructor(
    public red: Reduced,
    public ncomp: i32,
    public cstart: StaticArray<i32>,
    public crows: StaticArray<i32>,
    public compOfRow: StaticArray<i32>,
  ) {}
}

/** Merges twins and finds components; records their counts in the stats. */
function prepare(): Prepared {
  const red = reduce(matrix!, matrixT!);
  stats[S_ID_CLASSES] = red.m.rows;
  stats[S_ENT_CLASSES] = red.m.cols;
  stats[S_REDUCED_GRANTS] = red.m.nnz;
  const compOfRow = new StaticArray<i32>(red.m.rows);
  const ncomp = components(red, compOfRow);
  stats[S_COMPONENTS] = ncomp;
  const cstart = new StaticArray<i32>(ncomp + 1);
  for (let r = 0; r < red.m.rows; r++) unchecked((cstart[compOfRow[r] + 1] = cstart[compOfRow[r] + 1] + 1));
  for (let c = 0; c < ncomp; c++) unchecked((cstart[c + 1] = cstart[c + 1] + cstart[c]));
  const crows = new StaticArray<i32>(red.m.rows);
  const cfill = new StaticArray<i32>(ncomp);
  for (let r = 0; r < red.m.rows; r++) {
    const c = unchecked(compOfRow[r]);
    unchecked((crows[cstart[c] + cfill[c]] = r));
    unchecked((cfill[c] = cfill[c] + 1));
  }
  return new Prepared(red, ncomp, cstart, crows, compOfRow);
}

/**
 * Reductions only (no mining): twin classes, components, and the largest component's size and the
 * bitset memory exact mining would need for it. For data-quality checks and capacity planning.
 */
export function analyze(): i32 {
  if (matrix == null) return ERR_STATE;
  resetAbort();
  const p = prepare();
  const red = p.red;
  const colsOf = new StaticArray<i32>(p.ncomp);
  for (let j = 0; j < red.t.rows; j++) {
    const r = <i32>unchecked(red.t.idx[red.t.off[j]]);
    const c = unchecked(p.compOfRow[r]);
    unchecked((colsOf[c] = colsOf[c] + 1));
  }
  let best: u64 = 0;
  for (let c = 0; c < p.ncomp; c++) {
    const nr = unchecked(p.cstart[c + 1]) - unchecked(p.cstart[c]);
    const nc = unchecked(colsOf[c]);
    const bytes = nr == 1 || nc == 1 ? 0 : bitsetBytes(nr, nc);
    if (bytes > best || c == 0) {
      best = bytes;
      stats[S_LARGEST_COMPONENT_ROWS] = nr;
      stats[S_LARGEST_COMPONENT_COLS] = nc;
    }
  }
  stats[S_LARGEST_COMPONENT_BYTES] = <f64>best;
  return progress(PHASE_REDUCE, 1) ? ERR_ABORTED : OK;
}

/**
 * Mines an exact model. objective: 0 = fewest roles (then lower WSC), 1 = lowest WSC.
 * nodeBudget bounds the branch-and-bound per kernel component (deterministic, not time-based).
 */
export function mine(objective: i32, nodeBudget: f64): i32 {
  if (matrix == null) return ERR_STATE;
  resetAbort();
  roleOrigin = new StaticArray<u32>(0); // exact roles have no seed
  seeds = new StaticArray<u32>(0);
  const p = prepare();
  const red = p.red;
  const ncomp = p.ncomp;
  const cstart = p.cstart;
  const crows = p.crows;
  if (progress(PHASE_REDUCE, 1)) return ERR_ABORTED;

  const colLocal = new StaticArray<i32>(red.m.cols);
  const colSeen = new StaticArray<i32>(red.m.cols);
  for (let j = 0; j < red.m.cols; j++) unchecked((colSeen[j] = -1));

  progress(PHASE_MINE, 0);
  const sink = new RoleSink();
  const st = new ExactStats();
  let largest: u64 = 0;
  let solved = 0; // roles before the WSC descent (the count the lower bound is checked against)
  for (let c = 0; c < ncomp; c++) {
    const s = unchecked(cstart[c]);
    const nrc = unchecked(cstart[c + 1]) - s;
    const rows = new StaticArray<i32>(nrc);
    const colsArr: Array<i32> = [];
    for (let a = 0; a < nrc; a++) {
      const r = unchecked(crows[s + a]);
      unchecked((rows[a] = r));
      const e = unchecked(red.m.off[r + 1]);
      for (let q = unchecked(red.m.off[r]); q < e; q++) {
        const j = <i32>unchecked(red.m.idx[q]);
        if (unchecked(colSeen[j]) != c) {
          unchecked((colSeen[j] = c));
          colsArr.push(j);
        }
      }
    }
    colsArr.sort((a: i32, b: i32): i32 => a - b);
    const cols = new StaticArray<i32>(colsArr.length);
    for (let a = 0; a < colsArr.length; a++) {
      unchecked((cols[a] = colsArr[a]));
      unchecked((colLocal[colsArr[a]] = a));
    }
    if (nrc == 1 || cols.length == 1) {
      // One identity class or one entitlement class: the whole component is one role.
      for (let a = 0; a < nrc; a++) sink.rows.push(<u32>unchecked(rows[a]));
      for (let a = 0; a < cols.length; a++) sink.cols.push(<u32>unchecked(cols[a]));
      sink.rowOff.push(<u32>sink.rows.length);
      sink.colOff.push(<u32>sink.cols.length);
      st.lowerBound += 1;
      solved++;
      continue;
    }
    const bytes = bitsetBytes(nrc, cols.length);
    if (bytes > largest) largest = bytes;
    if (bytes > componentByteLimit) {
      stats[S_LARGEST_COMPONENT_BYTES] = <f64>bytes;
      return ERR_TOO_LARGE;
    }
    if (ncomp == 1) {
      const comp = new Component(red, rows, cols, colLocal);
      comp.solve(st, <i64>nodeBudget);
      comp.emit(sink);
      comp.dispose();
      solved = sink.count;
    } else {
      // Each component is solved and its WSC lowered on its own, in local ids: the same input, the
      // same steps and the same stopping rule as mining that component's grants alone, so a
      // component mined by the pool (src/engine/pool.ts) gives exactly the roles it gives here.
      const local = subReduced(red, rows, cols, colLocal);
      const comp = new Component(local, iota(nrc), iota(cols.length), iota(cols.length));
      comp.solve(st, <i64>nodeBudget);
      const part = new RoleSink();
      comp.emit(part);
      comp.dispose();
      solved += part.count;
      improveWsc(local, part, objective);
      appendMapped(sink, part, rows, cols);
    }
    if (progress(PHASE_MINE, <f64>(c + 1) / <f64>ncomp)) return ERR_ABORTED;
  }
  stats[S_LARGEST_COMPONENT_BYTES] = <f64>largest;
  stats[S_LOWER_BOUND] = <f64>st.lowerBound;
  stats[S_PROVEN] = st.proven && st.lowerBound == <i64>solved ? 1 : 0;
  stats[S_KERNEL_GRANTS] = <f64>st.kernelGrants;
  stats[S_KERNEL_COMPONENTS] = <f64>st.kernelComponents;
  stats[S_LARGEST_KERNEL] = <f64>st.largestKernel;
  stats[S_NODES] = <f64>st.nodes;
  stats[S_ROUNDS] = <f64>st.reductionRounds;

  if (ncomp == 1) improveWsc(red, sink, objective);
  expand(red, sink);
  hasResult = true;
  return OK;
}

/** 0, 1, ..., n - 1. */
function iota(n: i32): StaticArray<i32> {
  const a = new StaticArray<i32>(n);
  for (let i = 0; i < n; i++) unchecked((a[i] = i));
  return a;
}

/**
 * Component `rows` x `cols` of `red` on its own, in local ids (row i is rows[i], column j is
 * cols[j], colLocal maps a column of red to j): the reduced matrix that loading only this
 * component's grants would give, since classes are numbered by their smallest member and rows and
 * cols ascend. Without rowOf/colOf (only expand() reads those, on the whole matrix).
 */
function subReduced(red: Reduced, rows: StaticArray<i32>, cols: StaticArray<i32>, colLocal: StaticArray<i32>): Reduced {
  const nr = rows.length;
  const nc = cols.length;
  const off = new StaticArray<u32>(nr + 1);
  const rowWeight = new StaticArray<i32>(nr);
  let nnz: u32 = 0;
  for (let i = 0; i < nr; i++) {
    const r = unchecked(rows[i]);
    nnz += <u32>red.m.deg(r);
    unchecked((off[i + 1] = nnz));
    unchecked((rowWeight[i] = red.rowWeight[r]));
  }
  const idx = new StaticArray<u32>(<i32>nnz);
  let w = 0;
  for (let i = 0; i < nr; i++) {
    const r = unchecked(rows[i]);
    const e = unchecked(red.m.off[r + 1]);
    for (let q = unchecked(red.m.off[r]); q < e; q++) unchecked((idx[w++] = <u32>colLocal[<i32>unchecked(red.m.idx[q])]));
  }
  const colWeight = new StaticArray<i32>(nc);
  for (let j = 0; j < nc; j++) unchecked((colWeight[j] = red.colWeight[cols[j]]));
  const m = new Csr(nr, nc, off, idx);
  return new Reduced(m, m.transpose(), new StaticArray<i32>(0), new StaticArray<i32>(0), rowWeight, colWeight);
}

/** Appends `part`'s roles, in a component's local ids, to `sink` in red's ids. */
function appendMapped(sink: RoleSink, part: RoleSink, rows: StaticArray<i32>, cols: StaticArray<i32>): void {
  for (let g = 0; g < part.count; g++) {
    for (let q = part.rowOff[g]; q < part.rowOff[g + 1]; q++) sink.rows.push(<u32>unchecked(rows[<i32>part.rows[q]]));
    for (let q = part.colOff[g]; q < part.colOff[g + 1]; q++) sink.cols.push(<u32>unchecked(cols[<i32>part.cols[q]]));
    sink.rowOff.push(<u32>sink.rows.length);
    sink.colOff.push(<u32>sink.cols.length);
  }
}

/**
 * Mines a noise-tolerant model (approx.ts). Roles are over the original ids; grants no role
 * explains are left for verify() to list, and reasons() to explain.
 */
/**
 * Room for `n` u32 of seed roles, which the next mineApprox starts from and then forgets. Layout:
 * [R, kind x R (1 birthright, 2 business), memberOffsets x (R+1), entitlementOffsets x (R+1),
 * members..., entitlements...]; ids as in load(), each role's lists ascending and distinct.
 */
export function seedBuffer(n: i32): usize {
  seeds = new StaticArray<u32>(n < 0 ? 0 : n);
  return changetype<usize>(seeds);
}

/** Applies and forgets the seed roles; ERR_RANGE when the layout or an id is out of range. */
function applySeeds(miner: ApproxMiner, res: ApproxResult): i32 {
  const s = seeds;
  seeds = new StaticArray<u32>(0);
  if (s.length == 0) return OK;
  const R = <i32>s[0];
  const head = 1 + R + 2 * (R + 1);
  if (R < 0 || head > s.length) return ERR_RANGE;
  const mo = 1 + R;
  const eo = mo + R + 1;
  const nm = <i32>s[mo + R];
  const ne = <i32>s[eo + R];
  if (<i64>head + <i64>nm + <i64>ne != <i64>s.length) return ERR_RANGE;
  const rows = miner.m.rows;
  const cols = miner.m.cols;
  for (let g = 0; g < R; g++) {
    const kind = s[1 + g];
    const m0 = <i32>s[mo + g], m1 = <i32>s[mo + g + 1];
    const e0 = <i32>s[eo + g], e1 = <i32>s[eo + g + 1];
    if ((kind != 1 && kind != 2 && kind != 3) || m0 > m1 || e0 > e1 || m1 > nm || e1 > ne) return ERR_RANGE;
    const u = new StaticArray<u32>(m1 - m0);
    const p = new StaticArray<u32>(e1 - e0);
    for (let x = 0; x < u.length; x++) {
      const v = s[head + m0 + x];
      if (v >= <u32>rows || (x > 0 && v <= u[x - 1])) return ERR_RANGE;
      u[x] = v;
    }
    for (let x = 0; x < p.length; x++) {
      const v = s[head + nm + e0 + x];
      if (v >= <u32>cols || (x > 0 && v <= p[x - 1])) return ERR_RANGE;
      p[x] = v;
    }
    if (kind == 3) miner.prefer(p); // a preferred role (mine --baseline): a candidate, not a seed
    else miner.seed(res, g, <u8>kind, p, u);
  }
  return OK;
}

export function mineApprox(minMembers: i32, minEntitlements: i32, coverage: f64, maxRoles: i32, birthrightShare: f64, support: f64, exceptionCost: f64, tolerance: i32, significance: f64): i32 {
  if (matrix == null) return ERR_STATE;
  resetAbort();
  const opt = new ApproxOptions();
  opt.minMembers = minMembers < 1 ? 1 : minMembers;
  opt.minEntitlements = minEntitlements < 1 ? 1 : minEntitlements;
  opt.coverage = coverage;
  opt.maxRoles = maxRoles;
  opt.birthrightShare = birthrightShare;
  opt.support = support;
  opt.exceptionCost = exceptionCost;
  opt.tolerance = tolerance < 0 ? AUTO : tolerance; // -1: auto
  opt.significance = significance;
  approxMinMembers = opt.minMembers;
  if (progress(PHASE_MINE, 0)) return ERR_ABORTED;
  const res = new ApproxResult();
  const miner = new ApproxMiner(matrix!, matrixT!, opt, approxCache);
  const seeded = applySeeds(miner, res);
  if (seeded != OK) return seeded;
  miner.run(res);
  if (abortRequested) return ERR_ABORTED;
  roleOrigin = new StaticArray<u32>(res.origin.length);
  for (let g = 0; g < res.origin.length; g++) unchecked((roleOrigin[g] = <u32>res.origin[g]));
  roleIdOff = toStatic(res.rowOff);
  roleId = toStatic(res.rows);
  roleEntOff = toStatic(res.colOff);
  roleEnt = toStatic(res.cols);
  roleKind = new StaticArray<u32>(res.kind.length);
  for (let g = 0; g < res.kind.length; g++) unchecked((roleKind[g] = res.kind[g]));
  stats[S_ROLES] = res.kind.length;
  stats[S_UA] = res.rows.length;
  stats[S_PA] = res.cols.length;
  stats[S_CANDIDATES] = res.candidates;
  stats[S_EVALUATIONS] = <f64>res.evaluations;
  stats[S_PROVEN] = 0;
  hasResult = true;
  return OK;
}

/**
 * One array of the loaded matrix, for the mining pool to copy (src/engine/pool.ts): 0 the
 * identities' offsets (identities + 1), 1 their entitlements (grants), 2 the entitlements' offsets
 * (entitlements + 1), 3 their holders (grants). matrixArray gives its address, matrixArrayLength
 * its length in u32; 0 when nothing is loaded or k is out of range.
 */
export function matrixArray(k: i32): usize {
  if (matrix == null) return 0;
  const a = k == 0 ? matrix!.off : k == 1 ? matrix!.idx : k == 2 ? matrixT!.off : k == 3 ? matrixT!.idx : null;
  return a == null ? 0 : changetype<usize>(a);
}

export function matrixArrayLength(k: i32): i32 {
  if (matrix == null) return 0;
  const a = k == 0 ? matrix!.off : k == 1 ? matrix!.idx : k == 2 ? matrixT!.off : k == 3 ? matrixT!.idx : null;
  return a == null ? 0 : a.length;
}

let prefill = new StaticArray<u32>(0);

/** Room for n u32 of closures and holders computed by the mining pool (see approxPrefill). */
export function prefillBuffer(n: i32): usize {
  prefill = new StaticArray<u32>(n < 0 ? 0 : n);
  return changetype<usize>(prefill);
}

/** 1 when the approx cache already holds the closures for this support share (a remine): the pool has nothing to add. */
export function approxCached(support: f64): i32 {
  if (matrix == null) return 0;
  return approxCache.support == support && approxCache.closure.length == 2 * matrix!.cols ? 1 : 0;
}

/**
 * Installs closures and holder lists the mining pool computed (with the same kernels, kernels.ts,
 * so the same values) into the approx cache for `support`, where mineApprox finds them instead of
 * computing them. Layout (u32): entry count, then per entry: key (2 x entitlement + closure kind),
 * closure length L, L entitlement ids, holders length H (0xFFFFFFFF: none given), H identity ids.
 * ERR_RANGE, with the cache left empty, when the layout or an id is out of range.
 */
export function approxPrefill(support: f64): i32 {
  if (matrix == null) return ERR_STATE;
  const s = prefill;
  prefill = new StaticArray<u32>(0);
  const cols = matrix!.cols;
  const rows = matrix!.rows;
  approxCache.prepare(cols, support);
  const n = s.length;
  if (n == 0) return ERR_RANGE;
  const count = <i32>s[0];
  let at = 1;
  for (let e = 0; e < count; e++) {
    if (at + 2 > n) return prefillFailed();
    const key = <i32>unchecked(s[at]);
    const L = <i32>unchecked(s[at + 1]);
    at += 2;
    if (key < 0 || key >= 2 * cols || L < 0 || L > cols || at + L + 1 > n) return prefillFailed();
    const c = new StaticArray<u32>(L);
    for (let i = 0; i < L; i++) {
      const id = unchecked(s[at + i]);
      if (id >= <u32>cols || (i > 0 && id <= unchecked(c[i - 1]))) return prefillFailed();
      unchecked((c[i] = id));
    }
    at += L;
    approxCache.closure[key] = c;
    const H = unchecked(s[at++]);
    if (H == 0xffffffff) continue;
    if (<i64>H > <i64>rows || at + <i32>H > n) return prefillFailed();
    const h = new Array<u32>(<i32>H);
    for (let i = 0; i < <i32>H; i++) {
      const r = unchecked(s[at + i]);
      if (r >= <u32>rows) return prefillFailed();
      unchecked((h[i] = r));
    }
    at += <i32>H;
    approxCache.holders.set(key, h);
  }
  return at == n ? OK : prefillFailed();
}

function prefillFailed(): i32 {
  approxCache = new ApproxCache();
  return ERR_RANGE;
}

let approxMinMembers: i32 = 1;
let approxCache = new ApproxCache(); // reused by mineApprox runs on the same loaded matrix

/**
 * A reason for each under-assigned grant (call after verify): rare entitlement, entitlement in
 * some role but none of the identity's, or in no role at all.
 */
export function reasons(): i32 {
  if (!hasResult || matrix == null) return ERR_STATE;
  const t = matrixT!;
  const inRole = new StaticArray<u8>(t.rows);
  for (let q = 0; q < roleEnt.length; q++) unchecked((inRole[roleEnt[q]] = 1));
  missReason = new StaticArray<u32>(missCol.length);
  for (let i = 0; i < missCol.length; i++) {
    const e = <i32>unchecked(missCol[i]);
    unchecked((missReason[i] = t.deg(e) < approxMinMembers ? EXC_RARE : unchecked(inRole[e]) != 0 ? EXC_OUTSIDE_ROLES : EXC_UNEXPLAINED));
  }
  return OK;
}

/** Turns roles over twin classes into roles over the original identities and entitlements. */
function expand(red: Reduced, sink: RoleSink): void {
  const R = sink.count;
  const idMembers = classMembers(red.rowOf, red.m.rows);
  const entMembers = classMembers(red.colOf, red.m.cols);
  roleIdOff = new StaticArray<u32>(R + 1);
  roleEntOff = new StaticArray<u32>(R + 1);
  let nid: i64 = 0;
  let nent: i64 = 0;
  for (let g = 0; g < R; g++) {
    for (let q = sink.rowOff[g]; q < sink.rowOff[g + 1]; q++) nid += unchecked(red.rowWeight[sink.rows[q]]);
    for (let q = sink.colOff[g]; q < sink.colOff[g + 1]; q++) nent += unchecked(red.colWeight[sink.cols[q]]);
    unchecked((roleIdOff[g + 1] = <u32>nid));
    unchecked((roleEntOff[g + 1] = <u32>nent));
  }
  roleId = new StaticArray<u32>(<i32>nid);
  roleEnt = new StaticArray<u32>(<i32>nent);
  for (let g = 0; g < R; g++) {
    fillMembers(sink.rows, sink.rowOff[g], sink.rowOff[g + 1], idMembers, roleId, roleIdOff[g]);
    fillMembers(sink.cols, sink.colOff[g], sink.colOff[g + 1], entMembers, roleEnt, roleEntOff[g]);
  }
  roleKind = new StaticArray<u32>(R);
  approxMinMembers = 1;
  stats[S_ROLES] = R;
  stats[S_UA] = <f64>nid;
  stats[S_PA] = <f64>nent;
}

class Members {
  constructor(
    public off: StaticArray<u32>,
    public ids: StaticArray<u32>,
  ) {}
}

function classMembers(classOf: StaticArray<i32>, n: i32): Members {
  const off = new StaticArray<u32>(n + 1);
  let total = 0;
  for (let i = 0; i < classOf.length; i++) {
    const k = unchecked(classOf[i]);
    if (k >= 0) {
      unchecked((off[k + 1] = off[k + 1] + 1));
      total++;
    }
  }
  for (let k = 0; k < n; k++) unchecked((off[k + 1] = off[k + 1] + off[k]));
  const ids = new StaticArray<u32>(total);
  const fill = new StaticArray<u32>(n);
  for (let i = 0; i < classOf.length; i++) {
    const k = unchecked(classOf[i]);
    if (k < 0) continue;
    unchecked((ids[off[k] + fill[k]] = i));
    unchecked((fill[k] = fill[k] + 1));
  }
  return new Members(off, ids);
}

/** Writes the original ids of the given classes, ascending, at out[at..]. */
function fillMembers(classes: Array<u32>, s: u32, e: u32, mem: Members, out: StaticArray<u32>, at: u32): void {
  let w = at;
  for (let q = s; q < e; q++) {
    const k = classes[q];
    for (let x = unchecked(mem.off[k]); x < unchecked(mem.off[k + 1]); x++) unchecked((out[w++] = mem.ids[x]));
  }
  // Classes interleave in id order; sort the slice (insertion sort on runs is enough, but the
  // slice may be large: use a typed sort on a copy).
  const n = <i32>(w - at);
  if (n > 1) {
    const tmp = new StaticArray<u32>(n);
    memory.copy(changetype<usize>(tmp), changetype<usize>(out) + (<usize>at << 2), <usize>n << 2);
    tmp.sort((a: u32, b: u32): i32 => (a < b ? -1 : a > b ? 1 : 0));
    memory.copy(changetype<usize>(out) + (<usize>at << 2), changetype<usize>(tmp), <usize>n << 2);
  }
}

/**
 * Checks the result against the loaded matrix, independently of how it was mined: every grant must
 * be given by some role (else under-assigned), and every (identity, entitlement) a role gives must be
 * a grant (else over-assigned). Fills the miss/over buffers.
 */
export function verify(): i32 {
  if (!hasResult || matrix == null) return ERR_STATE;
  const m = matrix!;
  const R = roleIdOff.length - 1;
  // Identity -> roles, by counting.
  const irOff = new StaticArray<u32>(m.rows + 1);
  const nUA = <i32>unchecked(roleIdOff[R]);
  for (let q = 0; q < nUA; q++) {
    const u = unchecked(roleId[q]);
    unchecked((irOff[u + 1] = irOff[u + 1] + 1));
  }
  for (let u = 0; u < m.rows; u++) unchecked((irOff[u + 1] = irOff[u + 1] + irOff[u]));
  const ir = new StaticArray<u32>(nUA);
  const fill = new StaticArray<u32>(m.rows);
  for (let g = 0; g < R; g++) {
    for (let q = unchecked(roleIdOff[g]); q < unchecked(roleIdOff[g + 1]); q++) {
      const u = unchecked(roleId[q]);
      unchecked((ir[irOff[u] + fill[u]] = g));
      unchecked((fill[u] = fill[u] + 1));
    }
  }
  const held = new StaticArray<i32>(m.cols); // held[e] == u + 1: u holds e
  const given = new StaticArray<i32>(m.cols); // given[e] == u + 1: a role of u gives e
  const mr: Array<u32> = [];
  const mc: Array<u32> = [];
  const or: Array<u32> = [];
  const oc: Array<u32> = [];
  for (let u = 0; u < m.rows; u++) {
    const tag = u + 1;
    for (let k = unchecked(m.off[u]); k < unchecked(m.off[u + 1]); k++) unchecked((held[m.idx[k]] = tag));
    for (let x = unchecked(irOff[u]); x < unchecked(irOff[u + 1]); x++) {
      const g = unchecked(ir[x]);
      for (let q = unchecked(roleEntOff[g]); q < unchecked(roleEntOff[g + 1]); q++) {
        const e = unchecked(roleEnt[q]);
        if (unchecked(given[e]) == tag) continue;
        unchecked((given[e] = tag));
        if (unchecked(held[e]) != tag) {
          or.push(u);
          oc.push(e);
        }
      }
    }
    for (let k = unchecked(m.off[u]); k < unchecked(m.off[u + 1]); k++) {
      const e = unchecked(m.idx[k]);
      if (unchecked(given[e]) != tag) {
        mr.push(u);
        mc.push(e);
      }
    }
    if ((u & 0xffff) == 0 && progress(PHASE_VERIFY, <f64>u / <f64>m.rows)) return ERR_ABORTED;
  }
  missRow = toStatic(mr);
  missCol = toStatic(mc);
  overRow = toStatic(or);
  overCol = toStatic(oc);
  stats[S_UNDER] = mr.length;
  stats[S_OVER] = or.length;
  return OK;
}

function toStatic(a: Array<u32>): StaticArray<u32> {
  const s = new StaticArray<u32>(a.length);
  for (let i = 0; i < a.length; i++) unchecked((s[i] = a[i]));
  return s;
}

// Result buffers (indices MUST match RESULT in src/engine/abi.ts).
function resultArray(which: i32): StaticArray<u32> {
  switch (which) {
    case 0: return roleEntOff;
    case 1: return roleEnt;
    case 2: return roleIdOff;
    case 3: return roleId;
    case 4: return missRow;
    case 5: return missCol;
    case 6: return overRow;
    case 7: return overCol;
    case 8: return roleKind;
    case 9: return missReason;
    case 10: return roleOrigin;
  }
  return new StaticArray<u32>(0);
}

export function resultPtr(which: i32): usize {
  return changetype<usize>(resultArray(which));
}

export function resultLen(which: i32): i32 {
  return resultArray(which).length;
}

export function stat(which: i32): f64 {
  return which >= 0 && which < stats.length ? unchecked(stats[which]) : NaN;
}

/** Drops the loaded matrix and results so the memory can be reused (memory never shrinks). */
export function reset(): void {
  matrix = null;
  approxCache = new ApproxCache();
  matrixT = null;
  inRow = new StaticArray<u32>(0);
  inCol = new StaticArray<u32>(0);
  inN = 0;
  roleEntOff = new StaticArray<u32>(1);
  roleEnt = new StaticArray<u32>(0);
  roleIdOff = new StaticArray<u32>(1);
  roleId = new StaticArray<u32>(0);
  missRow = new StaticArray<u32>(0);
  missCol = new StaticArray<u32>(0);
  overRow = new StaticArray<u32>(0);
  overCol = new StaticArray<u32>(0);
  roleKind = new StaticArray<u32>(0);
  missReason = new StaticArray<u32>(0);
  roleOrigin = new StaticArray<u32>(0);
  seeds = new StaticArray<u32>(0);
  hasResult = false;
  __collect();
}
