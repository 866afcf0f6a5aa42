// Bundles the web demo and its worker with esbuild (a devDependency; vitest uses the same one).
// Output goes to web-demo/dist/, beside which ../../build/*.wasm resolves to the repo's build/
// folder when the repo root is served.
//
// The worker runs the governed pipeline (src/pipeline/mine.ts) on platform-neutral readers (the
// path readers live in src/ingest/node.ts, which a browser entry never imports). Code splitting
// and node:* kept external stay as a guard: should a Node-only import creep in, it lands in a
// chunk of its own that a browser never loads, instead of breaking the bundle.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('web-demo/dist', { recursive: true, force: true }); // no stale chunks from an earlier build

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['web-demo/main.ts'], outfile: 'web-demo/dist/main.js' });
await build({ ...common, entryPoints: ['src/engine/worker-browser.ts'], outdir: 'web-demo/dist', splitting: true, external: ['node:*'], chunkNames: 'chunk-[hash]' });
await build({ ...common, entryPoints: ['src/engine/pool-worker-browser.ts'], outfile: 'web-demo/dist/pool-worker-browser.js' });
