// mine --baseline: stable role ids across snapshots, by an optimal one-to-one matching on
// entitlement Jaccard, checked against brute force; a snapshot against itself keeps every id.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support/files.js';
import { rng } from './support/reference.js';
import { maxWeightAssignment } from '../src/pipeline/baseline.js';
import * as rolemill from '../dist/index.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

function rolesOf(dir: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of readFileSync(join(dir, 'role_entitlements.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [r, e] = line.split(',');
    (out.get(r!) ?? out.set(r!, new Set()).get(r!)!).add(e!);
  }
  return out;
}
const jac = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length / new Set([...a, ...b]).size;

describe('maxWeightAssignment', () => {
  it('finds the maximum total weight, as brute force does, on seeded random matrices', () => {
    const rand = rng(3);
    for (let t = 0; t < 200; t++) {
      const rows = 1 + Math.floor(rand() * 5);
      const cols = 1 + Math.floor(rand() * 5);
      const w = Array.from({ length: rows }, () => Float64Array.from({ length: cols }, () => (rand() < 0.4 ? 0 : Math.round(rand() * 100) / 100)));
      const a = maxWeightAssignment(w);
      const total = a.reduce((s, c, i) => s + (c >= 0 ? w[i]![c]! : 0), 0);
      expect(new Set(a.filter((c) => c >= 0)).size).toBe(a.filter((c) => c >= 0).length); // one-to-one
      let best = 0;
      const perm = (i: number, usedCols: Set<number>, s: number) => {
        if (i === rows) return void (best = Math.max(best, s));
        perm(i + 1, usedCols, s);
        for (let c = 0; c < cols; c++) if (!usedCols.has(c)) perm(i + 1, new Set([...usedCols, c]), s + w[i]![c]!);
      };
      perm(0, new Set(), 0);
      expect(total).toBeCloseTo(best, 9);
    }
  });
});

describe('mine --baseline', () => {
  const dir = tempDir();
  const common = (s: string) => [join(dir, s, 'grants.csv'), '--identities', join(dir, s, 'identities.csv'), '--no-timings', '--quiet'];
  expect(run('generate', '--identities', '800', '--seed', '3', '--out', join(dir, 'a')).status).toBe(0);
  expect(run('generate', '--identities', '800', '--seed', '3', '--stray-rate', '0.03', '--missing-rate', '0.015', '--out', join(dir, 'b')).status).toBe(0);
  expect(run('mine', ...common('a'), '--out', join(dir, 'ma')).status).toBe(0);

  it('a snapshot against itself keeps every role and id, nothing removed', () => {
    expect(run('mine', ...common('a'), '--baseline', join(dir, 'ma'), '--out', join(dir, 'self')).status).toBe(0);
    const ids = (d: string) => readFileSync(join(dir, d, 'roles.csv'), 'utf8').trim().split('\n').map((l) => l.split(',')[0]);
    expect(ids('self')).toEqual(ids('ma'));
    const s = JSON.parse(readFileSync(join(dir, 'self', 'summary.json'), 'utf8')).baseline;
    expect(s).toMatchObject({ continued: ids('ma').length - 1, added: 0, removed: { count: 0 }, meanJaccard: 1 });
  });

  it('the next snapshot: far more roles keep their id than without a baseline; new ids are never the lineage\'s; reruns are byte-identical', () => {
    expect(run('mine', ...common('b'), '--out', join(dir, 'plain')).status).toBe(0);
    expect(run('mine', ...common('b'), '--baseline', join(dir, 'ma'), '--out', join(dir, 'mb')).status).toBe(0);
    const A = rolesOf(join(dir, 'ma'));
    const keptIds = (d: string) => [...rolesOf(join(dir, d))].filter(([id, e]) => A.has(id) && jac(A.get(id)!, e) >= 0.9).length;
    const plain = keptIds('plain');
    const withBaseline = keptIds('mb');
    // The default run's attribute roles (--by auto) are stable, so their rank ids mostly survive
    // too (measured 60 of 62 either way); the baseline keeps at least as many.
    expect(withBaseline).toBeGreaterThanOrEqual(plain);
    expect(withBaseline / A.size).toBeGreaterThan(0.95);
    // Bottom-up (--by none), ranks do not survive; the baseline's matching and its preferred roles
    // (the minimal-perturbation term) do: measured 59 of 59 with it, 34 without.
    const up = ['--by', 'none'];
    expect(run('mine', ...common('a'), ...up, '--out', join(dir, 'ua')).status).toBe(0);
    expect(run('mine', ...common('b'), ...up, '--out', join(dir, 'uplain')).status).toBe(0);
    expect(run('mine', ...common('b'), ...up, '--baseline', join(dir, 'ua'), '--out', join(dir, 'ub')).status).toBe(0);
    const UA = rolesOf(join(dir, 'ua'));
    const keptUp = (d: string) => [...rolesOf(join(dir, d))].filter(([id, e]) => UA.has(id) && jac(UA.get(id)!, e) >= 0.9).length;
    expect(keptUp("ub") - keptUp("uplain")).toBeGreaterThan(0.3 * UA.size);
    expect(keptUp('ub') / UA.size).toBeGreaterThanOrEqual(0.95);
    const s = JSON.parse(readFileSync(join(dir, 'mb', 'summary.json'), 'utf8')).baseline;
    const B = rolesOf(join(dir, 'mb'));
    expect(s.continued + s.added).toBe(B.size);
    expect(s.idsUsed).toEqual(expect.arrayContaining([...A.keys(), ...B.keys()]));
    // identities.csv names each identity's roles by the ids roles.csv and assignments.csv use (bottom-up,
    // where kept ids differ from the ranks most).
    const assigned = new Map<string, string[]>();
    for (const line of readFileSync(join(dir, 'ub', 'assignments.csv'), 'utf8').trim().split('\n').slice(1)) {
      const [i, r] = line.split(',');
      (assigned.get(i!) ?? assigned.set(i!, []).get(i!)!).push(r!);
    }
    const idHead = readFileSync(join(dir, 'ub', 'identities.csv'), 'utf8').split('\n', 1)[0]!.split(',');
    const rolesCol = idHead.indexOf('roles');
    let checked = 0;
    for (const line of readFileSync(join(dir, 'ub', 'identities.csv'), 'utf8').trim().split('\n').slice(1)) {
      if (line.includes('"')) continue; // quoted outlier factors: the plain rows are enough here
      const cells = line.split(',');
      const listed = cells[rolesCol] ? cells[rolesCol]!.split(' ') : [];
      expect(listed.sort(), cells[0]).toEqual((assigned.get(cells[0]!) ?? []).sort());
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(run('mine', ...common('b'), '--baseline', join(dir, 'ma'), '--out', join(dir, 'mb2')).status).toBe(0);
    for (const f of ['roles.csv', 'role_entitlements.csv', 'assignments.csv', 'summary.json']) {
      expect(readFileSync(join(dir, 'mb2', f)).equals(readFileSync(join(dir, 'mb', f))), f).toBe(true);
    }
  });

  it('a reviewer\'s baseline: a renamed role keeps its name, a rejected id is never given again', () => {
    const roles = readFileSync(join(dir, 'ma', 'roles.csv'), 'utf8').trim().split('\n');
    const head = roles[0]!.split(',');
    const nameAt = head.indexOf('name');
    const cells = roles.map((l) => l.split(','));
    // Rename the second role (names hold no commas in this sample) and reject the third.
    const renamedId = cells[2]![0]!;
    const rejectedId = cells[3]![0]!;
    cells[2]![nameAt] = 'Reviewed name';
    const edited = [...head, 'status'].join(',') + '\n' + cells.slice(1).map((c, k) => [...c, k === 2 ? 'rejected' : ''].join(',')).join('\n') + '\n';
    const folder = join(dir, 'reviewed');
    spawnSync('cp', ['-r', join(dir, 'ma'), folder]);
    writeFileSync(join(folder, 'roles.csv'), edited);
    const r = run('mine', ...common('a'), '--baseline', folder, '--out', join(dir, 'after-review'));
    expect(r.stderr).toBe('');
    const out = readFileSync(join(dir, 'after-review', 'roles.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const outHead = out[0]!;
    const renamed = out.find((c) => c[0] === renamedId)!;
    expect(renamed[outHead.indexOf('name')]).toBe('Reviewed name');
    expect(out.some((c) => c[0] === rejectedId)).toBe(false);
  });

  it('the library: runMine with a baseline gives the same model on the sync and the worker engine (its preferred roles cross to the worker)', async () => {
    const grants = await rolemill.readGrants(join(dir, 'b', 'grants.csv'));
    const identities = await rolemill.readIdentities(join(dir, 'b', 'identities.csv'));
    const baseline = await rolemill.readModel(join(dir, 'ua'));
    const options = { baseline, by: { paths: [] as string[][] }, peers: false };
    const sync = await rolemill.runMine({ grants, identities, memberships: null }, options, await rolemill.createEngine());
    const worker = rolemill.createWorkerEngine();
    try {
      const copy = { ...grants, identity: grants.identity.slice(), entitlement: grants.entitlement.slice() };
      const w = await rolemill.runMine({ grants: copy, identities, memberships: null }, options, worker);
      expect(w.model.roles).toEqual(sync.model.roles);
      expect(w.model.summary.baseline).toEqual(sync.model.summary.baseline);
    } finally {
      await worker.dispose();
    }
    // Without the preferred roles the model differs (they are what keeps it close to the baseline).
    const plain = await rolemill.runMine({ grants, identities, memberships: null }, { by: { paths: [] }, peers: false }, await rolemill.createEngine());
    const sets = (m: rolemill.RoleModel) => rolemill.roleObjects(m).map((r) => r.entitlements.join(' ')).sort();
    expect(sets(plain.model)).not.toEqual(sets(sync.model));
  });
});
