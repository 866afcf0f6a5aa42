// The cost of the new defaults (tolerance auto, the chance test; --by auto with an identities
// file) against a baseline build, in the same process: core mining (engine.mine) and the governed
// run (runMine) on a generated enterprise.
// Usage: node bench/defaults.js [identities=45000] [--baseline DIST_DIR]
//   --baseline: another build's dist/ (e.g. a worktree of the previous commit, built) mined side by side.
// Writes bench/results/<date>-defaults.{json,md}.
import { Bench } from 'tinybench';
import { saveResults } from './save.js';
import * as now from '../dist/index.js';

const args = process.argv.slice(2);
const bi = args.indexOf('--baseline');
const baseDir = bi >= 0 ? args[bi + 1] : null;
const N = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--baseline') ?? 45000);
const before = baseDir ? await import(`${baseDir}/index.js`) : null;

const e = now.generateEnterprise({ identities: N, seed: 7, strayRate: 0.02 });
const grants = now.enterpriseGrants(e);
const table = await now.readIdentitiesFromText(now.identitiesCsvText(e), 'identities.csv');
const copy = () => ({ ...grants, identity: grants.identity.slice(), entitlement: grants.entitlement.slice() });
const engines = { now: await now.createEngine(), ...(before ? { before: await before.createEngine() } : {}) };
const bench = new Bench({ iterations: 3, warmupIterations: 1, time: 0 });
const facts = {};
for (const [name, engine] of Object.entries(engines)) {
  bench.add(`${name}: engine.mine (core, default knobs)`, () => {
    const m = engine.mine(copy());
    facts[`${name} core`] = { roles: m.roles.count, overAssigned: m.summary.model.overAssigned, unexplained: m.summary.model.unexplainedGrants };
  });
}
const lib = { now, ...(before ? { before } : {}) };
for (const [name, l] of Object.entries(lib)) {
  bench.add(`${name}: runMine with identities (the CLI's default run, no peers)`, async () => {
    const run = await l.runMine({ grants: copy(), identities: table, memberships: null }, { peers: false }, engines[name]);
    facts[`${name} run`] = { roles: run.model.roles.count, attributeMining: run.model.summary.attributeMining?.paths ?? null };
  });
}
await bench.run();
const rows = bench.tasks.map((t) => ({ task: t.name, meanMs: Math.round(t.result.latency.mean * 10) / 10, minMs: Math.round(t.result.latency.min * 10) / 10 }));
const ms = (label) => rows.find((r) => r.task.startsWith(label))?.meanMs;
const ratio = (a, b) => (ms(a) && ms(b) ? (ms(a) / ms(b)).toFixed(2) : '-');
const md = [
  `Generated enterprise: ${N} identities, ${grants.rows} grants (2% strays, 1% missing), seed 7; 3 runs each after a warm-up, in one process${baseDir ? `; baseline: ${baseDir}` : ''}.`,
  '',
  '| task | mean ms | min ms |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.task} | ${r.meanMs} | ${r.minMs} |`),
  '',
  ...(before ? [`Ratios now / before: core ${ratio('now: engine', 'before: engine')}, governed run ${ratio('now: runMine', 'before: runMine')}.`, ''] : []),
  '```',
  JSON.stringify(facts, null, 1),
  '```',
].join('\n');
await saveResults('defaults', `node bench/defaults.js ${args.join(' ')}`.trim(), { identities: N, grants: grants.rows, rows, facts }, md);
