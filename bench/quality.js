// Approx-mode quality on generated enterprises against their planted truth.
// Usage: node bench/quality.js [identities=2000] [strayRate=0.02] [seed=3] [tolerance=0]
// Prints: planted roles (5+ members) whose best-matching mined role has entitlement Jaccard >= 0.9;
// the share of stray grants left as exceptions; the share of exceptions that are stray grants.
import { generateEnterprise, createEngine, roleObjects } from '../dist/index.js';

const [N, stray, seed] = [Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 0.02), Number(process.argv[4] ?? 3)];
const e = generateEnterprise({ identities: N, seed, strayRate: stray });
const g = {
  source: 'generated', format: 'csv', identities: e.identities.map((i) => i.id), entitlements: e.entitlementNames,
  identity: e.grants.identity.slice(), entitlement: e.grants.entitlement.slice(), rows: e.grants.identity.length, otherColumns: [], columns: {},
};
const engine = await createEngine();
const t0 = performance.now();
const m = engine.mine(g, { mode: 'approx', tolerance: Number(process.argv[5] ?? 0) });
const ms = performance.now() - t0;
const mined = roleObjects(m).map((x) => new Set(x.entitlements));
let matched = 0;
let planted = 0;
for (const pr of e.roles) {
  if (pr.members.length < 5) continue;
  planted++;
  const P = new Set(pr.entitlements);
  let best = 0;
  for (const M of mined) {
    let inter = 0;
    for (const x of M) if (P.has(x)) inter++;
    best = Math.max(best, inter / (P.size + M.size - inter));
  }
  if (best >= 0.9) matched++;
}
const strays = new Set();
for (let i = 0; i < e.stray.identity.length; i++) strays.add(e.stray.identity[i] * 2 ** 24 + e.stray.entitlement[i]);
let strayExceptions = 0;
for (let i = 0; i < m.exceptions.identity.length; i++) if (strays.has(m.exceptions.identity[i] * 2 ** 24 + m.exceptions.entitlement[i])) strayExceptions++;
const pct = (x) => `${(x * 100).toFixed(1)}%`;
console.log(JSON.stringify({
  identities: N, strayRate: stray, seed, grants: g.rows, roles: m.roles.count, ms: Math.round(ms),
  coverage: pct(m.summary.model.coverage),
  plantedMatched: `${matched}/${planted} = ${pct(matched / planted)}`,
  straysInExceptions: `${strayExceptions}/${strays.size} = ${pct(strayExceptions / strays.size)}`,
  exceptionsThatAreStrays: `${strayExceptions}/${m.exceptions.identity.length} = ${pct(strayExceptions / m.exceptions.identity.length)}`,
  exceptionsByReason: m.summary.model.exceptionsByReason,
}));
