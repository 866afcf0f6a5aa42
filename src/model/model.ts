/**
 * The role model: what mining returns, as columnar typed arrays over the dense ids of the input
 * (`Grants.identities` / `Grants.entitlements`), plus a summary. Plain data only, so it crosses a
 * worker boundary with its buffers transferred.
 */
import type { AutoAttribute } from '../analysis/auto-by.js';
import type { InputFormat } from '../types.js';
import { groupByKey } from '../util/group.js';

/** Roles in compressed form: role r's entitlements are entitlements[entitlementOffsets[r] .. [r+1]). */
export interface Roles {
  count: number;
  /** Per role: 0 technical (mined from access alone), 1 birthright (held by nearly everyone), 2 business (an attribute-driven seed role), 3 non-human (mined from service, workload and shared accounts apart from people). See ROLE_KINDS. */
  kind: Uint8Array;
  /** Per role: the index of the seed role (MineOptions.seedRoles) it came from, -1 when mined; absent when no seeds were given. */
  origin?: Int32Array;
  /** Per role: its id as written (a role read from a model folder keeps its own); absent: R0001, R0002, ... by rank (roleName). */
  ids?: string[];
  /** Per member slot (parallel to `members`): 1 when the assignment was proposed by the membership rule rather than given (evaluate). */
  proposed?: Uint8Array;
  entitlementOffsets: Uint32Array;
  entitlements: Uint32Array;
  memberOffsets: Uint32Array;
  members: Uint32Array;
}

/** (identity, entitlement) pairs by dense id. */
export interface GrantPairs {
  identity: Uint32Array;
  entitlement: Uint32Array;
}

export interface Summary {
  input: {
    source: string;
    format: InputFormat;
    rows: number;
    identities: number;
    entitlements: number;
    grants: number;
    duplicatesDropped: number;
  };
  mining: {
    /** 'evaluate': the roles were given (a model folder), not mined; `model` names the folder. */
    mode: 'exact' | 'approx' | 'evaluate';
    model?: string;
    objective: 'roles' | 'wsc';
    identityClasses: number;
    entitlementClasses: number;
    reducedGrants: number;
    components: number;
    kernelGrants: number;
    kernelComponents: number;
    largestKernel: number;
    searchNodes: number;
    reductionRounds: number;
    /** Approx mode: candidate roles built, and evaluations made by the lazy greedy. */
    candidates?: number;
    evaluations?: number;
    /** Approx mode: the knobs used. */
    knobs?: { minMembers: number; minEntitlements: number; coverage: number; maxRoles: number; birthright: number; support: number; exceptionCost: number; tolerance: number | 'auto'; significance: number };
  };
  model: {
    roles: number;
    identityRoleAssignments: number;
    roleEntitlementAssignments: number;
    wsc: number;
    coverage: number;
    /** Grants no role explains (= underAssigned), and by reason. */
    unexplainedGrants: number;
    exceptionsByReason: Record<string, number>;
    /** Governed runs: dormant grants a role gives (listed as exceptions all the same: removal candidates). */
    dormantGivenByRoles?: number;
    /** Mean roles per identity holding at least one grant; identities holding no role. */
    rolesPerIdentity: number;
    identitiesWithoutRole: number;
    birthrightRoles: number;
    underAssigned: number;
    overAssigned: number;
    exact: boolean;
    roleLowerBound: number;
    optimalityProven: boolean;
  };
  /** Business alignment, when an identities file was given (CLI --identities). */
  identitiesFile?: {
    source: string;
    rows: number;
    matched: number;
    attributes: string[];
    warnings: { kind: string; count: number; examples: string[]; message: string }[];
    businessRoles: number;
    meanQuality: number;
    /** Share of (non-birthright) role assignments whose identity holds its role's rule. */
    attributePurity: number;
  };
  /** Governance inputs and the data-quality report (src/governance/prepare.ts): groups, usage, scope, accounts, set-aside grants. */
  dataQuality?: Record<string, unknown>;
  /** Attribute-driven (top-down) mining, when asked for (--by): see attributeSummary in src/pipeline/mine.ts. */
  attributeMining?: AttributeMiningSummary;
  /** mine --baseline: how this model continues the previous snapshot's (src/pipeline/baseline.ts). */
  baseline?: BaselineSummary;
  /** mine --roles: what became of the given roles (src/pipeline/given.ts). */
  givenRoles?: GivenRolesSummary;
  /** evaluate: the given model's roles and assignments, and the impact of enforcing it (src/pipeline/evaluate.ts). */
  evaluation?: EvaluationSummary;
  /** Peer analysis, when run (CLI default): groups found and identities scored as outliers. */
  peers?: { groups: number; outliers: number; outlierThreshold: number; exceptionsMarkedOutlier: number };
  timings: Record<string, number>;
}

/** A count with up to five examples, as summary.json writes them. */
export interface Counted {
  count: number;
  examples: string[];
}

export interface AttributeMiningSummary {
  paths: string[];
  threshold: number;
  minMembers: number;
  groupRoles: number;
  rolesKept: number;
  rolesWithoutMembers: number;
  groupMembersLeftOut: number;
  groupsWithoutRole: number;
  groupsTooSmall: number;
  identitiesWithoutValues: number;
  vetoes: number;
  vetoExamples: string[];
  bottomUpRoles: number;
  /**
   * `--by auto` (chooseAttributePaths, src/analysis/auto-by.ts): the paths it chose (as `paths`;
   * none: every count above is 0 and everything was mined bottom-up), the grants its shares are of,
   * the share the chosen paths explain, and every attribute of the identities file with its role
   * (`path`, `within`, `ignored`), the reason and the figures.
   */
  auto?: {
    paths: string[];
    grants: number;
    birthrightEntitlements: number;
    explained: number;
    attributes: AutoAttribute[];
  };
}

export interface GivenRolesSummary {
  /** The model folder given. */
  model: string;
  approved: number;
  /** Approved roles in the model (as seeds). */
  kept: number;
  approvedWithoutMembers: Counted;
  drafts: number;
  refined: number;
  draftsNotFound: Counted;
  rejected: number;
  unknownEntitlements: Counted;
  mined: number;
  suggestions: number;
}

export interface BaselineSummary {
  model: string;
  /** Least Jaccard at which a role continues a baseline role. */
  threshold: number;
  baselineRoles: number;
  /** Roles continuing a baseline role (its id and name kept), and new ones. */
  continued: number;
  added: number;
  removed: Counted;
  meanJaccard: number;
  /** Every role id the lineage has used, in order: a new role never takes one of them. */
  idsUsed: string[];
}

export interface EvaluationSummary {
  model: string;
  roles: number;
  rejectedRoles: number;
  assignmentsGiven: number;
  assignmentsProposed: number;
  identitiesProposed: number;
  tolerance: number | 'auto';
  assignmentsToUnknownIdentities: Counted;
  entitlementsNotInGrants: Counted;
  coverage: number;
  gains: number;
  losses: number;
}

export interface RoleModel {
  identities: string[];
  entitlements: string[];
  roles: Roles;
  /**
   * Grants no role explains (under-assignment), each with a reason code (see EXCEPTION_REASONS in
   * tables.ts: unexplained, rare_entitlement, outside_roles). Empty for an exact model.
   */
  exceptions: GrantPairs & { reason: Uint8Array };
  /** Pairs some role gives that are not grants (over-assignment). Empty for an exact model. */
  overAssignments: GrantPairs;
  summary: Summary;
}

/** One role as a plain object, names resolved. */
export interface RoleObject {
  role: string;
  kind: RoleKind;
  entitlements: string[];
  members: string[];
}

/** Role kinds by code (`Roles.kind`). */
export const ROLE_KINDS = ['technical', 'birthright', 'business', 'non-human'] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

/** Role ids as written in outputs: R0001, R0002, ... (width grows with the count). */
export function roleName(index: number, count: number): string {
  const width = Math.max(4, String(count).length);
  return 'R' + String(index + 1).padStart(width, '0');
}

/** The roles as plain objects with names (allocates per role: for display and tests, not bulk). */
export function roleObjects(model: RoleModel): RoleObject[] {
  const { roles } = model;
  const out: RoleObject[] = [];
  for (let r = 0; r < roles.count; r++) {
    out.push({
      role: roles.ids?.[r] ?? roleName(r, roles.count),
      kind: ROLE_KINDS[roles.kind[r]!] ?? 'technical',
      entitlements: Array.from(roles.entitlements.subarray(roles.entitlementOffsets[r], roles.entitlementOffsets[r + 1]), (e) => model.entitlements[e]!),
      members: Array.from(roles.members.subarray(roles.memberOffsets[r], roles.memberOffsets[r + 1]), (i) => model.identities[i]!),
    });
  }
  return out;
}

/** The role of each slot of `offsets` (role r owns slots offsets[r] .. offsets[r + 1]: its members or entitlements). */
export function slotRoles(offsets: Uint32Array): Uint32Array {
  const out = new Uint32Array(offsets[offsets.length - 1] ?? 0);
  for (let r = 0; r + 1 < offsets.length; r++) out.fill(r, offsets[r], offsets[r + 1]);
  return out;
}

/** Each identity's roles, ascending: the members grouped by identity (a counting sort, no array per identity). */
export function rolesByIdentity(roles: Roles, identities: number): { off: Uint32Array; values: Uint32Array } {
  return groupByKey(roles.members, slotRoles(roles.memberOffsets), identities);
}

/**
 * Puts roles in the canonical order reviewers read first: birthright roles, then most members, then most entitlements,
 * then by first entitlement id and first member id. Ids are canonical, so the order is a function
 * of the grants alone.
 */
export function sortRoles(r: Roles): Roles {
  const order = Array.from({ length: r.count }, (_, i) => i);
  const lenM = (i: number) => r.memberOffsets[i + 1]! - r.memberOffsets[i]!;
  const lenE = (i: number) => r.entitlementOffsets[i + 1]! - r.entitlementOffsets[i]!;
  const cmpSlice = (a: Uint32Array, b: Uint32Array): number => {
    const n = Math.min(a.length, b.length);
    for (let k = 0; k < n; k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
    return a.length - b.length;
  };
  // Birthright first, then business (attribute) roles, then technical ones, then non-human ones.
  const rank = (k: number): number => (k === 1 ? 3 : k === 2 ? 2 : k === 0 ? 1 : 0);
  order.sort(
    (a, b) =>
      rank(r.kind[b]!) - rank(r.kind[a]!) ||
      lenM(b) - lenM(a) ||
      lenE(b) - lenE(a) ||
      cmpSlice(r.entitlements.subarray(r.entitlementOffsets[a], r.entitlementOffsets[a + 1]), r.entitlements.subarray(r.entitlementOffsets[b], r.entitlementOffsets[b + 1])) ||
      cmpSlice(r.members.subarray(r.memberOffsets[a], r.memberOffsets[a + 1]), r.members.subarray(r.memberOffsets[b], r.memberOffsets[b + 1])),
  );
  const pick = <A extends Uint32Array | Uint8Array>(off: Uint32Array, ids: A): [Uint32Array, A] => {
    const o = new Uint32Array(r.count + 1);
    const v = new (ids.constructor as new (n: number) => A)(ids.length);
    let w = 0;
    order.forEach((src, k) => {
      const s = ids.subarray(off[src], off[src + 1]);
      v.set(s, w);
      w += s.length;
      o[k + 1] = w;
    });
    return [o, v];
  };
  const [entitlementOffsets, entitlements] = pick(r.entitlementOffsets, r.entitlements);
  const [memberOffsets, members] = pick(r.memberOffsets, r.members);
  const out: Roles = { count: r.count, kind: Uint8Array.from(order, (i) => r.kind[i]!), entitlementOffsets, entitlements, memberOffsets, members };
  if (r.origin) out.origin = Int32Array.from(order, (i) => r.origin![i]!);
  if (r.ids) out.ids = order.map((i) => r.ids![i]!);
  if (r.proposed) out.proposed = pick(r.memberOffsets, r.proposed)[1];
  return out;
}

/** Every typed-array buffer in the model (for transfer lists). */
export function modelBuffers(m: RoleModel): ArrayBuffer[] {
  const arrays = [
    m.roles.entitlementOffsets, m.roles.entitlements, m.roles.memberOffsets, m.roles.members,
    m.roles.kind, ...(m.roles.origin ? [m.roles.origin] : []), ...(m.roles.proposed ? [m.roles.proposed] : []), m.exceptions.identity, m.exceptions.entitlement, m.exceptions.reason, m.overAssignments.identity, m.overAssignments.entitlement,
  ];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/**
 * What a person is told of an exact model's role count (the command line's report line, the
 * browser app's status): the proven minimum; or, with objective `wsc`, which adds roles to lower
 * WSC, the minimum it started from; or the lower bound when the search stopped short of a proof.
 */
export function exactRolesNote(m: { roles: number; roleLowerBound: number; optimalityProven: boolean }): string {
  if (!m.optimalityProven) return ` (lower bound ${m.roleLowerBound})`;
  return m.roles === m.roleLowerBound ? ' (proven minimum)' : ` (the minimum, ${m.roleLowerBound}, is proven; roles added for a lower WSC)`;
}
