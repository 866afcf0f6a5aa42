// Governance inputs: nested groups with lineage, one record per person, non-human identities,
// orphans and terminated access, privileged and dormant grants. Hand-built fixtures, one per rule,
// with exact expected values.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grantsFromPairs } from '../src/encode.js';
import { readIdentitiesFromText } from '../src/ingest/identities.js';
import { expandGroups, explain, lineageOf, lineageTable } from '../src/governance/groups.js';
import { classifyAccounts, KINDS } from '../src/governance/accounts.js';
import { prepareGovernance, SET_ASIDE_REASONS } from '../src/governance/prepare.js';
import { assembleModel } from '../src/governance/assemble.js';
import { InputError } from '../src/errors.js';
import { createEngine } from '../src/engine/node.js';
import { EXCEPTION_REASONS } from '../src/model/tables.js';
import type { Grants } from '../src/types.js';
import { tempDir } from './support/files.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** Memberships as Grants (member -> group), as the reader would give them. */
const memberships = (rows: [string, string][]): Grants => grantsFromPairs(rows, 'memberships.csv');

/** Effective grants as sorted "account entitlement lineage" lines. */
function effective(raw: Grants, m: Grants): string[] {
  const x = expandGroups(raw, m);
  const out: string[] = [];
  for (let k = 0; k < x.grants.rows; k++) out.push(`${x.grants.identities[x.grants.identity[k]!]} ${x.grants.entitlements[x.grants.entitlement[k]!]} ${lineageOf(x, k)}`);
  return out;
}

describe('nested groups', () => {
  const raw = grantsFromPairs([
    ['alice', 'vpn'],
    ['g-all', 'mail'],
    ['g-dept', 'share'],
    ['g-team', 'repo'],
    ['g-team', 'mail'], // also reachable higher up: the shortest chain wins
    ['g-x', 'x'],
    ['g-y', 'y'],
  ]);
  const m = memberships([
    ['alice', 'g-team'],
    ['g-team', 'g-dept'],
    ['g-dept', 'g-all'],
    ['bob', 'g-x'],
    ['g-x', 'g-y'],
    ['g-y', 'g-x'],
    ['g-all', 'g-all'],
  ]);

  it('a three-level chain reaches every transitive member, with the shortest lineage; groups are not identities', () => {
    expect(effective(raw, m)).toEqual([
      'alice mail g-team',
      'alice repo g-team',
      'alice share g-team > g-dept',
      'alice vpn direct',
      'bob x g-x',
      'bob y g-x > g-y',
    ]);
    const x = expandGroups(raw, m);
    const table = lineageTable(x);
    expect(Array.from(table.code, (c) => table.chains[c])).toEqual(Array.from({ length: x.grants.rows }, (_, k) => lineageOf(x, k)));
    expect(x.grants.identities).toEqual(['alice', 'bob']);
    expect(x.groups).toEqual(['g-all', 'g-dept', 'g-team', 'g-x', 'g-y']);
    expect(x.stats).toMatchObject({ accounts: 2, groups: 5, directGrants: 1, inheritedGrants: 5, groupGrantRows: 6 });
  });

  it('a cycle is reported and never looped on; self-membership is a counted warning', () => {
    const x = expandGroups(raw, m);
    expect(x.cycles).toEqual([['g-x', 'g-y']]);
    expect(x.warnings.map((w) => [w.kind, w.count, w.examples])).toEqual([['self_membership', 1, ['g-all']]]);
  });

  it('explain lists every way: the direct grant and the shortest chain to each group granting it', () => {
    const x = expandGroups(raw, m);
    expect(explain(x, raw, 'alice', 'mail')).toEqual(['g-team > g-dept > g-all', 'g-team']);
    expect(explain(x, raw, 'alice', 'vpn')).toEqual(['direct']);
    expect(explain(x, raw, 'alice', 'x')).toEqual([]);
    expect(explain(x, raw, 'bob', 'y')).toEqual(['g-x > g-y']);
  });

  it('warns about groups that grant nothing and groups without members', () => {
    // g-solo's only membership row is itself: ignored, so it has no member either.
    const x = expandGroups(grantsFromPairs([['a', 'e']]), memberships([['a', 'g-ghost'], ['g-solo', 'g-solo']]));
    expect(x.warnings.map((w) => [w.kind, w.count, w.examples])).toEqual([
      ['self_membership', 1, ['g-solo']],
      ['group_grants_nothing', 2, ['g-ghost', 'g-solo']],
      ['group_without_members', 1, ['g-solo']],
    ]);
  });
});

const PEOPLE = `identity,person,type,status,department
u1,p1,,active,Sales
u1-adm,p1,,active,Sales
u1.2,p1,human,active,Sales
u2,p2,,active,Sales
u3,p3,,terminated,Sales
u4,p4,,active,Sales
u5,p5,,leave,Sales
svc-billing,,service,,
`;

describe('accounts: kinds, people, status', () => {
  // Everyone with an HR row holds mail and sso (the birthright); accounts without a row differ.
  const pairs: [string, string][] = [];
  for (const u of ['u1', 'u2', 'u3', 'u4', 'u5']) pairs.push([u, 'mail'], [u, 'sso'], [u, 'crm:read']);
  pairs.push(['u1-adm', 'crm:admin'], ['u1.2', 'crm:export']);
  pairs.push(['svc-billing', 'db:billing:write'], ['sa-reports', 'db:billing:read']); // labelled, and named
  pairs.push(['jenkins', 'ci:pipeline:run'], ['jenkins', 'git:repo:write']); // no row, no birthright
  pairs.push(['u9', 'mail'], ['u9', 'sso'], ['u9', 'crm:read']); // no row, looks like a person: orphan
  const grants = grantsFromPairs(pairs);

  it('the type column wins, then names, then the HR record, then evidence without one', async () => {
    const table = await readIdentitiesFromText(PEOPLE, 'people.csv');
    const a = classifyAccounts(grants, table);
    const by = (n: string) => a.names.indexOf(n);
    const show = (n: string) => [KINDS[a.kind[by(n)]!], a.rule[by(n)], a.person[by(n)], a.orphan[by(n)], a.terminatedWithAccess[by(n)]];
    expect(show('svc-billing')).toEqual(['service', 'type column', 'svc-billing', 0, 0]);
    expect(show('sa-reports')).toEqual(['service', 'name matches svc-, sa-, srv-, service-, bot-, robot-, api- or -svc, -bot', 'sa-reports', 0, 0]);
    expect(show('jenkins')).toEqual(['service', 'no HR record, no birthright access', 'jenkins', 0, 0]);
    expect(show('u9')).toEqual(['unknown', 'no HR record', 'u9', 1, 0]);
    expect(show('u1')).toEqual(['human', 'HR record', 'p1', 0, 0]);
    expect(show('u1-adm')).toEqual(['human', 'HR record', 'p1', 0, 0]);
    expect(show('u1.2')).toEqual(['human', 'type column', 'p1', 0, 0]);
    expect(show('u3')).toEqual(['human', 'HR record', 'p3', 0, 1]); // terminated, still holding grants
    expect(show('u5')).toEqual(['human', 'HR record', 'p5', 0, 0]); // on leave is not terminated
    expect(Array.from(a.applications.subarray(by('jenkins'), by('jenkins') + 1))).toEqual([2]);
  });

  it('an unknown type value is an error naming the file, line and column', async () => {
    const table = await readIdentitiesFromText(PEOPLE.replace('svc-billing,,service', 'svc-billing,,robot'), 'people.csv');
    let err: unknown;
    try {
      classifyAccounts(grants, table);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe("people.csv:9 (column type): 'robot' is not a kind of identity (expected one of human, service, workload, shared, unknown, or empty)");
  });

  it('one person with three accounts is mined as one identity; non-humans apart; orphans set aside', async () => {
    const table = await readIdentitiesFromText(PEOPLE, 'people.csv');
    const prep = prepareGovernance(grants, { table, privileged: [] });
    expect(prep.names).toEqual(['jenkins', 'p1', 'p2', 'p3', 'p4', 'p5', 'sa-reports', 'svc-billing', 'u9']);
    const rows = (g: Grants | null) => (g ? Array.from(g.identity, (i, k) => `${g.identities[i]} ${g.entitlements[g.entitlement[k]!]}`).sort() : []);
    expect(rows(prep.humans).filter((r) => r.startsWith('p1 '))).toEqual(['p1 crm:admin', 'p1 crm:export', 'p1 crm:read', 'p1 mail', 'p1 sso']);
    expect(rows(prep.nonHumans)).toEqual(['jenkins ci:pipeline:run', 'jenkins git:repo:write', 'sa-reports db:billing:read', 'svc-billing db:billing:write']);
    const aside = Array.from(prep.setAside.identity, (i, k) => `${prep.names[i]} ${prep.effective.entitlements[prep.setAside.entitlement[k]!]} ${SET_ASIDE_REASONS[prep.setAside.reason[k]!]}`).sort();
    expect(aside).toEqual(['u9 crm:read orphan', 'u9 mail orphan', 'u9 sso orphan']);
    expect(prep.report['accounts']).toMatchObject({
      accounts: 11,
      byKind: { human: 7, service: 3, workload: 0, shared: 0, unknown: 1 },
      people: 5,
      peopleWithSeveralAccounts: { count: 1, examples: ['p1 (3 accounts)'] },
      orphans: { count: 1, examples: ['u9'] },
      terminatedWithAccess: { count: 1, examples: ['u3'] },
      nonHuman: { count: 3, examples: ['jenkins', 'sa-reports', 'svc-billing'] },
    });
    // Terminated access is flagged and still mined by default; excludeTerminated sets it aside.
    const term = prepareGovernance(grants, { table, privileged: [], excludeTerminated: true });
    const termAside = Array.from(term.setAside.identity, (i, k) => `${term.names[i]} ${term.effective.entitlements[term.setAside.entitlement[k]!]} ${SET_ASIDE_REASONS[term.setAside.reason[k]!]}`).filter((x) => x.endsWith('terminated')).sort();
    expect(termAside).toEqual(['p3 crm:read terminated', 'p3 mail terminated', 'p3 sso terminated']);
    // Excluding non-humans sets their grants aside instead.
    const excl = prepareGovernance(grants, { table, privileged: [], nonHuman: 'exclude' });
    expect(excl.nonHumans).toBeNull();
    expect(Array.from(excl.setAside.reason).filter((r) => SET_ASIDE_REASONS[r] === 'non-human').length).toBe(4);
  });
});

describe('privileged and dormant grants', () => {
  it('a privileged entitlement stays out of a role unless every member holds it, and is listed for review', async () => {
    // Five analysts share crm:read + crm:write; two of them also hold crm:admin. Three engineers
    // Four engineers share git:write + ci:run, and all four hold ci:admin.
    const pairs: [string, string][] = [];
    for (const u of ['a1', 'a2', 'a3', 'a4', 'a5']) pairs.push([u, 'crm:read'], [u, 'crm:write']);
    pairs.push(['a1', 'crm:admin'], ['a2', 'crm:admin']);
    for (const u of ['e1', 'e2', 'e3', 'e4']) pairs.push([u, 'git:write'], [u, 'ci:run'], [u, 'ci:admin']);
    const grants = grantsFromPairs(pairs);
    const prep = prepareGovernance(grants, {});
    const engine = await createEngine();
    // Nine identities: too few for any role to be unlikely by chance (significance 0: no test).
    const mine = () => engine.mine(prep.humans, { birthright: 0, significance: 0 });
    const model = assembleModel(prep, mine(), null);
    const roles = Array.from({ length: model.roles.count }, (_, r) =>
      Array.from(model.roles.entitlements.subarray(model.roles.entitlementOffsets[r]!, model.roles.entitlementOffsets[r + 1]!), (e) => model.entitlements[e]).join(' '),
    ).sort();
    expect(roles).toEqual(['ci:admin ci:run git:write', 'crm:read crm:write']);
    const ex = Array.from(model.exceptions.identity, (i, k) => `${model.identities[i]} ${model.entitlements[model.exceptions.entitlement[k]!]} ${EXCEPTION_REASONS[model.exceptions.reason[k]!]}`);
    expect(ex).toEqual(['a1 crm:admin privileged', 'a2 crm:admin privileged']);
    expect(model.summary.model).toMatchObject({ unexplainedGrants: 2, overAssigned: 0, exceptionsByReason: { privileged: 2 } });
    // With a share of 0.4, two analysts of five holding crm:admin are enough: the role takes it, and
    // the three who lack it are listed as over-assigned.
    const lenient = assembleModel(prep, mine(), null, 0.4);
    expect(lenient.summary.model).toMatchObject({ unexplainedGrants: 0, overAssigned: 3 });
    expect(Array.from(lenient.overAssignments.identity, (i) => lenient.identities[i])).toEqual(['a3', 'a4', 'a5']);
    expect(() => assembleModel(prep, mine(), null, 0)).toThrow(/privileged share/);
  });

  it('direct grants unused for more than 90 days before the latest use are dormant: mined, and listed for review', () => {
    const csvGrants: Grants = {
      ...grantsFromPairs([['u1', 'a'], ['u1', 'b'], ['u2', 'a'], ['u2', 'b'], ['u2', 'b']]),
      columns: { last_used: { values: ['2026-10-01', '2026-06-01', '2026-07-03', ''], codes: Uint32Array.of(0, 1, 0, 2, 3) } },
    };
    const prep = prepareGovernance(csvGrants, { privileged: [] });
    // as of 2026-10-01: u1 b (2026-06-01, 122 days) is dormant; u2 b has a recent-enough row (07-03, 90 days) and one without a date.
    expect(prep.report['usage']).toMatchObject({ asOf: '2026-10-01', dormantDays: 90, dormantGrants: { count: 1, examples: ['u1 b'] }, emptyLastUsed: 1 });
    // Mined like any held grant (set aside, it would read to the miner as a missing grant), and
    // listed as dormant by the assembled model whether or not a role gives it.
    expect(Array.from(prep.setAside.reason, (r) => SET_ASIDE_REASONS[r])).toEqual([]);
    expect(Array.from(prep.dormant.identity, (i, k) => `${prep.names[i]} ${prep.effective.entitlements[prep.dormant.entitlement[k]!]}`)).toEqual(['u1 b']);
    expect(prep.humans.rows).toBe(4);
    const bad: Grants = { ...csvGrants, source: 'grants.csv', columns: { last_used: { values: ['2026-10-01', 'yesterday'], codes: Uint32Array.of(0, 1, 0, 0, 0) } } };
    expect(() => prepareGovernance(bad, {})).toThrow("grants.csv (column last_used, data row 2): 'yesterday' is not a date (expected YYYY-MM-DD, optionally with a time)");
    expect(() => prepareGovernance(csvGrants, { asOf: '2026-02-30' })).toThrow(/--as-of/);
  });
});

describe('rolemill with governance inputs', () => {
  it('mine, check and explain on groups, people, a service account and privileged access', () => {
    const dir = tempDir();
    const grants = join(dir, 'grants.csv');
    const rows = ['identity,entitlement,last_used'];
    for (let k = 1; k <= 6; k++) rows.push(`u${k},crm:read,2026-10-01`);
    rows.push('g-sales,crm:write,2026-10-01', 'g-all,mail,2026-10-01', 'u1,crm:admin,2026-10-01', 'u6,old:tool,2026-01-01', 'svc-sync,crm:read,2026-10-01', 'svc-sync,crm:write,2026-10-01');
    writeFileSync(grants, rows.join('\n') + '\n');
    const members = join(dir, 'memberships.csv');
    writeFileSync(members, ['member,group', 'g-sales,g-all', ...[1, 2, 3, 4, 5, 6].map((k) => `u${k},g-sales`), 'g-loop,g-loop2', 'g-loop2,g-loop'].join('\n') + '\n');
    const people = join(dir, 'people.csv');
    writeFileSync(people, ['identity,person,status', 'u1,p1,active', 'u2,p2,active', 'u3,p3,active', 'u4,p4,active', 'u5,p1,active', 'u6,p6,terminated'].join('\n') + '\n');
    const out = join(dir, 'out');
    const r = run('mine', grants, '--memberships', members, '--identities', people, '--out', out, '--no-timings', '--no-peers', '--min-members', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/group cycle: g-loop > g-loop2 > g-loop/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.dataQuality.groups).toMatchObject({ groups: 4, inheritedGrants: 12, cycles: { count: 1, examples: ['g-loop > g-loop2'] } });
    // The dormant grant is mined (not set aside) and listed for review all the same.
    expect(summary.dataQuality.setAside).toMatchObject({ dormant: { count: 0, examples: [] }, privileged: { count: 1, examples: ['u1 crm:admin'] } });
    expect(summary.dataQuality.usage).toMatchObject({ dormantGrants: { count: 1, examples: ['u6 old:tool'] } });
    expect(summary.dataQuality.accounts).toMatchObject({ people: 5, terminatedWithAccess: { count: 1, examples: ['u6'] }, byKind: { human: 6, service: 1 } });
    const ex = readFileSync(join(out, 'exceptions.csv'), 'utf8').trim().split('\n');
    expect(ex[0]).toBe('identity,account,entitlement,reason');
    // The account that holds the grant, as named in the input, beside the model's person.
    expect(ex).toContain('p1,u1,crm:admin,privileged');
    expect(ex).toContain('p6,u6,old:tool,dormant');
    const lineage = readFileSync(join(out, 'lineage.csv'), 'utf8').trim().split('\n');
    expect(lineage[0]).toBe('account,entitlement,via');
    expect(lineage).toContain('u5,mail,g-sales > g-all');
    expect(lineage).toContain('u1,crm:admin,direct');
    const acc = readFileSync(join(out, 'accounts.csv'), 'utf8').trim().split('\n');
    expect(acc).toContain('u5,p1,p1,human,HR record,active,0,0,0,2,3');
    expect(acc).toContain('svc-sync,svc-sync,svc-sync,service,"name matches svc-, sa-, srv-, service-, bot-, robot-, api- or -svc, -bot",,0,0,1,1,2');
    // The service account is mined apart (alone, it makes no role) and never joins a human role.
    expect(summary.mining.nonHumanRoles).toBe(0);
    expect(readFileSync(join(out, 'assignments.csv'), 'utf8')).not.toMatch(/svc-sync/);
    // check prints the same report, writes nothing.
    const c = run('check', grants, '--memberships', members, '--identities', people, '--json');
    expect(c.code).toBe(0);
    expect(JSON.parse(c.out).usage.dormantGrants.count).toBe(1);
    const text = run('check', grants, '--memberships', members, '--identities', people);
    expect(text.code).toBe(0);
    expect(text.out).toContain('  dormant grants: 1 (e.g. u6 old:tool)\n');
    expect(text.out).toContain('  cycles: 1 (e.g. g-loop > g-loop2)\n');
    // explain: why u5 holds mail.
    const e = run('explain', grants, '--memberships', members, '--identity', 'u5', '--entitlement', 'mail');
    expect(e.code).toBe(0);
    expect(e.out).toBe('u5 holds mail:\n  as a member of g-sales > g-all (g-all is granted mail)\n');
    expect(run('explain', grants, '--memberships', members, '--identity', 'u5', '--entitlement', 'crm:admin').out).toBe('u5 does not hold crm:admin\n');
    // Bad input: a last_used that is not a date.
    writeFileSync(grants, rows.join('\n').replace('2026-01-01', 'soon') + '\n');
    const bad = run('mine', grants, '--out', join(dir, 'bad'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/grants\.csv \(column last_used, data row 10\): 'soon' is not a date/);
  });
});

describe('scope', () => {
  it('applications in or out, entitlements by pattern, accounts by attribute; everything dropped is counted', async () => {
    const grants = grantsFromPairs([
      ['u1', 'crm:read'], ['u1', 'erp:post'], ['u1', 'mail'],
      ['u2', 'crm:read'], ['u2', 'crm:tmp-test'], ['u2', 'erp:post'],
    ]);
    const table = await readIdentitiesFromText('identity,department\nu1,Sales\nu2,Finance\n', 'people.csv');
    const rows = (g: Grants) => Array.from(g.identity, (i, k) => `${g.identities[i]} ${g.entitlements[g.entitlement[k]!]}`);
    const a = prepareGovernance(grants, { table, privileged: [], scope: { includeApps: ['crm'], excludeEntitlements: [/tmp/] } });
    expect(rows(a.humans)).toEqual(['u1 crm:read', 'u2 crm:read']);
    expect(a.report['scope']).toMatchObject({ includeApps: ['crm'], grantsOutOfScope: 4 });
    const b = prepareGovernance(grants, { table, privileged: [], scope: { excludeApps: ['erp'], where: [{ attribute: 'department', value: 'Finance' }] } });
    expect(rows(b.humans)).toEqual(['u2 crm:read', 'u2 crm:tmp-test']);
    expect(() => prepareGovernance(grants, { table, scope: { where: [{ attribute: 'dept', value: 'x' }] } })).toThrow("unknown attribute 'dept' in people.csv; available attributes: 'department'");
    // An application column on the grants wins over the name's prefix.
    const withApp: Grants = { ...grants, columns: { application: { values: ['CRM', 'ERP', 'Mail'], codes: Uint32Array.of(0, 1, 2, 0, 0, 1) } } };
    const c = prepareGovernance(withApp, { privileged: [], scope: { excludeApps: ['ERP', 'Mail'] } });
    expect(rows(c.humans)).toEqual(['u1 crm:read', 'u2 crm:read', 'u2 crm:tmp-test']);
    expect(Array.from(c.accounts.applications)).toEqual([1, 1]);
  });
});
