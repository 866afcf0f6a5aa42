// Exact mode where its time goes: the nine HP sets, a sparse export of thousands of small roles
// (bench/sparse-data.js), and a generated noise-free enterprise of about 1M grants. Each case is
// mined in process under both objectives; the phases come from summary.timings.
//   node bench/exact.js [--against DIR] [--rounds N] [--identities N] [--only hp|sparse|enterprise]
// --against DIR: another build of rolemill (a checkout with dist/ and build/), mined in the same
// process, alternating with this one, so the machine's noise falls on both; the table gives the
// ratio this / that and whether the two models are identical (roles, entitlements, members).
// Writes bench/results/<date>-exact.{json,md}.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { saveResults } from './save.js';
import { sparseGrants } from './sparse-data.js';
import * as here from '../dist/index.js';

const { values: flags } = parseArgs({ options: { against: { type: 'string' }, rounds: { type: 'string', default: '3' }, identities: { type: 'string', default: '45000' }, only: { type: 'string' } } });
const against = flags.against ?? null;
const rounds = Number(flags.rounds);
const identities = Number(flags.identities);
const HP = new URL('../../shared/datasets/hp/', import.meta.url);
const HP_SETS = ['healthcare', 'domino', 'emea', 'firewall1', 'firewall2', 'apj', 'americas_small', 'americas_large', 'customer'];

const builds = [{ name: 'this', lib: here }];
if (against) builds.push({ name: 'that', lib: await import(pathToFileURL(resolve(against, 'dist/index.js')).href) });
for (const b of builds) b.engine = await b.lib.createEngine();

const only = flags.only ?? null;
const cases = [];
if (!only || only === 'hp') for (const name of HP_SETS) cases.push({ name, grants: await here.readGrants(new URL(`${name}.txt`, HP).pathname) });
if (!only || only === 'sparse') cases.push({ name: 'sparse (6,000 small roles drawn)', grants: here.grantsFromPairs(sparseGrants()) });
if (!only || only === 'enterprise') {
  const enterprise = here.generateEnterprise({ identities, seed: 1, strayRate: 0, missingRate: 0 });
  cases.push({ name: `enterprise ${identities} identities, noise-free`, grants: here.enterpriseGrants(enterprise) });
}

const fresh = (g) => ({ ...g, identity: g.identity.slice(), entitlement: g.entitlement.slice() });
const digest = (m) => {
  const h = createHash('sha1');
  h.update(JSON.stringify(here.roleObjects(m).map((r) => [r.entitlements, r.members])));
  return h.digest('hex').slice(0, 12);
};
const rows = [];
for (const c of cases) {
  for (const objective of ['roles', 'wsc']) {
    const ms = builds.map(() => []);
    const last = [];
    for (let k = 0; k <= rounds; k++) {
      builds.forEach((b, i) => {
        const t = performance.now();
        const m = b.engine.mine(fresh(c.grants), { mode: 'exact', objective });
        const dt = performance.now() - t;
        if (k > 0) ms[i].push(dt); // the first round warms up
        last[i] = m;
      });
    }
    const s = last[0].summary;
    const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
    const row = {
      case: c.name, objective, grants: s.input.grants, roles: s.model.roles, lowerBound: s.model.roleLowerBound,
      proven: s.model.optimalityProven, wsc: s.model.wsc, components: s.mining.components, ms: mean(ms[0]),
      phases: Object.fromEntries(Object.entries(s.timings).filter(([, v]) => typeof v === 'number')),
    };
    if (against) {
      row.thatMs = mean(ms[1]);
      row.ratio = row.ms / row.thatMs;
      row.identical = digest(last[0]) === digest(last[1]);
    }
    rows.push(row);
    console.error(`${c.name} ${objective}: ${row.ms.toFixed(0)} ms${against ? ` (that ${row.thatMs.toFixed(0)} ms, identical ${row.identical})` : ''}`);
  }
}
const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const md = [
  `Exact mode in process (\`engine.mine\`: load, reduce, mine, verify), mean of ${rounds} rounds after one warm-up${against ? `, alternating with the build in \`${against}\`` : ''}.`,
  '',
  `| case | objective | grants | components | roles | lower bound | proven | WSC | ms | mine ms (last) |${against ? ' that ms | this / that | identical |' : ''}`,
  `|---|---|---|---|---|---|---|---|---|---|${against ? '---|---|---|' : ''}`,
  ...rows.map((r) => `| ${r.case} | ${r.objective} | ${r.grants} | ${r.components} | ${r.roles} | ${r.lowerBound} | ${r.proven ? 'yes' : 'no'} | ${r.wsc} | ${f(r.ms)} | ${f(r.phases.mineMs ?? 0)} |${against ? ` ${f(r.thatMs)} | ${r.ratio.toFixed(2)} | ${r.identical ? 'yes' : '**no**'} |` : ''}`),
].join('\n');
await saveResults(only ? `exact-${only}` : 'exact', `node bench/exact.js ${process.argv.slice(2).join(' ')}`.trim(), { rows }, md);
