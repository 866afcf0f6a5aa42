// The browser app as an analyst uses it, in Debian's Chromium (playwright-core; run in CI by .ci/run
// after `npm run build:web`), served from web-demo/dist/ alone (the deployable site) with the
// cross-origin-isolation headers:
// - upload a generated enterprise's grants, identities and memberships (with hostile names): the
//   page's summary.json and every file of its ZIP equal what `rolemill mine` writes for the same
//   files (the command line recorded in rolemill.json and report.html aside);
// - hostile names stay text; no request leaves the origin;
// - a malformed file gives the error state naming the file and line, with no stale result;
// - cancel mid-run leaves the page usable and empty, and the next run works;
// - screenshots of each state into bench/results/ (ROLEMILL_SCREENSHOTS=DIR elsewhere).
// Run: npm run build:web && node test/browser/app.mjs
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteServer } from '../../web-demo/serve.mjs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { unzipSync } from 'fflate';

const root = fileURLToPath(new URL('../../', import.meta.url));
const site = join(root, 'web-demo/dist');
const shots = process.env.ROLEMILL_SCREENSHOTS ?? join(root, 'bench/results');
const CLI = join(root, 'dist/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'rolemill-app-'));
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const cli = (args, cwd = work) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
  if (r.status !== 0) throw new Error(`rolemill ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
};
if (!existsSync(join(site, 'index.html'))) throw new Error('web-demo/dist/index.html is missing: run npm run build:web first');

// The sample: a governed enterprise plus identities whose names are markup.
const sample = join(work, 'sample');
cli(['generate', '--identities', '800', '--seed', '12', '--governance', '--out', sample]);
const HOSTILE = '<img src=x onerror="window.__pwned=1">';
appendFileSync(join(sample, 'grants.csv'), [0, 1, 2, 3].flatMap((k) => ['intranet:portal:read', 'okta:sso:user', 'app:<b>bold</b>'].map((e) => `"${HOSTILE.replaceAll('"', '""')}-${k}",${e},2026-10-01`)).join('\n') + '\n');
// The CLI on the same files, named as the page names them (the file names: summary.json's sources agree).
cli(['mine', 'grants.csv', '--identities', 'identities.csv', '--memberships', 'memberships.csv', '--out', join(work, 'cli'), '--no-timings', '--quiet'], sample);
// A malformed grants file (no entitlement column) and a larger one for the cancel.
writeFileSync(join(work, 'broken.csv'), 'identity,role\nalice,admin\n');
cli(['generate', '--identities', '20000', '--seed', '3', '--out', join(work, 'large')]);

// The site's own server (web-demo/serve.mjs: cross-origin isolated, the folder alone).
const server = siteServer(site);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
const page = await context.newPage();
const outside = [];
page.on('request', (r) => !r.url().startsWith(origin) && !r.url().startsWith('blob:') && !r.url().startsWith('data:') && outside.push(r.url()));
context.on('request', (r) => !r.url().startsWith(origin) && !r.url().startsWith('blob:') && !r.url().startsWith('data:') && outside.push(r.url()));
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
const state = () => page.getAttribute('[data-testid="status"]', 'data-state');
const waitState = (states, timeout = 120_000) => page.waitForFunction((s) => s.includes(document.querySelector('[data-testid="status"]')?.getAttribute('data-state')), states, { timeout });
/** Starts a run: clicks `run` unless choosing the files started one. */
async function start() {
  await page.waitForTimeout(50);
  if ((await state()) !== 'running') await page.click('[data-testid="run"]');
}

try {
  await page.goto(`${origin}/`);
  await page.waitForSelector('[data-testid="status"]');
  check((await state()) === 'idle', `the page opens idle (${await state()})`);
  check(/nothing (leaves|is sent|is uploaded)/i.test(await page.textContent('body')), 'the page says nothing leaves the machine');
  await page.screenshot({ path: join(shots, '2026-12-02-app-idle.png') });

  // 1. The governed upload: the same summary.json and files as the CLI.
  await page.setInputFiles('[data-testid="identities-file"]', join(sample, 'identities.csv'));
  await page.setInputFiles('[data-testid="memberships-file"]', join(sample, 'memberships.csv'));
  await page.setInputFiles('[data-testid="grants-file"]', join(sample, 'grants.csv'));
  await start();
  await waitState(['done', 'error']);
  check((await state()) === 'done', `the governed run is done (${await state()}: ${await page.textContent('[data-testid="error"]')})`);
  const strip = (text) => {
    const s = JSON.parse(text);
    delete s.timings;
    return s;
  };
  const pageSummary = await page.textContent('[data-testid="summary-json"]');
  const cliSummary = readFileSync(join(work, 'cli', 'summary.json'), 'utf8');
  check(JSON.stringify(strip(pageSummary)) === JSON.stringify(strip(cliSummary)), 'summary.json equals the CLI’s (timings aside)');
  const dom = await page.evaluate(() => ({ imgs: document.querySelectorAll('img').length, pwned: window.__pwned ?? null, report: document.querySelector('[data-testid="report"]')?.textContent.length ?? 0 }));
  check(dom.imgs === 0 && dom.pwned === null, `hostile names stay text (img ${dom.imgs}, pwned ${dom.pwned})`);
  check(dom.report > 1000, `the report is drawn in the page (${dom.report} characters)`);
  check((await page.textContent('body')).includes(`${HOSTILE}-0`), 'a hostile name is shown, as text');
  await page.screenshot({ path: join(shots, '2026-12-02-app-done.png') });
  await page.evaluate(() => document.querySelector('[data-testid="report"]')?.scrollIntoView());
  await page.screenshot({ path: join(shots, '2026-12-02-app-results.png') });

  // The tables page through everything: the exceptions table reaches its last row.
  const exceptionsCsv = readFileSync(join(work, 'cli', 'exceptions.csv'), 'utf8').trim().split('\n').length - 1;
  const tableText = await page.textContent('[data-testid="exceptions-table"]');
  check(tableText.includes(exceptionsCsv.toLocaleString('en-US')) || tableText.includes(String(exceptionsCsv)), `the exceptions table counts all ${exceptionsCsv} rows`);

  // The ZIP: every file the CLI wrote, the same bytes (the command line aside).
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-all"]')]);
  const zipPath = join(work, 'page.zip');
  await download.saveAs(zipPath);
  const zip = unzipSync(new Uint8Array(readFileSync(zipPath)));
  const names = Object.keys(zip).filter((n) => !n.endsWith('/'));
  const inZip = new Map(names.map((n) => [n, zip[n]]));
  const walk = (d, prefix = '') => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
  const cliFiles = walk(join(work, 'cli')).sort();
  check(JSON.stringify([...inZip.keys()].sort()) === JSON.stringify(cliFiles), `the ZIP holds every output file (${inZip.size}: ${[...inZip.keys()].sort().join(', ')})`);
  const normal = (name, bytes) => {
    let text = Buffer.from(bytes).toString('utf8');
    if (name === 'summary.json') return JSON.stringify(strip(text));
    if (name === 'rolemill.json') {
      const m = JSON.parse(text);
      delete m.command;
      for (const f of m.files) if (f.path === 'report.html' || f.path === 'summary.json') f.bytes = 0;
      return JSON.stringify(m);
    }
    if (name === 'report.html') {
      const data = JSON.parse(text.match(/id="report-data">([^<]*)</)[1]);
      delete data.command;
      delete data.summary.timings;
      for (const f of data.files) if (f.path === 'summary.json') f.bytes = 0;
      return JSON.stringify(data) + text.replace(/id="report-data">[^<]*</, '');
    }
    return null;
  };
  const differ = cliFiles.filter((f) => {
    const a = inZip.get(f);
    if (!a) return true;
    const b = readFileSync(join(work, 'cli', ...f.split('/')));
    const na = normal(f, a);
    return na !== null ? na !== normal(f, b) : !Buffer.from(a).equals(b);
  });
  check(differ.length === 0, `every file in the ZIP equals the CLI's (differ: ${differ.join(', ') || 'none'})`);

  // 2. Other column names: the mapping step. Then a malformed file: the error state, nothing stale.
  await page.setInputFiles('[data-testid="identities-file"]', []);
  await page.setInputFiles('[data-testid="memberships-file"]', []);
  // Removing the identities and memberships files runs the grants alone again: let it finish.
  await waitState(['done', 'error', 'idle']);
  await page.setInputFiles('[data-testid="grants-file"]', join(work, 'broken.csv'));
  await waitState(['idle', 'done', 'error'], 10_000).catch(() => undefined);
  const mapping = await page.$('[data-testid="column-mapping"] [data-testid="entitlement-column"]');
  check(mapping !== null && (await mapping.isVisible()), 'a grants CSV without an entitlement column asks for the column mapping');
  await page.screenshot({ path: join(shots, '2026-12-02-app-mapping.png') });
  check((await state()) !== 'running', `it waits for the mapping to be confirmed (${await state()})`);
  // Mapped to its columns (identity, role) it mines.
  await page.selectOption('[data-testid="column-mapping"] [data-testid="identity-column"]', 'identity');
  await page.selectOption('[data-testid="column-mapping"] [data-testid="entitlement-column"]', 'role');
  await page.click('[data-testid="run"]');
  await waitState(['done', 'error']);
  check((await state()) === 'done', `mapped to identity and role, the file mines (${await state()}: ${await page.textContent('[data-testid="error"]')})`);
  // A malformed file (an unbalanced quote on line 3): the error state naming file and line, nothing stale.
  writeFileSync(join(work, 'bad.csv'), 'identity,entitlement\nalice,crm\n"bob,crm\n');
  await page.setInputFiles('[data-testid="grants-file"]', join(work, 'bad.csv'));
  await start();
  await waitState(['done', 'error']);
  const bad = await page.textContent('[data-testid="error"]');
  check((await state()) === 'error' && /bad\.csv:3/.test(bad), `a malformed file is an error naming file and line (${await state()}: ${bad})`);
  check((await page.textContent('[data-testid="summary-json"]')) === '' && ((await page.textContent('[data-testid="report"]')) ?? '').trim() === '', 'no stale result after the error');
  await page.screenshot({ path: join(shots, '2026-12-02-app-error.png') });

  // 3. Cancel mid-run, then run again.
  await page.setInputFiles('[data-testid="grants-file"]', join(work, 'large', 'grants.csv'));
  await start();
  await waitState(['running'], 20_000).catch(() => undefined);
  await page.waitForFunction(() => document.querySelector('[data-testid="progress"]')?.hidden === false, null, { timeout: 10_000 }).catch(() => undefined);
  await page.screenshot({ path: join(shots, '2026-12-02-app-running.png') });
  await page.click('[data-testid="cancel"]');
  await waitState(['idle', 'error', 'done'], 30_000);
  check((await state()) === 'idle', `cancel leaves the page idle (${await state()})`);
  check((await page.textContent('[data-testid="summary-json"]')) === '', 'cancel leaves no result');
  await page.screenshot({ path: join(shots, '2026-12-02-app-cancelled.png') });
  await page.click('[data-testid="run"]');
  await waitState(['done', 'error'], 120_000);
  check((await state()) === 'done', `after a cancel the next run works (${await state()})`);

  check(outside.length === 0, `no request leaves the origin (${outside.slice(0, 3).join(', ')})`);
  check(errors.length === 0, `no page error (${errors.slice(0, 3).join(' | ')})`);
} finally {
  await browser.close();
  server.close();
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('browser app: all checks passed');
