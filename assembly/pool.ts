// Entry of the mining pool's kernel module (build/rolemill.pool.wasm): one instance per worker
// thread, all importing one shared WebAssembly.Memory that holds the matrix (see
// src/engine/pool-node.ts). It exports only allocation-free kernels (kernels.ts) and is built with
// the stub runtime and no static data, so instantiating it writes nothing to the shared memory.

export { closure, holders } from './kernels';
