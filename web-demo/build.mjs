// Builds the browser app into web-demo/dist/: a self-contained static site (index.html, the page's
// bundle and its output worker, the engine's worker and pool-thread bundles, and the engine's
// WebAssembly in build/),
// with relative URLs only, so that any static server can serve that folder as it is (`npm run
// web` serves it with the headers the mining pool needs). esbuild is a devDependency (vitest uses
// the same one). `npm run build:web` runs this; it needs no `tsc` (esbuild reads src/ directly).
//
// The engine fetches its wasm with new URL('../../build/<file>.wasm', import.meta.url)
// (src/engine/wasm-browser.ts, src/engine/pool-browser.ts): right for dist/ inside the repo, not
// for a site of its own. The plugin below rewrites that one prefix to './build/' in those two
// files as they are bundled, and the wasm files are copied beside the bundles.
//
// Parquet: the engine's worker imports parquet-wasm's ESM build on its first Parquet file
// (src/engine/worker-browser.ts; a dynamic import, so a chunk of its own that a page without
// Parquet never loads). Its init fetches new URL('parquet_wasm_bg.wasm', import.meta.url), beside
// its own module in node_modules; the plugin rewrites that to './build/parquet_wasm_bg.wasm' (the
// chunk lands beside the worker's bundle) and the wasm is copied into build/ with the engine's.
//
// The worker runs the governed pipeline (src/pipeline/mine.ts) on platform-neutral readers (the
// path readers live in src/ingest/node.ts, which a browser entry never imports). Code splitting
// and node:* kept external stay as a guard: should a Node-only import creep in, it lands in a
// chunk of its own that a browser never loads, instead of breaking the bundle.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeRenderSource } from '../src/report/gen-source.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = join(root, 'web-demo/dist');
// The core builds the browser engine may load (CORE_FILES in src/engine/abi.ts: simd, plain,
// debug) and the mining pool's kernel module (src/engine/pool-browser.ts).
const WASM = ['rolemill.wasm', 'rolemill.plain.wasm', 'rolemill.debug.wasm', 'rolemill.pool.wasm'];
// parquet-wasm's ESM build's wasm, fetched by the worker on its first Parquet file.
const PARQUET_WASM = 'node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm';

rmSync(out, { recursive: true, force: true }); // no stale chunks from an earlier build
writeRenderSource(); // the report renderer's text (generated, git-ignored) the page's report.html carries

/** Whether parquet-wasm's wasm URL was rewritten (the worker's bundle must include it). */
let parquetRewritten = false;
/** Points the engine's wasm URLs, and parquet-wasm's, at the site's own build/ folder. */
const siteWasm = {
  name: 'site-wasm',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]engine[\\/](wasm-browser|pool-browser)\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replaceAll("'../../build/", "'./build/").replaceAll('`../../build/', '`./build/');
      if (contents === source || contents.includes('../../build/')) throw new Error(`${basename(args.path)}: expected the wasm URL '../../build/...' to rewrite`);
      return { contents, loader: 'ts' };
    });
    b.onLoad({ filter: /[\\/]node_modules[\\/]parquet-wasm[\\/]esm[\\/]parquet_wasm\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const from = "new URL('parquet_wasm_bg.wasm', import.meta.url)";
      const contents = source.replaceAll(from, "new URL('./build/parquet_wasm_bg.wasm', import.meta.url)");
      if (contents === source || contents.includes(from)) throw new Error(`parquet-wasm ${basename(args.path)}: expected its wasm URL ${from} to rewrite`);
      parquetRewritten = true;
      return { contents, loader: 'js' };
    });
  },
};

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning', plugins: [siteWasm] };
await build({ ...common, entryPoints: ['web-demo/main.ts'], outfile: join(out, 'main.js') });
// The page's own worker that makes the output folder's files and the report's data (web-demo/output-worker.ts).
await build({ ...common, entryPoints: ['web-demo/output-worker.ts'], outfile: join(out, 'output-worker.js') });
await build({ ...common, entryPoints: ['src/engine/worker-browser.ts'], outdir: out, splitting: true, external: ['node:*'], chunkNames: 'chunk-[hash]' });
if (!parquetRewritten) throw new Error("src/engine/worker-browser.ts: expected its bundle to import parquet-wasm's ESM build (node_modules/parquet-wasm/esm/parquet_wasm.js) and its wasm URL to rewrite");
await build({ ...common, entryPoints: ['src/engine/pool-worker-browser.ts'], outfile: join(out, 'pool-worker-browser.js') });
await build({ ...common, entryPoints: ['src/analysis/peers-worker-browser.ts'], outfile: join(out, 'peers-worker-browser.js') });

mkdirSync(join(out, 'build'));
for (const f of WASM) copyFileSync(join(root, 'build', f), join(out, 'build', f));
copyFileSync(join(root, PARQUET_WASM), join(out, 'build', basename(PARQUET_WASM)));
// The page, loading the bundle beside it (web-demo/index.html loads ./dist/main.js, so that it
// also works where the repo itself is served).
const html = readFileSync(join(root, 'web-demo/index.html'), 'utf8');
if (!html.includes('src="./dist/main.js"')) throw new Error('web-demo/index.html: expected <script src="./dist/main.js">');
writeFileSync(join(out, 'index.html'), html.replace('src="./dist/main.js"', 'src="./main.js"'));
