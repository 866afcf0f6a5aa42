/**
 * The final model of a governed run: the human model and the non-human model (mined apart) side
 * by side, privileged entitlements given back to the roles whose every member holds them, and every
 * in-scope grant accounted for: given by a role, or an exception with its reason.
 *
 * Verification is redone here, on the host, from the grants themselves (each part was already
 * verified by the core against its own input): exceptions = in-scope grants no role gives, over-
 * assignments = pairs a role gives that are not grants. Nothing missing, nothing extra, unless
 * reported. Reasons: a set-aside grant keeps its reason (orphan, non-human, dormant, privileged); a
 * mined grant its part's reason. Dormant grants are listed even when a role gives them (they are
 * removal candidates either way; `dormantGivenByRoles` counts those), but only grants no role gives
 * count as unexplained.
 */
import { UsageError } from '../errors.js';
import { countReasons, EXCEPTION_REASONS } from '../model/tables.js';
import { rolesByIdentity, sortRoles, type RoleModel, type Roles, type Summary } from '../model/model.js';
import type { Prepared } from './prepare.js';
import { lowerBound, sortedHas } from '../util/sorted.js';
import { allGrantsByIdentity } from './report.js';
import { SET_ASIDE_REASONS } from './prepare.js';

const PRIVILEGED = SET_ASIDE_REASONS.indexOf('privileged');

export interface AssembleOptions {
  /**
   * The roles are given, not mined (evaluate): they are kept exactly as they are, in their order,
   * with their ids and proposed marks; no privileged entitlement is given back to them.
   */
  given?: boolean;
}

/**
 * `privilegedShare` (default 1): the share of a role's members that must hold a privileged
 * entitlement for the role to take it. At 1 (every member), roles never give privileged access to
 * anyone lacking it; below 1, the members lacking it are given it and listed as over-assigned, for
 * review (a lead role whose every member but one holds its admin right).
 */
export function assembleModel(prep: Prepared, human: RoleModel, nonHuman: RoleModel | null, privilegedShare = 1, opts: AssembleOptions = {}): RoleModel {
  if (!(privilegedShare > 0 && privilegedShare <= 1)) throw new UsageError(`privileged share must be in (0, 1], got ${privilegedShare}`);
  const E = prep.effective.entitlements.length;
  // All in-scope grants over the model's identities, by identity, each one's entitlements sorted
  // and distinct (the run's shared grouping: the review reads it too). Grant x is
  // (identity i, held.values[x]) for x in [held.off[i], held.off[i + 1]).
  const N = prep.names.length;
  const held = allGrantsByIdentity(prep);
  const { off: keyStart, values: heldEnts } = held;
  const find = (i: number, e: number): number => {
    const at = lowerBound(heldEnts, e, keyStart[i]!, keyStart[i + 1]!);
    return at < keyStart[i + 1]! && heldEnts[at] === e ? at : -1;
  };
  // Reasons per grant: 255 none yet.
  const reason = new Uint8Array(heldEnts.length).fill(255);
  for (let k = 0; k < prep.setAside.identity.length; k++) {
    reason[find(prep.setAside.identity[k]!, prep.setAside.entitlement[k]!)] = EXCEPTION_REASONS.indexOf(SET_ASIDE_REASONS[prep.setAside.reason[k]!]!);
  }
  // Dormant grants that were mined: listed as dormant whether or not a role gives them (below).
  for (let k = 0; k < (prep.dormant.identity.length); k++) {
    const at = find(prep.dormant.identity[k]!, prep.dormant.entitlement[k]!);
    if (at >= 0) reason[at] = EXCEPTION_REASONS.indexOf('dormant');
  }
  // A non-human account's grant that no role explains is `non_human_access`, not a stray grant of
  // a person: service, workload and shared accounts hold broad access that mostly forms no role,
  // and it is reviewed per account with its owner (its breadth is in accounts.csv), not line by line.
  const NON_HUMAN_ACCESS = EXCEPTION_REASONS.indexOf('non_human_access');
  for (const part of [human, nonHuman]) {
    if (!part) continue;
    const ex = part.exceptions;
    for (let i = 0; i < ex.identity.length; i++) {
      const at = find(ex.identity[i]!, ex.entitlement[i]!);
      if (at >= 0 && reason[at] === 255) reason[at] = part === nonHuman ? NON_HUMAN_ACCESS : ex.reason[i]!;
    }
  }

  // Privileged grants set aside: per identity, its privileged entitlements (ascending), to give
  // back to roles whose every member holds them.
  const privOf = new Map<number, number[]>();
  for (let k = 0; k < prep.setAside.identity.length; k++) {
    if (prep.setAside.reason[k] !== PRIVILEGED) continue;
    const i = prep.setAside.identity[k]!;
    let l = privOf.get(i);
    if (!l) privOf.set(i, (l = []));
    l.push(prep.setAside.entitlement[k]!);
  }
  for (const l of privOf.values()) l.sort((x, y) => x - y);
  const holdsPriv = (i: number, e: number): boolean => {
    const l = privOf.get(i);
    return l !== undefined && sortedHas(l, e);
  };

  // Roles of both parts; non-human roles get kind 3.
  const roleList: { kind: number; origin: number; members: Uint32Array; ents: number[] }[] = [];
  for (const [part, nh] of [[human, false], [nonHuman, true]] as const) {
    if (!part) continue;
    const r = part.roles;
    for (let i = 0; i < r.count; i++) {
      const members = r.members.slice(r.memberOffsets[i]!, r.memberOffsets[i + 1]!);
      const ents = Array.from(r.entitlements.subarray(r.entitlementOffsets[i]!, r.entitlementOffsets[i + 1]!));
      if (!nh && members.length > 0 && !opts.given) {
        if (privilegedShare === 1) {
          // A privileged entitlement joins the role when every member holds it: the candidates are
          // the first member's privileged entitlements.
          for (const e of privOf.get(members[0]!) ?? []) {
            let all = true;
            for (let x = 1; x < members.length && all; x++) all = holdsPriv(members[x]!, e);
            if (all) ents.push(e);
          }
        } else {
          // ... when at least privilegedShare of the members hold it.
          const need = Math.ceil(privilegedShare * members.length - 1e-9);
          const held = new Map<number, number>();
          for (const m of members) for (const e of privOf.get(m) ?? []) held.set(e, (held.get(e) ?? 0) + 1);
          for (const [e, n] of held) if (n >= need) ents.push(e);
        }
        ents.sort((x, y) => x - y);
      }
      roleList.push({ kind: nh ? 3 : r.kind[i]!, origin: part.roles.origin?.[i] ?? -1, members, ents });
    }
  }
  const R = roleList.length;
  const memberOffsets = new Uint32Array(R + 1);
  const entitlementOffsets = new Uint32Array(R + 1);
  roleList.forEach((x, i) => {
    memberOffsets[i + 1] = memberOffsets[i]! + x.members.length;
    entitlementOffsets[i + 1] = entitlementOffsets[i]! + x.ents.length;
  });
  const members = new Uint32Array(memberOffsets[R]!);
  const entitlements = new Uint32Array(entitlementOffsets[R]!);
  roleList.forEach((x, i) => {
    members.set(x.members, memberOffsets[i]!);
    entitlements.set(x.ents, entitlementOffsets[i]!);
  });
  const unsorted: Roles = { count: R, kind: Uint8Array.from(roleList, (x) => x.kind), entitlementOffsets, entitlements, memberOffsets, members };
  if (human.roles.origin) unsorted.origin = Int32Array.from(roleList, (x) => x.origin);
  if (opts.given) {
    if (nonHuman) throw new UsageError('given roles are assembled as one part');
    if (human.roles.ids) unsorted.ids = human.roles.ids;
    if (human.roles.proposed) unsorted.proposed = human.roles.proposed;
  }
  const roles = opts.given ? unsorted : sortRoles(unsorted);

  // Verification: what the roles give. Identity by identity: its grants' positions marked by
  // entitlement, then each entitlement of each of its roles looked up there (a lookup per pair,
  // not a binary search: about 10M pairs at 10M grants).
  const given = new Uint8Array(heldEnts.length);
  const ua = roles.members.length;
  const { off: rolesAt, values: rolesOf } = rolesByIdentity(roles, N);
  const holder = new Int32Array(E).fill(-1); // holder[e] === i: identity i holds e, at heldEnts[position[e]]
  const position = new Uint32Array(E);
  // Over-assignments, identity by identity, each identity's sorted and distinct.
  const overId = new Grow();
  const overEnt = new Grow();
  let over: number[] = [];
  for (let i = 0; i < N; i++) {
    if (rolesAt[i] === rolesAt[i + 1]) continue;
    for (let k = keyStart[i]!; k < keyStart[i + 1]!; k++) {
      const e = heldEnts[k]!;
      holder[e] = i;
      position[e] = k;
    }
    over.length = 0;
    for (let x = rolesAt[i]!; x < rolesAt[i + 1]!; x++) {
      const r = rolesOf[x]!;
      for (let b = roles.entitlementOffsets[r]!; b < roles.entitlementOffsets[r + 1]!; b++) {
        const e = roles.entitlements[b]!;
        if (holder[e] === i) given[position[e]!] = 1;
        else over.push(e);
      }
    }
    if (over.length === 0) continue;
    if (over.length > 1) over = over.sort((a, b) => a - b);
    for (let x = 0; x < over.length; x++) if (x === 0 || over[x] !== over[x - 1]) overId.push(i), overEnt.push(over[x]!);
  }
  const exId = new Grow();
  const exEnt = new Grow();
  const exReason: number[] = [];
  // Dormant grants are removal candidates whether or not a role would give them: always listed.
  const DORMANT = EXCEPTION_REASONS.indexOf('dormant');
  const OUTSIDE = EXCEPTION_REASONS.indexOf('outside_roles');
  let under = 0;
  let dormantInRoles = 0;
  // Identities with a grant and those of them without a role.
  const hasRole = new Uint8Array(prep.names.length);
  for (const m of roles.members) hasRole[m] = 1;
  let identitiesWithGrant = 0;
  let withoutRole = 0;
  for (let i = 0; i < N; i++) {
    const from = keyStart[i]!;
    const to = keyStart[i + 1]!;
    if (from === to) continue;
    identitiesWithGrant++;
    if (!hasRole[i]) withoutRole++;
    for (let k = from; k < to; k++) {
      if (given[k]) {
        if (reason[k] !== DORMANT) continue;
        dormantInRoles++;
      } else under++;
      exId.push(i);
      exEnt.push(heldEnts[k]!);
      exReason.push(reason[k] === 255 ? OUTSIDE : reason[k]!);
    }
  }
  const exceptions = { identity: exId.array(), entitlement: exEnt.array(), reason: Uint8Array.from(exReason) };
  const overAssignments = { identity: overId.array(), entitlement: overEnt.array() };

  const grants = heldEnts.length;
  const pa = roles.entitlements.length;
  const base = human.summary;
  const summary: Summary = {
    input: { ...base.input, identities: identitiesWithGrant, grants, duplicatesDropped: base.input.duplicatesDropped },
    mining: { ...base.mining, ...(nonHuman ? { nonHuman: nonHuman.summary.mining, nonHumanRoles: nonHuman.roles.count } : {}) },
    model: {
      roles: R,
      identityRoleAssignments: ua,
      roleEntitlementAssignments: pa,
      wsc: R + ua + pa,
      coverage: grants === 0 ? 1 : (grants - under) / grants,
      unexplainedGrants: under,
      exceptionsByReason: countReasons(exceptions.reason, overAssignments.identity.length),
      dormantGivenByRoles: dormantInRoles,
      rolesPerIdentity: identitiesWithGrant === 0 ? 0 : ua / identitiesWithGrant,
      identitiesWithoutRole: withoutRole,
      birthrightRoles: roles.kind.reduce((n, k) => n + (k === 1 ? 1 : 0), 0),
      underAssigned: under,
      overAssigned: overAssignments.identity.length,
      exact: under === 0 && overAssignments.identity.length === 0,
      roleLowerBound: 0,
      optimalityProven: false,
    },
    timings: { ...base.timings, ...(nonHuman ? Object.fromEntries(Object.entries(nonHuman.summary.timings).map(([k, v]) => [`nonHuman${k[0]!.toUpperCase()}${k.slice(1)}`, v])) : {}) },
  };
  return { identities: prep.names, entitlements: prep.effective.entitlements, roles, exceptions, overAssignments, summary };
}

/** A list of whole numbers grown by doubling, returned as a Uint32Array. */
class Grow {
  private a = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Uint32Array(2 * this.a.length);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v;
  }
  array(): Uint32Array {
    return this.a.slice(0, this.length);
  }
}
