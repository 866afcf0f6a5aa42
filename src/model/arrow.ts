// The model's tables as Apache Arrow tables: name columns dictionary-encoded (Int32 indices over
// the identity/entitlement/role names), counts as Float64 or Uint32.
import { Dictionary, Float64, Int32, Table, Uint32, Utf8, makeData, makeVector, vectorFromArray, type Vector } from 'apache-arrow';
import { modelTables, type Column, type OutTable } from './tables.js';
import type { RoleModel } from './model.js';

/** `dictId` must differ per column of a table; fixed ids keep the bytes the same run to run. */
function columnVector(c: Column, dictId: number): Vector {
  if (c.kind === 'int') {
    return c.values instanceof Float64Array
      ? makeVector({ type: new Float64(), data: c.values })
      : makeVector({ type: new Uint32(), data: c.values });
  }
  const { values, remap } = distinctEntries(c.dictionary);
  const dictionary = vectorFromArray(values, new Utf8());
  const type = new Dictionary(new Utf8(), new Int32(), dictId);
  // A copy per column: two columns may share one codes array (identityTable's do), and apache-arrow
  // writes a corrupt file for two vectors over the same buffer.
  const codes = remap ? Int32Array.from(c.codes, (x) => remap[x]!) : Int32Array.from(c.codes);
  return makeVector(makeData({ type, length: c.codes.length, nullCount: 0, data: codes, dictionary }));
}

/**
 * A dictionary with each value once (first occurrence kept, in order) and the old code → new code
 * map, or the dictionary itself (remap null) when its values are distinct already. Tables may
 * repeat values in a dictionary (a text per row: review evidence, identities' outlier factors);
 * an Arrow dictionary holds each once.
 */
function distinctEntries(dictionary: string[]): { values: string[]; remap: Int32Array | null } {
  const first = new Map<string, number>();
  for (const v of dictionary) if (!first.has(v)) first.set(v, first.size);
  if (first.size === dictionary.length) return { values: dictionary, remap: null };
  return { values: [...first.keys()], remap: Int32Array.from(dictionary, (v) => first.get(v)!) };
}

export function tableToArrow(t: OutTable): Table {
  return new Table(Object.fromEntries(t.columns.map(([name, col], i) => [name, columnVector(col, i)])));
}

/** roles, role_entitlements, assignments and exceptions as Arrow tables. */
export function toArrowTables(model: RoleModel): Record<OutTable['name'], Table> {
  return Object.fromEntries(modelTables(model).map((t) => [t.name, tableToArrow(t)])) as Record<OutTable['name'], Table>;
}
