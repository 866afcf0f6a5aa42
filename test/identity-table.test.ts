// The identities table's per-identity columns against a plain construction: the `roles` column
// (each identity's role ids, space-separated, in role order) is built once per distinct list
// through a hash table of role-id lists, so it is checked on many identities sharing few lists,
// where collisions and repeats are the rule.
import { describe, expect, it } from 'vitest';
import { identityTable } from '../src/analysis/report.js';
import { roleName, type RoleModel } from '../src/model/model.js';
import { rng } from './support/reference.js';

function randomModel(r: () => number, n: number, R: number): RoleModel {
  const members: number[][] = Array.from({ length: R }, () => []);
  for (let i = 0; i < n; i++) for (let x = 0; x < R; x++) if (r() < (x === 0 ? 0.9 : 1.5 / R)) members[x]!.push(i);
  const memberOffsets = new Uint32Array(R + 1);
  members.forEach((m, x) => (memberOffsets[x + 1] = memberOffsets[x]! + m.length));
  return {
    identities: Array.from({ length: n }, (_, i) => `u${i}`),
    entitlements: ['e0'],
    roles: { count: R, kind: new Uint8Array(R), entitlementOffsets: Uint32Array.from({ length: R + 1 }, (_, x) => x), entitlements: new Uint32Array(R), memberOffsets, members: Uint32Array.from(members.flat()) },
    exceptions: { identity: new Uint32Array(0), entitlement: new Uint32Array(0), reason: new Uint8Array(0) },
    overAssignments: { identity: new Uint32Array(0), entitlement: new Uint32Array(0) },
    summary: {} as RoleModel['summary'],
  };
}

describe('identities table', () => {
  it('roles: each identity its roles in role order, each distinct list once, in first-seen order', () => {
    const r = rng(5);
    for (const [n, R] of [[0, 3], [1, 1], [50, 4], [3000, 12], [20000, 40]] as const) {
      const model = randomModel(r, n, R);
      const t = identityTable(model, null);
      const col = t.columns.find(([name]) => name === 'roles')![1];
      if (col.kind !== 'name') throw new Error('roles is a name column');
      const expected = Array.from({ length: n }, (_, i) => {
        const ids: string[] = [];
        for (let x = 0; x < R; x++) if (model.roles.members.subarray(model.roles.memberOffsets[x]!, model.roles.memberOffsets[x + 1]!).includes(i)) ids.push(roleName(x, R));
        return ids.join(' ');
      });
      expect(Array.from(col.codes, (c) => col.dictionary[c])).toEqual(expected);
      expect(col.dictionary).toEqual([...new Set(expected)]); // distinct, first-seen order
      expect(t.columns.find(([name]) => name === 'roles_held')![1]).toEqual({ kind: 'int', values: Uint32Array.from(expected, (e) => (e === '' ? 0 : e.split(' ').length)) });
    }
  });
});
