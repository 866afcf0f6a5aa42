// Bundles the web demo and its worker with esbuild (vitest's own dependency). Output goes to
// web-demo/dist/, beside which ../../build/*.wasm resolves to the repo's build/ folder when the repo
// root is served.
//
// The worker runs the governed pipeline (src/pipeline/mine.ts), whose identities reader also
// reads by path in Node through a dynamic import of src/ingest/input-file.ts (node:fs). With code
// splitting that import stays a chunk of its own, loaded only if called (never, in a browser),
// and node:* stays external: the worker bundle itself has no Node import.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('web-demo/dist', { recursive: true, force: true }); // no stale chunks from an earlier build

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['web-demo/main.ts'], outfile: 'web-demo/dist/main.js' });
await build({ ...common, entryPoints: ['src/engine/worker-browser.ts'], outdir: 'web-demo/dist', splitting: true, external: ['node:*'], chunkNames: 'chunk-[hash]' });
await build({ ...common, entryPoints: ['src/engine/pool-worker-browser.ts'], outfile: 'web-demo/dist/pool-worker-browser.js' });
