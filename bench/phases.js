// The default run, phase by phase, against a plain read-and-intern pass of the same files (the
// readers the CLI uses, with the same options), in one process that alternates them so the
// machine's noise falls on both. Each run is a fresh child process: wall time and peak RSS are its
// own. With --workers, the run is repeated with each worker count and its outputs compared. With
// --against DIR (another build: a checkout with dist/ and build/), each round also runs that
// build's default run, alternating, and the table gains its phases and whether its outputs are
// the same.
//   node bench/phases.js DIR [--rounds N] [--workers 1,2,4] [--against OLD] [--tag T]
// DIR holds grants.csv and identities.csv (`rolemill generate --identities 450000 --out DIR`: 10.6M
// grants). Writes bench/results/<date>-phases[-T].{json,md}.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { saveResults } from './save.js';

/** Cores this process may run on (its CPU affinity, as `taskset` sets it). */
const CORES = availableParallelism();

const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '1' }, workers: { type: 'string', default: '' }, against: { type: 'string' }, tag: { type: 'string' } } });
const dir = positionals[0];
if (!dir) throw new Error('usage: node bench/phases.js DIR [--rounds N] [--workers 1,2,4] [--against OLD] [--tag T]');
const against = flags.against ? pathToFileURL(resolve(flags.against, 'dist') + '/') : null;
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
console.log(JSON.stringify({ ms: performance.now() - t, rows: g.rows, keys: table.keys.length, maxRssKiB: process.resourceUsage().maxRSS, cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000 }));
process.exit();`;

const mineCode = (outDir, extra, build = dist) => `
const { runCli } = await import(${JSON.stringify(new URL('cli/run.js', build).href)});
const t = performance.now();
const code = await runCli(${JSON.stringify(['mine', grants, '--identities', identities, '--quiet', '--out', outDir, ...extra])});
console.log(JSON.stringify({ code, ms: performance.now() - t, maxRssKiB: process.resourceUsage().maxRSS, cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000 }));
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
const befores = [];
const interns = [];
/** One default run of `build` into out/<name>: its wall time, peak, timings and outputs' digest. */
function defaultRun(name, build) {
  const o = join(out, name);
  const r = child(mineCode(o, [], build));
  if (r.code !== 0) throw new Error(`mine exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  const timings = JSON.parse(readFileSync(join(o, 'summary.json'), 'utf8')).timings;
  const write = Number(/\(write (\d+) ms\)/.exec(r.stdout)?.[1] ?? NaN);
  // Whether this build makes the review while the tables are written (it has the table thread).
  const reviewInsideWrite = existsSync(new URL('output/table-thread.js', build));
  const run = { ms: r.ms, cpuMs: r.cpuMs, maxRssKiB: r.maxRssKiB, timings, writeMs: write, reviewInsideWrite, digest: outputDigest(o) };
  rmSync(o, { recursive: true });
  return run;
}
for (let k = 0; k < rounds; k++) {
  interns.push(child(internCode));
  // The two builds take turns going first, so neither always runs on a machine the other warmed.
  if (against && k % 2 === 0) befores.push(defaultRun(`before-${k}`, against));
  runs.push(defaultRun(`default-${k}`, dist));
  if (against && k % 2 === 1) befores.push(defaultRun(`before-${k}`, against));
  const r = runs.at(-1);
  console.error(`round ${k + 1}: intern ${interns.at(-1).ms.toFixed(0)} ms, mine ${r.ms.toFixed(0)} ms, peak ${(r.maxRssKiB / 2 ** 20).toFixed(2)} GiB${against ? `; before ${befores.at(-1).ms.toFixed(0)} ms, outputs ${befores.at(-1).digest === r.digest ? 'the same' : 'differ'}` : ''}`);
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
/** Mean wall time, per-phase means, and the rest (start, between phases) of a list of runs. */
function phasesOf(list) {
  const wall = mean(list.map((r) => r.ms));
  // The review and the write as one phase: the command line makes the review while the tables
  // are written (src/output/write.ts, later), so its time is inside the write's; an older build
  // made it first. Their sum compares across builds; the review alone is shown beside.
  const review = mean(list.map((r) => r.timings['reviewMs'] ?? 0));
  const write = mean(list.map((r) => r.writeMs));
  const inside = list.every((r) => r.reviewInsideWrite);
  const named = [...PHASES.filter((p) => p !== 'reviewMs').map((p) => [p.replace(/Ms$/, ''), mean(list.map((r) => r.timings[p] ?? 0))]), ['review + write', inside ? write : review + write]];
  return { wall, named, rest: wall - named.reduce((t, [, v]) => t + v, 0), peers: mean(list.map((r) => r.timings['peersMs'] ?? 0)), review };
}
const now = phasesOf(runs);
const then = against ? phasesOf(befores) : null;
const wall = now.wall;
const s = (ms) => (ms / 1000).toFixed(1);
const vs = (a, b) => (b > 0 ? (a / b).toFixed(2) : '');
const row = (label, v, k) => `| ${label} | ${s(v)} | ${((v / wall) * 100).toFixed(0)}% | ${(v / intern).toFixed(2)} |${then ? ` ${s(k)} | ${vs(v, k)} |` : ''}`;
const md = [
  `\`rolemill mine grants.csv --identities identities.csv\` (defaults) on ${interns[0].rows.toLocaleString('en-US')} grants, ${interns[0].keys.toLocaleString('en-US')} identities rows; mean of ${rounds} round(s), each a fresh process, alternating with the intern pass (identities and grants read and interned by the CLI's readers, nothing else)${then ? ` and with the build in \`${flags.against}\` ("before"; outputs ${befores.every((b, k) => b.digest === runs[k].digest) ? 'the same, byte for byte' : '**different**'})` : ''}.`,
  '',
  `| | seconds | share of the run | × intern pass |${then ? ' before, seconds | × before |' : ''}`,
  `|---|---|---|---|${then ? '---|---|' : ''}`,
  `| **intern pass** | ${s(intern)} | | 1.00 |${then ? ' | |' : ''}`,
  `| **default run** | ${s(wall)} | 100% | **${(wall / intern).toFixed(2)}** |${then ? ` ${s(then.wall)} (${(then.wall / intern).toFixed(2)} × intern) | **${vs(wall, then.wall)}** |` : ''}`,
  ...now.named.map(([n, v], k) => row(n, v, then?.named[k][1])),
  row('(the review, within review + write)', now.review, then?.review),
  row('the rest (start, between phases)', now.rest, then?.rest),
  `| peer groups, on their own worker beside the phases above | ${s(now.peers)} | | |${then ? ` ${s(then.peers)} | ${vs(now.peers, then.peers)} |` : ''}`,
  '',
  // CPU time of the whole process (every thread, user + system, to the run's end; Node's start
  // included): on the cores this process may use (its affinity: `taskset -c 0` gives 1) the run
  // needs at least that much divided by their number, however it is scheduled.
  `CPU time (user + system, every thread): default run ${s(mean(runs.map((r) => r.cpuMs)))} s, so at least ${s(mean(runs.map((r) => r.cpuMs)) / CORES)} s on ${CORES} core${CORES === 1 ? '' : 's'} (${(mean(runs.map((r) => r.cpuMs)) / CORES / intern).toFixed(2)} × intern pass)${then ? `; before ${s(mean(befores.map((r) => r.cpuMs)))} s` : ''}; intern pass ${s(mean(interns.map((r) => r.cpuMs)))} s.`,
  '',
  `Peak RSS: default run ${(mean(runs.map((r) => r.maxRssKiB)) / 2 ** 20).toFixed(2)} GiB${then ? ` (before ${(mean(befores.map((r) => r.maxRssKiB)) / 2 ** 20).toFixed(2)} GiB)` : ''}, intern pass ${(mean(interns.map((r) => r.maxRssKiB)) / 2 ** 20).toFixed(2)} GiB.`,
  ...(byWorkers.length
    ? ['', '| --workers | seconds | peak RSS GiB | outputs (tables, summary without timings) |', '|---|---|---|---|',
        ...byWorkers.map((b) => `| ${b.workers} | ${s(b.ms)} | ${(b.maxRssKiB / 2 ** 20).toFixed(2)} | ${b.digest}${b.digest === runs[0].digest ? ' (same as default)' : ' **differs**'} |`)]
    : []),
].join('\n');
await saveResults(flags.tag ? `phases-${flags.tag}` : 'phases', `node bench/phases.js ${process.argv.slice(2).join(' ')}`, { intern: interns, runs, befores, byWorkers }, md);
