// report.html at scale: a generated enterprise mined by the CLI (the default run, with its
// identities file), then `rolemill report DIR` timed (reading the folder back, the report's data,
// the HTML) against the run's own write phase in the same process, the file's size, and the time
// Chromium takes to draw it (to the renderer's data-rendered mark), with every request blocked.
// Usage: node --max-old-space-size=8192 bench/report.js [identities=20000] [sample-dir]
// (450000 identities: about 10.6M grants; an existing sample dir is reused.)
// Writes bench/results/<date>-report-<identities>.{json,md}.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { saveResults } from './save.js';
import { reportOfFolder } from '../dist/report/folder.js';
import { readModelTable } from '../dist/model/read.js';
import { reportFor, viewOfRecords } from '../dist/report/index.js';

const N = Number(process.argv[2] ?? 20000);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rolemill-report-bench-'));
const sample = process.argv[3] ?? join(work, 'sample');
const cli = (...args) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`rolemill ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { ms: performance.now() - t0, out: r.stdout };
};
try {
  if (!existsSync(join(sample, 'grants.csv'))) cli('generate', '--identities', String(N), '--seed', '1', '--out', sample);
  const out = join(work, 'out');
  const mine = cli('mine', join(sample, 'grants.csv'), '--identities', join(sample, 'identities.csv'), '--out', out, '--quiet', '--no-report');
  const writeMs = Number(/write (\d+) ms/.exec(mine.out)?.[1] ?? NaN);
  // The default run (with its report), for what the report adds to mine's write phase.
  const withReport = cli('mine', join(sample, 'grants.csv'), '--identities', join(sample, 'identities.csv'), '--out', join(work, 'with-report'), '--quiet');
  const writeWithReportMs = Number(/write (\d+) ms/.exec(withReport.out)?.[1] ?? NaN);
  // In process: the folder read back and the report built (data + HTML), three times.
  const runs = [];
  let html = '';
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    html = (await reportOfFolder(out)).html;
    runs.push(performance.now() - t0);
  }
  const buildMs = Math.min(...runs);
  // Split: reading the folder's tables back (as records) against building the report from them
  // (the part mine pays, from the tables it has in memory).
  const tr = performance.now();
  const tables = [];
  for (const name of ['roles', 'role_entitlements', 'assignments', 'exceptions', 'identities', 'review']) {
    const rows = await readModelTable({ dir: out, format: 'csv' }, name);
    if (rows) tables.push({ name, view: viewOfRecords(rows) });
  }
  const readBackMs = performance.now() - tr;
  const summaryJson = JSON.parse(await (await import('node:fs/promises')).readFile(join(out, 'summary.json'), 'utf8'));
  const tb = performance.now();
  reportFor(tables, summaryJson, [], { kind: 'mine' });
  const fromTablesMs = performance.now() - tb;
  const t1 = performance.now();
  cli('report', out);
  const reportCliMs = performance.now() - t1;
  const file = join(out, 'report.html');
  const bytes = statSync(file).size;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const draws = [];
  try {
    for (let k = 0; k < 3; k++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.route('**/*', (r) => (r.request().url() === `file://${file}` ? r.continue() : r.abort()));
      const t0 = performance.now();
      await page.goto(`file://${file}`);
      await page.waitForSelector('[data-rendered="true"]', { timeout: 120_000 });
      draws.push(performance.now() - t0);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  const summary = JSON.parse(html.match(/id="report-data">([^<]*)</)[1]).totals;
  const payload = { identities: N, totals: summary, bytes, buildMs, readBackMs, fromTablesMs, reportCliMs, writeMs, writeWithReportMs, mineWithReportMs: withReport.ms, mineMs: mine.ms, drawMs: Math.min(...draws), draws, runs };
  const md = [
    `${summary.grants.toLocaleString('en-US')} grants, ${summary.identities.toLocaleString('en-US')} identities, ${summary.roles.toLocaleString('en-US')} roles, ${summary.exceptions.toLocaleString('en-US')} exceptions.`,
    '',
    '| what | value |',
    '|---|---|',
    `| report.html size | ${(bytes / 2 ** 20).toFixed(2)} MiB |`,
    `| report built in process (folder read back, data, HTML; best of 3) | ${(buildMs / 1000).toFixed(2)} s |`,
    `| of it: the tables read back as records | ${(readBackMs / 1000).toFixed(2)} s |`,
    `| of it: the report from the tables (what mine adds to its write) | ${(fromTablesMs / 1000).toFixed(2)} s |`,
    `| \`rolemill report DIR\` (process start included) | ${(reportCliMs / 1000).toFixed(2)} s |`,
    `| the mine's own write phase, --no-report (baseline, same machine) | ${(writeMs / 1000).toFixed(2)} s |`,
    `| the default mine's write phase, report.html included | ${(writeWithReportMs / 1000).toFixed(2)} s (${(writeWithReportMs / writeMs).toFixed(2)}×) |`,
    `| ratio: report from the tables / write phase | ${(fromTablesMs / writeMs).toFixed(2)} |`,
    `| Chromium: open to drawn (best of 3) | ${(Math.min(...draws) / 1000).toFixed(2)} s |`,
    `| whole mine: --no-report / default | ${(mine.ms / 1000).toFixed(1)} s / ${(withReport.ms / 1000).toFixed(1)} s |`,
  ].join('\n');
  await saveResults(`report-${N}`, `node --max-old-space-size=8192 bench/report.js ${N}`, payload, md);
} finally {
  rmSync(work, { recursive: true, force: true });
}
// (A sample dir given as the second argument is kept: generate it once, rerun on it.)
