// Serves the built browser app (web-demo/dist, `npm run build:web`) on 127.0.0.1, for this machine
// only: `npm run web` builds it and runs this. The page is cross-origin isolated
// (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp), so the
// engine's worker may use shared memory for its mining pool. Only files inside the folder are
// served, with their content types (application/wasm for the engine).
//
//   node web-demo/serve.mjs [--port N] [DIR]     (default port 8080, 0 for any free one)
//
// test/browser/smoke.mjs imports siteServer() to serve the same folder the same way.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** An http server for the static site in `dir` (not yet listening). */
export function siteServer(dir) {
  const root = resolve(dir);
  return createServer(async (req, res) => {
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' };
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, headers).end();
    let path;
    try {
      const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      path = resolve(join(root, p.endsWith('/') ? `${p}index.html` : p));
    } catch {
      return void res.writeHead(400, headers).end();
    }
    if (path !== root && !path.startsWith(root + sep)) return void res.writeHead(403, headers).end();
    try {
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path);
      res.writeHead(200, { ...headers, 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--port');
  const port = at >= 0 ? Number(args[at + 1]) : 8080;
  if (at >= 0) args.splice(at, 2);
  const dir = args[0] ?? fileURLToPath(new URL('./dist/', import.meta.url));
  try {
    await stat(join(dir, 'index.html'));
  } catch {
    console.error(`web-demo/serve.mjs: ${join(dir, 'index.html')} is missing: run npm run build:web first`);
    process.exit(2);
  }
  const server = siteServer(dir);
  server.on('error', (e) => {
    console.error(`web-demo/serve.mjs: ${e.message}`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`rolemill app: http://127.0.0.1:${server.address().port}/ (serving ${resolve(dir)}; this machine only; Ctrl-C to stop)`);
  });
}
