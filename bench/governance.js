// Governance detections against the generator's planted truth, and the cost of preparing them.
// Usage: node bench/governance.js [identities=3000,30000] [seeds=4,9]
// For each size and seed: generate --governance, read the files back through rolemill's readers,
// run the governance preparation, and compare: effective grants (exact?), labelled non-human
// accounts (exact?), unlabelled non-human accounts, orphans, terminated with access, dormant
// grants and privileged entitlements (precision and recall). Writes bench/results/<date>-governance.{json,md}.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { saveResults } from './save.js';
import { join } from 'node:path';
import { generateEnterprise, readGrants } from '../dist/index.js';
import { addGovernance, writeGovernance } from '../dist/generate/governance.js';
import { readIdentities } from '../dist/ingest/node.js';
import { prepareGovernance, DEFAULT_PRIVILEGED } from '../dist/governance/prepare.js';
import { KINDS } from '../dist/governance/accounts.js';

const sizes = (process.argv[2] ?? '3000,30000').split(',').map(Number);
const seeds = (process.argv[3] ?? '4,9').split(',').map(Number);
const csv = (path) => {
  const [h, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const H = h.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [H[i], v])));
};
const pr = (tp, fp, fn) => ({ precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn), tp, fp, fn });
const rows = [];
for (const N of sizes) {
  for (const seed of seeds) {
    const dir = await mkdtemp(join(tmpdir(), 'rolemill-gov-'));
    const g = addGovernance(generateEnterprise({ identities: N, seed }), { seed });
    await writeGovernance(dir, g);
    const grants = await readGrants(join(dir, 'grants.csv'), { keepIfPresent: ['last_used'] });
    const memberships = await readGrants(join(dir, 'memberships.csv'), { identityColumn: 'member', entitlementColumn: 'group', keepIfPresent: ['member_type'] });
    const table = await readIdentities(join(dir, 'identities.csv'));
    const t0 = performance.now();
    const prep = prepareGovernance(grants, { memberships, table });
    const ms = performance.now() - t0;
    const acc = prep.accounts;
    const at = new Map(acc.names.map((n, i) => [n, i]));
    const c = { labelled: [0, 0], unlabelled: [0, 0, 0], orphan: [0, 0, 0], terminated: [0, 0, 0] };
    for (const t of csv(join(dir, 'truth', 'accounts.csv'))) {
      const a = at.get(t.account);
      const k = KINDS[acc.kind[a]];
      const predNH = k !== 'human' && k !== 'unknown';
      const trueNH = t.kind !== 'human';
      if (t.labelled === 'true' && trueNH) (c.labelled[0]++, k === t.kind && c.labelled[1]++);
      else if (t.labelled !== 'true' && (predNH || trueNH)) c.unlabelled[predNH && trueNH ? 0 : predNH ? 1 : 2]++;
      const po = acc.orphan[a] === 1, to = t.orphan === 'true';
      if (po || to) c.orphan[po && to ? 0 : po ? 1 : 2]++;
      const pt = acc.terminatedWithAccess[a] === 1, tt = t.terminated_with_access === 'true';
      if (pt || tt) c.terminated[pt && tt ? 0 : pt ? 1 : 2]++;
    }
    const x = prep.expansion;
    const eff = new Set();
    for (let k = 0; k < x.grants.rows; k++) eff.add(`${x.grants.identities[x.grants.identity[k]]} ${x.grants.entitlements[x.grants.entitlement[k]]}`);
    const te = csv(join(dir, 'truth', 'effective.csv'));
    const effectiveExact = te.length === eff.size && te.every((r) => eff.has(`${r.account} ${r.entitlement}`));
    const dormantTruth = csv(join(dir, 'truth', 'dormant.csv')).length;
    const privTruth = new Set(csv(join(dir, 'truth', 'privileged.csv')).map((r) => r.entitlement));
    let pp = 0, pf = 0, pn = 0;
    for (const e of prep.effective.entitlements) {
      const p = DEFAULT_PRIVILEGED.some((r) => r.test(e));
      if (p && privTruth.has(e)) pp++;
      else if (p) pf++;
      else if (privTruth.has(e)) pn++;
    }
    const row = {
      identities: N, seed, accounts: acc.names.length, grantRows: grants.rows, effective: x.grants.rows, prepareMs: Math.round(ms),
      effectiveExact, cycles: x.cycles.length,
      labelledNonHuman: `${c.labelled[1]}/${c.labelled[0]}`,
      unlabelledNonHuman: pr(...c.unlabelled), orphans: pr(...c.orphan), terminatedWithAccess: pr(...c.terminated),
      dormant: { found: prep.report.usage.dormantGrants.count, planted: dormantTruth }, privileged: pr(pp, pf, pn),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    await rm(dir, { recursive: true, force: true });
  }
}
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const pair = (s) => `${pct(s.precision)} / ${pct(s.recall)} (${s.tp})`;
const command = `node bench/governance.js ${process.argv.slice(2).join(' ')}`.trim();
const md = [
  'Detections against the planted truth (precision / recall (true positives)); dormant as of the latest last_used in the file.',
  '',
  '| people | seed | accounts | grant rows | effective grants | effective exact | cycles | labelled non-human exact | unlabelled non-human | orphans | terminated with access | dormant found / planted | privileged entitlements | prepare ms |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.identities} | ${r.seed} | ${r.accounts} | ${r.grantRows} | ${r.effective} | ${r.effectiveExact ? 'yes' : 'NO'} | ${r.cycles} | ${r.labelledNonHuman} | ${pair(r.unlabelledNonHuman)} | ${pair(r.orphans)} | ${pair(r.terminatedWithAccess)} | ${r.dormant.found} / ${r.dormant.planted} | ${pair(r.privileged)} | ${r.prepareMs} |`),
].join('\n');
await saveResults('governance', command, { rows }, md);
