/**
 * A mining-pool worker (see pool-node.ts): an instance of the kernel module over the shared
 * memory. Phase 1 computes both closures of the entitlements it takes; phase 2 the holders of the
 * distinct closures it takes. Each phase ends with one message on its port (the part, or the
 * error) and a DONE increment, so the waiting thread never misses a failure.
 */
import { workerData } from 'node:worker_threads';
import { CTL, type PoolWorkerData } from './pool-node.js';

interface Kernels {
  closure(
    mOff: number, mIdx: number, tOff: number, tIdx: number, identities: number,
    j: number, share: number, typical: number,
    cnt: number, stamp: number, mark: number, touched: number, out: number,
  ): number;
  holders(mOff: number, mIdx: number, tOff: number, tIdx: number, p: number, np: number, out: number): number;
}

const d = workerData as PoolWorkerData;
const { ctl, layout, port } = d;
const s = layout.scratch[d.w]!;

/** A growable u32 list: the part a worker posts. */
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
  done(): Uint32Array {
    return this.a.slice(0, this.n);
  }
}

function finish(part: Part | null, error?: unknown): void {
  if (error !== undefined) port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  else {
    const out = part!.done();
    port.postMessage({ part: out }, [out.buffer as ArrayBuffer]);
  }
  Atomics.add(ctl, CTL.DONE, 1);
  Atomics.notify(ctl, CTL.DONE);
}

let k: Kernels;
let mark = 0;
let started = false;
try {
  k = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports as unknown as Kernels;
  Atomics.add(ctl, CTL.STARTED, 1);
  started = true;
  const mem = () => d.memory.buffer as unknown as ArrayBuffer;
  const part = new Part();
  while (Atomics.load(ctl, CTL.ABORT) === 0) {
    const from = Atomics.add(ctl, CTL.NEXT, d.chunk);
    if (from >= d.jsCount) break;
    const to = Math.min(d.jsCount, from + d.chunk);
    for (let i = from; i < to; i++) {
      const j = d.js[i]!;
      for (let kind = 0; kind < 2; kind++) {
        const n = k.closure(layout.mOff, layout.mIdx, layout.tOff, layout.tIdx, d.identities, j, d.support, kind, s.cnt, s.stamp, ++mark, s.touched, s.out);
        part.push(2 * j + kind);
        part.push(n);
        part.append(new Uint32Array(mem(), s.out, n));
      }
    }
    Atomics.add(ctl, CTL.PROGRESS, to - from);
  }
  finish(part);
} catch (e) {
  if (!started) Atomics.add(ctl, CTL.STARTED, 1);
  finish(null, e);
}

port.on('message', (msg: { off: Int32Array; ids: Uint32Array; count: number }) => {
  try {
    const mem = () => d.memory.buffer as unknown as ArrayBuffer;
    const part = new Part();
    const chunk = Math.max(1, Math.min(64, Math.floor(msg.count / 64)));
    while (Atomics.load(ctl, CTL.ABORT) === 0) {
      const from = Atomics.add(ctl, CTL.NEXT, chunk);
      if (from >= msg.count) break;
      const to = Math.min(msg.count, from + chunk);
      for (let i = from; i < to; i++) {
        const a = msg.off[i]!;
        const np = msg.off[i + 1]! - a;
        new Uint32Array(mem(), s.p, np).set(msg.ids.subarray(a, a + np));
        const n = k.holders(layout.mOff, layout.mIdx, layout.tOff, layout.tIdx, s.p, np, s.rows);
        part.push(i);
        part.push(n);
        part.append(new Uint32Array(mem(), s.rows, n));
      }
      Atomics.add(ctl, CTL.PROGRESS, to - from);
    }
    finish(part);
  } catch (e) {
    finish(null, e);
  }
});
