// Dense bitset kernels over raw linear memory (u64 words). Callers own the buffers and guarantee the
// word counts; no bounds checks here (hot loops, see ALGORITHMS.md: unchecked access is 4x faster).

// @ts-ignore: decorator
@inline export function wordsFor(bits: i32): i32 {
  return (bits + 63) >>> 6;
}

// @ts-ignore: decorator
@inline export function getBit(p: usize, i: i32): bool {
  return ((load<u64>(p + (<usize>(i >>> 6) << 3)) >>> <u64>(i & 63)) & 1) != 0;
}

// @ts-ignore: decorator
@inline export function setBit(p: usize, i: i32): void {
  const a = p + (<usize>(i >>> 6) << 3);
  store<u64>(a, load<u64>(a) | (<u64>1 << <u64>(i & 63)));
}

// @ts-ignore: decorator
@inline export function clearBit(p: usize, i: i32): void {
  const a = p + (<usize>(i >>> 6) << 3);
  store<u64>(a, load<u64>(a) & ~(<u64>1 << <u64>(i & 63)));
}

export function zero(p: usize, words: i32): void {
  memory.fill(p, 0, <usize>words << 3);
}

export function copy(dst: usize, src: usize, words: i32): void {
  memory.copy(dst, src, <usize>words << 3);
}

/** dst &= src */
export function andInto(dst: usize, src: usize, words: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 2 <= words; i += 2) {
    const o = <usize>i << 3;
    v128.store(dst + o, v128.and(v128.load(dst + o), v128.load(src + o)));
  }
  if (i < words) {
    const o = <usize>i << 3;
    store<u64>(dst + o, load<u64>(dst + o) & load<u64>(src + o));
  }
}

/** True when a & b has any bit set. */
export function intersects(a: usize, b: usize, words: i32): bool {
  for (let i = 0; i < words; i++) {
    const o = <usize>i << 3;
    if ((load<u64>(a + o) & load<u64>(b + o)) != 0) return true;
  }
  return false;
}

/** True when every bit of a is set in b. */
export function isSubset(a: usize, b: usize, words: i32): bool {
  for (let i = 0; i < words; i++) {
    const o = <usize>i << 3;
    if ((load<u64>(a + o) & ~load<u64>(b + o)) != 0) return false;
  }
  return true;
}

export function equals(a: usize, b: usize, words: i32): bool {
  return memory.compare(a, b, <usize>words << 3) == 0;
}

export function popcount(a: usize, words: i32): i32 {
  let n: i64 = 0;
  for (let i = 0; i < words; i++) n += popcnt<u64>(load<u64>(a + (<usize>i << 3)));
  return <i32>n;
}

export function isEmpty(a: usize, words: i32): bool {
  for (let i = 0; i < words; i++) if (load<u64>(a + (<usize>i << 3)) != 0) return false;
  return true;
}

/**
 * |a & b| with SIMD (the plain build, without SIMD, uses the scalar kernel): 128-bit AND and
 * i8x16.popcnt, byte counts summed in a u8x16 accumulator for up to 15 steps of 32 bytes (at most
 * 15 * 16 = 240 per lane, no overflow), then widened once into the u64 total.
 */
export function andPopcount(a: usize, b: usize, words: i32): i64 {
  if (!ASC_FEATURE_SIMD) return andPopcountScalar(a, b, words);
  let total = i64x2.splat(0);
  let i = 0;
  while (i + 4 <= words) {
    let acc = i8x16.splat(0);
    let steps = 0;
    for (; steps < 15 && i + 4 <= words; steps++, i += 4) {
      const o = <usize>i << 3;
      acc = i8x16.add(acc, i8x16.popcnt(v128.and(v128.load(a + o), v128.load(b + o))));
      acc = i8x16.add(acc, i8x16.popcnt(v128.and(v128.load(a + o, 16), v128.load(b + o, 16))));
    }
    const s32 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(acc));
    total = i64x2.add(total, i64x2.extend_low_i32x4_u(s32));
    total = i64x2.add(total, i64x2.extend_high_i32x4_u(s32));
  }
  let n: i64 = i64x2.extract_lane(total, 0) + i64x2.extract_lane(total, 1);
  for (; i < words; i++) {
    const o = <usize>i << 3;
    n += popcnt<u64>(load<u64>(a + o) & load<u64>(b + o));
  }
  return n;
}

/** Scalar |a & b|, the non-SIMD reference kernel (kept for the benchmark's SIMD-vs-scalar ratio). */
export function andPopcountScalar(a: usize, b: usize, words: i32): i64 {
  let n: i64 = 0;
  let i = 0;
  for (; i + 4 <= words; i += 4) {
    const o = <usize>i << 3;
    n += popcnt<u64>(load<u64>(a + o) & load<u64>(b + o));
    n += popcnt<u64>(load<u64>(a + o, 8) & load<u64>(b + o, 8));
    n += popcnt<u64>(load<u64>(a + o, 16) & load<u64>(b + o, 16));
    n += popcnt<u64>(load<u64>(a + o, 24) & load<u64>(b + o, 24));
  }
  for (; i < words; i++) {
    const o = <usize>i << 3;
    n += popcnt<u64>(load<u64>(a + o) & load<u64>(b + o));
  }
  return n;
}

/** Index of the next set bit at or after `from`, or -1. */
export function nextBit(a: usize, words: i32, from: i32): i32 {
  let w = from >>> 6;
  if (w >= words) return -1;
  let x = load<u64>(a + (<usize>w << 3)) & (~(<u64>0) << <u64>(from & 63));
  while (true) {
    if (x != 0) return (w << 6) + <i32>ctz<u64>(x);
    w++;
    if (w >= words) return -1;
    x = load<u64>(a + (<usize>w << 3));
  }
}
