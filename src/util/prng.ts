/**
 * Seeded pseudo-random numbers for the generator: xoshiro128** (Blackman and Vigna), state filled by
 * splitmix32 from the seed. Plain 32-bit integer arithmetic, so the same seed gives the same stream
 * on every JavaScript engine and platform (no Math.random, no floating-point state).
 */

function splitmix32(state: number): [next: number, out: number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [s, (z ^ (z >>> 16)) >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * Any finite number is a seed: the integer part is split into its low and high 32 bits, so seeds
   * from 0 to 2^53 are all distinct streams.
   */
  constructor(seed: number) {
    const n = Math.trunc(Math.abs(seed));
    let s = (n >>> 0) ^ Math.imul(Math.floor(n / 4294967296) >>> 0, 0x27d4eb2d) ^ (seed < 0 ? 0x5bd1e995 : 0);
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, v] = splitmix32(s);
      s = next;
      out.push(v);
    }
    [this.a, this.b, this.c, this.d] = out as [number, number, number, number];
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // all-zero state is the one fixed point
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const b = this.b;
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32 (bias below 2^-32 * n, irrelevant here). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Approximately standard normal (sum of four uniforms, rescaled): enough for size spreads. */
  normal(): number {
    return (this.float() + this.float() + this.float() + this.float() - 2) * 1.7320508075688772;
  }

  /** In-place Fisher-Yates shuffle of items[from..to). */
  shuffle<T>(items: T[], from = 0, to = items.length): void {
    for (let i = to - 1; i > from; i--) {
      const j = from + this.int(i - from + 1);
      const x = items[i]!;
      items[i] = items[j]!;
      items[j] = x;
    }
  }

  /** Shuffles two parallel arrays the same way (Fisher-Yates, from the end): grant rows (identity, entitlement) in random order. */
  shuffleTogether(a: Uint32Array, b: Uint32Array): void {
    for (let k = a.length - 1; k > 0; k--) {
      const j = this.int(k + 1);
      const x = a[k]!;
      a[k] = a[j]!;
      a[j] = x;
      const y = b[k]!;
      b[k] = b[j]!;
      b[j] = y;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Picks index i with probability weights[i] / sum (cumulative table, binary search). */
export class WeightedPicker {
  private readonly cum: Float64Array;
  constructor(weights: ArrayLike<number>) {
    this.cum = new Float64Array(weights.length);
    let s = 0;
    for (let i = 0; i < weights.length; i++) this.cum[i] = s += weights[i]!;
  }
  get size(): number {
    return this.cum.length;
  }
  pick(rng: Rng): number {
    const cum = this.cum;
    const x = rng.float() * cum[cum.length - 1]!;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
