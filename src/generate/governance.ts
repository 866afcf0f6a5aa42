/**
 * Governance layer over a synthetic enterprise: nested groups (with one deliberate cycle), non-human
 * accounts, duplicate accounts of one person, orphan and terminated accounts, privileged
 * entitlements and per-grant last-use dates, with the planted truth for each. It is a
 * post-processing step over an `Enterprise` from `generateEnterprise` (src/generate.ts) and feeds the
 * tests of rolemill's governance detections; it only plants data and truth, it detects nothing.
 *
 * Determinism contract: every random choice comes from one Rng (src/util/prng.ts) seeded from
 * `opts.seed` through a fixed bijection (so the stream differs from the Enterprise's own even when
 * both use the same seed), drawn in a fixed order. The same Enterprise and options give a deep-equal
 * result and byte-identical files; a different seed gives a different result. No Math.random, no
 * clock: `asOf` is an option.
 *
 * Index spaces (dictionary encoding; the grant tables are typed arrays, no per-grant strings):
 * - accounts: primary human accounts (the Enterprise's identity ids, in identity order), then extra
 *   accounts of duplicated people (in person order; `-adm` before `.2`), then non-human accounts
 *   (service, then workload, then shared).
 * - groups: one per planted role, in role order, then the two cycle groups.
 * - holders: accounts then groups (holder h < accounts.length is an account, else groups[h - A]).
 * - entitlements: ascending (JavaScript string order); exactly the names that appear in a grant row.
 * - days: integers, days since 1970-01-01 UTC (`formatDay` turns them into 'YYYY-MM-DD').
 *
 * Model (defaults scale with N = Enterprise identities; every share can be overridden):
 * - Groups. Role -> group: birthright -> `grp-all-staff`, `dept:<d>` -> `grp-<d>`, `title:<d>:<t>` ->
 *   `grp-<d>-<t>`, `loc:<l>` -> `grp-loc-<l>`, `proj:<p>` -> `grp-proj-<p>` (a name already taken gets
 *   `-2`, `-3`, ...). A group holds its role's entitlements as grant rows (holder = the group). Nesting:
 *   a title group is a member of its department's group, which is a member of `grp-all-staff`: a
 *   three-level chain. Location and project groups are top level.
 * - Delivery. Per identity, one draw with probability `groupShare` decides the chain: the identity
 *   joins the deepest of its title / department / birthright groups whose transitive entitlements it
 *   all holds in the Enterprise's observed grants (so a planted missing grant keeps that role direct,
 *   since the group would give the missing one back); the roles above stay direct when none fits.
 *   Each location and project role has its own draw, with the same all-held rule. Everything not
 *   delivered by a joined group stays a direct grant (strays always do), and no direct row repeats a
 *   group-delivered entitlement. Hence every person's effective access (the union over their accounts
 *   of direct grants plus everything reachable through memberships) equals their Enterprise grants
 *   exactly, plus the `extra` grants below.
 * - Cycle. Two extra groups, `grp-legacy-sync-a` and `grp-legacy-sync-b`, are members of each other
 *   (truth.cycles: each group is a member of the next, the last of the first). Each holds one
 *   birthright entitlement; clamp(round(N / 250), 2, 8) primary accounts that hold both join them
 *   (alternately a, b), so both entitlements reach members of either and their effective access is
 *   unchanged. The cycle groups have no role (truth role '').
 * - Non-human accounts: `serviceAccounts` (default max(4, round(N / 100))) named `svc-<app>-NN`,
 *   `sa-<app>-NN` or `bot-NNN`; `workloadIdentities` (max(2, round(N / 300))) named `wl-<cluster>-NN`
 *   or `k8s-<ns>-NN`; `sharedAccounts` (max(2, round(N / 500))) named `shared-<dept>-admin` or
 *   `admin-NN`. Each holds 15-60 direct grants across at least 5 (usually 5-10) applications (app =
 *   the name before the first ':'), never a birthright entitlement, and no group membership; shared
 *   accounts add 2-5 privileged ones, service accounts one with probability 0.3. A few infrastructure entitlements (`ad:grp-domain-admins`,
 *   `linux:hosts-prod:root`, `vault:secrets-prod:read`, ...) join their pool. round(labelledShare * T)
 *   of them (T = all non-human) are labelled: an identities row with type = kind, status 'active' and
 *   empty person and HR attributes. Of the unlabelled ones, round(U / 2) have no row at all, the rest
 *   a row with empty type, person and HR attributes; max(1, round(U / 10)) unlabelled ones get a
 *   non-conventional name (`jenkins`, `backup-runner`, `ingest-worker`, `helpdesk`, ...), so naming
 *   alone cannot find them (NONHUMAN_NAME_PATTERN matches the conventional names only).
 * - People: person = `p` + zero-padded identity index (same width as the `u` ids). A seeded
 *   permutation of people is walked once: the first round(duplicateShare * N) get extra accounts (one
 *   with probability 0.75, either `<id>-adm` or `<id>.2`; else both); then round(orphanShare * N)
 *   people who manage nobody become orphans (their only account has grants but no identities row);
 *   then round(terminatedShare * N) get status 'terminated' (60%) or 'inactive' and keep all their
 *   access; then round(0.005 * N) get 'leave' (not terminated). Everyone else is 'active'.
 * - Extra accounts: `<id>-adm` holds `ad:grp-<dept>-admins` plus 1-2 of the department family's
 *   top-level (level 3) entitlements that match PRIVILEGED_PATTERN; those grants are new (truth.extra).
 *   `<id>.2` takes 1..floor(k/2) of the primary's k >= 2 direct grants off the primary; with k < 2 it
 *   joins the primary's first group instead (and holds nothing when the primary has no group).
 *   Extra accounts have identities rows with the person's HR attributes and status.
 * - Human rows have type 'human' with probability 0.5, else ''.
 * - last_used: dormant rows are chosen among direct (account-held) rows only: exactly
 *   min(round(dormantShare * effective grants), direct rows), uniformly. Their date is asOf - 91 to
 *   asOf - 730 days; every other row (group rows included: read them as the most recent use by any
 *   member) is asOf - 0 to asOf - 90. Dormant means asOf - last_used > 90 days, so truth.dormant is
 *   exactly the (account, entitlement) rows with such a date.
 * - Privileged: truth.privileged = the entitlement names matching PRIVILEGED_PATTERN, a case-
 *   insensitive word match of admin(s), administrator(s), sysadmin(s), root, owner(s), superuser(s),
 *   sudo or sudoers delimited by the start, the end or one of `: . _ -`.
 *
 * Memory and time: O(grants) in typed arrays; strings only per account, group, entitlement and
 * lineage. The effective-grant truth is the largest table (one row per effective grant, three Uint32
 * columns). 450,000 identities: about 7 s and 5.3M grant rows, 10.9M effective rows (truth/
 * effective.csv is about 700 MB, mostly lineage text).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeOutput } from '../output/dest.js';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors.js';
import { sampleFlags, type Enterprise, type EnterpriseRole } from '../generate.js';
import { FAMILIES, slug, type Family } from './catalog.js';
import { Rng } from '../util/prng.js';
import { encodeNames, textCsv, type NameBytes } from './write.js';
import { groupByKey } from '../util/group.js';
import { Interner } from '../util/names.js';

export interface GovernanceOptions {
  /** Seed of this step's own PRNG stream; same Enterprise + options -> identical output. */
  seed: number;
  /** Per identity, the probability that its role chain (and, separately, each location/project role) is delivered through groups (default 0.6). */
  groupShare?: number;
  /** Default max(4, round(N / 100)). */
  serviceAccounts?: number;
  /** Default max(2, round(N / 300)). */
  workloadIdentities?: number;
  /** Default max(2, round(N / 500)). */
  sharedAccounts?: number;
  /** Share of non-human accounts labelled in the type column (default 0.5). */
  labelledShare?: number;
  /** Share of people with extra accounts (default 0.03). */
  duplicateShare?: number;
  /** Share of people whose (single) account has no identities row (default 0.01). */
  orphanShare?: number;
  /** Share of people terminated or inactive but still holding their grants (default 0.02). */
  terminatedShare?: number;
  /** Dormant grant rows as a share of all effective grants (default 0.05). */
  dormantShare?: number;
  /** 'YYYY-MM-DD' (default '2026-11-01'); dormant = last_used more than 90 days before it. */
  asOf?: string;
}

export type AccountKind = 'human' | 'service' | 'workload' | 'shared';
/** primary: the Enterprise identity's own account; adm / alt: `<id>-adm` / `<id>.2`; nonhuman. */
export type AccountVariant = 'primary' | 'adm' | 'alt' | 'nonhuman';
export type AccountStatus = 'active' | 'terminated' | 'inactive' | 'leave';

export interface GovernanceAccount {
  account: string;
  /** The person (`p...`) behind a human account; '' for non-human accounts. */
  person: string;
  kind: AccountKind;
  variant: AccountVariant;
  /** The identities row has a non-empty type (the kind; 'human' for labelled humans). */
  labelled: boolean;
  /** A human account with grants and no identities row. */
  orphan: boolean;
  /** The identities row's status; '' when there is no row (orphans, unlisted non-human accounts). */
  status: AccountStatus | '';
  /** status is 'terminated' or 'inactive' and the account has at least one effective grant. */
  terminatedWithAccess: boolean;
  /** The name matches NONHUMAN_NAME_PATTERN (false for humans and the non-conventional names). */
  conventionalName: boolean;
}

export interface GovernanceGroup {
  group: string;
  /** Groups this group is a member of. */
  parents: string[];
  /** The planted role it delivers; '' for the cycle groups. */
  role: string;
}

/** (account, entitlement) pairs: indices into `accounts` / `entitlements`. */
export interface AccountGrantPairs {
  account: Uint32Array;
  entitlement: Uint32Array;
}

export interface GovernanceEnterprise {
  asOf: string;
  accounts: string[];
  groups: string[];
  /** accounts followed by groups. */
  holders: string[];
  /** Ascending; exactly the names held in `grants`. */
  entitlements: string[];
  /**
   * Grant rows: holder (index into `holders`: an account or a group), entitlement, lastUsed (days
   * since 1970-01-01 UTC). Holder-major (accounts, then groups), entitlements ascending within a holder.
   */
  grants: { holder: Uint32Array; entitlement: Uint32Array; lastUsed: Int32Array };
  /**
   * Membership rows: member (index into `holders`) is a member of group (index into `groups`). Group
   * nesting rows first (by member group), then account rows, account-major.
   */
  memberships: { member: Uint32Array; group: Uint32Array };
  /** identities.csv, columnar, in account order; orphans and unlisted non-human accounts have no row. */
  identities: {
    identity: string[];
    person: string[];
    type: string[];
    status: string[];
    department: string[];
    title: string[];
    location: string[];
    manager: string[];
    employmentType: string[];
  };
  truth: {
    /** One per account, in account order. */
    accounts: GovernanceAccount[];
    /** One per group, in group order. */
    groups: GovernanceGroup[];
    /** Each deliberate cycle: cycle[k] is a member of cycle[(k + 1) % length]. */
    cycles: string[][];
    /**
     * Every effective grant of every account (direct, or reachable through memberships), account-major,
     * entitlements ascending, with one lineage: via indexes `lineages`.
     */
    effective: { account: Uint32Array; entitlement: Uint32Array; via: Uint32Array };
    /**
     * lineages[0] = 'direct'; else 'g1>g2>...>gk': the account is a member of g1, each group a member of
     * the next, and gk holds the entitlement. The lineage given is a shortest path from the first of
     * the account's groups (in membership-row order) that reaches the entitlement.
     */
    lineages: string[];
    /** Entitlement names matching PRIVILEGED_PATTERN, ascending. */
    privileged: string[];
    /** Direct rows whose lastUsed is more than 90 days before asOf, in grant-row order. */
    dormant: AccountGrantPairs;
    /** Grants not derived from the Enterprise on human accounts (the `-adm` privileged grants), account-major. */
    extra: AccountGrantPairs;
  };
}

/** Privileged entitlement names (see the header). */
export const PRIVILEGED_PATTERN = /(?:^|[:._-])(?:admins?|administrators?|sysadmins?|root|owners?|superusers?|sudo(?:ers)?)(?:$|[:._-])/i;
/** Conventional non-human account names. */
export const NONHUMAN_NAME_PATTERN = /^(?:svc|sa|bot|wl|k8s|shared|admin)-/;
/** A grant is dormant when asOf - last_used exceeds this many days. */
export const DORMANT_DAYS = 90;

const DEFAULT_AS_OF = '2026-11-01';
const LEAVE_SHARE = 0.005;
const DORMANT_SPAN = 640; // dormant dates: asOf - (91 .. 730)
const DAY_MS = 86_400_000;
const INFRA = [
  'ad:grp-domain-admins', 'linux:hosts-prod:login', 'linux:hosts-prod:sudo', 'linux:hosts-prod:root',
  'vault:secrets-prod:read', 'vault:secrets-prod:admin', 'db:postgres-prod:read', 'db:postgres-prod:owner',
  'backup:jobs-all:operator', 'ci:runners-shared:execute',
];
const CLUSTERS = ['prod-use1', 'prod-euw1', 'stg-use1', 'dev-usw2'];
const NAMESPACES = ['payments', 'ingest', 'platform', 'search', 'billing', 'identity'];
const ODD_NAMES: Record<'service' | 'workload' | 'shared', readonly string[]> = {
  service: ['jenkins', 'backup-runner', 'etl-nightly', 'reporting-sync', 'ldap-connector', 'scanner', 'datapipe', 'integration-user'],
  workload: ['ingest-worker', 'spark-driver', 'cron-runner', 'queue-consumer'],
  shared: ['helpdesk', 'ops-team', 'oncall', 'training-lab'],
};
const STATUS: readonly AccountStatus[] = ['active', 'terminated', 'inactive', 'leave'];
const ST_TERMINATED = 1;
const ST_INACTIVE = 2;
const ST_LEAVE = 3;

/** Days since 1970-01-01 UTC -> 'YYYY-MM-DD'. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD' -> days since 1970-01-01 UTC; UsageError on anything else. */
export function parseDay(s: string): number {
  const m = typeof s === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) : null;
  const day = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS : NaN;
  if (!Number.isInteger(day) || formatDay(day) !== s) throw new UsageError(`governance: asOf must be a date 'YYYY-MM-DD', got ${s}`);
  return day;
}

function rate(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new UsageError(`governance: ${name} must be a number in [0, 1], got ${v}`);
  return v;
}

function whole(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0 || v > 10_000_000) throw new UsageError(`governance: ${name} must be an integer in [0, 10000000], got ${v}`);
  return v;
}

/** A seed bijection (high 32 bits xor a constant) so this stream differs from the Enterprise's for the same seed. */
function streamSeed(seed: number): number {
  const n = Math.trunc(Math.abs(seed));
  const hi = Math.floor(n / 4294967296);
  const s = (hi ^ 0x90a1) * 4294967296 + (n % 4294967296);
  return seed < 0 ? -s : s;
}

/** Growable Uint32 column. */
class Col {
  private a: Uint32Array;
  n = 0;
  constructor(cap: number) {
    this.a = new Uint32Array(Math.max(16, cap));
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  at(k: number): number {
    return this.a[k]!;
  }
  done(): Uint32Array {
    return this.a.slice(0, this.n);
  }
}


function groupName(r: EnterpriseRole): string {
  const parts = r.id.split(':');
  const rest = slug(parts.slice(1).join('-'));
  switch (r.kind) {
    case 'birthright':
      return 'grp-all-staff';
    case 'department':
      return `grp-${rest}`;
    case 'title':
      return `grp-${slug(parts[1] ?? '')}-${slug(parts.slice(2).join('-'))}`;
    case 'location':
      return `grp-loc-${rest}`;
    default:
      return `grp-proj-${rest}`;
  }
}

/** The catalog family of a department name (`Sales` or a regional copy `Sales EMEA 2`). */
function familyOf(dept: string): Family | undefined {
  let best: Family | undefined;
  for (const f of FAMILIES) {
    if ((dept === f.name || dept.startsWith(f.name + ' ')) && (!best || f.name.length > best.name.length)) best = f;
  }
  return best;
}

const byName = (names: readonly string[]) => (a: number, b: number): number => {
  const x = names[a]!;
  const y = names[b]!;
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Adds governance data to `e` (see the header for the model). Throws UsageError on bad options.
 * Linear in the number of grants.
 */
export function addGovernance(e: Enterprise, opts: GovernanceOptions): GovernanceEnterprise {
  if (typeof opts !== 'object' || opts === null) throw new UsageError('governance: options are required');
  if (typeof opts.seed !== 'number' || !Number.isFinite(opts.seed)) throw new UsageError(`governance: seed must be a finite number, got ${opts.seed}`);
  const N = e.identities.length;
  const groupShare = rate('groupShare', opts.groupShare, 0.6);
  const nService = whole('serviceAccounts', opts.serviceAccounts, Math.max(4, Math.round(N / 100)));
  const nWorkload = whole('workloadIdentities', opts.workloadIdentities, Math.max(2, Math.round(N / 300)));
  const nShared = whole('sharedAccounts', opts.sharedAccounts, Math.max(2, Math.round(N / 500)));
  const labelledShare = rate('labelledShare', opts.labelledShare, 0.5);
  const duplicateShare = rate('duplicateShare', opts.duplicateShare, 0.03);
  const orphanShare = rate('orphanShare', opts.orphanShare, 0.01);
  const terminatedShare = rate('terminatedShare', opts.terminatedShare, 0.02);
  const dormantShare = rate('dormantShare', opts.dormantShare, 0.05);
  const asOf = opts.asOf ?? DEFAULT_AS_OF;
  const asOfDay = parseDay(asOf);
  const rng = new Rng(streamSeed(opts.seed));

  // ---- 1. Working entitlement table (Enterprise names first; additions appended, sorted at the end) ----
  const entTable = new Interner(e.entitlementNames); // the Enterprise's names are distinct: ids unchanged
  const names = entTable.names;
  const entId = (s: string): number => entTable.id(s);
  const idIndex = new Map<string, number>();
  for (let i = 0; i < N; i++) idIndex.set(e.identities[i]!.id, i);
  const taken = new Set<string>();
  const unique = (base: string): string => {
    let s = base;
    for (let k = 2; taken.has(s) || idIndex.has(s); k++) s = `${base}-${k}`;
    taken.add(s);
    return s;
  };

  // Observed grants per identity (CSR, entitlements ascending by index).
  const G = e.grants.identity.length;
  const { off: gStart, values: gEnt } = groupByKey(e.grants.identity, e.grants.entitlement, N);
  for (let i = 0; i < N; i++) gEnt.subarray(gStart[i]!, gStart[i + 1]!).sort();
  const holds = (i: number, ent: number): boolean => {
    let lo = gStart[i]!;
    let hi = gStart[i + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (gEnt[mid]! < ent) lo = mid + 1;
      else hi = mid;
    }
    return lo < gStart[i + 1]! && gEnt[lo] === ent;
  };

  // Roles per identity (CSR, in truth role order).
  const R = e.roles.length;
  const rStart = new Uint32Array(N + 1);
  for (const r of e.roles) for (const m of r.members) rStart[idIndex.get(m)! + 1]!++;
  for (let i = 0; i < N; i++) rStart[i + 1]! += rStart[i]!;
  const rList = new Uint32Array(rStart[N]!);
  {
    const fill = rStart.slice(0, N);
    e.roles.forEach((r, k) => {
      for (const m of r.members) rList[fill[idIndex.get(m)!]!++] = k;
    });
  }

  // ---- 2. Groups: one per role, nested title -> department -> birthright, plus the cycle pair ----
  interface GroupDef {
    name: string;
    role: string;
    ents: number[];
    parents: number[];
  }
  const groups: GroupDef[] = [];
  const roleGroup = new Uint32Array(R);
  const groupByRole = new Map<string, number>();
  e.roles.forEach((r, k) => {
    roleGroup[k] = groups.length;
    groupByRole.set(r.id, groups.length);
    groups.push({ name: unique(groupName(r)), role: r.id, ents: [...new Set(r.entitlements)].map(entId), parents: [] });
  });
  e.roles.forEach((r, k) => {
    let parent: number | undefined;
    if (r.kind === 'title') parent = groupByRole.get(`dept:${r.id.split(':')[1] ?? ''}`);
    else if (r.kind === 'department') parent = groupByRole.get('birthright');
    if (parent !== undefined && parent !== roleGroup[k]) groups[roleGroup[k]!]!.parents.push(parent);
  });
  const depth = (kind: string): number => (kind === 'title' ? 0 : kind === 'department' ? 1 : kind === 'birthright' ? 2 : -1);

  // Cycle: two groups holding one birthright entitlement each, members of each other.
  const brightRole = e.roles.findIndex((r) => r.kind === 'birthright');
  const brightEnts = brightRole >= 0 ? groups[roleGroup[brightRole]!]!.ents : [];
  let cyclePool = brightEnts.length >= 2 ? brightEnts : Array.from({ length: Math.min(names.length, 64) }, (_, k) => k);
  const cycleEnts: number[] = [];
  if (cyclePool.length > 0) {
    cyclePool = cyclePool.slice();
    rng.shuffle(cyclePool);
    cycleEnts.push(...cyclePool.slice(0, 2));
  }
  const cycA = groups.length;
  const cycB = cycA + 1;
  groups.push({ name: unique('grp-legacy-sync-a'), role: '', ents: cycleEnts.slice(0, 1), parents: [cycB] });
  groups.push({ name: unique('grp-legacy-sync-b'), role: '', ents: cycleEnts.slice(1, 2), parents: [cycA] });
  const cycleOf = new Map<number, number>();
  if (N > 0) {
    const want = Math.min(8, Math.max(2, Math.round(N / 250)));
    for (let attempt = 0; attempt < 50 * want && cycleOf.size < want; attempt++) {
      const i = rng.int(N);
      if (!cycleOf.has(i) && cycleEnts.every((x) => holds(i, x))) cycleOf.set(i, cycleOf.size % 2 === 0 ? cycA : cycB);
    }
  }
  const NG = groups.length;

  // Transitive closure of each group: entitlements (first reached, breadth-first) and their lineage.
  const lineages = ['direct'];
  const lineageIndex = new Map<string, number>([['direct', 0]]);
  const closureEnt: number[][] = [];
  const closureVia: number[][] = [];
  for (let g = 0; g < NG; g++) {
    const ents: number[] = [];
    const vias: number[] = [];
    const seenEnt = new Set<number>();
    const seenGroup = new Set<number>([g]);
    const queue: [number, string][] = [[g, groups[g]!.name]];
    for (let q = 0; q < queue.length; q++) {
      const [h, path] = queue[q]!;
      let lin = lineageIndex.get(path);
      if (lin === undefined) {
        lin = lineages.length;
        lineages.push(path);
        lineageIndex.set(path, lin);
      }
      for (const x of groups[h]!.ents) {
        if (!seenEnt.has(x)) {
          seenEnt.add(x);
          ents.push(x);
          vias.push(lin);
        }
      }
      for (const p of groups[h]!.parents) {
        if (!seenGroup.has(p)) {
          seenGroup.add(p);
          queue.push([p, `${path}>${groups[p]!.name}`]);
        }
      }
    }
    closureEnt.push(ents);
    closureVia.push(vias);
  }

  // ---- 3. Delivery per identity: groups joined, the rest direct ----
  const W0 = names.length;
  const has = new Int32Array(W0);
  const via = new Int32Array(W0);
  const dStart = new Uint32Array(N + 1);
  const dEnt = new Col(G);
  const mStart = new Uint32Array(N + 1);
  const mGroup = new Col(N * 2);
  const chain: number[] = [];
  for (let i = 0; i < N; i++) {
    const mark = i + 1;
    for (let k = gStart[i]!; k < gStart[i + 1]!; k++) has[gEnt[k]!] = mark;
    const fits = (g: number): boolean => closureEnt[g]!.every((x) => has[x] === mark);
    const join = (g: number): void => {
      mGroup.push(g);
      for (const x of closureEnt[g]!) via[x] = mark;
    };
    chain.length = 0;
    for (let k = rStart[i]!; k < rStart[i + 1]!; k++) if (depth(e.roles[rList[k]!]!.kind) >= 0) chain.push(rList[k]!);
    chain.sort((a, b) => depth(e.roles[a]!.kind) - depth(e.roles[b]!.kind) || a - b);
    if (rng.chance(groupShare)) {
      for (const r of chain) {
        if (fits(roleGroup[r]!)) {
          join(roleGroup[r]!);
          break;
        }
      }
    }
    for (let k = rStart[i]!; k < rStart[i + 1]!; k++) {
      const r = rList[k]!;
      if (depth(e.roles[r]!.kind) < 0 && rng.chance(groupShare) && fits(roleGroup[r]!)) join(roleGroup[r]!);
    }
    const cg = cycleOf.get(i);
    if (cg !== undefined) join(cg);
    for (let k = gStart[i]!; k < gStart[i + 1]!; k++) if (via[gEnt[k]!] !== mark) dEnt.push(gEnt[k]!);
    dStart[i + 1] = dEnt.n;
    mStart[i + 1] = mGroup.n;
  }

  // ---- 4. People: duplicates, orphans, terminated, leave (one walk over a seeded permutation) ----
  const isManager = new Uint8Array(N);
  for (const x of e.identities) {
    const m = x.manager ? idIndex.get(x.manager) : undefined;
    if (m !== undefined) isManager[m] = 1;
  }
  const perm = new Uint32Array(N);
  for (let i = 0; i < N; i++) perm[i] = i;
  for (let k = N - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    const x = perm[k]!;
    perm[k] = perm[j]!;
    perm[j] = x;
  }
  const dup = new Uint8Array(N);
  const orphan = new Uint8Array(N);
  const status = new Uint8Array(N); // index into STATUS: 0 = active
  {
    let p = 0;
    for (let c = Math.round(duplicateShare * N); c > 0 && p < N; p++, c--) dup[perm[p]!] = 1;
    for (let c = Math.round(orphanShare * N); c > 0 && p < N; p++) {
      if (!isManager[perm[p]!]) (orphan[perm[p]!] = 1), c--;
    }
    for (let c = Math.round(terminatedShare * N); c > 0 && p < N; p++, c--) status[perm[p]!] = rng.chance(0.6) ? ST_TERMINATED : ST_INACTIVE;
    for (let c = Math.round(LEAVE_SHARE * N); c > 0 && p < N; p++, c--) status[perm[p]!] = ST_LEAVE;
  }

  // ---- 5. Accounts and grant rows: primaries, extras, non-human, groups ----
  const accounts: string[] = e.identities.map((x) => x.id);
  const extraPerson: number[] = [];
  const extraVariant: ('adm' | 'alt')[] = [];
  const rowH = new Col(G + 64 * (nService + nWorkload + nShared) + 1024);
  const rowE = new Col(G + 64 * (nService + nWorkload + nShared) + 1024);
  const xH = new Col(1024);
  const xE = new Col(1024);
  const extraA = new Col(256);
  const extraE = new Col(256);
  const altJoin: [number, number][] = [];
  const adminNames = new Map<string, string[]>();
  let maxDirect = 1;
  for (let i = 0; i < N; i++) maxDirect = Math.max(maxDirect, dStart[i + 1]! - dStart[i]!);
  const moved = new Uint8Array(maxDirect);
  const pos: number[] = [];
  for (let i = 0; i < N; i++) {
    const a = dStart[i]!;
    const len = dStart[i + 1]! - a;
    moved.fill(0, 0, len);
    if (dup[i]) {
      const variants: ('adm' | 'alt')[] = rng.chance(0.75) ? [rng.chance(0.5) ? 'adm' : 'alt'] : ['adm', 'alt'];
      for (const v of variants) {
        const acc = accounts.length;
        const id = e.identities[i]!.id;
        accounts.push(unique(v === 'adm' ? `${id}-adm` : `${id}.2`));
        extraPerson.push(i);
        extraVariant.push(v);
        if (v === 'adm') {
          const dept = e.identities[i]!.department;
          let cands = adminNames.get(dept);
          if (!cands) {
            const s = slug(dept);
            const f = familyOf(dept);
            cands = f ? [...new Set(f.apps.flatMap(([app, rs, lv]) => rs.map((r) => `${app}:${r.replace('{d}', s)}:${lv[3]}`)))].filter((n) => PRIVILEGED_PATTERN.test(n)) : [];
            cands.unshift(`ad:grp-${s}-admins`);
            adminNames.set(dept, cands);
          }
          const picks = new Set<number>([entId(cands[0]!)]);
          const more = 1 + rng.int(2);
          for (let t = 0; t < more && cands.length > 1; t++) picks.add(entId(cands[1 + rng.int(cands.length - 1)]!));
          for (const x of picks) {
            xH.push(acc);
            xE.push(x);
            extraA.push(acc);
            extraE.push(x);
          }
        } else if (len >= 2) {
          const m = 1 + rng.int(Math.floor(len / 2));
          pos.length = 0;
          for (let t = 0; t < len; t++) pos.push(t);
          for (let t = 0; t < m; t++) {
            const j = t + rng.int(len - t);
            const x = pos[t]!;
            pos[t] = pos[j]!;
            pos[j] = x;
            moved[pos[t]!] = 1;
          }
          for (let t = 0; t < len; t++) {
            if (moved[t]) xH.push(acc), xE.push(dEnt.at(a + t));
          }
        } else if (mStart[i + 1]! > mStart[i]!) {
          altJoin.push([acc, mGroup.at(mStart[i]!)]);
        }
      }
    }
    for (let t = 0; t < len; t++) if (!moved[t]) rowH.push(i), rowE.push(dEnt.at(a + t));
  }
  for (let k = 0; k < xH.n; k++) rowH.push(xH.at(k)), rowE.push(xE.at(k));
  const X = extraPerson.length;

  // Non-human accounts: kinds, labels, names, broad direct grants.
  for (const n of INFRA) entId(n);
  const bright = new Set(brightEnts);
  const appEnts = new Map<string, number[]>();
  const privPool: number[] = [];
  for (let k = 0; k < names.length; k++) {
    if (bright.has(k)) continue;
    const n = names[k]!;
    const c = n.indexOf(':');
    const app = c >= 0 ? n.slice(0, c) : n;
    let list = appEnts.get(app);
    if (!list) appEnts.set(app, (list = []));
    list.push(k);
    if (PRIVILEGED_PATTERN.test(n)) privPool.push(k);
  }
  const apps = [...appEnts.keys()].sort();
  const T = nService + nWorkload + nShared;
  const nhKind: ('service' | 'workload' | 'shared')[] = [];
  for (let t = 0; t < T; t++) nhKind.push(t < nService ? 'service' : t < nService + nWorkload ? 'workload' : 'shared');
  const nhLabelled = new Uint8Array(T);
  const nhRow = new Uint8Array(T);
  const nhOdd = new Uint8Array(T);
  {
    const order = Array.from({ length: T }, (_, t) => t);
    rng.shuffle(order);
    const nl = Math.round(labelledShare * T);
    for (let k = 0; k < nl; k++) nhLabelled[order[k]!] = 1;
    const unl = order.slice(nl).sort((x, y) => x - y);
    const U = unl.length;
    for (const t of order.slice(0, nl)) nhRow[t] = 1;
    const r1 = unl.slice();
    rng.shuffle(r1);
    for (let k = Math.round(U / 2); k < U; k++) nhRow[r1[k]!] = 1;
    const r2 = unl.slice();
    rng.shuffle(r2);
    for (let k = 0; k < (U > 0 ? Math.max(1, Math.round(U / 10)) : 0); k++) nhOdd[r2[k]!] = 1;
  }
  const deptSlugs = [...new Set(e.identities.map((x) => slug(x.department)))].filter((s) => s).sort();
  const counters = new Map<string, number>();
  const next = (key: string): number => {
    const c = (counters.get(key) ?? 0) + 1;
    counters.set(key, c);
    return c;
  };
  const pad = (n: number, w: number): string => String(n).padStart(w, '0');
  const nhName = (kind: 'service' | 'workload' | 'shared', odd: boolean): string => {
    if (odd) {
      const list = ODD_NAMES[kind];
      return unique(list[rng.int(list.length)]!);
    }
    const u = rng.float();
    if (kind === 'service') {
      if (u < 0.8 && apps.length > 0) {
        const pre = u < 0.5 ? 'svc' : 'sa';
        const app = slug(apps[rng.int(apps.length)]!) || 'app';
        return unique(`${pre}-${app}-${pad(next(`${pre}-${app}`), 2)}`);
      }
      return unique(`bot-${pad(next('bot'), 3)}`);
    }
    if (kind === 'workload') {
      if (u < 0.5) {
        const c = CLUSTERS[rng.int(CLUSTERS.length)]!;
        return unique(`wl-${c}-${pad(next(`wl-${c}`), 2)}`);
      }
      const ns = NAMESPACES[rng.int(NAMESPACES.length)]!;
      return unique(`k8s-${ns}-${pad(next(`k8s-${ns}`), 2)}`);
    }
    if (u < 0.5 && deptSlugs.length > 0) return unique(`shared-${deptSlugs[rng.int(deptSlugs.length)]!}-admin`);
    return unique(`admin-${pad(next('admin'), 2)}`);
  };
  const pool: number[] = [];
  const picked = new Set<number>();
  for (let t = 0; t < T; t++) {
    const acc = accounts.length;
    accounts.push(nhName(nhKind[t]!, nhOdd[t] === 1));
    const k = 15 + rng.int(46);
    const wantApps = 5 + rng.int(6);
    const order = apps.slice();
    picked.clear();
    pool.length = 0;
    // Apps in a seeded order until enough apps and entitlements; one entitlement from each app first.
    for (let s = 0, used = 0; s < order.length && (used < wantApps || pool.length < k); s++) {
      const j = s + rng.int(order.length - s);
      const app = order[j]!;
      order[j] = order[s]!;
      order[s] = app;
      const list = appEnts.get(app)!;
      picked.add(list[rng.int(list.length)]!);
      for (const x of list) pool.push(x);
      used++;
    }
    for (let s = 0; s < pool.length && picked.size < k; s++) {
      const j = s + rng.int(pool.length - s);
      const x = pool[j]!;
      pool[j] = pool[s]!;
      pool[s] = x;
      picked.add(x);
    }
    const nPriv = nhKind[t] === 'shared' ? 2 + rng.int(4) : nhKind[t] === 'service' && rng.chance(0.3) ? 1 : 0;
    for (let s = 0; s < nPriv && privPool.length > 0; s++) picked.add(privPool[rng.int(privPool.length)]!);
    for (const x of picked) rowH.push(acc), rowE.push(x);
  }
  const A = accounts.length;
  for (let g = 0; g < NG; g++) for (const x of groups[g]!.ents) rowH.push(A + g), rowE.push(x);

  // ---- 6. Memberships: nesting rows, then accounts (account-major) ----
  const memM = new Col(mGroup.n + NG * 2 + altJoin.length);
  const memG = new Col(mGroup.n + NG * 2 + altJoin.length);
  for (let g = 0; g < NG; g++) for (const p of groups[g]!.parents) memM.push(A + g), memG.push(p);
  const firstAccountRow = memM.n;
  for (let i = 0; i < N; i++) for (let k = mStart[i]!; k < mStart[i + 1]!; k++) memM.push(i), memG.push(mGroup.at(k));
  for (const [acc, g] of altJoin) memM.push(acc), memG.push(g);

  // ---- 7. Final entitlement table: used names, ascending; remap; sort within each holder ----
  const W = names.length;
  const nRows = rowH.n;
  const holderCol = rowH.done();
  const entCol = rowE.done();
  const usedFlag = new Uint8Array(W);
  for (let r = 0; r < nRows; r++) usedFlag[entCol[r]!] = 1;
  const usedIdx: number[] = [];
  for (let k = 0; k < W; k++) if (usedFlag[k]) usedIdx.push(k);
  usedIdx.sort(byName(names));
  const remap = new Uint32Array(W);
  usedIdx.forEach((k, f) => (remap[k] = f));
  const entitlements = usedIdx.map((k) => names[k]!);
  for (let r = 0; r < nRows; r++) entCol[r] = remap[entCol[r]!]!;
  for (let r = 0; r < nRows; ) {
    let s = r + 1;
    while (s < nRows && holderCol[s] === holderCol[r]) s++;
    entCol.subarray(r, s).sort();
    r = s;
  }
  const extra = { account: extraA.done(), entitlement: extraE.done().map((x) => remap[x]!) };
  for (let k = 0; k < extra.account.length; ) {
    let s = k + 1;
    while (s < extra.account.length && extra.account[s] === extra.account[k]) s++;
    extra.entitlement.subarray(k, s).sort();
    k = s;
  }
  for (const list of closureEnt) for (let k = 0; k < list.length; k++) list[k] = remap[list[k]!]!;

  // ---- 8. Effective grants with one lineage each ----
  const memberCol = memM.done();
  const memberGroup = memG.done();
  const aMem = new Uint32Array(A + 1);
  for (let k = firstAccountRow; k < memberCol.length; k++) aMem[memberCol[k]! + 1]!++;
  for (let a = 0; a < A; a++) aMem[a + 1]! += aMem[a]!;
  const L = lineages.length;
  const effA = new Col(nRows + G);
  const effE = new Col(nRows + G);
  const effV = new Col(nRows + G);
  const effCount = new Uint32Array(A);
  const seen = new Int32Array(entitlements.length);
  const tmp: number[] = [];
  let directRows = 0;
  while (directRows < nRows && holderCol[directRows]! < A) directRows++;
  for (let a = 0, r = 0; a < A; a++) {
    const mark = a + 1;
    tmp.length = 0;
    for (; r < directRows && holderCol[r] === a; r++) {
      seen[entCol[r]!] = mark;
      tmp.push(entCol[r]! * L);
    }
    for (let k = firstAccountRow + aMem[a]!; k < firstAccountRow + aMem[a + 1]!; k++) {
      const g = memberGroup[k]!;
      const ents = closureEnt[g]!;
      const vias = closureVia[g]!;
      for (let j = 0; j < ents.length; j++) {
        if (seen[ents[j]!] !== mark) {
          seen[ents[j]!] = mark;
          tmp.push(ents[j]! * L + vias[j]!);
        }
      }
    }
    tmp.sort((x, y) => x - y);
    for (const v of tmp) {
      effA.push(a);
      effE.push(Math.floor(v / L));
      effV.push(v % L);
    }
    effCount[a] = tmp.length;
  }

  // ---- 9. last_used: dormant among direct rows, every other row within 90 days ----
  const dormantFlag = new Uint8Array(directRows);
  sampleFlags(dormantFlag, Math.min(Math.round(dormantShare * effA.n), directRows), rng);
  const lastUsed = new Int32Array(nRows);
  const dormA = new Col(1024);
  const dormE = new Col(1024);
  for (let r = 0; r < nRows; r++) {
    if (r < directRows && dormantFlag[r]) {
      lastUsed[r] = asOfDay - (DORMANT_DAYS + 1 + rng.int(DORMANT_SPAN));
      dormA.push(holderCol[r]!);
      dormE.push(entCol[r]!);
    } else lastUsed[r] = asOfDay - rng.int(DORMANT_DAYS + 1);
  }

  // ---- 10. Identities rows and account truth ----
  const width = Math.max(6, String(Math.max(0, N - 1)).length);
  const personId = (i: number): string => 'p' + String(i).padStart(width, '0');
  const ids: GovernanceEnterprise['identities'] = {
    identity: [], person: [], type: [], status: [], department: [], title: [], location: [], manager: [], employmentType: [],
  };
  const row = (id: string, person: string, type: string, st: string, i: number): void => {
    const x = i >= 0 ? e.identities[i]! : undefined;
    ids.identity.push(id);
    ids.person.push(person);
    ids.type.push(type);
    ids.status.push(st);
    ids.department.push(x ? x.department : '');
    ids.title.push(x ? x.title : '');
    ids.location.push(x ? x.location : '');
    ids.manager.push(x ? x.manager : '');
    ids.employmentType.push(x ? x.employmentType : '');
  };
  const truthAccounts: GovernanceAccount[] = new Array(A);
  for (let a = 0; a < A; a++) {
    const name = accounts[a]!;
    if (a < N + X) {
      const i = a < N ? a : extraPerson[a - N]!;
      const isOrphan = a < N && orphan[i] === 1;
      const st = isOrphan ? '' : STATUS[status[i]!]!;
      let type = '';
      if (!isOrphan) {
        type = rng.chance(0.5) ? 'human' : '';
        row(name, personId(i), type, st, i);
      }
      truthAccounts[a] = {
        account: name, person: personId(i), kind: 'human', variant: a < N ? 'primary' : extraVariant[a - N]!, labelled: type !== '',
        orphan: isOrphan, status: st, terminatedWithAccess: (st === 'terminated' || st === 'inactive') && effCount[a]! > 0, conventionalName: false,
      };
    } else {
      const t = a - N - X;
      const kind = nhKind[t]!;
      const labelled = nhLabelled[t] === 1;
      if (nhRow[t]) row(name, '', labelled ? kind : '', 'active', -1);
      truthAccounts[a] = {
        account: name, person: '', kind, variant: 'nonhuman', labelled, orphan: false, status: nhRow[t] ? 'active' : '',
        terminatedWithAccess: false, conventionalName: NONHUMAN_NAME_PATTERN.test(name),
      };
    }
  }

  const groupNames = groups.map((g) => g.name);
  return {
    asOf,
    accounts,
    groups: groupNames,
    holders: accounts.concat(groupNames),
    entitlements,
    grants: { holder: holderCol, entitlement: entCol, lastUsed },
    memberships: { member: memberCol, group: memberGroup },
    identities: ids,
    truth: {
      accounts: truthAccounts,
      groups: groups.map((g) => ({ group: g.name, parents: g.parents.map((p) => groupNames[p]!), role: g.role })),
      cycles: [[groupNames[cycA]!, groupNames[cycB]!]],
      effective: { account: effA.done(), entitlement: effE.done(), via: effV.done() },
      lineages,
      privileged: entitlements.filter((n) => PRIVILEGED_PATTERN.test(n)),
      dormant: { account: dormA.done(), entitlement: dormE.done() },
      extra,
    },
  };
}

// ---------------------------------------------------------------- writer

const CHUNK = 1 << 20;

/** One CSV column: row r is names[idx[r] - base]. */
export interface IndexColumn {
  names: NameBytes;
  idx: ArrayLike<number>;
  base?: number;
}

/** CSV of index columns into name tables, in ~1 MiB chunks (no per-row strings). */
export function* indexCsv(header: string, cols: readonly IndexColumn[], n: number): Generator<Uint8Array> {
  const rowMax = cols.reduce((s, c) => s + c.names.max + 1, 0);
  const size = Math.max(CHUNK, rowMax, header.length * 3 + 1);
  let buf = Buffer.allocUnsafe(size);
  let pos = buf.write(header + '\n', 0, 'utf8');
  const limit = size - rowMax;
  for (let r = 0; r < n; r++) {
    if (pos > limit) {
      yield buf.subarray(0, pos);
      buf = Buffer.allocUnsafe(size); // the stream may still hold the previous chunk
      pos = 0;
    }
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c]!;
      const k = col.idx[r]! - (col.base ?? 0);
      const { bytes, off } = col.names;
      for (let s = off[k]!, t = off[k + 1]!; s < t; s++) buf[pos++] = bytes[s]!;
      buf[pos++] = c === cols.length - 1 ? 10 : 44;
    }
  }
  if (pos > 0) yield buf.subarray(0, pos);
}


/** Date names for the days in [lo, hi]. */
function dayNames(days: Int32Array): { names: NameBytes; base: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < days.length; k++) {
    if (days[k]! < lo) lo = days[k]!;
    if (days[k]! > hi) hi = days[k]!;
  }
  if (lo > hi) return { names: encodeNames([], true), base: 0 };
  return { names: encodeNames(Array.from({ length: hi - lo + 1 }, (_, k) => formatDay(lo + k)), true), base: lo };
}

/**
 * Writes `g` under `dir` as a rolemill output folder (absent, empty or an earlier rolemill output;
 * all or nothing, see src/output/dest.ts) and returns the paths written (`dir`
 * joined with): grants.csv (identity,entitlement,last_used; identity = the holder: an account or a
 * group), memberships.csv (member,group,member_type: account or group), identities.csv (identity,person,type,status,department,
 * title,location,manager,employment_type), truth/accounts.csv (account,person,kind,variant,labelled,
 * orphan,status,terminated_with_access,conventional_name; booleans as true/false), truth/groups.csv
 * (group,role,parents; parents joined by ';'), truth/cycles.csv (cycle,position,group),
 * truth/effective.csv (account,entitlement,via), truth/privileged.csv (entitlement),
 * truth/dormant.csv (account,entitlement,last_used), truth/extra.csv (account,entitlement).
 * CSV as in src/generate/write.ts: header row, `\n` line ends, RFC 4180 quoting only where a field
 * holds `"`, `,`, CR or LF, no formula neutralisation (rolemill's readers take names verbatim). Rows
 * in the order of `g`; byte-identical for equal inputs.
 */
export async function writeGovernance(dir: string, g: GovernanceEnterprise): Promise<string[]> {
  let names: string[] = [];
  await writeOutput(dir, { kind: 'sample' }, async (tmp) => {
    names = (await writeGovernanceFiles(tmp, g)).map((p) => relative(tmp, p));
  });
  return names.map((n) => join(dir, n));
}

/** The files of writeGovernance written straight into `dir` (a folder of rolemill's own, such as writeOutput's temporary folder). */
export async function writeGovernanceFiles(dir: string, g: GovernanceEnterprise, signal?: AbortSignal): Promise<string[]> {
  await mkdir(join(dir, 'truth'), { recursive: true });
  const written: string[] = [];
  const out = async (name: string, chunks: Iterable<Uint8Array>): Promise<void> => {
    const path = join(dir, name);
    await pipeline(chunks, createWriteStream(path, { highWaterMark: 4 * CHUNK }), signal ? { signal } : {});
    written.push(path);
  };
  const holders = encodeNames(g.holders, true);
  const ents = encodeNames(g.entitlements, true);
  const groups = encodeNames(g.groups, true);
  const days = dayNames(g.grants.lastUsed);
  const G = g.grants.holder.length;
  await out(
    'grants.csv',
    indexCsv('identity,entitlement,last_used', [
      { names: holders, idx: g.grants.holder },
      { names: ents, idx: g.grants.entitlement },
      { names: days.names, idx: g.grants.lastUsed, base: days.base },
    ], G),
  );
  await out(
    'memberships.csv',
    indexCsv(
      'member,group,member_type',
      [
        { names: holders, idx: g.memberships.member },
        { names: groups, idx: g.memberships.group },
        // Says which members are groups: a group with no member of its own appears only here.
        { names: encodeNames(['account', 'group'], true), idx: Uint32Array.from(g.memberships.member, (h) => (h >= g.accounts.length ? 1 : 0)) },
      ],
      g.memberships.member.length,
    ),
  );
  const idt = g.identities;
  await out(
    'identities.csv',
    textCsv(
      ['identity', 'person', 'type', 'status', 'department', 'title', 'location', 'manager', 'employment_type'],
      (function* () {
        for (let k = 0; k < idt.identity.length; k++) {
          yield [idt.identity[k]!, idt.person[k]!, idt.type[k]!, idt.status[k]!, idt.department[k]!, idt.title[k]!, idt.location[k]!, idt.manager[k]!, idt.employmentType[k]!];
        }
      })(),
    ),
  );
  const t = g.truth;
  const bool = (b: boolean): string => (b ? 'true' : 'false');
  await out(
    'truth/accounts.csv',
    textCsv(
      ['account', 'person', 'kind', 'variant', 'labelled', 'orphan', 'status', 'terminated_with_access', 'conventional_name'],
      t.accounts.map((a) => [a.account, a.person, a.kind, a.variant, bool(a.labelled), bool(a.orphan), a.status, bool(a.terminatedWithAccess), bool(a.conventionalName)]),
    ),
  );
  await out('truth/groups.csv', textCsv(['group', 'role', 'parents'], t.groups.map((x) => [x.group, x.role, x.parents.join(';')])));
  await out(
    'truth/cycles.csv',
    textCsv(['cycle', 'position', 'group'], t.cycles.flatMap((c, k) => c.map((x, p) => [String(k + 1), String(p + 1), x]))),
  );
  const accts = encodeNames(g.accounts, true);
  await out(
    'truth/effective.csv',
    indexCsv('account,entitlement,via', [
      { names: accts, idx: t.effective.account },
      { names: ents, idx: t.effective.entitlement },
      { names: encodeNames(t.lineages, true), idx: t.effective.via },
    ], t.effective.account.length),
  );
  await out('truth/privileged.csv', textCsv(['entitlement'], t.privileged.map((x) => [x])));
  // Dormant rows with their dates: look the date up through the account's grant rows (holder-major, ascending).
  const dormantDays = new Int32Array(t.dormant.account.length);
  {
    let r = 0;
    for (let k = 0; k < dormantDays.length; k++) {
      const a = t.dormant.account[k]!;
      const x = t.dormant.entitlement[k]!;
      while (r < G && (g.grants.holder[r]! < a || (g.grants.holder[r] === a && g.grants.entitlement[r]! < x))) r++;
      dormantDays[k] = r < G && g.grants.holder[r] === a && g.grants.entitlement[r] === x ? g.grants.lastUsed[r]! : 0;
    }
  }
  await out(
    'truth/dormant.csv',
    indexCsv('account,entitlement,last_used', [
      { names: accts, idx: t.dormant.account },
      { names: ents, idx: t.dormant.entitlement },
      { names: days.names, idx: dormantDays, base: days.base },
    ], dormantDays.length),
  );
  await out('truth/extra.csv', indexCsv('account,entitlement', [{ names: accts, idx: t.extra.account }, { names: ents, idx: t.extra.entitlement }], t.extra.account.length));
  return written;
}
