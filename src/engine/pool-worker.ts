/**
 * A mining-pool thread's work (see pool.ts), the same on every platform. The candidates job: an
 * instance of the kernel module over the shared memory; phase 1 computes both closures of the
 * entitlements it takes; phase 2, once the caller has published the distinct closures, the holders
 * of those it takes. The exact job: the thread's own core mines whole components (exact-parts.ts).
 * Each phase ends with its part (or its error) written to the shared memory, its address in the
 * control array, and a DONE increment, so the waiting thread never misses a failure. Returns
 * when the caller ends the job. Platform entries: pool-worker-node.ts, pool-worker-browser.ts.
 */
import { CTL, reserve, type CandidatesWorkerData, type ExactWorkerData, type PoolWorkerData } from './pool.js';
import { Core } from './abi.js';
import { PART_STATS, mineExactPart } from './exact-parts.js';

interface Kernels {
  closure(
    mOff: number, mIdx: number, tOff: number, tIdx: number, identities: number,
    j: number, share: number,
    cnt: number, stamp: number, mark: number, touched: number, out: number, plain: number,
  ): number;
  holders(mOff: number, mIdx: number, tOff: number, tIdx: number, p: number, np: number, out: number): number;
}

/** A growable u32 list: the part a worker hands back. */
class Part {
  a = new Uint32Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) this.grow(1);
    this.a[this.n++] = v;
  }
  append(src: Uint32Array): void {
    if (this.n + src.length > this.a.length) this.grow(src.length);
    this.a.set(src, this.n);
    this.n += src.length;
  }
  private grow(more: number): void {
    const b = new Uint32Array(Math.max(this.a.length * 2, this.n + more));
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
}

/**
 * Runs `item` on work items 0..count-1 taken `chunk` at a time from the shared counter (so a slow
 * chunk does not hold up the other threads), counting progress, until all are taken or the job is
 * aborted.
 */
function takeChunks(ctl: Int32Array, count: number, chunk: number, item: (i: number) => void): void {
  while (Atomics.load(ctl, CTL.ABORT) === 0) {
    const from = Atomics.add(ctl, CTL.NEXT, chunk);
    if (from >= count) return;
    const to = Math.min(count, from + chunk);
    for (let i = from; i < to; i++) item(i);
    Atomics.add(ctl, CTL.PROGRESS, to - from);
  }
}

export function runPoolWorker(d: PoolWorkerData): void {
  if (d.kind === 'exact') runExactWorker(d);
  else runCandidatesWorker(d);
}

/** Publishes a thread's part (or its error) in the shared memory and counts the thread done. */
function finisher(memory: WebAssembly.Memory, ctl: Int32Array, w: number): (part: Part | null, error?: unknown) => void {
  const mem = () => memory.buffer as unknown as ArrayBuffer;
  const slot = CTL.PARTS + 2 * w;
  return (part, error) => {
    if (error !== undefined) {
      const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);
      const at = reserve(memory, ctl, 2 * text.length + 8);
      const chars = new Uint16Array(mem(), at, text.length);
      for (let i = 0; i < text.length; i++) chars[i] = text.charCodeAt(i);
      Atomics.store(ctl, slot, at / 8);
      Atomics.store(ctl, slot + 1, -text.length - 1);
    } else {
      const at = reserve(memory, ctl, 4 * part!.n);
      new Uint32Array(mem(), at, part!.n).set(part!.a.subarray(0, part!.n));
      Atomics.store(ctl, slot, at / 8);
      Atomics.store(ctl, slot + 1, part!.n);
    }
    Atomics.add(ctl, CTL.DONE, 1);
    Atomics.notify(ctl, CTL.DONE);
  };
}

/** Makes the thread's engine and counts it started; null (the error published) when it fails. */
function start<T>(ctl: Int32Array, finish: (part: Part | null, error?: unknown) => void, make: () => T): T | null {
  try {
    const made = make();
    Atomics.add(ctl, CTL.STARTED, 1);
    return made;
  } catch (e) {
    Atomics.add(ctl, CTL.STARTED, 1);
    finish(null, e);
    return null;
  }
}

/**
 * The exact job: this thread's own core mines the components it takes (largest first, one at a
 * time) and writes each result into the shared memory; its part lists (component, address / 8,
 * length in u32). The core stops mining when the caller aborts the job.
 */
function runExactWorker(d: ExactWorkerData): void {
  const { ctl, memory } = d;
  const finish = finisher(memory, ctl, d.w);
  const mem = () => memory.buffer as unknown as ArrayBuffer;
  const core = start(ctl, finish, () => {
    const c = Core.instantiateSync(d.core);
    if (d.componentLimitMiB !== undefined) c.x.setComponentByteLimit(d.componentLimitMiB);
    c.onProgress = () => Atomics.load(ctl, CTL.ABORT) === 1;
    return c;
  });
  if (!core) return;
  try {
    const part = new Part();
    takeChunks(ctl, d.count, 1, (i) => {
      const c = new Uint32Array(mem(), d.order + 4 * i, 1)[0]!;
      const [identities, entitlements, first, grants] = new Uint32Array(mem(), d.dir + 16 * c, 4);
      const r = mineExactPart(
        core,
        { identities: identities!, entitlements: entitlements!, id: new Uint32Array(mem(), d.grantId + 4 * first!, grants!), ent: new Uint32Array(mem(), d.grantEnt + 4 * first!, grants!) },
        d.objective,
        d.nodeBudget,
      );
      const len = 2 + 2 * PART_STATS + r.roles.length;
      const at = reserve(memory, ctl, 4 * len);
      const head = new Uint32Array(mem(), at, 2);
      head[0] = c;
      head[1] = r.status;
      new Float64Array(mem(), at + 8, PART_STATS).set(r.stats);
      new Uint32Array(mem(), at + 8 + 8 * PART_STATS, r.roles.length).set(r.roles);
      part.push(c);
      part.push(at / 8);
      part.push(len);
    });
    finish(part);
  } catch (e) {
    finish(null, e);
  }
}

function runCandidatesWorker(d: CandidatesWorkerData): void {
  const { ctl, layout, memory } = d;
  const s = layout.scratch[d.w]!;
  const mem = () => memory.buffer as unknown as ArrayBuffer;
  const finish = finisher(memory, ctl, d.w);

  const k = start(ctl, finish, () => new WebAssembly.Instance(d.module, { env: { memory } }).exports as unknown as Kernels);
  if (!k) return;

  // Phase 1: closures.
  try {
    const part = new Part();
    let mark = 0;
    takeChunks(ctl, d.jsCount, d.chunk, (i) => {
      const j = d.js[i]!;
      // Both closures from one count of j's holders: the typical one into s.out, the plain one
      // (its length first) into s.plain.
      const n = k.closure(layout.mOff, layout.mIdx, layout.tOff, layout.tIdx, d.identities, j, d.support, s.cnt, s.stamp, ++mark, s.touched, s.out, s.plain);
      const np = new Uint32Array(mem(), s.plain, 1)[0]!;
      part.push(2 * j);
      part.push(np);
      part.append(new Uint32Array(mem(), s.plain + 4, np));
      part.push(2 * j + 1);
      part.push(n);
      part.append(new Uint32Array(mem(), s.out, n));
    });
    finish(part);
  } catch (e) {
    finish(null, e);
    return;
  }

  // Phase 2: holders, once the caller publishes the distinct closures (or ends the job).
  while (Atomics.load(ctl, CTL.PHASE) === 1) Atomics.wait(ctl, CTL.PHASE, 1);
  if (Atomics.load(ctl, CTL.PHASE) !== 2) return;
  try {
    const count = Atomics.load(ctl, CTL.P2_COUNT);
    const off = new Int32Array(mem(), Atomics.load(ctl, CTL.P2_OFF), count + 1);
    const idsAt = Atomics.load(ctl, CTL.P2_IDS);
    const part = new Part();
    takeChunks(ctl, count, Math.max(1, Math.min(64, Math.floor(count / 64))), (i) => {
      const a = off[i]!;
      const np = off[i + 1]! - a;
      // The kernel reads p from this worker's scratch, not from the shared list other workers read.
      new Uint32Array(mem(), s.p, np).set(new Uint32Array(mem(), idsAt + 4 * a, np));
      const n = k.holders(layout.mOff, layout.mIdx, layout.tOff, layout.tIdx, s.p, np, s.rows);
      part.push(i);
      part.push(n);
      part.append(new Uint32Array(mem(), s.rows, n));
    });
    finish(part);
  } catch (e) {
    finish(null, e);
  }
}
