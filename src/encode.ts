/**
 * In-memory encoding of grants given as name pairs, for embedders and tests. Follows the `Grants`
 * contract (src/types.ts): distinct names in canonical order (ascending by `<`), ids per pair in
 * input order, duplicates kept (the engine drops and counts them).
 */
import type { Grants } from './types.js';
import { canonicalIndexOrder } from './util/names.js';
import { mapU32 } from './util/typed.js';

export function grantsFromPairs(pairs: Iterable<readonly [string, string]>, source = 'memory'): Grants {
  const idIndex = new Map<string, number>();
  const entIndex = new Map<string, number>();
  const rawId: number[] = [];
  const rawEnt: number[] = [];
  for (const [i, e] of pairs) {
    let a = idIndex.get(i);
    if (a === undefined) idIndex.set(i, (a = idIndex.size));
    let b = entIndex.get(e);
    if (b === undefined) entIndex.set(e, (b = entIndex.size));
    rawId.push(a);
    rawEnt.push(b);
  }
  const [identities, idMap] = canonical(idIndex);
  const [entitlements, entMap] = canonical(entIndex);
  return {
    source,
    format: 'pairs',
    identities,
    entitlements,
    identity: mapU32(rawId, (a) => idMap[a]!),
    entitlement: mapU32(rawEnt, (b) => entMap[b]!),
    rows: rawId.length,
    otherColumns: [],
    columns: {},
  };
}

/** Sorted names and the map from first-seen index to canonical id. */
function canonical(index: Map<string, number>): [string[], Uint32Array] {
  const all = [...index.keys()];
  const names = Array.from(canonicalIndexOrder(all), (k) => all[k]!);
  const map = new Uint32Array(names.length);
  names.forEach((n, id) => (map[index.get(n)!] = id));
  return [names, map];
}
