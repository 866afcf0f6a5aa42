// Approx-mode quality on generated enterprises against their planted truth (the quality targets
// of noise-tolerant mining). Usage: node bench/quality.js [identities=2000] [seeds=3,7,11]
// For each stray rate (2%, 5%), seed, mode and tolerance:
// - planted: planted roles with 5+ members whose best-matching mined role has entitlement Jaccard >= 0.9;
// - recall: stray grants left as exceptions; precision: exceptions that are stray grants;
// - gaps: over-assignments (tolerance 1) that are planted missing grants.
// Modes: bottom-up (access alone), and --by department,title --by location (attribute roles as
// seeds, the rest bottom-up), the CLI's default knobs otherwise.
// Writes bench/results/<date>-quality.{json,md}.
import { saveResults } from './save.js';
import { generateEnterprise, createEngine, mineByAttributes, joinIdentities, enterpriseGrants, identitiesCsvText, plantedRecovery } from '../dist/index.js';
import { readIdentitiesFromText } from '../dist/ingest/identities.js';

const N = Number(process.argv[2] ?? 2000);
const seeds = (process.argv[3] ?? '3,7,11').split(',').map(Number);
const engine = await createEngine();
const key = (i, e) => i * 2 ** 24 + e;
const rows = [];
for (const strayRate of [0.02, 0.05]) {
  for (const seed of seeds) {
    const e = generateEnterprise({ identities: N, seed, strayRate });
    const g = enterpriseGrants(e);
    const join = joinIdentities(await readIdentitiesFromText(identitiesCsvText(e), 'identities.csv'), g.identities);
    const strays = new Set();
    for (let i = 0; i < e.stray.identity.length; i++) strays.add(key(e.stray.identity[i], e.stray.entitlement[i]));
    const missing = new Set();
    for (let i = 0; i < e.missing.identity.length; i++) missing.add(key(e.missing.identity[i], e.missing.entitlement[i]));
    for (const mode of ['bottom-up', 'by']) {
      for (const tolerance of [0, 1]) {
        const t0 = performance.now();
        let seedRoles;
        if (mode === 'by') {
          const a = mineByAttributes(g, join, [['department', 'title'], ['location']], 0.8, 5, { birthrightThreshold: 0.9 });
          seedRoles = { ...a.roles, kind: a.roles.kind.map((k) => (k === 1 ? 1 : 2)) };
        }
        const m = engine.mine(g, { tolerance, ...(seedRoles ? { seedRoles } : {}) });
        const ms = performance.now() - t0;
        const { planted, matched } = plantedRecovery(e, m);
        let hits = 0;
        for (let i = 0; i < m.exceptions.identity.length; i++) if (strays.has(key(m.exceptions.identity[i], m.exceptions.entitlement[i]))) hits++;
        let gaps = 0;
        for (let i = 0; i < m.overAssignments.identity.length; i++) if (missing.has(key(m.overAssignments.identity[i], m.overAssignments.entitlement[i]))) gaps++;
        rows.push({
          strayRate, seed, mode, tolerance, grants: g.rows, roles: m.roles.count, ms: Math.round(ms),
          planted: matched / planted, recall: hits / strays.size, precision: m.exceptions.identity.length ? hits / m.exceptions.identity.length : 1,
          overAssigned: m.overAssignments.identity.length, gaps: m.overAssignments.identity.length ? gaps / m.overAssignments.identity.length : null,
        });
        console.log(JSON.stringify(rows[rows.length - 1]));
      }
    }
  }
}
const pct = (x) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const command = `node bench/quality.js ${process.argv.slice(2).join(' ')}`.trim();
const md = [
  `Generated enterprises of ${N} identities (1% missing grants), targets: planted >= 90%, recall >= 90%, precision >= 80%.`,
  '',
  '| strays | seed | mode | tolerance | roles | planted roles matched (J >= 0.9) | strays in exceptions | exceptions that are strays | over-assigned (planted missing) | ms |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.strayRate * 100}% | ${r.seed} | ${r.mode} | ${r.tolerance} | ${r.roles} | ${pct(r.planted)} | ${pct(r.recall)} | ${pct(r.precision)} | ${r.overAssigned} (${pct(r.gaps)}) | ${r.ms} |`),
].join('\n');
await saveResults('quality', command, { rows }, md);
