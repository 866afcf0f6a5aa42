// Kernel entry points for bench/ (AND + popcount over two buffers), so the benchmark measures the
// same SIMD kernel the solver uses against a plain-TypeScript baseline in the same process.
import { andPopcount, andPopcountScalar } from './bitset';

let benchA: usize = 0;
let benchB: usize = 0;

/** Allocates two buffers of `words` u64 each (freeing earlier ones); returns the first's address. */
export function benchBuffer(words: i32): usize {
  if (benchA != 0) {
    heap.free(benchA);
    heap.free(benchB);
  }
  benchA = heap.alloc(<usize>words << 3);
  benchB = heap.alloc(<usize>words << 3);
  return benchA;
}

export function benchSecond(): usize {
  return benchB;
}

export function benchAndPopcount(words: i32): f64 {
  return <f64>andPopcount(benchA, benchB, words);
}

export function benchAndPopcountScalar(words: i32): f64 {
  return <f64>andPopcountScalar(benchA, benchB, words);
}
