import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minhashSignatures } from '../src/analysis/minhash.js';
import { MINHASH_WASM } from '../src/analysis/minhash-kernel.js';
import { Rng } from '../src/util/prng.js';

/** The definition, one hash at a time (what the peer analysis computed in JavaScript before the kernel). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function reference(C: number, start: Uint32Array, ents: Uint32Array, rep: Uint32Array, a: Uint32Array, b: Uint32Array): Uint32Array {
  const K = a.length;
  const sig = new Uint32Array(C * K).fill(0xffffffff);
  for (let c = 0; c < C; c++)
    for (let j = start[rep[c]!]!; j < start[rep[c]! + 1]!; j++)
      for (let k = 0; k < K; k++) {
        const v = fmix32((Math.imul(a[k]!, ents[j]!) + b[k]!) | 0);
        if (v < sig[c * K + k]!) sig[c * K + k] = v;
      }
  return sig;
}

describe('MinHash kernel', () => {
  it('the embedded module is the build of assembly/minhash.ts (npm run asbuild:minhash writes it)', () => {
    const built = readFileSync(new URL('../build/rolemill.minhash.wasm', import.meta.url));
    expect(MINHASH_WASM).toBe(built.toString('base64'));
  });

  it('gives the scalar definition on random rows: any K (padded to 4), empty rows, rows longer than a chunk, more classes than a chunk, ids past 2^31', () => {
    const rng = new Rng(5);
    const cases: { N: number; maxRow: number; K: number; E: number }[] = [
      { N: 1, maxRow: 0, K: 64, E: 10 },
      { N: 40, maxRow: 30, K: 1, E: 50 },
      { N: 40, maxRow: 30, K: 7, E: 2 ** 32 - 1 },
      { N: 300, maxRow: 60, K: 64, E: 1000 },
      { N: 9000, maxRow: 3, K: 16, E: 20000 }, // more classes than one chunk (8,192)
      { N: 3, maxRow: 300_000, K: 4, E: 1 << 20 }, // rows longer than a chunk's 2^18 entitlements
    ];
    for (let trial = 0; trial < 40; trial++) cases.push({ N: 1 + (rng.u32() % 200), maxRow: rng.u32() % 40, K: 1 + (rng.u32() % 70), E: 1 + (rng.u32() % 5000) });
    for (const { N, maxRow, K, E } of cases) {
      const start = new Uint32Array(N + 1);
      for (let i = 0; i < N; i++) start[i + 1] = start[i]! + (maxRow === 0 ? 0 : rng.u32() % (maxRow + 1));
      const ents = Uint32Array.from({ length: start[N]! }, () => (E === 2 ** 32 - 1 ? rng.u32() : rng.u32() % E));
      // Classes are a subset of the identities, in any order, through their representatives.
      const rep = Uint32Array.from({ length: N }, (_, i) => i).filter(() => rng.u32() % 4 !== 0);
      for (let i = rep.length - 1; i > 0; i--) {
        const j = rng.u32() % (i + 1);
        [rep[i], rep[j]] = [rep[j]!, rep[i]!];
      }
      const a = Uint32Array.from({ length: K }, () => (rng.u32() | 1) >>> 0);
      const b = Uint32Array.from({ length: K }, () => rng.u32());
      const got = minhashSignatures(rep.length, start, ents, rep, a, b);
      expect(got.length).toBe(rep.length * K);
      expect(got).toEqual(reference(rep.length, start, ents, rep, a, b));
    }
  });
});
