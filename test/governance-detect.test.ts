// Governance detections measured against the generator's planted truth, end to end through the
// command line: generate --governance, then mine with memberships, identities and --by. Targets:
// group expansion and labelled non-human accounts exact; unlabelled non-human accounts and orphans
// at 95% precision and recall or better; planted roles still recovered (Jaccard >= 0.9 for 90%).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support/files.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

/** Our own outputs and the generator's: no field holds a comma except quoted rule texts, parsed here. */
function table(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const split = (l: string): string[] => {
    const out: string[] = [];
    let f = '';
    let q = false;
    for (let i = 0; i < l.length; i++) {
      const c = l[i]!;
      if (q) {
        if (c === '"' && l[i + 1] === '"') (f += '"'), i++;
        else if (c === '"') q = false;
        else f += c;
      } else if (c === '"') q = true;
      else if (c === ',') out.push(f), (f = '');
      else f += c;
    }
    out.push(f);
    return out;
  };
  const h = split(head!);
  return lines.map((l) => Object.fromEntries(split(l).map((v, i) => [h[i]!, v])));
}

const score = (tp: number, fp: number, fn: number) => ({ precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn) });

describe('governance detections on a generated enterprise (3,000 people, seed 4)', () => {
  it('meets the detection targets and still recovers the planted roles', () => {
    const dir = tempDir();
    const sample = join(dir, 'sample');
    expect(run('generate', '--identities', '3000', '--seed', '4', '--governance', '--out', sample).status).toBe(0);
    const out = join(dir, 'out');
    const r = run(
      'mine', join(sample, 'grants.csv'), '--memberships', join(sample, 'memberships.csv'), '--identities', join(sample, 'identities.csv'),
      '--by', 'department,title', '--by', 'location', '--tolerance', '1', '--no-peers', '--no-timings', '--quiet', '--out', out,
    );
    expect(r.status, r.stderr).toBe(0);
    const truth = new Map(table(join(sample, 'truth', 'accounts.csv')).map((t) => [t['account']!, t]));
    const accounts = table(join(out, 'accounts.csv'));
    expect(accounts.length).toBe(truth.size);
    const c = { labelled: [0, 0], unlabelled: [0, 0, 0], orphan: [0, 0, 0], terminated: [0, 0, 0] };
    for (const a of accounts) {
      const t = truth.get(a['account']!)!;
      const predNH = a['non_human'] === '1';
      const trueNH = t['kind'] !== 'human';
      if (t['labelled'] === 'true' && trueNH) {
        c.labelled[0]!++;
        if (a['kind'] === t['kind']) c.labelled[1]!++;
      } else if (t['labelled'] !== 'true' && (predNH || trueNH)) c.unlabelled[predNH && trueNH ? 0 : predNH ? 1 : 2]!++;
      const po = a['orphan'] === '1';
      const to = t['orphan'] === 'true';
      if (po || to) c.orphan[po && to ? 0 : po ? 1 : 2]!++;
      const pt = a['terminated_with_access'] === '1';
      const tt = t['terminated_with_access'] === 'true';
      if (pt || tt) c.terminated[pt && tt ? 0 : pt ? 1 : 2]!++;
      // People: every human account is mined under its person.
      if (t['kind'] === 'human' && t['orphan'] !== 'true') expect(a['identity'], a['account']).toBe(t['person']);
    }
    expect(c.labelled[0]).toBeGreaterThan(0);
    expect(c.labelled[1]).toBe(c.labelled[0]);
    const [tp, fp, fn] = c.unlabelled as [number, number, number];
    expect(tp).toBeGreaterThan(0);
    expect(score(tp, fp, fn).precision).toBeGreaterThanOrEqual(0.95);
    expect(score(tp, fp, fn).recall).toBeGreaterThanOrEqual(0.95);
    expect(score(c.orphan[0]!, c.orphan[1]!, c.orphan[2]!).precision).toBeGreaterThanOrEqual(0.95);
    expect(score(c.orphan[0]!, c.orphan[1]!, c.orphan[2]!).recall).toBeGreaterThanOrEqual(0.95);
    expect(c.terminated[1]! + c.terminated[2]!).toBe(0);

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    // Group expansion exact: the effective grants are the planted ones, the cycle is found.
    const effective = table(join(sample, 'truth', 'effective.csv'));
    expect(summary.dataQuality.grants.effective).toBe(effective.length);
    const cycles = new Map<string, string[]>();
    for (const x of table(join(sample, 'truth', 'cycles.csv'))) cycles.set(x['cycle']!, [...(cycles.get(x['cycle']!) ?? []), x['group']!]);
    expect(summary.dataQuality.groups.cycles.examples).toEqual([...cycles.values()].map((c) => [...c].sort().join(' > ')));
    // Dormant grants: exactly the planted ones (as of the latest use in the file).
    const dormant = new Set(table(join(sample, 'truth', 'dormant.csv')).map((d) => `${d['account']} ${d['entitlement']}`));
    expect(summary.dataQuality.usage.dormantGrants.count).toBe(dormant.size);
    // Every dormant grant is listed as a removal candidate, even those a role gives: those mined
    // (most) and those set aside because they are privileged too; an orphan's are listed as orphan
    // (the first reason that applies). One row per identity: a person's two accounts holding the
    // same dormant grant make one.
    const listed = table(join(out, 'exceptions.csv')).filter((x) => x['reason'] === 'dormant');
    expect(listed.length).toBe(summary.model.exceptionsByReason.dormant);
    const dormantPeople = new Set<string>();
    const personOf = new Map(table(join(out, 'accounts.csv')).map((a) => [a['account']!, a['identity']!]));
    for (const d of dormant) {
      const [account, ent] = d.split(' ');
      if (truth.get(account!)?.['orphan'] === 'true') continue;
      dormantPeople.add(`${personOf.get(account!) ?? account} ${ent}`);
    }
    expect(new Set(listed.map((x) => `${x['identity']} ${x['entitlement']}`))).toEqual(dormantPeople);

    // Planted roles (5+ members) still recovered: best-matching mined role at Jaccard >= 0.9, over
    // the entitlements that are not privileged (privileged ones are governed apart: a role gets one
    // only when every member holds it, which 1% missing and 5% dormant grants rarely allow).
    const privileged = new Set(table(join(sample, 'truth', 'privileged.csv')).map((x) => x['entitlement']!));
    const roleEnts = new Map<string, Set<string>>();
    for (const x of table(join(out, 'role_entitlements.csv'))) {
      if (!roleEnts.has(x['role']!)) roleEnts.set(x['role']!, new Set());
      if (!privileged.has(x['entitlement']!)) roleEnts.get(x['role']!)!.add(x['entitlement']!);
    }
    const planted = new Map<string, string[]>();
    for (const x of table(join(sample, 'truth', 'role_entitlements.csv'))) {
      if (!privileged.has(x['entitlement']!)) planted.set(x['role']!, [...(planted.get(x['role']!) ?? []), x['entitlement']!]);
    }
    const members = new Map(table(join(sample, 'truth', 'roles.csv')).map((x) => [x['role']!, Number(x['member_count'])]));
    let n = 0;
    let ok = 0;
    for (const [role, ents] of planted) {
      if ((members.get(role) ?? 0) < 5) continue;
      n++;
      let best = 0;
      for (const M of roleEnts.values()) {
        const inter = ents.filter((e) => M.has(e)).length;
        best = Math.max(best, inter / (ents.length + M.size - inter));
      }
      if (best >= 0.9) ok++;
    }
    expect(n).toBeGreaterThan(50);
    expect(ok / n).toBeGreaterThanOrEqual(0.9);
  });
});
