// The default run, phase by phase, against a plain read-and-intern pass of the same files (the
// readers the CLI uses, with the same options), in one process that alternates them so the
// machine's noise falls on both. Each run is a fresh child process: wall time and peak RSS are its
// own. With --workers, the run is repeated with each worker count and its outputs compared.
//   node bench/phases.js DIR [--rounds N] [--workers 1,2,4]
// DIR holds grants.csv and identities.csv (`rolemill generate --identities 450000 --out DIR`: 10.6M
// grants). Writes bench/results/<date>-phases.{json,md}.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { saveResults } from './save.js';

const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '1' }, workers: { type: 'string', default: '' } } });
const dir = positionals[0];
if (!dir) throw new Error('usage: node bench/phases.js DIR [--rounds N] [--workers 1,2,4]');
const rounds = Number(flags.rounds);
const workerCounts = flags.workers.split(',').filter(Boolean).map(Number);
const grants = join(dir, 'grants.csv');
const identities = join(dir, 'identities.csv');
const dist = new URL('../dist/', import.meta.url);
const out = mkdtempSync(join(tmpdir(), 'rolemill-phases-'));

/** Runs `code` (an ES module body, from a file: worker threads inherit node's flags) in a fresh node; its last stdout line is JSON. */
let scripts = 0;
function child(code) {
  const file = join(out, `child-${scripts++}.mjs`);
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return { ...JSON.parse(lines.at(-1)), stdout: lines.slice(0, -1).join("\n"), stderr: r.stderr };
}

// The intern pass: identities, then grants, read and interned as readInputs (src/cli/run.ts) reads them.
const internCode = `
import { availableParallelism } from 'node:os';
const { readGrants, readIdentities } = await import(${JSON.stringify(new URL('index.js', dist).href)});
const t = performance.now();
const table = await readIdentities(${JSON.stringify(identities)});
const g = await readGrants(${JSON.stringify(grants)}, { keepIfPresent: ['last_used', 'application'], workers: Math.min(4, availableParallelism()) });
console.log(JSON.stringify({ ms: performance.now() - t, rows: g.rows, keys: table.keys.length, maxRssKiB: process.resourceUsage().maxRSS }));
process.exit();`;

const mineCode = (outDir, extra) => `
const { runCli } = await import(${JSON.stringify(new URL('cli/run.js', dist).href)});
const t = performance.now();
const code = await runCli(${JSON.stringify(['mine', grants, '--identities', identities, '--quiet', '--out', outDir, ...extra])});
console.log(JSON.stringify({ code, ms: performance.now() - t, maxRssKiB: process.resourceUsage().maxRSS }));
process.exit();`;

/** The run's outputs, hashed: every table and summary.json without its timings (which differ run to run). */
function outputDigest(outDir) {
  const h = createHash('sha1');
  for (const f of readdirSync(outDir).sort()) {
    if (f === 'rolemill.json' || f === 'report.html' || !statSync(join(outDir, f)).isFile()) continue;
    let bytes = readFileSync(join(outDir, f));
    if (f === 'summary.json') {
      const s = JSON.parse(bytes);
      delete s.timings;
      bytes = Buffer.from(JSON.stringify(s));
    }
    h.update(f).update(bytes);
  }
  return h.digest('hex').slice(0, 16);
}

const PHASES = ['readMs', 'governanceMs', 'peerStartMs', 'identityJoinMs', 'attributeMiningMs', 'loadMs', 'mineMs', 'verifyMs', 'assembleMs', 'peersWaitMs', 'describeMs', 'identityTablesMs', 'accountTablesMs', 'reviewMs'];
const runs = [];
const interns = [];
for (let k = 0; k < rounds; k++) {
  interns.push(child(internCode));
  const o = join(out, `default-${k}`);
  const r = child(mineCode(o, []));
  if (r.code !== 0) throw new Error(`mine exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  const timings = JSON.parse(readFileSync(join(o, 'summary.json'), 'utf8')).timings;
  const write = Number(/\(write (\d+) ms\)/.exec(r.stdout)?.[1] ?? NaN);
  runs.push({ ms: r.ms, maxRssKiB: r.maxRssKiB, timings, writeMs: write, digest: outputDigest(o) });
  console.error(`round ${k + 1}: intern ${interns.at(-1).ms.toFixed(0)} ms, mine ${r.ms.toFixed(0)} ms, peak ${(r.maxRssKiB / 2 ** 20).toFixed(2)} GiB`);
  if (k < rounds - 1) rmSync(o, { recursive: true });
}
const byWorkers = [];
for (const w of workerCounts) {
  const o = join(out, `workers-${w}`);
  const r = child(mineCode(o, ['--workers', String(w)]));
  if (r.code !== 0) throw new Error(`mine --workers ${w} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  byWorkers.push({ workers: w, ms: r.ms, maxRssKiB: r.maxRssKiB, digest: outputDigest(o) });
  console.error(`--workers ${w}: ${r.ms.toFixed(0)} ms, outputs ${byWorkers.at(-1).digest}`);
  rmSync(o, { recursive: true });
}
rmSync(out, { recursive: true });

const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const intern = mean(interns.map((r) => r.ms));
const wall = mean(runs.map((r) => r.ms));
const phase = (name) => mean(runs.map((r) => r.timings[name] ?? 0));
const named = [...PHASES.map((p) => [p.replace(/Ms$/, ''), phase(p)]), ['write', mean(runs.map((r) => r.writeMs))]];
const rest = wall - named.reduce((s, [, v]) => s + v, 0);
const s = (ms) => (ms / 1000).toFixed(1);
const md = [
  `\`rolemill mine grants.csv --identities identities.csv\` (defaults) on ${interns[0].rows.toLocaleString('en-US')} grants, ${interns[0].keys.toLocaleString('en-US')} identities rows; mean of ${rounds} round(s), each a fresh process, alternating with the intern pass (identities and grants read and interned by the CLI's readers, nothing else).`,
  '',
  '| | seconds | share of the run | × intern pass |',
  '|---|---|---|---|',
  `| **intern pass** | ${s(intern)} | | 1.00 |`,
  `| **default run** | ${s(wall)} | 100% | **${(wall / intern).toFixed(2)}** |`,
  ...named.map(([n, v]) => `| ${n} | ${s(v)} | ${((v / wall) * 100).toFixed(0)}% | ${(v / intern).toFixed(2)} |`),
  `| the rest (start, between phases) | ${s(rest)} | ${((rest / wall) * 100).toFixed(0)}% | ${(rest / intern).toFixed(2)} |`,
  `| peer groups, on their own worker beside the phases above | ${s(phase('peersMs'))} | | |`,
  '',
  `Peak RSS: default run ${(mean(runs.map((r) => r.maxRssKiB)) / 2 ** 20).toFixed(2)} GiB, intern pass ${(mean(interns.map((r) => r.maxRssKiB)) / 2 ** 20).toFixed(2)} GiB.`,
  ...(byWorkers.length
    ? ['', '| --workers | seconds | peak RSS GiB | outputs (tables, summary without timings) |', '|---|---|---|---|',
        ...byWorkers.map((b) => `| ${b.workers} | ${s(b.ms)} | ${(b.maxRssKiB / 2 ** 20).toFixed(2)} | ${b.digest}${b.digest === runs[0].digest ? ' (same as default)' : ' **differs**'} |`)]
    : []),
].join('\n');
await saveResults(`phases`, `node bench/phases.js ${process.argv.slice(2).join(' ')}`, { intern: interns, runs, byWorkers }, md);
