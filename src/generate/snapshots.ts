/**
 * Snapshots of one enterprise over time (`rolemill generate --identities N --snapshots K`): K
 * folders t0 .. t{K-1}, each a normal generated sample (grants.csv, grants.arrow, identities.csv,
 * truth/ as writeEnterpriseFiles writes them) plus the step's change truth under truth/changes/.
 * They exist to measure what mining a lineage (`mine --baseline`) and `rolemill diff` must get
 * right: stable role ids, movers' leftover access, leavers who still hold access, joiners' roles.
 *
 * t0 is generateEnterprise({ identities, seed, strayRate, missingRate }) exactly (its grants, its
 * truth: byte for byte what `rolemill generate` writes for the same options), except that
 * identities.csv gains a `status` column (`active` or `terminated`, last): the column the
 * governance preparation reads (src/governance/accounts.ts: `terminated` with grants ->
 * terminated_with_access), which `rolemill diff` turns into leaver_access.
 *
 * Step k (t{k-1} -> t{k}), in this order, every choice from the step's own seeded PRNG (seed +
 * 2^32 * k), so the same seed and options give byte-identical folders, and the first K snapshots
 * of a longer series are the K snapshots of a shorter one. Counts are shares of the identities
 * active at the start of the step, rounded.
 * 1. Deprovisioning: the previous step's leavers are removed (identities row and grants); whoever
 *    reported to one reports to that person's manager. Listed in changes/deprovisioned.csv.
 * 2. Retirement (steps 1, 1 + retireEvery, ...; default every other step: 1, 3, 5, ...): one
 *    application (the part of an entitlement before its first `:`), drawn among those of the planted
 *    roles but never one the birthright role uses, is retired: its entitlements leave every role
 *    and every grant (a role left with none is dropped). changes/retired.csv: application,
 *    entitlement, the roles that had it.
 * 3. Role edits (default one of each): a role gains a new entitlement (a name never used before,
 *    `<app of one of its entitlements>:added-<role>-t<k>:access`), provisioned to its members; another
 *    role loses one of its entitlements, which its members lose unless another of their roles gives
 *    it. Drawn among the non-birthright roles of at least 5 members (a loss: of at least 3
 *    entitlements). changes/role_changes.csv: role, change (gained, lost), entitlement.
 * 4. Leavers (default 3%): active identities other than the root (the one with no manager) get
 *    status `terminated` and keep every grant and planted role. changes/leavers.csv.
 * 5. Movers (default 5%): active employees who are neither the root nor a VP (`VP of ...`) take the
 *    job (department and title, and that person's manager) of a random active employee with another
 *    job. They lose the old job's planted roles (department role if the department changed, title
 *    role) and gain the new job's, but KEEP every grant they held: the old job's grants that no
 *    role they now have gives are the leftover access rolemill should flag (diff's mover_leftover).
 *    Location, employment type and project roles stay. changes/movers.csv (identity, department
 *    and title before and after, roles lost and gained) and changes/mover_leftover.csv (identity,
 *    entitlement, the old role that gave it).
 * 6. Joiners (default 5%): new identities with ids never used before (`u` + the next index, padded
 *    as t0's ids), each taking the department, title, location, manager and employment type of a
 *    random active identity that is not a VP, and that identity's birthright, department, title
 *    and location roles (no project yet). changes/joiners.csv: identity, role (a row per role).
 * 7. Fresh strays (default: the stray rate, 0.02, of the role-implied grants after the changes):
 *    uniform random (identity, entitlement) pairs, an active identity (a leaver's grants stay
 *    exactly those it held) and an entitlement of the planted roles, that no role of the identity
 *    gives and it does not hold. changes/stray.csv.
 * Every grant a step provisions (a gained entitlement, a mover's new roles, a joiner's roles) is
 * subject to the missing rate (default 0.01): exactly round(rate * provisioned) of each step's
 * group of them are left out, as the generator does.
 *
 * Each snapshot's truth/ is its own planted truth: roles.csv, role_entitlements.csv,
 * assignments.csv (leavers still assigned: they hold the access), stray.csv (every grant no planted
 * role of its identity gives: t0's strays, fresh strays and movers' leftovers), missing.csv (planted
 * grants not held), so grants = implied - missing + stray in every snapshot. t0's changes/ files
 * are headers only.
 *
 * The state is held per identity (a Set of entitlements), so this is meant for samples up to a few
 * hundred thousand identities (the CLI allows up to 1,000,000 with --snapshots).
 *
 * scoreSnapshotStep and scoreSelfDiff score `mine` / `mine --baseline` / `diff` outputs of two
 * snapshots against this truth: what test/snapshots.test.ts and bench/snapshots.js share.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { generateEnterprise, sampleFlags, type Enterprise, type EnterpriseIdentity, type EnterpriseRole, type GenerateOptions, type RoleKind } from '../generate.js';
import { UsageError } from '../errors.js';
import { BIRTHRIGHT } from './catalog.js';
import { textCsv, writeEnterpriseFiles } from './write.js';
import { Rng } from '../util/prng.js';
import { Interner } from '../util/names.js';
import { readModel, readModelTable } from '../model/read.js';
import { parseCsvRecords as csvRecords } from '../output/csv.js';

export interface SnapshotOptions extends GenerateOptions {
  /** Number of snapshots K >= 1 (t0 .. t{K-1}). */
  snapshots: number;
  /** Share of active identities moving job per step (default 0.05). */
  moverRate?: number;
  /** Share of active identities leaving per step (default 0.03). */
  leaverRate?: number;
  /** New identities per step, as a share of the active ones (default 0.05). */
  joinerRate?: number;
  /** Fresh strays per step, as a share of the role-implied grants (default strayRate, else 0.02). */
  freshStrayRate?: number;
  /** Roles gaining one entitlement per step (default 1). */
  roleGains?: number;
  /** Roles losing one entitlement per step (default 1). */
  roleLosses?: number;
  /** An application is retired at steps 1, 1 + retireEvery, ... (default 2; 0: never). */
  retireEvery?: number;
}

export interface SnapshotChanges {
  deprovisioned: string[];
  retired: { application: string; entitlement: string; roles: string[] }[];
  roleChanges: { role: string; change: 'gained' | 'lost'; entitlement: string }[];
  leavers: { identity: string; department: string; title: string; grants: number }[];
  movers: { identity: string; fromDepartment: string; fromTitle: string; toDepartment: string; toTitle: string; rolesLost: string[]; rolesGained: string[] }[];
  moverLeftovers: { identity: string; entitlement: string; role: string }[];
  joiners: { identity: string; roles: string[] }[];
  strays: { identity: string; entitlement: string }[];
}

export interface Snapshot {
  /** k of t{k}. */
  step: number;
  /** The snapshot as a generated sample (identities in id order; `status` parallel to them). */
  enterprise: Enterprise;
  /** Per enterprise.identities: `active` or `terminated`. */
  status: string[];
  /** What step k changed (all empty for t0). */
  changes: SnapshotChanges;
}

const DEFAULTS = { moverRate: 0.05, leaverRate: 0.03, joinerRate: 0.05, strayRate: 0.02, missingRate: 0.01, roleGains: 1, roleLosses: 1, retireEvery: 2 };
const MIN_EDIT_MEMBERS = 5;
const JOB_KINDS: ReadonlySet<RoleKind> = new Set(['department', 'title']);
const JOINER_KINDS: ReadonlySet<RoleKind> = new Set(['birthright', 'department', 'title', 'location']);

/** An enterprise identity over time: its HR record, status, planted roles and what it holds. */
interface Person extends EnterpriseIdentity {
  status: 'active' | 'terminated';
  /** Planted roles: indices into State.roles, ascending (truth order). */
  roles: number[];
  /** Entitlements held (global ids). */
  held: Set<number>;
}

interface LiveRole {
  id: string;
  kind: RoleKind;
  rule: string;
  /** Global entitlement ids. */
  ents: number[];
  dropped: boolean;
}

interface State {
  ents: Interner;
  roles: LiveRole[];
  persons: Person[];
  nextIndex: number;
  width: number;
}

const appOf = (name: string): string => {
  const at = name.indexOf(':');
  return at < 0 ? name : name.slice(0, at);
};

function emptyChanges(): SnapshotChanges {
  return { deprovisioned: [], retired: [], roleChanges: [], leavers: [], movers: [], moverLeftovers: [], joiners: [], strays: [] };
}

function checkRate(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new UsageError(`generate: ${name} must be a number in [0, 1], got ${v}`);
  return v;
}

function checkCount(name: string, v: number | undefined, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0 || v > max) throw new UsageError(`generate: ${name} must be an integer in [0, ${max}], got ${v}`);
  return v;
}

function initialState(e: Enterprise): State {
  const ents = new Interner(e.entitlementNames);
  const roles: LiveRole[] = e.roles.map((r) => ({ id: r.id, kind: r.kind, rule: r.rule, ents: r.entitlements.map((x) => ents.id(x)), dropped: false }));
  const at = new Map<string, number>();
  const persons: Person[] = e.identities.map((x, i) => {
    at.set(x.id, i);
    return { id: x.id, department: x.department, title: x.title, location: x.location, manager: x.manager, employmentType: x.employmentType, status: 'active', roles: [], held: new Set() };
  });
  e.roles.forEach((r, k) => {
    for (const m of r.members) persons[at.get(m)!]!.roles.push(k);
  });
  for (let g = 0; g < e.grants.identity.length; g++) persons[e.grants.identity[g]!]!.held.add(e.grants.entitlement[g]!);
  const N = e.identities.length;
  return { ents, roles, persons, nextIndex: N, width: Math.max(6, String(N - 1).length) };
}

/** Entitlements the person's planted roles give. */
function implied(s: State, p: Person, roles: readonly number[] = p.roles): Set<number> {
  const out = new Set<number>();
  for (const r of roles) for (const e of s.roles[r]!.ents) out.add(e);
  return out;
}

/** Adds the pairs to the holders' grants, leaving out exactly round(missingRate * pairs) of them at random. */
function provision(pairs: [Person, number][], missingRate: number, rng: Rng): void {
  const flags = new Uint8Array(pairs.length);
  sampleFlags(flags, Math.round(missingRate * pairs.length), rng);
  pairs.forEach(([p, e], k) => {
    if (!flags[k]) p.held.add(e);
  });
}

/** `count` distinct items drawn at random from `items` (a partial Fisher-Yates shuffle of a copy), in draw order. */
function draw<T>(items: readonly T[], count: number, rng: Rng): T[] {
  const a = items.slice();
  const n = Math.min(count, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(a.length - i);
    const x = a[i]!;
    a[i] = a[j]!;
    a[j] = x;
  }
  return a.slice(0, n);
}

const isVp = (p: Person): boolean => p.title.startsWith('VP of ');
const isRoot = (p: Person): boolean => p.manager === '';

interface StepRates {
  moverRate: number;
  leaverRate: number;
  joinerRate: number;
  freshStrayRate: number;
  missingRate: number;
  roleGains: number;
  roleLosses: number;
  retireEvery: number;
}

/** Applies step k to the state (see the module comment) and returns what it changed. */
function step(s: State, k: number, o: StepRates, rng: Rng): SnapshotChanges {
  const ch = emptyChanges();
  const name = (e: number) => s.ents.names[e]!;

  // 1. Deprovision the previous step's leavers; their reports move up to the leaver's manager.
  const gone = new Map<string, string>();
  for (const p of s.persons) if (p.status === 'terminated') gone.set(p.id, p.manager);
  if (gone.size) {
    s.persons = s.persons.filter((p) => !gone.has(p.id));
    for (const p of s.persons) {
      let m = p.manager;
      while (gone.has(m)) m = gone.get(m)!;
      p.manager = m;
    }
    ch.deprovisioned = [...gone.keys()];
  }
  const active = s.persons.length;

  // 2. Retire one application.
  if (o.retireEvery > 0 && (k - 1) % o.retireEvery === 0) {
    const birthApps = new Set(BIRTHRIGHT.map(appOf));
    const apps = new Set<string>();
    for (const r of s.roles) if (!r.dropped) for (const e of r.ents) apps.add(appOf(name(e)));
    const candidates = [...apps].filter((a) => !birthApps.has(a)).sort();
    if (candidates.length) {
      const app = rng.pick(candidates);
      const rolesOf = new Map<number, string[]>();
      for (const r of s.roles) {
        if (r.dropped) continue;
        const keep = r.ents.filter((e) => appOf(name(e)) !== app);
        if (keep.length === r.ents.length) continue;
        for (const e of r.ents) if (appOf(name(e)) === app) (rolesOf.get(e) ?? rolesOf.set(e, []).get(e)!).push(r.id);
        r.ents = keep;
        if (keep.length === 0) r.dropped = true;
      }
      for (const p of s.persons) {
        for (const e of [...p.held]) {
          if (appOf(name(e)) === app) {
            p.held.delete(e);
            if (!rolesOf.has(e)) rolesOf.set(e, []);
          }
        }
        p.roles = p.roles.filter((r) => !s.roles[r]!.dropped);
      }
      ch.retired = [...rolesOf]
        .map(([e, roles]) => ({ application: app, entitlement: name(e), roles }))
        .sort((a, b) => (a.entitlement < b.entitlement ? -1 : a.entitlement > b.entitlement ? 1 : 0));
    }
  }

  // 3. Role edits: gains, then losses, on distinct roles.
  const membersOf = (): Person[][] => {
    const m: Person[][] = s.roles.map(() => []);
    for (const p of s.persons) for (const r of p.roles) m[r]!.push(p);
    return m;
  };
  const edited = new Set<number>();
  for (let g = 0; g < o.roleGains; g++) {
    const members = membersOf();
    const eligible = s.roles.map((_, r) => r).filter((r) => !edited.has(r) && !s.roles[r]!.dropped && s.roles[r]!.kind !== 'birthright' && members[r]!.length >= MIN_EDIT_MEMBERS);
    if (!eligible.length) break;
    const r = rng.pick(eligible);
    const role = s.roles[r]!;
    edited.add(r);
    let n = `${appOf(name(rng.pick(role.ents)))}:added-${role.id.replaceAll(':', '-')}-t${k}:access`;
    for (let v = 2; s.ents.index.has(n); v++) n = `${n.replace(/-v\d+$/, '')}-v${v}`;
    const e = s.ents.id(n);
    role.ents.push(e);
    ch.roleChanges.push({ role: role.id, change: 'gained', entitlement: n });
    provision(members[r]!.filter((p) => !p.held.has(e)).map((p): [Person, number] => [p, e]), o.missingRate, rng);
  }
  for (let l = 0; l < o.roleLosses; l++) {
    const members = membersOf();
    const eligible = s.roles.map((_, r) => r).filter((r) => !edited.has(r) && !s.roles[r]!.dropped && s.roles[r]!.kind !== 'birthright' && members[r]!.length >= MIN_EDIT_MEMBERS && s.roles[r]!.ents.length >= 3);
    if (!eligible.length) break;
    const r = rng.pick(eligible);
    const role = s.roles[r]!;
    edited.add(r);
    const e = rng.pick(role.ents);
    role.ents = role.ents.filter((x) => x !== e);
    ch.roleChanges.push({ role: role.id, change: 'lost', entitlement: name(e) });
    for (const p of members[r]!) if (!implied(s, p).has(e)) p.held.delete(e);
  }

  // 4. Leavers: terminated, everything kept.
  const leavers = draw(s.persons.filter((p) => !isRoot(p)), Math.round(o.leaverRate * active), rng);
  for (const p of leavers) {
    p.status = 'terminated';
    ch.leavers.push({ identity: p.id, department: p.department, title: p.title, grants: p.held.size });
  }

  // 5. Movers: the new job's roles, the old job's grants kept.
  const canMove = (p: Person) => p.status === 'active' && p.employmentType === 'employee' && !isRoot(p) && !isVp(p);
  const movers = draw(s.persons.filter(canMove), Math.round(o.moverRate * active), rng);
  const peers = s.persons.filter(canMove);
  const moved: [Person, number][] = [];
  for (const p of movers) {
    const provided = new Set<number>();
    let peer: Person | null = null;
    for (let t = 0; t < 20 && !peer; t++) {
      const q = rng.pick(peers);
      if (q !== p && q.manager !== p.id && (q.department !== p.department || q.title !== p.title)) peer = q;
    }
    if (!peer) continue;
    const oldJob = p.roles.filter((r) => JOB_KINDS.has(s.roles[r]!.kind));
    const newJob = peer.roles.filter((r) => JOB_KINDS.has(s.roles[r]!.kind));
    const lost = oldJob.filter((r) => !newJob.includes(r));
    const gained = newJob.filter((r) => !oldJob.includes(r));
    const roles = [...p.roles.filter((r) => !lost.includes(r)), ...gained].sort((a, b) => a - b);
    const now = implied(s, p, roles);
    const seen = new Set<number>();
    for (const r of lost) {
      for (const e of s.roles[r]!.ents) {
        if (p.held.has(e) && !now.has(e) && !seen.has(e)) {
          seen.add(e);
          ch.moverLeftovers.push({ identity: p.id, entitlement: name(e), role: s.roles[r]!.id });
        }
      }
    }
    ch.movers.push({
      identity: p.id, fromDepartment: p.department, fromTitle: p.title, toDepartment: peer.department, toTitle: peer.title,
      rolesLost: lost.map((r) => s.roles[r]!.id), rolesGained: gained.map((r) => s.roles[r]!.id),
    });
    p.department = peer.department;
    p.title = peer.title;
    p.manager = peer.manager;
    p.roles = roles;
    for (const r of gained) {
      for (const e of s.roles[r]!.ents) {
        if (!p.held.has(e) && !provided.has(e)) provided.add(e), moved.push([p, e]);
      }
    }
  }
  provision(moved, o.missingRate, rng);

  // 6. Joiners: new ids, a job's planted roles.
  const templates = s.persons.filter((p) => p.status === 'active' && !isVp(p));
  const joined: [Person, number][] = [];
  const nJoin = Math.round(o.joinerRate * active);
  for (let j = 0; j < nJoin && templates.length; j++) {
    const t = rng.pick(templates);
    const p: Person = {
      id: 'u' + String(s.nextIndex++).padStart(s.width, '0'),
      department: t.department, title: t.title, location: t.location, manager: t.manager, employmentType: t.employmentType,
      status: 'active', roles: t.roles.filter((r) => JOINER_KINDS.has(s.roles[r]!.kind)), held: new Set(),
    };
    s.persons.push(p);
    for (const e of implied(s, p)) joined.push([p, e]);
    ch.joiners.push({ identity: p.id, roles: p.roles.map((r) => s.roles[r]!.id) });
  }
  provision(joined, o.missingRate, rng);

  // 7. Fresh strays.
  const universe = [...new Set(s.roles.filter((r) => !r.dropped).flatMap((r) => r.ents))].sort((a, b) => a - b);
  let M = 0;
  const imp = s.persons.map((p) => {
    const x = implied(s, p);
    M += x.size;
    return x;
  });
  const want = Math.round(o.freshStrayRate * M);
  const strays: [number, number][] = [];
  for (let tries = 0; strays.length < want && tries < 50 * want + 1000 && universe.length; tries++) {
    const i = rng.int(s.persons.length);
    const e = universe[rng.int(universe.length)]!;
    const p = s.persons[i]!;
    if (p.status !== 'active' || imp[i]!.has(e) || p.held.has(e)) continue;
    p.held.add(e);
    strays.push([i, e]);
  }
  ch.strays = strays
    .map(([i, e]) => ({ identity: s.persons[i]!.id, entitlement: name(e) }))
    .sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : a.entitlement < b.entitlement ? -1 : a.entitlement > b.entitlement ? 1 : 0));
  const byId = (a: { identity: string }, b: { identity: string }) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0);
  ch.leavers.sort(byId);
  ch.movers.sort(byId);
  ch.moverLeftovers.sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : a.entitlement < b.entitlement ? -1 : a.entitlement > b.entitlement ? 1 : 0));
  return ch;
}

/** The state as a generated sample: identities in id order, grants in a seeded shuffled order. */
function freeze(s: State, rng: Rng): { enterprise: Enterprise; status: string[] } {
  const people = s.persons.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const members: number[][] = s.roles.map(() => []);
  people.forEach((p, i) => {
    for (const r of p.roles) members[r]!.push(i);
  });
  const live = s.roles.map((_, k) => k).filter((k) => !s.roles[k]!.dropped && members[k]!.length > 0);
  const used = new Set<number>();
  for (const k of live) for (const e of s.roles[k]!.ents) used.add(e);
  for (const p of people) for (const e of p.held) used.add(e);
  const entitlementNames = [...used].map((e) => s.ents.names[e]!).sort();
  const local = new Map<number, number>();
  entitlementNames.forEach((n, i) => local.set(s.ents.index.get(n)!, i));
  const roles: EnterpriseRole[] = live.map((k) => {
    const r = s.roles[k]!;
    return { id: r.id, kind: r.kind, rule: r.rule, entitlements: r.ents.map((e) => s.ents.names[e]!).sort(), members: members[k]!.map((i) => people[i]!.id) };
  });
  const gi: number[] = [];
  const ge: number[] = [];
  const si: number[] = [];
  const se: number[] = [];
  const mi: number[] = [];
  const me: number[] = [];
  people.forEach((p, i) => {
    const imp = new Set([...implied(s, p)].map((e) => local.get(e)!));
    const held = [...p.held].map((e) => local.get(e)!).sort((a, b) => a - b);
    for (const e of held) {
      gi.push(i), ge.push(e);
      if (!imp.has(e)) si.push(i), se.push(e);
    }
    const h = new Set(held);
    for (const e of [...imp].sort((a, b) => a - b)) if (!h.has(e)) mi.push(i), me.push(e);
  });
  const identity = Uint32Array.from(gi);
  const entitlement = Uint32Array.from(ge);
  rng.shuffleTogether(identity, entitlement);
  return {
    enterprise: {
      identities: people.map((p) => ({ id: p.id, department: p.department, title: p.title, location: p.location, manager: p.manager, employmentType: p.employmentType })),
      roles,
      grants: { identity, entitlement },
      entitlementNames,
      stray: { identity: Uint32Array.from(si), entitlement: Uint32Array.from(se) },
      missing: { identity: Uint32Array.from(mi), entitlement: Uint32Array.from(me) },
    },
    status: people.map((p) => p.status),
  };
}

/**
 * The snapshots t0 .. t{K-1}, one at a time (the state moves on as each is taken). Throws
 * UsageError on bad options, before the first.
 */
export function* snapshotSeries(opts: SnapshotOptions): Generator<Snapshot> {
  const K = opts.snapshots;
  if (!Number.isInteger(K) || K < 1 || K > 1000) throw new UsageError(`generate: snapshots must be an integer in [1, 1000], got ${K}`);
  const strayRate = checkRate('strayRate', opts.strayRate, DEFAULTS.strayRate);
  const rates: StepRates = {
    moverRate: checkRate('moverRate', opts.moverRate, DEFAULTS.moverRate),
    leaverRate: checkRate('leaverRate', opts.leaverRate, DEFAULTS.leaverRate),
    joinerRate: checkRate('joinerRate', opts.joinerRate, DEFAULTS.joinerRate),
    freshStrayRate: checkRate('freshStrayRate', opts.freshStrayRate, strayRate),
    missingRate: checkRate('missingRate', opts.missingRate, DEFAULTS.missingRate),
    roleGains: checkCount('roleGains', opts.roleGains, DEFAULTS.roleGains, 1000),
    roleLosses: checkCount('roleLosses', opts.roleLosses, DEFAULTS.roleLosses, 1000),
    retireEvery: checkCount('retireEvery', opts.retireEvery, DEFAULTS.retireEvery, 1000),
  };
  const { snapshots: _k, moverRate: _m, leaverRate: _l, joinerRate: _j, freshStrayRate: _f, roleGains: _g, roleLosses: _o, retireEvery: _r, ...gen } = opts;
  const e = generateEnterprise(gen);
  yield { step: 0, enterprise: e, status: e.identities.map(() => 'active'), changes: emptyChanges() };
  const s = initialState(e);
  for (let k = 1; k < K; k++) {
    const rng = new Rng(opts.seed + 2 ** 32 * k);
    const changes = step(s, k, rates, rng);
    yield { step: k, ...freeze(s, rng), changes };
  }
}

/** All K snapshots at once (tests; the CLI writes them one at a time). */
export function generateSnapshots(opts: SnapshotOptions): Snapshot[] {
  return [...snapshotSeries(opts)];
}

const IDENTITY_HEADER = ['identity', 'department', 'title', 'location', 'manager', 'employment_type', 'status'];

async function emit(path: string, chunks: Iterable<Uint8Array>): Promise<void> {
  await pipeline(chunks, createWriteStream(path, { highWaterMark: 4 << 20 }));
}

/**
 * Writes one snapshot into `dir` (a folder of rolemill's own, such as writeOutput's temporary
 * folder): writeEnterpriseFiles' files, identities.csv with its `status` column, truth/changes/.
 * Returns the paths written.
 */
export async function writeSnapshotFiles(dir: string, snap: Snapshot): Promise<string[]> {
  const e = snap.enterprise;
  const written = await writeEnterpriseFiles(dir, e);
  await emit(
    join(dir, 'identities.csv'),
    textCsv(IDENTITY_HEADER, (function* () {
      for (let i = 0; i < e.identities.length; i++) {
        const x = e.identities[i]!;
        yield [x.id, x.department, x.title, x.location, x.manager, x.employmentType, snap.status[i]!];
      }
    })()),
  );
  const c = snap.changes;
  await mkdir(join(dir, 'truth', 'changes'), { recursive: true });
  const tables: [string, string[], string[][]][] = [
    ['deprovisioned.csv', ['identity'], c.deprovisioned.map((x) => [x])],
    ['retired.csv', ['application', 'entitlement', 'roles'], c.retired.map((x) => [x.application, x.entitlement, x.roles.join(';')])],
    ['role_changes.csv', ['role', 'change', 'entitlement'], c.roleChanges.map((x) => [x.role, x.change, x.entitlement])],
    ['leavers.csv', ['identity', 'department', 'title', 'grants'], c.leavers.map((x) => [x.identity, x.department, x.title, String(x.grants)])],
    ['movers.csv', ['identity', 'from_department', 'from_title', 'to_department', 'to_title', 'roles_lost', 'roles_gained'],
      c.movers.map((x) => [x.identity, x.fromDepartment, x.fromTitle, x.toDepartment, x.toTitle, x.rolesLost.join(';'), x.rolesGained.join(';')])],
    ['mover_leftover.csv', ['identity', 'entitlement', 'role'], c.moverLeftovers.map((x) => [x.identity, x.entitlement, x.role])],
    ['joiners.csv', ['identity', 'role'], c.joiners.flatMap((x) => x.roles.map((r) => [x.identity, r]))],
    ['stray.csv', ['identity', 'entitlement'], c.strays.map((x) => [x.identity, x.entitlement])],
  ];
  for (const [file, header, rows] of tables) {
    const path = join(dir, 'truth', 'changes', file);
    await emit(path, textCsv(header, rows));
    written.push(path);
  }
  return written;
}

/**
 * Writes the whole series into `dir` (a folder of rolemill's own) as dir/t0 .. dir/t{K-1}, one
 * snapshot in memory at a time; `onSnapshot` sees each after it is written. Returns the paths.
 */
export async function writeSnapshotSeries(dir: string, opts: SnapshotOptions, onSnapshot?: (s: Snapshot) => void, signal?: AbortSignal): Promise<string[]> {
  const written: string[] = [];
  for (const snap of snapshotSeries(opts)) {
    signal?.throwIfAborted();
    written.push(...(await writeSnapshotFiles(join(dir, `t${snap.step}`), snap)));
    onSnapshot?.(snap);
  }
  return written;
}

// ---- Scoring mine / mine --baseline / diff outputs against the truth ----

/** Rows of a generated CSV as records (parseCsvRecords, src/output/csv.ts). */
async function readCsv(path: string): Promise<Record<string, string>[]> {
  return csvRecords(await readFile(path, 'utf8'));
}

const jaccard = (a: ReadonlySet<string>, b: ReadonlySet<string>): number => {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
};

async function plantedRoles(sample: string): Promise<Map<string, Set<string>>> {
  const m = new Map<string, Set<string>>();
  for (const r of await readCsv(join(sample, 'truth', 'role_entitlements.csv'))) (m.get(r['role']!) ?? m.set(r['role']!, new Set()).get(r['role']!)!).add(r['entitlement']!);
  return m;
}

/** Planted roles' member counts (truth/roles.csv). */
async function memberCounts(sample: string): Promise<Map<string, number>> {
  return new Map((await readCsv(join(sample, 'truth', 'roles.csv'))).map((r) => [r['role']!, Number(r['member_count'])]));
}

/** The mined role best matching `ents` at Jaccard >= min (the first of equals, in file order), or null. */
function bestMatch(ents: ReadonlySet<string>, mined: { id: string; ents: Set<string> }[], min = 0.9): string | null {
  let best: string | null = null;
  let bj = -1;
  for (const r of mined) {
    const j = jaccard(ents, r.ents);
    if (j >= min && j > bj) (best = r.id), (bj = j);
  }
  return best;
}

export interface StepScore {
  /** Planted roles with the same entitlements in both snapshots; those a mined role matches (J >= 0.9) in both models; of those, the ones whose match has the same id. */
  stableIds: { unchanged: number; matchedBoth: number; sameId: number; share: number };
  /** The same over planted roles with 5+ members in both snapshots (smaller ones no miner should make a role of: min members 3, and chance). */
  stableIdsLarge: { unchanged: number; matchedBoth: number; sameId: number; keptShare: number };
  /**
   * diff's mover_leftover rows against changes/mover_leftover.csv; and where the truth leftovers are
   * in the new model: exceptions there (`asException`, what diff can report), or given by a role the
   * mover was assigned in both models (`keptByOldRole`: the old job's mined role, still held whole).
   */
  moverLeftover: { truth: number; reported: number; correct: number; recall: number; precision: number; asException: number; keptByOldRole: number };
  /** Truth leavers with any leaver_access row, with rows covering every grant they hold; grants held and listed. */
  leavers: { truth: number; listed: number; fullyCovered: number; grants: number; grantsListed: number };
  /**
   * Truth joiners diff calls `joiner`; their planted roles (joiner, role pairs), those a mined role of
   * the new model matches (J >= 0.9), and those the joiner is assigned to that mined role.
   */
  joiners: { truth: number; detected: number; roles: number; matchable: number; given: number; shareGiven: number; shareGivenOfMatchable: number; grants: number; grantsExplained: number };
}

/**
 * Scores one step: `before` / `after` are the snapshot folders (t{k-1}, t{k}), `prevModel` the mine
 * of `before`, `nextModel` the mine of `after` with `--baseline prevModel`, `diff` their diff
 * (with --identities-before / --identities-after). All CSV folders.
 */
export async function scoreSnapshotStep(p: { before: string; after: string; prevModel: string; nextModel: string; diff: string }): Promise<StepScore> {
  const [pb, pa] = [await plantedRoles(p.before), await plantedRoles(p.after)];
  const [m0, m1] = [await readModel(p.prevModel), await readModel(p.nextModel)];
  const mined = (f: typeof m0) => f.roles.map((r) => ({ id: r.id, ents: new Set(r.entitlements) }));
  const [r0, r1] = [mined(m0), mined(m1)];

  const stable = { unchanged: 0, matchedBoth: 0, sameId: 0, share: 0 };
  const large = { unchanged: 0, matchedBoth: 0, sameId: 0, keptShare: 0 };
  const [nb, na] = [await memberCounts(p.before), await memberCounts(p.after)];
  for (const [id, ents] of pb) {
    const after = pa.get(id);
    if (!after || after.size !== ents.size || [...ents].some((e) => !after.has(e))) continue;
    stable.unchanged++;
    const big = (nb.get(id) ?? 0) >= 5 && (na.get(id) ?? 0) >= 5;
    if (big) large.unchanged++;
    const a = bestMatch(ents, r0);
    const b = bestMatch(ents, r1);
    if (a === null || b === null) continue;
    stable.matchedBoth++;
    if (big) large.matchedBoth++;
    if (a === b) stable.sameId++, big && large.sameId++;
  }
  stable.share = stable.matchedBoth ? stable.sameId / stable.matchedBoth : 0;
  large.keptShare = large.unchanged ? large.sameId / large.unchanged : 0;

  const rem = (await readModelTable({ dir: p.diff, format: 'csv' }, 'remediation')) ?? [];
  const key = (i: string, e: string) => `${i}\u0000${e}`;
  const truthLeft = new Set((await readCsv(join(p.after, 'truth', 'changes', 'mover_leftover.csv'))).map((r) => key(r['identity']!, r['entitlement']!)));
  const reported = rem.filter((r) => r['reason'] === 'mover_leftover').map((r) => key(r['identity']!, r['entitlement']!));
  const correct = reported.filter((k) => truthLeft.has(k)).length;
  const exceptions = new Set(((await readModelTable(m1, 'exceptions')) ?? []).filter((r) => r['reason'] !== 'over_assigned').map((r) => key(r['identity']!, r['entitlement']!)));
  const rolesOf = (f: typeof m0) => {
    const m = new Map<string, Set<string>>();
    for (const a of f.assignments ?? []) (m.get(a.identity) ?? m.set(a.identity, new Set()).get(a.identity)!).add(a.role);
    return m;
  };
  const [a0, a1] = [rolesOf(m0), rolesOf(m1)];
  const entsOf = new Map(r1.map((r) => [r.id, r.ents]));
  let asException = 0;
  let keptByOldRole = 0;
  for (const k of truthLeft) {
    const [who, ent] = k.split('\u0000') as [string, string];
    if (exceptions.has(k)) asException++;
    else if ([...(a1.get(who) ?? [])].some((r) => a0.get(who)?.has(r) && entsOf.get(r)?.has(ent))) keptByOldRole++;
  }
  const moverLeftover = {
    truth: truthLeft.size, reported: reported.length, correct,
    recall: truthLeft.size ? correct / truthLeft.size : 1, precision: reported.length ? correct / reported.length : 1,
    asException, keptByOldRole,
  };

  const leaverIds = new Set((await readCsv(join(p.after, 'truth', 'changes', 'leavers.csv'))).map((r) => r['identity']!));
  const grants = await readCsv(join(p.after, 'grants.csv'));
  const heldBy = new Map<string, Set<string>>();
  for (const g of grants) {
    if (leaverIds.has(g['identity']!)) (heldBy.get(g['identity']!) ?? heldBy.set(g['identity']!, new Set()).get(g['identity']!)!).add(g['entitlement']!);
  }
  const listedFor = new Map<string, Set<string>>();
  for (const r of rem) if (r['reason'] === 'leaver_access') (listedFor.get(r['identity']!) ?? listedFor.set(r['identity']!, new Set()).get(r['identity']!)!).add(r['entitlement']!);
  const leavers = { truth: leaverIds.size, listed: 0, fullyCovered: 0, grants: 0, grantsListed: 0 };
  for (const id of leaverIds) {
    const held = heldBy.get(id) ?? new Set<string>();
    const listed = listedFor.get(id);
    if (listed) leavers.listed++;
    const got = [...held].filter((e) => listed?.has(e)).length;
    leavers.grants += held.size;
    leavers.grantsListed += got;
    if (listed && got === held.size) leavers.fullyCovered++;
  }

  const changes = (await readModelTable({ dir: p.diff, format: 'csv' }, 'identity_changes')) ?? [];
  const joinerRows = changes.filter((r) => r['change'] === 'joiner').map((r) => r['identity']!);
  const truthJoin = await readCsv(join(p.after, 'truth', 'changes', 'joiners.csv'));
  const joinerIds = new Set(truthJoin.map((r) => r['identity']!));
  const assigned = new Set((m1.assignments ?? []).map((a) => key(a.identity, a.role)));
  const joiners = { truth: joinerIds.size, detected: joinerRows.filter((i) => joinerIds.has(i)).length, roles: 0, matchable: 0, given: 0, shareGiven: 0, shareGivenOfMatchable: 0, grants: 0, grantsExplained: 0 };
  for (const g of grants) {
    if (!joinerIds.has(g['identity']!)) continue;
    joiners.grants++;
    if (!exceptions.has(key(g['identity']!, g['entitlement']!))) joiners.grantsExplained++;
  }
  const matchOf = new Map<string, string | null>();
  for (const r of truthJoin) {
    joiners.roles++;
    const role = r['role']!;
    if (!matchOf.has(role)) matchOf.set(role, pa.has(role) ? bestMatch(pa.get(role)!, r1) : null);
    const m = matchOf.get(role)!;
    if (m === null) continue;
    joiners.matchable++;
    if (assigned.has(key(r['identity']!, m))) joiners.given++;
  }
  joiners.shareGiven = joiners.roles ? joiners.given / joiners.roles : 0;
  joiners.shareGivenOfMatchable = joiners.matchable ? joiners.given / joiners.matchable : 0;
  return { stableIds: stable, stableIdsLarge: large, moverLeftover, leavers, joiners };
}

/** A model diffed with itself: its role rows by change, and every other row (there should be none). */
export async function scoreSelfDiff(diff: string): Promise<{ roles: number; kept: number; otherRoleRows: number; identityRows: number; remediationRows: number }> {
  const roles = (await readModelTable({ dir: diff, format: 'csv' }, 'role_changes')) ?? [];
  const kept = roles.filter((r) => r['change'] === 'kept').length;
  return {
    roles: roles.length,
    kept,
    otherRoleRows: roles.length - kept,
    identityRows: ((await readModelTable({ dir: diff, format: 'csv' }, 'identity_changes')) ?? []).length,
    remediationRows: ((await readModelTable({ dir: diff, format: 'csv' }, 'remediation')) ?? []).length,
  };
}
