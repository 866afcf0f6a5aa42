// Bundles the web demo and its worker with esbuild (vitest's own dependency). Output goes to
// web-demo/dist/, beside which ../../build/*.wasm resolves to the repo's build/ folder when the repo
// root is served.
import { build } from 'esbuild';

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['web-demo/main.ts'], outfile: 'web-demo/dist/main.js' });
await build({ ...common, entryPoints: ['src/engine/worker-browser.ts'], outfile: 'web-demo/dist/worker-browser.js' });
await build({ ...common, entryPoints: ['src/engine/pool-worker-browser.ts'], outfile: 'web-demo/dist/pool-worker-browser.js' });
