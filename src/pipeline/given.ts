/**
 * Mining on top of existing roles (`mine --roles DIR`, RunOptions.roles): a reviewed model folder
 * (readModel) steers the next mine.
 *
 * - Approved roles are kept exactly as given: they become seed roles of the people's mine (the
 *   engine never splits or extends a seed), assigned to every identity that holds them within the
 *   mining tolerance, and keep their ids and names.
 * - Drafts may be refined: they are not seeded; after mining, each is matched one-to-one to the
 *   mined role closest to it (entitlement Jaccard, at least DRAFT_MATCH), best pairs first, and that
 *   role takes the draft's id and name. A draft with no such role is reported as not found.
 * - Everything else is mined as usual and gets ids the folder does not use.
 * - For each given role, suggestions: entitlements held by at least ADD_SHARE of its members but not
 *   in it nor given to them by a birthright role (add), entitlements of it that at least REMOVE_SHARE of its members lack (remove), and
 *   given roles nearly identical to another (Jaccard ≥ MERGE_JACCARD: merge).
 */
import type { ModelFolder, ModelRole } from '../model/read.js';
import type { RoleModel } from '../model/model.js';
import { roleName } from '../model/model.js';
import { textColumn, type OutTable } from '../model/tables.js';
import type { Prepared } from '../governance/prepare.js';
import { allGrants, identityIndex } from '../governance/report.js';
import { groupByKey, groupSortedDistinct } from '../util/group.js';
import type { SeedRoles } from '../types.js';
import { autoLacking } from '../engine/engine.js';

export const DRAFT_MATCH = 0.5;
export const ADD_SHARE = 0.8;
export const REMOVE_SHARE = 0.2;
export const MERGE_JACCARD = 0.9;

export interface GivenSeeds {
  seeds: SeedRoles;
  /** The approved roles, in seed order (seed k is approved[k]). */
  approved: ModelRole[];
  drafts: ModelRole[];
  /** Entitlements the given roles name that no one holds in scope: left out of the seeds. */
  unknownEntitlements: string[];
  /** Approved roles none of whose entitlements is held in scope: cannot be kept. */
  unusable: string[];
}

/**
 * The approved roles of `folder` as seed roles over the people's grants: their entitlements (those
 * in scope), and as candidate members every identity holding one of its `tolerance + 1` rarest
 * entitlements (anyone lacking at most `tolerance` holds one of them; the engine admits those
 * lacking no more), plus the folder's own assignees.
 */
export function givenSeeds(prep: Prepared, folder: ModelFolder, tolerance: number | 'auto'): GivenSeeds {
  const ents = prep.effective.entitlements;
  const index = new Map(ents.map((e, k) => [e, k]));
  const humans = prep.humans;
  const { off: hoff, values: hvals } = groupByKey(humans.entitlement, humans.identity, ents.length);
  const holderCount = (e: number) => hoff[e + 1]! - hoff[e]!;
  const byName = identityIndex(prep);
  const assignees = new Map<string, number[]>();
  for (const a of folder.assignments ?? []) {
    const i = byName.get(a.identity);
    if (i !== undefined) (assignees.get(a.role) ?? assignees.set(a.role, []).get(a.role)!).push(i);
  }
  const unknown = new Set<string>();
  const approved: ModelRole[] = [];
  const unusable: string[] = [];
  const lists: { ents: number[]; members: number[] }[] = [];
  for (const r of folder.roles) {
    if (r.status !== 'approved' || r.kind === 'non-human') continue;
    const e = r.entitlements.map((x) => index.get(x)).filter((x): x is number => x !== undefined && holderCount(x) > 0);
    for (const x of r.entitlements) if (!index.has(x) || holderCount(index.get(x)!) === 0) unknown.add(x);
    if (e.length === 0) {
      unusable.push(r.id);
      continue;
    }
    e.sort((a, b) => a - b);
    const rarest = [...e].sort((a, b) => holderCount(a) - holderCount(b) || a - b).slice(0, (tolerance === 'auto' ? autoLacking(e.length) : tolerance) + 1);
    const m = new Set<number>(assignees.get(r.id) ?? []);
    for (const x of rarest) for (let k = hoff[x]!; k < hoff[x + 1]!; k++) m.add(hvals[k]!);
    approved.push(r);
    lists.push({ ents: e, members: [...m].sort((a, b) => a - b) });
  }
  const R = lists.length;
  const memberOffsets = new Uint32Array(R + 1);
  const entitlementOffsets = new Uint32Array(R + 1);
  lists.forEach((l, k) => {
    memberOffsets[k + 1] = memberOffsets[k]! + l.members.length;
    entitlementOffsets[k + 1] = entitlementOffsets[k]! + l.ents.length;
  });
  const seeds: SeedRoles = {
    count: R,
    // A given birthright role stays one (kind 1: it replaces the birthright step); the rest are business roles.
    kind: Uint8Array.from(approved, (r) => (r.kind === 'birthright' ? 1 : 2)),
    memberOffsets,
    members: Uint32Array.from(lists.flatMap((l) => l.members)),
    entitlementOffsets,
    entitlements: Uint32Array.from(lists.flatMap((l) => l.ents)),
  };
  return { seeds, approved, drafts: folder.roles.filter((r) => r.status !== 'approved' || r.kind === 'non-human'), unknownEntitlements: [...unknown].sort(), unusable };
}

/** Per role of the final model: where it came from, and the given role it continues. */
export interface Lineage {
  origin: ('given' | 'refined' | 'mined')[];
  given: (ModelRole | null)[];
  /** Drafts no mined role matched. */
  draftsNotFound: string[];
}

/**
 * Sets `model.roles.ids`: approved roles (seed origins) keep their ids, matched drafts theirs,
 * mined roles get R0001, R0002, ... skipping every id the folder uses (rejected roles' included,
 * so an id never comes back with another meaning).
 */
export function assignGivenIds(model: RoleModel, given: GivenSeeds, folder: ModelFolder): Lineage {
  const R = model.roles.count;
  const origin: Lineage['origin'] = new Array(R).fill('mined');
  const givenOf: (ModelRole | null)[] = new Array(R).fill(null);
  const ids: (string | null)[] = new Array(R).fill(null);
  const o = model.roles.origin;
  for (let r = 0; r < R; r++) {
    const s = o ? o[r]! : -1;
    if (s >= 0 && s < given.approved.length) {
      origin[r] = 'given';
      givenOf[r] = given.approved[s]!;
      ids[r] = given.approved[s]!.id;
    }
  }
  // Drafts: best Jaccard pairs first (ties: draft order, then role rank).
  const entsOf = (r: number) => new Set(Array.from(model.roles.entitlements.subarray(model.roles.entitlementOffsets[r], model.roles.entitlementOffsets[r + 1]), (e) => model.entitlements[e]!));
  const free = Array.from({ length: R }, (_, r) => r).filter((r) => ids[r] === null);
  const sets = new Map(free.map((r) => [r, entsOf(r)]));
  const pairs: { d: number; r: number; j: number }[] = [];
  given.drafts.forEach((d, k) => {
    for (const r of free) {
      const j = jaccard(d.entitlements, sets.get(r)!);
      if (j >= DRAFT_MATCH) pairs.push({ d: k, r, j });
    }
  });
  pairs.sort((a, b) => b.j - a.j || a.d - b.d || a.r - b.r);
  const draftTaken = new Set<number>();
  for (const p of pairs) {
    if (draftTaken.has(p.d) || ids[p.r] !== null) continue;
    draftTaken.add(p.d);
    ids[p.r] = given.drafts[p.d]!.id;
    origin[p.r] = 'refined';
    givenOf[p.r] = given.drafts[p.d]!;
  }
  const used = new Set<string>([...folder.roles.map((r) => r.id), ...folder.rejected]);
  let next = 0;
  const width = Math.max(R + used.size, 1);
  for (let r = 0; r < R; r++) {
    if (ids[r] !== null) continue;
    let id: string;
    do id = roleName(next++, width);
    while (used.has(id));
    used.add(id);
    ids[r] = id;
  }
  model.roles.ids = ids as string[];
  return { origin, given: givenOf, draftsNotFound: given.drafts.filter((_, k) => !draftTaken.has(k)).map((d) => d.id) };
}

function jaccard(a: string[], b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.length + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

/**
 * role_suggestions: for each role continuing a given one, what would improve it over the access
 * observed: `add` (held by ≥ ADD_SHARE of its members, not in it nor in their birthright roles), `remove` (lacked by ≥
 * REMOVE_SHARE of its members), `merge` (another given role with entitlement Jaccard ≥
 * MERGE_JACCARD). Rows: role, suggestion, target (an entitlement or a role), share (of members, or
 * the Jaccard), members.
 */
export function suggestions(model: RoleModel, lineage: Lineage, prep: Prepared, folder: ModelFolder): OutTable {
  const N = prep.names.length;
  const E = model.entitlements.length;
  // What each identity holds in scope (mined and set aside), as sorted distinct lists.
  const all = allGrants(prep);
  const { off, values: held } = groupSortedDistinct(all.identity, all.entitlement, N);
  const rows: { role: string; kind: number; target: string; share: number; members: number }[] = [];
  const count = new Uint32Array(E);
  const roles = model.roles;
  // Per identity, its roles (to leave out what another of its roles already gives).
  const rolesOf: number[][] = Array.from({ length: N }, () => []);
  for (let r = 0; r < roles.count; r++) for (let k = roles.memberOffsets[r]!; k < roles.memberOffsets[r + 1]!; k++) rolesOf[roles.members[k]!]!.push(r);
  const ents = (r: number) => roles.entitlements.subarray(roles.entitlementOffsets[r], roles.entitlementOffsets[r + 1]);
  for (let r = 0; r < roles.count; r++) {
    if (!lineage.given[r]) continue;
    const m = roles.members.subarray(roles.memberOffsets[r], roles.memberOffsets[r + 1]);
    if (m.length === 0) continue;
    const mine = new Set(ents(r));
    const touched: number[] = [];
    for (const i of m) {
      const byOthers = new Set<number>();
      for (const q of rolesOf[i]!) if (q !== r && roles.kind[q] === 1) for (const e of ents(q)) byOthers.add(e);
      for (let k = off[i]!; k < off[i + 1]!; k++) {
        const e = held[k]!;
        // `add` leaves out what a birthright role gives the member (everyone's access is no reason
        // to widen a job role); what a mined role now gives beside it is exactly what to fold in.
        if (!mine.has(e) && byOthers.has(e)) continue;
        if (count[e]++ === 0) touched.push(e);
      }
    }
    const id = roles.ids![r]!;
    for (const e of touched.sort((a, b) => a - b)) {
      if (!mine.has(e) && count[e]! >= ADD_SHARE * m.length) rows.push({ role: id, kind: 0, target: model.entitlements[e]!, share: count[e]! / m.length, members: m.length });
    }
    for (const e of [...mine].sort((a, b) => a - b)) {
      const lack = m.length - count[e]!;
      if (lack >= REMOVE_SHARE * m.length) rows.push({ role: id, kind: 1, target: model.entitlements[e]!, share: lack / m.length, members: m.length });
    }
    for (const e of touched) count[e] = 0;
  }
  // Merges among the given roles (as given, before this mine).
  const given = folder.roles;
  for (let a = 0; a < given.length; a++) {
    const sa = new Set(given[a]!.entitlements);
    for (let b = a + 1; b < given.length; b++) {
      const j = jaccard(given[b]!.entitlements, sa);
      if (j >= MERGE_JACCARD) rows.push({ role: given[a]!.id, kind: 2, target: given[b]!.id, share: j, members: 0 });
    }
  }
  return {
    name: 'role_suggestions',
    length: rows.length,
    columns: [
      ['role', textColumn(rows.map((x) => x.role))],
      ['suggestion', { kind: 'name', dictionary: ['add', 'remove', 'merge'], codes: Uint32Array.from(rows, (x) => x.kind) }],
      ['target', textColumn(rows.map((x) => x.target))],
      ['share', { kind: 'int', values: Float64Array.from(rows, (x) => Math.round(x.share * 1000) / 1000) }],
      ['members', { kind: 'int', values: Float64Array.from(rows, (x) => x.members) }],
    ],
  };
}
