/**
 * Effective privilege through nested groups.
 *
 * Inputs: the grants as read (a grant's holder is an account or a group) and the memberships as
 * read (`member`, `group` columns, read with the grants reader: member names are its "identities",
 * group names its "entitlements"; an optional `member_type` column, kept by the reader). A *group*
 * is any name in the memberships' `group` column, or a member whose `member_type` is `group` (an
 * empty group appears only as a member, and could not be told from an account otherwise); every
 * other holder or member is an *account*. A grant to a group reaches every account that is a member
 * of it, directly or through other groups (transitively). Groups are never mined as identities.
 *
 * Lineage: each effective grant of an account keeps one explanation, the shortest: `direct` when
 * the account holds it itself, otherwise the chain of groups from one of the account's own groups
 * to the group holding the grant (breadth-first over memberships, groups visited in name order at
 * each depth, so the chain is deterministic; ties between equally short chains go to the name-wise
 * first). `explain` lists every way (the direct grant and the shortest chain to each group holding
 * the entitlement).
 *
 * Cycles (a group that is, through others, a member of itself) are found (Tarjan's strongly
 * connected components, iterative) and reported; expansion visits each group once per account, so
 * a cycle only means its groups reach each other's grants. Self-membership rows and groups that
 * grant nothing and sit in no other group are counted warnings with examples; nothing is dropped
 * silently.
 *
 * Cost: O(accounts x groups reached) time with one stamp array per group and entitlement;
 * memory O(effective grants). The effective grants come back as a `Grants` over accounts only, in
 * canonical order, plus a lineage code per effective grant (`via`: -1 direct, else the group
 * holding it).
 */
import { InputError } from '../errors.js';
import { canonicalOrder } from '../ingest/encoder.js';
import { sortedHas } from '../util/sorted.js';
import type { Grants } from '../types.js';

export interface GroupWarning {
  kind: 'self_membership' | 'group_grants_nothing' | 'group_without_members';
  count: number;
  examples: string[];
  message: string;
}

export interface Expansion {
  /** Effective grants of accounts (groups removed), canonical ids, each pair once, sorted by account then entitlement. */
  grants: Grants;
  /** Per effective grant: -1 when held directly, else the index in `groups` of the group whose grant reaches it. */
  via: Int32Array;
  /** Group names, ascending. */
  groups: string[];
  /** Per group: parent groups (indices into `groups`), ascending. */
  parents: Uint32Array[];
  /** Per group: entitlement ids (into `grants.entitlements`) granted to the group itself, ascending. */
  groupGrants: Uint32Array[];
  /** Per account (id into grants.identities): its own groups (indices into `groups`), ascending. */
  accountGroups: Uint32Array[];
  /** Strongly connected groups of more than one group (or a group that is its own member), names ascending; cycles in name order of their first group. */
  cycles: string[][];
  warnings: GroupWarning[];
  stats: { accounts: number; groups: number; memberships: number; directGrants: number; inheritedGrants: number; groupGrantRows: number };
}

const MAX_EXAMPLES = 5;

export function expandGroups(raw: Grants, memberships: Grants): Expansion {
  // ---- names: groups are the memberships' group column, and members whose optional `member_type`
  // says group (a group with no member of its own appears only as a member); the rest are accounts ----
  const groupNames = new Set(memberships.entitlements);
  const mt = memberships.columns['member_type'];
  if (mt) {
    const kinds = mt.values.map((v) => v.trim().toLowerCase());
    for (let k = 0; k < memberships.rows; k++) {
      const v = kinds[mt.codes[k]!]!;
      if (v === 'group') groupNames.add(memberships.identities[memberships.identity[k]!]!);
      else if (v !== '' && v !== 'account' && v !== 'user' && v !== 'identity') {
        throw new InputError(`'${mt.values[mt.codes[k]!]}' is not a member type (expected group, account, user, identity or empty)`, memberships.source, undefined, `member_type, data row ${k + 1}`);
      }
    }
  }
  const [groups] = canonicalOrder([...groupNames]);
  const groupIndex = new Map<string, number>();
  groups.forEach((g, k) => groupIndex.set(g, k));
  const accountSet = new Set<string>();
  for (const n of raw.identities) if (!groupIndex.has(n)) accountSet.add(n);
  for (const n of memberships.identities) if (!groupIndex.has(n)) accountSet.add(n);
  const [accounts] = canonicalOrder([...accountSet]);
  const accountIndex = new Map<string, number>();
  accounts.forEach((a, k) => accountIndex.set(a, k));
  const A = accounts.length;
  const G = groups.length;
  const E = raw.entitlements.length;

  // ---- memberships: account -> groups, group -> parent groups ----
  const accGroups: Set<number>[] = Array.from({ length: A }, () => new Set());
  const parentSets: Set<number>[] = Array.from({ length: G }, () => new Set());
  const childCount = new Uint32Array(G);
  const selfRows: string[] = [];
  let selfCount = 0;
  for (let k = 0; k < memberships.rows; k++) {
    const memberName = memberships.identities[memberships.identity[k]!]!;
    const g = groupIndex.get(memberships.entitlements[memberships.entitlement[k]!]!)!;
    const mg = groupIndex.get(memberName);
    if (mg !== undefined) {
      if (mg === g) {
        selfCount++;
        if (selfRows.length < MAX_EXAMPLES && !selfRows.includes(memberName)) selfRows.push(memberName);
        continue;
      }
      if (!parentSets[mg]!.has(g)) childCount[g]!++;
      parentSets[mg]!.add(g);
    } else {
      const a = accountIndex.get(memberName)!;
      if (!accGroups[a]!.has(g)) childCount[g]!++;
      accGroups[a]!.add(g);
    }
  }
  const sortU32 = (s: Set<number>) => Uint32Array.from([...s].sort((x, y) => x - y));
  const parents = parentSets.map(sortU32);
  const accountGroups = accGroups.map(sortU32);

  // ---- grants: direct ones per account, group grants per group ----
  const directRows: number[][] = Array.from({ length: A }, () => []);
  const groupEnts: Set<number>[] = Array.from({ length: G }, () => new Set());
  let groupGrantRows = 0;
  for (let k = 0; k < raw.rows; k++) {
    const holder = raw.identities[raw.identity[k]!]!;
    const e = raw.entitlement[k]!;
    const g = groupIndex.get(holder);
    if (g !== undefined) {
      groupEnts[g]!.add(e);
      groupGrantRows++;
    } else directRows[accountIndex.get(holder)!]!.push(e);
  }
  const groupGrants = groupEnts.map(sortU32);

  // ---- expansion, breadth-first per account ----
  const seenGroup = new Int32Array(G).fill(-1);
  const seenEnt = new Int32Array(E).fill(-1);
  const outId: number[] = [];
  const outEnt: number[] = [];
  const outVia: number[] = [];
  let direct = 0;
  let inherited = 0;
  const pair: { e: number; via: number }[] = [];
  for (let a = 0; a < A; a++) {
    pair.length = 0;
    for (const e of directRows[a]!) {
      if (seenEnt[e] === a) continue;
      seenEnt[e] = a;
      pair.push({ e, via: -1 });
    }
    let frontier = Array.from(accountGroups[a]!);
    for (const g of frontier) seenGroup[g] = a;
    while (frontier.length > 0) {
      frontier.sort((x, y) => x - y);
      const next: number[] = [];
      for (const g of frontier) {
        for (const e of groupGrants[g]!) {
          if (seenEnt[e] === a) continue;
          seenEnt[e] = a;
          pair.push({ e, via: g });
        }
        for (const p of parents[g]!) {
          if (seenGroup[p] === a) continue;
          seenGroup[p] = a;
          next.push(p);
        }
      }
      frontier = next;
    }
    pair.sort((x, y) => x.e - y.e);
    for (const { e, via } of pair) {
      outId.push(a);
      outEnt.push(e);
      outVia.push(via);
      if (via < 0) direct++;
      else inherited++;
    }
  }

  // ---- cycles: strongly connected components of the group graph (iterative Tarjan) ----
  const cycles = findCycles(G, parents).map((c) => c.map((g) => groups[g]!));

  // ---- warnings ----
  const warnings: GroupWarning[] = [];
  if (selfCount > 0) {
    warnings.push({
      kind: 'self_membership',
      count: selfCount,
      examples: selfRows,
      message: `${memberships.source}: ${selfCount} membership rows make a group a member of itself (e.g. ${selfRows.map((x) => `'${x}'`).join(', ')}); ignored`,
    });
  }
  const nothing: string[] = [];
  let nothingCount = 0;
  const empty: string[] = [];
  let emptyCount = 0;
  for (let g = 0; g < G; g++) {
    if (groupGrants[g]!.length === 0 && parents[g]!.length === 0) {
      nothingCount++;
      if (nothing.length < MAX_EXAMPLES) nothing.push(groups[g]!);
    }
    if (childCount[g] === 0) {
      emptyCount++;
      if (empty.length < MAX_EXAMPLES) empty.push(groups[g]!);
    }
  }
  if (nothingCount > 0) {
    warnings.push({
      kind: 'group_grants_nothing',
      count: nothingCount,
      examples: nothing,
      message: `${memberships.source}: ${nothingCount} groups hold no grant and are in no other group (e.g. ${nothing.map((x) => `'${x}'`).join(', ')}): unknown to the grants file, they give nothing`,
    });
  }
  if (emptyCount > 0) {
    warnings.push({
      kind: 'group_without_members',
      count: emptyCount,
      examples: empty,
      message: `${memberships.source}: ${emptyCount} groups have no member (e.g. ${empty.map((x) => `'${x}'`).join(', ')}); their grants reach nobody`,
    });
  }

  const grants: Grants = {
    source: raw.source,
    format: raw.format,
    identities: accounts,
    entitlements: raw.entitlements,
    identity: Uint32Array.from(outId),
    entitlement: Uint32Array.from(outEnt),
    rows: outId.length,
    otherColumns: raw.otherColumns,
    columns: {},
  };
  return {
    grants,
    via: Int32Array.from(outVia),
    groups,
    parents,
    groupGrants,
    accountGroups,
    cycles,
    warnings,
    stats: { accounts: A, groups: G, memberships: memberships.rows, directGrants: direct, inheritedGrants: inherited, groupGrantRows },
  };
}

/** Groups in cycles: SCCs of size > 1 (self-loops are rejected earlier), each sorted, ordered by their first group. */
function findCycles(G: number, parents: Uint32Array[]): number[][] {
  const index = new Int32Array(G).fill(-1);
  const low = new Int32Array(G);
  const onStack = new Uint8Array(G);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < G; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, k] = top;
      const ps = parents[v]!;
      if (k < ps.length) {
        top[1]++;
        const w = ps[k]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const u = work[work.length - 1]![0];
        low[u] = Math.min(low[u]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1) out.push(comp.sort((x, y) => x - y));
      }
    }
  }
  return out.sort((p, q) => p[0]! - q[0]!);
}

/** The chain of groups, as names joined by ' > ', from an account's own group to group `target`, shortest and name-wise first; null if unreachable. */
export function chainTo(x: Expansion, account: number, target: number): string[] | null {
  const G = x.groups.length;
  const prev = new Int32Array(G).fill(-2); // -1: one of the account's own groups
  let frontier = Array.from(x.accountGroups[account]!);
  for (const g of frontier) prev[g] = -1;
  while (frontier.length > 0) {
    frontier.sort((p, q) => p - q);
    for (const g of frontier) {
      if (g === target) {
        const chain: string[] = [];
        for (let c = g; c !== -1; c = prev[c]!) chain.push(x.groups[c]!);
        return chain.reverse();
      }
    }
    const next: number[] = [];
    for (const g of frontier) {
      for (const p of x.parents[g]!) {
        if (prev[p] !== -2) continue;
        prev[p] = g;
        next.push(p);
      }
    }
    frontier = next;
  }
  return null;
}

/** The lineage of effective grant k as written in outputs: `direct` or `g1 > g2 > ...`. */
export function lineageOf(x: Expansion, k: number): string {
  const via = x.via[k]!;
  if (via < 0) return 'direct';
  return chainTo(x, x.grants.identity[k]!, via)!.join(' > ');
}

/**
 * Every reason `account` holds `entitlement`: 'direct' if it holds it itself, and the shortest chain
 * to each group granting it that the account reaches. Empty when it does not hold it.
 */
export function explain(x: Expansion, raw: Grants, account: string, entitlement: string): string[] {
  const a = x.grants.identities.indexOf(account);
  const e = raw.entitlements.indexOf(entitlement);
  if (a < 0 || e < 0) return [];
  const out: string[] = [];
  for (let k = 0; k < raw.rows; k++) {
    if (raw.entitlement[k] === e && raw.identities[raw.identity[k]!] === account) {
      out.push('direct');
      break;
    }
  }
  for (let g = 0; g < x.groups.length; g++) {
    if (!sortedHas(x.groupGrants[g]!, e)) continue;
    const chain = chainTo(x, a, g);
    if (chain) out.push(chain.join(' > '));
  }
  return out;
}


/**
 * The lineage of every effective grant, dictionary-encoded for output: `chains[code[k]]` is
 * `direct` or `g1 > g2 > ...` for effective grant k (as `lineageOf`, computed once per account:
 * one breadth-first pass over its groups, chains interned, so millions of grants cost little).
 */
export function lineageTable(x: Expansion): { chains: string[]; code: Uint32Array } {
  const G = x.groups.length;
  const prev = new Int32Array(G);
  const seen = new Int32Array(G).fill(-1);
  const chains: string[] = ['direct'];
  const index = new Map<string, number>([['direct', 0]]);
  const code = new Uint32Array(x.grants.rows);
  const ids = x.grants.identity;
  let k = 0;
  while (k < ids.length) {
    const a = ids[k]!;
    let end = k;
    while (end < ids.length && ids[end] === a) end++;
    // Breadth-first from the account's own groups, name order at each depth (as chainTo).
    let frontier = Array.from(x.accountGroups[a]!);
    for (const g of frontier) {
      seen[g] = a;
      prev[g] = -1;
    }
    while (frontier.length > 0) {
      frontier.sort((p, q) => p - q);
      const next: number[] = [];
      for (const g of frontier) {
        for (const p of x.parents[g]!) {
          if (seen[p] === a) continue;
          seen[p] = a;
          prev[p] = g;
          next.push(p);
        }
      }
      frontier = next;
    }
    for (let j = k; j < end; j++) {
      const via = x.via[j]!;
      if (via < 0) continue;
      const chain: string[] = [];
      for (let c = via; c !== -1; c = prev[c]!) chain.push(x.groups[c]!);
      const text = chain.reverse().join(' > ');
      let id = index.get(text);
      if (id === undefined) {
        id = chains.length;
        chains.push(text);
        index.set(text, id);
      }
      code[j] = id;
    }
    k = end;
  }
  return { chains, code };
}
