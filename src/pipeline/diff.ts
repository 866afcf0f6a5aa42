/**
 * Two snapshots' models compared (`rolemill diff PREV_DIR NEW_DIR`): what changed in the roles,
 * who joined, left or moved, and what to remediate.
 *
 * - Roles are compared by id (mine --baseline keeps the ids of roles that continue): `kept` (the
 *   same entitlements), `changed` (same id, other entitlements), `added`, `removed`.
 * - Identities: `joiner` (only in the new model), `leaver` (only in the previous one), `mover` (an
 *   attribute of the identities files changed, when both are given; else from access: a role lost
 *   whose access is kept, and a new job's role gained), `changed` (other roles),
 *   `unchanged`.
 * - Remediation: `leaver_access` (an account the new snapshot flags terminated or inactive with
 *   access, or without an HR record, and the previous did not: each grant its identity holds, by a
 *   role or as an exception, is listed), `mover_leftover` (a mover's access that only a role of the old job
 *   explains: a role the mover kept (or a new one giving what its old roles gave) that fewer than half of the new peers hold, or an exception now
 *   that an old role gave; never what a new-job role gives), `new_exception` (an exception of the new model the previous did not
 *   have), `resolved` (an exception of the previous model that is gone).
 */
import type { ModelFolder } from '../model/read.js';
import { textColumn, type OutTable } from '../model/tables.js';
import type { IdentityTable } from '../ingest/identities.js';

export interface DiffInputs {
  prev: ModelFolder;
  next: ModelFolder;
  /** The folders' exceptions tables (readModelTable), or null when a folder has none. */
  prevExceptions: Record<string, string>[] | null;
  nextExceptions: Record<string, string>[] | null;
  /** The folders' accounts tables (status, orphan, terminated_with_access), or null. */
  prevAccounts: Record<string, string>[] | null;
  nextAccounts: Record<string, string>[] | null;
  /** The identities files of the two snapshots, for movers (attributes that changed). */
  prevIdentities?: IdentityTable | null;
  nextIdentities?: IdentityTable | null;
}

export interface DiffSummary {
  prev: string;
  next: string;
  roles: { before: number; after: number; kept: number; changed: number; added: number; removed: number };
  /** Share of the previous roles kept or changed under their id, and the mean Jaccard of those. */
  stability: { continued: number; meanJaccard: number };
  identities: { joiners: number; leavers: number; movers: number; changed: number; unchanged: number };
  remediation: Record<string, number>;
  exceptions: { before: number; after: number };
}

export interface Diff {
  roleChanges: OutTable;
  identityChanges: OutTable;
  remediation: OutTable;
  summary: DiffSummary;
}

/** A table of rows: number columns as counts, the others as text. */
function table(name: OutTable['name'], header: string[], rows: (string | number)[][]): OutTable {
  const columns = header.map((h, c): [string, OutTable['columns'][number][1]] =>
    rows.length && typeof rows[0]![c] === 'number' ? [h, { kind: 'int', values: Float64Array.from(rows, (r) => r[c] as number) }] : [h, textColumn(rows.map((r) => String(r[c])))],
  );
  return { name, length: rows.length, columns };
}

const INACTIVE = /^(terminated|inactive|disabled|left|leaver|deleted|suspended)$/i;

export function diffModels(d: DiffInputs): Diff {
  const { prev, next } = d;
  // Roles by id.
  const before = new Map(prev.roles.map((r) => [r.id, r]));
  const after = new Map(next.roles.map((r) => [r.id, r]));
  const members = (f: ModelFolder) => {
    const m = new Map<string, number>();
    for (const a of f.assignments ?? []) m.set(a.role, (m.get(a.role) ?? 0) + 1);
    return m;
  };
  const mb = members(prev);
  const ma = members(next);
  const roleRows: (string | number)[][] = [];
  const counts = { kept: 0, changed: 0, added: 0, removed: 0 };
  let jsum = 0;
  const ids = [...new Set([...next.roles.map((r) => r.id), ...prev.roles.map((r) => r.id)])];
  for (const id of ids) {
    const b = before.get(id);
    const a = after.get(id);
    const eb = new Set(b?.entitlements ?? []);
    const ea = new Set(a?.entitlements ?? []);
    const added = [...ea].filter((e) => !eb.has(e));
    const removed = [...eb].filter((e) => !ea.has(e));
    const inter = ea.size - added.length;
    const j = b && a ? inter / (ea.size + eb.size - inter) : 0;
    const change = !b ? 'added' : !a ? 'removed' : added.length || removed.length ? 'changed' : 'kept';
    counts[change]++;
    if (b && a) jsum += j;
    roleRows.push([id, change, Math.round(j * 1000) / 1000, added.join(';'), removed.join(';'), mb.get(id) ?? 0, ma.get(id) ?? 0]);
  }

  // Identities: roles before and after; attribute changes.
  const rolesOf = (f: ModelFolder) => {
    const m = new Map<string, string[]>();
    for (const a of f.assignments ?? []) (m.get(a.identity) ?? m.set(a.identity, []).get(a.identity)!).push(a.role);
    for (const l of m.values()) l.sort();
    return m;
  };
  const rb = rolesOf(prev);
  const ra = rolesOf(next);
  const attrs = (t: IdentityTable | null | undefined) => {
    const m = new Map<string, Map<string, string>>();
    if (!t) return m;
    const names = t.attributes.map((a) => a.name).filter((n) => !['person', 'type', 'status', 'manager'].includes(n));
    t.keys.forEach((k, row) => {
      const v = new Map<string, string>();
      for (const a of t.attributes) if (names.includes(a.name)) v.set(a.name, a.values[a.codes[row]!] ?? '');
      m.set(k, v);
    });
    return m;
  };
  const ab = attrs(d.prevIdentities);
  const aa = attrs(d.nextIdentities);
  const present = (f: ModelFolder, ex: Record<string, string>[] | null) => {
    const s = new Set<string>((f.assignments ?? []).map((a) => a.identity));
    for (const r of ex ?? []) s.add(r['identity']!);
    return s;
  };
  const inBefore = present(prev, d.prevExceptions);
  const inAfter = present(next, d.nextExceptions);
  const idRows: (string | number)[][] = [];
  const idCounts = { joiners: 0, leavers: 0, movers: 0, changed: 0, unchanged: 0 };
  const movers = new Set<string>();
  // Movers from access, for identities without attributes in both files: one that lost a role it
  // held but still holds at least 80% of that role's entitlements (as exceptions now, or through a
  // role it gained that gives them), and gained a role mostly of other entitlements: it took
  // another job and kept the old one's access.
  const prevRoles = new Map(prev.roles.map((r) => [r.id, r]));
  const nextRoles = new Map(next.roles.map((r) => [r.id, r]));
  /** Whether at least `share` of `ents` (a role's entitlements, not none) are in `set`. */
  const shareIn = (ents: string[], set: Set<string>, share: number) => ents.length > 0 && ents.filter((e) => set.has(e)).length >= share * ents.length;
  const exNow = new Map<string, Set<string>>();
  for (const r of d.nextExceptions ?? []) if (r['reason'] !== 'over_assigned') (exNow.get(r['identity']!) ?? exNow.set(r['identity']!, new Set()).get(r['identity']!)!).add(r['entitlement']!);
  const movedByAccess = (who: string, before: string[], after: string[]): string[] => {
    const gained = after.filter((r) => !before.includes(r));
    if (!gained.length) return [];
    const held = new Set<string>([...(exNow.get(who) ?? []), ...gained.flatMap((r) => nextRoles.get(r)?.entitlements ?? [])]);
    const kept = before.filter((r) => !after.includes(r)).filter((r) => shareIn(prevRoles.get(r)?.entitlements ?? [], held, 0.8));
    if (!kept.length) return [];
    const old = new Set(kept.flatMap((r) => prevRoles.get(r)?.entitlements ?? []));
    const newJob = gained.filter((r) => {
      const ents = nextRoles.get(r)?.entitlements ?? [];
      return ents.length > 0 && !shareIn(ents, old, 0.5);
    });
    return newJob.length ? [`access: ${kept.join(';')} → ${newJob.join(';')}`] : [];
  };
  for (const who of [...new Set([...inAfter, ...inBefore])].sort()) {
    const rolesBefore = rb.get(who) ?? [];
    const rolesAfter = ra.get(who) ?? [];
    const x = ab.get(who);
    const y = aa.get(who);
    const moved = x && y ? [...y].filter(([k, v]) => x.has(k) && x.get(k) !== v).map(([k, v]) => `${k}: ${x.get(k)} → ${v}`) : inBefore.has(who) && inAfter.has(who) ? movedByAccess(who, rolesBefore, rolesAfter) : [];
    let change: string;
    if (!inBefore.has(who)) (change = 'joiner'), idCounts.joiners++;
    else if (!inAfter.has(who)) (change = 'leaver'), idCounts.leavers++;
    else if (moved.length) (change = 'mover'), idCounts.movers++, movers.add(who);
    else if (rolesBefore.join(';') !== rolesAfter.join(';')) (change = 'changed'), idCounts.changed++;
    else (change = 'unchanged'), idCounts.unchanged++;
    if (change === 'unchanged') continue; // the rows a reviewer acts on; unchanged ones are counted
    idRows.push([who, change, rolesBefore.join(';'), rolesAfter.join(';'), moved.join('; ')]);
  }

  // Remediation.
  const key = (r: Record<string, string>) => `${r['identity']}\u0000${r['entitlement']}`;
  const exB = new Map((d.prevExceptions ?? []).filter((r) => r['reason'] !== 'over_assigned').map((r) => [key(r), r]));
  const exA = new Map((d.nextExceptions ?? []).filter((r) => r['reason'] !== 'over_assigned').map((r) => [key(r), r]));
  const rem: (string | number)[][] = [];
  const remCount: Record<string, number> = { leaver_access: 0, mover_leftover: 0, new_exception: 0, resolved: 0 };
  const listed = new Set<string>(); // identity + entitlement pairs listed once, under the first reason
  const push = (who: string, account: string, ent: string, reason: string, role: string) => {
    const k = `${who}\u0000${ent}`;
    if (listed.has(k)) return;
    listed.add(k);
    rem.push([who, account, ent, reason, role]);
    remCount[reason]!++;
  };
  // Leavers with access: accounts the new snapshot flags (terminated or inactive with access, or
  // no HR record) that the previous one did not: they left since.
  const flagged = (a: Record<string, string>) => a['terminated_with_access'] === 'true' || a['orphan'] === 'true' || INACTIVE.test(a['status'] ?? '');
  const wasFlagged = new Set((d.prevAccounts ?? []).filter(flagged).map((a) => a['account']!));
  const leaverAccounts = new Map<string, string>(); // account -> identity
  for (const a of d.nextAccounts ?? []) if (flagged(a) && !wasFlagged.has(a['account']!)) leaverAccounts.set(a['account']!, a['identity']!);
  const leaverIdentities = new Set(leaverAccounts.values());
  const byRole = new Map(next.roles.map((r) => [r.id, r]));
  for (const who of [...leaverIdentities].sort()) {
    const ents = new Map<string, string>(); // entitlement -> role ('' for an exception)
    for (const role of ra.get(who) ?? []) for (const e of byRole.get(role)?.entitlements ?? []) if (!ents.has(e)) ents.set(e, role);
    for (const r of d.nextExceptions ?? []) if (r['identity'] === who && r['reason'] !== 'over_assigned') ents.set(r['entitlement']!, '');
    const accounts = [...leaverAccounts].filter(([, i]) => i === who).map(([a]) => a).join(';');
    for (const [e, role] of [...ents].sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0))) push(who, accounts, e, 'leaver_access', role);
  }
  // Movers. A mover keeps the old job's grants, so the old job's roles usually still fit and stay
  // assigned. The jobs are told by peers (movers left out) whose changed attributes have the
  // mover's old values (before) or new values (now): a role the mover held before and still holds,
  // held by at least half of the old peers and fewer than half of the new ones, is the old job's.
  // Each entitlement of it that none of the mover's other roles gives is a leftover; so is an
  // exception now that a role of the old job gave.
  const accountOf = new Map<string, string>();
  for (const a of d.nextAccounts ?? []) if (!accountOf.has(a['identity']!)) accountOf.set(a['identity']!, a['account']!);
  for (const r of d.nextExceptions ?? []) if (r['account'] && !accountOf.has(r['identity']!)) accountOf.set(r['identity']!, r['account']!.split(';')[0]!);
  const moverAttrs = new Map<string, [string, string][]>();
  for (const who of movers) {
    const x = ab.get(who);
    const y = aa.get(who);
    // A mover found from access has no attributes: its peers are every other identity.
    moverAttrs.set(who, x && y ? [...y].filter(([k, v]) => x.has(k) && x.get(k) !== v) : []);
  }
  /** Per role, the share of the non-movers whose attributes `want` holds in `attrs` that hold the role in `roles`. */
  const peerRoleShare = (attrs: Map<string, Map<string, string>>, roles: Map<string, string[]>, present: Set<string>, want: [string, string][]): ((role: string) => number) => {
    const peers = [...attrs].filter(([id, v]) => !movers.has(id) && present.has(id) && want.every(([k, val]) => v.get(k) === val)).map(([id]) => id);
    const count = new Map<string, number>();
    for (const p of peers) for (const role of roles.get(p) ?? []) count.set(role, (count.get(role) ?? 0) + 1);
    return (role) => (peers.length ? (count.get(role) ?? 0) / peers.length : 0);
  };
  for (const who of [...movers].sort()) {
    const changed = moverAttrs.get(who)!;
    const x = ab.get(who) ?? new Map<string, string>();
    // The new job's peers (changed attributes at their new values, now) and the old job's (at their old values, before).
    const newShare = peerRoleShare(aa, ra, inAfter, changed);
    const oldShare = peerRoleShare(ab, rb, inBefore, changed.map(([k]) => [k, x.get(k)!]));
    const now = ra.get(who) ?? [];
    const before = new Set(rb.get(who) ?? []);
    // Old job's: held before and now, held by at least half of the old peers and by fewer than half
    // of the new ones; or new since, held by fewer than half of the new peers, and giving (80%+)
    // what the mover's roles gave before: movers who kept the same old access can form a role of
    // their own (attribute roles follow the new job, so the old access is left to the bottom-up miner).
    const gaveBefore = new Set([...before].flatMap((role) => prevRoles.get(role)?.entitlements ?? []));
    const oldJob = (role: string) => {
      if (newShare(role) >= 0.5) return false;
      if (before.has(role)) return oldShare(role) >= 0.5;
      return shareIn(nextRoles.get(role)?.entitlements ?? [], gaveBefore, 0.8);
    };
    const given = new Set(now.filter((role) => !oldJob(role)).flatMap((role) => nextRoles.get(role)?.entitlements ?? []));
    for (const role of now.filter(oldJob)) {
      for (const e of nextRoles.get(role)?.entitlements ?? []) if (!given.has(e)) push(who, accountOf.get(who) ?? '', e, 'mover_leftover', role);
    }
    for (const r of d.nextExceptions ?? []) {
      if (r['identity'] !== who || r['reason'] === 'over_assigned' || given.has(r['entitlement']!)) continue;
      const old = (rb.get(who) ?? []).find((id) => prevRoles.get(id)?.entitlements.includes(r['entitlement']!));
      if (old) push(who, r['account'] ?? '', r['entitlement']!, 'mover_leftover', old);
    }
  }
  for (const [k, r] of exA) if (!exB.has(k)) push(r['identity']!, r['account'] ?? '', r['entitlement']!, 'new_exception', '');
  for (const [k, r] of exB) if (!exA.has(k)) push(r['identity']!, r['account'] ?? '', r['entitlement']!, 'resolved', '');

  const continued = counts.kept + counts.changed;
  return {
    roleChanges: table('role_changes', ['role', 'change', 'jaccard', 'entitlements_added', 'entitlements_removed', 'members_before', 'members_after'], roleRows),
    identityChanges: table('identity_changes', ['identity', 'change', 'roles_before', 'roles_after', 'attributes_changed'], idRows),
    remediation: table('remediation', ['identity', 'account', 'entitlement', 'reason', 'role'], rem),
    summary: {
      prev: prev.dir,
      next: next.dir,
      roles: { before: prev.roles.length, after: next.roles.length, ...counts },
      stability: { continued: prev.roles.length ? Math.round((continued / prev.roles.length) * 1000) / 1000 : 1, meanJaccard: continued ? Math.round((jsum / continued) * 1000) / 1000 : 1 },
      identities: idCounts,
      remediation: remCount,
      exceptions: { before: exB.size, after: exA.size },
    },
  };
}
