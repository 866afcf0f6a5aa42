// Loads the compiled core in Node (each build compiled once per process and cached).
import { readFile } from 'node:fs/promises';
import { CORE_FILES, type CoreBuild } from './abi.js';

const cache = new Map<CoreBuild, Promise<WebAssembly.Module>>();

export function loadCoreModule(build: CoreBuild = 'simd'): Promise<WebAssembly.Module> {
  let m = cache.get(build);
  if (!m) {
    m = readFile(new URL(`../../build/${CORE_FILES[build]}`, import.meta.url)).then((bytes) => WebAssembly.compile(bytes));
    cache.set(build, m);
  }
  return m;
}
