// Exact mining of separate companies on the mining pool: a generated conglomerate (K noise-free
// enterprises that share no identity and no entitlement, so at least K connected components) mined
// in process with 1, 2 and 4 workers, in alternating rounds, under both objectives. The models must
// be identical whatever the number of workers; the table gives each count's time and its ratio to
// 1 worker (in process, no pool) measured in the same rounds.
//   node bench/exact-pool.js [--rounds N] [--csv DIR]
// --csv DIR: also writes the largest case as DIR/grants.csv, for the command line
// (`rolemill mine DIR/grants.csv --mode exact [--workers N]`).
// Writes bench/results/<date>-exact-pool.{json,md}.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { saveResults } from './save.js';
import * as rolemill from '../dist/index.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, csv: { type: 'string' } } });
const rounds = Number(flags.rounds);
const WORKERS = [1, 2, 4];

/** K separate companies of n identities each: their grants as one input, names prefixed by company. */
function conglomerate(K, n) {
  const parts = Array.from({ length: K }, (_, k) => rolemill.enterpriseGrants(rolemill.generateEnterprise({ identities: n, seed: 11 + k, strayRate: 0, missingRate: 0 })));
  const total = parts.reduce((s, g) => s + g.identity.length, 0);
  const identity = new Uint32Array(total);
  const entitlement = new Uint32Array(total);
  const identities = [];
  const entitlements = [];
  let at = 0;
  parts.forEach((g, k) => {
    const io = identities.length;
    const eo = entitlements.length;
    for (const s of g.identities) identities.push(`c${k}/${s}`);
    for (const s of g.entitlements) entitlements.push(`c${k}/${s}`);
    for (let i = 0; i < g.identity.length; i++, at++) {
      identity[at] = g.identity[i] + io;
      entitlement[at] = g.entitlement[i] + eo;
    }
  });
  return { ...parts[0], source: `conglomerate ${K}x${n}`, identities, entitlements, identity, entitlement, rows: total };
}

const cases = [
  { name: '4 companies x 11,250 identities', grants: conglomerate(4, 11250) },
  { name: '16 companies x 2,800 identities', grants: conglomerate(16, 2800) },
];
if (flags.csv) {
  const g = cases[0].grants;
  mkdirSync(flags.csv, { recursive: true });
  const lines = ['identity,entitlement'];
  for (let i = 0; i < g.identity.length; i++) lines.push(`${g.identities[g.identity[i]]},${g.entitlements[g.entitlement[i]]}`);
  writeFileSync(join(flags.csv, 'grants.csv'), lines.join('\n') + '\n');
}

const engines = await Promise.all(WORKERS.map((workers) => rolemill.createEngine({ workers })));
const fresh = (g) => ({ ...g, identity: g.identity.slice(), entitlement: g.entitlement.slice() });
const digest = (m) => {
  const h = createHash('sha1');
  h.update(JSON.stringify(rolemill.roleObjects(m).map((r) => [r.entitlements, r.members])));
  h.update(JSON.stringify({ ...m.summary, timings: undefined }));
  return h.digest('hex').slice(0, 12);
};
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const rows = [];
for (const c of cases) {
  for (const objective of ['roles', 'wsc']) {
    const ms = WORKERS.map(() => []);
    const last = [];
    for (let k = 0; k <= rounds; k++) {
      engines.forEach((e, i) => {
        const t = performance.now();
        last[i] = e.mine(fresh(c.grants), { mode: 'exact', objective });
        if (k > 0) ms[i].push(performance.now() - t); // the first round warms up
      });
    }
    const s = last[0].summary;
    const row = {
      case: c.name, objective, grants: s.input.grants, components: s.mining.components, roles: s.model.roles, proven: s.model.optimalityProven, wsc: s.model.wsc,
      ms: WORKERS.map((_, i) => mean(ms[i])), mineMs: last.map((m) => m.summary.timings.mineMs), poolWorkers: last.map((m) => m.summary.timings.poolWorkers ?? 0),
      identical: last.every((m) => digest(m) === digest(last[0])),
    };
    rows.push(row);
    console.error(`${c.name} ${objective}: ${row.ms.map((x) => x.toFixed(0)).join(' / ')} ms, identical ${row.identical}`);
  }
}
const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const md = [
  `Exact mode in process (\`engine.mine\`: load, components, mine, verify) with ${WORKERS.join(', ')} workers, mean of ${rounds} alternating rounds after one warm-up; 1 worker mines in process (no pool).`,
  '',
  `| case | objective | grants | components | roles | proven | WSC | ${WORKERS.map((w) => `${w} worker${w > 1 ? 's' : ''} ms`).join(' | ')} | ${WORKERS.slice(1).map((w) => `1 / ${w}`).join(' | ')} | identical |`,
  `|---|---|---|---|---|---|---|${WORKERS.map(() => '---|').join('')}${WORKERS.slice(1).map(() => '---|').join('')}---|`,
  ...rows.map((r) => `| ${r.case} | ${r.objective} | ${r.grants} | ${r.components} | ${r.roles} | ${r.proven ? 'yes' : 'no'} | ${r.wsc} | ${r.ms.map(f).join(' | ')} | ${r.ms.slice(1).map((x) => (r.ms[0] / x).toFixed(2)).join(' | ')} | ${r.identical ? 'yes' : '**no**'} |`),
].join('\n');
await saveResults('exact-pool', `node bench/exact-pool.js ${process.argv.slice(2).join(' ')}`.trim(), { rows }, md);
