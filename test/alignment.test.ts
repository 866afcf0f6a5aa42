import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRoles, mineByAttributes, ruleOf, type GrantsLike } from '../src/analysis/alignment.js';
import { joinIdentities } from '../src/analysis/identities.js';
import { readIdentitiesFromChunks, readIdentitiesFromText, type IdentityTable, type IdentityWarning } from '../src/ingest/identities.js';
import { readIdentities } from '../src/ingest/node.js';
import { InputError, UsageError } from '../src/errors.js';
import { generateEnterprise } from '../src/generate.js';
import type { RoleModel, Roles } from '../src/model/model.js';

const dir = mkdtempSync(join(tmpdir(), 'rolemill-align-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** Roles in compressed form from [kind, member ids, entitlement ids] lists. */
function rolesOf(list: [number, number[], number[]][]): Roles {
  const memberOffsets = new Uint32Array(list.length + 1);
  const entitlementOffsets = new Uint32Array(list.length + 1);
  list.forEach(([, m, e], r) => {
    memberOffsets[r + 1] = memberOffsets[r]! + m.length;
    entitlementOffsets[r + 1] = entitlementOffsets[r]! + e.length;
  });
  return {
    count: list.length,
    kind: Uint8Array.from(list, (x) => x[0]),
    memberOffsets,
    members: Uint32Array.from(list.flatMap((x) => x[1])),
    entitlementOffsets,
    entitlements: Uint32Array.from(list.flatMap((x) => x[2])),
  };
}

const slice = (off: Uint32Array, v: Uint32Array, r: number): number[] => Array.from(v.subarray(off[r], off[r + 1]));

// ---------------------------------------------------------------------------------------------------

describe('readIdentities', () => {
  it('reads a columnar table with sorted dictionaries, rows in file order', async () => {
    const t = await readIdentitiesFromText('identity,department,title\nb,Sales,Rep\na,Finance,\nc,Sales,Lead\n', 'ids.csv');
    expect(t.keyColumn).toBe('identity');
    expect(t.keys).toEqual(['b', 'a', 'c']);
    expect(Array.from(t.lines)).toEqual([2, 3, 4]);
    expect(t.attributes.map((a) => a.name)).toEqual(['department', 'title']);
    expect(t.attributes[0]!.values).toEqual(['Finance', 'Sales']);
    expect(Array.from(t.attributes[0]!.codes)).toEqual([1, 0, 1]);
    expect(t.attributes[1]!.values).toEqual(['', 'Lead', 'Rep']);
    expect(Array.from(t.attributes[1]!.codes)).toEqual([2, 0, 1]);
  });

  it('follows the grants reader dialect: BOM, CRLF, quoted fields, blank lines; chunk boundaries do not matter', async () => {
    const text = '\uFEFFuser,title,site\r\n\r\n"u1","Lead, ""Ops""",NY\r\nu2,"two\r\nlines",\r\n';
    const whole = await readIdentitiesFromText(text, 'ids.csv', { keyColumn: 'user' });
    expect(whole.keys).toEqual(['u1', 'u2']);
    expect(whole.attributes[0]!.values).toEqual(['Lead, "Ops"', 'two\r\nlines']);
    expect(Array.from(whole.lines)).toEqual([3, 4]);
    const bytes = new TextEncoder().encode(text);
    const oneByte = await readIdentitiesFromChunks(
      (async function* () {
        for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
      })(),
      'ids.csv',
      { keyColumn: 'user' },
    );
    expect(oneByte).toEqual(whole);
  });

  it('reads a file by path', async () => {
    const path = join(dir, 'ids.csv');
    writeFileSync(path, 'identity,department\na,X\n');
    const t = await readIdentities(path);
    expect(t.source).toBe(path);
    expect(t.keys).toEqual(['a']);
  });

  it('rejects a duplicate identity row, naming both lines', async () => {
    const e = await rejection(readIdentitiesFromText('identity,department\na,X\nb,Y\n\na,Z\n', 'ids.csv'));
    expect(e).toBeInstanceOf(InputError);
    expect(e).toMatchObject({ file: 'ids.csv', line: 5, column: 'identity' });
    expect(e.message).toBe("ids.csv:5 (column identity): duplicate identity 'a' on lines 2 and 5: expected one row per identity");
  });

  it('rejects a missing key column, listing the columns found', async () => {
    const e = await rejection(readIdentitiesFromText('user,department\na,X\n', 'ids.csv'));
    expect(e).toBeInstanceOf(InputError);
    expect(e).toMatchObject({ line: 1 });
    expect(e.message).toContain("missing column 'identity'; columns found: 'user', 'department'");
    const e2 = await rejection(readIdentitiesFromText('identity,department\na,X\n', 'ids.csv', { keyColumn: 'login' }));
    expect(e2.message).toContain("missing column 'login'; columns found: 'identity', 'department'");
  });

  it('rejects an empty key', async () => {
    const e = await rejection(readIdentitiesFromText('identity,department\na,X\n,Y\n', 'ids.csv'));
    expect(e).toBeInstanceOf(InputError);
    expect(e).toMatchObject({ line: 3, column: 'identity' });
    expect(e.message).toContain('empty identity');
    const quoted = await rejection(readIdentitiesFromText('department,identity\nY,""\n', 'ids.csv'));
    expect(quoted).toMatchObject({ line: 2, column: 'identity' });
  });

  it('rejects malformed CSV, a repeated column, an empty file, a header without rows and an unreadable path', async () => {
    const cases: [string, RegExp, number | undefined][] = [
      ['identity,department\na,"X\n', /unbalanced quote/, 2],
      ['identity,department\na,X,extra\n', /expected 2 fields as in the header, found 3/, 2],
      ['identity,department\na,X"Y\n', /unexpected quote/, 2],
      ['identity,department,department\na,X,Y\n', /column 'department' appears twice in the header \(columns 2 and 3\)/, 1],
      ['', /empty file/, undefined],
      ['identity,department\n', /no identities/, undefined],
    ];
    for (const [text, re, line] of cases) {
      const e = await rejection(readIdentitiesFromText(text, 'ids.csv'));
      expect(e, text).toBeInstanceOf(InputError);
      expect(e.message, text).toMatch(re);
      expect((e as InputError).line, text).toBe(line);
    }
    const bad = new Uint8Array([...new TextEncoder().encode('identity,title\na,'), 0xff, 0x0a]);
    const e = await rejection(
      readIdentitiesFromChunks(
        (async function* () {
          yield bad;
        })(),
        'ids.csv',
      ),
    );
    expect(e).toMatchObject({ line: 2, column: 'title' });
    const missing = await rejection(readIdentities(join(dir, 'nope.csv')));
    expect(missing).toBeInstanceOf(InputError);
    expect(missing.message).toContain('no such file');
  });

  it('ignores unnamed header columns with a warning', async () => {
    const warnings: IdentityWarning[] = [];
    const t = await readIdentitiesFromText('identity,department,\na,X,\n', 'ids.csv', { onWarning: (w) => warnings.push(w) });
    expect(t.attributes.map((a) => a.name)).toEqual(['department']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'unnamed_column', count: 1, examples: ['3'] });
  });
});

// ---------------------------------------------------------------------------------------------------
// A hand-built enterprise. Model identities: a..j and z (sorted: ids 0..10); k has a row but no
// grants, z has grants but no row, j has an empty location.

const PEOPLE = `identity,department,title,location
a,Finance,Accountant,NY
b,Finance,Accountant,NY
c,Finance,Accountant,LDN
d,Finance,Analyst,NY
e,Finance,Analyst,LDN
f,Sales,Rep,NY
g,Sales,Rep,NY
h,Sales,Analyst,LDN
i,Sales,Manager,LDN
j,Engineering,Dev,
k,Legal,Counsel,NY
`;
const MODEL_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'z'];
const id = (n: string) => MODEL_IDS.indexOf(n);
const ids = (s: string) => [...s].map(id);

describe('joinIdentities', () => {
  it('maps identity ids to rows and counts every mismatch with examples', async () => {
    const t = await readIdentitiesFromText(PEOPLE, 'people.csv');
    const seen: IdentityWarning[] = [];
    const j = joinIdentities(t, MODEL_IDS, { onWarning: (w) => seen.push(w) });
    expect(Array.from(j.row)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1]);
    expect(j.matched).toBe(10);
    expect(j.warnings.map((w) => [w.kind, w.attribute, w.count, w.examples])).toEqual([
      ['missing_identity', undefined, 1, ['z']],
      ['identity_without_grants', undefined, 1, ['k']],
      ['empty_value', 'location', 1, ['j']],
    ]);
    expect(seen).toEqual(j.warnings);
    expect(j.warnings[0]!.message).toBe("people.csv: 1 of 11 identities holding grants have no row (e.g. 'z'); they have no attribute values");
  });

  it('keeps at most 5 examples and flags names that differ only in case or spaces', async () => {
    const t = await readIdentitiesFromText('identity,department\nAlice,X\nbob,Y\n', 'p.csv');
    const names = ['alice ', 'bob', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    const j = joinIdentities(t, names);
    expect(Array.from(j.row)).toEqual([-1, 1, -1, -1, -1, -1, -1, -1]);
    const miss = j.warnings[0]!;
    expect(miss).toMatchObject({ kind: 'missing_identity', count: 7, examples: ['alice ', 'm1', 'm2', 'm3', 'm4'] });
    expect(miss.message).toContain('1 of them match a row only when case and surrounding spaces are ignored');
    expect(j.warnings[1]).toMatchObject({ kind: 'identity_without_grants', count: 1, examples: ['Alice'] });
  });
});

describe('describeRoles', () => {
  async function fixture() {
    const t = await readIdentitiesFromText(PEOPLE, 'people.csv');
    const join = joinIdentities(t, MODEL_IDS);
    const roles = rolesOf([
      [0, ids('abc'), [0]], // accountants
      [0, ids('de'), [1]], // Finance analysts (a pair)
      [0, ids('abdf'), [2]], // NY, mostly
      [0, ids('jz'), [3]], // Engineering + an identity without a row
      [1, ids('abcdefghijz'), [4]], // everyone
      [0, ids('abc'), [5]], // accountants again
    ]);
    const model: Pick<RoleModel, 'identities' | 'roles'> = { identities: MODEL_IDS, roles };
    return { t, join, model };
  }

  it('gives exact coverage, precision, best descriptor, name and score', async () => {
    const { join, model } = await fixture();
    const d = describeRoles(model, join, { kindPrefix: { 1: 'Birthright' } });
    expect(d.map((x) => x.name)).toEqual(['Accountant', 'Finance / Analyst', 'NY', 'Engineering', 'Birthright', 'Accountant (2)']);
    expect(d.map((x) => x.best.rule)).toEqual([
      "title='Accountant'",
      "department='Finance' and title='Analyst'",
      "location='NY'",
      "department='Engineering'",
      'true',
      "title='Accountant'",
    ]);
    expect(d.map((x) => x.quality.score)).toEqual([84, 82, 81, 53, 92, 84]);

    // Role 0 (a, b, c): Accountant 3 of 3 members, 3 holders; Finance 3 of 3 members, 5 holders.
    const r0 = d[0]!;
    expect(r0.best).toEqual({ terms: [{ attribute: 'title', value: 'Accountant' }], rule: "title='Accountant'", members: 3, holders: 3, coverage: 1, precision: 1, f1: 1 });
    expect(r0.attributes.map((a) => a.attribute)).toEqual(['department', 'title', 'location']);
    expect(r0.attributes[0]).toEqual({ attribute: 'department', unknown: 0, values: [{ value: 'Finance', members: 3, holders: 5, coverage: 1, precision: 0.6, f1: 0.75 }] });
    expect(r0.attributes[2]!.values).toEqual([
      { value: 'NY', members: 2, holders: 5, coverage: 2 / 3, precision: 0.4, f1: 0.5 },
      { value: 'LDN', members: 1, holders: 4, coverage: 1 / 3, precision: 0.25, f1: 2 / 7 },
    ]);
    expect(r0.quality).toEqual({ score: 84, f1: 1, purity: 1, cohesion: 3 / 8 }); // 50 + 25 + 25 x 3/8 = 84.375

    // Role 1 (d, e): Analyst alone has 3 holders (F1 0.8); Finance & Analyst exactly the members.
    const r1 = d[1]!;
    expect(r1.best).toMatchObject({ terms: [{ attribute: 'department', value: 'Finance' }, { attribute: 'title', value: 'Analyst' }], members: 2, holders: 2, f1: 1 });
    expect(r1.attributes[1]!.values).toEqual([{ value: 'Analyst', members: 2, holders: 3, coverage: 1, precision: 2 / 3, f1: 0.8 }]);

    // Role 2 (a, b, d, f): NY 4 of 4, 5 holders: F1 8/9 beats Finance (3 of 4, 5 holders: 2/3) and Finance & NY (6/7).
    const r2 = d[2]!;
    expect(r2.best).toEqual({ terms: [{ attribute: 'location', value: 'NY' }], rule: "location='NY'", members: 4, holders: 5, coverage: 1, precision: 0.8, f1: 8 / 9 });
    expect(r2.attributes[0]!.values.map((v) => [v.value, v.members])).toEqual([['Finance', 3], ['Sales', 1]]);
    expect(r2.quality.score).toBe(Math.round(50 * (8 / 9) + 25 + 25 * (4 / 9))); // 80.56

    // Role 3 (j, z): Engineering and Dev tie at F1 2/3; 'department' < 'title'. z has no row, j no location.
    const r3 = d[3]!;
    expect(r3.best).toMatchObject({ terms: [{ attribute: 'department', value: 'Engineering' }], members: 1, holders: 1, coverage: 0.5, precision: 1 });
    expect(r3.best.f1).toBeCloseTo(2 / 3, 15);
    expect(r3.attributes[2]).toEqual({ attribute: 'location', unknown: 2, values: [] });
    expect(r3.quality.purity).toBe(0.5);

    // Role 4: everyone, F1 1 (holders = all 11 model identities, with or without a row).
    expect(d[4]!.best).toEqual({ terms: [], rule: 'true', members: 11, holders: 11, coverage: 1, precision: 1, f1: 1 });
  });

  it('uses caller cohesion, attribute subsets, top-value limits, pair switch and default names', async () => {
    const { join, model } = await fixture();
    const d = describeRoles(model, join, { cohesion: [1, 0.5, 0, 0, 1, 0] });
    expect(d.map((x) => x.quality.score)).toEqual([100, 88, 69, 46, 100, 75]);
    expect(d[4]!.name).toBe('Everyone');
    const noPairs = describeRoles(model, join, { pairs: false });
    expect(noPairs[1]!.best.rule).toBe("title='Analyst'");
    expect(noPairs[1]!.name).toBe('Analyst');
    const sub = describeRoles(model, join, { attributes: ['location', 'department'], topValues: 1 });
    expect(sub[0]!.attributes.map((a) => a.attribute)).toEqual(['department', 'location']);
    expect(sub[0]!.attributes[1]!.values.map((v) => v.value)).toEqual(['NY']);
    // Finance (F1 0.75) beats the pair Finance & NY (2 members, 3 holders: F1 2/3).
    expect(sub[0]!.best.rule).toBe("department='Finance'");
  });

  it('is deterministic and independent of the row order of the identities file', async () => {
    const { join, model } = await fixture();
    const lines = PEOPLE.trim().split('\n');
    const shuffled = [lines[0], ...lines.slice(1).reverse()].join('\n') + '\n';
    const j2 = joinIdentities(await readIdentitiesFromText(shuffled, 'people.csv'), MODEL_IDS);
    expect(describeRoles(model, j2)).toEqual(describeRoles(model, join));
  });

  it('rejects a join on other identities, unknown attributes and bad cohesion', async () => {
    const { t, join, model } = await fixture();
    const other = joinIdentities(t, ['a', 'b']);
    expect(thrown(() => describeRoles(model, other))).toBeInstanceOf(UsageError);
    const e = thrown(() => describeRoles(model, join, { attributes: ['dept'] }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe("unknown attribute 'dept' in people.csv; available attributes: 'department', 'title', 'location'");
    expect(thrown(() => describeRoles(model, join, { cohesion: [1] }))).toBeInstanceOf(UsageError);
    expect(thrown(() => describeRoles(model, join, { cohesion: [1, 1, 1, 1, 2, 1] }))).toBeInstanceOf(UsageError);
  });

  it('writes references to identities with their attribute name, and rules with quotes doubled', async () => {
    const t = await readIdentitiesFromText("identity,manager,team\nm,,O'Neil\np,m,O'Neil\nq,m,O'Neil\nr,p,x\n", 'p.csv');
    const names = ['m', 'p', 'q', 'r'];
    const d = describeRoles({ identities: names, roles: rolesOf([[0, [1, 2], [0]], [0, [0, 1, 2], [0]]]) }, joinIdentities(t, names));
    expect(d[0]!.name).toBe('manager m');
    expect(d[0]!.best.rule).toBe("manager='m'");
    expect(d[1]!.name).toBe("O'Neil");
    expect(d[1]!.best.rule).toBe("team='O''Neil'");
    expect(ruleOf([])).toBe('true');
  });
});

// ---------------------------------------------------------------------------------------------------
// Attribute-driven mining on a hand-built enterprise.

const STAFF = `identity,department,title
f1,Finance,Accountant
f2,Finance,Accountant
f3,Finance,Accountant
f4,Finance,Accountant
f5,Finance,Accountant
f6,Finance,Clerk
s1,Sales,Rep
s2,Sales,Rep
s3,Sales,Rep
s4,Sales,Rep
s5,Sales,Rep
s6,Sales,Rep
h1,HR,Partner
h2,HR,Partner
x1,,Temp
`;

function staffGrants(): GrantsLike {
  const pairs: [string, string][] = [];
  const all = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 's1', 's2', 's3', 's4', 's5', 's6', 'h1', 'h2', 'x1', 'n1'];
  for (const p of all) pairs.push([p, 'mail']);
  for (const p of ['f1', 'f2', 'f3', 'f4', 'f5', 'f6']) pairs.push([p, 'gl']);
  for (const p of ['f1', 'f2', 'f3', 'f4', 'f5']) pairs.push([p, 'ap']);
  for (const p of ['f1', 'f2', 'f3', 'f4']) pairs.push([p, 'ledger']);
  pairs.push(['f1', 'x']);
  for (const p of ['s1', 's2', 's3', 's4', 's5', 's6']) pairs.push([p, 'crm']);
  for (const p of ['s1', 's2', 's3', 's4']) pairs.push([p, 'quote']);
  for (const p of ['h1', 'h2']) pairs.push([p, 'hrportal']);
  const identities = [...new Set(pairs.map((p) => p[0]))].sort();
  const entitlements = [...new Set(pairs.map((p) => p[1]))].sort();
  return {
    identities,
    entitlements,
    identity: Uint32Array.from(pairs, (p) => identities.indexOf(p[0])),
    entitlement: Uint32Array.from(pairs, (p) => entitlements.indexOf(p[1])),
  };
}

/** Roles as [rule, kind, member names, entitlement names]. */
function named(g: GrantsLike, res: ReturnType<typeof mineByAttributes>): [string, number, string[], string[]][] {
  const r = res.roles;
  return res.rules.map((rule, k) => [
    rule,
    r.kind[k]!,
    slice(r.memberOffsets, r.members, k).map((i) => g.identities[i]!),
    slice(r.entitlementOffsets, r.entitlements, k).map((e) => g.entitlements[e]!),
  ]);
}

describe('mineByAttributes', () => {
  async function setup() {
    const g = staffGrants();
    const t = await readIdentitiesFromText(STAFF, 'staff.csv');
    return { g, t, join: joinIdentities(t, g.identities) };
  }
  const FIN = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'];
  const SALES = ['s1', 's2', 's3', 's4', 's5', 's6'];

  it('mines a birthright role, then one role per value with what at least threshold of its holders hold', async () => {
    const { g, join } = await setup();
    const res = mineByAttributes(g, join, ['department']);
    expect(named(g, res)).toEqual([
      ['true', 1, g.identities, ['mail']],
      ["department='Finance'", 0, FIN, ['ap', 'gl']], // ledger 4 of 6 < ceil(0.8 x 6) = 5; mail is birthright
      ["department='Sales'", 0, SALES, ['crm']], // quote 4 of 6
    ]);
    expect(res.terms[1]).toEqual([{ attribute: 'department', value: 'Finance' }]);
    expect(res).toMatchObject({ smallGroups: 1, emptyGroups: 0, identitiesWithoutValues: 2 }); // HR (2 < 5); x1 (empty), n1 (no row)
  });

  it('nests combinations top-down, leaving out what ancestors give', async () => {
    const { g, join } = await setup();
    const res = mineByAttributes(g, join, ['department', 'title'], 0.8, 5);
    expect(named(g, res)).toEqual([
      ['true', 1, g.identities, ['mail']],
      ["department='Finance'", 0, FIN, ['ap', 'gl']],
      ["department='Sales'", 0, SALES, ['crm']],
      ["department='Finance' and title='Accountant'", 0, ['f1', 'f2', 'f3', 'f4', 'f5'], ['ledger']], // 4 of 5
    ]);
    // Small: HR, Finance/Clerk, HR/Partner. Empty: Sales/Rep (crm is its parent's).
    expect(res).toMatchObject({ smallGroups: 3, emptyGroups: 1, identitiesWithoutValues: 2 });
    const flat = mineByAttributes(g, join, ['department', 'title'], 0.8, 5, { nested: false });
    expect(named(g, flat)).toEqual([
      ['true', 1, g.identities, ['mail']],
      ["department='Sales' and title='Rep'", 0, SALES, ['crm']],
      ["department='Finance' and title='Accountant'", 0, ['f1', 'f2', 'f3', 'f4', 'f5'], ['ap', 'gl', 'ledger']],
    ]);
  });

  it('honours threshold, minMembers and the birthright switch; duplicate grants count once', async () => {
    const { g, join } = await setup();
    const twoThirds = mineByAttributes(g, join, ['department'], 2 / 3, 5, { birthright: false });
    expect(named(g, twoThirds)).toEqual([
      ["department='Finance'", 0, FIN, ['ap', 'gl', 'ledger', 'mail']],
      ["department='Sales'", 0, SALES, ['crm', 'mail', 'quote']],
    ]);
    const small = mineByAttributes(g, join, ['department'], 0.8, 2);
    expect(small.rules).toEqual(['true', "department='Finance'", "department='Sales'", "department='HR'"]);
    const dup: GrantsLike = { ...g, identity: Uint32Array.from([...g.identity, ...g.identity]), entitlement: Uint32Array.from([...g.entitlement, ...g.entitlement]) };
    expect(mineByAttributes(dup, join, ['department', 'title'])).toEqual(mineByAttributes(g, join, ['department', 'title']));
  });

  it('vetoes an entitlement that a sizable sub-group mostly lacks, and lets a finer group take it', async () => {
    // Ops: 8 analysts hold 'tool' (8 of 10 = threshold), the 2 managers do not.
    const rows = ['identity,department,title', ...Array.from({ length: 10 }, (_, k) => `o${k},Ops,${k < 8 ? 'Analyst' : 'Manager'}`)];
    const t = await readIdentitiesFromText(rows.join('\n') + '\n', 'ops.csv');
    const people = Array.from({ length: 10 }, (_, k) => `o${k}`);
    const g: GrantsLike = {
      identities: people,
      entitlements: ['tool', 'wiki'],
      identity: Uint32Array.from([...people.keys(), 0, 1, 2, 3, 4, 5, 6, 7]),
      entitlement: Uint32Array.from([...people.map(() => 1), 0, 0, 0, 0, 0, 0, 0, 0]),
    };
    const j = joinIdentities(t, people);
    const res = mineByAttributes(g, j, ['department', 'title'], 0.8, 2, { birthright: false });
    expect(named(g, res)).toEqual([
      ["department='Ops'", 0, people, ['wiki']],
      ["department='Ops' and title='Analyst'", 0, people.slice(0, 8), ['tool']],
    ]);
    expect(res.vetoes).toEqual([{ rule: "department='Ops'", entitlement: 0, attribute: 'title', value: 'Manager', holders: 0, size: 2 }]);
    // Without the check (or with sub-groups too small to count) the department role takes it.
    expect(named(g, mineByAttributes(g, j, ['department'], 0.8, 2, { birthright: false, veto: [] }))[0]![3]).toEqual(['tool', 'wiki']);
    expect(named(g, mineByAttributes(g, j, ['department'], 0.8, 3, { birthright: false }))[0]![3]).toEqual(['tool', 'wiki']);
    expect(thrown(() => mineByAttributes(g, j, ['department'], 0.8, 2, { veto: ['grade'] }))).toBeInstanceOf(UsageError);
  });

  it('mines several attribute paths level by level: a finer group leaves what a coarser role of another path gives', async () => {
    // Ops o0-o9: directors o0-o4 and analysts o5, o6 in Paris, analysts o7-o9 in Rome; Sales s0-s3 in Paris.
    const people = [...Array.from({ length: 10 }, (_, k) => `o${k}`), 's0', 's1', 's2', 's3'];
    const where = (p: string) => (p.startsWith('s') || Number(p.slice(1)) < 7 ? 'Paris' : 'Rome');
    const title = (p: string) => (p.startsWith('s') ? 'Rep' : Number(p.slice(1)) < 5 ? 'Director' : 'Analyst');
    const rows = ['identity,department,title,location', ...people.map((p) => `${p},${p.startsWith('s') ? 'Sales' : 'Ops'},${title(p)},${where(p)}`)];
    const t = await readIdentitiesFromText(rows.join('\n') + '\n', 'org.csv');
    const pairs: [string, string][] = [];
    for (const p of people) {
      pairs.push([p, p.startsWith('s') ? 'crm' : 'ops-tool']);
      if (where(p) === 'Paris') pairs.push([p, 'badge-paris']);
      if (title(p) === 'Director') pairs.push([p, 'dir-tool']);
    }
    const ents = ['badge-paris', 'crm', 'dir-tool', 'ops-tool'];
    const g: GrantsLike = {
      identities: people,
      entitlements: ents,
      identity: Uint32Array.from(pairs, (x) => people.indexOf(x[0])),
      entitlement: Uint32Array.from(pairs, (x) => ents.indexOf(x[1])),
    };
    const j = joinIdentities(t, people);
    const opts = { birthright: false, veto: [] };
    const both = mineByAttributes(g, j, [['department', 'title'], ['location']], 0.8, 4, opts);
    const paris = people.filter((p) => where(p) === 'Paris');
    expect(named(g, both)).toEqual([
      ["location='Paris'", 0, paris, ['badge-paris']],
      ["department='Ops'", 0, people.slice(0, 10), ['ops-tool']],
      ["department='Ops' and title='Director'", 0, people.slice(0, 5), ['dir-tool']], // not badge-paris: Paris gives it
      ["department='Sales'", 0, ['s0', 's1', 's2', 's3'], ['crm']],
    ]);
    // One path alone: the directors, all in Paris, take the badge too.
    expect(named(g, mineByAttributes(g, j, ['department', 'title'], 0.8, 4, opts))[1]).toEqual([
      "department='Ops' and title='Director'", 0, people.slice(0, 5), ['badge-paris', 'dir-tool'],
    ]);
    // A prefix shared by two paths is mined once; the order of the paths does not matter.
    const again = mineByAttributes(g, j, [['location'], ['department', 'title'], ['department']], 0.8, 4, opts);
    expect(named(g, again)).toEqual(named(g, both));
    expect(thrown(() => mineByAttributes(g, j, [['department'], []]))).toBeInstanceOf(UsageError);
    expect(thrown(() => mineByAttributes(g, j, [['department'], ['site']])).message).toBe(
      "unknown attribute 'site' in org.csv; available attributes: 'department', 'title', 'location'",
    );
  });

  it('takes its own birthright threshold', async () => {
    const { g, join } = await setup();
    // mail: 16 of 16; with a birthright share of 0 there is no birthright role, and mail is everyone's in each group.
    expect(mineByAttributes(g, join, ['department'], 0.8, 5, { birthrightThreshold: 0 }).rules).toEqual(["department='Finance'", "department='Sales'"]);
    expect(named(g, mineByAttributes(g, join, ['department'], 0.8, 5, { birthrightThreshold: 1 }))[0]).toEqual(['true', 1, g.identities, ['mail']]);
    expect(thrown(() => mineByAttributes(g, join, ['department'], 0.8, 5, { birthrightThreshold: 2 }))).toBeInstanceOf(UsageError);
  });

  it('rejects unknown or repeated attributes, bad knobs and a join on other identities', async () => {
    const { g, t, join } = await setup();
    const e = thrown(() => mineByAttributes(g, join, ['department', 'dept']));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe("unknown attribute 'dept' in staff.csv; available attributes: 'department', 'title'");
    for (const f of [
      () => mineByAttributes(g, join, []),
      () => mineByAttributes(g, join, ['title', 'title']),
      () => mineByAttributes(g, join, ['title'], 0),
      () => mineByAttributes(g, join, ['title'], 1.5),
      () => mineByAttributes(g, join, ['title'], 0.8, 0),
      () => mineByAttributes(g, joinIdentities(t, g.identities.slice(1)), ['title']),
    ]) {
      expect(thrown(f)).toBeInstanceOf(UsageError);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The generator's planted truth.

describe('on a generated enterprise (1000 identities, seed 3)', () => {
  const ent = generateEnterprise({ identities: 1000, seed: 3 });
  const names = ent.identities.map((x) => x.id);
  const grants: GrantsLike = { identity: ent.grants.identity, entitlement: ent.grants.entitlement, identities: names, entitlements: ent.entitlementNames };
  let table: IdentityTable;
  const load = async () => {
    if (table) return table;
    const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    const rows = ent.identities.map((x) => [x.id, x.department, x.title, x.location, x.manager, x.employmentType].map(q).join(','));
    const path = join(dir, 'identities.csv');
    writeFileSync(path, ['identity,department,title,location,manager,employment_type', ...rows].join('\n') + '\n');
    table = await readIdentities(path);
    return table;
  };
  const jaccard = (a: string[], b: string[]): number => {
    const s = new Set(a);
    const inter = b.filter((x) => s.has(x)).length;
    return inter / (a.length + b.length - inter);
  };

  it('recovers every planted department role from the department attribute', async () => {
    const j = joinIdentities(await load(), names);
    expect(j.matched).toBe(1000);
    expect(j.warnings.map((w) => [w.kind, w.attribute, w.count])).toEqual([['empty_value', 'manager', 1]]); // the root
    const res = mineByAttributes(grants, j, ['department'], 0.8);
    const planted = ent.roles.filter((r) => r.kind === 'department');
    expect(planted.length).toBeGreaterThan(0);
    for (const p of planted) {
      const k = res.rules.indexOf(p.rule);
      expect(k, p.rule).toBeGreaterThanOrEqual(0);
      const got = slice(res.roles.entitlementOffsets, res.roles.entitlements, k).map((e) => ent.entitlementNames[e]!);
      expect(jaccard(got, p.entitlements), p.rule).toBeGreaterThanOrEqual(0.9);
      expect(slice(res.roles.memberOffsets, res.roles.members, k).map((i) => names[i]!), p.rule).toEqual(p.members);
    }
    // The birthright role comes first and matches the planted one.
    expect(res.rules[0]).toBe('true');
    const br = ent.roles.find((r) => r.kind === 'birthright')!;
    expect(jaccard(slice(res.roles.entitlementOffsets, res.roles.entitlements, 0).map((e) => ent.entitlementNames[e]!), br.entitlements)).toBeGreaterThanOrEqual(0.9);
  });

  it('recovers the planted title roles when nesting department, title', async () => {
    const j = joinIdentities(await load(), names);
    const res = mineByAttributes(grants, j, ['department', 'title'], 0.8, 5);
    // The department roles' vetoes are the planted cross-track entitlements, each lacked by a whole
    // management title; nothing else is vetoed.
    expect(res.vetoes.every((v) => v.attribute === 'title' && v.holders === 0 && v.size >= 5)).toBe(true);
    const planted = ent.roles.filter((r) => r.kind === 'title' && r.members.length >= 5);
    expect(planted.length).toBeGreaterThan(30);
    let good = 0;
    for (const p of planted) {
      const k = res.rules.indexOf(p.rule);
      expect(k, p.rule).toBeGreaterThanOrEqual(0);
      const got = slice(res.roles.entitlementOffsets, res.roles.entitlements, k).map((e) => ent.entitlementNames[e]!);
      const jac = jaccard(got, p.entitlements);
      if (jac >= 0.9) good++;
      // Small groups can also pick up what is common among them by chance (their office's
      // location entitlements); from 25 members on, every title role is recovered.
      if (p.members.length >= 25) expect(jac, p.rule).toBeGreaterThanOrEqual(0.9);
    }
    expect(good / planted.length).toBeGreaterThanOrEqual(0.85);
  });

  it('describes planted roles by the attributes they were planted from', async () => {
    const j = joinIdentities(await load(), names);
    const entIndex = new Map(ent.entitlementNames.map((n, e) => [n, e]));
    const idIndex = new Map(names.map((n, i) => [n, i]));
    const model: Pick<RoleModel, 'identities' | 'roles'> = {
      identities: names,
      roles: rolesOf(
        ent.roles.map((r) => [
          r.kind === 'birthright' ? 1 : 0,
          r.members.map((m) => idIndex.get(m)!),
          r.entitlements.map((x) => entIndex.get(x)!),
        ]),
      ),
    };
    const d = describeRoles(model, j, { kindPrefix: { 1: 'Birthright' } });
    const attrScores: number[] = [];
    const projectScores: number[] = [];
    let titles = 0;
    let byTitle = 0;
    ent.roles.forEach((p, r) => {
      const x = d[r]!;
      if (p.kind === 'birthright') {
        expect(x.name).toBe('Birthright');
        expect(x.best.rule).toBe('true');
      } else if (p.kind === 'department' || p.kind === 'location') {
        expect(x.best.rule, p.id).toBe(p.rule);
        expect(x.best.f1).toBe(1);
        expect(x.name).toBe(x.best.terms[0]!.value);
      } else if (p.kind === 'title') {
        // Exactly its members. Usually by its title; a title held by exactly the reports of one
        // manager (the directors of a department: the VP's reports) ties with manager=..., and
        // 'manager' < 'title' wins the tie.
        const title = /title='(.*)'$/.exec(p.rule)![1]!;
        expect(x.best.f1, p.id).toBe(1);
        if (x.best.terms.some((t) => t.attribute === 'title' && t.value === title)) byTitle++;
        else expect(x.best.terms.map((t) => t.attribute), p.id).toEqual(['manager']);
        titles++;
      }
      if (p.kind === 'project') projectScores.push(x.quality.score);
      else if (p.kind !== 'birthright') {
        attrScores.push(x.quality.score);
        expect(x.quality.score).toBeGreaterThanOrEqual(75);
      }
    });
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(projectScores.length).toBeGreaterThan(0);
    expect(mean(projectScores)).toBeLessThan(mean(attrScores) - 20);
    expect(byTitle / titles).toBeGreaterThanOrEqual(0.9);
  });
});
