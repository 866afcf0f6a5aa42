// AND + popcount kernels: the core's SIMD kernel and its scalar twin (wasm) against a plain
// TypeScript/JavaScript baseline, in the same process, over a grid of buffer sizes.
import { Bench } from 'tinybench';
import { Core } from '../dist/engine/abi.js';
import { loadCoreModule } from '../dist/engine/wasm-node.js';

/** The obvious JS implementation: 32-bit words, SWAR popcount (Hacker's Delight 5-2). */
export function andPopcountJs(a, b) {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i] & b[i];
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

export async function benchKernels({ time = 300 } = {}) {
  const core = await Core.instantiate(await loadCoreModule('simd'));
  const x = core.x;
  const rows = [];
  for (const bytes of [4 << 10, 256 << 10, 16 << 20, 128 << 20]) {
    const words = bytes / 8;
    const pa = x.benchBuffer(words);
    const pb = x.benchSecond();
    let seed = 12345;
    const fill = (v) => {
      for (let i = 0; i < v.length; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        v[i] = seed;
      }
    };
    fill(core.u32View(pa, words * 2));
    fill(core.u32View(pb, words * 2));
    const ja = core.u32View(pa, words * 2).slice();
    const jb = core.u32View(pb, words * 2).slice();
    const expected = andPopcountJs(ja, jb);
    if (x.benchAndPopcount(words) !== expected || x.benchAndPopcountScalar(words) !== expected) {
      throw new Error('kernel mismatch against the JS baseline');
    }
    const bench = new Bench({ time, warmupTime: 100 });
    bench
      .add('js', () => andPopcountJs(ja, jb))
      .add('wasm scalar', () => x.benchAndPopcountScalar(words))
      .add('wasm simd', () => x.benchAndPopcount(words));
    await bench.run();
    const mean = Object.fromEntries(bench.tasks.map((t) => [t.name, t.result.latency.mean]));
    rows.push({
      bytes,
      jsGBs: (2 * bytes) / (mean['js'] * 1e6),
      simdGBs: (2 * bytes) / (mean['wasm simd'] * 1e6),
      scalarGBs: (2 * bytes) / (mean['wasm scalar'] * 1e6),
      simdVsJs: mean['js'] / mean['wasm simd'],
      scalarVsJs: mean['js'] / mean['wasm scalar'],
    });
  }
  return rows;
}
