// Review precision of the DEFAULT run, `rolemill mine grants.csv --identities identities.csv
// [--memberships memberships.csv]`, on enterprises rolemill was not designed on: the 16
// configurations of VARIED_GRID (src/generate/varied.ts; half `tune`, half `holdout`) x seeds,
// plus rolemill's own generator (`generate`, `generate --governance`) at 2% and 5% strays.
// Each sample is written to a temporary folder and mined by the CLI itself (runCli, in process),
// then scored against its planted truth by src/generate/score.ts (scoreFolder).
//
// Usage: node bench/precision.js [--seeds 1,2,3] [--split tune|holdout|all] [--only NAME] [--] [extra mine options]
// Extra mine options (after --) measure other settings, e.g. `-- --tolerance 0`.
// Writes bench/results/<date>-precision[-<label>].{json,md} (label: --label L).
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveResults } from './save.js';
import { scoreFolder } from '../dist/generate/score.js';
import { generateVaried, writeVaried, VARIED_GRID } from '../dist/index.js';
// ROLEMILL_DIST=DIR mines with another build's CLI (DIR/cli/run.js), e.g. the previous release's, for a before/after.
const { runCli } = await import(process.env.ROLEMILL_DIST ? `${process.env.ROLEMILL_DIST}/cli/run.js` : '../dist/cli/run.js');

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const opt = (name, dflt) => {
  const i = own.indexOf(`--${name}`);
  return i >= 0 ? own[i + 1] : dflt;
};
const seeds = opt('seeds', '1,2,3').split(',').map(Number);
const split = opt('split', 'all');
const only = opt('only', null);
const label = opt('label', null);
const people = Number(opt('people', '3000'));

const quiet = { out: () => undefined, err: () => undefined, tty: false };
const samples = [];
for (const g of VARIED_GRID) {
  if (split !== 'all' && g.split !== split) continue;
  if (only && !g.name.includes(only)) continue;
  for (const seed of seeds) samples.push({ name: g.name, split: g.split, seed, make: (dir) => writeVaried(dir, generateVaried({ ...g.config, people }, seed)) });
}
if (split === 'all' && !only) {
  for (const strayRate of [0.02, 0.05]) {
    for (const governance of [false, true]) {
      for (const seed of seeds) {
        const name = `rolemill-generate${governance ? '-governance' : ''}-${strayRate * 100}%`;
        samples.push({
          name, split: 'own', seed,
          make: async (dir) => {
            const args = ['generate', '--identities', String(people), '--seed', String(seed), '--stray-rate', String(strayRate), ...(governance ? ['--governance'] : []), '--out', dir];
            if ((await runCli(args, quiet)) !== 0) throw new Error(`generate failed: ${args.join(' ')}`);
          },
        });
      }
    }
  }
}

const rows = [];
const root = await mkdtemp(join(tmpdir(), 'rolemill-precision-'));
try {
  for (const s of samples) {
    const dir = join(root, 'sample');
    const out = join(root, 'out');
    await rm(dir, { recursive: true, force: true });
    await s.make(dir);
    const files = readdirSync(dir);
    const args = ['mine', join(dir, 'grants.csv'), '--identities', join(dir, 'identities.csv')];
    if (files.includes('memberships.csv')) args.push('--memberships', join(dir, 'memberships.csv'));
    args.push('--out', out, '--quiet', '--no-timings', ...extra);
    const t0 = performance.now();
    let errText = '';
    const code = await runCli(args, { ...quiet, err: (x) => void (errText += x) });
    const ms = performance.now() - t0;
    if (code !== 0) throw new Error(`mine failed on ${s.name} seed ${s.seed} (exit ${code}): ${errText}`);
    const r = { name: s.name, split: s.split, seed: s.seed, ms: Math.round(ms), ...scoreFolder(dir, out) };
    rows.push(r);
    console.log(JSON.stringify({ name: r.name, seed: r.seed, roles: r.roles, planted: r.plantedRoles, precision: +r.precision.toFixed(3), recall: +r.recall.toFixed(3), matched: +r.planted.toFixed(3), birthright: r.birthrightRoles, nonHuman: r.nonHumanRoles, gaps: r.gaps === null ? null : +r.gaps.toFixed(3) }));
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

const pct = (x) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
const range = (xs, f = pct) => {
  const v = xs.filter((x) => x !== null);
  if (!v.length) return '-';
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi ? f(lo) : `${f(lo)} to ${f(hi)}`;
};
const num = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const bySplit = {};
for (const r of rows) (bySplit[r.split] ??= []).push(r);
const summary = Object.fromEntries(Object.entries(bySplit).map(([k, rs]) => [k, {
  samples: rs.length,
  precision: { mean: mean(rs.map((r) => r.precision)), min: Math.min(...rs.map((r) => r.precision)) },
  recall: { mean: mean(rs.map((r) => r.recall)), min: Math.min(...rs.map((r) => r.recall)) },
  planted: { mean: mean(rs.map((r) => r.planted)), min: Math.min(...rs.map((r) => r.planted)) },
  identifiable: { mean: mean(rs.map((r) => r.identifiable)), min: Math.min(...rs.map((r) => r.identifiable)) },
  rolesRatio: { mean: mean(rs.map((r) => r.rolesRatio)), max: Math.max(...rs.map((r) => r.rolesRatio)) },
  birthrightRoles: { min: Math.min(...rs.map((r) => r.birthrightRoles)), max: Math.max(...rs.map((r) => r.birthrightRoles)) },
  nonHumanRoles: { max: Math.max(...rs.map((r) => r.nonHumanRoles)) },
  gaps: { mean: mean(rs.filter((r) => r.gaps !== null).map((r) => r.gaps)), min: rs.some((r) => r.gaps !== null) ? Math.min(...rs.filter((r) => r.gaps !== null).map((r) => r.gaps)) : null },
}]));
const byName = new Map();
for (const r of rows) (byName.get(r.name) ?? byName.set(r.name, []).get(r.name)).push(r);
const command = `node bench/precision.js ${argv.join(' ')}`.trim();
const md = [
  `The default run${extra.length ? ` with \`${extra.join(' ')}\`` : ''} on ${people}-person enterprises, seeds ${seeds.join(', ')} (ranges over seeds). "Identifiable" leaves out the department and title roles of departments where one title's planted access is held by 80%+ of the department (a single job ladder spanning it): there the grants cannot tell department access from the base title's (src/generate/score.ts). Targets: exceptions for review that are strays >= 85%, strays found >= 95%, planted roles (5+ members) at Jaccard >= 0.9 >= 95%, roles <= 1.15 x planted, one birthright role, no non-human roles on random access, over-assignments that are planted missing grants >= 95%.`,
  '',
  '| split | samples | exceptions that are strays (mean, min) | strays found (mean, min) | planted roles matched (mean, min) | identifiable planted roles matched (mean, min) | roles / planted (mean, max) | birthright roles | non-human roles (max) | over-assigned that are missing grants (mean, min) |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...Object.entries(summary).map(([k, s]) => `| ${k} | ${s.samples} | ${pct(s.precision.mean)}, ${pct(s.precision.min)} | ${pct(s.recall.mean)}, ${pct(s.recall.min)} | ${pct(s.planted.mean)}, ${pct(s.planted.min)} | ${pct(s.identifiable.mean)}, ${pct(s.identifiable.min)} | ${s.rolesRatio.mean.toFixed(2)}, ${s.rolesRatio.max.toFixed(2)} | ${s.birthrightRoles.min}${s.birthrightRoles.max !== s.birthrightRoles.min ? ` to ${s.birthrightRoles.max}` : ''} | ${s.nonHumanRoles.max} | ${pct(s.gaps.mean)}, ${pct(s.gaps.min)} |`),
  '',
  '| configuration | split | exceptions that are strays | strays found | planted roles matched | identifiable matched | roles (planted) | birthright | non-human roles | over-assigned that are missing | ms |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...[...byName].map(([name, rs]) => `| ${name} | ${rs[0].split} | ${range(rs.map((r) => r.precision))} | ${range(rs.map((r) => r.recall))} | ${range(rs.map((r) => r.planted))} | ${range(rs.map((r) => r.identifiable))} | ${range(rs.map((r) => r.roles), num)} (${range(rs.map((r) => r.plantedRoles), num)}) | ${range(rs.map((r) => r.birthrightRoles), num)} | ${range(rs.map((r) => r.nonHumanRoles), num)} | ${range(rs.map((r) => r.gaps))} | ${range(rs.map((r) => r.ms), num)} |`),
].join('\n');
await saveResults(label ? `precision-${label}` : 'precision', command, { people, seeds, extra, summary, rows }, md);
