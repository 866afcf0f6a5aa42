// Review precision by default: what `rolemill mine grants.csv --identities identities.csv` gives on
// enterprises it was not tuned on (held-out configurations of the varied generator, at a seed the
// benchmark does not use), and the membership, fragment and chance rules on hand-built cases.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rolemill from '../dist/index.js';
import { runCli } from '../dist/cli/run.js';
import { generateVaried, writeVaried, VARIED_GRID } from '../src/generate/varied.js';
import { Rng } from '../src/util/prng.js';
// The benchmark's own scorer (bench/precision.js), reading only the truth and output files.
import { scoreFolder } from '../src/generate/score.js';

type Score = ReturnType<typeof scoreFolder>;
const quiet = { out: () => undefined, err: () => undefined, tty: false };

describe('the default run on held-out generated enterprises (the issue targets)', () => {
  // Three held-out configurations of bench/precision.js, seed 5 (the benchmark uses 1 to 3), 1,500 people.
  const cases = ['h2-small-flat-groups', 'h4-medium-flat-direct-gov', 'h6-large-nested-groups-gov'];
  const dir = mkdtempSync(join(tmpdir(), 'rolemill-precision-'));
  const scores = new Map<string, Score>();
  beforeAll(async () => {
    for (const name of cases) {
      const g = VARIED_GRID.find((x) => x.name === name)!;
      expect(g.split).toBe('holdout');
      const sample = join(dir, name);
      await writeVaried(sample, generateVaried({ ...g.config, people: 1500 }, 5));
      const args = ['mine', join(sample, 'grants.csv'), '--identities', join(sample, 'identities.csv')];
      if (readdirSync(sample).includes('memberships.csv')) args.push('--memberships', join(sample, 'memberships.csv'));
      expect(await runCli([...args, '--out', join(dir, `${name}-out`), '--quiet', '--no-timings'], quiet)).toBe(0);
      scores.set(name, scoreFolder(sample, join(dir, `${name}-out`)));
    }
    return () => rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  for (const name of cases) {
    it(name, () => {
      const s = scores.get(name)!;
      expect(s.precision, 'exceptions for review that are strays').toBeGreaterThanOrEqual(0.85);
      expect(s.recall, 'strays found among exceptions').toBeGreaterThanOrEqual(0.95);
      expect(s.identifiable, `identifiable planted roles matched (${s.unmatched.join(', ')})`).toBeGreaterThanOrEqual(0.9);
      expect(s.rolesRatio).toBeLessThanOrEqual(1.15);
      expect(s.birthrightRoles).toBe(1);
      expect(s.nonHumanRoles).toBe(0);
      expect(s.gaps, 'over-assignments that are planted missing grants').toBeGreaterThanOrEqual(0.95);
    });
  }
});

describe('membership, fragments and chance (hand-built)', () => {
  /** Grant pairs: 300 identities with a birthright pair, plus `more`. */
  const base = (more: [string, string][]): [string, string][] => {
    const pairs: [string, string][] = [];
    for (let i = 0; i < 300; i++) pairs.push([`u${String(i).padStart(3, '0')}`, 'mail'], [`u${String(i).padStart(3, '0')}`, 'vpn']);
    return [...pairs, ...more];
  };
  const u = (i: number) => `u${String(i).padStart(3, '0')}`;
  const objects = (m: rolemill.RoleModel) => rolemill.roleObjects(m);
  const over = (m: rolemill.RoleModel) => Array.from(m.overAssignments.identity, (i, k) => `${m.identities[i]} ${m.entitlements[m.overAssignments.entitlement[k]!]}`);

  it('a role of two entitlements: a member lacking one holds it when no one outside holds the other', async () => {
    // u000..u019 hold pay:view + pay:approve; u020 holds pay:view only (pay:approve never
    // provisioned). No one else holds pay:view: u020 gets the role, (u020, pay:approve) is listed.
    const more: [string, string][] = [];
    for (let i = 0; i < 20; i++) more.push([u(i), 'pay:view'], [u(i), 'pay:approve']);
    more.push([u(20), 'pay:view']);
    const m = (await rolemill.createEngine()).mine(rolemill.grantsFromPairs(base(more)));
    const role = objects(m).find((r) => r.entitlements.join() === 'pay:approve,pay:view')!;
    expect(role.members).toEqual(Array.from({ length: 21 }, (_, i) => u(i)));
    expect(over(m)).toEqual(['u020 pay:approve']);
    expect(m.summary.model.unexplainedGrants).toBe(0);
    // With --tolerance 0 it does not, and its pay:view is an exception.
    const strict = (await rolemill.createEngine()).mine(rolemill.grantsFromPairs(base(more)), { tolerance: 0 });
    expect(objects(strict).find((r) => r.entitlements.join() === 'pay:approve,pay:view')!.members).not.toContain(u(20));
    expect(strict.summary.model.overAssigned).toBe(0);
  });

  it('...but not when the entitlement it holds is common outside the role (a stray explains it better)', async () => {
    // wiki:edit is held by 100 identities outside the role; u200 holds wiki:edit and not crm:x.
    const more: [string, string][] = [];
    for (let i = 0; i < 20; i++) more.push([u(i), 'wiki:edit'], [u(i), 'crm:x']);
    for (let i = 100; i <= 200; i++) more.push([u(i), 'wiki:edit']);
    const m = (await rolemill.createEngine()).mine(rolemill.grantsFromPairs(base(more)));
    const role = objects(m).find((r) => r.entitlements.join() === 'crm:x,wiki:edit')!;
    expect(role.members).toEqual(Array.from({ length: 20 }, (_, i) => u(i)));
    expect(m.summary.model.overAssigned).toBe(0);
  });

  it('one birthright role: identities missing one of its grants hold it, no "birthright minus one" copies', async () => {
    // 300 identities, 6 birthright entitlements; 2% of those grants never provisioned, at random.
    const rng = new Rng(3);
    const ents = ['mail', 'vpn', 'wiki', 'chat', 'sso', 'hr'];
    const pairs: [string, string][] = [];
    let missing = 0;
    for (let i = 0; i < 300; i++) for (const e of ents) (rng.float() < 0.02 ? missing++ : pairs.push([u(i), e]));
    const m = (await rolemill.createEngine()).mine(rolemill.grantsFromPairs(pairs));
    const o = objects(m);
    expect(o.map((r) => r.kind)).toEqual(['birthright']);
    expect(o[0]!.entitlements).toEqual([...ents].sort());
    // Everyone lacking at most 2 of 6 holds it (all 300 here); each lack is an over-assignment.
    expect(o[0]!.members.length).toBe(300);
    expect(missing).toBeGreaterThan(20);
    expect(m.summary.model.overAssigned).toBe(missing);
    expect(m.summary.model.unexplainedGrants).toBe(0);
  });

  it('a sub-population that consistently lacks an entitlement is not over-assigned: it keeps its own role', async () => {
    // 200 staff hold crm:a, crm:b, crm:c, crm:d; 40 contractors hold crm:a, crm:b, crm:c only.
    const more: [string, string][] = [];
    for (let i = 0; i < 240; i++) more.push([u(i), 'crm:a'], [u(i), 'crm:b'], [u(i), 'crm:c']);
    for (let i = 0; i < 200; i++) more.push([u(i), 'crm:d']);
    // 40 of 240 lacking crm:d is far more than missing grants explain (STRUCTURE_RATE 10%).
    const m = (await rolemill.createEngine()).mine(rolemill.grantsFromPairs(base(more)));
    expect(objects(m).map((r) => `${r.kind} ${r.entitlements.join(' ')} ${r.members.length}`)).toEqual([
      'birthright mail vpn 300',
      'technical crm:a crm:b crm:c crm:d 200',
      'technical crm:a crm:b crm:c 40',
    ]);
    expect(m.summary.model.overAssigned).toBe(0);
    expect(m.summary.model.unexplainedGrants).toBe(0);
  });

  it('random access (service accounts) forms no role', async () => {
    // 300 accounts, each holding 3 to 12 of 200 entitlements drawn by popularity (Zipf-like).
    const rng = new Rng(11);
    const weights = Array.from({ length: 200 }, (_, k) => 1 / (k + 1));
    const total = weights.reduce((a, b) => a + b, 0);
    const pick = () => {
      let x = rng.float() * total;
      for (let k = 0; k < weights.length; k++) if ((x -= weights[k]!) <= 0) return k;
      return weights.length - 1;
    };
    const pairs: [string, string][] = [];
    for (let a = 0; a < 300; a++) {
      const n = 3 + Math.floor(rng.float() * 10);
      const held = new Set<number>();
      while (held.size < n) held.add(pick());
      for (const e of held) pairs.push([`svc-${a}`, `app:e${e}`]);
    }
    const m = (await rolemill.createEngine()).mine(rolemill.grantsFromPairs(pairs), { birthright: 0 });
    expect(m.roles.count).toBe(0);
    // Without the test, chance forms "roles".
    expect((await rolemill.createEngine()).mine(rolemill.grantsFromPairs(pairs), { birthright: 0, significance: 0 }).roles.count).toBeGreaterThan(0);
  });
});
