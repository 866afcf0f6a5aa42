// The access-review file (src/review/review.ts): one row per exception and over-assignment of a
// governed run, with its reviewer, recommendation, rule and evidence; split per reviewer into safe
// file names; and the review of a diff's remediation. Real runs, exact values.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support/files.js';
import { grantsFromPairs } from '../src/encode.js';
import { readGrants, readIdentities } from '../src/ingest/node.js';
import { readIdentitiesFromText, type IdentityTable } from '../src/ingest/identities.js';
import { createEngine } from '../src/engine/node.js';
import { runMine } from '../src/pipeline/mine.js';
import { diffModels } from '../src/pipeline/diff.js';
import { readModel, readModelTable } from '../src/model/read.js';
import { modelTables, type OutTable } from '../src/model/tables.js';
import { REVIEW_COLUMNS, reviewerFileName, reviewFromDiff, reviewTable, splitByReviewer } from '../src/review/review.js';
import type { Grants } from '../src/types.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** A text column's values, row by row. */
function column(t: OutTable, name: string): string[] {
  const c = t.columns.find(([n]) => n === name)?.[1];
  if (!c || c.kind !== 'name') throw new Error(`no text column ${name}`);
  return Array.from(c.codes, (k) => c.dictionary[k]!);
}
/** Rows as comma-joined values (the fixtures' names hold no commas). */
function rows(t: OutTable): string[] {
  const cols = t.columns.map(([n]) => column(t, n));
  return Array.from({ length: t.length }, (_, k) => cols.map((c) => c[k]).join(','));
}

describe('review of a generated governed run', async () => {
  const dir = tempDir();
  const sample = join(dir, 'sample');
  expect(spawnSync(process.execPath, [CLI, 'generate', '--identities', '300', '--seed', '6', '--governance', '--out', sample]).status).toBe(0);
  const grants = await readGrants(join(sample, 'grants.csv'), { keepIfPresent: ['last_used', 'application'] });
  const identities = await readIdentities(join(sample, 'identities.csv'));
  const memberships = await readGrants(join(sample, 'memberships.csv'), { identityColumn: 'member', entitlementColumn: 'group', keepIfPresent: ['member_type'] });
  const run = await runMine({ grants, identities, memberships }, {}, await createEngine({ workers: 1 }));
  const review = reviewTable(run, identities, { grants });
  const exceptions = modelTables(run.model).find((t) => t.name === 'exceptions')!;

  it('has the columns in order and one row per exception and over-assignment, the same pairs with the same accounts', () => {
    expect(review.name).toBe('review');
    expect(review.columns.map(([n]) => n)).toEqual([...REVIEW_COLUMNS]);
    expect(review.length).toBe(exceptions.length);
    expect(review.length).toBe(1046);
    const account = run.exceptionColumns.find(([n]) => n === 'account')![1] as { dictionary: string[]; codes: Uint32Array };
    const acc = Array.from(account.codes, (k) => account.dictionary[k]!);
    const [ei, ee, er] = ['identity', 'entitlement', 'reason'].map((n) => column(exceptions, n));
    const want = ei!.map((_, k) => `${ei![k]}|${acc[k]}|${ee![k]}|${er![k]}`).sort();
    const [ri, ra, re, rr] = ['identity', 'account', 'entitlement', 'reason'].map((n) => column(review, n));
    expect(ri!.map((_, k) => `${ri![k]}|${ra![k]}|${re![k]}|${rr![k]}`).sort()).toEqual(want);
    expect(new Set(column(review, 'decision'))).toEqual(new Set(['']));
  });

  it('the reviewer is the manager column of the identities file (the first non-empty among the identity\'s accounts), else unassigned', () => {
    // The reference: accounts.csv's account → identity, and identities.csv's manager by key.
    const accounts = run.extraTables.find((t) => t.name === 'accounts')!;
    const [acc, who] = [column(accounts, 'account'), column(accounts, 'identity')];
    const manager = identities.attributes.find((a) => a.name === 'manager')!;
    const managerOf = new Map(identities.keys.map((k, r) => [k, manager.values[manager.codes[r]!]!]));
    const reviewerOf = new Map<string, string>();
    acc.forEach((a, k) => {
      const m = managerOf.get(a) ?? '';
      if (m && !reviewerOf.has(who[k]!)) reviewerOf.set(who[k]!, m);
    });
    const [reviewer, identity] = [column(review, 'reviewer'), column(review, 'identity')];
    expect(reviewer.map((_, k) => reviewer[k] === (reviewerOf.get(identity[k]!) ?? 'unassigned'))).not.toContain(false);
    expect(new Set(reviewer).size).toBe(45);
    expect(reviewer.filter((r) => r === 'unassigned').length).toBe(373); // orphans, non-human accounts and the VP: no manager
  });

  it('the same review from another identities table with the same rows (its managers found by key, not by the run\'s account rows)', () => {
    const copy = { ...identities, attributes: identities.attributes.map((a) => ({ ...a })) };
    expect(copy).not.toBe(identities);
    expect(rows(reviewTable(run, copy, { grants }))).toEqual(rows(review));
  });

  it('sorted by reviewer, identity, account, entitlement, reason in JavaScript string order', () => {
    const keys = ['reviewer', 'identity', 'account', 'entitlement', 'reason'].map((n) => column(review, n));
    for (let k = 1; k < review.length; k++) {
      const a = keys.map((c) => c[k - 1]!);
      const b = keys.map((c) => c[k]!);
      const first = a.findIndex((x, j) => x !== b[j]);
      expect(first === -1 || a[first]! < b[first]!, `row ${k}`).toBe(true);
    }
  });

  it('recommendations by rule, each rule agreeing with its evidence', () => {
    const [reason, rec, rule, evidence] = ['reason', 'recommendation', 'rule', 'evidence'].map((n) => column(review, n));
    const count: Record<string, number> = {};
    rule!.forEach((r, k) => (count[`${reason![k]} ${rec![k]} ${r}`] = (count[`${reason![k]} ${rec![k]} ${r}`] ?? 0) + 1));
    expect(count).toEqual({
      'dormant revoke dormant-unused-90d': 353,
      'dormant revoke terminated-account': 9,
      'dormant review privileged-dormant-needs-review': 11,
      'non_human_access review non-human-owner-review': 187,
      'orphan revoke orphan-account': 75,
      'outlier review outlier-needs-review': 80,
      'outside_roles keep peer-share>=0.5': 15,
      'outside_roles revoke peer-share<0.1': 25,
      'outside_roles revoke terminated-account': 4,
      'outside_roles review no-peer-evidence': 15,
      'outside_roles review peer-share<0.5': 30,
      'over_assigned keep over-assigned-peers-hold-it': 54,
      'over_assigned review over-assigned-role-gives-it': 16,
      'privileged revoke terminated-account': 1,
      'privileged review privileged-needs-review': 154,
      'rare_entitlement revoke peer-share<0.1': 6,
      'rare_entitlement review no-peer-evidence': 1,
      'unexplained revoke peer-share<0.1': 6,
      'unexplained review no-peer-evidence': 1,
      'unexplained review peer-share<0.5': 3,
    });
    // The peer rules follow the share they print; terminated rows name the account's status.
    rule!.forEach((r, k) => {
      const m = /peers (\d+)\/(\d+) hold it/.exec(evidence![k]!);
      const share = m ? Number(m[1]) / Number(m[2]) : NaN;
      if (m) expect(Number(m[1])).toBeLessThanOrEqual(Number(m[2]));
      if (r === 'peer-share<0.1') expect(share).toBeLessThan(0.1);
      if (r === 'peer-share>=0.5' || r === 'over-assigned-peers-hold-it') expect(share).toBeGreaterThanOrEqual(0.5);
      if (r === 'peer-share<0.5') expect(share >= 0.1 && share < 0.5).toBe(true);
      if (r === 'terminated-account') expect(evidence![k]).toMatch(/^account \S+ status (terminated|inactive)/);
      if (r === 'dormant-unused-90d') expect(evidence![k]).toMatch(/last used \d{4}-\d{2}-\d{2}/);
      if (reason![k] === 'over_assigned') expect(evidence![k]).toMatch(/role R\d{4} .* gives it$/);
    });
  });

  it('splitByReviewer partitions the rows exactly, one part per reviewer, with distinct safe file names', () => {
    const parts = splitByReviewer(review);
    expect(parts.length).toBe(45);
    expect(parts.map((p) => p.reviewer)).toEqual([...new Set(column(review, 'reviewer'))].sort());
    expect(parts.flatMap((p) => rows(p.table))).toEqual(rows(review)); // the table is sorted by reviewer
    for (const p of parts) {
      expect(p.table.name).toBe('review');
      expect(new Set(column(p.table, 'reviewer'))).toEqual(new Set([p.reviewer]));
      expect(p.file).toBe(reviewerFileName(p.reviewer));
    }
    expect(new Set(parts.map((p) => p.file)).size).toBe(parts.length);
    expect(parts.slice(0, 3).map((p) => p.file)).toEqual(['u000003', 'u000007', 'u000011']);
  });
});

/**
 * A hand-built enterprise: 12 sales people (crm:*), 8 in finance (erp:*), mail and vpn for all;
 * s05's crm:write unused since 2025; s11 lacks crm:report (a role gives it: an over-assignment);
 * s12 terminated (set aside, excludeTerminated); f02 holds erp:admin, f03 too but unused; x99 has
 * no HR record (an orphan); f05 holds crm:export, a stray.
 */
async function handBuilt(extra: [string, string, string][] = []): Promise<{ grants: Grants; table: IdentityTable; noManager: IdentityTable }> {
  const rows: [string, string, string][] = [];
  const S = Array.from({ length: 12 }, (_, k) => `s${String(k + 1).padStart(2, '0')}`);
  const F = Array.from({ length: 8 }, (_, k) => `f${String(k + 1).padStart(2, '0')}`);
  for (const p of [...S, ...F]) rows.push([p, 'mail:user', '2026-06-01'], [p, 'vpn:user', '2026-06-01']);
  for (const p of S) {
    for (const e of ['crm:read', 'crm:write', 'crm:report', 'crm:export']) {
      if (p === 's11' && e === 'crm:report') continue;
      rows.push([p, e, p === 's05' && e === 'crm:write' ? '2025-01-01' : '2026-06-01']);
    }
  }
  for (const p of F) for (const e of ['erp:read', 'erp:post', 'erp:report', 'erp:close']) rows.push([p, e, '2026-06-01']);
  rows.push(['f02', 'erp:admin', '2026-06-01'], ['f03', 'erp:admin', '2025-01-01'], ['f05', 'crm:export', '2026-05-20']);
  rows.push(['x99', 'mail:user', ''], ['x99', 'vpn:user', ''], ['x99', 'crm:read', ''], ...extra);
  const grants = grantsFromPairs(rows.map(([a, e]) => [a, e] as const), 'grants.csv');
  const dates = [...new Set(rows.map((r) => r[2]))];
  grants.columns['last_used'] = { values: dates, codes: Uint32Array.from(rows, (r) => dates.indexOf(r[2])) };
  const person = (p: string, m: boolean) => `${p},${p[0] === 's' ? 'Sales' : 'Finance'},${p === 's12' ? 'terminated' : 'active'}${m ? `,${p[0] === 's' ? 'm-sales' : 'm-fin'}` : ''}`;
  const table = await readIdentitiesFromText(['identity,department,status,manager', ...[...S, ...F].map((p) => person(p, true))].join('\n') + '\n', 'identities.csv');
  const noManager = await readIdentitiesFromText(['identity,department,status', ...[...S, ...F].map((p) => person(p, false))].join('\n') + '\n', 'identities.csv');
  return { grants, table, noManager };
}

describe('review rules on hand-built cases', async () => {
  const { grants, table, noManager } = await handBuilt();
  const engine = await createEngine({ workers: 1 });
  const run = await runMine({ grants, identities: table, memberships: null }, { governance: { excludeTerminated: true } }, engine);
  const owners = new Map([['crm', 'crm-owner']]);

  it('a terminated account, a dormant grant with last_used, privileged grants, an over-assignment, an orphan, a stray: exact rows', () => {
    expect(rows(reviewTable(run, table, { grants, owners }))).toEqual([
      'crm-owner,x99,x99,crm:read,crm,orphan,revoke,orphan-account,no HR record for x99; no peer group,',
      'm-fin,f02,f02,erp:admin,erp,privileged,review,privileged-needs-review,peers 1/7 hold it (14%); last used 2026-06-01,',
      'm-fin,f03,f03,erp:admin,erp,dormant,review,privileged-dormant-needs-review,peers 1/7 hold it (14%); last used 2025-01-01; privileged,',
      'm-fin,f05,f05,crm:export,crm,outside_roles,revoke,peer-share<0.1,peers 0/7 hold it (0%); last used 2026-05-20,',
      'm-sales,s05,s05,crm:write,crm,dormant,revoke,dormant-unused-90d,peers 11/11 hold it (100%); last used 2025-01-01; role R0002 Sales gives it,',
      'm-sales,s11,,crm:report,crm,over_assigned,keep,over-assigned-peers-hold-it,peers 11/11 hold it (100%); role R0002 Sales gives it,',
      'm-sales,s12,s12,crm:export,crm,terminated,revoke,terminated-account,account s12 status terminated; peers 11/11 hold it (100%); last used 2026-06-01; role R0002 Sales would give it (holds 3 of its 3 other entitlements),',
      'm-sales,s12,s12,crm:read,crm,terminated,revoke,terminated-account,account s12 status terminated; peers 11/11 hold it (100%); last used 2026-06-01; role R0002 Sales would give it (holds 3 of its 3 other entitlements),',
      'm-sales,s12,s12,crm:report,crm,terminated,revoke,terminated-account,account s12 status terminated; peers 10/11 hold it (91%); last used 2026-06-01; role R0002 Sales would give it (holds 3 of its 3 other entitlements),',
      'm-sales,s12,s12,crm:write,crm,terminated,revoke,terminated-account,account s12 status terminated; peers 11/11 hold it (100%); last used 2026-06-01; role R0002 Sales would give it (holds 3 of its 3 other entitlements),',
      'm-sales,s12,s12,mail:user,mail,terminated,revoke,terminated-account,account s12 status terminated; peers 11/11 hold it (100%); last used 2026-06-01; role R0001 Birthright would give it (holds 1 of its 1 other entitlements),',
      'm-sales,s12,s12,vpn:user,vpn,terminated,revoke,terminated-account,account s12 status terminated; peers 11/11 hold it (100%); last used 2026-06-01; role R0001 Birthright would give it (holds 1 of its 1 other entitlements),',
      'unassigned,x99,x99,mail:user,mail,orphan,revoke,orphan-account,no HR record for x99; no peer group; role R0001 Birthright would give it (holds 1 of its 1 other entitlements),',
      'unassigned,x99,x99,vpn:user,vpn,orphan,revoke,orphan-account,no HR record for x99; no peer group; role R0001 Birthright would give it (holds 1 of its 1 other entitlements),',
    ]);
  });

  it('without the grants, a dormant grant says how long it has not been used', () => {
    const dormant = rows(reviewTable(run, table)).filter((r) => r.includes(',dormant,'));
    expect(dormant).toEqual([
      'm-fin,f03,f03,erp:admin,erp,dormant,review,privileged-dormant-needs-review,peers 1/7 hold it (14%); not used in the 90 days before 2026-06-01; privileged,',
      'm-sales,s05,s05,crm:write,crm,dormant,revoke,dormant-unused-90d,peers 11/11 hold it (100%); not used in the 90 days before 2026-06-01; role R0002 Sales gives it,',
    ]);
  });

  it('reviewers: unassigned without a manager column or owners; the application owner when there is no manager', () => {
    const reviewers = (t: OutTable) => column(t, 'reviewer').map((r, k) => `${r} ${column(t, 'identity')[k]} ${column(t, 'entitlement')[k]}`);
    expect(new Set(column(reviewTable(run, null), 'reviewer'))).toEqual(new Set(['unassigned']));
    expect(new Set(column(reviewTable(run, noManager, { grants }), 'reviewer'))).toEqual(new Set(['unassigned']));
    const byOwner = reviewers(reviewTable(run, noManager, { grants, owners }));
    expect(byOwner).toEqual([
      'crm-owner f05 crm:export',
      'crm-owner s05 crm:write',
      'crm-owner s11 crm:report',
      'crm-owner s12 crm:export',
      'crm-owner s12 crm:read',
      'crm-owner s12 crm:report',
      'crm-owner s12 crm:write',
      'crm-owner x99 crm:read',
      'unassigned f02 erp:admin',
      'unassigned f03 erp:admin',
      'unassigned s12 mail:user',
      'unassigned s12 vpn:user',
      'unassigned x99 mail:user',
      'unassigned x99 vpn:user',
    ]);
    // Another separator: no '.' in these names, so each entitlement is its own application.
    expect(new Set(column(reviewTable(run, null, { appSeparator: '.' }), 'application'))).toEqual(new Set(['crm:export', 'crm:read', 'crm:report', 'crm:write', 'erp:admin', 'mail:user', 'vpn:user']));
  });

  it('without peer groups a mined exception has no evidence to decide on', async () => {
    const plain = await runMine({ grants, identities: table, memberships: null }, { governance: { excludeTerminated: true }, peers: false }, engine);
    expect(plain.peers).toBe(null);
    expect(rows(reviewTable(plain, table, { grants })).filter((r) => r.includes('f05'))).toEqual(['m-fin,f05,f05,crm:export,crm,outside_roles,review,no-peer-evidence,last used 2026-05-20,']);
  });

  it('a privileged over-assignment (privilegedShare below 1) is always reviewed', async () => {
    // f01..f07 hold erp:sudo, f08 does not: at a share of 0.8 the finance role takes it.
    const { grants: more } = await handBuilt(['f01', 'f02', 'f03', 'f04', 'f05', 'f06', 'f07'].map((p) => [p, 'erp:sudo', '2026-06-01']));
    const r = await runMine({ grants: more, identities: table, memberships: null }, { governance: { excludeTerminated: true }, privilegedShare: 0.8 }, engine);
    expect(rows(reviewTable(r, table, { grants: more })).filter((x) => x.includes('erp:sudo'))).toEqual([
      'm-fin,f08,,erp:sudo,erp,over_assigned,review,over-assigned-privileged,peers 7/7 hold it (100%); privileged; role R0003 Finance gives it,',
    ]);
  });
});

describe('reviewerFileName', () => {
  const safe = (n: string) => {
    expect(n).toMatch(/^[a-z0-9_][a-z0-9_.-]*$/);
    expect(n.length).toBeLessThanOrEqual(60);
    expect(n).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/);
  };

  it('keeps a safe name as it is and makes every other one safe, deterministically', () => {
    const cases: [string, string][] = [
      ['u000215', 'u000215'],
      ['unassigned', 'unassigned'],
      ['../x', 'x.'],
      ['<img src=x>', 'img_src_x_.'],
      ['', 'reviewer.'],
      ['Alice Smith', 'alice_smith.'],
      ['.hidden', 'hidden.'],
      ['a/b\\c', 'a_b_c.'],
      ['con', '_con.'],
      ['NUL', '_nul.'],
    ];
    for (const [reviewer, start] of cases) {
      const n = reviewerFileName(reviewer);
      safe(n);
      expect(n.startsWith(start), `${reviewer} -> ${n}`).toBe(true);
      expect(reviewerFileName(reviewer)).toBe(n);
    }
    expect(reviewerFileName('../x')).toBe('x.2ctp8t4sfhe');
  });

  it('cuts a very long name and tells apart names that would map to the same file', () => {
    const long = reviewerFileName('a'.repeat(500));
    safe(long);
    expect(long.startsWith('a'.repeat(48) + '.')).toBe(true);
    expect(reviewerFileName('a'.repeat(500))).not.toBe(reviewerFileName('a'.repeat(501)));
    const pairs = [['Alice', 'alice'], ['a/b', 'a_b'], ['a b', 'a_b'], ['x', 'X'], ['../x', '..\\x'], ['', ' ']];
    for (const [p, q] of pairs) expect(reviewerFileName(p!), `${p} / ${q}`).not.toBe(reviewerFileName(q!));
  });

  it('splitByReviewer gives distinct files even to reviewers with the same safe part', () => {
    const t: OutTable = { name: 'review', length: 4, columns: REVIEW_COLUMNS.map((c) => [c, { kind: 'name', dictionary: c === 'reviewer' ? ['a/b', 'a_b', 'A/B', 'a b'] : [''], codes: c === 'reviewer' ? Uint32Array.of(0, 1, 2, 3) : new Uint32Array(4) }]) };
    const parts = splitByReviewer(t);
    expect(parts.map((p) => p.reviewer)).toEqual(['A/B', 'a b', 'a/b', 'a_b']);
    expect(new Set(parts.map((p) => p.file)).size).toBe(4);
    expect(parts.map((p) => p.table.length)).toEqual([1, 1, 1, 1]);
    for (const p of parts) safe(p.file);
  });
});

describe('review of a diff', async () => {
  const dir = tempDir();
  const folder = (name: string, t: Record<string, string[]>) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    for (const [f, lines] of Object.entries(t)) writeFileSync(join(d, `${f}.csv`), lines.join('\n') + '\n');
    return d;
  };
  const accounts = (ids: string[], terminated: string[] = []) => [
    'account,identity,person,kind,kind_rule,status,orphan,terminated_with_access,non_human,applications,entitlements',
    ...ids.map((u) => `${u},${u},${u},human,hr,${terminated.includes(u) ? 'terminated' : 'active'},false,${terminated.includes(u)},false,1,2`),
  ];
  // u2 moves from finance to sales and keeps c (its old role R2's), which none of the four sales
  // people holds now; u5 leaves (terminated); u6 joins with an exception w.
  const prev = folder('prev', {
    roles: ['role,kind', 'R1,business', 'R2,business'],
    role_entitlements: ['role,entitlement', 'R1,a', 'R1,b', 'R2,c'],
    assignments: ['identity,role', 'u1,R1', 'u2,R2', 'u5,R1', 'u6,R1', 'u7,R1'],
    exceptions: ['identity,account,entitlement,reason', 'u1,u1,x,outside_roles'],
    accounts: accounts(['u1', 'u2', 'u5', 'u6', 'u7']),
  });
  const next = folder('next', {
    roles: ['role,kind', 'R1,business', 'R4,technical'],
    role_entitlements: ['role,entitlement', 'R1,a', 'R1,b', 'R4,f'],
    assignments: ['identity,role', 'u1,R1', 'u2,R1', 'u5,R1', 'u6,R1', 'u7,R1', 'u8,R4'],
    exceptions: ['identity,account,entitlement,reason', 'u1,u1,x,outside_roles', 'u2,u2,c,outside_roles', 'u8,u8,w,unexplained'],
    accounts: accounts(['u1', 'u2', 'u5', 'u6', 'u7', 'u8'], ['u5']),
  });
  const before = await readIdentitiesFromText('identity,department,manager\nu1,sales,m1\nu2,finance,m2\nu5,sales,m1\nu6,sales,m1\nu7,sales,m1\n', 'before.csv');
  const after = await readIdentitiesFromText('identity,department,manager\nu1,sales,m1\nu2,sales,m1\nu5,sales,m1\nu6,sales,m1\nu7,sales,m1\nu8,ops,\n', 'after.csv');
  const [p, n] = [await readModel(prev), await readModel(next)];
  const inputs = {
    prev: p,
    next: n,
    prevExceptions: await readModelTable(p, 'exceptions'),
    nextExceptions: await readModelTable(n, 'exceptions'),
    prevAccounts: await readModelTable(p, 'accounts'),
    nextAccounts: await readModelTable(n, 'accounts'),
    prevIdentities: before,
    nextIdentities: after,
  };
  const diff = diffModels(inputs);

  it('leaver access is revoked, a mover leftover no new peer holds is revoked, a new exception reviewed; resolved rows give none', () => {
    expect(rows(diff.remediation)).toEqual(['u5,u5,a,leaver_access,R1', 'u5,u5,b,leaver_access,R1', 'u2,u2,c,mover_leftover,R2', 'u8,u8,w,new_exception,']);
    const t = reviewFromDiff(diff, inputs, { owners: new Map([['w', 'w-owner']]) });
    expect(t.columns.map(([c]) => c)).toEqual([...REVIEW_COLUMNS]);
    expect(rows(t)).toEqual([
      'm1,u2,u2,c,c,mover_leftover,revoke,mover-leftover-no-new-peer-holds-it,old-job role R2 gives it; new-job peers 0/4 hold it (0%),',
      'm1,u5,u5,a,a,leaver_access,revoke,leaver-access,account u5 status terminated; role R1 gives it,',
      'm1,u5,u5,b,b,leaver_access,revoke,leaver-access,account u5 status terminated; role R1 gives it,',
      'w-owner,u8,u8,w,w,new_exception,review,new-exception,exception unexplained, new since the previous snapshot,',
    ]);
  });

  it('a mover leftover is reviewed when its new peers are too few to say', () => {
    // u6 and u7 gone from the new snapshot: two sales people are left, fewer than MIN_PEERS.
    const fewer = { ...inputs, next: { ...n, assignments: n.assignments!.filter((a) => a.identity !== 'u6' && a.identity !== 'u7') } };
    const t = reviewFromDiff(diffModels(fewer), fewer);
    expect(rows(t).filter((r) => r.includes('mover_leftover'))).toEqual(['m1,u2,u2,c,c,mover_leftover,review,mover-leftover,old-job role R2 gives it; new-job peers 0/2 hold it (0%),']);
  });
});
