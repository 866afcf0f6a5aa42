// Exact mode on a large sparse export: thousands of small roles, the shape of real exports that
// the WSC descent used to handle in quadratic time (issue "Speed where it is still far from the
// limit"). A seeded stand-in for the 9.3k identities x 7.2k entitlements, 31k-grant export whose
// optimum has about 4,700 roles (bench/sparse-data.js). Mined in process (tinybench), with the phases from summary.timings.
// Usage: node bench/sparse.js [roles=6000] [identities=9300] [entitlements=7200]
// Writes bench/results/<date>-sparse.{json,md}.
import { Bench } from 'tinybench';
import { saveResults } from './save.js';
import { createEngine, grantsFromPairs } from '../dist/index.js';
import { sparseGrants } from './sparse-data.js';

const [R, N, E] = [6000, 9300, 7200].map((d, k) => Number(process.argv[2 + k] ?? d));
const pairs = sparseGrants(R, N, E);
const engine = await createEngine();
let model;
const bench = new Bench({ iterations: 3, warmupIterations: 1, time: 0 });
bench.add('exact, objective roles', () => {
  model = engine.mine(grantsFromPairs(pairs), { mode: 'exact' });
});
await bench.run();
const t = bench.tasks[0].result.latency;
const s = model.summary;
const md = [
  `${pairs.length} grants of ${N} identities x ${E} entitlements (${R} small roles drawn, seed 20261202); exact mode, 3 runs after a warm-up, in one process.`,
  '',
  '| roles | lower bound | proven | WSC | mean ms | min ms | phases (last run, ms) |',
  '|---|---|---|---|---|---|---|',
  `| ${s.model.roles} | ${s.model.roleLowerBound} | ${s.model.optimalityProven} | ${s.model.wsc} | ${Math.round(t.mean)} | ${Math.round(t.min)} | ${Object.entries(s.timings).filter(([, v]) => typeof v === 'number' && v >= 1).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')} |`,
].join('\n');
await saveResults('sparse', `node bench/sparse.js ${process.argv.slice(2).join(' ')}`.trim(), { grants: pairs.length, roles: s.model.roles, meanMs: t.mean, minMs: t.min, timings: s.timings }, md);
