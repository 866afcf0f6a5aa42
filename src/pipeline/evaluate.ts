/**
 * evaluate: a what-if of a whole role set (a model folder, as mined and then reviewed) on a
 * snapshot of access. The grants go through the same governance as mining; the given roles are
 * kept exactly as they are (ids, names, entitlements, order); identities the folder does not assign
 * (all of them, when it has no assignments) are assigned by the membership rule and marked
 * proposed. The model is then verified against the governed grants like a mined one, and the
 * impact of enforcing it is listed: `gain` (a role gives it, the identity does not hold it) and
 * `lose` (held, no role of the identity gives it: taken away unless kept as an exception).
 *
 * Membership rule (mining's `tolerance` knob): an identity may hold a role of k entitlements when
 * it lacks at most min(tolerance, ⌊k/2⌋) of them (never half of a small role; tolerance 0, the
 * default: it holds them all; 'auto': one of up to 5, a third of more, engine.ts autoLacking); of those roles it gets, largest first, each that gives it something
 * the ones before did not.
 */
import type { RoleModel, Roles, Summary } from '../model/model.js';
import { ROLE_KINDS } from '../model/model.js';
import type { Column, OutTable } from '../model/tables.js';
import type { ModelFolder } from '../model/read.js';
import { prepareGovernance, SET_ASIDE_REASONS, type Prepared } from '../governance/prepare.js';
import { assembleModel } from '../governance/assemble.js';
import { allGrants, holdingAccounts, identityIndex } from '../governance/report.js';
import { groupByKey, groupSortedDistinct } from '../util/group.js';
import { sortedHas } from '../util/sorted.js';
import { lackingAllowed } from '../engine/engine.js';
import { EXCEPTION_REASONS, textColumn, withRoleNames } from '../model/tables.js';
import { completeRun, identityJoin, startPeers, withReview, type MineInputs, type Run, type RunOptions } from './mine.js';

/** The fewest holders an entitlement needs to form a role: mining's default minMembers (rare_entitlement below it). */
const MIN_MEMBERS = 3;

export interface EvaluateOptions extends Pick<RunOptions, 'governance' | 'peers' | 'peerRunner' | 'onProgress' | 'owners'> {
  /** Entitlements of a role a proposed member may lack (default 0). */
  tolerance?: number | 'auto';
}

export interface Evaluation extends Run {
  /** identity, entitlement, change (gain | lose), role. */
  impact: OutTable;
}

export async function runEvaluate(inputs: MineInputs, folder: ModelFolder, options: EvaluateOptions = {}): Promise<Evaluation> {
  const report = options.onProgress ?? (() => undefined);
  const tolerance = options.tolerance ?? 0;
  const tg = performance.now();
  report('governance', 0);
  const base = prepareGovernance(inputs.grants, { ...options.governance, memberships: inputs.memberships, table: inputs.identities });
  report('governance', 1);
  const governanceMs = performance.now() - tg;

  // The entitlement space: the governed grants' entitlements, then those only the model names
  // (they can be given but are held by no one), appended so that grant ids stay as they are.
  const known = new Map<string, number>();
  base.effective.entitlements.forEach((e, k) => known.set(e, k));
  const extra: string[] = [];
  for (const r of folder.roles) for (const e of r.entitlements) if (!known.has(e)) known.set(e, base.effective.entitlements.length + extra.push(e) - 1);
  const prep: Prepared = extra.length ? { ...base, effective: { ...base.effective, entitlements: [...base.effective.entitlements, ...extra] } } : base;
  const E = prep.effective.entitlements.length;
  const N = prep.names.length;

  // Identities by name, accounts included (a reviewer may name an account of a merged person).
  const byName = identityIndex(prep);

  // What each identity holds, as sorted distinct lists (a person's accounts may hold the same
  // entitlement twice): what mining sees (the mined grants, and privileged grants, which roles may
  // take), so that set-aside access (orphans, dormant, terminated) never earns a proposed role.
  const PRIV = SET_ASIDE_REASONS.indexOf('privileged');
  const seen = allGrants(prep, (reason) => reason === PRIV);
  const { off: heldOff, values: held } = groupSortedDistinct(seen.identity, seen.entitlement, N);
  // Holders of each entitlement (for the membership rule).
  const heldBy = new Uint32Array(held.length);
  for (let i = 0; i < N; i++) heldBy.fill(i, heldOff[i]!, heldOff[i + 1]!);
  const { off: holdOff, values: holders } = groupByKey(held, heldBy, E);

  // Given assignments; identities the folder does not know; identities left to the rule.
  const R = folder.roles.length;
  const roleIndex = new Map(folder.roles.map((r, k) => [r.id, k]));
  const givenMembers: number[][] = folder.roles.map(() => []);
  const assigned = new Uint8Array(N);
  const unknownIdentities: string[] = [];
  let unknownAssignments = 0;
  for (const a of folder.assignments ?? []) {
    const r = roleIndex.get(a.role);
    if (r === undefined) continue; // a rejected role (readModel refuses unknown roles)
    const i = byName.get(a.identity);
    if (i === undefined) {
      unknownAssignments++;
      if (unknownIdentities.length < 5 && !unknownIdentities.includes(a.identity)) unknownIdentities.push(a.identity);
      continue;
    }
    givenMembers[r]!.push(i);
    assigned[i] = 1;
  }
  const roleEnts = folder.roles.map((r) => Uint32Array.from(r.entitlements.map((e) => known.get(e)!)).sort());
  // Non-human accounts are mined apart: the rule proposes them only roles of kind non-human, and people only the others.
  const nonHuman = new Uint8Array(N);
  if (prep.nonHumans) for (const i of prep.nonHumans.identity) nonHuman[i] = 1;
  const count = new Uint32Array(N);
  const proposedMembers: number[][] = folder.roles.map(() => []);
  const candidates: number[] = []; // (identity, role) pairs the rule admits
  for (let r = 0; r < R; r++) {
    const ents = roleEnts[r]!;
    const need = ents.length - lackingAllowed(tolerance, ents.length);
    const wantNonHuman = folder.roles[r]!.kind === 'non-human' ? 1 : 0;
    const touched: number[] = [];
    for (const e of ents) {
      for (let k = holdOff[e]!; k < holdOff[e + 1]!; k++) {
        const i = holders[k]!;
        if (assigned[i] || nonHuman[i] !== wantNonHuman) continue;
        if (count[i]++ === 0) touched.push(i);
      }
    }
    for (const i of touched) {
      if (count[i]! >= need) candidates.push(i, r);
      count[i] = 0;
    }
  }
  // Per identity, its candidate roles largest first (then in the folder's order), each taken when
  // it gives something the identity's roles taken so far do not: nested roles (a role and the
  // same role less one entitlement) do not all land on the same person, as in mining, where a
  // role is assigned for what it explains.
  const pairs = Array.from({ length: candidates.length / 2 }, (_, k) => k).sort((a, b) => {
    const ia = candidates[2 * a]!;
    const ib = candidates[2 * b]!;
    const ra = candidates[2 * a + 1]!;
    const rb = candidates[2 * b + 1]!;
    return ia - ib || roleEnts[rb]!.length - roleEnts[ra]!.length || ra - rb;
  });
  const covered = new Uint8Array(E);
  const taken: number[] = [];
  for (let x = 0; x < pairs.length; x++) {
    const i = candidates[2 * pairs[x]!]!;
    const r = candidates[2 * pairs[x]! + 1]!;
    if (x > 0 && candidates[2 * pairs[x - 1]!] !== i) {
      for (const t of taken) for (const e of roleEnts[t]!) covered[e] = 0;
      taken.length = 0;
    }
    let adds = false;
    for (const e of roleEnts[r]!) if (!covered[e]) adds = true;
    if (!adds) continue;
    for (const e of roleEnts[r]!) covered[e] = 1;
    taken.push(r);
    proposedMembers[r]!.push(i);
  }

  // The given roles as one part, over the governed identities.
  const memberOffsets = new Uint32Array(R + 1);
  const entitlementOffsets = new Uint32Array(R + 1);
  const memberLists = folder.roles.map((_, r) => {
    const m = [...new Set([...givenMembers[r]!, ...proposedMembers[r]!])].sort((x, y) => x - y);
    return m;
  });
  for (let r = 0; r < R; r++) {
    memberOffsets[r + 1] = memberOffsets[r]! + memberLists[r]!.length;
    entitlementOffsets[r + 1] = entitlementOffsets[r]! + roleEnts[r]!.length;
  }
  const members = new Uint32Array(memberOffsets[R]!);
  const proposed = new Uint8Array(memberOffsets[R]!);
  const entitlements = new Uint32Array(entitlementOffsets[R]!);
  for (let r = 0; r < R; r++) {
    const given = new Set(givenMembers[r]);
    memberLists[r]!.forEach((i, k) => {
      members[memberOffsets[r]! + k] = i;
      proposed[memberOffsets[r]! + k] = given.has(i) ? 0 : 1;
    });
    entitlements.set(roleEnts[r]!, entitlementOffsets[r]!);
  }
  const kindOf = (k: string | null) => {
    const at = k === null ? -1 : (ROLE_KINDS as readonly string[]).indexOf(k);
    return at < 0 ? 0 : at;
  };
  const roles: Roles = {
    count: R,
    kind: Uint8Array.from(folder.roles, (r) => kindOf(r.kind)),
    entitlementOffsets,
    entitlements,
    memberOffsets,
    members,
    ids: folder.roles.map((r) => r.id),
    proposed,
  };
  // Reasons for held grants no role gives, as mining gives them, within each part (people, and
  // non-human accounts mined apart): outside_roles when a role of the part has the entitlement;
  // else rare_entitlement when fewer than MIN_MEMBERS of the part hold it, else unexplained; a
  // non-human account's grant no role gives is non_human_access (as assembleModel gives it).
  const exId: number[] = [];
  const exEnt: number[] = [];
  const exWhy: number[] = [];
  const UNEXPLAINED = EXCEPTION_REASONS.indexOf('unexplained');
  const RARE = EXCEPTION_REASONS.indexOf('rare_entitlement');
  const NON_HUMAN_ACCESS = EXCEPTION_REASONS.indexOf('non_human_access');
  for (const [p, nh] of [[prep.humans, 0], [prep.nonHumans, 1]] as const) {
    if (!p) continue;
    const inRole = new Uint8Array(E);
    for (let r = 0; r < R; r++) if ((folder.roles[r]!.kind === 'non-human' ? 1 : 0) === nh) for (const e of roleEnts[r]!) inRole[e] = 1;
    const holding = new Uint32Array(E);
    for (let k = 0; k < p.rows; k++) holding[p.entitlement[k]!]!++;
    for (let k = 0; k < p.rows; k++) {
      const e = p.entitlement[k]!;
      if (inRole[e] && !nh) continue; // outside_roles unless a role gives it (assembleModel)
      exId.push(p.identity[k]!);
      exEnt.push(e);
      exWhy.push(nh ? NON_HUMAN_ACCESS : holding[e]! < MIN_MEMBERS ? RARE : UNEXPLAINED);
    }
  }
  const part: RoleModel = {
    identities: prep.names,
    entitlements: prep.effective.entitlements,
    roles,
    exceptions: { identity: Uint32Array.from(exId), entitlement: Uint32Array.from(exEnt), reason: Uint8Array.from(exWhy) },
    overAssignments: { identity: new Uint32Array(0), entitlement: new Uint32Array(0) },
    summary: baseSummary(inputs, folder),
  };
  const ta = performance.now();
  const model = assembleModel(prep, part, null, 1, { given: true });
  const s = model.summary;
  s.input.rows = inputs.grants.rows;
  s.input.source = inputs.grants.source;
  s.input.duplicatesDropped = (prep.report['grants'] as { duplicates: number }).duplicates;
  s.input.entitlements = base.effective.entitlements.length;
  s.dataQuality = prep.report;
  s.timings = { governanceMs: Math.round(governanceMs * 10) / 10, assembleMs: Math.round((performance.now() - ta) * 10) / 10 };

  const peersRun = startPeers(prep, options);
  const join = inputs.identities ? identityJoin(inputs.identities, prep) : null;
  const done = await completeRun(model, prep, { table: inputs.identities, join, peersRun, report, keepKinds: true });

  // Impact: gains are the over-assignments (with the roles that give them); losses the held grants no role gives.
  const rolesOf: number[][] = Array.from({ length: N }, () => []);
  for (let r = 0; r < R; r++) for (let k = memberOffsets[r]!; k < memberOffsets[r + 1]!; k++) rolesOf[members[k]!]!.push(r);
  const givers = (i: number, e: number): string => rolesOf[i]!.filter((r) => sortedHas(roleEnts[r]!, e)).map((r) => folder.roles[r]!.id).join(';');
  const impactRows: { i: number; e: number; change: number; role: string }[] = [];
  const ov = model.overAssignments;
  for (let k = 0; k < ov.identity.length; k++) impactRows.push({ i: ov.identity[k]!, e: ov.entitlement[k]!, change: 0, role: givers(ov.identity[k]!, ov.entitlement[k]!) });
  const ex = model.exceptions;
  let lose = 0;
  for (let k = 0; k < ex.identity.length; k++) {
    const i = ex.identity[k]!;
    const e = ex.entitlement[k]!;
    if (givers(i, e) !== '') continue; // listed (dormant) although a role gives it: nothing lost
    impactRows.push({ i, e, change: 1, role: '' });
    lose++;
  }
  impactRows.sort((a, b) => a.i - b.i || a.e - b.e || a.change - b.change);
  const impact: OutTable = {
    name: 'impact',
    length: impactRows.length,
    columns: [
      ['identity', { kind: 'name', dictionary: prep.names, codes: Uint32Array.from(impactRows, (x) => x.i) }],
      ['account', holdingAccounts(prep, Uint32Array.from(impactRows, (x) => x.i), Uint32Array.from(impactRows, (x) => x.e), (k) => impactRows[k]!.change === 1)],
      ['entitlement', { kind: 'name', dictionary: prep.effective.entitlements, codes: Uint32Array.from(impactRows, (x) => x.e) }],
      ['change', { kind: 'name', dictionary: ['gain', 'lose'], codes: Uint32Array.from(impactRows, (x) => x.change) }],
      ['role', textColumn(impactRows.map((x) => x.role))],
    ],
  };

  // Per role, how well it still fits: members given and proposed, members lacking entitlements,
  // and the entitlements most members lack.
  const fitColumns = roleFit(roles, roleEnts, held, heldOff, prep.effective.entitlements);
  // The folder's names (when it has any) win over the descriptions'; then status and a reviewer's
  // own columns (owner, comments), carried through.
  const given: [string, Column][] = [
    ['status', textColumn(folder.roles.map((r) => r.status))],
    ...folder.extraColumns.map((c): [string, Column] => [c, textColumn(folder.roles.map((r) => r.extra[c] ?? ''))]),
  ];
  const roleColumns: [string, Column][] = [
    ...(folder.roles.some((r) => r.name !== null)
      ? withRoleNames(done.roleColumns, folder.roles.map((r) => r.name), given)
      : [...given, ...done.roleColumns]),
    ...fitColumns,
  ];

  let proposedCount = 0;
  for (const x of proposed) proposedCount += x;
  let gains = 0;
  for (const x of impactRows) if (x.change === 0) gains++;
  s.evaluation = {
    model: folder.dir,
    roles: R,
    rejectedRoles: folder.rejected.length,
    assignmentsGiven: memberOffsets[R]! - proposedCount,
    assignmentsProposed: proposedCount,
    identitiesProposed: countProposedIdentities(roles),
    tolerance,
    assignmentsToUnknownIdentities: { count: unknownAssignments, examples: unknownIdentities },
    entitlementsNotInGrants: { count: extra.length, examples: extra.slice(0, 5) },
    coverage: s.model.coverage,
    gains,
    losses: lose,
  };
  const warnings = [...done.warnings];
  if (unknownAssignments) warnings.push(`${unknownAssignments} assignments in ${folder.dir} name identities with no grants in scope (e.g. ${unknownIdentities.join(', ')}): left out`);
  if (extra.length) warnings.push(`${extra.length} entitlements of the model are held by no one in the grants (e.g. ${extra.slice(0, 5).join(', ')}): every member would gain them`);
  return withReview({ model, prepared: prep, ...done, roleColumns, warnings, impact }, inputs, options);
}

function countProposedIdentities(roles: Roles): number {
  const seen = new Set<number>();
  for (let k = 0; k < roles.members.length; k++) if (roles.proposed![k]) seen.add(roles.members[k]!);
  return seen.size;
}

/** members_given, members_proposed, members_lacking (lacking at least one entitlement), most_lacked ("e (3 of 5)", up to 3). */
function roleFit(roles: Roles, roleEnts: Uint32Array[], held: Uint32Array, heldOff: Uint32Array, entNames: string[]): [string, Column][] {
  const R = roles.count;
  const given = new Float64Array(R);
  const prop = new Float64Array(R);
  const lacking = new Float64Array(R);
  const most: string[] = [];
  for (let r = 0; r < R; r++) {
    const ents = roleEnts[r]!;
    const lackCount = new Map<number, number>();
    let n = 0;
    for (let k = roles.memberOffsets[r]!; k < roles.memberOffsets[r + 1]!; k++) {
      n++;
      if (roles.proposed![k]) prop[r]!++;
      else given[r]!++;
      const i = roles.members[k]!;
      const h = held.subarray(heldOff[i]!, heldOff[i + 1]!);
      let lacks = false;
      let p = 0;
      for (const e of ents) {
        while (p < h.length && h[p]! < e) p++;
        if (p >= h.length || h[p] !== e) {
          lacks = true;
          lackCount.set(e, (lackCount.get(e) ?? 0) + 1);
        }
      }
      if (lacks) lacking[r]!++;
    }
    const top = [...lackCount].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 3);
    most.push(top.map(([e, c]) => `${entNames[e]} (${c} of ${n})`).join('; '));
  }
  return [
    ['members_given', { kind: 'int', values: given }],
    ['members_proposed', { kind: 'int', values: prop }],
    ['members_lacking', { kind: 'int', values: lacking }],
    ['most_lacked', { kind: 'name', dictionary: most, codes: Uint32Array.from(most.keys()) }],
  ];
}

/** The summary of the given roles before assembly (assembly computes the model's figures). */
function baseSummary(inputs: MineInputs, folder: ModelFolder): Summary {
  return {
    input: { source: inputs.grants.source, format: inputs.grants.format, rows: inputs.grants.rows, identities: 0, entitlements: 0, grants: 0, duplicatesDropped: 0 },
    mining: {
      mode: 'evaluate',
      objective: 'roles',
      identityClasses: 0,
      entitlementClasses: 0,
      reducedGrants: 0,
      components: 0,
      kernelGrants: 0,
      kernelComponents: 0,
      largestKernel: 0,
      searchNodes: 0,
      reductionRounds: 0,
      model: folder.dir,
    },
    model: {
      roles: folder.roles.length, identityRoleAssignments: 0, roleEntitlementAssignments: 0, wsc: 0, coverage: 0, unexplainedGrants: 0, exceptionsByReason: {},
      rolesPerIdentity: 0, identitiesWithoutRole: 0, birthrightRoles: 0, underAssigned: 0, overAssigned: 0, exact: false, roleLowerBound: 0, optimalityProven: false,
    },
    timings: {},
  };
}

