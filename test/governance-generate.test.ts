import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { effectiveAccess } from './support/reference.js';
import { generateEnterprise, type Enterprise } from '../src/generate.js';
import { addGovernance, formatDay, parseDay, writeGovernance, type GovernanceEnterprise } from '../src/generate/governance.js';
import { UsageError } from '../src/errors.js';

// Independent restatements of the documented contracts (not imported from the module under test).
const PRIVILEGED = /(?:^|[:._-])(?:admins?|administrators?|sysadmins?|root|owners?|superusers?|sudo(?:ers)?)(?:$|[:._-])/i;
const CONVENTIONAL = /^(?:svc|sa|bot|wl|k8s|shared|admin)-/;
const NONHUMAN_KINDS = ['service', 'workload', 'shared'];

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'rolemill-gov-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Minimal RFC 4180 reader: header + rows of fields. */
function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (quoted) {
      if (c === '"') {
        if (text[k + 1] === '"') (field += '"'), k++;
        else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (field = ''), (row = []);
    else field += c;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return { header: rows[0]!, rows: rows.slice(1) };
}

/** Independent view of a GovernanceEnterprise: names, grants and memberships as maps. */
function view(g: GovernanceEnterprise) {
  const held = new Map<string, Set<string>>(); // holder -> entitlements
  for (let r = 0; r < g.grants.holder.length; r++) {
    const h = g.holders[g.grants.holder[r]!]!;
    let s = held.get(h);
    if (!s) held.set(h, (s = new Set()));
    s.add(g.entitlements[g.grants.entitlement[r]!]!);
  }
  const memberOf = new Map<string, string[]>(); // member -> groups
  for (let k = 0; k < g.memberships.member.length; k++) {
    const m = g.holders[g.memberships.member[k]!]!;
    const list = memberOf.get(m) ?? [];
    list.push(g.groups[g.memberships.group[k]!]!);
    memberOf.set(m, list);
  }
  const effective = (account: string): Set<string> => effectiveAccess(account, held, memberOf);
  const rowOf = new Map<string, number>();
  g.identities.identity.forEach((id, k) => rowOf.set(id, k));
  const truthEffective = new Map<string, Map<string, string>>(); // account -> entitlement -> via
  const te = g.truth.effective;
  for (let k = 0; k < te.account.length; k++) {
    const a = g.accounts[te.account[k]!]!;
    let m = truthEffective.get(a);
    if (!m) truthEffective.set(a, (m = new Map()));
    if (m.has(g.entitlements[te.entitlement[k]!]!)) throw new Error(`truth.effective repeats ${a}`);
    m.set(g.entitlements[te.entitlement[k]!]!, g.truth.lineages[te.via[k]!]!);
  }
  return { held, memberOf, effective, rowOf, truthEffective };
}

function enterpriseGrants(e: Enterprise): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const x of e.identities) m.set(x.id, new Set());
  for (let k = 0; k < e.grants.identity.length; k++) m.get(e.identities[e.grants.identity[k]!]!.id)!.add(e.entitlementNames[e.grants.entitlement[k]!]!);
  return m;
}

/** Deep equality that compares typed arrays as bytes (fast). */
function same(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, k) => same(x, b[k]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

const sameSet = (a: Set<string>, b: Set<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x));

/** Person-level exactness: effective access of a person's accounts = Enterprise grants (+ extras). */
function checkExact(e: Enterprise, g: GovernanceEnterprise): void {
  const v = view(g);
  const eg = enterpriseGrants(e);
  const extra = new Map<string, Set<string>>();
  for (let k = 0; k < g.truth.extra.account.length; k++) {
    const a = g.accounts[g.truth.extra.account[k]!]!;
    const s = extra.get(a) ?? new Set<string>();
    s.add(g.entitlements[g.truth.extra.entitlement[k]!]!);
    extra.set(a, s);
  }
  const primaryOf = new Map<string, string>(); // person -> primary account
  for (const a of g.truth.accounts) if (a.variant === 'primary') primaryOf.set(a.person, a.account);
  const accountsOf = new Map<string, string[]>();
  let mismatches = 0;
  for (const a of g.truth.accounts) {
    const eff = v.effective(a.account);
    // truth.effective is exactly the independently expanded access
    if (!sameSet(eff, new Set(v.truthEffective.get(a.account)?.keys() ?? []))) mismatches++;
    if (a.kind !== 'human') {
      expect(v.memberOf.get(a.account)).toBeUndefined();
      continue;
    }
    const list = accountsOf.get(a.person) ?? [];
    list.push(a.account);
    accountsOf.set(a.person, list);
    if (a.variant === 'adm') expect(sameSet(eff, extra.get(a.account) ?? new Set())).toBe(true);
  }
  expect(mismatches).toBe(0);
  expect(primaryOf.size).toBe(e.identities.length);
  for (const [person, accs] of accountsOf) {
    const id = primaryOf.get(person)!;
    const union = new Set<string>();
    const nonAdm = new Set<string>();
    const plusExtra = new Set(eg.get(id)!);
    for (const acc of accs) {
      for (const x of v.effective(acc)) {
        union.add(x);
        if (!acc.endsWith('-adm')) nonAdm.add(x);
      }
      for (const x of extra.get(acc) ?? []) plusExtra.add(x);
    }
    if (!sameSet(nonAdm, eg.get(id)!) || !sameSet(union, plusExtra)) mismatches++;
  }
  expect(mismatches).toBe(0);
}

const N = 1500;
const e = generateEnterprise({ identities: N, seed: 7 });
const g = addGovernance(e, { seed: 11 });
const v = view(g);
const accountTruth = new Map(g.truth.accounts.map((a) => [a.account, a]));

describe('addGovernance', () => {
  it('keeps every person\'s effective access equal to the Enterprise grants (plus -adm extras), and truth.effective matches a BFS', () => {
    checkExact(e, g);
    for (const groupShare of [0, 1]) checkExact(e, addGovernance(e, { seed: 3, groupShare }));
  });

  it('delivers planted roles through a three-level group chain; missing grants stay out of groups', () => {
    const groupOfRole = new Map(g.truth.groups.filter((x) => x.role).map((x) => [x.role, x.group]));
    expect(groupOfRole.size).toBe(e.roles.length);
    for (const r of e.roles) expect([...(v.held.get(groupOfRole.get(r.id)!) ?? [])].sort()).toEqual(r.entitlements);
    const parents = new Map(g.truth.groups.map((x) => [x.group, x.parents]));
    expect(parents.get('grp-all-staff')).toEqual([]);
    for (const r of e.roles) {
      const p = parents.get(groupOfRole.get(r.id)!)!;
      if (r.kind === 'title') expect(p).toEqual([groupOfRole.get(`dept:${r.id.split(':')[1]}`)]);
      else if (r.kind === 'department') expect(p).toEqual(['grp-all-staff']);
      else expect(p).toEqual([]);
    }
    // truth.groups parents = nesting rows of memberships
    for (const x of g.truth.groups) expect(v.memberOf.get(x.group) ?? []).toEqual(x.parents);
    // A good share of identities get their chain through a group, most through a title group.
    const titleGroups = new Set(e.roles.filter((r) => r.kind === 'title').map((r) => groupOfRole.get(r.id)!));
    const chainGroups = new Set(e.roles.filter((r) => ['title', 'department', 'birthright'].includes(r.kind)).map((r) => groupOfRole.get(r.id)!));
    let inChain = 0;
    let inTitle = 0;
    for (const x of e.identities) {
      const gs = v.memberOf.get(x.id) ?? [];
      if (gs.some((y) => chainGroups.has(y))) inChain++;
      if (gs.some((y) => titleGroups.has(y))) inTitle++;
    }
    expect(inChain / N).toBeGreaterThan(0.4);
    expect(inChain / N).toBeLessThan(0.7);
    expect(inTitle / inChain).toBeGreaterThan(0.6);
    // A planted missing grant is never reachable through a group for that identity.
    for (let k = 0; k < e.missing.identity.length; k++) {
      const id = e.identities[e.missing.identity[k]!]!.id;
      expect(v.effective(id).has(e.entitlementNames[e.missing.entitlement[k]!]!)).toBe(false);
    }
    // Group delivery removes direct rows: direct rows are well below the Enterprise's grants.
    const directRows = g.grants.holder.filter((h) => h < g.accounts.length).length;
    expect(directRows).toBeLessThan(0.8 * e.grants.identity.length);
  });

  it('plants a real membership cycle whose entitlements reach members of either group', () => {
    expect(g.truth.cycles.length).toBe(1);
    for (const cycle of g.truth.cycles) {
      expect(cycle.length).toBeGreaterThanOrEqual(2);
      cycle.forEach((grp, k) => expect(v.memberOf.get(grp)).toContain(cycle[(k + 1) % cycle.length]));
      const ents = new Set(cycle.flatMap((grp) => [...(v.held.get(grp) ?? [])]));
      expect(ents.size).toBe(cycle.length);
      const members = g.accounts.filter((a) => (v.memberOf.get(a) ?? []).some((x) => cycle.includes(x)));
      expect(members.length).toBeGreaterThanOrEqual(2);
      for (const a of members) for (const x of ents) expect(v.effective(a).has(x)).toBe(true);
    }
  });

  it('gives every effective grant a lineage that is a real membership path to a holder', () => {
    let groupLineages = 0;
    const bad: string[] = [];
    const isMember = (m: string, grp: string | undefined): boolean => grp !== undefined && (v.memberOf.get(m) ?? []).includes(grp);
    for (const [a, m] of v.truthEffective) {
      for (const [x, via] of m) {
        if (via === 'direct') {
          if (!v.held.get(a)?.has(x)) bad.push(`${a} ${x} direct`);
          continue;
        }
        groupLineages++;
        const chain = via.split('>');
        let ok = isMember(a, chain[0]) && v.held.get(chain[chain.length - 1]!)?.has(x) === true;
        for (let k = 0; k + 1 < chain.length; k++) ok &&= isMember(chain[k]!, chain[k + 1]);
        if (!ok) bad.push(`${a} ${x} ${via}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(groupLineages).toBeGreaterThan(0);
    expect(g.truth.lineages.some((l) => l.split('>').length === 3)).toBe(true);
  });

  it('plants non-human accounts: labelled by type, unlisted, or listed untyped; broad; some unconventionally named', () => {
    const nh = g.truth.accounts.filter((a) => a.kind !== 'human');
    const count = (k: string) => nh.filter((a) => a.kind === k).length;
    expect([count('service'), count('workload'), count('shared')]).toEqual([Math.max(4, Math.round(N / 100)), Math.max(2, Math.round(N / 300)), Math.max(2, Math.round(N / 500))]);
    expect(nh.filter((a) => a.labelled).length).toBe(Math.round(0.5 * nh.length));
    const birthright = new Set(e.roles.find((r) => r.kind === 'birthright')!.entitlements);
    let unlisted = 0;
    let untyped = 0;
    for (const a of nh) {
      expect(a.person).toBe('');
      expect(a.orphan).toBe(false);
      expect(a.conventionalName).toBe(CONVENTIONAL.test(a.account));
      const k = v.rowOf.get(a.account);
      if (a.labelled) {
        expect(k).toBeDefined();
        expect(g.identities.type[k!]).toBe(a.kind);
      } else if (k === undefined) unlisted++;
      else {
        expect(g.identities.type[k]).toBe('');
        untyped++;
      }
      if (k !== undefined) {
        for (const col of ['person', 'department', 'title', 'location', 'manager', 'employmentType'] as const) expect(g.identities[col][k]).toBe('');
      }
      if (!a.conventionalName) expect(a.labelled).toBe(false);
      const eff = v.effective(a.account);
      expect(eff.size).toBeGreaterThanOrEqual(15);
      expect(new Set([...eff].map((x) => x.slice(0, x.indexOf(':')))).size).toBeGreaterThanOrEqual(5);
      for (const x of eff) expect(birthright.has(x)).toBe(false);
      if (a.kind === 'shared') expect([...eff].some((x) => PRIVILEGED.test(x))).toBe(true);
    }
    expect(unlisted).toBeGreaterThan(0);
    expect(untyped).toBeGreaterThan(0);
    expect(nh.filter((a) => !a.conventionalName).length).toBeGreaterThan(0);
    // The type column: kinds only on labelled non-human rows; humans 'human' or ''.
    const types = new Set<string>();
    g.identities.identity.forEach((id, k) => {
      const t = g.identities.type[k]!;
      const a = accountTruth.get(id)!;
      if (a.kind === 'human') expect(['human', '']).toContain(t);
      if (NONHUMAN_KINDS.includes(t)) expect(a.kind).toBe(t);
      types.add(t);
    });
    expect(types).toEqual(new Set(['', 'human', ...NONHUMAN_KINDS]));
    const humanRows = g.identities.type.filter((_, k) => accountTruth.get(g.identities.identity[k]!)!.kind === 'human');
    const typedShare = humanRows.filter((t) => t === 'human').length / humanRows.length;
    expect(typedShare).toBeGreaterThan(0.4);
    expect(typedShare).toBeLessThan(0.6);
  });

  it('plants duplicate accounts that share the person and its HR attributes', () => {
    const extra = g.truth.accounts.filter((a) => a.variant === 'adm' || a.variant === 'alt');
    const people = new Set(extra.map((a) => a.person));
    expect(people.size).toBe(Math.round(0.03 * N));
    expect(extra.some((a) => a.variant === 'adm') && extra.some((a) => a.variant === 'alt')).toBe(true);
    const primaryOf = new Map(g.truth.accounts.filter((a) => a.variant === 'primary').map((a) => [a.person, a.account]));
    for (const a of extra) {
      const main = primaryOf.get(a.person)!;
      expect(a.account).toBe(a.variant === 'adm' ? `${main}-adm` : `${main}.2`);
      const k = v.rowOf.get(a.account)!;
      const m = v.rowOf.get(main)!;
      expect(g.identities.person[k]).toBe(a.person);
      expect(g.identities.person[m]).toBe(a.person);
      for (const col of ['status', 'department', 'title', 'location', 'manager', 'employmentType'] as const) expect(g.identities[col][k]).toBe(g.identities[col][m]);
      if (a.variant === 'adm') {
        const eff = v.effective(a.account);
        expect(eff.size).toBeGreaterThan(0);
        for (const x of eff) expect(PRIVILEGED.test(x)).toBe(true);
      }
    }
    // person ids: p + the identity index, as wide as the u ids
    const width = e.identities[0]!.id.length - 1;
    const wrong = e.identities.filter((x, i) => accountTruth.get(x.id)!.person !== 'p' + String(i).padStart(width, '0'));
    expect(wrong).toEqual([]);
  });

  it('plants orphans (grants, no identities row) and terminated people who keep their access', () => {
    const orphans = g.truth.accounts.filter((a) => a.orphan);
    expect(orphans.length).toBe(Math.round(0.01 * N));
    const managers = new Set(g.identities.manager);
    for (const a of orphans) {
      expect(a.kind).toBe('human');
      expect(a.variant).toBe('primary');
      expect(a.status).toBe('');
      expect(v.rowOf.has(a.account)).toBe(false);
      expect(v.effective(a.account).size).toBeGreaterThan(0);
      expect(managers.has(a.account)).toBe(false);
    }
    for (const a of g.truth.accounts) {
      const k = v.rowOf.get(a.account);
      if (a.kind === 'human' && !a.orphan) expect(k).toBeDefined();
      expect(a.status).toBe(k === undefined ? '' : g.identities.status[k]);
      expect(a.terminatedWithAccess).toBe((a.status === 'terminated' || a.status === 'inactive') && v.effective(a.account).size > 0);
    }
    const term = new Set(g.truth.accounts.filter((a) => a.status === 'terminated' || a.status === 'inactive').map((a) => a.person));
    expect(term.size).toBe(Math.round(0.02 * N));
    expect(g.truth.accounts.some((a) => a.status === 'terminated') && g.truth.accounts.some((a) => a.status === 'inactive')).toBe(true);
    const leave = g.truth.accounts.filter((a) => a.status === 'leave');
    expect(leave.length).toBeGreaterThan(0);
    for (const a of leave) expect(a.terminatedWithAccess).toBe(false);
    expect(new Set(g.identities.status)).toEqual(new Set(['active', 'terminated', 'inactive', 'leave']));
  });

  it('dates every grant row: dormant rows are exactly those more than 90 days old', () => {
    const asOf = parseDay(g.asOf);
    expect(g.asOf).toBe('2026-11-01');
    const dormant = new Set<string>();
    for (let k = 0; k < g.truth.dormant.account.length; k++) dormant.add(`${g.truth.dormant.account[k]}:${g.truth.dormant.entitlement[k]}`);
    let seen = 0;
    const bad: number[] = [];
    for (let r = 0; r < g.grants.holder.length; r++) {
      const age = asOf - g.grants.lastUsed[r]!;
      const key = `${g.grants.holder[r]}:${g.grants.entitlement[r]}`;
      if (age < 0 || age > 730) bad.push(r);
      if (age > 90) {
        seen++;
        if (!dormant.has(key) || g.grants.holder[r]! >= g.accounts.length) bad.push(r);
      } else if (dormant.has(key)) bad.push(r);
    }
    expect(bad).toEqual([]);
    expect(seen).toBe(dormant.size);
    expect(dormant.size).toBe(Math.round(0.05 * g.truth.effective.account.length));
    expect(formatDay(parseDay('2024-02-29'))).toBe('2024-02-29');
  });

  it('lists as privileged exactly the held entitlement names that match the pattern', () => {
    const held = new Set<string>();
    for (const s of v.held.values()) for (const x of s) held.add(x);
    expect(g.entitlements).toEqual([...held].sort());
    expect(g.truth.privileged).toEqual(g.entitlements.filter((x) => PRIVILEGED.test(x)));
    expect(g.truth.privileged.length).toBeGreaterThan(5);
    expect(g.holders).toEqual([...g.accounts, ...g.groups]);
    expect(new Set(g.holders).size).toBe(g.holders.length);
  });

  it('is deterministic: same inputs deep-equal, a different seed differs', () => {
    expect(same(addGovernance(e, { seed: 11 }), g)).toBe(true);
    const other = addGovernance(e, { seed: 12 });
    expect(other.grants.lastUsed).not.toEqual(g.grants.lastUsed);
    expect(other.truth.accounts).not.toEqual(g.truth.accounts);
  });

  it('rejects bad options', () => {
    expect(() => addGovernance(e, { seed: Number.NaN })).toThrow(UsageError);
    expect(() => addGovernance(e, { seed: 1, groupShare: 1.5 })).toThrow(UsageError);
    expect(() => addGovernance(e, { seed: 1, serviceAccounts: -1 })).toThrow(UsageError);
    expect(() => addGovernance(e, { seed: 1, asOf: '2026-13-01' })).toThrow(UsageError);
    expect(() => addGovernance(e, { seed: 1, asOf: '2026-02-30' })).toThrow(UsageError);
  });
});

describe('writeGovernance', () => {
  it('writes CSVs that parse back to the same rows, byte-identical on rewrite', async () => {
    const d1 = await tempDir();
    const d2 = await tempDir();
    const files = await writeGovernance(d1, g);
    await writeGovernance(d2, addGovernance(e, { seed: 11 }));
    const names = files.map((f) => relative(d1, f));
    expect(names).toEqual([
      'grants.csv', 'memberships.csv', 'identities.csv', 'truth/accounts.csv', 'truth/groups.csv', 'truth/cycles.csv',
      'truth/effective.csv', 'truth/privileged.csv', 'truth/dormant.csv', 'truth/extra.csv',
    ]);
    const read = async (name: string) => parseCsv(await readFile(join(d1, name), 'utf8'));
    for (const n of names) expect((await readFile(join(d1, n))).equals(await readFile(join(d2, n)))).toBe(true);

    const grants = await read('grants.csv');
    expect(grants.header).toEqual(['identity', 'entitlement', 'last_used']);
    expect(grants.rows).toEqual(Array.from(g.grants.holder, (h, r) => [g.holders[h]!, g.entitlements[g.grants.entitlement[r]!]!, formatDay(g.grants.lastUsed[r]!)]));
    const mem = await read('memberships.csv');
    expect(mem.header).toEqual(['member', 'group', 'member_type']);
    expect(mem.rows).toEqual(Array.from(g.memberships.member, (m, k) => [g.holders[m]!, g.groups[g.memberships.group[k]!]!, m >= g.accounts.length ? 'group' : 'account']));
    const ids = await read('identities.csv');
    expect(ids.header).toEqual(['identity', 'person', 'type', 'status', 'department', 'title', 'location', 'manager', 'employment_type']);
    const I = g.identities;
    expect(ids.rows).toEqual(I.identity.map((id, k) => [id, I.person[k], I.type[k], I.status[k], I.department[k], I.title[k], I.location[k], I.manager[k], I.employmentType[k]]));
    const acc = await read('truth/accounts.csv');
    expect(acc.rows).toEqual(g.truth.accounts.map((a) => [a.account, a.person, a.kind, a.variant, String(a.labelled), String(a.orphan), a.status, String(a.terminatedWithAccess), String(a.conventionalName)]));
    expect((await read('truth/groups.csv')).rows).toEqual(g.truth.groups.map((x) => [x.group, x.role, x.parents.join(';')]));
    expect((await read('truth/cycles.csv')).rows).toEqual(g.truth.cycles.flatMap((c, k) => c.map((x, p) => [String(k + 1), String(p + 1), x])));
    const eff = await read('truth/effective.csv');
    const te = g.truth.effective;
    expect(eff.rows).toEqual(Array.from(te.account, (a, k) => [g.accounts[a]!, g.entitlements[te.entitlement[k]!]!, g.truth.lineages[te.via[k]!]!]));
    expect((await read('truth/privileged.csv')).rows).toEqual(g.truth.privileged.map((x) => [x]));
    const dateOf = new Map<string, string>(grants.rows.map((r) => [`${r[0]}\u0000${r[1]}`, r[2]!]));
    const dorm = await read('truth/dormant.csv');
    expect(dorm.rows).toEqual(Array.from(g.truth.dormant.account, (a, k) => {
      const x = g.entitlements[g.truth.dormant.entitlement[k]!]!;
      return [g.accounts[a]!, x, dateOf.get(`${g.accounts[a]}\u0000${x}`)!];
    }));
    expect((await read('truth/extra.csv')).rows).toEqual(Array.from(g.truth.extra.account, (a, k) => [g.accounts[a]!, g.entitlements[g.truth.extra.entitlement[k]!]!]));
  });

  it('handles a tiny hand-built enterprise with CSV-hostile attribute values', async () => {
    const hand: Enterprise = {
      identities: [
        { id: 'alice', department: 'R&D, "Labs"', title: 'Lead', location: 'Oslo', manager: '', employmentType: 'employee' },
        { id: 'bob', department: 'R&D, "Labs"', title: 'Eng', location: 'Oslo', manager: 'alice', employmentType: 'employee' },
        { id: 'carol', department: 'Ops', title: 'Eng', location: 'Rome\nOffice', manager: 'alice', employmentType: 'contractor' },
      ],
      roles: [{ id: 'birthright', kind: 'birthright', entitlements: ['a:x:read', 'b:y:read'], members: ['alice', 'bob', 'carol'], rule: 'true' }],
      grants: { identity: Uint32Array.from([0, 0, 1, 1, 2, 2, 2]), entitlement: Uint32Array.from([0, 1, 0, 1, 0, 1, 2]) },
      entitlementNames: ['a:x:read', 'b:y:read', 'c:z:admin'],
      stray: { identity: Uint32Array.from([2]), entitlement: Uint32Array.from([2]) },
      missing: { identity: new Uint32Array(0), entitlement: new Uint32Array(0) },
    };
    const h = addGovernance(hand, { seed: 1, duplicateShare: 0.34, terminatedShare: 0.34 });
    checkExact(hand, h);
    const d = await tempDir();
    await writeGovernance(d, h);
    const ids = parseCsv(await readFile(join(d, 'identities.csv'), 'utf8'));
    const I = h.identities;
    expect(ids.rows).toEqual(I.identity.map((id, k) => [id, I.person[k], I.type[k], I.status[k], I.department[k], I.title[k], I.location[k], I.manager[k], I.employmentType[k]]));
    expect(ids.rows.some((r) => r[4] === 'R&D, "Labs"')).toBe(true);
    expect(ids.rows.some((r) => r[6] === 'Rome\nOffice')).toBe(true);
  });
});
