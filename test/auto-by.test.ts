// `--by auto` (src/analysis/auto-by.ts): attribute paths chosen from the data, and the attributes
// that never describe or name a role (governance columns, near-unique attributes).
import { describe, expect, it } from 'vitest';
import { chooseAttributePaths, attributeSpread, descriptiveAttributes, nearUniqueReason } from '../src/analysis/auto-by.js';
import { describeRoles, type GrantsLike } from '../src/analysis/alignment.js';
import { joinIdentities } from '../src/analysis/identities.js';
import { readIdentitiesFromText } from '../src/ingest/identities.js';
import { generateEnterprise } from '../src/generate.js';
import { identitiesCsvText } from '../src/generate/write.js';
import { enterpriseGrants } from '../src/generate/truth.js';
import { grantsFromPairs } from '../src/encode.js';
import { createEngine } from '../src/engine/node.js';
import { runMine } from '../src/pipeline/mine.js';
import { runCli } from '../src/cli/run.js';
import { UsageError } from '../src/errors.js';
import type { RoleModel, Roles } from '../src/model/model.js';

const GOVERNANCE_REASON = 'a governance column (who or what an account is, not what the business does): never a business attribute';
const NOTHING = 'explains 0.0% of grants (under 2.0%): no access is typical of its groups';

describe('chooseAttributePaths on a generated enterprise (3,000 identities, seed 1)', () => {
  it('picks department > title and location, and ignores manager (near-unique) and employment_type (explains nothing)', async () => {
    const ent = generateEnterprise({ identities: 3000, seed: 1 });
    const names = ent.identities.map((x) => x.id);
    const join = joinIdentities(await readIdentitiesFromText(identitiesCsvText(ent), 'identities.csv'), names);
    const grants: GrantsLike = { identity: ent.grants.identity, entitlement: ent.grants.entitlement, identities: names, entitlements: ent.entitlementNames };
    const r = chooseAttributePaths(grants, join);
    expect(r.paths).toEqual([['department', 'title'], ['location']]);
    expect([r.grants, r.birthrightEntitlements, r.explained]).toEqual([45073, 8, 0.8068]);
    expect(r.attributes).toEqual([
      { name: 'department', role: 'path', reason: 'explains 47.0% of grants: the first path', identities: 3000, values: 6, medianGroup: 584, groups: 6, score: 0.47 },
      {
        name: 'title',
        role: 'within',
        reason: 'its values nest in department (100.0% of identities); it adds 23.6% of grants beyond department',
        identities: 3000,
        values: 60,
        medianGroup: 87,
        groups: 52,
        score: 0.7037,
        nestsIn: 'department',
        nesting: 1,
        gain: 0.2356,
        within: 'department',
      },
      { name: 'location', role: 'path', reason: 'explains 10.3% of grants, 10.3% beyond department: a path of its own', identities: 3000, values: 4, medianGroup: 1593, groups: 4, score: 0.1025, gain: 0.1025 },
      {
        name: 'manager',
        role: 'ignored',
        reason: 'near-unique: its values are identities of the file (a reference such as a manager), 388 values for 2999 identities, median group 8',
        identities: 2999,
        values: 388,
        medianGroup: 8,
      },
      { name: 'employment_type', role: 'ignored', reason: NOTHING, identities: 3000, values: 3, medianGroup: 2668, groups: 3, score: 0 },
    ]);
    // Deterministic.
    expect(chooseAttributePaths(grants, join)).toEqual(r);
  });
});

// ---------------------------------------------------------------------------------------------------
// A hand-built enterprise of 240 people. Coordinates in mixed radix, so the attributes are
// independent: department = i mod 4, title = Lead for floor(i / 4) mod 3 = 0 (else Analyst, in
// every department, with different access in each), location = floor(i / 12) mod 3, shift =
// floor(i / 36) mod 2. cost_center is 1:1 with department, division groups two departments, team
// splits each department in five (no access of their own), manager refers to identities,
// employee_number is unique, desk is shared by two, company has one value.

const DEPTS = ['Finance', 'Legal', 'Sales', 'Support'];
const LOCS = ['Berlin', 'Lyon', 'Oslo'];
const N = 240;
const uid = (i: number) => `u${String(i).padStart(3, '0')}`;
const HEADER = 'identity,person,type,status,department,cost_center,title,location,manager,employee_number,desk,shift,division,team,company';

function staff(): { text: string; pairs: [string, string][] } {
  const rows: string[] = [];
  const pairs: [string, string][] = [];
  for (let i = 0; i < N; i++) {
    const dept = DEPTS[i % 4]!;
    const title = Math.floor(i / 4) % 3 === 0 ? 'Lead' : 'Analyst';
    const loc = LOCS[Math.floor(i / 12) % 3]!;
    rows.push(
      [
        uid(i), `p${i}`, 'human', i % 40 === 7 ? 'terminated' : 'active', dept, `CC-${100 + (i % 4)}`, title, loc, uid(Math.floor(i / 8) * 8),
        `E${10000 + i}`, `D${Math.floor(i / 2)}`, Math.floor(i / 36) % 2 ? 'night' : 'day', i % 4 < 2 ? 'Corporate' : 'Field', `${dept}-T${Math.floor(i / 48)}`, 'Acme',
      ].join(','),
    );
    for (const e of ['mail', 'sso', `${dept}:ledger`, `${dept}:wiki`, `${dept}:drive`, `${dept}:${title}:tool`, `${dept}:${title}:queue`, `${loc}:badge`, `${loc}:printer`]) pairs.push([uid(i), e]);
  }
  return { text: `${HEADER}\n${rows.join('\n')}\n`, pairs };
}

function grantsOf(pairs: [string, string][]): GrantsLike {
  const identities = [...new Set(pairs.map((p) => p[0]))].sort();
  const entitlements = [...new Set(pairs.map((p) => p[1]))].sort();
  const id = new Map(identities.map((n, k) => [n, k]));
  const en = new Map(entitlements.map((n, k) => [n, k]));
  return { identities, entitlements, identity: Uint32Array.from(pairs, (p) => id.get(p[0])!), entitlement: Uint32Array.from(pairs, (p) => en.get(p[1])!) };
}

async function staffJoin(text = staff().text) {
  const g = grantsOf(staff().pairs);
  return { g, join: joinIdentities(await readIdentitiesFromText(text, 'staff.csv'), g.identities) };
}

describe('chooseAttributePaths on a hand-built enterprise', () => {
  it('applies every rule: governance, duplicate, joint, independent, near-unique, nothing explained, nested without gain, single value', async () => {
    const { g, join } = await staffJoin();
    const r = chooseAttributePaths(g, join);
    expect(r.paths).toEqual([['department', 'title'], ['location']]);
    // 9 grants each, 2 of them birthright (mail, sso): 240 x 7; department, title and location explain all.
    expect([r.grants, r.birthrightEntitlements, r.explained]).toEqual([1680, 2, 1]);
    expect(r.attributes).toEqual([
      { name: 'person', role: 'ignored', reason: GOVERNANCE_REASON, identities: 240, values: 240, medianGroup: 1 },
      { name: 'type', role: 'ignored', reason: GOVERNANCE_REASON, identities: 240, values: 1, medianGroup: 240 },
      { name: 'status', role: 'ignored', reason: GOVERNANCE_REASON, identities: 240, values: 2, medianGroup: 234 },
      // Its container, division, explains nothing: department is judged as a root (after location).
      { name: 'department', role: 'path', reason: 'explains 42.9% of grants, 42.9% beyond location: a path of its own', identities: 240, values: 4, medianGroup: 60, groups: 4, score: 0.4286, nestsIn: 'division', nesting: 1, gain: 0.4286 },
      { name: 'cost_center', role: 'ignored', reason: 'same groups as department (each nests in the other): a duplicate of it', identities: 240, values: 4, medianGroup: 60, groups: 4, score: 0.4286, duplicateOf: 'department' },
      {
        name: 'title',
        role: 'within',
        reason: 'explains access with department: its (department, title) groups add 28.6% of grants beyond the rest, title alone 0.0%',
        identities: 240,
        values: 2,
        medianGroup: 160,
        groups: 2,
        score: 0,
        within: 'department',
        gain: 0.2857,
      },
      { name: 'location', role: 'path', reason: 'explains 28.6% of grants: the first path', identities: 240, values: 3, medianGroup: 84, groups: 3, score: 0.2857 },
      { name: 'manager', role: 'ignored', reason: 'near-unique: its values are identities of the file (a reference such as a manager), 30 values for 240 identities, median group 8', identities: 240, values: 30, medianGroup: 8 },
      { name: 'employee_number', role: 'ignored', reason: 'near-unique: 240 values for 240 identities, median group 1 (more values than half the identities)', identities: 240, values: 240, medianGroup: 1 },
      { name: 'desk', role: 'ignored', reason: 'near-unique: 120 values for 240 identities, median group 2 (median group below 3)', identities: 240, values: 120, medianGroup: 2 },
      { name: 'shift', role: 'ignored', reason: NOTHING, identities: 240, values: 2, medianGroup: 132, groups: 2, score: 0 },
      { name: 'division', role: 'ignored', reason: NOTHING, identities: 240, values: 2, medianGroup: 120, groups: 2, score: 0 },
      {
        name: 'team',
        role: 'ignored',
        reason: 'its values nest in department (100.0% of identities), but it adds only 0.0% of grants beyond department',
        identities: 240,
        values: 20,
        medianGroup: 12,
        groups: 20,
        score: 0.4286,
        nestsIn: 'department',
        nesting: 1,
        gain: 0,
      },
      { name: 'company', role: 'ignored', reason: "a single value ('Acme') for every identity with one", identities: 240, values: 1, medianGroup: 240 },
    ]);
  });

  it('keeps the first of two duplicates in file order, and nests a duplicate-free child under the kept one', async () => {
    // cost_center first: it is kept, department is its duplicate; title then explains access with cost_center.
    const { text } = staff();
    const lines = text.trim().split('\n').map((l) => l.split(','));
    const swapped = lines.map((f) => [f[0], f[5], f[4], f[6], f[7]].join(',')).join('\n') + '\n';
    const { g, join } = await staffJoin(swapped);
    const r = chooseAttributePaths(g, join);
    expect(r.paths).toEqual([['cost_center', 'title'], ['location']]);
    expect(r.attributes.map((a) => [a.name, a.role, a.duplicateOf ?? a.within ?? null])).toEqual([
      ['cost_center', 'path', null],
      ['department', 'ignored', 'cost_center'],
      ['title', 'within', 'cost_center'],
      ['location', 'path', null],
    ]);
    expect(r.attributes[1]!.reason).toBe('same groups as cost_center (each nests in the other): a duplicate of it');
  });

  it('chooses no path when no attribute explains access', async () => {
    const { text } = staff();
    const lines = text.trim().split('\n').map((l) => l.split(','));
    const only = lines.map((f) => [f[0], f[9], f[11]].join(',')).join('\n') + '\n'; // identity, employee_number, shift
    const { g, join } = await staffJoin(only);
    const r = chooseAttributePaths(g, join);
    expect(r.paths).toEqual([]);
    expect(r.explained).toBe(0);
    expect(r.attributes.map((a) => [a.name, a.role])).toEqual([['employee_number', 'ignored'], ['shift', 'ignored']]);
  });

  it('rejects a join on other identities and options out of range', async () => {
    const { g, join } = await staffJoin();
    expect(() => chooseAttributePaths({ ...g, identities: g.identities.slice(1) }, join)).toThrow(UsageError);
    expect(() => chooseAttributePaths(g, join, { threshold: 0 })).toThrow(UsageError);
    expect(() => chooseAttributePaths(g, join, { minMembers: 0 })).toThrow(UsageError);
  });
});

describe('near-unique and governance attributes never describe a role', () => {
  it('nearUniqueReason: references, more values than half, a median group below 3; nothing below 20 identities', () => {
    const col = (values: string[]) => ({ name: 'x', values, codes: new Uint32Array(0) });
    const keys = new Set(['a', 'b']);
    expect(nearUniqueReason(attributeSpread(col(['', 'a', 'b']), [5, 10, 10], keys))).toBe('near-unique: its values are identities of the file (a reference such as a manager), 2 values for 20 identities, median group 10');
    expect(attributeSpread(col(['', 'a', 'b']), [5, 10, 9], keys)).toEqual({ identities: 19, values: 2, medianGroup: 10, reference: true });
    expect(nearUniqueReason(attributeSpread(col(['', 'a', 'b']), [5, 10, 9], keys))).toBeNull(); // 19 identities
    // 10 groups of 1, 2 of 5: 20 identities, median group 1 (identities ordered by group size).
    const many = Array.from({ length: 12 }, (_, k) => `v${k}`);
    const spread = attributeSpread(col(many), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 5, 5], keys);
    expect(spread).toEqual({ identities: 20, values: 12, medianGroup: 1, reference: false });
    expect(nearUniqueReason(spread)).toBe('near-unique: 12 values for 20 identities, median group 1 (more values than half the identities)');
    expect(nearUniqueReason(attributeSpread(col(many.slice(0, 4)), [5, 5, 5, 5], keys))).toBeNull();
  });

  it('describeRoles leaves out person, type, status and near-unique attributes, unless named or used by a fixed rule', async () => {
    const { g, join } = await staffJoin();
    expect(descriptiveAttributes(join)).toEqual(['department', 'cost_center', 'title', 'location', 'shift', 'division', 'team', 'company']);
    const idx = (i: number) => g.identities.indexOf(uid(i));
    const team0 = [0, 1, 2, 3, 4, 5, 6, 7].map(idx); // manager u000's reports (and u000)
    const finance = Array.from({ length: 60 }, (_, k) => idx(4 * k));
    const roles: Roles = {
      count: 2,
      kind: Uint8Array.from([0, 0]),
      memberOffsets: Uint32Array.from([0, 8, 68]),
      members: Uint32Array.from([...team0, ...finance]),
      entitlementOffsets: Uint32Array.from([0, 1, 2]),
      entitlements: Uint32Array.from([0, 1]),
    };
    const model: Pick<RoleModel, 'identities' | 'roles'> = { identities: g.identities, roles };
    const d = describeRoles(model, join);
    for (const x of d) expect(x.attributes.map((a) => a.attribute)).toEqual(['department', 'cost_center', 'title', 'location', 'shift', 'division', 'team', 'company']);
    // Once 'manager u000'. Finance ties with its cost centre, and 'cost_center' < 'department' wins the tie (describeRoles' rule).
    expect(d.map((x) => x.name)).toEqual(['Berlin / day', 'CC-100']);
    expect(d[0]!.best.rule).toBe("location='Berlin' and shift='day'");
    // A fixed rule keeps its attribute; an explicit list is followed as given.
    const fixed = describeRoles(model, join, { fixed: [{ terms: [{ attribute: 'manager', value: 'u000' }], holders: 8 }, undefined] });
    expect(fixed[0]!.name).toBe('manager u000');
    expect(fixed[0]!.attributes.map((a) => a.attribute)).toContain('manager');
    expect(describeRoles(model, join, { attributes: ['person', 'department'] })[0]!.attributes.map((a) => a.attribute)).toEqual(['person', 'department']);
  });
});

describe('runMine with by: auto', () => {
  it('mines by the chosen paths, records the choice in attributeMining.auto and says so; roles are never named after a manager', async () => {
    const ent = generateEnterprise({ identities: 1000, seed: 3 });
    const table = await readIdentitiesFromText(identitiesCsvText(ent), 'identities.csv');
    const engine = await createEngine();
    try {
      const run = await runMine({ grants: enterpriseGrants(ent), identities: table, memberships: null }, { by: { paths: 'auto' }, peers: false }, engine);
      const am = run.model.summary.attributeMining!;
      expect(am.paths).toEqual(['department,title', 'location']);
      expect(am.auto!.paths).toEqual(['department,title', 'location']);
      expect(am.auto!.attributes.map((a) => [a.name, a.role])).toEqual([
        ['department', 'path'],
        ['title', 'within'],
        ['location', 'path'],
        ['manager', 'ignored'],
        ['employment_type', 'ignored'],
      ]);
      expect(am.groupRoles).toBeGreaterThan(40);
      expect(run.notices).toContain('--by auto: mined by department,title and location; ignored: manager, employment_type (summary.json attributeMining.auto says why)');
      expect(run.descriptions!.some((x) => /manager/.test(x.name) || x.attributes.some((a) => a.attribute === 'manager'))).toBe(false);
      expect(run.model.summary.timings['autoByMs']).toBeGreaterThanOrEqual(0);

      // No attribute explains access: everything bottom-up, the counts 0, and a notice.
      const { text, pairs } = staff();
      const only = text.trim().split('\n').map((l) => l.split(',')).map((f) => [f[0], f[9], f[11]].join(',')).join('\n') + '\n';
      const none = await runMine({ grants: grantsFromPairs(pairs), identities: await readIdentitiesFromText(only, 'only.csv'), memberships: null }, { by: { paths: 'auto' }, peers: false }, engine);
      const s = none.model.summary.attributeMining!;
      expect([s.paths, s.groupRoles, s.rolesKept, s.bottomUpRoles, s.auto!.paths]).toEqual([[], 0, 0, none.model.roles.count, []]);
      expect(none.notices).toContain('--by auto: no attribute explains access (summary.json attributeMining.auto says why): mined bottom-up only');
    } finally {
      engine.dispose();
    }
  });

  it('the command line takes --by auto alone (exit 2 otherwise)', async () => {
    let err = '';
    const io = { out: () => undefined, err: (s: string) => void (err += s), tty: false };
    for (const by of [['--by', 'auto', '--by', 'location'], ['--by', 'auto,title']]) {
      err = '';
      expect(await runCli(['mine', 'grants.csv', '--identities', 'identities.csv', ...by], io)).toBe(2);
      expect(err).toBe('rolemill: --by auto chooses the attribute paths itself: give it alone, without attribute paths\n');
    }
    err = '';
    expect(await runCli(['mine', 'grants.csv', '--by', 'auto'], io)).toBe(2);
    expect(err).toBe('rolemill: --by needs --identities FILE (the attributes to mine by)\n');
  });
});
