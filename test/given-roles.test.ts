// mine --roles: a reviewed model folder steers the next mine. Approved roles are kept exactly,
// drafts refined under their ids, rejected ones never come back, and the suggestions find the
// entitlement a reviewer's role was given without.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, csvRecords as csv, writeCsvRecords as writeCsv } from './support/files.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('mine --roles', () => {
  const dir = tempDir();
  const sample = join(dir, 'sample');
  const model = join(dir, 'model');
  const reviewed = join(dir, 'reviewed');
  const out = join(dir, 'out');
  let approved: string[];
  let planted: { role: string; entitlement: string };
  let rejected: string;
  let duplicate: string;

  beforeAll(() => {
    expect(run('generate', '--identities', '500', '--seed', '8', '--out', sample).code).toBe(0);
    const common = ['--identities', join(sample, 'identities.csv'), '--no-timings', '--quiet'];
    expect(run('mine', join(sample, 'grants.csv'), '--out', model, ...common).code).toBe(0);
    cpSync(model, reviewed, { recursive: true });
    const roles = csv(join(reviewed, 'roles.csv'));
    const re = csv(join(reviewed, 'role_entitlements.csv'));
    const assignments = csv(join(reviewed, 'assignments.csv'));
    const entsOf = (r: string) => re.filter((x) => x['role'] === r).map((x) => x['entitlement']!);
    const rolesOf = new Map<string, string[]>();
    for (const a of assignments) (rolesOf.get(a['identity']!) ?? rolesOf.set(a['identity']!, []).get(a['identity']!)!).push(a['role']!);
    // Plant: a business role of 5+ members loses an entitlement no other role of its members gives.
    for (const r of roles.filter((x) => x['kind'] === 'business' && Number(x['member_count']) >= 5)) {
      const members = assignments.filter((a) => a['role'] === r['role']).map((a) => a['identity']!);
      const own = entsOf(r['role']!).filter((e) => members.every((m) => !rolesOf.get(m)!.some((o) => o !== r['role'] && entsOf(o).includes(e))));
      if (own.length >= 2 && entsOf(r['role']!).length >= 3) {
        planted = { role: r['role']!, entitlement: own[0]! };
        break;
      }
    }
    expect(planted).toBeDefined();
    approved = [roles[0]!['role']!, planted.role, roles[4]!['role']!];
    rejected = roles.find((r) => !approved.includes(r['role']!) && r['kind'] === 'business')!['role']!;
    for (const r of roles) r['status'] = approved.includes(r['role']!) ? 'approved' : r['role'] === rejected ? 'rejected' : '';
    roles.find((r) => r['role'] === planted.role)!['name'] = 'Reviewed: ' + planted.role;
    // A near-copy of an approved role, added by a reviewer: a merge suggestion.
    duplicate = 'R-copy';
    roles.push({ role: duplicate, kind: 'business', status: 'approved' });
    writeCsv(join(reviewed, 'roles.csv'), roles, [...Object.keys(roles[0]!)]);
    const kept = re.filter((x) => !(x['role'] === planted.role && x['entitlement'] === planted.entitlement));
    for (const e of entsOf(roles[4]!['role']!)) kept.push({ role: duplicate, entitlement: e });
    writeCsv(join(reviewed, 'role_entitlements.csv'), kept, ['role', 'entitlement']);
    const r = run('mine', join(sample, 'grants.csv'), '--roles', reviewed, '--out', out, ...common);
    expect(r.code).toBe(0);
  });

  it('approved roles are kept exactly: ids, names and entitlements as given', () => {
    const given = csv(join(reviewed, 'role_entitlements.csv'));
    const got = csv(join(out, 'role_entitlements.csv'));
    for (const id of approved) {
      const want = given.filter((x) => x['role'] === id).map((x) => x['entitlement']).sort();
      expect(got.filter((x) => x['role'] === id).map((x) => x['entitlement']).sort()).toEqual(want);
    }
    const roles = csv(join(out, 'roles.csv'));
    for (const id of approved) expect(roles.find((r) => r['role'] === id)!['origin']).toBe('given');
    expect(roles.find((r) => r['role'] === planted.role)!['name']).toBe('Reviewed: ' + planted.role);
  });

  it('suggests the planted entitlement for the role given without it, and the merge of near-copies', () => {
    const s = csv(join(out, 'role_suggestions.csv'));
    const add = s.find((x) => x['role'] === planted.role && x['suggestion'] === 'add' && x['target'] === planted.entitlement);
    expect(add).toBeDefined();
    expect(Number(add!['share'])).toBeGreaterThanOrEqual(0.8);
    expect(s.some((x) => x['suggestion'] === 'merge' && x['target'] === duplicate && Number(x['share']) === 1)).toBe(true);
  });

  it('a rejected id never comes back; drafts keep their ids when refined; mined roles get ids the folder does not use', () => {
    const roles = csv(join(out, 'roles.csv'));
    expect(roles.some((r) => r['role'] === rejected)).toBe(false);
    const refined = roles.filter((r) => r['origin'] === 'refined');
    expect(refined.length).toBeGreaterThan(0);
    const givenIds = new Set(csv(join(reviewed, 'roles.csv')).map((r) => r['role']));
    for (const r of roles.filter((x) => x['origin'] === 'mined')) expect(givenIds.has(r['role'])).toBe(false);
    expect(new Set(roles.map((r) => r['role'])).size).toBe(roles.length);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.givenRoles).toMatchObject({ approved: 4, rejected: 1, refined: refined.length });
  });

  it('usage: --roles is for approx mode, not with --by', () => {
    expect(run('mine', join(sample, 'grants.csv'), '--roles', reviewed, '--mode', 'exact', '--out', join(dir, 'x')).err).toBe('rolemill: --roles applies to --mode approx only\n');
    expect(run('mine', join(sample, 'grants.csv'), '--roles', reviewed, '--identities', join(sample, 'identities.csv'), '--by', 'department', '--out', join(dir, 'x')).code).toBe(2);
    expect(run('mine', join(sample, 'grants.csv'), '--roles', reviewed, '--out', reviewed).err).toMatch(/is the input folder .*: an output here would replace it/);
  });
});
