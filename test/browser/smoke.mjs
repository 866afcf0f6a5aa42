// Browser smoke test (not part of `npm test`, which must run without a browser): serves the repo,
// opens the web demo in headless Chromium, mines an HP dataset through the Web Worker engine and
// checks the proven minimum. Needs Debian's chromium (apt-get install chromium) and
// `node web-demo/build.mjs`. Run: node test/browser/smoke.mjs
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };
const server = createServer(async (req, res) => {
  const path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (!path.startsWith(root)) return void res.writeHead(403).end();
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
let failed = false;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${port}/web-demo/index.html`);
  const cases = [['healthcare', 14], ['americas_small', 178]];
  for (const [name, min] of cases) {
    const text = await readFile(join(root, `../shared/datasets/hp/${name}.txt`));
    await page.setInputFiles('#file', { name: `${name}.txt`, mimeType: 'text/plain', buffer: text });
    await page.waitForFunction(() => /roles|error/.test(document.getElementById('status').textContent ?? '') && document.getElementById('summary').textContent !== '', null, { timeout: 60_000 });
    const summary = JSON.parse(await page.textContent('#summary'));
    const ok = summary.model.roles === min && summary.model.exact && summary.model.optimalityProven;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${summary.model.roles} roles (minimum ${min}), exact ${summary.model.exact}`);
    failed ||= !ok;
    await page.evaluate(() => (document.getElementById('summary').textContent = ''));
  }
} finally {
  await browser.close();
  server.close();
}
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
