/**
 * The one typed boundary to the AssemblyScript core (assembly/index.ts). This module is the only
 * code that touches wasm memory. Integers cross the boundary; bulk data is copied into and out of
 * linear memory once. Views on memory go stale when it grows, so they are always derived through
 * `u32View()` at the moment of use, never cached.
 */

/** Raw exports of build/rolemill.wasm. */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  inputBuffer(n: number): number;
  inputColsPtr(): number;
  load(identities: number, entitlements: number, n: number): number;
  mine(objective: number, nodeBudget: number): number;
  analyze(): number;
  seedBuffer(n: number): number;
  mineApprox(minMembers: number, minEntitlements: number, coverage: number, maxRoles: number, birthrightShare: number, support: number, exceptionCost: number, tolerance: number, significance: number): number;
  reasons(): number;
  matrixArray(k: number): number;
  matrixArrayLength(k: number): number;
  prefillBuffer(n: number): number;
  approxCached(support: number): number;
  approxPrefill(support: number): number;
  verify(): number;
  resultPtr(which: number): number;
  resultLen(which: number): number;
  stat(which: number): number;
  reset(): void;
  setComponentByteLimit(mb: number): void;
  benchBuffer(words: number): number;
  benchSecond(): number;
  benchAndPopcount(words: number): number;
  benchAndPopcountScalar(words: number): number;
}

/** The core's builds, all from one source: SIMD (-O3), plain (-O3, no SIMD) and debug (assertions). */
export type CoreBuild = 'simd' | 'plain' | 'debug';
export const CORE_FILES: Record<CoreBuild, string> = {
  simd: 'rolemill.wasm',
  plain: 'rolemill.plain.wasm',
  debug: 'rolemill.debug.wasm',
};

/** Status codes. MUST match assembly/status.ts. */
export const STATUS = { OK: 0, ERR_STATE: 1, ERR_RANGE: 2, ERR_TOO_LARGE: 3, ERR_ABORTED: 4 } as const;

/** Progress phases by index. MUST match PHASE_* in assembly/status.ts. */
export const PHASES = ['load', 'reduce', 'mine', 'verify'] as const;
export type Phase = (typeof PHASES)[number];

/** Result buffer indices. MUST match resultArray() in assembly/index.ts. */
export const RESULT = {
  ROLE_ENT_OFF: 0,
  ROLE_ENT: 1,
  ROLE_ID_OFF: 2,
  ROLE_ID: 3,
  MISS_ID: 4,
  MISS_ENT: 5,
  OVER_ID: 6,
  OVER_ENT: 7,
  ROLE_KIND: 8,
  MISS_REASON: 9,
  ROLE_ORIGIN: 10,
} as const;

/** Stat indices. MUST match S_* in assembly/index.ts. */
export const STAT = {
  IDENTITIES: 0,
  ENTITLEMENTS: 1,
  GRANTS: 2,
  DUPLICATES: 3,
  ID_CLASSES: 4,
  ENT_CLASSES: 5,
  COMPONENTS: 6,
  ROLES: 7,
  LOWER_BOUND: 8,
  PROVEN: 9,
  KERNEL_GRANTS: 10,
  KERNEL_COMPONENTS: 11,
  LARGEST_KERNEL: 12,
  NODES: 13,
  UA: 14,
  PA: 15,
  UNDER: 16,
  OVER: 17,
  REDUCED_GRANTS: 18,
  ROUNDS: 19,
  LARGEST_COMPONENT_BYTES: 20,
  LARGEST_COMPONENT_ROWS: 21,
  LARGEST_COMPONENT_COLS: 22,
  CANDIDATES: 23,
  EVALUATIONS: 24,
} as const;

/** The host side of the core's one import. Return true to ask the core to stop. */
export type ProgressImport = (phase: number, fraction: number) => boolean;

/** A core instance: its exports plus the slot the progress import forwards to. */
export class Core {
  /** Set by the engine around each call; the import forwards here. */
  onProgress: ProgressImport = () => false;
  private constructor(
    readonly x: CoreExports,
    readonly module: WebAssembly.Module,
  ) {}

  static async instantiate(module: WebAssembly.Module): Promise<Core> {
    return Core.instantiateSync(module);
  }

  /**
   * Synchronous instantiation (the module is small, ~60 KB, under browsers' main-thread limit):
   * lets an engine replace a core whose state an exception left inconsistent, without going async.
   */
  static instantiateSync(module: WebAssembly.Module): Core {
    let core: Core | undefined;
    const imports = {
      env: {
        progress: (phase: number, fraction: number): number => (core!.onProgress(phase, fraction) ? 1 : 0),
        abort: (msg: number, file: number, line: number, col: number): never => {
          const text = (p: number) => (core ? core.string(p) : '');
          throw new Error(`rolemill core: ${text(msg) || 'internal error'} (${text(file) || 'core'}:${line}:${col})`);
        },
      },
    };
    const instance = new WebAssembly.Instance(module, imports);
    core = new Core(instance.exports as unknown as CoreExports, module);
    return core;
  }

  /** A fresh Uint32Array view over `len` u32 at byte address `ptr` (never cache it). */
  u32View(ptr: number, len: number): Uint32Array {
    return new Uint32Array(this.x.memory.buffer, ptr, len);
  }

  /** Reads an AssemblyScript string (UTF-16, byte length stored before it); '' for null. */
  string(ptr: number): string {
    if (!ptr) return '';
    const bytes = new Uint32Array(this.x.memory.buffer, ptr - 4, 1)[0]!;
    return String.fromCharCode(...new Uint16Array(this.x.memory.buffer, ptr, Math.min(bytes >>> 1, 1000)));
  }

  /** Copies result buffer `which` out of wasm memory. */
  result(which: number): Uint32Array {
    const len = this.x.resultLen(which);
    return this.u32View(this.x.resultPtr(which), len).slice();
  }
}
