// mine --baseline against a plain mine of the same snapshot, in the same process, alternating, so
// the machine's noise falls on both (target: within 1.2x). A generated enterprise of N identities
// (45,000: about 1M grants), two snapshots (generate --snapshots 2); the baseline is t0's model.
//   node bench/baseline.js [identities] [rounds]
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveResults } from './save.js';

const N = Number(process.argv[2] ?? 45000);
const rounds = Number(process.argv[3] ?? 3);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rolemill-baseline-bench-'));
const cli = (...args) => {
  const t = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rolemill ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { ms: performance.now() - t, out: r.stdout };
};
cli('generate', '--identities', String(N), '--snapshots', '2', '--seed', '7', '--out', join(dir, 's'));
const input = (k) => [join(dir, 's', `t${k}`, 'grants.csv'), '--identities', join(dir, 's', `t${k}`, 'identities.csv'), '--no-timings', '--quiet', '--no-peers'];
cli('mine', ...input(0), '--out', join(dir, 'm0'));
const plain = [];
const withBaseline = [];
for (let k = 0; k < rounds; k++) {
  plain.push(cli('mine', ...input(1), '--out', join(dir, 'plain')).ms);
  withBaseline.push(cli('mine', ...input(1), '--baseline', join(dir, 'm0'), '--out', join(dir, 'based')).ms);
}
const grants = /^in scope: ([\d,]+) grants/m.exec(cli('mine', ...input(1), '--out', join(dir, 'plain')).out)?.[1] ?? '?';
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ratio = median(withBaseline) / median(plain);
await saveResults(
  'baseline',
  `node bench/baseline.js ${N} ${rounds}`,
  { identities: N, grants, rounds, plainMs: plain, baselineMs: withBaseline, ratio },
  `${N} identities (${grants} grants in scope at t1), end to end per run (read, mine, write), peers off, ${rounds} alternating rounds:\n\n` +
    `| | median ms | runs |\n|---|---|---|\n| mine | ${Math.round(median(plain))} | ${plain.map(Math.round).join(', ')} |\n| mine --baseline t0 | ${Math.round(median(withBaseline))} | ${withBaseline.map(Math.round).join(', ')} |\n\nRatio (medians): ${ratio.toFixed(3)}x`,
);
