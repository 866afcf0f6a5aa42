/**
 * Counting sort by key (identity, account): the values of key k are values[off[k]..off[k + 1]),
 * in input order. Every key must be an integer in [0, keyCount) (else RangeError). O(n + keyCount),
 * typed arrays only: the grouping step of the governance passes and the generator, at 10M grants.
 */
export function groupByKey(keys: ArrayLike<number>, values: ArrayLike<number>, keyCount: number): { off: Uint32Array; values: Uint32Array } {
  return groupPartsByKey([{ keys, values }], keyCount);
}

/**
 * groupByKey of several key/value lists as if they were one, concatenated in order, without
 * building the concatenation. When every part's keys are already ascending (the governed grants
 * are sorted by identity), each key's values are copied run by run, part after part, instead of
 * scattered one by one: the same result, read and written in order.
 */
export function groupPartsByKey(parts: { keys: ArrayLike<number>; values: ArrayLike<number> }[], keyCount: number): { off: Uint32Array; values: Uint32Array } {
  const off = new Uint32Array(keyCount + 1);
  let n = 0;
  let sorted = true;
  for (const { keys } of parts) {
    let prev = 0;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      off[key + 1]!++;
      if (key < prev) sorted = false;
      prev = key;
    }
    n += keys.length;
  }
  // A key outside [0, keyCount) or not an integer is a caller's bug, caught here without a test
  // per key: its count went to off[0] (key -1) or nowhere (a typed-array write out of range, or at
  // a fraction, is dropped), so the counts do not add up to n. Unchecked, its values would be
  // lost, or (on the path for ascending keys) attributed to other keys.
  if (off[0] !== 0) throw badKey(parts, keyCount);
  for (let i = 0; i < keyCount; i++) off[i + 1]! += off[i]!;
  if (off[keyCount] !== n) throw badKey(parts, keyCount);
  const grouped = new Uint32Array(n);
  // One part with its keys ascending is already grouped: its first n values, in order (one native
  // copy from a typed array; set converts as the assignment below does, ToUint32).
  if (sorted && parts.length === 1 && ArrayBuffer.isView(parts[0]!.values)) {
    const values = parts[0]!.values as unknown as Uint32Array;
    grouped.set(values.length === n ? values : values.subarray(0, n));
    return { off, values: grouped };
  }
  if (sorted) {
    const at = new Array<number>(parts.length).fill(0);
    let w = 0;
    for (let key = 0; key < keyCount; key++) {
      for (let p = 0; p < parts.length; p++) {
        const { keys, values } = parts[p]!;
        let c = at[p]!;
        while (c < keys.length && keys[c] === key) grouped[w++] = values[c++]!;
        at[p] = c;
      }
    }
    return { off, values: grouped };
  }
  const fill = off.slice(0, keyCount);
  for (const { keys, values } of parts) for (let k = 0; k < keys.length; k++) grouped[fill[keys[k]!]!++] = values[k]!;
  return { off, values: grouped };
}

/** The error for groupPartsByKey's first key that is not an integer in [0, keyCount). */
function badKey(parts: { keys: ArrayLike<number> }[], keyCount: number): RangeError {
  for (const { keys } of parts) {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (!(key >= 0 && key < keyCount && key === Math.floor(key))) return new RangeError(`groupPartsByKey: key ${key} at ${k} is not an integer in [0, ${keyCount})`);
    }
  }
  return new RangeError('groupPartsByKey: the key counts do not add up');
}

/**
 * A grouping's values made distinct within each key, in place: the first occurrence of each value
 * kept, in order. `valueCount` bounds the values.
 */
export function distinctInOrder(g: { off: Uint32Array; values: Uint32Array }, valueCount: number): { off: Uint32Array; values: Uint32Array } {
  const keyCount = g.off.length - 1;
  const seen = new Int32Array(valueCount).fill(-1);
  const v = g.values;
  let w = 0;
  for (let k = 0, from = 0; k < keyCount; k++) {
    const to = g.off[k + 1]!;
    g.off[k] = w;
    for (let q = from; q < to; q++) if (seen[v[q]!] !== k) (seen[v[q]!] = k), (v[w++] = v[q]!);
    from = to;
  }
  g.off[keyCount] = w;
  return { off: g.off, values: v.subarray(0, w) };
}

/**
 * The distinct lists of a grouping (key k's list is values[off[k]..off[k + 1])), compared value by
 * value: `classOf[k]` numbers them in first-seen order, and `first[c]` is the first key of list c.
 * Found in a typed hash table of the lists, so no string is made per key (identities share role
 * lists: 175k distinct among 450k at 10M grants).
 */
export function distinctLists(g: { off: Uint32Array; values: Uint32Array }): { classOf: Uint32Array; first: number[] } {
  const { off, values } = g;
  const n = off.length - 1;
  const classOf = new Uint32Array(n);
  const first: number[] = [];
  let size = 16;
  while (size < 2 * n) size *= 2;
  const slots = new Int32Array(size).fill(-1); // open addressing: a list's class, at its hash
  for (let k = 0; k < n; k++) {
    const from = off[k]!;
    const len = off[k + 1]! - from;
    let h = len;
    for (let x = from; x < from + len; x++) h = Math.imul(h ^ values[x]!, 0x01000193);
    let slot = (h ^ (h >>> 15)) & (size - 1);
    let c = -1;
    for (; slots[slot]! >= 0; slot = (slot + 1) & (size - 1)) {
      const d = slots[slot]!;
      const o = off[first[d]!]!;
      if (off[first[d]! + 1]! - o !== len) continue;
      let same = true;
      for (let q = 0; same && q < len; q++) same = values[o + q] === values[from + q];
      if (same) {
        c = d;
        break;
      }
    }
    if (c < 0) {
      c = first.push(k) - 1;
      slots[slot] = c;
    }
    classOf[k] = c;
  }
  return { classOf, first };
}

/**
 * groupByKey with each key's values sorted ascending and distinct (a set per key). A key's values
 * already in order (the governed grants are sorted by identity, then entitlement) are only
 * checked, not sorted: at 10M grants, 450,000 sorts of short sorted runs cost more than the grouping.
 */
export function groupSortedDistinct(keys: ArrayLike<number>, values: ArrayLike<number>, keyCount: number): { off: Uint32Array; values: Uint32Array } {
  return sortDistinctGroups(groupByKey(keys, values, keyCount), keyCount);
}

/** groupSortedDistinct of several key/value lists as if they were one (groupPartsByKey). */
export function groupPartsSortedDistinct(parts: { keys: ArrayLike<number>; values: ArrayLike<number> }[], keyCount: number): { off: Uint32Array; values: Uint32Array } {
  return sortDistinctGroups(groupPartsByKey(parts, keyCount), keyCount);
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
