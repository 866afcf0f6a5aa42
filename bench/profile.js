// Where the main thread of the default run spends its time, function by function: runs
// `rolemill mine grants.csv --identities identities.csv` once under node's CPU profiler (a fresh
// child process) and ranks the main thread's functions by self time and by inclusive time (a
// function counted once per sample however deep it recurses). The phase table of bench/phases.js
// says which phase to look at; this says which function in it. Worker threads (the CSV readers,
// the peer groups) are ranked by self time, one short table each.
//   node bench/profile.js DIR [--top N] [--match REGEXP] [--keep PROFILE_DIR]
// DIR holds grants.csv and identities.csv (`rolemill generate --identities 450000 --out DIR`).
// --match keeps the inclusive table to functions whose "name file:line" matches (default: the
// project's own modules, not node's internals). Writes
// bench/results/<date>-profile.{json,md}. The core's functions show as wasm-function[N] in a
// release build; build with --debug (`npx asc assembly/index.ts --target release --debug`) to name them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { saveResults } from './save.js';

const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, match: { type: 'string', default: '\\.js:' }, keep: { type: 'string' } } });
const dir = positionals[0];
if (!dir) throw new Error('usage: node bench/profile.js DIR [--top N] [--match REGEXP] [--keep PROFILE_DIR]');
const top = Number(flags.top);
const match = new RegExp(flags.match);
const profDir = flags.keep ?? mkdtempSync(join(tmpdir(), 'rolemill-profile-'));
const out = mkdtempSync(join(tmpdir(), 'rolemill-profile-out-'));
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const started = performance.now();
const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, cli, 'mine', join(dir, 'grants.csv'), '--identities', join(dir, 'identities.csv'), '--out', join(out, 'model')], { encoding: 'utf8' });
const wallMs = performance.now() - started;
if (r.status !== 0) throw new Error(`rolemill failed (${r.status}):\n${r.stderr}`);
rmSync(out, { recursive: true, force: true });

/** A profile's samples as time per node, and each node's key ("name file:line") and parent. */
function load(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const node = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map();
  p.samples.forEach((id, k) => time.set(id, (time.get(id) ?? 0) + (p.timeDeltas[k] ?? 0)));
  const key = (id) => {
    const f = node.get(id).callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  };
  return { time, parent, key, totalMs: [...time.values()].reduce((a, b) => a + b, 0) / 1000 };
}

const ranked = (m, n) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([fn, us]) => ({ fn, ms: Math.round(us / 1000) }));

function selfTimes({ time, key }) {
  const self = new Map();
  for (const [id, t] of time) {
    const k = key(id);
    self.set(k, (self.get(k) ?? 0) + t);
  }
  return self;
}

function inclusiveTimes({ time, parent, key }) {
  const incl = new Map();
  for (const [id, t] of time) {
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const k = key(x);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + t);
    }
  }
  return incl;
}

// node names a profile CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread.
const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]));
if (files.length === 0) throw new Error(`no profile written to ${profDir}`);
const [mainFile, ...workerFiles] = files;
const main = load(join(profDir, mainFile));
const self = ranked(selfTimes(main), top);
const inclusive = ranked(new Map([...inclusiveTimes(main)].filter(([k]) => match.test(k) && !k.startsWith('(root)'))), top);
const workers = workerFiles.map((f) => {
  const w = load(join(profDir, f));
  return { file: f, totalMs: Math.round(w.totalMs), self: ranked(selfTimes(w), 5) };
});
if (flags.keep === undefined) rmSync(profDir, { recursive: true, force: true });

const table = (rows, total) => ['| ms | share | function |', '|---|---|---|', ...rows.map((x) => `| ${x.ms.toLocaleString('en-US')} | ${((100 * x.ms) / total).toFixed(1)}% | \`${x.fn}\` |`)].join('\n');
const md = [
  `\`rolemill mine grants.csv --identities identities.csv\` on ${dir}, once, under \`node --cpu-prof\`: ${(wallMs / 1000).toFixed(1)} s wall (the profiler adds a little).`,
  '',
  `**Main thread, self time** (${Math.round(main.totalMs).toLocaleString('en-US')} ms profiled; \`(idle)\` is waiting on workers or the disk, \`(garbage collector)\` is the main heap's collections):`,
  '',
  table(self, main.totalMs),
  '',
  `**Main thread, inclusive time** (functions matching \`${match.source}\`):`,
  '',
  table(inclusive, main.totalMs),
  '',
  ...workers.flatMap((w, k) => [`**Worker ${k + 1}** (${w.totalMs.toLocaleString('en-US')} ms profiled), self time: ${w.self.map((x) => `\`${x.fn}\` ${x.ms.toLocaleString('en-US')} ms`).join(', ')}`, '']),
].join('\n');
await saveResults('profile', `node bench/profile.js ${process.argv.slice(2).join(' ')}`, { wallMs: Math.round(wallMs), mainMs: Math.round(main.totalMs), self, inclusive, workers }, md);
