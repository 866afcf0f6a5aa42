/**
 * The access-review file: one row per item a reviewer must decide, shaped like an access-review
 * export (Microsoft Entra's access-review history is the model: who reviews, whose access, which
 * resource, the system's recommendation and why, an empty decision to fill in). Built from a mined
 * run (`reviewTable`: every exception and over-assignment of the model, one row each) or from a
 * diff of two snapshots (`reviewFromDiff`: the remediation rows still to act on).
 *
 * Columns, in order: `reviewer, identity, account, entitlement, application, reason,
 * recommendation, rule, evidence, decision`.
 * - `reviewer`: the identity's manager when the identities file has a `manager` column (the value
 *   as given: an account or identity key; the first non-empty one among the identity's accounts,
 *   in account order), else the application's owner from `owners`, else `unassigned`. Decided per
 *   row, so a service account without a manager falls to its application's owner.
 * - `identity`: the model's identity (a person when accounts are merged); `account`: the accounts
 *   holding the grant as named in the input (`;`-separated, as in exceptions.csv; empty for an
 *   over-assignment); `entitlement`; `application`: the grants' `application` column when
 *   `options.grants` has one, else the entitlement's prefix before `appSeparator` (default ':';
 *   the whole name when there is none), as the governance pass derives it (src/governance/prepare.ts).
 * - `reason`: the exception reason (EXCEPTION_REASONS), `over_assigned`, or a diff's
 *   `leaver_access`, `mover_leftover`, `new_exception`.
 * - `recommendation` (`revoke`, `review`, `keep`) and `rule`, the first rule below that applies.
 *   For an over-assignment (a pair a role gives that the identity does not hold) the decision is
 *   whether to accept the role as it is: `keep` grants it through the role, `revoke` leaves it out.
 * - `evidence`: facts for the reviewer, `; `-separated, in this order: the accounts' status
 *   (`account u7 status terminated`, `no HR record for u7`), the peer group's share (`peers 2/40
 *   hold it (5%)`: the other members of the identity's peer group holding the entitlement, the
 *   identity itself left out; `no peer group`), the last use (`last used 2026-07-01`, the latest
 *   `last_used` of the holding accounts' direct rows, when `options.grants` is given; for a dormant
 *   grant without it, `not used in the 90 days before 2026-11-28` from the run's usage report),
 *   `privileged` when the reason does not say so already, and the role (`role R0007 Sales gives
 *   it`: a role of the identity containing the entitlement, the one behind an over-assignment;
 *   else `role R0007 Sales would give it (holds 4 of its 5 other entitlements)`: the role
 *   containing it of whose other entitlements the identity holds the largest share, at least half,
 *   ties to more entitlements, then to the role listed first; the first ROLE_SCAN roles containing
 *   the entitlement are looked at).
 * - `decision`: empty.
 *
 * Rules of a mined run, first match wins (thresholds below as constants):
 *
 * | rule | recommendation | when |
 * |---|---|---|
 * | `terminated-account` | revoke | reason `terminated`, or every holding account (every account of the identity, for an over-assignment) is flagged terminated with access: a leaver keeps nothing |
 * | `orphan-account` | revoke | reason `orphan`, or every holding account has no HR record: access without an owner on record |
 * | `over-assigned-privileged` | review | an over-assignment of a privileged entitlement (`--privileged-share` below 1): a role never hands out privilege unreviewed |
 * | `over-assigned-peers-hold-it` | keep | an over-assignment that at least PEER_KEEP (half) of the identity's other peers hold: accept the role as it is |
 * | `over-assigned-role-gives-it` | review | any other over-assignment |
 * | `privileged-dormant-needs-review` | review | a privileged entitlement unused (reason `dormant`) |
 * | `privileged-needs-review` | review | any other grant of a privileged entitlement (the run's patterns): always a person's decision |
 * | `dormant-unused-<N>d` | revoke | reason `dormant`: unused for more than N (`--dormant-days`) days; the evidence says when it was last used |
 * | `non-human-owner-review` | review | reasons `non-human`, `non_human_access`: reviewed per account with its owner |
 * | `outlier-needs-review` | review | reason `outlier` |
 * | `no-peer-evidence` | review | `unexplained`, `rare_entitlement`, `outside_roles` with no peer group or fewer than MIN_PEERS (3) other members |
 * | `peer-share<0.1` | revoke | those, held by fewer than PEER_REVOKE (10%) of the other peers: on held-out data 98% of these exceptions are stray grants (README, "Measured quality") |
 * | `peer-share>=0.5` | keep | held by at least PEER_KEEP (half) of the other peers: the peers' access, which the model does not give this identity |
 * | `peer-share<0.5` | review | the rest |
 *
 * Rules of a diff (`reviewFromDiff`): `leaver_access` → revoke, `leaver-access`; `mover_leftover`
 * → revoke, `mover-leftover-no-new-peer-holds-it`, when the identities files of both snapshots
 * name the mover's new job and at least MIN_PEERS of its new peers (non-movers with the changed
 * attributes at the mover's new values) are in the new model and none holds the entitlement (by a
 * role or as an exception), else review, `mover-leftover`; `new_exception` → review,
 * `new-exception`; `resolved` gives no row.
 *
 * Rows are sorted by reviewer, then identity, account, entitlement, reason (JavaScript string
 * order), so the file splits into one file per reviewer (`splitByReviewer`, `reviewerFileName`).
 * Deterministic: the same run gives the same rows. Platform-neutral (no Node modules): the browser
 * worker builds it too. Cost: the in-scope grants grouped by identity once (about 16 bytes per grant
 * while it runs), then per row a lookup per entitlement of each role scanned (the identity's
 * entitlements marked once per run of its rows) and a binary search for its peer group's share.
 */
import { keyIndex, type IdentityTable } from '../ingest/identities.js';
import type { Grants } from '../types.js';
import type { Run } from '../pipeline/mine.js';
import type { Diff, DiffInputs } from '../pipeline/diff.js';
import { roleName, rolesByIdentity, slotRoles } from '../model/model.js';
import { EXCEPTION_REASONS, textColumn, type Column, type OutTable } from '../model/tables.js';
import { accountHolders, allGrantsByIdentity } from '../governance/report.js';
import { applicationOf } from '../governance/accounts.js';
import { groupByKey, groupSortedDistinct } from '../util/group.js';
import { Interner } from '../util/names.js';
import { lowerBound } from '../util/sorted.js';
import { iota } from '../util/typed.js';

export const REVIEW_COLUMNS = ['reviewer', 'identity', 'account', 'entitlement', 'application', 'reason', 'recommendation', 'rule', 'evidence', 'decision'] as const;
const EVIDENCE = REVIEW_COLUMNS.indexOf('evidence');

/** Below this share of the other peers holding it, an unexplained grant is recommended for revocation. */
export const PEER_REVOKE = 0.1;
/** From this share of the other peers holding it, a grant (or an over-assigned pair) is recommended to keep. */
export const PEER_KEEP = 0.5;
/** Fewest other members of a peer group (or new-job peers of a mover) for a share to decide anything. */
export const MIN_PEERS = 3;
/** Most roles containing an entitlement looked at for the `would give it` evidence (bounds the cost per row). */
export const ROLE_SCAN = 256;
/** The reviewer of a row with neither a manager nor an application owner. */
export const UNASSIGNED = 'unassigned';

export interface ReviewOptions {
  /** Application → its owner: the reviewer of rows whose identity has no manager. */
  owners?: Map<string, string>;
  /** Separator ending an entitlement's application prefix (default ':'; the governance option's). */
  appSeparator?: string;
  /**
   * The grants input as read (readGrants with keepIfPresent ['last_used', 'application']): its
   * `last_used` column dates the evidence, its `application` column names applications. Optional:
   * the Run keeps neither column.
   */
  grants?: Grants;
}

type Recommendation = 'revoke' | 'review' | 'keep';

/** Everything a rule looks at for one row. */
interface Facts {
  reason: string;
  privileged: boolean;
  /** Every holding account (every account of the identity, for an over-assignment) terminated with access / without an HR record. */
  terminated: boolean;
  orphan: boolean;
  /** Other members of the peer group and how many of them hold the entitlement; null without a group. */
  peers: { holders: number; others: number } | null;
  dormantDays: number;
}

/** The rules of a mined run (see the table in the module comment), first match wins. */
function decide(f: Facts): [Recommendation, string] {
  if (f.terminated || f.reason === 'terminated') return ['revoke', 'terminated-account'];
  if (f.orphan || f.reason === 'orphan') return ['revoke', 'orphan-account'];
  const share = f.peers && f.peers.others >= MIN_PEERS ? f.peers.holders / f.peers.others : null;
  if (f.reason === 'over_assigned') {
    if (f.privileged) return ['review', 'over-assigned-privileged'];
    return share !== null && share >= PEER_KEEP ? ['keep', 'over-assigned-peers-hold-it'] : ['review', 'over-assigned-role-gives-it'];
  }
  if (f.privileged) return ['review', f.reason === 'dormant' ? 'privileged-dormant-needs-review' : 'privileged-needs-review'];
  if (f.reason === 'dormant') return ['revoke', `dormant-unused-${f.dormantDays}d`];
  if (f.reason === 'non-human' || f.reason === 'non_human_access') return ['review', 'non-human-owner-review'];
  if (f.reason === 'outlier') return ['review', 'outlier-needs-review'];
  if (share === null) return ['review', 'no-peer-evidence'];
  if (share < PEER_REVOKE) return ['revoke', 'peer-share<0.1'];
  if (share >= PEER_KEEP) return ['keep', 'peer-share>=0.5'];
  return ['review', 'peer-share<0.5'];
}

/** `2/40 hold it (5%)`: a whole percent, one decimal below 1%. */
function holdText(holders: number, of: number): string {
  const p = (holders / of) * 100;
  return `${holders}/${of} hold it (${p > 0 && p < 1 ? p.toFixed(1) : Math.round(p)}%)`;
}

/** Per entitlement name, the first non-empty value of the grants' `application` column on its rows (as the governance pass takes it). */
function applicationColumn(grants: Grants | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const col = grants?.columns['application'];
  if (!grants || !col) return out;
  for (let k = 0; k < grants.rows; k++) {
    const e = grants.entitlements[grants.entitlement[k]!]!;
    const v = col.values[col.codes[k]!]!;
    if (v !== '' && !out.has(e)) out.set(e, v);
  }
  return out;
}

/** The first of these accounts' managers that `manager` gives (>= 0), or -1. */
function firstManager(accounts: number[], manager: (a: number) => number): number {
  for (const a of accounts) {
    const m = manager(a);
    if (m >= 0) return m;
  }
  return -1;
}

/** The `manager` value of a key of the identities file ('' when empty; undefined for a name that is no key, or without the column). */
function managers(table: IdentityTable | null): (key: string) => string | undefined {
  const col = table?.attributes.find((a) => a.name === 'manager');
  if (!table || !col) return () => undefined;
  const rows = keyIndex(table); // the table's shared index, not a map of its own
  return (key) => {
    const r = rows.get(key);
    return r === undefined ? undefined : col.values[col.codes[r]!]!;
  };
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/**
 * The review's rows as they are made: each column's values interned on the way in (codes per row,
 * names in first-seen order), so the sort and the output table work on codes, not strings (374k
 * rows at 10M grants: sorting and re-interning the strings took 7 s). Codes are kept in typed
 * arrays grown by doubling, and a value named by a dense numeric key (push) is looked up in a typed
 * array, not a Map: the per-row cost at 10M grants was mostly those two.
 */
class ReviewRows {
  private readonly cols = REVIEW_COLUMNS.map(() => new Interner());
  private codes: Uint32Array[];
  /** Per column, a value's code + 1 by the caller's numeric key for it (see push); 0: not seen. */
  private readonly byKey: Uint32Array[] = REVIEW_COLUMNS.map(() => new Uint32Array(0));
  /** The evidence per row, not interned: it is nearly unique per row (a dictionary entry per row, repeats allowed, as the identities table's text columns). */
  private readonly evidence: string[] = [];
  length = 0;

  /**
   * `distinct[k]`: column k's keys stand for distinct strings (identity and entitlement ids, the
   * codes of a dictionary without repeats), so a new key is a new value without asking the
   * interner (at 10M grants, 600k insertions into growing Maps); every row then gives a key.
   */
  constructor(capacity = 0, private readonly distinct: boolean[] = []) {
    this.codes = REVIEW_COLUMNS.map(() => new Uint32Array(Math.max(16, capacity)));
  }

  /**
   * One row. `keys[k] >= 0` names values[k] by a small whole number that stands for that string
   * alone (an identity or entitlement id), so the string is hashed once per distinct value, not
   * per row.
   */
  push(values: string[], keys?: number[]): void {
    const at = this.length;
    if (at === this.codes[0]!.length) this.codes = this.codes.map((c) => {
      const grown = new Uint32Array(2 * c.length);
      grown.set(c);
      return grown;
    });
    for (let k = 0; k < this.cols.length; k++) {
      if (k === EVIDENCE) {
        this.evidence.push(values[k] ?? '');
        continue;
      }
      const key = keys?.[k] ?? -1;
      let c: number;
      if (key >= 0) {
        let m = this.byKey[k]!;
        if (key >= m.length) {
          const grown = new Uint32Array(Math.max(2 * m.length, key + 1));
          grown.set(m);
          this.byKey[k] = m = grown;
        }
        c = m[key]! - 1;
        if (c < 0) {
          const col = this.cols[k]!;
          if (this.distinct[k]) c = col.names.push(values[k] ?? '') - 1;
          else c = col.id(values[k] ?? '');
          m[key] = c + 1;
        }
      } else if (this.distinct[k]) throw new Error(`internal: review column ${REVIEW_COLUMNS[k]} takes a key on every row`);
      else c = this.cols[k]!.id(values[k] ?? '');
      this.codes[k]![at] = c;
    }
    this.length++;
  }

  /** Column k's code per row as its value's rank among the column's distinct values (code-unit order, as `<` compares). */
  private ranks(k: number): { rank: Uint32Array; values: number } {
    const names = this.cols[k]!.names;
    const byName = Array.from(names.keys()).sort((a, b) => compare(names[a]!, names[b]!));
    const rankOf = new Uint32Array(names.length);
    byName.forEach((c, r) => (rankOf[c] = r));
    const codes = this.codes[k]!;
    const rank = new Uint32Array(this.length);
    for (let x = 0; x < rank.length; x++) rank[x] = rankOf[codes[x]!]!;
    return { rank, values: names.length };
  }

  /**
   * The review table, sorted by reviewer, identity, account, entitlement, reason, then the order
   * rows were pushed: stable counting sorts on each key's ranks, the last key first. Each output
   * column's dictionary is in first-seen order over the sorted rows.
   */
  table(): OutTable {
    const n = this.length;
    let order = iota(n);
    let next = new Uint32Array(n);
    for (const k of [5, 3, 2, 1, 0]) {
      const { rank, values } = this.ranks(k);
      const start = new Uint32Array(values + 1);
      for (let i = 0; i < n; i++) start[rank[i]! + 1]!++;
      for (let v = 0; v < values; v++) start[v + 1]! += start[v]!;
      for (let x = 0; x < n; x++) next[start[rank[order[x]!]!]!++] = order[x]!;
      [order, next] = [next, order];
    }
    const columns = REVIEW_COLUMNS.map((c, k): [string, Column] => {
      if (k === EVIDENCE) {
        const dictionary: string[] = new Array<string>(n);
        const out = new Uint32Array(n);
        for (let x = 0; x < n; x++) (dictionary[x] = this.evidence[order[x]!]!), (out[x] = x);
        return [c, { kind: 'name', dictionary, codes: out }];
      }
      const names = this.cols[k]!.names;
      const codes = this.codes[k]!;
      const renum = new Int32Array(names.length).fill(-1);
      const dictionary: string[] = [];
      const out = new Uint32Array(n);
      for (let x = 0; x < n; x++) {
        const c = codes[order[x]!]!;
        if (renum[c]! < 0) renum[c] = dictionary.push(names[c]!) - 1;
        out[x] = renum[c]!;
      }
      return [c, { kind: 'name', dictionary, codes: out }];
    });
    return { name: 'review', length: n, columns };
  }
}

/**
 * The review of a mined run: one row per exception (in `run.model.exceptions` order before
 * sorting) and one per over-assignment, as the module comment describes. `identities` is the
 * identities file the run was given (its `manager` column names reviewers), or null.
 */
export function reviewTable(run: Run, identities: IdentityTable | null, options: ReviewOptions = {}): OutTable {
  const { model, prepared: prep, peers } = run;
  const sep = options.appSeparator ?? ':';
  const N = model.identities.length;
  const E = model.entitlements.length;
  const ex = model.exceptions;
  const ov = model.overAssignments;
  const nEx = ex.identity.length;
  const total = nEx + ov.identity.length;
  const idOf = (k: number) => (k < nEx ? ex.identity[k]! : ov.identity[k - nEx]!);
  const entOf = (k: number) => (k < nEx ? ex.entitlement[k]! : ov.entitlement[k - nEx]!);

  // The accounts holding each row's grant (an over-assignment: the identity's accounts).
  const accountsHolding = accountHolders(prep);
  const holding = (k: number): number[] => accountsHolding(idOf(k), k >= nEx ? null : entOf(k));
  const accountColumn = run.exceptionColumns.find(([n]) => n === 'account')?.[1] as { dictionary: string[]; codes: Uint32Array } | undefined;

  // Every in-scope grant by identity (sorted rows): what an identity holds, and peer shares.
  const held = allGrantsByIdentity(prep);
  // Whether identity i holds e: its entitlements marked once per run of rows about it (the rows
  // come by identity), then a lookup, not a binary search per role entitlement scanned.
  const heldBy = new Int32Array(model.entitlements.length).fill(-1);
  let markedFor = -1;
  const holds = (i: number, e: number) => {
    if (markedFor !== i) {
      markedFor = i;
      for (let x = held.off[i]!; x < held.off[i + 1]!; x++) heldBy[held.values[x]!] = i;
    }
    return heldBy[e] === i;
  };
  // Peer groups: size, and holders of each (group, entitlement) some row asks about: per group its
  // asked entitlements (sorted, distinct), counted by merging each member's sorted row with them.
  const groupSize = new Uint32Array(peers ? peers.groups : 0);
  let asked: { off: Uint32Array; values: Uint32Array } = { off: new Uint32Array(1), values: new Uint32Array(0) };
  let askedHolders = new Uint32Array(0);
  if (peers) {
    for (let i = 0; i < N; i++) if (peers.group[i]! >= 0) groupSize[peers.group[i]!]!++;
    const askG: number[] = [];
    const askE: number[] = [];
    for (let k = 0; k < total; k++) {
      const g = peers.group[idOf(k)]!;
      if (g >= 0) askG.push(g), askE.push(entOf(k));
    }
    asked = groupSortedDistinct(Uint32Array.from(askG), Uint32Array.from(askE), peers.groups);
    askedHolders = new Uint32Array(asked.values.length);
    // Group by group: its asked entitlements marked with their slot, then each member's distinct
    // grants (a person's accounts may hold the same entitlement) looked up in the mark.
    const members = groupByKey(peers.group.map((g) => (g < 0 ? peers.groups : g)), iota(N), peers.groups + 1);
    const slotOf = new Int32Array(E).fill(-1);
    for (let g = 0; g < peers.groups; g++) {
      const aEnd = asked.off[g + 1]!;
      if (aEnd === asked.off[g]) continue;
      for (let a = asked.off[g]!; a < aEnd; a++) slotOf[asked.values[a]!] = a;
      for (let m = members.off[g]!; m < members.off[g + 1]!; m++) {
        const i = members.values[m]!;
        for (let x = held.off[i]!; x < held.off[i + 1]!; x++) {
          const a = slotOf[held.values[x]!]!;
          if (a >= 0) askedHolders[a]!++;
        }
      }
      for (let a = asked.off[g]!; a < aEnd; a++) slotOf[asked.values[a]!] = -1;
    }
  }
  /** Holders in group g of entitlement e, for a pair some row asked about. */
  const holdersIn = (g: number, e: number): number => askedHolders[lowerBound(asked.values, e, asked.off[g]!, asked.off[g + 1]!)]!;

  // Roles by identity and by entitlement; their labels (id and name).
  const { roles } = model;
  const R = roles.count;
  const rolesOf = rolesByIdentity(roles, N);
  const rolesWith = groupByKey(roles.entitlements, slotRoles(roles.entitlementOffsets), E);
  const nameCol = run.roleColumns.find(([n]) => n === 'name')?.[1] as { dictionary: string[]; codes: Uint32Array } | undefined;
  const label = (r: number) => {
    const id = roles.ids ? roles.ids[r]! : roleName(r, R);
    const name = nameCol ? nameCol.dictionary[nameCol.codes[r]!]! : '';
    return name ? `role ${id} ${name}` : `role ${id}`;
  };
  const roleFact = (i: number, e: number): string | null => {
    for (let x = rolesOf.off[i]!; x < rolesOf.off[i + 1]!; x++) {
      const r = rolesOf.values[x]!;
      if (roleHas(r, e)) return `${label(r)} gives it`;
    }
    let best = -1;
    let bestHeld = 0;
    let bestOther = 0;
    const end = Math.min(rolesWith.off[e + 1]!, rolesWith.off[e]! + ROLE_SCAN);
    for (let x = rolesWith.off[e]!; x < end; x++) {
      const r = rolesWith.values[x]!;
      const other = roles.entitlementOffsets[r + 1]! - roles.entitlementOffsets[r]! - 1;
      if (other <= 0) continue;
      let h = 0;
      for (let q = roles.entitlementOffsets[r]!; q < roles.entitlementOffsets[r + 1]!; q++) {
        const f = roles.entitlements[q]!;
        if (f !== e && holds(i, f)) h++;
      }
      if (2 * h < other) continue;
      // Larger share (h/other), then more entitlements, then the role listed first.
      const better = best < 0 || h * bestOther > bestHeld * other || (h * bestOther === bestHeld * other && other > bestOther);
      if (better) (best = r), (bestHeld = h), (bestOther = other);
    }
    return best < 0 ? null : `${label(best)} would give it (holds ${bestHeld} of its ${bestOther} other entitlements)`;
  };
  function roleHas(r: number, e: number): boolean {
    for (let q = roles.entitlementOffsets[r]!; q < roles.entitlementOffsets[r + 1]!; q++) if (roles.entitlements[q] === e) return true;
    return false;
  }

  // Last use, per (account, entitlement) a row asks about: the latest date of its direct rows.
  const usage = prep.report['usage'] as { column: string; asOf: string | null; dormantDays: number } | undefined;
  const dormantDays = usage?.dormantDays ?? 90;
  const raw = options.grants;
  const dates = raw?.columns[usage?.column ?? 'last_used'];
  const holdingOf: number[][] = Array.from({ length: total }, (_, k) => holding(k));
  // The (account, entitlement) pairs the exception rows ask about, grouped by account (sorted,
  // distinct), and the latest date of each: each raw row looks up its account's few pairs, so
  // most rows (accounts with no exception) cost one comparison, and no key a x E + e overflows
  // into a floating-point Map key at 10M grants.
  const A = prep.accounts.names.length;
  let askedUse: { off: Uint32Array; values: Uint32Array } = { off: new Uint32Array(A + 1), values: new Uint32Array(0) };
  let latest: string[] = [];
  const useSlot = (a: number, e: number): number => {
    const from = askedUse.off[a]!;
    const to = askedUse.off[a + 1]!;
    if (from === to) return -1;
    const x = lowerBound(askedUse.values, e, from, to);
    return x < to && askedUse.values[x] === e ? x : -1;
  };
  if (raw && dates) {
    const askA: number[] = [];
    const askE: number[] = [];
    for (let k = 0; k < nEx; k++) for (const a of holdingOf[k]!) askA.push(a), askE.push(entOf(k));
    askedUse = groupSortedDistinct(Uint32Array.from(askA), Uint32Array.from(askE), A);
    latest = new Array<string>(askedUse.values.length).fill('');
    const accountIndex = new Map(prep.accounts.names.map((n, a) => [n, a]));
    const entIndex = new Map(model.entitlements.map((n, e) => [n, e]));
    const rawAccount = Int32Array.from(raw.identities, (n) => accountIndex.get(n) ?? -1);
    const rawEnt = Int32Array.from(raw.entitlements, (n) => entIndex.get(n) ?? -1);
    for (let k = 0; k < raw.rows; k++) {
      const a = rawAccount[raw.identity[k]!]!;
      const e = rawEnt[raw.entitlement[k]!]!;
      if (a < 0 || e < 0) continue;
      const x = useSlot(a, e);
      if (x < 0) continue;
      const v = dates.values[dates.codes[k]!]!.trim().slice(0, 10);
      if (v > latest[x]!) latest[x] = v;
    }
  }
  /** The latest use of e by account a that a row asks about ('' when none is known). */
  const lastUse = (a: number, e: number): string => {
    const x = latest.length ? useSlot(a, e) : -1;
    return x < 0 ? '' : latest[x]!;
  };

  const privileged = new Int8Array(E).fill(-1);
  const isPrivileged = (e: number) => {
    if (privileged[e]! < 0) privileged[e] = prep.privileged.some((p) => ((p.lastIndex = 0), p.test(model.entitlements[e]!))) ? 1 : 0;
    return privileged[e] === 1;
  };
  const apps = applicationColumn(raw);
  // Per entitlement, its application, and per identity, the first non-empty manager of its
  // accounts, each on first use: codes into `texts` (`application` -1: not yet), typed arrays
  // rather than holey string arrays, which turn into slow dictionaries when filled out of order.
  const texts = new Interner();
  const application = new Int32Array(E).fill(-1);
  // An account's non-empty manager as its code in `texts` (-1: none), each manager's text
  // interned once: its row is the run's own match when the accounts were matched to this
  // identities file, else found by its name as a key.
  const managerCol = identities?.attributes.find((a) => a.name === 'manager');
  const keys = identities && managerCol && prep.accounts.table !== identities ? keyIndex(identities) : null;
  const managerText = new Int32Array(managerCol ? managerCol.values.length : 0).fill(-2); // per manager code: its texts code, -1 for '', -2 not yet
  const manager = (a: number): number => {
    if (!managerCol) return -1;
    const r = keys ? keys.get(prep.accounts.names[a]!) ?? -1 : prep.accounts.row[a]!;
    if (r < 0) return -1;
    const c = managerCol.codes[r]!;
    if (managerText[c] === -2) managerText[c] = managerCol.values[c] ? texts.id(managerCol.values[c]!) : -1;
    return managerText[c]!;
  };
  const acc = prep.accounts;
  const managerOf = new Int32Array(N).fill(-2); // per identity: its manager's code in `texts`, -1 for none, -2 not yet
  // Identities and entitlements by id; accounts by their column's code (an Interner's dictionary, without repeats).
  const rows = new ReviewRows(total, [false, true, accountColumn !== undefined, true]);
  for (let k = 0; k < total; k++) {
    const i = idOf(k);
    const e = entOf(k);
    const ent = model.entitlements[e]!;
    const reason = k < nEx ? EXCEPTION_REASONS[ex.reason[k]!]! : 'over_assigned';
    const mine = holdingOf[k]!;
    const facts: string[] = [];
    const terminated = mine.length > 0 && mine.every((a) => acc.terminatedWithAccess[a] === 1);
    const orphan = mine.length > 0 && mine.every((a) => acc.orphan[a] === 1);
    for (const a of mine) {
      if (acc.terminatedWithAccess[a] === 1) facts.push(`account ${acc.names[a]} status ${acc.status[a]}`);
      if (acc.orphan[a] === 1) facts.push(`no HR record for ${acc.names[a]}`);
    }
    let peerCount: Facts['peers'] = null;
    const g = peers ? peers.group[i]! : -1;
    if (g >= 0) {
      const others = groupSize[g]! - 1;
      const n = holdersIn(g, e) - (holds(i, e) ? 1 : 0);
      peerCount = { holders: n, others };
      facts.push(others > 0 ? `peers ${holdText(n, others)}` : 'no other peer in its group');
    } else if (peers) facts.push('no peer group');
    if (k < nEx) {
      let last = '';
      for (const a of mine) {
        const d = lastUse(a, e);
        if (d > last) last = d;
      }
      if (last) facts.push(`last used ${last}`);
      else if (reason === 'dormant' && usage?.asOf) facts.push(`not used in the ${dormantDays} days before ${usage.asOf}`);
    }
    const priv = isPrivileged(e);
    if (priv && reason !== 'privileged') facts.push('privileged');
    const role = roleFact(i, e);
    if (role) facts.push(role);
    const [recommendation, rule] = decide({ reason, privileged: priv, terminated, orphan, peers: peerCount, dormantDays });
    if (application[e]! < 0) application[e] = texts.id(apps.get(ent) ?? applicationOf(ent, sep));
    const app = texts.names[application[e]!]!;
    const account = accountColumn ? accountColumn.dictionary[accountColumn.codes[k]!]! : mine.map((a) => acc.names[a]!).join(';');
    // Reviewer: the first non-empty manager of the identity's accounts, else the application's owner.
    if (managerOf[i] === -2) managerOf[i] = firstManager(accountsHolding(i, null), manager);
    const boss = managerOf[i]! >= 0 ? texts.names[managerOf[i]!]! : '';
    const reviewer = boss || (options.owners?.get(app) ?? UNASSIGNED);
    rows.push([reviewer, model.identities[i]!, account, ent, app, reason, recommendation, rule, facts.join('; '), ''], [boss ? managerOf[i]! : -1, i, accountColumn ? accountColumn.codes[k]! : -1, e, e]);
  }
  return rows.table();
}

/** Row k's value of column `name` of `t` ('' when the column is absent). */
function cell(t: OutTable, name: string, k: number): string {
  const c = t.columns.find(([n]) => n === name)?.[1];
  if (!c) return '';
  return c.kind === 'name' ? c.dictionary[c.codes[k]!]! : String(c.values[k]);
}

/** Statuses of a person who has left (as diffModels reads accounts.csv). */
const INACTIVE = /^(terminated|inactive|disabled|left|leaver|deleted|suspended)$/i;

/** Attributes that say who a person is, not their job (left out of a move, as diffModels does). */
const NOT_JOB = new Set(['person', 'type', 'status', 'manager']);

/**
 * The review of a diff (`rolemill diff`): one row per remediation row but `resolved`, with the
 * rules of the module comment. `inputs` are the inputs the diff was computed from: the new
 * snapshot's identities file names reviewers (its `manager` column) and, with the previous one,
 * the movers' new jobs; the new model and exceptions say who of the new peers holds what.
 */
export function reviewFromDiff(diff: Diff, inputs: DiffInputs, options: ReviewOptions = {}): OutTable {
  const sep = options.appSeparator ?? ':';
  const rem = diff.remediation;
  // The new snapshot's exception reasons by identity and entitlement, built once when needed (not a scan per row).
  let byPair: Map<string, string> | null = null;
  const nextReason = () => {
    if (!byPair) {
      byPair = new Map();
      for (const x of inputs.nextExceptions ?? []) if (x['reason'] && !byPair.has(`${x['identity']}\u0000${x['entitlement']}`)) byPair.set(`${x['identity']}\u0000${x['entitlement']}`, x['reason']);
    }
    return byPair;
  };
  const manager = managers(inputs.nextIdentities ?? null);
  const apps = applicationColumn(options.grants);
  // The new snapshot: each identity's entitlements (by its roles and as exceptions), its accounts' status.
  const roleEnts = new Map(inputs.next.roles.map((r) => [r.id, r.entitlements]));
  const heldNow = new Map<string, Set<string>>();
  const add = (who: string, e: string) => (heldNow.get(who) ?? heldNow.set(who, new Set()).get(who)!).add(e);
  for (const a of inputs.next.assignments ?? []) for (const e of roleEnts.get(a.role) ?? []) add(a.identity, e);
  for (const r of inputs.nextExceptions ?? []) if (r['reason'] !== 'over_assigned') add(r['identity']!, r['entitlement']!);
  const accounts = new Map((inputs.nextAccounts ?? []).map((a) => [a['account']!, a]));
  // Movers' new-job peers: non-movers present now with the mover's changed attributes at the new values.
  const movers = new Set<string>();
  const changes = diff.identityChanges;
  for (let k = 0; k < changes.length; k++) if (cell(changes, 'change', k) === 'mover') movers.add(cell(changes, 'identity', k));
  const attrs = (t: IdentityTable | null | undefined): Map<string, Map<string, string>> => {
    const m = new Map<string, Map<string, string>>();
    if (!t) return m;
    t.keys.forEach((key, row) => m.set(key, new Map(t.attributes.filter((a) => !NOT_JOB.has(a.name)).map((a) => [a.name, a.values[a.codes[row]!] ?? '']))));
    return m;
  };
  const before = attrs(inputs.prevIdentities);
  const after = attrs(inputs.nextIdentities);
  const peersOf = new Map<string, string[] | null>();
  const newPeers = (who: string): string[] | null => {
    if (peersOf.has(who)) return peersOf.get(who)!;
    const x = before.get(who);
    const y = after.get(who);
    let out: string[] | null = null;
    if (x && y) {
      const changed = [...y].filter(([k, v]) => x.has(k) && x.get(k) !== v);
      if (changed.length) out = [...after].filter(([id, v]) => id !== who && !movers.has(id) && heldNow.has(id) && changed.every(([k, val]) => v.get(k) === val)).map(([id]) => id);
    }
    peersOf.set(who, out);
    return out;
  };

  const rows = new ReviewRows();
  for (let k = 0; k < rem.length; k++) {
    const reason = cell(rem, 'reason', k);
    if (reason === 'resolved') continue;
    const who = cell(rem, 'identity', k);
    const account = cell(rem, 'account', k);
    const ent = cell(rem, 'entitlement', k);
    const role = cell(rem, 'role', k);
    const names = account ? account.split(';') : [];
    const facts: string[] = [];
    for (const n of names) {
      const a = accounts.get(n);
      if (!a) continue;
      if (a['terminated_with_access'] === 'true' || INACTIVE.test(a['status'] ?? '')) facts.push(`account ${n} status ${a['status']}`);
      if (a['orphan'] === 'true') facts.push(`no HR record for ${n}`);
    }
    let recommendation: Recommendation = 'review';
    let rule = 'new-exception';
    if (reason === 'leaver_access') {
      recommendation = 'revoke';
      rule = 'leaver-access';
      facts.push(role ? `role ${role} gives it` : 'an exception');
    } else if (reason === 'mover_leftover') {
      rule = 'mover-leftover';
      if (role) facts.push(`old-job role ${role} gives it`);
      const peers = newPeers(who);
      if (peers) {
        const n = peers.filter((p) => heldNow.get(p)!.has(ent)).length;
        facts.push(peers.length ? `new-job peers ${holdText(n, peers.length)}` : 'no new-job peer');
        if (peers.length >= MIN_PEERS && n === 0) (recommendation = 'revoke'), (rule = 'mover-leftover-no-new-peer-holds-it');
      }
    } else {
      const reason = nextReason().get(`${who}\u0000${ent}`);
      if (reason) facts.push(`exception ${reason}, new since the previous snapshot`);
    }
    const application = apps.get(ent) ?? applicationOf(ent, sep);
    let reviewer = manager(who) ?? '';
    for (const n of names) if (!reviewer) reviewer = manager(n) ?? '';
    if (!reviewer) reviewer = options.owners?.get(application) ?? UNASSIGNED;
    rows.push([reviewer, who, account, ent, application, reason, recommendation, rule, facts.join('; '), '']);
  }
  return rows.table();
}

/**
 * The review table split by reviewer, reviewers in JavaScript string order, each part with the
 * rows of its reviewer in table order (every row in exactly one part) and a file name
 * (reviewerFileName; unique among the parts: a repeat, which only a hash collision could give,
 * gets `.2`, `.3`, ... in reviewer order).
 */
export function splitByReviewer(table: OutTable): { reviewer: string; file: string; table: OutTable }[] {
  const by = new Map<string, number[]>();
  for (let k = 0; k < table.length; k++) {
    const r = cell(table, 'reviewer', k);
    (by.get(r) ?? by.set(r, []).get(r)!).push(k);
  }
  const used = new Set<string>();
  return [...by.keys()].sort(compare).map((reviewer) => {
    const rows = by.get(reviewer)!;
    let file = reviewerFileName(reviewer);
    for (let n = 2; used.has(file); n++) file = `${reviewerFileName(reviewer)}.${n}`;
    used.add(file);
    const columns = table.columns.map(([name, c]): [string, Column] =>
      c.kind === 'name' ? [name, textColumn(rows.map((k) => c.dictionary[c.codes[k]!]!))] : [name, { kind: 'int', values: Float64Array.from(rows, (k) => c.values[k]!) }],
    );
    return { reviewer, file, table: { name: table.name, length: rows.length, columns } };
  });
}

/** Longest part of a file name taken from the reviewer's name. */
const NAME_PART = 48;
/** Names Windows reserves whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/**
 * A file name (without extension) for a reviewer's part of the review: safe on every common file
 * system and deterministic. A reviewer already written as a safe name (`[a-z0-9][a-z0-9_-]*`, at
 * most 48 characters, not a Windows device name) is its own file name: `u000215`, `unassigned`.
 * Any other (capitals, dots, slashes, spaces, markup, empty, too long) becomes its lower-cased
 * characters with every other one as `_` (runs collapsed, at most 48), then `.` and a 53-bit hash
 * of the exact name in base 36: `alice_smith.1x3k9f0q2ab`. No name has a path separator, a leading
 * dot or more than 60 characters; names of the two forms never meet (only the second has a dot),
 * and two reviewers get the same name only by a hash collision (about 1 in 2^53 per pair), which
 * splitByReviewer still tells apart.
 */
export function reviewerFileName(reviewer: string): string {
  if (reviewer.length <= NAME_PART && /^[a-z0-9][a-z0-9_-]*$/.test(reviewer) && !RESERVED.test(reviewer)) return reviewer;
  const slug = reviewer.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/_+/g, '_').replace(/^[_-]+/, '').slice(0, NAME_PART) || 'reviewer';
  return `${RESERVED.test(slug) ? `_${slug}` : slug}.${hash53(reviewer).toString(36)}`;
}

/** cyrb53 (bryc, public domain): a 53-bit string hash, two 32-bit lanes of Math.imul mixing. */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
