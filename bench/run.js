// rolemill benchmarks (tinybench). Usage: node bench/run.js [hp] [kernels] [approx] [scale] [workers] [grid] [--identities N] [--workers 1,2,4]
// Writes bench/results/<date>-<suite>.json and .md with date, machine and command.
// Performance is measured here, never in timed tests.
import { writeFile, stat } from 'node:fs/promises';
import { saveResults } from './save.js';
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { Bench } from 'tinybench';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { createEngine, readGrants, generateEnterprise, writeEnterprise, enterpriseGrants } from '../dist/index.js';
import { benchKernels } from './kernels.js';

const HP = new URL('../../shared/datasets/hp/', import.meta.url);
// Known optima and published WSC from ../shared/datasets/hp/README.md.
const KNOWN = {
  healthcare: [14, 268], domino: [20, 754], emea: [34, 7280], firewall1: [64, 2019], firewall2: [10, 1120],
  apj: [453, 4867], americas_small: [178, 11217], americas_large: [398, 95407], customer: [276, null],
};

const args = process.argv.slice(2);
const suites = args.filter((a) => !a.startsWith('--'));
const want = (s) => suites.length === 0 || suites.includes(s);
const idArg = args.indexOf('--identities');
const scaleIdentities = idArg >= 0 ? Number(args[idArg + 1]) : 450_000;
const command = `node bench/run.js ${args.join(' ')}`.trim();
const save = (name, results, markdown) => saveResults(name, command, { results }, markdown);

async function hp() {
  const engine = await createEngine();
  const rows = [];
  for (const [name, [optimum, publishedWsc]] of Object.entries(KNOWN)) {
    const grants = await readGrants(new URL(`${name}.txt`, HP).pathname);
    const fresh = () => ({ ...grants, identity: grants.identity.slice(), entitlement: grants.entitlement.slice() });
    let byRoles;
    let byWsc;
    const bench = new Bench({ time: 400, warmupTime: 50, iterations: 3 });
    bench
      .add('roles', () => void (byRoles = engine.mine(fresh(), { mode: 'exact', objective: 'roles' })))
      .add('wsc', () => void (byWsc = engine.mine(fresh(), { mode: 'exact', objective: 'wsc' })));
    await bench.run();
    const [tr, tw] = bench.tasks.map((t) => t.result.latency.mean);
    const m = byRoles.summary.model;
    rows.push({
      dataset: name, optimum, roles: m.roles, proven: m.optimalityProven, exact: m.exact, ms: tr,
      wsc: m.wsc, publishedWsc, wscObjective: byWsc.summary.model.wsc, wscRoles: byWsc.summary.model.roles, wscExact: byWsc.summary.model.exact, wscMs: tw,
    });
  }
  const total = rows.reduce((s, r) => s + r.ms, 0);
  const totalWsc = rows.reduce((s, r) => s + r.wscMs, 0);
  const md = [
    '| dataset | optimum | roles | proven | exact | ms | WSC (roles objective) | published WSC | WSC (`--objective wsc`) | roles (wsc) | ms (wsc) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.dataset} | ${r.optimum} | ${r.roles} | ${r.proven ? 'yes' : 'no'} | ${r.exact ? 'yes' : 'no'} | ${r.ms.toFixed(1)} | ${r.wsc} | ${r.publishedWsc ?? '-'} | ${r.wscObjective} | ${r.wscRoles} | ${r.wscMs.toFixed(1)} |`),
    `| **all nine** | | | | | **${total.toFixed(0)}** | | | | | **${totalWsc.toFixed(0)}** |`,
    '',
    'Times are the mean of in-process `engine.mine()` (load, reduce, mine, verify; file reading excluded).',
  ].join('\n');
  await save('hp', { rows, totalMs: total, totalWscMs: totalWsc }, md);
}

async function kernels() {
  const rows = await benchKernels();
  const md = [
    '| buffer (each of 2) | JS GB/s | wasm scalar GB/s | wasm SIMD GB/s | scalar / JS | SIMD / JS |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.bytes >= 1 << 20 ? r.bytes / 2 ** 20 + ' MiB' : r.bytes / 1024 + ' KiB'} | ${r.jsGBs.toFixed(2)} | ${r.scalarGBs.toFixed(2)} | ${r.simdGBs.toFixed(2)} | ${r.scalarVsJs.toFixed(2)}x | ${r.simdVsJs.toFixed(2)}x |`),
    '',
    'AND + popcount over two buffers; JS is a SWAR popcount over Uint32Array in the same process.',
  ].join('\n');
  await save('kernels', rows, md);
}

async function scale() {
  const dir = new URL(`./data/scale-${scaleIdentities}/`, import.meta.url).pathname;
  const csv = dir + 'grants.csv';
  const exists = await stat(csv).then(() => true, () => false);
  let genMs = 0;
  if (!exists) {
    const t = performance.now();
    await writeEnterprise(dir, generateEnterprise({ identities: scaleIdentities, seed: 1 }));
    genMs = performance.now() - t;
  }
  const bytes = (await stat(csv)).size;
  // The same grants as Parquet (snappy), written from the Arrow file once.
  const pqFile = dir + 'grants.parquet';
  if (!(await stat(pqFile).then(() => true, () => false))) {
    const pq = await import('parquet-wasm');
    const { readFile } = await import('node:fs/promises');
    const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).build();
    await writeFile(pqFile, pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(tableFromIPC(await readFile(dir + 'grants.arrow')), 'stream')), props));
  }
  const out = {};
  for (const [label, file] of [['csv', csv], ['arrow', dir + 'grants.arrow'], ['parquet', pqFile]]) {
    const t0 = performance.now();
    const grants = await readGrants(file);
    const readMs = performance.now() - t0;
    const engine = await createEngine();
    const t1 = performance.now();
    const s = engine.analyze(grants);
    const analyzeMs = performance.now() - t1;
    out[label] = { rows: grants.rows, readMs, analyzeMs, ...s };
    engine.dispose();
  }
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  const c = out.csv;
  const md = [
    `Generated enterprise: ${scaleIdentities} identities, ${c.rows} grants (${(bytes / 2 ** 20).toFixed(0)} MiB CSV)${genMs ? `, generated in ${(genMs / 1000).toFixed(1)} s` : ''}.`,
    '',
    '| input | read s | rows/s | load + reduce s | identity classes | entitlement classes | components | largest component | wasm memory MiB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...Object.entries(out).map(([k, r]) => `| ${k} | ${(r.readMs / 1000).toFixed(1)} | ${Math.round(r.rows / (r.readMs / 1000)).toLocaleString('en')} | ${(r.analyzeMs / 1000).toFixed(2)} | ${r.identityClasses} | ${r.entitlementClasses} | ${r.components} | ${r.largestComponent.identityClasses} x ${r.largestComponent.entitlementClasses} | ${(r.wasmMemoryBytes / 2 ** 20).toFixed(0)} |`),
    '',
    `Peak resident memory of the whole process (all three reads): ${maxRssMiB.toFixed(0)} MiB.`,
  ].join('\n');
  await save('scale', { identities: scaleIdentities, out, maxRssMiB, genMs }, md);
}

/**
 * Approx mode: coverage-versus-roles on the HP sets next to the exact optimum; generated
 * enterprises mined cold, and mined again on the loaded matrix after a knob moves (the slider case),
 * with the ratio warm / cold measured in the same process.
 */
async function approx() {
  const engine = await createEngine();
  const rows = [];
  const targets = [0.8, 0.9, 0.95, 0.99];
  for (const [name, [optimum]] of Object.entries(KNOWN)) {
    engine.load(await readGrants(new URL(`${name}.txt`, HP).pathname));
    const row = { dataset: name, optimum };
    for (const cost of [1, 3]) {
      for (const c of targets) {
        const m = engine.remine({ mode: 'approx', coverage: c, minMembers: 2, exceptionCost: cost });
        row[`roles${c}@${cost}`] = m.summary.model.coverage >= c ? m.roles.count : `- (${(m.summary.model.coverage * 100).toFixed(1)}%)`;
      }
      const full = engine.remine({ mode: 'approx', minMembers: 2, exceptionCost: cost });
      row[`full@${cost}`] = `${full.roles.count}, ${(full.summary.model.coverage * 100).toFixed(1)}%`;
    }
    rows.push(row);
  }
  const gen = [];
  const sliderKnobs = [{ minMembers: 10 }, { minMembers: 5 }, { coverage: 0.9 }, { coverage: 0.95 }, { maxRoles: 100 }, {}];
  for (const identities of [4500, 45000]) {
    const e = generateEnterprise({ identities, seed: 1, strayRate: 0.02 });
    const g = enterpriseGrants(e);
    const fresh = () => ({ ...g, identity: g.identity.slice(), entitlement: g.entitlement.slice() });
    let model;
    const cold = new Bench({ time: 200, warmupTime: 0, warmupIterations: 0, iterations: 3 });
    cold.add('mine (load + mine + verify)', () => void (model = engine.mine(fresh())));
    await cold.run();
    const coldMs = cold.tasks[0].result.latency.mean;
    engine.load(fresh());
    engine.remine({}); // fills the caches, as the first mine of a session does
    const warm = new Bench({ time: 200, warmupTime: 0, warmupIterations: 0, iterations: 3 });
    for (const k of sliderKnobs) warm.add(JSON.stringify(k), () => void engine.remine(k));
    await warm.run();
    const slider = warm.tasks.map((t) => ({ knobs: t.name, ms: t.result.latency.mean, ratio: t.result.latency.mean / coldMs }));
    gen.push({ identities, grants: g.rows, ms: coldMs, roles: model.roles.count, coverage: model.summary.model.coverage, slider });
    engine.unload();
  }
  const cell = (r, c, cost) => r[`roles${c}@${cost}`];
  const md = [
    'Roles the approx mode needs to explain a share of the grants (minMembers 2), next to the exact optimum.',
    'exceptionCost 1 (default) stops when no role pays for itself; exceptionCost 3 lets smaller roles pay:',
    '',
    '| dataset | exact optimum | 80% | 90% | 95% | 99% | until no role pays | 80% (cost 3) | 90% | 95% | 99% | until no role pays |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.dataset} | ${r.optimum} | ${targets.map((c) => cell(r, c, 1)).join(' | ')} | ${r['full@1']} | ${targets.map((c) => cell(r, c, 3)).join(' | ')} | ${r['full@3']} |`),
    '',
    'Generated enterprises (2% stray grants), default knobs: cold `mine()` (load, mine, verify), then',
    '`remine(knobs)` on the loaded matrix (the slider case), with its time as a share of the cold run:',
    '',
    '| identities | grants | cold mine s | roles | coverage | ' + sliderKnobs.map((k) => `remine ${JSON.stringify(k).replaceAll('"', '')}`).join(' | ') + ' |',
    '|---|---|---|---|---|' + sliderKnobs.map(() => '---').join('|') + '|',
    ...gen.map((r) => `| ${r.identities} | ${r.grants} | ${(r.ms / 1000).toFixed(2)} | ${r.roles} | ${(r.coverage * 100).toFixed(1)}% | ` + r.slider.map((x) => `${Math.round(x.ms)} ms (${x.ratio.toFixed(2)})`).join(' | ') + ' |'),
  ].join('\n');
  await save('approx', { rows, gen }, md);
}

/**
 * The grid: generated enterprises of about 100k, 1M and 10M grants, each mined end to end by the
 * command line in its own process (CSV and identities file in, every output written), in both
 * modes, with each phase's time from summary.json and the process's peak resident memory
 * (/usr/bin/time). Exact mode refuses inputs whose largest component is over its bitset limit.
 * Not part of the default run (10M takes minutes): node bench/run.js grid.
 */
async function grid() {
  const { spawnSync } = await import('node:child_process');
  const { mkdtemp, rm, readFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
  const out = [];
  for (const identities of [4500, 45000, 450000]) {
    const dir = await mkdtemp(join(tmpdir(), 'rolemill-grid-'));
    const e = generateEnterprise({ identities, seed: 1, strayRate: 0.02 });
    await writeEnterprise(dir, e);
    const grants = e.grants.identity.length;
    for (const mode of ['approx', 'exact']) {
      const o = join(dir, `out-${mode}`);
      const r = spawnSync('/usr/bin/time', ['-f', '%M %e', process.execPath, '--max-old-space-size=8192', cli, 'mine', join(dir, 'grants.csv'), '--identities', join(dir, 'identities.csv'), '--mode', mode, '--quiet', '--out', o], { encoding: 'utf8', timeout: 600_000 });
      const [kb, wall] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
      const row = { identities, grants, mode, exit: r.status, wallS: wall, peakRssMiB: Math.round(kb / 1024) };
      if (r.status === 0) {
        const summary = JSON.parse(await readFile(join(o, 'summary.json'), 'utf8'));
        Object.assign(row, { roles: summary.model.roles, coverage: summary.model.coverage, timings: summary.timings });
      } else row.error = r.stderr.split('\n').find((l) => l.startsWith('rolemill:')) ?? `exit ${r.status}`;
      out.push(row);
      console.log(JSON.stringify(row));
    }
    await rm(dir, { recursive: true, force: true });
  }
  const t = (r, k) => (r.timings?.[k] !== undefined ? (r.timings[k] / 1000).toFixed(1) : '-');
  const md = [
    'End to end by the command line (CSV and identities file in, all outputs written), one process per run:',
    '',
    '| identities | grants | mode | wall s | peak RSS MiB | read | governance | load | mine | verify | peers | roles | coverage |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...out.map((r) => r.exit === 0
      ? `| ${r.identities} | ${r.grants} | ${r.mode} | ${r.wallS} | ${r.peakRssMiB} | ${t(r, 'readMs')} | ${t(r, 'governanceMs')} | ${t(r, 'loadMs')} | ${t(r, 'mineMs')} | ${t(r, 'verifyMs')} | ${t(r, 'peersMs')} | ${r.roles} | ${(r.coverage * 100).toFixed(2)}% |`
      : `| ${r.identities} | ${r.grants} | ${r.mode} | ${r.wallS} | ${r.peakRssMiB} | refused (exit ${r.exit}): ${r.error.replace(/\|/g, '/')} |||||||`),
  ].join('\n');
  await save('grid', out, md);
}

/**
 * Scaling with the number of mining workers (the candidate phase on the pool, see
 * src/engine/pool.ts): one generated enterprise (--identities, default 45,000: about 1M grants)
 * mined in approx mode with 1, 2, 4 and the available cores' worth of workers (--workers to
 * choose), in one process; each run's time as a ratio of the 1-worker run, the candidate phase
 * alone (to 30% of the mining phase's progress) too, and a hash of the whole model, which must be
 * the same for every worker count.
 */
async function workers() {
  const identities = idArg >= 0 ? scaleIdentities : 45_000;
  const wArg = args.indexOf('--workers');
  const counts = wArg >= 0 ? args[wArg + 1].split(',').map(Number) : [...new Set([1, 2, 4, availableParallelism()])].sort((a, b) => a - b);
  const e = generateEnterprise({ identities, seed: 1, strayRate: 0.02 });
  const g = enterpriseGrants(e);
  const fresh = () => ({ ...g, identity: g.identity.slice(), entitlement: g.entitlement.slice() });
  const hash = (m) => {
    const h = createHash('sha256');
    for (const a of [m.roles.kind, m.roles.entitlementOffsets, m.roles.entitlements, m.roles.memberOffsets, m.roles.members, m.exceptions.identity, m.exceptions.entitlement, m.exceptions.reason]) h.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    h.update(JSON.stringify(m.summary.model));
    return h.digest('hex').slice(0, 16);
  };
  const rows = [];
  const iterations = identities > 100_000 ? 1 : 3;
  const bench = new Bench({ time: 0, warmupTime: 0, warmupIterations: 0, iterations });
  const engines = new Map();
  for (const w of counts) engines.set(w, await createEngine({ workers: w }));
  const seen = new Map();
  for (const w of counts) {
    const engine = engines.get(w);
    const candidateMs = [];
    bench.add(`workers=${w}`, () => {
      const t0 = performance.now();
      let start = 0;
      let done = 0;
      const model = engine.mine(fresh(), {
        onProgress: (p, f) => {
          if (p !== 'mine') return;
          if (!start) start = performance.now();
          if (!done && f >= 0.3) done = performance.now();
        },
      });
      candidateMs.push(done - start);
      seen.set(w, { hash: hash(model), roles: model.roles.count, totalMs: performance.now() - t0 });
    });
    rows.push({ workers: w, candidateMs });
  }
  await bench.run();
  const base = bench.tasks[0].result.latency.mean;
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const baseCand = mean(rows[0].candidateMs);
  for (const [i, r] of rows.entries()) {
    r.ms = bench.tasks[i].result.latency.mean;
    r.ratio = r.ms / base;
    r.candidateMean = mean(r.candidateMs);
    r.candidateRatio = r.candidateMean / baseCand;
    Object.assign(r, seen.get(r.workers));
  }
  const same = new Set(rows.map((r) => r.hash)).size === 1;
  const md = [
    `Generated enterprise: ${identities} identities, ${g.rows} grants (2% strays), approx mode, default knobs; ${iterations} run(s) per worker count, in one process.`,
    '',
    '| workers | mine s (load, mine, verify) | vs 1 worker | candidate phase s | vs 1 worker | roles | model hash |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.workers} | ${(r.ms / 1000).toFixed(2)} | ${r.ratio.toFixed(2)} | ${(r.candidateMean / 1000).toFixed(2)} | ${r.candidateRatio.toFixed(2)} | ${r.roles} | ${r.hash} |`),
    '',
    `Models identical across worker counts: ${same ? 'yes' : 'NO'}. Only the candidate phase (closures and their holders) runs on the pool; the greedy that follows is sequential.`,
  ].join('\n');
  await save(`workers-${identities}`, { identities, grants: g.rows, rows, same }, md);
  if (!same) process.exitCode = 1;
}

if (want('approx')) await approx();
if (suites.includes('workers')) await workers();
if (suites.includes('grid')) await grid();
if (want('kernels')) await kernels();
if (want('hp')) await hp();
if (want('scale')) await scale();
