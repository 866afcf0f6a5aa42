/**
 * The model as output tables: the same rows for CSV, JSON and Arrow. Columns are either names
 * (resolved from dense ids through a dictionary, so Arrow keeps them dictionary-encoded) or counts.
 */
import { ROLE_KINDS, roleName, slotRoles, type RoleModel } from './model.js';
import { groupByKey } from '../util/group.js';
import { iota } from '../util/typed.js';

export type Column =
  | { kind: 'name'; dictionary: string[]; codes: Uint32Array }
  | { kind: 'int'; values: Float64Array | Uint32Array };

export interface OutTable {
  name: 'roles' | 'role_entitlements' | 'assignments' | 'exceptions' | 'identities' | 'accounts' | 'lineage' | 'impact' | 'role_suggestions' | 'role_changes' | 'identity_changes' | 'remediation' | 'review';
  length: number;
  columns: [string, Column][];
}

/**
 * `values`, or `same` when it holds the same strings in the same order: a name list shared by
 * several columns is encoded once by the writers and the report (they cache by the array).
 */
export function sameNames(values: string[], same: string[]): string[] {
  if (values.length !== same.length) return values;
  for (let i = 0; i < values.length; i++) if (values[i] !== same[i]) return values;
  return same;
}

/** A name column of `values`, one dictionary entry per distinct value (in first-seen order). */
export function textColumn(values: readonly string[]): Column {
  const dictionary: string[] = [];
  const at = new Map<string, number>();
  const codes = new Uint32Array(values.length); // a loop, not Uint32Array.from with a map function (src/util/typed.ts)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let k = at.get(v);
    if (k === undefined) at.set(v, (k = dictionary.push(v) - 1));
    codes[i] = k;
  }
  return { kind: 'name', dictionary, codes };
}

/**
 * `roleColumns` with their `name` column replaced by `names` (a null entry: the name the column
 * had, else empty), first, followed by `more`: the names a reviewer or a baseline gave win over
 * the descriptions'.
 */
export function withRoleNames(roleColumns: [string, Column][], names: readonly (string | null)[], more: [string, Column][] = []): [string, Column][] {
  const described = roleColumns.find(([n]) => n === 'name')?.[1] as { dictionary: string[]; codes: Uint32Array } | undefined;
  const merged = names.map((n, r) => n ?? (described ? described.dictionary[described.codes[r]!]! : ''));
  return [['name', textColumn(merged)], ...more, ...roleColumns.filter(([n]) => n !== 'name')];
}

/**
 * Exception reasons, by code. The first three MUST match EXC_* in assembly/index.ts.
 * - unexplained: the entitlement is in no role, though enough identities hold it to form one;
 * - rare_entitlement: fewer identities hold the entitlement than a role needs (minMembers);
 * - outside_roles: roles hold the entitlement, but none of this identity's roles;
 * - over_assigned: a role gives this pair, which is not a grant;
 * - outlier: set by the peer analysis (src/analysis/report.ts): the identity is an outlier of its
 *   peer group and this entitlement is one its peers do not hold;
 * - non_human_access: a non-human account's grant that no (non-human) role explains.
 */
export const EXCEPTION_REASONS = [
  'unexplained', 'rare_entitlement', 'outside_roles', 'over_assigned', 'outlier',
  // Set aside before mining, for review (src/governance/prepare.ts):
  'orphan', 'non-human', 'dormant', 'privileged', 'terminated',
  // A non-human account's grant that no non-human role explains (src/governance/assemble.ts):
  'non_human_access',
] as const;

/** Exceptions counted by reason name (over-assignments under `over_assigned`). */
export function countReasons(reason: Uint8Array, overAssigned: number): Record<string, number> {
  const by: Record<string, number> = {};
  for (const r of reason) by[EXCEPTION_REASONS[r]!] = (by[EXCEPTION_REASONS[r]!] ?? 0) + 1;
  if (overAssigned > 0) by['over_assigned'] = overAssigned;
  return by;
}

export function modelTables(model: RoleModel): OutTable[] {
  const { roles } = model;
  const R = roles.count;
  const roleNames = roles.ids ? [...roles.ids] : Array.from({ length: R }, (_, r) => roleName(r, R));
  const memberCount = new Uint32Array(R);
  const entCount = new Uint32Array(R);
  for (let r = 0; r < R; r++) {
    memberCount[r] = roles.memberOffsets[r + 1]! - roles.memberOffsets[r]!;
    entCount[r] = roles.entitlementOffsets[r + 1]! - roles.entitlementOffsets[r]!;
  }
  const { exclusive, covered: grantsCovered } = roleGrants(model);

  // role_entitlements and assignments, by role.
  const reRole = slotRoles(roles.entitlementOffsets);
  const asRole = slotRoles(roles.memberOffsets);
  // Assignments sorted by identity, then role (what an access reviewer looks up): the slots, which
  // are in role order, grouped by identity (a stable counting sort).
  const order = groupByKey(roles.members, iota(roles.members.length), model.identities.length).values; // sorted position → slot
  const asIdentity = new Uint32Array(order.length);
  const asRoleSorted = new Uint32Array(order.length);
  for (let x = 0; x < order.length; x++) (asIdentity[x] = roles.members[order[x]!]!), (asRoleSorted[x] = asRole[order[x]!]!);
  const proposed = roles.proposed;

  const ex = model.exceptions;
  const ov = model.overAssignments;
  const exN = ex.identity.length + ov.identity.length;
  const exId = new Uint32Array(exN);
  const exEnt = new Uint32Array(exN);
  const exReason = new Uint32Array(exN);
  exId.set(ex.identity);
  exId.set(ov.identity, ex.identity.length);
  exEnt.set(ex.entitlement);
  exEnt.set(ov.entitlement, ex.entitlement.length);
  exReason.set(ex.reason);
  exReason.fill(3, ex.identity.length);

  const ids = model.identities;
  const ents = model.entitlements;
  return [
    {
      name: 'roles',
      length: R,
      columns: [
        ['role', { kind: 'name', dictionary: roleNames, codes: Uint32Array.from(roleNames.keys()) }],
        ['kind', { kind: 'name', dictionary: [...ROLE_KINDS], codes: Uint32Array.from(roles.kind) }],
        ['member_count', { kind: 'int', values: memberCount }],
        ['entitlement_count', { kind: 'int', values: entCount }],
        ['grants_covered', { kind: 'int', values: grantsCovered }],
        ['exclusive_grants', { kind: 'int', values: exclusive }],
      ],
    },
    {
      name: 'role_entitlements',
      length: reRole.length,
      columns: [
        ['role', { kind: 'name', dictionary: roleNames, codes: reRole }],
        ['entitlement', { kind: 'name', dictionary: ents, codes: roles.entitlements }],
      ],
    },
    {
      name: 'assignments',
      length: asIdentity.length,
      columns: [
        ['identity', { kind: 'name', dictionary: ids, codes: asIdentity }],
        ['role', { kind: 'name', dictionary: roleNames, codes: asRoleSorted }],
        // evaluate: whether the membership rule proposed the assignment (the model folder did not give it).
        ...(proposed ? [['proposed', { kind: 'name', dictionary: ['false', 'true'], codes: Uint32Array.from(order, (k) => proposed[k]!) }] as [string, Column]] : []),
      ],
    },
    {
      name: 'exceptions',
      length: exN,
      columns: [
        ['identity', { kind: 'name', dictionary: ids, codes: exId }],
        ['entitlement', { kind: 'name', dictionary: ents, codes: exEnt }],
        ['reason', { kind: 'name', dictionary: [...EXCEPTION_REASONS], codes: exReason }],
      ],
    },
  ];
}

/**
 * Per role, the grants it gives (`covered`: its members' grants of its entitlements, the pairs it
 * over-assigns left out) and those of them no other role of the same identity gives (`exclusive`:
 * what would be lost if the role were removed). O(sum over identities of the entitlements of their roles).
 */
export function roleGrants(model: RoleModel): { exclusive: Float64Array; covered: Float64Array } {
  const { roles } = model;
  const R = roles.count;
  const nId = model.identities.length;
  const nEnt = model.entitlements.length;
  // identity -> roles
  const off = new Uint32Array(nId + 1);
  for (const i of roles.members) off[i + 1]!++;
  for (let i = 0; i < nId; i++) off[i + 1]! += off[i]!;
  const fill = off.slice(0, nId);
  const idRoles = new Uint32Array(roles.members.length);
  for (let r = 0; r < R; r++) {
    for (let q = roles.memberOffsets[r]!; q < roles.memberOffsets[r + 1]!; q++) idRoles[fill[roles.members[q]!]!++] = r;
  }
  const count = new Uint32Array(nEnt);
  const out = new Float64Array(R);
  const covered = new Float64Array(R);
  for (let r = 0; r < R; r++) covered[r] = (roles.memberOffsets[r + 1]! - roles.memberOffsets[r]!) * (roles.entitlementOffsets[r + 1]! - roles.entitlementOffsets[r]!);
  // Over-assigned pairs (sorted by identity): not grants, so neither covered nor lost.
  let over = model.overAssignments;
  for (let k = 1; k < over.identity.length; k++) {
    if (over.identity[k]! < over.identity[k - 1]!) {
      const order = Array.from(over.identity, (_, x) => x).sort((a, b) => over.identity[a]! - over.identity[b]! || a - b);
      over = { identity: Uint32Array.from(order, (x) => over.identity[x]!), entitlement: Uint32Array.from(order, (x) => over.entitlement[x]!) };
      break;
    }
  }
  const isOver = new Uint8Array(nEnt);
  let o = 0;
  for (let i = 0; i < nId; i++) {
    const s = off[i]!;
    const e = off[i + 1]!;
    while (o < over.identity.length && over.identity[o]! < i) o++;
    const oStart = o;
    while (o < over.identity.length && over.identity[o] === i) isOver[over.entitlement[o++]!] = 1;
    if (s === e) {
      for (let k = oStart; k < o; k++) isOver[over.entitlement[k]!] = 0;
      continue;
    }
    for (let x = s; x < e; x++) {
      const r = idRoles[x]!;
      for (let q = roles.entitlementOffsets[r]!; q < roles.entitlementOffsets[r + 1]!; q++) count[roles.entitlements[q]!]!++;
    }
    for (let x = s; x < e; x++) {
      const r = idRoles[x]!;
      for (let q = roles.entitlementOffsets[r]!; q < roles.entitlementOffsets[r + 1]!; q++) {
        const ent = roles.entitlements[q]!;
        if (isOver[ent]) covered[r]!--;
        else if (count[ent] === 1) out[r]!++;
      }
    }
    for (let k = oStart; k < o; k++) isOver[over.entitlement[k]!] = 0;
    for (let x = s; x < e; x++) {
      const r = idRoles[x]!;
      for (let q = roles.entitlementOffsets[r]!; q < roles.entitlementOffsets[r + 1]!; q++) count[roles.entitlements[q]!] = 0;
    }
  }
  return { exclusive: out, covered };
}
