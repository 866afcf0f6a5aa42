/**
 * Output tables of a governed run:
 * - extra columns for identities.csv (one row per model identity: a person, or a non-human or
 *   orphan account): its accounts, kind, status and flags;
 * - accounts.csv: one row per account, with its identity in the model, kind and the rule that said
 *   so, status, flags and access breadth.
 */
import { sameNames, textColumn, type Column, type OutTable } from '../model/tables.js';
import type { Grants } from '../types.js';
import { KINDS } from './accounts.js';
import type { Prepared } from './prepare.js';
import { groupByKey, groupPartsSortedDistinct, groupSortedDistinct } from '../util/group.js';
import { sortedHas } from '../util/sorted.js';
import { lineageTable, type Expansion } from './groups.js';
import { iota } from '../util/typed.js';

/** Each identity's accounts, in account order (a counting sort: no array per identity). */
function accountsByIdentity(prep: Prepared): { off: Uint32Array; values: Uint32Array } {
  return groupByKey(prep.identityOf, iota(prep.identityOf.length), prep.names.length);
}

export function identityColumns(prep: Prepared): [string, Column][] {
  const n = prep.names.length;
  const acc = prep.accounts;
  // Most identities have one account, which takes the fast paths below.
  const { off, values: accountsOf } = accountsByIdentity(prep);
  const codes = iota(n);
  const first = (i: number): number | undefined => (off[i + 1]! > off[i]! ? accountsOf[off[i]!]! : undefined);
  const any = (i: number, f: (a: number) => boolean) => {
    for (let x = off[i]!; x < off[i + 1]!; x++) if (f(accountsOf[x]!)) return true;
    return false;
  };
  const valuesOf = (f: (i: number) => string): string[] => {
    const values = new Array<string>(n);
    for (let i = 0; i < n; i++) values[i] = f(i);
    return values;
  };
  /** A column of few distinct values (kinds, rules, statuses): each value once in its dictionary. */
  const few = (f: (i: number) => string): Column => textColumn(valuesOf(f));
  const flag = (f: (a: number) => boolean): Column => {
    const values = new Uint32Array(n);
    for (let i = 0; i < n; i++) values[i] = any(i, f) ? 1 : 0;
    return { kind: 'int', values };
  };
  /** The accounts' values of `of`, space-separated: distinct and non-empty ones only when `distinct`. */
  const joined = (i: number, of: (a: number) => string, distinct: boolean): string => {
    const from = off[i]!;
    const to = off[i + 1]!;
    if (to - from === 1) return of(accountsOf[from]!);
    const parts: string[] = [];
    for (let x = from; x < to; x++) {
      const v = of(accountsOf[x]!);
      if (!distinct || (v !== '' && !parts.includes(v))) parts.push(v);
    }
    return parts.join(' ');
  };
  return [
    // One account each, named as its identity (the common case): the identities' own name list.
    ['accounts', { kind: 'name', dictionary: sameNames(valuesOf((i) => joined(i, (a) => acc.names[a]!, false)), prep.names), codes }],
    ['kind', few((i) => (first(i) === undefined ? '' : KINDS[acc.kind[first(i)!]!]!))],
    ['kind_rule', few((i) => (first(i) === undefined ? '' : acc.rule[first(i)!]!))],
    ['status', few((i) => joined(i, (a) => acc.status[a]!, true))],
    ['orphan', flag((a) => acc.orphan[a] === 1)],
    ['terminated_with_access', flag((a) => acc.terminatedWithAccess[a] === 1)],
    ['non_human', flag((a) => acc.kind[a] !== 0 && acc.kind[a] !== 4)],
  ];
}

export function accountsTable(prep: Prepared): OutTable {
  const acc = prep.accounts;
  const A = acc.names.length;
  const codes = iota(A);
  return {
    name: 'accounts',
    length: A,
    columns: [
      ['account', { kind: 'name', dictionary: acc.names, codes }],
      ['identity', { kind: 'name', dictionary: prep.names, codes: Uint32Array.from(prep.identityOf) }],
      ['person', { kind: 'name', dictionary: acc.person, codes }],
      ['kind', { kind: 'name', dictionary: [...KINDS], codes: Uint32Array.from(acc.kind) }],
      ['kind_rule', textColumn(acc.rule)],
      ['status', textColumn(acc.status)],
      ['orphan', { kind: 'int', values: Uint32Array.from(acc.orphan) }],
      ['terminated_with_access', { kind: 'int', values: Uint32Array.from(acc.terminatedWithAccess) }],
      ['non_human', { kind: 'int', values: Uint32Array.from(acc.kind, (k) => (k !== 0 && k !== 4 ? 1 : 0)) }],
      ['applications', { kind: 'int', values: acc.applications }],
      ['entitlements', { kind: 'int', values: acc.entitlements }],
    ],
  };
}

/**
 * Every in-scope grant over the model's identities: the mined ones and those set aside (for the
 * peer analysis), or, with `setAside`, only the set-aside ones whose reason code it keeps.
 */
export function allGrants(prep: Prepared, setAside: (reason: number) => boolean = () => true): Grants {
  const parts = [prep.humans, prep.nonHumans].filter((g): g is Grants => g !== null);
  const s = prep.setAside;
  let kept = 0;
  for (let k = 0; k < s.reason.length; k++) if (setAside(s.reason[k]!)) kept++;
  const n = parts.reduce((t, g) => t + g.rows, 0) + kept;
  const identity = new Uint32Array(n);
  const entitlement = new Uint32Array(n);
  let w = 0;
  for (const g of parts) {
    identity.set(g.identity, w);
    entitlement.set(g.entitlement, w);
    w += g.rows;
  }
  for (let k = 0; k < s.reason.length; k++) {
    if (!setAside(s.reason[k]!)) continue;
    identity[w] = s.identity[k]!;
    entitlement[w++] = s.entitlement[k]!;
  }
  return { ...prep.humans, identity, entitlement, rows: n };
}

const byIdentity = new WeakMap<Prepared, { off: Uint32Array; values: Uint32Array }>();

/**
 * Every in-scope grant (allGrants(prep)) grouped by identity, each identity's entitlements sorted
 * and distinct: what groupSortedDistinct of allGrants gives, without copying the grants first.
 * Made once per run and shared (read-only: callers must not write to it): the assembly verifies
 * the model against it and the review reads what each identity holds from it, two passes over
 * every grant that were made twice. `releaseGrantsByIdentity` lets it go once the last reader is
 * done (about 4 bytes per grant).
 */
export function allGrantsByIdentity(prep: Prepared): { off: Uint32Array; values: Uint32Array } {
  let g = byIdentity.get(prep);
  if (!g) {
    const parts = [prep.humans, prep.nonHumans].filter((x): x is Grants => x !== null).map((x) => ({ keys: x.identity.subarray(0, x.rows), values: x.entitlement.subarray(0, x.rows) }));
    parts.push({ keys: prep.setAside.identity, values: prep.setAside.entitlement });
    byIdentity.set(prep, (g = groupPartsSortedDistinct(parts, prep.names.length)));
  }
  return g;
}

/** Lets allGrantsByIdentity's grouping of `prep` go (made again if asked for later). */
export function releaseGrantsByIdentity(prep: Prepared): void {
  byIdentity.delete(prep);
}

/** The model's identities by name, and by the name of each account (a reviewer may name either). */
export function identityIndex(prep: Prepared): Map<string, number> {
  const byName = new Map<string, number>();
  prep.names.forEach((n, i) => byName.set(n, i));
  prep.accounts.names.forEach((a, k) => byName.has(a) || byName.set(a, prep.identityOf[k]!));
  return byName;
}

/** lineage.csv: every effective grant of an account with its lineage (direct, or the chain of groups). */
export function lineageOutTable(x: Expansion): OutTable {
  const { chains, code } = lineageTable(x);
  return {
    name: 'lineage',
    length: x.grants.rows,
    columns: [
      ['account', { kind: 'name', dictionary: x.grants.identities, codes: x.grants.identity }],
      ['entitlement', { kind: 'name', dictionary: x.grants.entitlements, codes: x.grants.entitlement }],
      ['via', { kind: 'name', dictionary: chains, codes: code }],
    ],
  };
}

/**
 * The accounts (ascending ids) of identity `i` that hold entitlement `e` in scope; with `e` null,
 * all its accounts. An identity of one account holds its grants through that account, so only the
 * grants of people with several accounts are grouped (once, for them alone: nothing per grant on
 * a 10M run of single accounts).
 */
export function accountHolders(prep: Prepared): (i: number, e: number | null) => number[] {
  // Made once per run: the exceptions' account column and the review both ask (a pass over every grant each).
  let holders = holdersOf.get(prep);
  if (!holders) holdersOf.set(prep, (holders = makeAccountHolders(prep)));
  return holders;
}

const holdersOf = new WeakMap<Prepared, (i: number, e: number | null) => number[]>();

function makeAccountHolders(prep: Prepared): (i: number, e: number | null) => number[] {
  const eff = prep.effective;
  const A = prep.accounts.names.length;
  const { off: ioff, values: accountsOf } = accountsByIdentity(prep);
  const shared = new Uint8Array(A); // accounts of people with several
  for (let i = 0; i + 1 < ioff.length; i++) if (ioff[i + 1]! - ioff[i]! > 1) for (let x = ioff[i]!; x < ioff[i + 1]!; x++) shared[accountsOf[x]!] = 1;
  const keys: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < eff.rows; k++) if (shared[eff.identity[k]!]) keys.push(eff.identity[k]!), values.push(eff.entitlement[k]!);
  const byAccount = groupSortedDistinct(Uint32Array.from(keys), Uint32Array.from(values), A); // typed arrays keep the grouping monomorphic
  return (i, e) => {
    const from = ioff[i]!;
    const to = ioff[i + 1]!;
    if (to - from === 1) return [accountsOf[from]!]; // most identities: one account (no iterator: 374k calls at 10M grants)
    const all: number[] = [];
    for (let x = from; x < to; x++) {
      const a = accountsOf[x]!;
      if (e === null || sortedHas(byAccount.values, e, byAccount.off[a]!, byAccount.off[a + 1]!)) all.push(a);
    }
    return all;
  };
}

/**
 * Per (identity, entitlement) pair of the model, the accounts of the identity that hold the
 * entitlement in scope, as named in the input (';'-separated; empty when none does: an
 * over-assignment). A person merged from several accounts is a name of the model only; this says
 * which account a reviewer must look at. `held(k)` says whether pair k is a grant (an exception)
 * or not (an over-assignment): an identity of one account holds its grants through that account,
 * so only the grants of people with several accounts are looked up (grouped once, for them alone:
 * nothing per grant on a 10M run of single accounts).
 */
export function holdingAccounts(prep: Prepared, identity: ArrayLike<number>, entitlement: ArrayLike<number>, held: (k: number) => boolean): Column {
  const holders = accountHolders(prep);
  const dict: string[] = [''];
  const code = new Map<string, number>([['', 0]]);
  const codes = new Uint32Array(identity.length);
  for (let k = 0; k < identity.length; k++) {
    if (!held(k)) continue; // code 0: ''
    const v = holders(identity[k]!, entitlement[k]!).map((a) => prep.accounts.names[a]!).join(';');
    let c = code.get(v);
    if (c === undefined) code.set(v, (c = dict.push(v) - 1));
    codes[k] = c;
  }
  return { kind: 'name', dictionary: dict, codes };
}
