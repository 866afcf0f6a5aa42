// Loads the compiled core in a browser (streaming compile, cached per realm). Browsers without
// WebAssembly SIMD get the plain build.
import { CORE_FILES, type CoreBuild } from './abi.js';

const cache = new Map<CoreBuild, Promise<WebAssembly.Module>>();

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);

export function loadCoreModule(build?: CoreBuild): Promise<WebAssembly.Module> {
  const b: CoreBuild = build ?? (WebAssembly.validate(SIMD_PROBE) ? 'simd' : 'plain');
  let m = cache.get(b);
  if (!m) {
    m = WebAssembly.compileStreaming(fetch(new URL(`../../build/${CORE_FILES[b]}`, import.meta.url)));
    cache.set(b, m);
  }
  return m;
}
