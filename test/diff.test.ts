// rolemill diff: two hand-built snapshots' model folders, with exact expected rows; a snapshot
// diffed with itself keeps every role and reports nothing else.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support/files.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

function folder(dir: string, t: Record<string, string[]>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, lines] of Object.entries(t)) writeFileSync(join(dir, `${name}.csv`), lines.join('\n') + '\n');
  return dir;
}
const accounts = (rows: string[]) => ['account,identity,person,kind,kind_rule,status,orphan,terminated_with_access,non_human,applications,entitlements', ...rows];
const lines = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n');

describe('rolemill diff', () => {
  const dir = tempDir();
  const prev = folder(join(dir, 'prev'), {
    roles: ['role,kind', 'R1,business', 'R2,business', 'R3,technical'],
    role_entitlements: ['role,entitlement', 'R1,a', 'R1,b', 'R2,c', 'R3,d'],
    assignments: ['identity,role', 'u1,R1', 'u2,R1', 'u2,R2', 'u3,R3'],
    exceptions: ['identity,account,entitlement,reason', 'u1,u1,x,outside_roles', 'u3,u3,y,unexplained'],
    accounts: accounts(['u1,u1,u1,human,hr,active,false,false,false,1,3', 'u2,u2,u2,human,hr,active,false,false,false,1,3', 'u3,u3,u3,human,hr,active,false,false,false,1,2']),
  });
  const next = folder(join(dir, 'next'), {
    roles: ['role,kind', 'R1,business', 'R2,business', 'R4,technical'],
    role_entitlements: ['role,entitlement', 'R1,a', 'R1,b', 'R2,c', 'R2,e', 'R4,f'],
    assignments: ['identity,role', 'u1,R1', 'u2,R4', 'u4,R1', 'u5,R1'],
    exceptions: ['identity,account,entitlement,reason', 'u1,u1,x,outside_roles', 'u2,u2,c,outside_roles', 'u5,u5,z,unexplained'],
    accounts: accounts(['u1,u1,u1,human,hr,active,false,false,false,1,3', 'u2,u2,u2,human,hr,active,false,false,false,1,2', 'u4,u4,u4,human,hr,active,false,false,false,1,2', 'u5,u5,u5,human,hr,terminated,false,true,false,1,3']),
  });
  writeFileSync(join(dir, 'before.csv'), 'identity,department\nu1,sales\nu2,finance\nu3,ops\nu5,sales\n');
  writeFileSync(join(dir, 'after.csv'), 'identity,department\nu1,sales\nu2,sales\nu4,ops\nu5,sales\n');

  it('role, identity and remediation rows, exactly', () => {
    const out = join(dir, 'out');
    const r = run('diff', prev, next, '--out', out, '--identities-before', join(dir, 'before.csv'), '--identities-after', join(dir, 'after.csv'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(lines(out, 'role_changes.csv')).toEqual([
      'role,change,jaccard,entitlements_added,entitlements_removed,members_before,members_after',
      'R1,kept,1,,,2,3',
      'R2,changed,0.5,e,,1,0',
      'R4,added,0,f,,0,1',
      'R3,removed,0,,d,1,0',
    ]);
    expect(lines(out, 'identity_changes.csv')).toEqual([
      'identity,change,roles_before,roles_after,attributes_changed',
      'u2,mover,R1;R2,R4,department: finance → sales',
      'u3,leaver,R3,,',
      'u4,joiner,,R1,',
      'u5,joiner,,R1,',
    ]);
    expect(lines(out, 'remediation.csv')).toEqual([
      'identity,account,entitlement,reason,role',
      'u5,u5,a,leaver_access,R1',
      'u5,u5,b,leaver_access,R1',
      'u5,u5,z,leaver_access,',
      'u2,u2,c,mover_leftover,R2',
      'u3,u3,y,resolved,',
    ]);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s).toMatchObject({
      roles: { before: 3, after: 3, kept: 1, changed: 1, added: 1, removed: 1 },
      stability: { continued: 0.667, meanJaccard: 0.75 },
      identities: { joiners: 2, leavers: 1, movers: 1, changed: 0, unchanged: 1 },
      remediation: { leaver_access: 3, mover_leftover: 1, new_exception: 0, resolved: 1 },
      exceptions: { before: 2, after: 3 },
    });
    expect(JSON.parse(readFileSync(join(out, 'rolemill.json'), 'utf8')).kind).toBe('diff');
  });

  it('a snapshot diffed with itself: every role kept, nothing else', () => {
    const out = join(dir, 'self');
    expect(run('diff', next, next, '--out', out).status).toBe(0);
    expect(lines(out, 'role_changes.csv').slice(1).every((l) => l.split(',')[1] === 'kept')).toBe(true);
    expect(lines(out, 'identity_changes.csv')).toHaveLength(1);
    expect(lines(out, 'remediation.csv')).toHaveLength(1);
  });

  it('usage and inputs: two folders; the output may not be either of them', () => {
    expect(run('diff', prev).stderr).toBe("rolemill: diff takes two model folders (the previous snapshot's, then the new one's), got 1\n");
    expect(run('diff', prev, next, '--out', next).status).toBe(2);
  });
});
