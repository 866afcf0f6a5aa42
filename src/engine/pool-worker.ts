/**
 * A mining-pool thread's work (see pool.ts), the same on every platform: an instance of the kernel
 * module over the shared memory. Phase 1 computes both closures of the entitlements it takes;
 * phase 2, once the caller has published the distinct closures, the holders of those it takes.
 * Each phase ends with its part (or its error) written to the shared memory, its address in the
 * control array, and a DONE increment, so the waiting thread never misses a failure. Returns
 * when the caller ends the job. Platform entries: pool-worker-node.ts, pool-worker-browser.ts.
 */
import { CTL, reserve, type PoolWorkerData } from './pool.js';

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
  const { ctl, layout, memory } = d;
  const s = layout.scratch[d.w]!;
  const mem = () => memory.buffer as unknown as ArrayBuffer;
  const slot = CTL.PARTS + 2 * d.w;

  const finish = (part: Part | null, error?: unknown): void => {
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

  let k: Kernels;
  try {
    k = new WebAssembly.Instance(d.module, { env: { memory } }).exports as unknown as Kernels;
  } catch (e) {
    Atomics.add(ctl, CTL.STARTED, 1);
    finish(null, e);
    return;
  }
  Atomics.add(ctl, CTL.STARTED, 1);

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
