import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEnterprise, writeEnterprise, type Enterprise } from '../src/generate.js';
import { UsageError } from '../src/errors.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'rolemill-gen-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const key = (i: string, e: string): string => `${i}\u0000${e}`;

/** Grants as a set of "identity\0entitlement" keys. */
function pairSet(e: Enterprise, p: { identity: Uint32Array; entitlement: Uint32Array }): Set<string> {
  const s = new Set<string>();
  for (let k = 0; k < p.identity.length; k++) s.add(key(e.identities[p.identity[k]!]!.id, e.entitlementNames[p.entitlement[k]!]!));
  return s;
}

/** Role-implied grants recomputed from the planted truth alone. */
function impliedSet(e: Enterprise): Set<string> {
  const s = new Set<string>();
  for (const r of e.roles) for (const m of r.members) for (const x of r.entitlements) s.add(key(m, x));
  return s;
}

async function readAll(dir: string, files: string[]): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>();
  for (const f of files) m.set(relative(dir, f), await readFile(f));
  return m;
}

const N = 2000;
const base = generateEnterprise({ identities: N, seed: 7 });

describe('generateEnterprise', () => {
  it('is deterministic per seed, and the seed matters', async () => {
    const again = generateEnterprise({ identities: N, seed: 7 });
    expect(again).toEqual(base);
    const other = generateEnterprise({ identities: N, seed: 8 });
    expect(other.grants.identity).not.toEqual(base.grants.identity);
    expect(other.identities).not.toEqual(base.identities);

    const [d1, d2, d3] = [await tempDir(), await tempDir(), await tempDir()];
    const f1 = await writeEnterprise(d1, base);
    const f2 = await writeEnterprise(d2, again);
    const f3 = await writeEnterprise(d3, other);
    const names = f1.map((f) => relative(d1, f));
    expect(names).toEqual([
      'grants.csv', 'grants.arrow', 'identities.csv', join('truth', 'roles.csv'), join('truth', 'role_entitlements.csv'),
      join('truth', 'assignments.csv'), join('truth', 'stray.csv'), join('truth', 'missing.csv'),
    ]);
    const [b1, b2, b3] = [await readAll(d1, f1), await readAll(d2, f2), await readAll(d3, f3)];
    for (const n of names) {
      expect(b1.get(n)!.equals(b2.get(n)!), n).toBe(true);
    }
    expect(b1.get('grants.csv')!.equals(b3.get('grants.csv')!)).toBe(false);
    expect(b1.get('grants.arrow')!.equals(b3.get('grants.arrow')!)).toBe(false);
  });

  it('grants = role-implied - missing + stray, with exact noise counts and no duplicates', () => {
    const e = base;
    const G = e.grants.identity.length;
    const grants = pairSet(e, e.grants);
    expect(grants.size).toBe(G); // no duplicates
    const implied = impliedSet(e);
    const stray = pairSet(e, e.stray);
    const missing = pairSet(e, e.missing);
    expect(stray.size).toBe(e.stray.identity.length);
    expect(missing.size).toBe(e.missing.identity.length);
    // Counted rather than asserted one by one: tens of thousands of expect() calls are slow.
    const count = (set: Set<string>, bad: (k: string) => boolean): number => [...set].filter(bad).length;
    expect(count(grants, (g) => !implied.has(g) && !stray.has(g))).toBe(0);
    expect(count(stray, (s) => implied.has(s) || !grants.has(s))).toBe(0); // no role explains a stray, not even a removed grant
    expect(count(missing, (m) => !implied.has(m) || grants.has(m))).toBe(0);
    expect(count(implied, (g) => !grants.has(g) && !missing.has(g))).toBe(0);
    const M = implied.size;
    expect(G).toBe(M - missing.size + stray.size);
    expect(e.stray.identity.length).toBe(Math.round(0.02 * M));
    expect(e.missing.identity.length).toBe(Math.round(0.01 * M));
    // Rows are shuffled, not sorted by identity.
    let sorted = true;
    for (let k = 1; k < G && sorted; k++) sorted = e.grants.identity[k - 1]! <= e.grants.identity[k]!;
    expect(sorted).toBe(false);
  });

  it('honours other rates exactly (within rounding)', () => {
    const e = generateEnterprise({ identities: 300, seed: 3, strayRate: 0.1, missingRate: 0.05 });
    const M = impliedSet(e).size;
    expect(e.stray.identity.length).toBe(Math.round(0.1 * M));
    expect(e.missing.identity.length).toBe(Math.round(0.05 * M));
    const clean = generateEnterprise({ identities: 300, seed: 3, strayRate: 0, missingRate: 0 });
    expect(pairSet(clean, clean.grants)).toEqual(impliedSet(clean));
  });

  it('gives everyone the birthright entitlements unless removed as missing', () => {
    const e = base;
    const birthright = e.roles.find((r) => r.kind === 'birthright')!;
    expect(birthright.members.length).toBe(N);
    const grants = pairSet(e, e.grants);
    const missing = pairSet(e, e.missing);
    let removed = 0;
    const lacking: string[] = [];
    for (const x of e.identities) {
      for (const ent of birthright.entitlements) {
        const k = key(x.id, ent);
        if (missing.has(k)) removed++;
        else if (!grants.has(k)) lacking.push(k);
      }
    }
    expect(lacking).toEqual([]);
    expect(removed).toBeGreaterThan(0); // the 1% removal does hit birthright grants
  });

  it('averages 15-35 grants per identity', () => {
    const avg = base.grants.identity.length / N;
    expect(avg).toBeGreaterThan(15);
    expect(avg).toBeLessThan(35);
  });

  it('plants a plausible enterprise: attributes, managers, role kinds, overlapping projects', () => {
    const e = base;
    const ids = new Set(e.identities.map((x) => x.id));
    expect(ids.size).toBe(N);
    expect(e.identities.map((x) => x.id)).toEqual([...ids].sort());
    expect([...e.entitlementNames].sort()).toEqual(e.entitlementNames);
    expect(new Set(e.entitlementNames).size).toBe(e.entitlementNames.length);
    expect(e.entitlementNames.filter((n) => !/^[a-z0-9-]+:[a-z0-9-]+(:[a-z0-9-]+)?$/.test(n))).toEqual([]);
    const roots = e.identities.filter((x) => x.manager === '');
    expect(roots.length).toBe(1);
    expect(e.identities.filter((x) => x.manager !== '' && (!ids.has(x.manager) || x.manager === x.id))).toEqual([]);
    expect(new Set(e.identities.map((x) => x.employmentType))).toEqual(new Set(['employee', 'contractor', 'intern']));
    // The reporting tree: every chain of managers ends at the root, without cycles.
    const managerOf = new Map(e.identities.map((x) => [x.id, x.manager]));
    const stuck = e.identities.filter((x) => {
      let at = x.id;
      for (let steps = 0; steps < 10; steps++) if ((at = managerOf.get(at)!) === '') return false;
      return true;
    });
    expect(stuck).toEqual([]);
    const byId = new Map(e.identities.map((x) => [x.id, x]));
    const kinds = new Map<string, number>();
    for (const r of e.roles) {
      kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
      expect(r.members.length).toBeGreaterThan(0);
      expect(r.entitlements.length).toBeGreaterThan(0);
      // Attribute rules hold for their members.
      const dept = /^department='([^']+)'/.exec(r.rule)?.[1];
      const title = / and title='([^']+)'$/.exec(r.rule)?.[1];
      const loc = /^location='([^']+)'$/.exec(r.rule)?.[1];
      const off = r.members.filter((m) => {
        const x = byId.get(m)!;
        return (dept && x.department !== dept) || (title && x.title !== title) || (loc && x.location !== loc);
      });
      expect(off, r.id).toEqual([]);
    }
    expect(kinds.get('birthright')).toBe(1);
    expect(kinds.get('department')).toBeGreaterThanOrEqual(6);
    expect(kinds.get('title')!).toBeGreaterThan(kinds.get('department')!);
    expect(kinds.get('location')).toBeGreaterThanOrEqual(2);
    expect(kinds.get('project')).toBeGreaterThanOrEqual(3);
    // Projects span departments, and memberships overlap (people in 2+ projects).
    const projects = e.roles.filter((r) => r.kind === 'project');
    const spanning = projects.filter((r) => new Set(r.members.map((m) => byId.get(m)!.department)).size >= 2);
    expect(spanning.length).toBeGreaterThan(projects.length / 2);
    const perIdentity = new Map<string, number>();
    for (const r of projects) for (const m of r.members) perIdentity.set(m, (perIdentity.get(m) ?? 0) + 1);
    expect([...perIdentity.values()].some((c) => c >= 2)).toBe(true);
  });

  it('handles tiny and extreme settings', () => {
    for (const n of [1, 2, 5]) {
      const e = generateEnterprise({ identities: n, seed: 1, strayRate: 1, missingRate: 0.5 });
      const M = impliedSet(e).size;
      const free = n * e.entitlementNames.length - M;
      expect(e.stray.identity.length).toBe(Math.min(Math.round(M), free));
      expect(e.missing.identity.length).toBe(Math.round(0.5 * M));
      expect(pairSet(e, e.grants).size).toBe(e.grants.identity.length);
    }
    const all = generateEnterprise({ identities: 3, seed: 1, missingRate: 1, strayRate: 0 });
    expect(all.grants.identity.length).toBe(0);
    expect(() => generateEnterprise({ identities: 0, seed: 1 })).toThrow(UsageError);
    expect(() => generateEnterprise({ identities: 10, seed: 1, strayRate: 2 })).toThrow(UsageError);
    expect(() => generateEnterprise({ identities: 1.5, seed: 1 })).toThrow(UsageError);
  });
});

describe('writeEnterprise', () => {
  it('writes grants.csv and grants.arrow with exactly the grants, in order', async () => {
    const e = base;
    const dir = await tempDir();
    await writeEnterprise(dir, e);
    const lines = (await readFile(join(dir, 'grants.csv'), 'utf8')).split('\n');
    expect(lines[0]).toBe('identity,entitlement');
    expect(lines[lines.length - 1]).toBe('');
    const rows = lines.slice(1, -1);
    expect(rows.length).toBe(e.grants.identity.length);
    const expected = Array.from(e.grants.identity, (i, k) => `${e.identities[i]!.id},${e.entitlementNames[e.grants.entitlement[k]!]}`);
    expect(rows).toEqual(expected);

    const table = tableFromIPC(await readFile(join(dir, 'grants.arrow')));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['identity', 'entitlement']);
    expect(table.numRows).toBe(rows.length);
    const ic = table.getChild('identity')!;
    const ec = table.getChild('entitlement')!;
    expect(Array.from({ length: table.numRows }, (_, k) => `${ic.get(k)},${ec.get(k)}`)).toEqual(rows);
  });

  it('writes consistent identities and truth files', async () => {
    const e = base;
    const dir = await tempDir();
    await writeEnterprise(dir, e);
    const read = async (f: string): Promise<string[][]> =>
      (await readFile(join(dir, f), 'utf8')).trimEnd().split('\n').map((l) => l.split(','));
    const identities = await read('identities.csv');
    expect(identities[0]).toEqual(['identity', 'department', 'title', 'location', 'manager', 'employment_type']);
    expect(identities.slice(1)).toEqual(e.identities.map((x) => [x.id, x.department, x.title, x.location, x.manager, x.employmentType]));
    const roles = await read('truth/roles.csv');
    expect(roles[0]).toEqual(['role', 'kind', 'rule', 'entitlement_count', 'member_count']);
    expect(roles.slice(1)).toEqual(e.roles.map((r) => [r.id, r.kind, r.rule, String(r.entitlements.length), String(r.members.length)]));
    const re = await read('truth/role_entitlements.csv');
    expect(re.slice(1)).toEqual(e.roles.flatMap((r) => r.entitlements.map((x) => [r.id, x])));
    const assignments = await read('truth/assignments.csv');
    expect(assignments[0]).toEqual(['identity', 'role']);
    const fromRoles = e.roles.flatMap((r) => r.members.map((m) => `${m},${r.id}`)).sort();
    expect(assignments.slice(1).map((a) => a.join(',')).sort()).toEqual(fromRoles);
    const stray = await read('truth/stray.csv');
    expect(new Set(stray.slice(1).map(([i, x]) => key(i!, x!)))).toEqual(pairSet(e, e.stray));
    const missing = await read('truth/missing.csv');
    expect(new Set(missing.slice(1).map(([i, x]) => key(i!, x!)))).toEqual(pairSet(e, e.missing));
  });

  it('quotes CSV fields per RFC 4180 when needed', async () => {
    const e: Enterprise = {
      identities: [{ id: 'a,b', department: 'R&D "Labs"', title: 't', location: 'l', manager: '', employmentType: 'employee' }],
      roles: [{ id: 'r1', kind: 'birthright', entitlements: ['x"y'], members: ['a,b'], rule: 'true' }],
      grants: { identity: Uint32Array.of(0), entitlement: Uint32Array.of(0) },
      entitlementNames: ['x"y'],
      stray: { identity: new Uint32Array(0), entitlement: new Uint32Array(0) },
      missing: { identity: new Uint32Array(0), entitlement: new Uint32Array(0) },
    };
    const dir = await tempDir();
    await writeEnterprise(dir, e);
    expect(await readFile(join(dir, 'grants.csv'), 'utf8')).toBe('identity,entitlement\n"a,b","x""y"\n');
    expect(await readFile(join(dir, 'identities.csv'), 'utf8')).toBe(
      'identity,department,title,location,manager,employment_type\n"a,b","R&D ""Labs""",t,l,,employee\n',
    );
    expect(await readFile(join(dir, 'truth/assignments.csv'), 'utf8')).toBe('identity,role\n"a,b",r1\n');
    const table = tableFromIPC(await readFile(join(dir, 'grants.arrow')));
    expect(table.getChild('identity')!.get(0)).toBe('a,b');
    expect(table.getChild('entitlement')!.get(0)).toBe('x"y');
  });
});
