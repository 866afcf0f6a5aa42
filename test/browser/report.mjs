// report.html as a person sees it, in Debian's Chromium (playwright-core; run in CI by .ci/run):
// - a governed sample with hostile names (markup, a closing script tag) mined by the CLI; its
//   report opened from the file with every request other than the file itself blocked (and
//   recorded: there must be none), no console error, every chart drawn, the matrix painted, the
//   hostile names shown as text (no element made from them, no script run), the role search
//   finding a role by a member's hostile name;
// - the diff report of two snapshots: its sections drawn, no console error;
// - screenshots into bench/results/ (ROLEMILL_SCREENSHOTS=DIR elsewhere: CI keeps the tree clean).
// Needs `npx tsc -p tsconfig.json` (the CLI in dist/). Run: node test/browser/report.mjs
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = process.env.ROLEMILL_SCREENSHOTS ?? join(root, 'bench/results');
const CLI = join(root, 'dist/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'rolemill-report-'));
const cli = (...args) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rolemill ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
};
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// A governed sample, plus hostile names: three identities whose names are markup, holding the
// engineering birthright-like entitlements and one hostile entitlement.
const HOSTILE_ID = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_ENT = 'app:</script><script>window.__pwned=2</script>';
cli('generate', '--identities', '600', '--seed', '11', '--governance', '--out', join(work, 'sample'));
const grants = join(work, 'sample', 'grants.csv');
const rows = [];
for (let k = 0; k < 4; k++) {
  const who = `"${HOSTILE_ID.replaceAll('"', '""')}-${k}"`;
  for (const e of ['intranet:portal:read', 'okta:sso:user', 'vpn:globalprotect:user', HOSTILE_ENT]) rows.push(`${who},"${e.replaceAll('"', '""')}",2026-10-01`);
}
appendFileSync(grants, rows.join('\n') + '\n');
const s = join(work, 'sample');
cli('mine', grants, '--identities', join(s, 'identities.csv'), '--memberships', join(s, 'memberships.csv'), '--out', join(work, 'out'), '--no-timings', '--export', 'midpoint,sailpoint,scim');
// Two snapshots and their diff.
cli('generate', '--identities', '400', '--seed', '3', '--snapshots', '2', '--out', join(work, 'snaps'));
for (const t of ['t0', 't1']) cli('mine', join(work, 'snaps', t, 'grants.csv'), '--identities', join(work, 'snaps', t, 'identities.csv'), '--out', join(work, t), '--no-timings', '--no-peers');
cli('diff', join(work, 't0'), join(work, 't1'), '--identities-before', join(work, 'snaps', 't0', 'identities.csv'), '--identities-after', join(work, 'snaps', 't1', 'identities.csv'), '--out', join(work, 'diff'));

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const [name, dir] of [['mine', join(work, 'out')], ['diff', join(work, 'diff')]]) {
    const file = join(dir, 'report.html');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const requests = [];
    // Only the report file itself may load; anything else is blocked and recorded.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url === `file://${file}`) return route.continue();
      requests.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    // And every request the page makes at all, whatever route says.
    page.on('request', (r) => r.url() !== `file://${file}` && requests.push(r.url()));
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    const t0 = Date.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('[data-rendered="true"]', { timeout: 30_000 });
    const ms = Date.now() - t0;
    check(requests.length === 0, `${name}: no request leaves the page (${requests.length}: ${requests.slice(0, 3).join(', ')})`);
    check(errors.length === 0, `${name}: no console error (${errors.slice(0, 3).join(' | ')})`);
    console.log(`     ${name}: ${(readFileSync(file).length / 1024).toFixed(0)} KiB, drawn in ${ms} ms`);
    if (name === 'mine') {
      const data = JSON.parse(await page.textContent('#report-data'));
      const seen = await page.evaluate(() => ({
        coverage: document.querySelector('svg[data-chart="coverage"] polyline')?.getAttribute('points')?.split(' ').length ?? 0,
        reasons: document.querySelectorAll('svg[data-chart="reasons"] rect').length,
        apps: document.querySelectorAll('svg[data-chart="applications"] rect').length,
        sizes: document.querySelectorAll('svg[data-chart="sizes"] circle').length,
        outliers: document.querySelectorAll('svg[data-chart="outliers"] rect').length,
        cards: document.querySelectorAll('[data-testid="role-cards"] article').length,
        sections: [...document.querySelectorAll('section')].map((x) => x.id),
        painted: (() => {
          const c = document.querySelector('canvas[data-chart="matrix"]');
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let k = 0; k < px.length; k += 4) if (px[k] !== 255 || px[k + 1] !== 255 || px[k + 2] !== 255) n++;
          return n;
        })(),
        imgs: document.querySelectorAll('img').length,
        scripts: document.querySelectorAll('script').length,
        pwned: window.__pwned ?? null,
      }));
      check(seen.coverage === data.coverageCurve.length, `coverage curve drawn with its ${data.coverageCurve.length} points (${seen.coverage})`);
      check(seen.reasons === data.exceptionsByReason.length && seen.reasons > 3, `exceptions by reason: one bar per reason (${seen.reasons})`);
      check(seen.apps === data.exceptionsByApp.length && seen.apps > 3, `exceptions by application drawn (${seen.apps})`);
      check(seen.sizes === data.roles.length, `role sizes: one dot per role (${seen.sizes} of ${data.roles.length})`);
      check(seen.outliers === 20, `outlier histogram: 20 bins (${seen.outliers})`);
      check(seen.painted > 1000, `the matrix is painted (${seen.painted} coloured pixels)`);
      check(seen.cards === Math.min(30, data.roles.length), `the first role cards are shown (${seen.cards})`);
      check(['headline', 'charts', 'matrix', 'roles', 'outliers', 'review', 'quality', 'method'].every((x) => seen.sections.includes(x)), `every section is there (${seen.sections.join(', ')})`);
      check(seen.imgs === 0 && seen.scripts === 2 && seen.pwned === null, `hostile names made no element and ran nothing (img ${seen.imgs}, scripts ${seen.scripts}, pwned ${seen.pwned})`);
      await page.screenshot({ path: join(shots, '2026-12-02-report-top.png') });
      await (await page.$('#charts')).screenshot({ path: join(shots, '2026-12-02-report-charts.png') });
      await (await page.$('#matrix')).screenshot({ path: join(shots, '2026-12-02-report-matrix.png') });
      // Search by a hostile member name: its role's card, the name shown as text.
      await page.fill('[data-testid="role-search"]', 'onerror');
      const found = await page.evaluate(() => [...document.querySelectorAll('[data-testid="role-cards"] article')].map((a) => a.textContent));
      check(found.length >= 1 && found.every((t) => t.includes('onerror')) && found.some((t) => t.includes('<img src=x onerror="window.__pwned=1">-0')), `the role search finds the hostile members' role, names as text (${found.length} cards)`);
      const hostileEnt = await page.evaluate((e) => [...document.querySelectorAll('li')].some((li) => li.textContent === e), HOSTILE_ENT);
      check(hostileEnt, 'the hostile entitlement is listed as text');
      await (await page.$('#roles')).screenshot({ path: join(shots, '2026-12-02-report-search.png') });
      // Sorting by members puts the largest role first.
      await page.fill('[data-testid="role-search"]', '');
      await page.selectOption('[data-testid="role-sort"]', 'members');
      const first = await page.textContent('[data-testid="role-cards"] article h3');
      const largest = [...data.roles].sort((a, b) => b.members - a.members)[0];
      check(first.startsWith(largest.id), `sort by members: ${largest.id} first (${first})`);
    } else {
      const seen = await page.evaluate(() => ({ sections: [...document.querySelectorAll('section')].map((x) => x.id), remediation: document.querySelectorAll('[data-testid="remediation"] tbody tr').length }));
      const rem = readFileSync(join(dir, 'remediation.csv'), 'utf8').trim().split('\n').length - 1;
      check(['changes', 'remediation', 'review', 'method'].every((x) => seen.sections.includes(x)), `diff: its sections are there (${seen.sections.join(', ')})`);
      check(seen.remediation === Math.min(rem, 500), `diff: the remediation list (${seen.remediation} of ${rem})`);
      await page.screenshot({ path: join(shots, '2026-12-02-report-diff.png'), fullPage: false });
    }
    await context.close();
  }
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('report.html: all checks passed');
