// The write phase of the default run on its own: one run of the pipeline (this build), then its
// output folder written again and again by this build's writeRun and, with --against OLD (another
// build: a checkout with dist/ and build/), by that build's writeRun on the very same run,
// alternating in one process, so the ratio is not the machine's noise between processes. Checks
// that both builds write the same bytes.
//   node bench/write.js DIR [--rounds N] [--against OLD] [--tag T]
// DIR holds grants.csv and identities.csv (`rolemill generate --identities 450000`: 10.6M grants).
// Writes bench/results/<date>-write[-T].{json,md}.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '3' }, against: { type: 'string' }, tag: { type: 'string' } } });
const dir = positionals[0];
if (!dir) throw new Error('usage: node bench/write.js DIR [--rounds N] [--against OLD] [--tag T]');
const rounds = Number(flags.rounds);
const lib = await import(new URL('../dist/index.js', import.meta.url).href);
const old = flags.against ? await import(pathToFileURL(resolve(flags.against, 'dist', 'index.js')).href) : null;

// The run, as the command line's default run makes it (peer groups on this thread: the write does not care).
const table = await lib.readIdentities(join(dir, 'identities.csv'));
const grants = await lib.readGrants(join(dir, 'grants.csv'), { keepIfPresent: ['last_used', 'application'], workers: Math.min(4, availableParallelism()) });
const engine = await lib.createEngine({});
const t0 = performance.now();
const run = await lib.runMine({ grants, identities: table }, {}, engine);
engine.dispose();
const mineMs = performance.now() - t0;
const review = run.extraTables.find((t) => t.name === 'review') ?? null;
const options = (build) => ({ omitTimings: true, command: ['mine', 'grants.csv', '--identities', 'identities.csv'], ...build.deliverablesFor('mine', { review, reviewSplit: false, exports: [], report: true }) });

const base = mkdtempSync(join(tmpdir(), 'rolemill-write-'));
function digest(out) {
  const h = createHash('sha256');
  for (const f of readdirSync(out).sort()) h.update(f).update(readFileSync(join(out, f)));
  return h.digest('hex').slice(0, 16);
}
function bytesOf(out) {
  return readdirSync(out).reduce((n, f) => n + statSync(join(out, f)).size, 0);
}
/**
 * The run with every name dictionary copied (shared ones copied once, still shared): the writers
 * cache each dictionary's encoding by the array, and a real run writes once, so no round may find
 * another round's encodings.
 */
function fresh(r) {
  const memo = new Map();
  const copy = (a) => {
    if (!a) return a;
    let x = memo.get(a);
    if (!x) memo.set(a, (x = a.slice()));
    return x;
  };
  const cols = (columns) => columns.map(([n, c]) => [n, c.kind === 'name' ? { ...c, dictionary: copy(c.dictionary) } : c]);
  const m = r.model;
  return {
    ...r,
    model: { ...m, identities: copy(m.identities), entitlements: copy(m.entitlements), roles: { ...m.roles, ids: copy(m.roles.ids) } },
    extraTables: r.extraTables.map((t) => ({ ...t, columns: cols(t.columns) })),
    roleColumns: cols(r.roleColumns),
    exceptionColumns: cols(r.exceptionColumns),
  };
}
async function timeWrite(build, tag, k) {
  const out = join(base, `${tag}-${k}`);
  const copy = fresh(run);
  const t = performance.now();
  await build.writeRun(out, copy, options(build));
  const ms = performance.now() - t;
  const d = digest(out);
  const bytes = bytesOf(out);
  rmSync(out, { recursive: true, force: true });
  return { ms, digest: d, bytes };
}

// One untimed write by each build first: the first write of a process also pays for what the run
// computes lazily on first use, which would be charged to whichever build went first.
await timeWrite(lib, 'warm', 0);
if (old) await timeWrite(old, 'warm-old', 0);
const cur = [];
const before = [];
for (let k = 0; k < rounds; k++) {
  // Alternating, and which goes first alternates too.
  const order = old ? (k % 2 === 0 ? [[lib, cur, 'cur'], [old, before, 'old']] : [[old, before, 'old'], [lib, cur, 'cur']]) : [[lib, cur, 'cur']];
  for (const [build, into, tag] of order) into.push(await timeWrite(build, tag, k));
  console.error(`round ${k + 1}: write ${cur.at(-1).ms.toFixed(0)} ms${old ? `, before ${before.at(-1).ms.toFixed(0)} ms, ${cur.at(-1).digest === before.at(-1).digest ? 'the same bytes' : 'DIFFERENT bytes'}` : ''}`);
}
rmSync(base, { recursive: true, force: true });

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const date = new Date().toISOString().slice(0, 10);
const name = `${date}-write${flags.tag ? `-${flags.tag}` : ''}`;
const machine = `${cpus().length} x ${cpus()[0]?.model.trim().split(' ').slice(0, 3).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const command = `node bench/write.js ${process.argv.slice(2).join(' ')}`;
const same = old ? cur.every((c, k) => c.digest === before[k].digest) : null;
const result = { date, machine, command, grants: grants.rows, mineMs, bytes: cur[0].bytes, digest: cur[0].digest, writeMs: cur.map((c) => c.ms), beforeMs: before.map((c) => c.ms), same };
const md = [
  `# write${flags.tag ? ` (${flags.tag})` : ''} (${date})`,
  '',
  `Machine: ${machine}`,
  '',
  `Command: \`${command}\``,
  '',
  `The output folder of the default run on ${grants.rows.toLocaleString('en-US')} grants (${(cur[0].bytes / 2 ** 20).toFixed(0)} MiB: the tables, summary.json, report.html, the manifest), written by writeRun from one run held in memory (its name dictionaries copied afresh each round, so no encoding is found cached), after one untimed write by each build, ${rounds} round(s)${old ? `, alternating with the build in \`${flags.against}\` ("before") on the same run` : ''}.`,
  '',
  '| | mean, seconds | rounds, seconds |',
  '|---|---|---|',
  `| write | ${(mean(result.writeMs) / 1000).toFixed(2)} | ${result.writeMs.map((m) => (m / 1000).toFixed(2)).join(', ')} |`,
  ...(old ? [`| before | ${(mean(result.beforeMs) / 1000).toFixed(2)} | ${result.beforeMs.map((m) => (m / 1000).toFixed(2)).join(', ')} |`, `| × before | **${(mean(result.writeMs) / mean(result.beforeMs)).toFixed(2)}** | |`] : []),
  '',
  old ? `Outputs: ${same ? `the same bytes from both builds (${cur[0].digest})` : 'DIFFERENT between the builds'}.` : `Outputs: ${cur[0].digest}.`,
  '',
].join('\n');
const results = new URL('./results/', import.meta.url);
writeFileSync(new URL(`${name}.json`, results), JSON.stringify(result, null, 2) + '\n');
writeFileSync(new URL(`${name}.md`, results), md);
console.log(md);
process.exit();
