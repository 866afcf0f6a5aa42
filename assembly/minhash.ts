// Entry of the peer analysis' MinHash kernel (build/rolemill.minhash.wasm; embedded in
// src/analysis/minhash-kernel.ts): MinHash signatures of the identity classes' rows, four hash
// functions per SIMD instruction. The host (src/analysis/minhash.ts) owns the memory it imports
// and lays the input out itself. Nothing here allocates, so the build (asconfig.json, target
// `minhash`) uses AssemblyScript's minimal runtime, which has no garbage collector; with no static
// data either, instantiating it writes nothing to that memory.

/**
 * For each of the `n` rows (row r holds the u32 entitlement ids ents[off[r] .. off[r + 1]), `off`
 * and `ents` u32 arrays at `offP` and `entsP`) and each hash k < K (K a multiple of 4):
 *
 *     sig[r * K + k] = min over e in row r of fmix32(a[k] * e + b[k])   (u32, 32-bit wrapping)
 *
 * and 0xffffffff for an empty row. `a`, `b` are K u32s at `aP`, `bP`; `sig` n * K u32s at `sigP`;
 * every address 16-byte aligned. fmix32 is MurmurHash3's finaliser. The same values as the scalar
 * definition in src/analysis/peers.ts, lane by lane: multiply, add and shifts wrap identically.
 */
export function minhashSignatures(n: i32, K: i32, offP: usize, entsP: usize, aP: usize, bP: usize, sigP: usize): void {
  const kb = <usize>K << 2;
  const c1 = i32x4.splat(0x85ebca6b);
  const c2 = i32x4.splat(0xc2b2ae35);
  const none = i32x4.splat(-1);
  for (let r = 0; r < n; r++) {
    const s = load<u32>(offP + (<usize>r << 2));
    const t = load<u32>(offP + (<usize>(r + 1) << 2));
    const o = sigP + <usize>r * kb;
    for (let q: usize = 0; q < kb; q += 16) v128.store(o + q, none);
    for (let j = s; j < t; j++) {
      const e = i32x4.splat(load<i32>(entsP + (<usize>j << 2)));
      for (let q: usize = 0; q < kb; q += 16) {
        let h = i32x4.add(i32x4.mul(v128.load(aP + q), e), v128.load(bP + q));
        h = v128.xor(h, i32x4.shr_u(h, 16));
        h = i32x4.mul(h, c1);
        h = v128.xor(h, i32x4.shr_u(h, 13));
        h = i32x4.mul(h, c2);
        h = v128.xor(h, i32x4.shr_u(h, 16));
        v128.store(o + q, i32x4.min_u(v128.load(o + q), h));
      }
    }
  }
}
