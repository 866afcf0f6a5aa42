// generate --snapshots: the rules of each step hold on the snapshots themselves (movers, leavers,
// joiners, role edits, a retired application, fresh strays, grants = implied - missing + stray),
// the folders are byte-identical for the same seed, and the targets measured end to end:
// mine t0, mine t1 --baseline m0, diff m0 m1 with the identities files, diff m1 m1. Where a target
// is met the test asserts the target; where it is not, a lower bound slightly under what was
// measured (see bench/results/2026-12-01-snapshots.md for the 3,000-identity figures).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support/files.js';
import { generateEnterprise, type Enterprise } from '../src/generate.js';
import { generateSnapshots, scoreSelfDiff, scoreSnapshotStep } from '../src/generate/snapshots.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

const key = (i: string, e: string) => `${i}\u0000${e}`;
function held(e: Enterprise): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>(e.identities.map((x) => [x.id, new Set<string>()]));
  for (let g = 0; g < e.grants.identity.length; g++) m.get(e.identities[e.grants.identity[g]!]!.id)!.add(e.entitlementNames[e.grants.entitlement[g]!]!);
  return m;
}
function impliedBy(e: Enterprise): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>(e.identities.map((x) => [x.id, new Set<string>()]));
  for (const r of e.roles) for (const who of r.members) for (const x of r.entitlements) m.get(who)!.add(x);
  return m;
}
const pairs = (e: Enterprise, p: Enterprise['stray']) => new Set(Array.from(p.identity, (i, k) => key(e.identities[i]!.id, e.entitlementNames[p.entitlement[k]!]!)));
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)])).sort();
}

describe('snapshot rules', () => {
  const N = 800;
  const snaps = generateSnapshots({ identities: N, seed: 5, snapshots: 3 });
  const [s0, s1, s2] = snaps as [(typeof snaps)[0], (typeof snaps)[0], (typeof snaps)[0]];

  it('t0 is the plain generated enterprise, all active, with no changes', () => {
    expect(s0.enterprise).toEqual(generateEnterprise({ identities: N, seed: 5 }));
    expect(new Set(s0.status)).toEqual(new Set(['active']));
    expect(Object.values(s0.changes).every((v) => v.length === 0)).toBe(true);
  });

  it('every snapshot: identities in id order, grants = implied - missing + stray, entitlements sorted', () => {
    for (const s of snaps) {
      const e = s.enterprise;
      const ids = e.identities.map((x) => x.id);
      expect(ids).toEqual([...ids].sort());
      expect(e.entitlementNames).toEqual([...e.entitlementNames].sort());
      const h = held(e);
      const imp = impliedBy(e);
      const stray = pairs(e, e.stray);
      const missing = pairs(e, e.missing);
      for (const [who, set] of imp) {
        for (const x of set) expect(h.get(who)!.has(x) !== missing.has(key(who, x))).toBe(true);
        for (const x of h.get(who)!) if (!set.has(x)) expect(stray.has(key(who, x))).toBe(true);
      }
    }
  });

  it('step 1: counts per the default rates; leavers terminated with their grants; joiners new; a retired application gone; role edits', () => {
    const c = s1.changes;
    expect(c.leavers.length).toBe(Math.round(0.03 * N));
    expect(c.movers.length).toBe(Math.round(0.05 * N));
    expect(c.joiners.length).toBe(Math.round(0.05 * N));
    expect(s1.enterprise.identities.length).toBe(N + c.joiners.length);
    const e1 = s1.enterprise;
    const h1 = held(e1);
    const statusOf = new Map(e1.identities.map((x, i) => [x.id, s1.status[i]!]));
    for (const l of c.leavers) {
      expect(statusOf.get(l.identity)).toBe('terminated');
      expect(h1.get(l.identity)!.size).toBe(l.grants);
    }
    expect([...statusOf.values()].filter((v) => v === 'terminated').length).toBe(c.leavers.length);
    const before = new Set(s0.enterprise.identities.map((x) => x.id));
    for (const j of c.joiners) {
      expect(before.has(j.identity)).toBe(false);
      expect(j.roles[0]).toBe('birthright');
    }
    // The retired application (step 1 retires one): no role and no grant keeps its entitlements.
    expect(c.retired.length).toBeGreaterThan(0);
    const app = c.retired[0]!.application;
    expect(e1.entitlementNames.some((x) => x.startsWith(app + ':'))).toBe(false);
    expect(s0.enterprise.entitlementNames.filter((x) => x.startsWith(app + ':')).sort()).toEqual(c.retired.map((r) => r.entitlement));
    // Role edits: one gained (a new name), one lost.
    expect(c.roleChanges.map((r) => r.change)).toEqual(['gained', 'lost']);
    const roles1 = new Map(e1.roles.map((r) => [r.id, r]));
    expect(roles1.get(c.roleChanges[0]!.role)!.entitlements).toContain(c.roleChanges[0]!.entitlement);
    expect(s0.enterprise.entitlementNames).not.toContain(c.roleChanges[0]!.entitlement);
    expect(roles1.get(c.roleChanges[1]!.role)!.entitlements).not.toContain(c.roleChanges[1]!.entitlement);
    expect(c.strays.length).toBeGreaterThan(0);
  });

  it('movers: a new job, its roles, and every grant of the old job kept; the leftovers are what no current role gives', () => {
    const c = s1.changes;
    const h0 = held(s0.enterprise);
    const h1 = held(s1.enterprise);
    const imp1 = impliedBy(s1.enterprise);
    const at1 = new Map(s1.enterprise.identities.map((x) => [x.id, x]));
    const gone = new Set([...c.retired.map((r) => r.entitlement), c.roleChanges[1]!.entitlement]);
    const assigned1 = new Set(s1.enterprise.roles.flatMap((r) => r.members.map((m) => key(m, r.id))));
    for (const m of c.movers) {
      expect(m.fromDepartment !== m.toDepartment || m.fromTitle !== m.toTitle).toBe(true);
      expect(at1.get(m.identity)!.department).toBe(m.toDepartment);
      expect(at1.get(m.identity)!.title).toBe(m.toTitle);
      for (const r of m.rolesGained) expect(assigned1.has(key(m.identity, r))).toBe(true);
      for (const r of m.rolesLost) expect(assigned1.has(key(m.identity, r))).toBe(false);
      for (const x of h0.get(m.identity)!) if (!gone.has(x)) expect(h1.get(m.identity)!.has(x)).toBe(true);
    }
    expect(c.moverLeftovers.length).toBeGreaterThan(c.movers.length);
    const roles0 = new Map(s0.enterprise.roles.map((r) => [r.id, new Set(r.entitlements)]));
    for (const l of c.moverLeftovers) {
      expect(h1.get(l.identity)!.has(l.entitlement)).toBe(true);
      expect(imp1.get(l.identity)!.has(l.entitlement)).toBe(false);
      // The old role gave it: at t0, or by this step's gain (role edits come before moves).
      const gain = c.roleChanges[0]!;
      expect(roles0.get(l.role)!.has(l.entitlement) || (gain.role === l.role && gain.entitlement === l.entitlement)).toBe(true);
    }
  });

  it('step 2: last step\'s leavers are deprovisioned; ids are never reused; no application retired at an even step', () => {
    const c = s2.changes;
    expect([...c.deprovisioned].sort()).toEqual(s1.changes.leavers.map((l) => l.identity).sort());
    const ids2 = new Set(s2.enterprise.identities.map((x) => x.id));
    for (const l of s1.changes.leavers) expect(ids2.has(l.identity)).toBe(false);
    const everUsed = new Set([...s0.enterprise.identities, ...s1.enterprise.identities].map((x) => x.id));
    for (const j of c.joiners) expect(everUsed.has(j.identity)).toBe(false);
    expect(c.retired).toEqual([]);
    // Nobody reports to a deprovisioned identity.
    for (const x of s2.enterprise.identities) expect(x.manager === '' || ids2.has(x.manager)).toBe(true);
  });
});

describe('generate --snapshots', () => {
  const dir = tempDir();

  it('same seed and K: byte-identical folders; another seed differs; t0 is the plain sample plus a status column', () => {
    for (const [name, seed] of [['a', '3'], ['b', '3'], ['c', '4']] as const) {
      const r = run('generate', '--identities', '500', '--snapshots', '3', '--seed', seed, '--out', join(dir, name));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const fa = files(join(dir, 'a'));
    expect(fa.map((f) => relative(join(dir, 'a'), f))).toContain(join('t2', 'truth', 'changes', 'mover_leftover.csv'));
    expect(files(join(dir, 'b')).map((f) => relative(join(dir, 'b'), f))).toEqual(fa.map((f) => relative(join(dir, 'a'), f)));
    for (const f of fa) expect(readFileSync(f).equals(readFileSync(join(dir, 'b', relative(join(dir, 'a'), f)))), f).toBe(true);
    expect(readFileSync(join(dir, 'c', 't1', 'grants.csv')).equals(readFileSync(join(dir, 'a', 't1', 'grants.csv')))).toBe(false);
    // One output of kind sample listing every snapshot's files.
    const manifest = JSON.parse(readFileSync(join(dir, 'a', 'rolemill.json'), 'utf8'));
    expect(manifest.kind).toBe('sample');
    expect(manifest.files.length).toBe(fa.length - 1);
    expect(run('generate', '--identities', '500', '--seed', '3', '--out', join(dir, 'plain')).status).toBe(0);
    for (const f of ['grants.csv', 'grants.arrow', 'truth/roles.csv', 'truth/role_entitlements.csv', 'truth/assignments.csv', 'truth/stray.csv', 'truth/missing.csv']) {
      expect(readFileSync(join(dir, 'a', 't0', f)).equals(readFileSync(join(dir, 'plain', f))), f).toBe(true);
    }
    const plain = readFileSync(join(dir, 'plain', 'identities.csv'), 'utf8').trim().split('\n');
    const t0 = readFileSync(join(dir, 'a', 't0', 'identities.csv'), 'utf8').trim().split('\n');
    expect(t0).toEqual(plain.map((l, k) => l + (k === 0 ? ',status' : ',active')));
  });

  it('refuses --governance with --snapshots, and a bad K', () => {
    const g = run('generate', '--identities', '100', '--snapshots', '2', '--governance', '--out', join(dir, 'g'));
    expect(g.status).toBe(2);
    expect(g.stderr).toMatch(/--snapshots and --governance/);
    expect(run('generate', '--identities', '100', '--snapshots', '0', '--out', join(dir, 'z')).status).toBe(2);
  });
});

describe('the issue\'s targets, measured on t0 -> t1 (1,500 identities, seed 7)', () => {
  const dir = tempDir();
  const s = join(dir, 's');
  const t = (k: number, f: string) => join(s, `t${k}`, f);
  const ok = (r: ReturnType<typeof run>) => expect(r.status, r.stderr).toBe(0);
  ok(run('generate', '--identities', '1500', '--snapshots', '2', '--seed', '7', '--out', s));
  ok(run('mine', t(0, 'grants.csv'), '--identities', t(0, 'identities.csv'), '--out', join(dir, 'm0'), '--no-timings', '--quiet'));
  ok(run('mine', t(1, 'grants.csv'), '--identities', t(1, 'identities.csv'), '--baseline', join(dir, 'm0'), '--out', join(dir, 'm1'), '--no-timings', '--quiet'));
  ok(run('diff', join(dir, 'm0'), join(dir, 'm1'), '--identities-before', t(0, 'identities.csv'), '--identities-after', t(1, 'identities.csv'), '--out', join(dir, 'd1'), '--quiet'));
  const score = scoreSnapshotStep({ before: join(s, 't0'), after: join(s, 't1'), prevModel: join(dir, 'm0'), nextModel: join(dir, 'm1'), diff: join(dir, 'd1') });

  it('planted roles that did not change keep their id (target >= 95% of those matched in both models)', async () => {
    const { stableIds } = await score;
    // Measured 20 of 20 (of 58 unchanged: the others no mined role matches at J >= 0.9 in both).
    expect(stableIds.matchedBoth).toBeGreaterThanOrEqual(18);
    expect(stableIds.share).toBeGreaterThanOrEqual(0.95);
    // Of every unchanged planted role with 5+ members (as the quality figures count them), the share that keeps its id.
    const { stableIdsLarge } = await score;
    // Measured 53 of 54.
    expect(stableIdsLarge).toMatchObject({ unchanged: 54, sameId: 53 });
  });

  it('movers\' old-job access: mover_leftover recall (target 90%: met) and precision (target 80%: met)', async () => {
    const { moverLeftover: m } = await score;
    expect(m.truth).toBe(680);
    // A mover keeps every grant of the old job. With the attribute roles of the default run (--by
    // auto), the mover holds the new job's roles; the old access is left as exceptions (100 of
    // 680) or to roles the bottom-up miner forms of movers who kept the same old access (none held
    // before). diff tells the old job's by the mover's old and new peers and by what its old roles
    // gave (src/pipeline/diff.ts). Measured: recall 674 of 680 (99.1%), precision 86.4% of 780
    // rows. Before the default run used --by auto: recall 85.9%, precision 90.0%.
    expect(m.recall).toBeGreaterThanOrEqual(0.95);
    expect(m.precision).toBeGreaterThanOrEqual(0.8);
    expect(m.keptByOldRole).toBe(0);
    expect(m.asException).toBe(100);
  });

  it('without identities files, movers are found from access: a role lost whose access is kept, and a new job\'s role gained', async () => {
    ok(run('diff', join(dir, 'm0'), join(dir, 'm1'), '--out', join(dir, 'd-access'), '--quiet'));
    const truth = new Set(readFileSync(t(1, join('truth', 'changes', 'movers.csv')), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]!));
    const rows = readFileSync(join(dir, 'd-access', 'identity_changes.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const found = rows.filter((r) => r[1] === 'mover').map((r) => r[0]!);
    // Measured: 71 of the 75 movers, none wrongly; their old-job access recall 98.7%, precision 99.7%.
    expect(truth.size).toBe(75);
    expect(found.length).toBe(71);
    expect(found.every((w) => truth.has(w))).toBe(true);
    const m = (await scoreSnapshotStep({ before: join(s, 't0'), after: join(s, 't1'), prevModel: join(dir, 'm0'), nextModel: join(dir, 'm1'), diff: join(dir, 'd-access') })).moverLeftover;
    expect(m.recall).toBeGreaterThanOrEqual(0.95);
    expect(m.precision).toBeGreaterThanOrEqual(0.95);
  });

  it('every leaver is listed with leaver_access rows covering all their grants', async () => {
    const { leavers } = await score;
    expect(leavers.truth).toBe(45);
    expect(leavers.fullyCovered).toBe(leavers.truth);
    expect(leavers.grantsListed).toBe(leavers.grants);
  });

  it('every joiner is a joiner; the share given the roles planted for them', async () => {
    const { joiners } = await score;
    expect(joiners.truth).toBe(75);
    expect(joiners.detected).toBe(joiners.truth);
    // Measured: 113 of 285 planted (joiner, role) pairs (39.6%; 56.5% of the 200 a mined role
    // matches at J >= 0.9): mined roles cut the planted ones differently (a department and a title
    // role as one), yet 96.6% of the joiners' grants are given by roles.
    expect(joiners.shareGiven).toBeGreaterThanOrEqual(0.38);
    expect(joiners.grantsExplained / joiners.grants).toBeGreaterThanOrEqual(0.95);
  });

  it('a snapshot diffed with itself: every role kept, nothing else', async () => {
    ok(run('diff', join(dir, 'm1'), join(dir, 'm1'), '--out', join(dir, 'self'), '--quiet'));
    const self = await scoreSelfDiff(join(dir, 'self'));
    expect(self.kept).toBe(self.roles);
    expect(self.roles).toBeGreaterThan(60); // 81 measured: a real model, not a trivial one
    expect(self).toMatchObject({ otherRoleRows: 0, identityRows: 0, remediationRows: 0 });
  });
});
