/**
 * Counting sort by key (identity, account): the values of key k are values[off[k]..off[k + 1]),
 * in input order. O(n + keyCount), typed arrays only: the grouping step of the governance passes
 * and the generator, at 10M grants.
 */
export function groupByKey(keys: ArrayLike<number>, values: ArrayLike<number>, keyCount: number): { off: Uint32Array; values: Uint32Array } {
  const n = keys.length;
  const off = new Uint32Array(keyCount + 1);
  for (let k = 0; k < n; k++) off[keys[k]! + 1]!++;
  for (let i = 0; i < keyCount; i++) off[i + 1]! += off[i]!;
  const fill = off.slice(0, keyCount);
  const grouped = new Uint32Array(n);
  for (let k = 0; k < n; k++) grouped[fill[keys[k]!]!++] = values[k]!;
  return { off, values: grouped };
}

/** groupByKey with each key's values sorted ascending and distinct (a set per key). */
export function groupSortedDistinct(keys: ArrayLike<number>, values: ArrayLike<number>, keyCount: number): { off: Uint32Array; values: Uint32Array } {
  const g = groupByKey(keys, values, keyCount);
  let w = 0;
  let start = 0;
  for (let k = 0; k < keyCount; k++) {
    const seg = g.values.subarray(start, g.off[k + 1]!).sort();
    start = g.off[k + 1]!;
    g.off[k] = w;
    for (let x = 0; x < seg.length; x++) if (x === 0 || seg[x] !== seg[x - 1]) g.values[w++] = seg[x]!;
  }
  g.off[keyCount] = w;
  return { off: g.off, values: g.values.subarray(0, w) };
}
