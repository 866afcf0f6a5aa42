// rolemill evaluate: a mined model read back and re-verified on its own grants gives the mine's own
// verification; a reviewer's edits (a role deleted, an entitlement added, a rename, a rejection,
// assignments left out) show exactly their impact.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, csvRecords as csv, writeCsvRecords as writeCsv } from './support/files.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('rolemill evaluate', () => {
  const dir = tempDir();
  const sample = join(dir, 'sample');
  const model = join(dir, 'model');
  const common = () => ['--identities', join(sample, 'identities.csv'), '--memberships', join(sample, 'memberships.csv'), '--no-timings', '--quiet'];
  const grants = () => join(sample, 'grants.csv');
  /** Evaluates a copy of the mined model after `edit`; returns the output folder. */
  const evaluate = (name: string, edit: (m: string) => void, ...more: string[]) => {
    const m = join(dir, `model-${name}`);
    cpSync(model, m, { recursive: true });
    edit(m);
    const out = join(dir, `eval-${name}`);
    const r = run('evaluate', grants(), '--model', m, '--out', out, ...common(), ...more);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    return out;
  };
  const key = (r: Record<string, string>) => `${r['identity']}\u0000${r['entitlement']}`;
  const lose = (out: string) => new Set(csv(join(out, 'impact.csv')).filter((r) => r['change'] === 'lose').map(key));
  const gain = (out: string) => csv(join(out, 'impact.csv')).filter((r) => r['change'] === 'gain');
  let baseline: string;

  beforeAll(() => {
    expect(run('generate', '--identities', '400', '--seed', '4', '--governance', '--out', sample).code).toBe(0);
    expect(run('mine', grants(), '--out', model, ...common()).code).toBe(0);
    baseline = evaluate('same', () => undefined);
  });

  it('on the grants it was mined from: the same coverage, exceptions and over-assignments as the mine', () => {
    const mined = JSON.parse(readFileSync(join(model, 'summary.json'), 'utf8'));
    const ev = JSON.parse(readFileSync(join(baseline, 'summary.json'), 'utf8'));
    expect(ev.model).toEqual(mined.model);
    expect(readFileSync(join(baseline, 'exceptions.csv')).equals(readFileSync(join(model, 'exceptions.csv')))).toBe(true);
    expect(readFileSync(join(baseline, 'role_entitlements.csv')).equals(readFileSync(join(model, 'role_entitlements.csv')))).toBe(true);
    // The gains are the mine's over-assignments (pairs a role gives its members who lack them).
    expect(ev.evaluation).toMatchObject({ roles: mined.model.roles, rejectedRoles: 0, assignmentsProposed: 0, gains: mined.model.overAssigned, losses: mined.model.unexplainedGrants });
    expect(mined.model.overAssigned).toBeGreaterThan(0);
    const over = new Set(csv(join(model, 'exceptions.csv')).filter((r) => r['reason'] === 'over_assigned').map(key));
    expect(new Set(gain(baseline).map(key))).toEqual(over);
    // Every exception that no role gives is a loss, and nothing else: all but the over-assignments,
    // and but the dormant grants a role gives (listed for review all the same).
    const exceptions = csv(join(model, 'exceptions.csv')).filter((r) => r['reason'] !== 'over_assigned');
    const lost = lose(baseline);
    expect(lost.size).toBe(mined.model.unexplainedGrants);
    expect(exceptions.filter((r) => r['reason'] !== 'dormant').every((r) => lost.has(key(r)))).toBe(true);
    const listed = new Set(exceptions.map(key));
    expect([...lost].every((k) => listed.has(k))).toBe(true);
    expect(exceptions.length - lost.size).toBe(mined.model.dormantGivenByRoles);
    const roles = csv(join(baseline, 'roles.csv'));
    expect(roles.every((r) => r['status'] === 'draft' && r['members_proposed'] === '0')).toBe(true);
  });

  it('a deleted role: exactly its exclusive grants become losses for its members', () => {
    const roles = csv(join(model, 'roles.csv'));
    const victim = roles.find((r) => r['kind'] === 'business' && Number(r['exclusive_grants']) > 0)!;
    const id = victim['role']!;
    const out = evaluate('deleted', (m) => {
      for (const t of ['roles', 'role_entitlements', 'assignments']) {
        const rows = csv(join(m, `${t}.csv`));
        writeCsv(join(m, `${t}.csv`), rows.filter((r) => r['role'] !== id), Object.keys(rows[0]!));
      }
    });
    // Independently: the (member, entitlement) grants of the role that no other role of the member
    // gives (pairs it over-assigns are not grants: nothing to lose).
    const over = new Set(csv(join(model, 'exceptions.csv')).filter((r) => r['reason'] === 'over_assigned').map(key));
    const ents = new Map<string, Set<string>>();
    for (const r of csv(join(model, 'role_entitlements.csv'))) (ents.get(r['role']!) ?? ents.set(r['role']!, new Set()).get(r['role']!)!).add(r['entitlement']!);
    const rolesOf = new Map<string, string[]>();
    for (const a of csv(join(model, 'assignments.csv'))) (rolesOf.get(a['identity']!) ?? rolesOf.set(a['identity']!, []).get(a['identity']!)!).push(a['role']!);
    const expected = new Set<string>();
    for (const [who, rs] of rolesOf) {
      if (!rs.includes(id)) continue;
      for (const e of ents.get(id)!) if (!rs.some((r) => r !== id && ents.get(r)!.has(e)) && !over.has(`${who}\u0000${e}`)) expected.add(`${who}\u0000${e}`);
    }
    expect(expected.size).toBe(Number(victim['exclusive_grants']));
    const before = lose(baseline);
    const added = [...lose(out)].filter((k) => !before.has(k));
    expect(new Set(added)).toEqual(expected);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).evaluation.roles).toBe(roles.length - 1);
  });

  it('an entitlement added to a role: a gain for each member lacking it, naming the role', () => {
    const roles = csv(join(model, 'roles.csv'));
    const target = roles.find((r) => r['kind'] === 'business')!['role']!;
    const out = evaluate('added', (m) => {
      const rows = csv(join(m, 'role_entitlements.csv'));
      rows.push({ role: target, entitlement: 'newapp:reports:read' });
      writeCsv(join(m, 'role_entitlements.csv'), rows, ['role', 'entitlement']);
    });
    const members = csv(join(model, 'assignments.csv')).filter((a) => a['role'] === target).map((a) => a['identity']!);
    // New gains, beyond the mine's own over-assignments (gains of the unedited model).
    const before = new Set(gain(baseline).map(key));
    const g = gain(out).filter((r) => !before.has(key(r)));
    expect(g.map((r) => r['identity']).sort()).toEqual(members.sort());
    expect(g.every((r) => r['entitlement'] === 'newapp:reports:read' && r['role'] === target)).toBe(true);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.evaluation.entitlementsNotInGrants).toEqual({ count: 1, examples: ['newapp:reports:read'] });
  });

  it('a renamed role keeps its id and its new name; a rejected role is ignored; a reviewer column is carried through', () => {
    const out = evaluate('renamed', (m) => {
      const rows = csv(join(m, 'roles.csv'));
      rows[1]!['name'] = 'Sales managers (approved by J. Doe)';
      rows[1]!['status'] = 'approved';
      rows[2]!['status'] = 'rejected';
      rows[3]!['owner'] = 'alice@example.com';
      writeCsv(join(m, 'roles.csv'), rows, [...Object.keys(rows[0]!), 'status', 'owner']);
    });
    const mined = csv(join(model, 'roles.csv'));
    const roles = csv(join(out, 'roles.csv'));
    expect(roles.map((r) => r['role'])).toEqual(mined.filter((_, k) => k !== 2).map((r) => r['role']));
    expect(roles[1]).toMatchObject({ role: mined[1]!['role'], name: 'Sales managers (approved by J. Doe)', status: 'approved' });
    expect(roles[2]!['owner']).toBe('alice@example.com');
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.evaluation.rejectedRoles).toBe(1);
    expect(csv(join(out, 'assignments.csv')).some((a) => a['role'] === mined[2]!['role'])).toBe(false);
  });

  it('assignments left out are proposed by the membership rule, and marked', () => {
    const out = evaluate('unassigned', (m) => rmSync(join(m, 'assignments.csv')));
    const mined = new Set(csv(join(model, 'assignments.csv')).map((a) => `${a['identity']}\u0000${a['role']}`));
    const proposed = csv(join(out, 'assignments.csv'));
    expect(proposed.every((a) => a['proposed'] === 'true')).toBe(true);
    const same = proposed.filter((a) => mined.has(`${a['identity']}\u0000${a['role']}`)).length;
    // The rule (largest fitting role first, each for what it adds) recovers most of what mining assigned.
    expect(same / mined.size).toBeGreaterThan(0.85);
    expect(proposed.length / mined.size).toBeLessThan(1.15);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.evaluation.assignmentsGiven).toBe(0);
    expect(s.evaluation.assignmentsProposed).toBe(proposed.length);
  });

  it('explain takes an account of a merged person and says which role gives the grant, or why it is an exception', () => {
    const acc = csv(join(model, 'accounts.csv')).find((a) => a['identity'] !== a['account'] && a['kind'] === 'human')!;
    const person = acc['identity']!;
    const roleOf = csv(join(model, 'assignments.csv')).find((a) => a['identity'] === person)!['role']!;
    const ent = csv(join(model, 'role_entitlements.csv')).find((r) => r['role'] === roleOf)!['entitlement']!;
    const r = run('explain', grants(), '--identity', acc['account']!, '--entitlement', ent, '--model', model, '--identities', join(sample, 'identities.csv'), '--memberships', join(sample, 'memberships.csv'));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`${acc['account']} is an account of ${person} in the model`);
    expect(r.out).toMatch(new RegExp(`in ${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: given to ${person} by [^\n]*${roleOf}`));
    const ex = csv(join(model, 'exceptions.csv')).find((x) => x['reason'] === 'outside_roles')!;
    const e = run('explain', grants(), '--identity', ex['account']!.split(';')[0]!, '--entitlement', ex['entitlement']!, '--model', model, '--identities', join(sample, 'identities.csv'), '--memberships', join(sample, 'memberships.csv'));
    expect(e.out).toContain(`: an exception for ${ex['identity']}, reason outside_roles: roles hold the entitlement, but none of this identity's roles\n`);
  });

  it('a bad model folder is exit 2 naming the file, line and column; the model folder is never the output', () => {
    const m = join(dir, 'model-bad');
    cpSync(model, m, { recursive: true });
    const rows = csv(join(m, 'assignments.csv'));
    rows.push({ identity: rows[0]!['identity']!, role: 'R9999' });
    writeCsv(join(m, 'assignments.csv'), rows, ['identity', 'role']);
    const r = run('evaluate', grants(), '--model', m, '--out', join(dir, 'eval-bad'), ...common());
    expect(r.code).toBe(2);
    expect(r.err).toBe(`rolemill: ${join(m, 'assignments.csv')}:${rows.length + 1} (column role): assignment names an unknown role 'R9999': it is not in roles.csv (add its row there, or delete this assignment)\n`);
    const into = run('evaluate', grants(), '--model', model, '--out', model, ...common());
    expect(into.code).toBe(2);
    expect(into.err).toBe(`rolemill: ${model}: is the input folder ${model}: an output here would replace it; choose another output folder\n`);
    expect(run('evaluate', grants(), ...common()).err).toBe('rolemill: evaluate needs --model DIR (a folder written by rolemill mine, reviewed or not)\n');
  });
});
