// The grouping helpers behind the governance passes, the review and evaluate, against a plain
// Map-of-Sets construction on random inputs with repeats, empty keys and keys never used.
import { describe, expect, it } from 'vitest';
import { distinctInOrder, distinctLists, groupByKey, groupPartsByKey, groupPartsSortedDistinct, groupSortedDistinct } from '../src/util/group.js';
import { rng } from './support/reference.js';

function naive(keys: Uint32Array, values: Uint32Array, keyCount: number, distinct: boolean): number[][] {
  const out: number[][] = Array.from({ length: keyCount }, () => []);
  keys.forEach((k, x) => out[k]!.push(values[x]!));
  return distinct ? out.map((vs) => [...new Set(vs)].sort((a, b) => a - b)) : out;
}

function unpack(g: { off: Uint32Array; values: Uint32Array }, keyCount: number): number[][] {
  expect(g.off.length).toBe(keyCount + 1);
  return Array.from({ length: keyCount }, (_, k) => Array.from(g.values.subarray(g.off[k]!, g.off[k + 1]!)));
}

describe('grouping by key', () => {
  it('groupSortedDistinct gives each key its values sorted and distinct, and groupByKey keeps input order', () => {
    const random = rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const keyCount = 1 + Math.floor(random() * 30);
      const valueRange = 1 + Math.floor(random() * 40);
      const n = Math.floor(random() * 300);
      const keys = Uint32Array.from({ length: n }, () => Math.floor(random() * random() * keyCount));
      const values = Uint32Array.from({ length: n }, () => Math.floor(random() * valueRange));
      const sorted = groupSortedDistinct(keys, values, keyCount);
      expect(unpack(sorted, keyCount)).toEqual(naive(keys, values, keyCount, true));
      expect(sorted.values.length).toBe(sorted.off[keyCount]);
      expect(unpack(groupByKey(keys, values, keyCount), keyCount)).toEqual(naive(keys, values, keyCount, false));
    }
  });

  it('groupPartsSortedDistinct of several lists is the grouping of their concatenation (as the review groups every in-scope grant)', () => {
    const random = rng(11);
    for (let trial = 0; trial < 200; trial++) {
      const keyCount = 1 + Math.floor(random() * 30);
      const parts = Array.from({ length: Math.floor(random() * 4) }, () => {
        const n = Math.floor(random() * 100);
        return { keys: Uint32Array.from({ length: n }, () => Math.floor(random() * keyCount)), values: Uint32Array.from({ length: n }, () => Math.floor(random() * 25)) };
      });
      const keys = Uint32Array.from(parts.flatMap((p) => [...p.keys]));
      const values = Uint32Array.from(parts.flatMap((p) => [...p.values]));
      const g = groupPartsSortedDistinct(parts, keyCount);
      expect(unpack(g, keyCount)).toEqual(naive(keys, values, keyCount, true));
      expect(g.values.length).toBe(g.off[keyCount]);
    }
  });

  it('groupPartsByKey on parts whose keys are ascending (the sorted-run path) is the grouping of their concatenation, in input order', () => {
    const random = rng(17);
    let sortedTrials = 0;
    for (let trial = 0; trial < 300; trial++) {
      const keyCount = 1 + Math.floor(random() * 30);
      const parts = Array.from({ length: Math.floor(random() * 4) }, () => {
        const n = Math.floor(random() * 100);
        const keys = Uint32Array.from({ length: n }, () => Math.floor(random() * keyCount)).sort();
        // Now and then one out of order: the scattering path, on the same inputs otherwise.
        if (n > 1 && random() < 0.2) [keys[0], keys[n - 1]] = [keys[n - 1]!, keys[0]!];
        // Values longer than keys, as the grants' arrays beyond their rows: only keys.length of them count.
        return { keys, values: Uint32Array.from({ length: n + 2 }, () => Math.floor(random() * 25)) };
      });
      if (parts.every((p) => p.keys.every((k, x) => x === 0 || k >= p.keys[x - 1]!))) sortedTrials++;
      const keys = Uint32Array.from(parts.flatMap((p) => [...p.keys]));
      const values = Uint32Array.from(parts.flatMap((p) => [...p.values.subarray(0, p.keys.length)]));
      const g = groupPartsByKey(parts, keyCount);
      expect(unpack(g, keyCount)).toEqual(naive(keys, values, keyCount, false));
      expect(g.values.length).toBe(g.off[keyCount]);
      expect(unpack(groupPartsSortedDistinct(parts, keyCount), keyCount)).toEqual(naive(keys, values, keyCount, true));
    }
    expect(sortedTrials).toBeGreaterThan(150);
  });

  it('groupPartsByKey refuses a key outside [0, keyCount) or not an integer, on every path, instead of losing or misplacing its values', () => {
    // Found by a differential review: the ascending-keys path copied such a part's values through
    // unchanged, where the scattering path dropped them; neither is a grouping.
    const v = Uint32Array.of(7, 8, 9);
    for (const keys of [[0, 1, 2], [0, 0, 3], [2, 0, 1], [0, 0.5, 1], [0, NaN, 1], [-1, 0, 1]]) {
      expect(() => groupPartsByKey([{ keys, values: v }], 2)).toThrow(RangeError);
      expect(() => groupPartsByKey([{ keys: [0], values: [1] }, { keys, values: v }], 2)).toThrow(RangeError);
    }
    expect(() => groupByKey([0], [7], 0)).toThrow(/key 0 at 0 is not an integer in \[0, 0\)/);
    expect(unpack(groupByKey([1, 0, 1], v, 2), 2)).toEqual([[8], [7, 9]]);
  });

  it("distinctInOrder keeps each key's first occurrence of each value, in order; distinctLists numbers equal lists alike, in first-seen order", () => {
    const random = rng(13);
    for (let trial = 0; trial < 200; trial++) {
      const keyCount = 1 + Math.floor(random() * 40);
      const n = Math.floor(random() * 200);
      const keys = Uint32Array.from({ length: n }, () => Math.floor(random() * keyCount));
      const values = Uint32Array.from({ length: n }, () => Math.floor(random() * 6));
      const inOrder = naive(keys, values, keyCount, false).map((vs) => [...new Set(vs)]);
      expect(unpack(distinctInOrder(groupByKey(keys, values, keyCount), 6), keyCount)).toEqual(inOrder);
      // Lists of 0s and 1s: many keys share one.
      const { classOf, first } = distinctLists(groupByKey(keys, Uint32Array.from(values, (v) => v % 2), keyCount));
      const texts = naive(keys, Uint32Array.from(values, (v) => v % 2), keyCount, false).map((vs) => vs.join(','));
      expect(first.map((k) => texts[k])).toEqual([...new Set(texts)]);
      expect(Array.from(classOf, (c) => texts[first[c]!])).toEqual(texts);
    }
  });

  it('handles no rows and a single repeated pair', () => {
    expect(unpack(groupSortedDistinct(new Uint32Array(0), new Uint32Array(0), 3), 3)).toEqual([[], [], []]);
    expect(unpack(groupSortedDistinct(Uint32Array.of(2, 2, 2), Uint32Array.of(5, 5, 5), 4), 4)).toEqual([[], [], [5], []]);
    expect(unpack(groupSortedDistinct(Uint32Array.of(1, 0, 1, 0), Uint32Array.of(9, 3, 0, 3), 2), 2)).toEqual([[3], [0, 9]]);
  });
});
