/**
 * MinHash signatures of the peer analysis' identity classes, computed by the SIMD kernel of
 * assembly/minhash.ts (four hash functions per instruction): 7 to 10 times the plain JavaScript
 * loop it replaces, with the same values (450,000 identities, 309,713 classes, 64 hashes: 1.2 to
 * 1.6 s in JavaScript, about 0.2 s here).
 *
 * The kernel module is a few hundred bytes embedded as base64 (src/analysis/minhash-kernel.ts), so
 * it compiles synchronously wherever `peerGroups` runs (Node, a browser worker or page). Its memory
 * is this module's own, one per call, and bounded whatever the input: the classes' rows go through
 * it in chunks of at most CHUNK_CLASSES classes and about CHUNK_ENTS entitlements (one longer row
 * has a chunk of its own), and each chunk's signatures are copied out into the result.
 */
import { MINHASH_WASM } from './minhash-kernel.js';

interface MinhashExports {
  minhashSignatures(n: number, K: number, offP: number, entsP: number, aP: number, bP: number, sigP: number): void;
}

const CHUNK_CLASSES = 8192;
const CHUNK_ENTS = 1 << 18;
const PAGE = 65536;

let kernel: WebAssembly.Module | null = null;
function kernelModule(): WebAssembly.Module {
  if (!kernel) {
    const text = atob(MINHASH_WASM);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    kernel = new WebAssembly.Module(bytes);
  }
  return kernel;
}

/**
 * sig[c * K + k] = min over the entitlements e of class c's row of fmix32(a[k] * e + b[k]) (u32,
 * 32-bit wrapping; 0xffffffff for an empty row), where class c's row is
 * ents[start[rep[c]] .. start[rep[c] + 1]). K = a.length = b.length, any length.
 */
export function minhashSignatures(C: number, start: Uint32Array, ents: Uint32Array, rep: Uint32Array, a: Uint32Array, b: Uint32Array): Uint32Array {
  const K = a.length;
  const sig = new Uint32Array(C * K);
  if (C === 0 || K === 0) return sig;
  // The kernel takes four hashes at a time: K is padded to a multiple of 4 with hashes whose
  // values are computed and dropped.
  const K4 = Math.ceil(K / 4) * 4;
  let rowsMax = 0;
  for (let c = 0; c < C; c++) rowsMax = Math.max(rowsMax, start[rep[c]! + 1]! - start[rep[c]!]!);
  const entsCap = Math.max(CHUNK_ENTS, rowsMax);
  const align = (x: number) => Math.ceil(x / 16) * 16;
  const aP = 64;
  const bP = aP + align(K4 * 4);
  const offP = bP + align(K4 * 4);
  const entsP = offP + align((CHUNK_CLASSES + 1) * 4);
  const sigP = entsP + align(entsCap * 4);
  const bytes = sigP + CHUNK_CLASSES * K4 * 4;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE), maximum: 65536 });
  const { minhashSignatures: run } = new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as MinhashExports;
  const u32 = new Uint32Array(memory.buffer);
  u32.set(a, aP / 4);
  u32.set(b, bP / 4);
  const off = u32.subarray(offP / 4, offP / 4 + CHUNK_CLASSES + 1);
  for (let c0 = 0; c0 < C; ) {
    // A chunk: classes c0 .. c1 whose rows fit, at least one.
    let c1 = c0;
    let w = 0;
    off[0] = 0;
    while (c1 < C && c1 - c0 < CHUNK_CLASSES) {
      const s = start[rep[c1]!]!, t = start[rep[c1]! + 1]!;
      if (c1 > c0 && w + (t - s) > entsCap) break;
      for (let j = s, at = entsP / 4 + w; j < t; j++, at++) u32[at] = ents[j]!;
      w += t - s;
      off[++c1 - c0] = w;
    }
    run(c1 - c0, K4, offP, entsP, aP, bP, sigP);
    const out = u32.subarray(sigP / 4, sigP / 4 + (c1 - c0) * K4);
    if (K4 === K) sig.set(out, c0 * K);
    else for (let c = c0; c < c1; c++) sig.set(out.subarray((c - c0) * K4, (c - c0) * K4 + K), c * K);
    c0 = c1;
  }
  return sig;
}
