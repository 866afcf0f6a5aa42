// Entry of the mining pool's kernel module (build/rolemill.pool.wasm): one instance per worker
// thread, all importing one shared WebAssembly.Memory that holds the matrix (see
// src/engine/pool.ts). It exports only the allocation-free kernels of kernels.ts, the same code the
// engine runs itself. Its build (asconfig.json, target `pool`) has no garbage collector
// (`--runtime stub`: nothing here allocates) and no static data, so instantiating it writes
// nothing to the shared memory.

export { closure, holders } from './kernels';
