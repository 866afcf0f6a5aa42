// A seeded stand-in for a sparse real export (9.3k identities x 7.2k entitlements, thousands of
// small roles at the optimum): R small roles (1-3 of E entitlements, 2-6 of N identities), drawn
// with the project's PRNG. Shared by bench/sparse.js and bench/exact.js.
import { Rng } from '../dist/util/prng.js';

/** [identity, entitlement] pairs, distinct, in drawing order. */
export function sparseGrants(R = 6000, N = 9300, E = 7200, seed = 20261202) {
  const rng = new Rng(seed);
  const seen = new Set();
  const pairs = [];
  for (let r = 0; r < R; r++) {
    const ne = 1 + rng.int(3);
    const nm = 2 + rng.int(5);
    const ents = Array.from({ length: ne }, () => rng.int(E));
    const ids = Array.from({ length: nm }, () => rng.int(N));
    for (const i of ids) {
      for (const e of ents) {
        const k = i * E + e;
        if (seen.has(k)) continue;
        seen.add(k);
        pairs.push([`u${i}`, `e${e}`]);
      }
    }
  }
  return pairs;
}
