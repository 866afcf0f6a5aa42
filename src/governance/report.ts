/**
 * Output tables of a governed run:
 * - extra columns for identities.csv (one row per model identity: a person, or a non-human or
 *   orphan account): its accounts, kind, status and flags;
 * - accounts.csv: one row per account, with its identity in the model, kind and the rule that said
 *   so, status, flags and access breadth.
 */
import type { Column, OutTable } from '../model/tables.js';
import type { Grants } from '../types.js';
import { KINDS } from './accounts.js';
import type { Prepared } from './prepare.js';
import { lineageTable, type Expansion } from './groups.js';

export function identityColumns(prep: Prepared): [string, Column][] {
  const n = prep.names.length;
  const acc = prep.accounts;
  const accountsOf: number[][] = Array.from({ length: n }, () => []);
  for (let a = 0; a < acc.names.length; a++) accountsOf[prep.identityOf[a]!]!.push(a);
  const codes = Uint32Array.from({ length: n }, (_, i) => i);
  const first = (i: number) => accountsOf[i]![0];
  const any = (i: number, f: (a: number) => boolean) => accountsOf[i]!.some(f);
  const text = (f: (i: number) => string): Column => ({ kind: 'name', dictionary: Array.from({ length: n }, (_, i) => f(i)), codes });
  const flag = (f: (a: number) => boolean): Column => ({ kind: 'int', values: Uint32Array.from({ length: n }, (_, i) => (any(i, f) ? 1 : 0)) });
  return [
    ['accounts', text((i) => accountsOf[i]!.map((a) => acc.names[a]!).join(' '))],
    ['kind', text((i) => (first(i) === undefined ? '' : KINDS[acc.kind[first(i)!]!]!))],
    ['kind_rule', text((i) => (first(i) === undefined ? '' : acc.rule[first(i)!]!))],
    ['status', text((i) => [...new Set(accountsOf[i]!.map((a) => acc.status[a]!).filter((s) => s !== ''))].join(' '))],
    ['orphan', flag((a) => acc.orphan[a] === 1)],
    ['terminated_with_access', flag((a) => acc.terminatedWithAccess[a] === 1)],
    ['non_human', flag((a) => acc.kind[a] !== 0 && acc.kind[a] !== 4)],
  ];
}

export function accountsTable(prep: Prepared): OutTable {
  const acc = prep.accounts;
  const A = acc.names.length;
  const codes = Uint32Array.from({ length: A }, (_, a) => a);
  return {
    name: 'accounts',
    length: A,
    columns: [
      ['account', { kind: 'name', dictionary: acc.names, codes }],
      ['identity', { kind: 'name', dictionary: prep.names, codes: Uint32Array.from(prep.identityOf) }],
      ['person', { kind: 'name', dictionary: acc.person, codes }],
      ['kind', { kind: 'name', dictionary: [...KINDS], codes: Uint32Array.from(acc.kind) }],
      ['kind_rule', { kind: 'name', dictionary: acc.rule, codes }],
      ['status', { kind: 'name', dictionary: acc.status, codes }],
      ['orphan', { kind: 'int', values: Uint32Array.from(acc.orphan) }],
      ['terminated_with_access', { kind: 'int', values: Uint32Array.from(acc.terminatedWithAccess) }],
      ['non_human', { kind: 'int', values: Uint32Array.from(acc.kind, (k) => (k !== 0 && k !== 4 ? 1 : 0)) }],
      ['applications', { kind: 'int', values: acc.applications }],
      ['entitlements', { kind: 'int', values: acc.entitlements }],
    ],
  };
}

/** Every in-scope grant over the model's identities (mined and set aside), for the peer analysis. */
export function allGrants(prep: Prepared): Grants {
  const parts = [prep.humans, prep.nonHumans].filter((g): g is Grants => g !== null);
  const n = parts.reduce((s, g) => s + g.rows, 0) + prep.setAside.identity.length;
  const identity = new Uint32Array(n);
  const entitlement = new Uint32Array(n);
  let w = 0;
  for (const g of parts) {
    identity.set(g.identity, w);
    entitlement.set(g.entitlement, w);
    w += g.rows;
  }
  identity.set(prep.setAside.identity, w);
  entitlement.set(prep.setAside.entitlement, w);
  return { ...prep.humans, identity, entitlement, rows: n };
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
