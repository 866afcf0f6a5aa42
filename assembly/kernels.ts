// Allocation-free kernels over raw pointers, shared by the engine (approx.ts) and the mining pool
// (pool.ts, one instance per worker thread over one shared WebAssembly.Memory).
//
// Contract: every function here reads and writes only the memory its pointer arguments name and
// never allocates, so many instances may run at once over one shared memory (the AssemblyScript
// runtime is not thread-safe). The results are pure functions of the matrix and the arguments:
// the engine computing them itself and N workers computing them for it give the same bytes, which
// is what makes a model independent of the number of workers.
//
// A matrix is CSR: `off` (u32, rows + 1 entries) and `idx` (u32, ascending within a row), with its
// transpose (`tOff`, `tIdx`: the holders of each entitlement, ascending).

export const CLOSURE_SAMPLE = 20000; // holders read per closure at most (see countRows)
/** Lift from which an entitlement of j's loose closure is strongly associated with j (see closure). */
export const STRONG_LIFT: f64 = 4;

@inline function ld(base: usize, i: i32): u32 {
  return load<u32>(base + (<usize>i << 2));
}

@inline function st(base: usize, i: i32, v: u32): void {
  store<u32>(base + (<usize>i << 2), v);
}

/**
 * Counts, in `cnt` (zero on entry; the entitlements with a count are listed in `touched`), the
 * entitlements of j's holders. An entitlement held by very many identities is read on an
 * evenly spaced, deterministic sample of CLOSURE_SAMPLE of its holders: the shares a closure
 * compares (80%, 50%) are estimated to within about half a percent, and a birthright entitlement
 * held by 450,000 costs 20,000 rows. Returns the rows counted, and the number of entitlements
 * listed in `touched` in nTouched (a global: one per instance, so one per worker).
 */
let nTouched: i32 = 0;
// The sample of j's holders countRows read (x = 0 .. sampleCount-1: holder sampleFrom + floor(x *
// sampleStep)), kept for uncountAtypical, which reads the same rows.
let sampleFrom: i32 = 0;
let sampleStep: f64 = 1;
let sampleCount: i32 = 0;

@inline function sampledHolder(tIdx: usize, x: i32): i32 {
  return <i32>ld(tIdx, sampleFrom + <i32>Math.floor(<f64>x * sampleStep));
}

function countRows(mOff: usize, mIdx: usize, tOff: usize, tIdx: usize, j: i32, cnt: usize, touched: usize): i32 {
  nTouched = 0;
  let rows = 0;
  sampleFrom = <i32>ld(tOff, j);
  const deg = <i32>ld(tOff, j + 1) - sampleFrom;
  sampleStep = deg > CLOSURE_SAMPLE ? <f64>deg / <f64>CLOSURE_SAMPLE : 1.0;
  sampleCount = deg > CLOSURE_SAMPLE ? CLOSURE_SAMPLE : deg;
  for (let x = 0; x < sampleCount; x++) {
    const r = sampledHolder(tIdx, x);
    const s = <i32>ld(mOff, r);
    const e = <i32>ld(mOff, r + 1);
    rows++;
    for (let q = s; q < e; q++) {
      const c = <i32>ld(mIdx, q);
      const n = ld(cnt, c);
      if (n == 0) st(touched, nTouched++, <u32>c);
      st(cnt, c, n + 1);
    }
  }
  return rows;
}

/**
 * Takes out of `cnt` the rows of the holders countRows last sampled that hold fewer than half
 * of the `looseSize` entitlements stamped `mark`; returns how many such holders there were.
 */
function uncountAtypical(mOff: usize, mIdx: usize, tIdx: usize, looseSize: i32, cnt: usize, stamp: usize, mark: i32): i32 {
  let rows = 0;
  for (let x = 0; x < sampleCount; x++) {
    const r = sampledHolder(tIdx, x);
    const s = <i32>ld(mOff, r);
    const e = <i32>ld(mOff, r + 1);
    let inLoose = 0;
    for (let q = s; q < e; q++) if (<i32>ld(stamp, <i32>ld(mIdx, q)) == mark) inLoose++;
    if (inLoose * 2 >= looseSize) continue;
    rows++;
    for (let q = s; q < e; q++) {
      const c = <i32>ld(mIdx, q);
      st(cnt, c, ld(cnt, c) - 1);
    }
  }
  return rows;
}

/** Sorts n u32 at `a` ascending, in place (heapsort: no allocation, O(n log n) always). */
export function sortU32(a: usize, n: i32): void {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(a, i, n);
  for (let end = n - 1; end > 0; end--) {
    const top = ld(a, 0);
    st(a, 0, ld(a, end));
    st(a, end, top);
    siftDown(a, 0, end);
  }
}

@inline function siftDown(a: usize, i: i32, n: i32): void {
  const v = ld(a, i);
  while (true) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && ld(a, c + 1) > ld(a, c)) c++;
    if (ld(a, c) <= v) break;
    st(a, i, ld(a, c));
    i = c;
  }
  st(a, i, v);
}

/**
 * The two noise-tolerant closures of entitlement j, from one count of its holders. Scratch: `cnt`
 * (i32 per entitlement, zero on entry and left zero), `stamp` (i32 per entitlement; `mark` must be
 * a value no entry holds yet), `touched` (u32 per entitlement).
 *
 * Plain, written to `plain` (room for cols + 1 u32: its length, then its entitlements ascending):
 * the entitlements held by at least `share` of all j's holders.
 *
 * Typical, written ascending to `out` (room for cols u32), its length returned: the same over j's
 * typical holders only. Stray grants of j would otherwise dilute the share: at 5% strays a
 * 16-member project's entitlement has about as many stray holders as real ones, and nothing but j
 * would pass. So, first, the entitlements held by at least half of all j's holders and associated
 * with j (lift >= 1.5: held by j's holders at 1.5 times their rate among the `identities`
 * identities holding anything, which leaves out birthright access that strays hold too), or by a
 * quarter of them and strongly associated (lift >= STRONG_LIFT): the loose closure. When it has both
 * strong and weak entitlements, only the strong ones are kept (a department most of j's holders
 * belong to is weak: strays of that department hold it too). Then j's typical holders are those
 * holding at least half of it (a stray holder of j holds almost none); the closure is taken over
 * them. When the loose closure is empty, every holder is typical.
 */
export function closure(
  mOff: usize, mIdx: usize, tOff: usize, tIdx: usize, identities: i32,
  j: i32, share: f64,
  cnt: usize, stamp: usize, mark: i32, touched: usize, out: usize, plain: usize,
): i32 {
  let holders = countRows(mOff, mIdx, tOff, tIdx, j, cnt, touched);
  const needPlain = <i32>Math.ceil(share * <f64>holders - 1e-9);
  let np = 0;
  for (let i = 0; i < nTouched; i++) {
    const c = <i32>ld(touched, i);
    if (<i32>ld(cnt, c) >= needPlain) st(plain + 4, np++, <u32>c);
  }
  sortU32(plain + 4, np);
  store<u32>(plain, <u32>np);
  // Pass 1: the loose closure, stamped with mark; its strongly associated part counted.
  let looseSize = 0;
  let strong = 0;
  const need1 = <i32>Math.ceil(0.5 * <f64>holders - 1e-9);
  // A strongly associated entitlement needs only a quarter of j's holders: a project with more
  // stray holders than members (5% strays over a small catalogue) still shares its entitlements
  // among far more of j's holders than chance gives two unrelated entitlements (about holders x
  // their rate: a few percent).
  const need1s = <i32>Math.ceil(0.25 * <f64>holders - 1e-9);
  for (let i = 0; i < nTouched; i++) {
    const c = <i32>ld(touched, i);
    const n = <i32>ld(cnt, c);
    const deg = <i32>(ld(tOff, c + 1) - ld(tOff, c));
    const lift = (<f64>n * <f64>identities) / (<f64>holders * <f64>deg);
    if ((n >= need1 && lift >= 1.5) || (n >= need1s && lift >= STRONG_LIFT)) {
      st(stamp, c, <u32>mark);
      looseSize++;
      if (lift >= STRONG_LIFT) strong++;
    }
  }
  // When j's holders share entitlements far beyond their rate (lift >= STRONG_LIFT: a project's
  // own access, j's included) next to weaker ones (a department most of them belong to), only
  // the strong part tells a member from a stray holder: a stray in the same department holds the
  // weak part as well, and at 5% strays over a small catalogue there are enough of them to keep
  // the project's other entitlements under the closure's share. So the weak ones are unstamped.
  if (strong > 1 && strong < looseSize) {
    looseSize = 0;
    for (let i = 0; i < nTouched; i++) {
      const c = <i32>ld(touched, i);
      const n = <i32>ld(cnt, c);
      const deg = <i32>(ld(tOff, c + 1) - ld(tOff, c));
      if (<i32>ld(stamp, c) != mark) continue;
      if (<f64>n * <f64>identities >= STRONG_LIFT * <f64>holders * <f64>deg) looseSize++;
      else st(stamp, c, 0); // 0 is never a mark (marks start at 1)
    }
  }
  // Pass 2: counts over typical holders only: pass 1's counts less those of the holders that
  // are not typical (few: j's strays), which gives the same counts as counting the typical ones
  // afresh at a fraction of the row scans. With an empty loose closure every holder is typical
  // and pass 1's counts stand. Entitlements left at 0 stay listed in `touched`; the output below
  // takes only those reaching `need` (> 0), and sorts them.
  if (looseSize > 0) holders -= uncountAtypical(mOff, mIdx, tIdx, looseSize, cnt, stamp, mark);
  const need = <i32>Math.ceil(share * <f64>holders - 1e-9);
  let n = 0;
  for (let i = 0; i < nTouched; i++) {
    const c = <i32>ld(touched, i);
    if (<i32>ld(cnt, c) >= need && need > 0) st(out, n++, <u32>c);
    st(cnt, c, 0);
  }
  sortU32(out, n);
  return n;
}

/**
 * The identities holding every entitlement of p (np entitlements at `p`, ascending), written
 * ascending to `out` (room for the holders of p's rarest entitlement); returns how many. Scans
 * the holders of p's rarest entitlement (the first of the rarest) and merges each one's row with p.
 */
export function holders(mOff: usize, mIdx: usize, tOff: usize, tIdx: usize, p: usize, np: i32, out: usize): i32 {
  if (np == 0) return 0;
  let rare = <i32>ld(p, 0);
  let rareDeg = <i32>(ld(tOff, rare + 1) - ld(tOff, rare));
  for (let i = 1; i < np; i++) {
    const c = <i32>ld(p, i);
    const d = <i32>(ld(tOff, c + 1) - ld(tOff, c));
    if (d < rareDeg) {
      rare = c;
      rareDeg = d;
    }
  }
  let n = 0;
  const kEnd = <i32>ld(tOff, rare + 1);
  for (let k = <i32>ld(tOff, rare); k < kEnd; k++) {
    const r = <i32>ld(tIdx, k);
    let lo = <i32>ld(mOff, r);
    const hi = <i32>ld(mOff, r + 1);
    if (hi - lo < np) continue;
    let all = true;
    for (let i = 0; i < np; i++) {
      const c = ld(p, i);
      while (lo < hi && ld(mIdx, lo) < c) lo++;
      if (lo == hi || ld(mIdx, lo) != c) {
        all = false;
        break;
      }
      lo++;
    }
    if (all) st(out, n++, <u32>r);
  }
  return n;
}
