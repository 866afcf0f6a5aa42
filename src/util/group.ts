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

/**
 * groupByKey with each key's values sorted ascending and distinct (a set per key). A key's values
 * already in order (the governed grants are sorted by identity, then entitlement) are only
 * checked, not sorted: at 10M grants, 450,000 sorts of short sorted runs cost more than the grouping.
 */
export function groupSortedDistinct(keys: ArrayLike<number>, values: ArrayLike<number>, keyCount: number): { off: Uint32Array; values: Uint32Array } {
  return sortDistinctGroups(groupByKey(keys, values, keyCount), keyCount);
}

/**
 * groupSortedDistinct of several key/value lists as if they were one, concatenated in order,
 * without building the concatenation (at 10M grants, the copy costs more than the grouping).
 */
export function groupPartsSortedDistinct(parts: { keys: ArrayLike<number>; values: ArrayLike<number> }[], keyCount: number): { off: Uint32Array; values: Uint32Array } {
  const off = new Uint32Array(keyCount + 1);
  let n = 0;
  for (const { keys } of parts) {
    for (let k = 0; k < keys.length; k++) off[keys[k]! + 1]!++;
    n += keys.length;
  }
  for (let i = 0; i < keyCount; i++) off[i + 1]! += off[i]!;
  const fill = off.slice(0, keyCount);
  const grouped = new Uint32Array(n);
  for (const { keys, values } of parts) for (let k = 0; k < keys.length; k++) grouped[fill[keys[k]!]!++] = values[k]!;
  return sortDistinctGroups({ off, values: grouped }, keyCount);
}

/** Each key's values of a grouping sorted ascending and made distinct, in place (compacted). */
function sortDistinctGroups(g: { off: Uint32Array; values: Uint32Array }, keyCount: number): { off: Uint32Array; values: Uint32Array } {
  const v = g.values;
  let w = 0;
  let start = 0;
  for (let k = 0; k < keyCount; k++) {
    const end = g.off[k + 1]!;
    sortRun(v, start, end);
    g.off[k] = w;
    let prev = -1;
    for (let x = start; x < end; x++) {
      const e = v[x]!;
      if (e !== prev) v[w++] = prev = e;
    }
    start = end;
  }
  g.off[keyCount] = w;
  return { off: g.off, values: v.subarray(0, w) };
}

/**
 * Sorts a[from..to) ascending in place, after checking whether it already is: rows grouped from
 * sorted grants mostly are, and at 10M grants 450,000 sorts of sorted runs cost more than the
 * grouping around them.
 */
export function sortRun(a: Uint32Array, from: number, to: number): void {
  for (let x = from + 1; x < to; x++) {
    if (a[x]! < a[x - 1]!) {
      a.subarray(from, to).sort();
      return;
    }
  }
}
