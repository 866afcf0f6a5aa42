/**
 * One record per person, and which accounts are people at all.
 *
 * Every account gets a kind (human, service, workload, shared or unknown) and the rule that decided
 * it, the first that applies in this order (transparent and configurable: `KindRules`):
 *
 * 1. `type column`: the identities file's `type` value, when not empty. It must be one of the kinds
 *    (case and surrounding spaces ignored); anything else is an InputError naming file, line and
 *    column.
 * 2. `name matches <label>`: the account name matches a naming pattern (svc-, sa-, bot, wl-, k8s-,
 *    shared-, admin-, ...; see DEFAULT_KIND_RULES).
 * 3. `HR record`: the identities file has a row for it that says something about a person (a
 *    person value, or any attribute other than type and status): human.
 * 4. Without an HR record (only when an identities file was given; an empty row is none):
 *    - `no HR record, no birthright access`: it holds fewer than half of the entitlements that at
 *      least 90% of the people with an HR row hold (mail, single sign-on, ...; a person's accounts
 *      counted together): service;
 *    - `no HR record, broader than 99% of humans`: it spans more applications than 99% of the
 *      accounts with an HR row: service;
 *    - `no HR record`: unknown, and flagged an orphan (access without an owner on record).
 * 5. `no identities file`: human (nothing says otherwise).
 *
 * People: a human account with a non-empty `person` value belongs to that person; its accounts are
 * mined as one identity named by the person value. Other accounts are their own person (a blank
 * person value is a counted warning). A person value that is also the name of another person's
 * account is a counted warning (`person_conflict`): one name would stand for two people.
 *
 * Status: a `status` value among `terminatedStatuses` (default terminated, inactive, disabled,
 * deleted, left, leaver, suspended; case ignored) on an account that still holds grants flags it
 * `terminated_with_access`. Applications are given by `appOf` (the grants' application column), or
 * are the part of an entitlement name before the first `appSeparator` (default ':'), or the whole name.
 *
 * Keys: the identities file joins to accounts by exact key. A file whose keys match almost none of
 * the accounts (checkIdentityKeys: under 5% on both sides, at least 10 names on each) is an
 * InputError, since it is keyed by another column rather than missing people.
 */
import { InputError } from '../errors.js';
import { keyIndex, type IdentityTable } from '../ingest/identities.js';
import type { Grants } from '../types.js';
import { groupByKey } from '../util/group.js';
import { sameNames } from '../model/tables.js';

export const KINDS = ['human', 'service', 'workload', 'shared', 'unknown'] as const;
export type IdentityKind = (typeof KINDS)[number];
export const HUMAN = 0;
export const UNKNOWN = 4;

export interface KindRules {
  /** Naming rules, tried in order; the first match decides. */
  patterns: { kind: Exclude<IdentityKind, 'human' | 'unknown'>; pattern: RegExp; label: string }[];
  /** Status values (lower case) meaning the person has left or is disabled. */
  terminatedStatuses: string[];
  /** Separator ending an entitlement's application prefix. */
  appSeparator: string;
}

export const DEFAULT_KIND_RULES: KindRules = {
  patterns: [
    { kind: 'service', pattern: /^(svc|sa|srv|service|bot|robot|api)[-_.]|[-_.](svc|bot)$/i, label: 'svc-, sa-, srv-, service-, bot-, robot-, api- or -svc, -bot' },
    { kind: 'workload', pattern: /^(wl|k8s|pod|workload|spn|app|job|lambda)[-_.]/i, label: 'wl-, k8s-, pod-, workload-, spn-, app-, job- or lambda-' },
    { kind: 'shared', pattern: /^(shared|admin|root|generic|team|ops)[-_.]|[-_.]shared$|^(admin|root|administrator)$/i, label: 'shared-, admin-, root-, generic-, team-, ops- or -shared' },
  ],
  terminatedStatuses: ['terminated', 'inactive', 'disabled', 'deleted', 'left', 'leaver', 'suspended'],
  appSeparator: ':',
};

export interface AccountWarning {
  kind: 'person_blank' | 'person_conflict';
  count: number;
  examples: string[];
  message: string;
}

export interface Accounts {
  /** Account names (the effective grants' identities), ascending. */
  names: string[];
  /** Per account: index into KINDS. */
  kind: Uint8Array;
  /** Per account: the rule that decided its kind (see above). */
  rule: string[];
  /** Per account: its person (the account itself when none). */
  person: string[];
  /** Per account: status value as written ('' without one). */
  status: string[];
  /** Per account: 1 when it has grants and no HR row, and is not a non-human account. */
  orphan: Uint8Array;
  /** Per account: 1 when its status says terminated or inactive and it holds grants. */
  terminatedWithAccess: Uint8Array;
  /** Per account: distinct applications and entitlements it holds (access breadth). */
  applications: Uint32Array;
  entitlements: Uint32Array;
  /** Per account: its row in the identities file, -1 without one. */
  row: Int32Array;
  /** The identities file `row` indexes (null without one). */
  table: IdentityTable | null;
  warnings: AccountWarning[];
}

const MAX_EXAMPLES = 5;

/**
 * The identities file must be keyed like the grants: fails with an InputError naming the file when
 * its keys match (almost) none of the accounts, which is a wrong key column (HR keyed by email or
 * employee id while the grants use logins) or a different namespace, never a real HR gap: every
 * account would turn orphan or non-human and be set aside without a word.
 *
 * Rule (`accounts`: the account names of the effective grants, groups expanded; `m`: how many of
 * them are a key of the file, that is, rows used): it fails when both sides have at least
 * KEY_CHECK_MIN_SIDE (10) names and fewer than 5% of the accounts match and fewer than 5% of the
 * file's rows are used (m * 20 < accounts and m * 20 < rows). Either share at 5% or more keeps it
 * quiet, so a partial HR file (a few percent up to most accounts missing: contractors, service
 * accounts, one department's export) or a company-wide HR file beside one application's grants
 * never fires; orphans stay a counted finding. Below the minimum size (fixtures, tiny exports) it
 * never fires: there a zero match is not evidence enough. Accounts that match a key only when case
 * and surrounding spaces are ignored are not matches (the join is exact) but are named in the
 * message, since the cure is then to fix how names are written, not the key column.
 */
export function checkIdentityKeys(table: IdentityTable, accounts: string[], grantsSource: string): void {
  const A = accounts.length;
  const K = table.keys.length;
  if (A < KEY_CHECK_MIN_SIDE || K < KEY_CHECK_MIN_SIDE) return;
  const keys = keyIndex(table);
  let m = 0;
  for (const a of accounts) if (keys.has(a)) m++;
  if (m * 20 >= A || m * 20 >= K) return;
  const used = new Set<string>();
  const unmatched: string[] = [];
  for (const a of accounts) {
    if (keys.has(a)) used.add(a);
    else unmatched.push(a);
  }
  const loose = new Set<string>();
  for (const k of table.keys) if (!used.has(k)) loose.add(k.trim().toLowerCase());
  let near = 0;
  for (const a of unmatched) if (loose.has(a.trim().toLowerCase())) near++;
  const fileEx = table.keys.filter((k) => !used.has(k)).slice(0, KEY_CHECK_EXAMPLES);
  const grantEx = unmatched.slice(0, KEY_CHECK_EXAMPLES);
  const q = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');
  throw new InputError(
    `its keys (column ${table.keyColumn}) match ${thousands(m)} of ${thousands(A)} identities in ${grantsSource} ` +
      `(e.g. ${table.source} has ${q(fileEx)}; ${grantsSource} has ${q(grantEx)})` +
      (near > 0 ? `; ${thousands(near)} of them match a key only when case and surrounding spaces are ignored: check how names are written` : '; is --identity-key the right column?'),
    table.source,
  );
}

/** Neither side smaller than this for checkIdentityKeys to fail. */
const KEY_CHECK_MIN_SIDE = 10;
/** Names quoted from each side in its message. */
const KEY_CHECK_EXAMPLES = 3;

/** 3000 -> '3,000' (locale-free, so messages are the same everywhere). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An entitlement's application: its part before the first `separator`, or the whole name when there is none (or it starts with one). */
export function applicationOf(entitlement: string, separator: string): string {
  const cut = entitlement.indexOf(separator);
  return cut > 0 ? entitlement.slice(0, cut) : entitlement;
}

/**
 * Classifies the accounts of `grants` (effective grants, one identity per account). `table` is the
 * identities file, or null.
 */
export function classifyAccounts(grants: Grants, table: IdentityTable | null, rules: KindRules = DEFAULT_KIND_RULES, appOf?: string[]): Accounts {
  const names = grants.identities;
  const A = names.length;
  const E = grants.entitlements.length;
  const row = new Int32Array(A).fill(-1);
  if (table) {
    const index = keyIndex(table);
    for (let a = 0; a < A; a++) row[a] = index.get(names[a]!) ?? -1;
  }
  const col = (name: string) => table?.attributes.find((c) => c.name === name) ?? null;
  const typeCol = col('type');
  const personCol = col('person');
  const statusCol = col('status');
  const value = (c: ReturnType<typeof col>, r: number): string => (c && r >= 0 ? c.values[c.codes[r]!]! : '');
  // A row is an HR record when it says something about a person: a person value, or any attribute
  // other than type and status (a row with nothing but a name is no evidence of a person).
  const hrCols = table ? table.attributes.filter((c) => c.name !== 'type' && c.name !== 'status') : [];
  const hasHrData = (r: number): boolean => hrCols.some((c) => c.values[c.codes[r]!] !== '');

  // Access breadth per account.
  const app = new Uint32Array(E);
  const appIndex = new Map<string, number>();
  grants.entitlements.forEach((e, k) => {
    const name = appOf?.[k] ?? applicationOf(e, rules.appSeparator);
    let id = appIndex.get(name);
    if (id === undefined) appIndex.set(name, (id = appIndex.size));
    app[k] = id;
  });
  const entCount = new Uint32Array(A);
  const appCount = new Uint32Array(A);
  // Each account's entitlements (a counting sort by account, in typed arrays).
  const { off, values: held } = groupByKey(grants.identity.subarray(0, grants.rows), grants.entitlement, A);
  const stampApp = new Int32Array(appIndex.size).fill(-1);
  const stampEnt = new Int32Array(E).fill(-1);
  for (let a = 0; a < A; a++) {
    for (let q = off[a]!; q < off[a + 1]!; q++) {
      const e = held[q]!;
      if (stampEnt[e] !== a) {
        stampEnt[e] = a;
        entCount[a]!++;
      }
      if (stampApp[app[e]!] !== a) {
        stampApp[app[e]!] = a;
        appCount[a]!++;
      }
    }
  }

  // What people with an HR row look like: entitlements nearly all of them hold (over each person's
  // accounts together, since a person's admin account holds no mail), and breadth.
  // (Accounts that a type value or a name already marks as non-human are not people.)
  const withRow: number[] = [];
  for (let a = 0; a < A; a++) {
    if (row[a]! < 0 || !hasHrData(row[a]!)) continue;
    const t = value(typeCol, row[a]!).trim().toLowerCase();
    if (t !== '' && t !== 'human') continue;
    if (t === '' && rules.patterns.some((p) => p.pattern.test(names[a]!))) continue;
    withRow.push(a);
  }
  // Each person's accounts: a person column joins several; without one, every account (a distinct
  // name) is its own person, and no map of 450,000 one-account lists is built.
  let people: number[][] | null = null;
  if (personCol) {
    const byPerson = new Map<string, number[]>();
    for (const a of withRow) {
      const p = value(personCol, row[a]!) || names[a]!;
      let l = byPerson.get(p);
      if (!l) byPerson.set(p, (l = []));
      l.push(a);
    }
    people = [...byPerson.values()];
  }
  const personCount = people ? people.length : withRow.length;
  const holders = new Uint32Array(E);
  let stamp = -2;
  const countHeld = (a: number) => {
    for (let q = off[a]!; q < off[a + 1]!; q++) {
      const e = held[q]!;
      if (stampEnt[e] === stamp) continue;
      stampEnt[e] = stamp;
      holders[e]!++;
    }
  };
  if (people) {
    for (const accs of people) {
      stamp--;
      for (const a of accs) countHeld(a);
    }
  } else {
    for (const a of withRow) {
      stamp--;
      countHeld(a);
    }
  }
  const birthright: number[] = [];
  for (let e = 0; e < E; e++) if (personCount > 0 && holders[e]! >= Math.ceil(0.9 * personCount)) birthright.push(e);
  const isBirthright = new Uint8Array(E);
  for (const e of birthright) isBirthright[e] = 1;
  const appsSorted = withRow.map((a) => appCount[a]!).sort((x, y) => x - y);
  const p99 = appsSorted.length ? appsSorted[Math.min(appsSorted.length - 1, Math.floor(0.99 * appsSorted.length))]! : Infinity;

  const kind = new Uint8Array(A);
  const rule: string[] = new Array(A);
  const orphan = new Uint8Array(A);
  for (let a = 0; a < A; a++) {
    const r = row[a]!;
    const t = value(typeCol, r).trim().toLowerCase();
    if (t !== '') {
      const k = KINDS.indexOf(t as IdentityKind);
      if (k < 0) throw new InputError(`'${value(typeCol, r)}' is not a kind of identity (expected one of ${KINDS.join(', ')}, or empty)`, table!.source, table!.lines[r], 'type');
      kind[a] = k;
      rule[a] = 'type column';
      continue;
    }
    const named = rules.patterns.find((p) => p.pattern.test(names[a]!));
    if (named) {
      kind[a] = KINDS.indexOf(named.kind);
      rule[a] = `name matches ${named.label}`;
      continue;
    }
    if (!table) {
      kind[a] = HUMAN;
      rule[a] = 'no identities file';
      continue;
    }
    if (r >= 0 && hasHrData(r)) {
      kind[a] = HUMAN;
      rule[a] = 'HR record';
      continue;
    }
    let birth = 0;
    for (let q = off[a]!; q < off[a + 1]!; q++) birth += isBirthright[held[q]!]!;
    if (birthright.length > 0 && birth * 2 < birthright.length) {
      kind[a] = KINDS.indexOf('service');
      rule[a] = 'no HR record, no birthright access';
    } else if (appCount[a]! > p99) {
      kind[a] = KINDS.indexOf('service');
      rule[a] = 'no HR record, broader than 99% of humans';
    } else {
      kind[a] = UNKNOWN;
      rule[a] = 'no HR record';
      orphan[a] = entCount[a]! > 0 ? 1 : 0;
    }
  }

  // People and status.
  const person: string[] = new Array(A);
  const status: string[] = new Array(A);
  const terminatedWithAccess = new Uint8Array(A);
  const blank: string[] = [];
  let blankCount = 0;
  const terminated = new Set(rules.terminatedStatuses.map((s) => s.toLowerCase()));
  for (let a = 0; a < A; a++) {
    const r = row[a]!;
    const p = kind[a] === HUMAN ? value(personCol, r) : '';
    if (personCol && r >= 0 && kind[a] === HUMAN && p === '') {
      blankCount++;
      if (blank.length < MAX_EXAMPLES) blank.push(names[a]!);
    }
    person[a] = p === '' ? names[a]! : p;
    status[a] = value(statusCol, r);
    if (entCount[a]! > 0 && terminated.has(status[a]!.trim().toLowerCase())) terminatedWithAccess[a] = 1;
  }
  const warnings: AccountWarning[] = [];
  const src = table?.source ?? '';
  if (blankCount > 0) {
    warnings.push({
      kind: 'person_blank',
      count: blankCount,
      examples: blank,
      message: `${src} (column person): ${blankCount} human accounts have no person (e.g. ${blank.map((x) => `'${x}'`).join(', ')}); each stands alone`,
    });
  }
  if (personCol) {
    const accountPerson = new Map<string, string>();
    for (let a = 0; a < A; a++) accountPerson.set(names[a]!, person[a]!);
    const conflicts: string[] = [];
    let conflictCount = 0;
    for (let a = 0; a < A; a++) {
      const p = person[a]!;
      if (p === names[a]) continue;
      const other = accountPerson.get(p);
      if (other !== undefined && other !== p) {
        conflictCount++;
        if (conflicts.length < MAX_EXAMPLES) conflicts.push(`${names[a]} -> ${p}`);
      }
    }
    if (conflictCount > 0) {
      warnings.push({
        kind: 'person_conflict',
        count: conflictCount,
        examples: conflicts,
        message: `${src} (column person): ${conflictCount} accounts name a person that is also another person's account (e.g. ${conflicts.join(', ')}); one name stands for two people`,
      });
    }
  }
  return { names, kind, rule, person: sameNames(person, names), status, orphan, terminatedWithAccess, applications: appCount, entitlements: entCount, row, table, warnings };
}
