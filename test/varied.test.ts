/**
 * The structurally varied generator (src/generate/varied.ts): determinism, and the truth checked
 * against the written files alone (groups expanded here, independently of rolemill's expansion):
 * per person, effective access over all their accounts = role-implied - missing + stray; non-human
 * accounts hold exactly truth/nonhuman.csv; role sizes within the configured ranges. And the grid's
 * shape (16+ configs, both splits, every axis value in both, no config in both).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateVaried, resolveVaried, writeVaried, VARIED_GRID, type VariedConfig } from '../src/generate/varied.js';
import { UsageError } from '../src/errors.js';
import { effectiveAccess } from './support/reference.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'rolemill-varied-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function files(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p), await readFile(p));
    }
  };
  await walk(dir);
  return out;
}

/** Header + rows; generated names never need quoting, which is checked. */
async function csv(path: string): Promise<{ header: string[]; rows: string[][] }> {
  const text = await readFile(path, 'utf8');
  expect(text.includes('"')).toBe(false);
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  expect(rows.filter((r) => r.length !== header.length)).toEqual([]);
  return { header, rows };
}

const grid = (name: string): VariedConfig => VARIED_GRID.find((g) => g.name === name)!.config;
const key = (a: string, e: string): string => `${a}\u0000${e}`;

/** Generates, writes and checks one config against its own truth, from the files alone. */
async function checkTruth(config: VariedConfig, seed: number): Promise<{ dir: string; roleSizes: Map<string, number[]> }> {
  const cfg = resolveVaried(config);
  const dir = await tempDir();
  await writeVaried(dir, generateVaried(config, seed));
  const grants = await csv(join(dir, 'grants.csv'));
  expect(grants.header).toEqual(cfg.dates ? ['identity', 'entitlement', 'last_used'] : ['identity', 'entitlement']);
  const ids = await csv(join(dir, 'identities.csv'));
  expect(ids.header).toEqual(['identity', 'person', 'type', 'status', 'department', 'title', 'location', 'manager', 'employment_type', 'cost_center', 'employee_number']);
  const roles = await csv(join(dir, 'truth/roles.csv'));
  expect(roles.header).toEqual(['role', 'kind', 'rule', 'entitlement_count', 'member_count']);
  const re = await csv(join(dir, 'truth/role_entitlements.csv'));
  const asg = await csv(join(dir, 'truth/assignments.csv'));
  expect(asg.header).toEqual(['identity', 'role']);
  const stray = await csv(join(dir, 'truth/stray.csv'));
  const missing = await csv(join(dir, 'truth/missing.csv'));
  expect(stray.header).toEqual(['identity', 'entitlement']);
  expect(missing.header).toEqual(['identity', 'entitlement']);
  const accounts = await csv(join(dir, 'truth/accounts.csv'));
  expect(accounts.header).toEqual(['account', 'person', 'kind']);
  const nonhuman = await csv(join(dir, 'truth/nonhuman.csv'));
  expect(nonhuman.header).toEqual(['account', 'entitlement']);
  const hasMemberships = await readFile(join(dir, 'memberships.csv')).then(() => true, () => false);
  expect(hasMemberships).toBe(cfg.groupShare > 0);

  // Roles: entitlements, members, sizes by kind.
  const roleEnts = new Map<string, Set<string>>();
  for (const [r, e] of re.rows) {
    if (!roleEnts.has(r!)) roleEnts.set(r!, new Set());
    roleEnts.get(r!)!.add(e!);
  }
  const memberCount = new Map<string, number>();
  const personRoles = new Map<string, string[]>();
  expect(asg.rows.filter(([, r]) => !roleEnts.has(r!))).toEqual([]); // every assignment's role exists
  for (const [i, r] of asg.rows) {
    memberCount.set(r!, (memberCount.get(r!) ?? 0) + 1);
    if (!personRoles.has(i!)) personRoles.set(i!, []);
    personRoles.get(i!)!.push(r!);
  }
  expect(personRoles.size).toBe(cfg.people);
  const sizeRange = { birthright: cfg.birthrightSize, department: cfg.roleSize, title: cfg.roleSize, location: cfg.locationSize, project: cfg.projectSize } as const;
  const roleSizes = new Map<string, number[]>();
  for (const [id, kind, rule, n, members] of roles.rows) {
    expect(roleEnts.get(id!)?.size).toBe(Number(n));
    expect(memberCount.get(id!)).toBe(Number(members));
    const [lo, hi] = sizeRange[kind as keyof typeof sizeRange];
    expect(Number(n)).toBeGreaterThanOrEqual(lo);
    expect(Number(n)).toBeLessThanOrEqual(hi);
    if (!roleSizes.has(kind!)) roleSizes.set(kind!, []);
    roleSizes.get(kind!)!.push(Number(n));
    if (kind === 'title') expect(rule).toMatch(/^department='[^']+' and title='[^']+'$/);
  }
  for (const [id, members] of roles.rows.map((r) => [r[0]!, Number(r[4])] as const)) if (id.startsWith('proj:')) expect(members).toBeLessThanOrEqual(cfg.projectMembers[1]);

  // Ladders nest: Senior X = X + ladderStep more, Lead X = Senior X + ladderStep more.
  for (const [id] of roles.rows) {
    const m = /^title:([^:]+):(senior|lead)-(.+)$/.exec(id!);
    if (!m) continue;
    const below = roleEnts.get(m[2] === 'senior' ? `title:${m[1]}:${m[3]}` : `title:${m[1]}:senior-${m[3]}`);
    if (!below) continue; // the level below had no member
    const mine = roleEnts.get(id!)!;
    for (const e of below) expect(mine.has(e)).toBe(true);
    expect(mine.size - below.size).toBeGreaterThanOrEqual(cfg.ladderStep[0]);
    expect(mine.size - below.size).toBeLessThanOrEqual(cfg.ladderStep[1]);
  }

  // Accounts: primaries are exactly the assignment identities; every human account has a person.
  const personOf = new Map<string, string>();
  const kindOf = new Map<string, string>();
  const primaryOfPerson = new Map<string, string>();
  expect(accounts.rows.filter(([, p, k]) => (k === 'human') !== (p !== ''))).toEqual([]);
  for (const [a, p, k] of accounts.rows) {
    kindOf.set(a!, k!);
    if (k !== 'human') continue;
    personOf.set(a!, p!);
    if (personRoles.has(a!)) primaryOfPerson.set(p!, a!);
  }
  expect(primaryOfPerson.size).toBe(cfg.people);
  const idRow = new Map(ids.rows.map((r) => [r[0]!, r]));
  // A person's accounts share the person value; only a primary (an orphan) lacks a row.
  expect([...personOf].filter(([a, p]) => (idRow.has(a) ? idRow.get(a)![1] !== p : !personRoles.has(a)))).toEqual([]);
  expect(ids.rows.filter((row) => (personOf.has(row[0]!) ? row[2] !== 'human' : !['service', 'workload', 'shared', ''].includes(row[2]!)))).toEqual([]);
  if (!cfg.governance) {
    expect(accounts.rows.length).toBe(cfg.people);
    expect(nonhuman.rows.length).toBe(0);
    expect(ids.rows.length).toBe(cfg.people);
  } else {
    const nh = accounts.rows.filter((r) => r[2] !== 'human').length;
    expect(nh).toBe(Math.max(1, Math.round(cfg.nonHumanShare * cfg.people)));
    expect(ids.rows.some((r) => r[3] === 'terminated')).toBe(true);
    expect(accounts.rows.some((r) => r[0]!.endsWith('-alt'))).toBe(true);
    expect(personRoles.size - ids.rows.filter((r) => personRoles.has(r[0]!)).length).toBe(Math.round(cfg.orphanShare * cfg.people));
  }

  // Effective access: direct rows plus everything reachable through groups (expanded here).
  const parents = new Map<string, string[]>();
  if (hasMemberships) {
    const mem = await csv(join(dir, 'memberships.csv'));
    expect(mem.header).toEqual(['member', 'group', 'member_type']);
    for (const [m, g, t] of mem.rows) {
      expect(t).toBe(kindOf.has(m!) ? 'account' : 'group');
      if (!parents.has(m!)) parents.set(m!, []);
      parents.get(m!)!.push(g!);
    }
  }
  const held = new Map<string, Set<string>>();
  for (const [h, e] of grants.rows) {
    if (!held.has(h!)) held.set(h!, new Set());
    held.get(h!)!.add(e!);
  }
  expect(new Set(grants.rows.map((r) => key(r[0]!, r[1]!))).size).toBe(grants.rows.length); // no duplicate rows
  const effective = (a: string): Set<string> => effectiveAccess(a, held, parents);
  const byPerson = new Map<string, Set<string>>();
  for (const [a, p] of personOf) {
    const s = byPerson.get(p) ?? new Set<string>();
    for (const e of effective(a)) s.add(e);
    byPerson.set(p, s);
  }
  const strayOf = new Map<string, Set<string>>();
  for (const [a, e] of stray.rows) {
    if (!strayOf.has(a!)) strayOf.set(a!, new Set());
    strayOf.get(a!)!.add(e!);
  }
  // Strays sit on primary accounts, as direct grants.
  expect(stray.rows.filter(([a, e]) => !personRoles.has(a!) || !held.get(a!)?.has(e!))).toEqual([]);
  const missingOf = new Map<string, Set<string>>();
  for (const [a, e] of missing.rows) {
    if (!missingOf.has(a!)) missingOf.set(a!, new Set());
    missingOf.get(a!)!.add(e!);
  }
  let M = 0;
  const wrong: string[] = [];
  for (const [p, a] of primaryOfPerson) {
    const implied = new Set<string>();
    for (const r of personRoles.get(a)!) for (const e of roleEnts.get(r)!) implied.add(e);
    M += implied.size;
    const expected = new Set(implied);
    for (const e of missingOf.get(a) ?? []) {
      if (!implied.has(e)) wrong.push(`missing ${a} ${e} is not implied`);
      expected.delete(e);
    }
    for (const e of strayOf.get(a) ?? []) {
      if (implied.has(e)) wrong.push(`stray ${a} ${e} is implied by the person's roles`);
      expected.add(e);
    }
    const got = byPerson.get(p) ?? new Set<string>();
    if (got.size !== expected.size || [...got].some((e) => !expected.has(e))) wrong.push(`person ${p}: effective ${[...got].sort().join(' ')} != ${[...expected].sort().join(' ')}`);
  }
  expect(wrong.slice(0, 5)).toEqual([]);
  expect(missing.rows.length).toBe(Math.round(cfg.missingRate * M));
  expect(stray.rows.length).toBe(Math.round(cfg.strayRate * M));
  const nhOf = new Map<string, Set<string>>();
  expect(nonhuman.rows.filter(([a]) => kindOf.get(a!) === 'human')).toEqual([]);
  for (const [a, e] of nonhuman.rows) {
    if (!nhOf.has(a!)) nhOf.set(a!, new Set());
    nhOf.get(a!)!.add(e!);
  }
  for (const [a, k] of kindOf) {
    if (k === 'human') continue;
    const mine = effective(a);
    expect([...mine].sort()).toEqual([...(nhOf.get(a) ?? [])].sort());
    expect(mine.size).toBeGreaterThanOrEqual(3);
    expect(mine.size).toBeLessThanOrEqual(12);
  }
  // Every holder is an account or a group with members; group names are grp-*.
  const withMembers = new Set([...parents.values()].flat());
  expect([...held.keys()].filter((h) => !kindOf.has(h) && !(h.startsWith('grp-') && withMembers.has(h)))).toEqual([]);

  // Dates: every row dated; strays older on average, not all dormant.
  if (cfg.dates) {
    const asOf = Date.parse(cfg.asOf);
    const age = (d: string): number => (asOf - Date.parse(d)) / 86_400_000;
    const strayKeys = new Set(stray.rows.map((r) => key(r[0]!, r[1]!)));
    let sOld = 0;
    let sAll = 0;
    let rOld = 0;
    let rAll = 0;
    expect(grants.rows.filter(([, , d]) => !/^\d{4}-\d{2}-\d{2}$/.test(d!) || age(d!) < 0)).toEqual([]);
    for (const [h, e, d] of grants.rows) {
      const a = age(d!);
      if (strayKeys.has(key(h!, e!))) (sAll++, a > 90 && sOld++);
      else (rAll++, a > 90 && rOld++);
    }
    if (sAll > 50) {
      expect(sOld / sAll).toBeGreaterThan(rOld / rAll);
      expect(sOld).toBeLessThan(sAll);
    }
  }
  return { dir, roleSizes };
}

describe('generateVaried', () => {
  const small = (name: string, people = 800): VariedConfig => ({ ...grid(name), people });

  it('is deterministic: same seed, same bytes in every file; another seed, other grants', async () => {
    const config = small('t2-small-nested-groups-gov', 600);
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    await writeVaried(a, generateVaried(config, 7));
    await writeVaried(b, generateVaried(config, 7));
    await writeVaried(c, generateVaried(config, 8));
    const fa = await files(a);
    const fb = await files(b);
    expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort());
    expect([...fa.keys()].sort()).toEqual([
      'grants.csv', 'identities.csv', 'memberships.csv', 'rolemill.json', 'truth/accounts.csv', 'truth/assignments.csv',
      'truth/missing.csv', 'truth/nonhuman.csv', 'truth/role_entitlements.csv', 'truth/roles.csv', 'truth/stray.csv',
    ]);
    for (const [k, v] of fa) expect(v.equals(fb.get(k)!), k).toBe(true);
    const fc = await files(c);
    expect(fc.get('grants.csv')!.equals(fa.get('grants.csv')!)).toBe(false);
    expect(fc.get('identities.csv')!.equals(fa.get('identities.csv')!)).toBe(false);
    expect(JSON.parse(fa.get('rolemill.json')!.toString()).kind).toBe('sample');
  });

  it('plants a truth the files agree with, for every grid configuration', async () => {
    for (const g of VARIED_GRID) {
      const { roleSizes } = await checkTruth({ ...g.config, people: 700 }, 1);
      const sizes = [...(roleSizes.get('department') ?? []), ...(roleSizes.get('title') ?? [])];
      // A 2-entitlement role exists exactly when the configured range starts at 2.
      expect(sizes.includes(2), g.name).toBe(resolveVaried(g.config).roleSize[0] === 2);
    }
  });

  it('holds at the default size, with other seeds, and generates 3,000 people fast', async () => {
    await checkTruth(grid('h6-large-nested-groups-gov'), 3);
    const t = performance.now();
    generateVaried(grid('t6-large-mixed-groups-gov'), 2);
    expect(performance.now() - t).toBeLessThan(2000); // about 0.1 s on a quiet machine
  });

  it('repeats title names across departments, and shares entitlements across departments only with sharedApps', () => {
    for (const shared of [false, true]) {
      const e = generateVaried({ ...small('t6-large-mixed-groups-gov'), sharedApps: shared }, 1);
      const deptOfRole = (id: string): string | null => (/^(?:dept|title):([^:]+)/.exec(id) ?? [])[1] ?? null;
      const depts = new Map<number, Set<string>>();
      for (const r of e.truth.roles) {
        const d = deptOfRole(r.id);
        if (d) for (const x of r.entitlements) (depts.get(x) ?? depts.set(x, new Set()).get(x)!).add(d);
      }
      const inTwo = [...depts.values()].filter((s) => s.size > 1).length;
      if (shared) expect(inTwo).toBeGreaterThan(0);
      else expect(inTwo).toBe(0);
      // Applications used by the roles of several departments.
      const appDepts = new Map<string, Set<string>>();
      for (const r of e.truth.roles) {
        const d = deptOfRole(r.id);
        if (d) for (const x of r.entitlements) (appDepts.get(e.entitlements[x]!.split('/')[0]!) ?? appDepts.set(e.entitlements[x]!.split('/')[0]!, new Set()).get(e.entitlements[x]!.split('/')[0]!)!).add(d);
      }
      expect([...appDepts.values()].some((s) => s.size > 1)).toBe(shared);
      const titleDepts = new Map<string, Set<string>>();
      for (const row of e.identities) if (row[2] === 'human') (titleDepts.get(row[5]!) ?? titleDepts.set(row[5]!, new Set()).get(row[5]!)!).add(row[4]!);
      expect([...titleDepts.values()].some((s) => s.size > 1)).toBe(true);
      for (const n of e.entitlements) expect(n).toMatch(/^APP-[A-Z]+\/[a-z0-9-]+\/[a-z]+$/);
    }
  });

  it('weights strays by popularity when asked', () => {
    const share = (a: number): number => {
      const e = generateVaried({ ...small('t1-small-flat-direct', 2000), strayPopularity: a, strayRate: 0.05 }, 4);
      const pop = new Uint32Array(e.entitlements.length);
      for (const r of e.truth.roles) for (const x of r.entitlements) pop[x]! += r.memberCount;
      const top = [...pop.keys()].sort((x, y) => pop[y]! - pop[x]!).slice(0, Math.ceil(e.entitlements.length / 10));
      const isTop = new Set(top);
      let n = 0;
      for (const x of e.truth.stray.b) if (isTop.has(x)) n++;
      return n / e.truth.stray.b.length;
    };
    expect(share(1)).toBeGreaterThan(share(0) + 0.1);
  });

  it('refuses knobs out of range', () => {
    const base = grid('t1-small-flat-direct');
    expect(() => generateVaried({ ...base, departments: 3 }, 1)).toThrow(UsageError);
    expect(() => generateVaried({ ...base, roleSize: [1, 5] }, 1)).toThrow(UsageError);
    expect(() => generateVaried({ ...base, roleSize: [6, 5] }, 1)).toThrow(UsageError);
    expect(() => generateVaried({ ...base, titles: 'nested', roleSize: [3, 4] }, 1)).toThrow(/ladderStep/);
    expect(() => generateVaried({ ...base, missingRate: 0.2 }, 1)).toThrow(UsageError);
    expect(() => generateVaried({ ...base, groupShare: 0.9 }, 1)).toThrow(UsageError);
    expect(() => generateVaried({ ...base, asOf: '2026-02-30' }, 1)).toThrow(UsageError);
    expect(() => generateVaried(base, Number.NaN)).toThrow(UsageError);
  });
});

describe('VARIED_GRID', () => {
  it('has 16+ configurations, half tune, half holdout, no configuration in both', () => {
    expect(VARIED_GRID.length).toBeGreaterThanOrEqual(16);
    expect(new Set(VARIED_GRID.map((g) => g.name)).size).toBe(VARIED_GRID.length);
    const tune = VARIED_GRID.filter((g) => g.split === 'tune');
    const hold = VARIED_GRID.filter((g) => g.split === 'holdout');
    expect(tune.length).toBe(hold.length);
    const canon = (c: VariedConfig): string => JSON.stringify(resolveVaried(c));
    const tuneSet = new Set(tune.map((g) => canon(g.config)));
    for (const g of hold) expect(tuneSet.has(canon(g.config)), g.name).toBe(false);
    expect(VARIED_GRID.filter((g) => g.config.governance).length).toBeGreaterThanOrEqual(6);
  });

  it('puts every value of every axis in both halves', () => {
    const axes: Record<string, (c: VariedConfig) => unknown> = {
      roleSize: (c) => c.roleSize.join('-'),
      titles: (c) => c.titles,
      missingRate: (c) => c.missingRate,
      strayRate: (c) => c.strayRate,
      strayPopularity: (c) => c.strayPopularity,
      dates: (c) => c.dates,
      groups: (c) => c.groupShare > 0,
      sharedApps: (c) => c.sharedApps,
      governance: (c) => c.governance,
    };
    const want: Record<string, unknown[]> = {
      roleSize: ['2-5', '3-8', '6-15'], titles: ['flat', 'nested', 'mixed'], missingRate: [0.005, 0.01, 0.03], strayRate: [0.02, 0.05],
      strayPopularity: [0, 1], dates: [false, true], groups: [false, true], sharedApps: [false, true], governance: [false, true],
    };
    for (const [axis, f] of Object.entries(axes)) {
      for (const split of ['tune', 'holdout'] as const) {
        const seen = new Set(VARIED_GRID.filter((g) => g.split === split).map((g) => f(g.config)));
        expect([...seen].sort(), `${axis} in ${split}`).toEqual([...want[axis]!].sort());
      }
    }
  });
});
