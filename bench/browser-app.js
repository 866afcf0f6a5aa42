// The browser app at a million grants with identities and memberships (issue "The browser app"):
// a generated governed enterprise (`rolemill generate --identities N --governance`: direct grants,
// nested groups, several accounts per person, service accounts) uploaded into the built site
// (web-demo/dist, served cross-origin isolated), timed from the grants file being picked to the
// results shown (status done: the model, the tables, the report's first section and every output
// file made), with every main-thread task over 50 ms logged (PerformanceObserver 'longtask').
// Baseline in the same process: `rolemill mine` on the same three files (the CLI, 2 cores).
// Usage: npm run build:web && node bench/browser-app.js [identities=45000] [--sample DIR]
// (--sample DIR: an existing generated sample, e.g. the 10M-grant one of bench/results/*-e2e-10m.md,
// with or without memberships.csv; kept.) Writes bench/results/<date>-browser-app[-<label>].{json,md}.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteServer } from '../web-demo/serve.mjs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { saveResults } from './save.js';

const N = Number(process.argv[2] ?? 45000);
const sampleAt = process.argv.indexOf('--sample');
const given = sampleAt > 0 ? process.argv[sampleAt + 1] : null;
const root = fileURLToPath(new URL('../', import.meta.url));
const site = join(root, 'web-demo/dist');
const CLI = join(root, 'dist/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'rolemill-app-bench-'));
const cli = (args, cwd) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', CLI, ...args], { encoding: 'utf8', cwd });
  if (r.status !== 0) throw new Error(`rolemill ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return performance.now() - t0;
};
const server = siteServer(site);
try {
  const sample = given ?? join(work, 'sample');
  if (!given) cli(['generate', '--identities', String(N), '--seed', '1', '--governance', '--out', sample]);
  const withMemberships = existsSync(join(sample, 'memberships.csv'));
  const cliMs = cli(['mine', 'grants.csv', '--identities', 'identities.csv', ...(withMemberships ? ['--memberships', 'memberships.csv'] : []), '--out', join(work, 'cli'), '--quiet'], sample);
  const cliSummary = JSON.parse(readFileSync(join(work, 'cli', 'summary.json'), 'utf8'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.setInputFiles('[data-testid="identities-file"]', join(sample, 'identities.csv'));
  if (withMemberships) await page.setInputFiles('[data-testid="memberships-file"]', join(sample, 'memberships.csv'));
  await page.waitForFunction(() => ['idle', 'done', 'error'].includes(document.querySelector('[data-testid=status]').dataset.state));
  await page.evaluate(() => {
    window.__tasks = [];
    window.__log = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (window.__t0 !== undefined && e.startTime >= window.__t0) window.__tasks.push(Math.round(e.duration)), window.__log.push(`${Math.round(e.startTime - window.__t0)} ms: task of ${Math.round(e.duration)} ms`);
    }).observe({ type: 'longtask', buffered: true });
    const status = document.querySelector('[data-testid=status]');
    new MutationObserver(() => {
      if (window.__t0 === undefined && status.dataset.state === 'running') window.__t0 = performance.now();
      if (window.__t0 !== undefined && window.__t1 === undefined && status.dataset.state === 'done') window.__t1 = performance.now();
      if (window.__t0 !== undefined) window.__log.push(`${Math.round(performance.now() - window.__t0)} ms: ${status.textContent}`);
    }).observe(status, { attributes: true, childList: true, characterData: true, subtree: true });
  });
  await page.setInputFiles('[data-testid="grants-file"]', join(sample, 'grants.csv'));
  await page.waitForTimeout(100);
  if ((await page.getAttribute('[data-testid=status]', 'data-state')) !== 'running') await page.click('[data-testid="run"]');
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('[data-testid=status]').dataset.state), null, { timeout: 900_000, polling: 1000 });
  await page.waitForTimeout(300);
  const { tasks, span, state, log } = await page.evaluate(() => ({ tasks: window.__tasks, span: window.__t1 - window.__t0, state: document.querySelector('[data-testid=status]').dataset.state, log: window.__log }));
  if (process.argv.includes('--verbose')) console.log([...log].sort((a, b) => parseInt(a) - parseInt(b)).join('\n'));
  if (state !== 'done') throw new Error(`the page ended in ${state}: ${await page.textContent('[data-testid="error"]')}`);
  const pageSummary = JSON.parse(await page.textContent('[data-testid="summary-json"]'));
  const memory = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
  // The browser's processes' peak resident memory is not visible from here; the page's own heap is.
  await browser.close();
  const same = JSON.stringify({ ...pageSummary, timings: undefined }) === JSON.stringify({ ...cliSummary, timings: undefined });
  const longest = Math.max(0, ...tasks);
  const payload = { identities: N, grants: cliSummary.input.grants, rows: cliSummary.input.rows, roles: cliSummary.model.roles, pageMs: span, cliMs, longestTaskMs: longest, tasksOver50: tasks, over100: tasks.filter((t) => t > 100).length, sameSummary: same, mainHeapBytes: memory };
  const md = [
    `${cliSummary.input.rows.toLocaleString('en-US')} grant rows, ${cliSummary.input.grants.toLocaleString('en-US')} grants in the model${withMemberships ? ' (through groups)' : ''}, ${cliSummary.model.roles} roles; identities${withMemberships ? ' and memberships' : ''} uploaded too.`,
    '',
    '| what | value |',
    '|---|---|',
    `| the page: grants file picked to results shown (model, tables, report, every output file) | ${(span / 1000).toFixed(2)} s |`,
    `| baseline: \`rolemill mine\` on the same files (process start and the write included) | ${(cliMs / 1000).toFixed(2)} s |`,
    `| longest main-thread task meanwhile | ${longest} ms (${tasks.filter((t) => t > 100).length} over 100 ms; tasks over 50 ms: ${tasks.join(', ') || 'none'}) |`,
    `| the page's summary.json equals the CLI's (timings aside) | ${same ? 'yes' : 'NO'} |`,
  ].join('\n');
  await saveResults(given ? `browser-app-${cliSummary.input.rows}` : 'browser-app', `node bench/browser-app.js ${process.argv.slice(2).join(' ')}`, payload, md);
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
