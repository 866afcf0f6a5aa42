/**
 * The synchronous in-process engine. `mine()` runs the whole pipeline on the calling thread:
 * copy grant ids into the core, sort and deduplicate, reduce, mine, verify, copy the model out.
 * The worker engine (worker-engine.ts) exposes the same method names returning promises.
 */
import { Core, PHASES, RESULT, STAT, STATUS, type CoreBuild, type CoreExports } from './abi.js';
import { AbortError, CoreError, UsageError } from '../errors.js';
import type { Grants, MineOptions, SeedRoles } from '../types.js';
import { sortRoles, type RoleModel, type Summary } from '../model/model.js';
import { countReasons } from '../model/tables.js';
import { POOL_MIN_GRANTS, type PoolFactory } from './pool.js';
import { componentsOf, mergeRoles, mergeStats, threadsWithin } from './exact-parts.js';

/**
 * Exact mining goes to the pool from this many grants (with the default worker count), and only
 * when at least EXACT_POOL_MIN_SPLIT of them lie outside the largest component: below, the threads'
 * start and the copies cost about what they save (bench/results/*-exact-pool.md).
 */
export const EXACT_POOL_MIN_GRANTS = 200_000;
export const EXACT_POOL_MIN_SPLIT = 100_000;

/**
 * Default branch-and-bound budget per kernel component, in vertex scans (deterministic, unlike a
 * time limit): about 0.3 s here. Past it the best cover found is kept and optimality is not claimed.
 */
export const DEFAULT_NODE_BUDGET = 100_000_000;

/** Default of `componentLimitMiB` (the core's own default, assembly/index.ts componentByteLimit). */
export const DEFAULT_COMPONENT_LIMIT_MIB = 1536;

export interface EngineOptions {
  /** Which build of the core to run (default: SIMD where supported). */
  build?: CoreBuild;
  /** Largest bitset memory (MiB) the exact solver may use for one component. Default 1536. */
  componentLimitMiB?: number;
  /**
   * Most WebAssembly memory (MiB) a job may need (default 4096, wasm32's ceiling). A job whose
   * estimate (`estimateMemory`) is over it fails before loading, with advice, instead of running
   * the process or the browser tab out of memory halfway.
   */
  memoryLimitMiB?: number;
  /** Branch-and-bound work (vertex scans) per kernel component before settling for the best cover. */
  nodeBudget?: number;
  /**
   * Threads for approx mining's candidate phase (closures and their holders; see pool.ts) and for
   * exact mining's connected components (exact-parts.ts). Default: the available cores for approx
   * mining, used from POOL_MIN_GRANTS grants up; one fewer for exact mining, used from
   * EXACT_POOL_MIN_GRANTS with EXACT_POOL_MIN_SPLIT outside the largest component; 1 mines on the
   * calling thread only. Where the platform has no pool (a browser page that is not cross-origin
   * isolated, or the page's main thread) mining uses the calling thread. The model is
   * byte-identical whatever the number.
   */
  workers?: number;
}

/** What a platform entry gives the engine for parallel work (Node: worker_threads). */
export interface EnginePlatform {
  pool: PoolFactory;
  /** Available cores: the default number of workers. */
  cores: number;
}

/** What both engines offer; the worker engine's methods return promises of the same. */
export interface Engine {
  /** Mines an exact role model of the grants and verifies it against them. */
  mine(grants: Grants, options?: MineOptions): RoleModel;
  /** Loads and reduces the grants without mining: sizes, twin classes, components, memory needs. */
  analyze(grants: Grants, options?: Pick<MineOptions, 'onProgress' | 'signal'>): MatrixStats;
  /**
   * Loads the grants and keeps them for `remine` (until the next load, mine, analyze or unload):
   * for a role engineer moving a knob, mining again skips reading, loading and, in approx mode,
   * the candidate closures and their holders, which stay cached for the same `support`.
   */
  load(grants: Grants, options?: Pick<MineOptions, 'onProgress' | 'signal'>): LoadStats;
  /** Mines the loaded grants again with these options: the same model `mine(grants, options)` gives. UsageError when nothing is loaded. */
  remine(options?: MineOptions): RoleModel;
  /** Drops the loaded grants and their caches. */
  unload(): void;
  /** Frees the core's memory. The engine cannot be used afterwards. */
  dispose(): void;
}

/** What `load` reports. */
export interface LoadStats {
  rows: number;
  identities: number;
  entitlements: number;
  grants: number;
  duplicatesDropped: number;
  wasmMemoryBytes: number;
  timings: Record<string, number>;
}

/** The sizes every load reports: rows read, and identities, entitlements, grants and duplicates as loaded. */
function loadSizes(x: CoreExports, rows: number): Pick<LoadStats, 'rows' | 'identities' | 'entitlements' | 'grants' | 'duplicatesDropped'> {
  return {
    rows,
    identities: x.stat(STAT.IDENTITIES),
    entitlements: x.stat(STAT.ENTITLEMENTS),
    grants: x.stat(STAT.GRANTS),
    duplicatesDropped: x.stat(STAT.DUPLICATES),
  };
}

/** The grants a loaded matrix came from, without their id arrays (the core holds those). */
type GrantsMeta = Omit<Grants, 'identity' | 'entitlement'>;

/** What `analyze` reports. */
export interface MatrixStats {
  rows: number;
  identities: number;
  entitlements: number;
  grants: number;
  duplicatesDropped: number;
  identityClasses: number;
  entitlementClasses: number;
  reducedGrants: number;
  components: number;
  /** The component needing the most bitset memory for exact mining, and that memory in bytes. */
  largestComponent: { identityClasses: number; entitlementClasses: number; exactBitsetBytes: number };
  /** Bytes of WebAssembly memory in use after the reductions (memory never shrinks). */
  wasmMemoryBytes: number;
  timings: Record<string, number>;
}

export class SyncEngine implements Engine {
  private core: Core | null;
  private readonly nodeBudget: number;
  private loaded: GrantsMeta | null = null;
  private readonly memoryLimitBytes: number;
  private readonly workers: number | undefined;
  private readonly componentLimitMiB: number | undefined;

  constructor(
    core: Core,
    options: EngineOptions = {},
    private readonly platform: EnginePlatform | null = null,
  ) {
    this.core = core;
    const w = options.workers;
    if (w !== undefined && !(Number.isInteger(w) && w >= 1 && w <= 256)) throw new UsageError(`rolemill: workers must be an integer from 1 to 256, got ${w}`);
    this.workers = w;
    this.nodeBudget = options.nodeBudget ?? DEFAULT_NODE_BUDGET;
    this.componentLimitMiB = options.componentLimitMiB;
    if (options.componentLimitMiB !== undefined) core.x.setComponentByteLimit(options.componentLimitMiB);
    const limit = options.memoryLimitMiB ?? 4096;
    if (!(Number.isFinite(limit) && limit > 0)) throw new UsageError(`rolemill: memoryLimitMiB must be a positive number, got ${limit}`);
    this.memoryLimitBytes = limit * 2 ** 20;
  }

  mine(grants: Grants, options: MineOptions = {}): RoleModel {
    return this.mineWith(grants, options);
  }

  remine(options: MineOptions = {}): RoleModel {
    if (!this.loaded) throw new UsageError('rolemill: nothing is loaded to mine again: call load(grants) first');
    return this.mineWith(null, options);
  }

  load(grants: Grants, options: Pick<MineOptions, 'onProgress' | 'signal'> = {}): LoadStats {
    const stats = this.run(grants, options, (x, timings) => {
      timings.close();
      return { ...loadSizes(x, grants.rows), wasmMemoryBytes: x.memory.buffer.byteLength, timings: timings.result() };
    }, true);
    const { identity: _i, entitlement: _e, ...meta } = grants;
    this.loaded = meta;
    return stats;
  }

  unload(): void {
    this.loaded = null;
    this.core?.x.reset();
  }

  /** mine() on `grants`, or remine() on the loaded grants (grants null: kept loaded afterwards). */
  private mineWith(given: Grants | null, options: MineOptions): RoleModel {
    const grants: GrantsMeta = given ?? this.loaded!;
    const mode = options.mode ?? 'approx';
    if (mode !== 'exact' && mode !== 'approx') throw new UsageError(`rolemill: unknown mode '${String(mode)}' (expected: approx, exact)`);
    const objective = options.objective ?? 'roles';
    if (objective !== 'roles' && objective !== 'wsc') {
      throw new UsageError(`rolemill: unknown objective '${String(objective)}' (expected: roles, wsc)`);
    }
    const knobs = {
      minMembers: options.minMembers ?? 3,
      minEntitlements: options.minEntitlements ?? 1,
      coverage: options.coverage ?? 1,
      maxRoles: options.maxRoles ?? 0,
      birthright: options.birthright ?? 0.9,
      support: options.support ?? 0.8,
      exceptionCost: options.exceptionCost ?? 1,
      tolerance: options.tolerance ?? 'auto',
      significance: options.significance ?? 0.01,
    };
    if (mode === 'approx') checkKnobs(knobs);
    const seeds = options.seedRoles;
    if (seeds !== undefined) {
      if (mode !== 'approx') throw new UsageError('rolemill: seed roles (attribute-driven mining) need --mode approx');
      checkSeeds(seeds, grants.identities.length, grants.entitlements.length);
    }
    const preferred = options.preferredRoles ?? [];
    if (preferred.length && mode !== 'approx') throw new UsageError('rolemill: preferred roles need --mode approx');
    for (const p of preferred) for (let k = 0; k < p.length; k++) if (p[k]! >= grants.entitlements.length || (k > 0 && p[k]! <= p[k - 1]!)) throw new UsageError('rolemill: preferred roles: entitlement ids must be ascending, distinct and in range');
    return this.run(given, options, (x, timings) => {
      if (seeds || preferred.length) this.writeSeeds(withPreferred(seeds ?? EMPTY_SEEDS, preferred));
      // On the pool, each component's model was verified against its grants by the thread that mined it.
      const merged = mode === 'exact' ? this.exactOnPool(x, objective === 'wsc' ? 1 : 0, timings) : null;
      if (!merged) {
        if (mode === 'exact') this.check(x.mine(objective === 'wsc' ? 1 : 0, this.nodeBudget));
        else {
          const pool = this.prefillCandidates(x, knobs);
          if (pool > 0) timings.note('poolWorkers', pool);
          this.check(x.mineApprox(knobs.minMembers, knobs.minEntitlements, knobs.coverage, knobs.maxRoles, knobs.birthright, knobs.support, knobs.exceptionCost, knobs.tolerance === 'auto' ? -1 : knobs.tolerance, knobs.significance));
        }
        this.check(x.verify());
        this.check(x.reasons());
      }
      timings.close();
      const core = this.core!;
      const stat = merged ? (k: number) => merged.stats[k]! : (k: number) => x.stat(k);
      const none = () => new Uint32Array(0);
      const roles = sortRoles(
        merged
          ? { ...merged.roles, kind: new Uint8Array(merged.roles.count) }
          : {
              count: stat(STAT.ROLES),
              kind: Uint8Array.from(core.result(RESULT.ROLE_KIND)),
              entitlementOffsets: core.result(RESULT.ROLE_ENT_OFF),
              entitlements: core.result(RESULT.ROLE_ENT),
              memberOffsets: core.result(RESULT.ROLE_ID_OFF),
              members: core.result(RESULT.ROLE_ID),
              ...(seeds ? { origin: new Int32Array(core.result(RESULT.ROLE_ORIGIN).buffer) } : {}),
            },
      );
      const exceptions = merged
        ? { identity: none(), entitlement: none(), reason: new Uint8Array(0) }
        : {
            identity: core.result(RESULT.MISS_ID),
            entitlement: core.result(RESULT.MISS_ENT),
            reason: Uint8Array.from(core.result(RESULT.MISS_REASON)),
          };
      const grantsCount = stat(STAT.GRANTS);
      const under = stat(STAT.UNDER);
      const over = stat(STAT.OVER);
      const ua = stat(STAT.UA);
      const pa = stat(STAT.PA);
      const byReason = countReasons(exceptions.reason, over);
      const withRole = new Set(roles.members).size;
      const identities = stat(STAT.IDENTITIES);
      const summary: Summary = {
        input: {
          source: grants.source,
          format: grants.format,
          rows: grants.rows,
          identities,
          entitlements: stat(STAT.ENTITLEMENTS),
          grants: grantsCount,
          duplicatesDropped: stat(STAT.DUPLICATES),
        },
        mining: {
          mode,
          objective,
          identityClasses: stat(STAT.ID_CLASSES),
          entitlementClasses: stat(STAT.ENT_CLASSES),
          reducedGrants: stat(STAT.REDUCED_GRANTS),
          components: stat(STAT.COMPONENTS),
          kernelGrants: stat(STAT.KERNEL_GRANTS),
          kernelComponents: stat(STAT.KERNEL_COMPONENTS),
          largestKernel: stat(STAT.LARGEST_KERNEL),
          searchNodes: stat(STAT.NODES),
          reductionRounds: stat(STAT.ROUNDS),
          ...(mode === 'approx' ? { candidates: stat(STAT.CANDIDATES), evaluations: stat(STAT.EVALUATIONS), knobs } : {}),
        },
        model: {
          roles: roles.count,
          identityRoleAssignments: ua,
          roleEntitlementAssignments: pa,
          wsc: roles.count + ua + pa,
          coverage: grantsCount === 0 ? 1 : (grantsCount - under) / grantsCount,
          unexplainedGrants: under,
          exceptionsByReason: byReason,
          rolesPerIdentity: identities === 0 ? 0 : ua / identities,
          identitiesWithoutRole: identities - withRole,
          birthrightRoles: roles.kind.reduce((n, k) => n + (k === 1 ? 1 : 0), 0),
          underAssigned: under,
          overAssigned: over,
          exact: under === 0 && over === 0,
          roleLowerBound: mode === 'exact' ? stat(STAT.LOWER_BOUND) : 0,
          optimalityProven: mode === 'exact' && stat(STAT.PROVEN) === 1,
        },
        timings: timings.result(),
      };
      return {
        identities: grants.identities,
        entitlements: grants.entitlements,
        roles,
        exceptions,
        overAssignments: merged ? { identity: none(), entitlement: none() } : { identity: core.result(RESULT.OVER_ID), entitlement: core.result(RESULT.OVER_ENT) },
        summary,
      };
    }, given === null);
  }

  analyze(grants: Grants, options: Pick<MineOptions, 'onProgress' | 'signal'> = {}): MatrixStats {
    return this.run(grants, options, (x, timings) => {
      this.check(x.analyze());
      timings.close();
      const stat = (k: number) => x.stat(k);
      return {
        ...loadSizes(x, grants.rows),
        identityClasses: stat(STAT.ID_CLASSES),
        entitlementClasses: stat(STAT.ENT_CLASSES),
        reducedGrants: stat(STAT.REDUCED_GRANTS),
        components: stat(STAT.COMPONENTS),
        largestComponent: {
          identityClasses: stat(STAT.LARGEST_COMPONENT_ROWS),
          entitlementClasses: stat(STAT.LARGEST_COMPONENT_COLS),
          exactBitsetBytes: stat(STAT.LARGEST_COMPONENT_BYTES),
        },
        wasmMemoryBytes: x.memory.buffer.byteLength,
        timings: timings.result(),
      };
    });
  }

  /**
   * Approx mining's candidate phase on the platform's worker pool, when there is one, more than one
   * worker is wanted and the job is big enough (or the worker count was asked for): closures and
   * holders go into the core's cache, where mineApprox finds them. Nothing to do when the cache
   * already holds them (a remine with the same support).
   */
  private prefillCandidates(x: CoreExports, knobs: { support: number; minMembers: number; minEntitlements: number }): number {
    const platform = this.platform;
    const core = this.core!;
    if (!platform) return 0;
    const workers = this.workers ?? platform.cores;
    if (workers <= 1 || x.approxCached(knobs.support) === 1) return 0;
    const grants = x.matrixArrayLength(1);
    if (this.workers === undefined && grants < POOL_MIN_GRANTS) return 0;
    if (core.onProgress(PHASES.indexOf('mine'), 0)) throw new AbortError();
    const view = (k: number) => this.matrixView(x, k);
    const matrix = {
      identities: x.matrixArrayLength(0) - 1,
      entitlements: x.matrixArrayLength(2) - 1,
      mOff: view(0),
      mIdx: view(1),
      tOff: view(2),
      tIdx: view(3),
    };
    const buffer = platform.pool(workers).candidates(matrix, knobs, (f) => core.onProgress(PHASES.indexOf('mine'), f));
    core.u32View(x.prefillBuffer(buffer.length), buffer.length).set(buffer);
    this.check(x.approxPrefill(knobs.support));
    return workers;
  }

  /**
   * Exact mining on the platform's worker pool, component by component (exact-parts.ts), when
   * there is a pool, more than one worker is wanted, the matrix has more than one connected
   * component and enough grants outside the largest one to be worth the threads (or the worker
   * count was asked for). Returns the merged stats and roles, or null to mine in process; the
   * model is the same either way. By default it takes one core fewer than the platform has: the
   * caller's other work (the command line's peer groups run on a thread of their own beside
   * mining) keeps one, and on 2 cores the pool made the command line's exact run slower (1.53 s
   * in process against 1.67 s on 2 workers, bench/results/2026-12-04-exact-pool.md). Fewer
   * threads mine at once when the largest components' bitsets side by side could exceed what one
   * component may take in process (threadsWithin): the pool never multiplies that peak.
   */
  private exactOnPool(x: CoreExports, objective: number, timings: { note(key: string, value: number): void }): { stats: Float64Array; roles: ReturnType<typeof mergeRoles> } | null {
    const platform = this.platform;
    const core = this.core!;
    if (!platform) return null;
    const workers = this.workers ?? platform.cores - 1;
    if (workers <= 1) return null;
    const grants = x.matrixArrayLength(1);
    if (this.workers === undefined && grants < EXACT_POOL_MIN_GRANTS) return null;
    const comps = componentsOf(this.matrixView(x, 0), this.matrixView(x, 1), x.matrixArrayLength(2) - 1);
    if (comps.count < 2) return null;
    let largest = 0;
    for (let c = 0; c < comps.count; c++) largest = Math.max(largest, comps.grantOff[c + 1]! - comps.grantOff[c]!);
    if (this.workers === undefined && grants - largest < EXACT_POOL_MIN_SPLIT) return null;
    const threads = threadsWithin(comps, workers, (this.componentLimitMiB ?? DEFAULT_COMPONENT_LIMIT_MIB) * 2 ** 20);
    if (threads <= 1) return null;
    const mine = PHASES.indexOf('mine');
    if (core.onProgress(mine, 0)) throw new AbortError();
    const pool = platform.pool(threads);
    const parts = pool.exact(comps, { core: core.module, objective, nodeBudget: this.nodeBudget, ...(this.componentLimitMiB !== undefined ? { componentLimitMiB: this.componentLimitMiB } : {}) }, (f) => core.onProgress(mine, f));
    // The first failure in component order: the one mining in process would have stopped at.
    for (const p of parts) {
      if (p.status === STATUS.ERR_TOO_LARGE) throw tooLarge(p.stats[STAT.LARGEST_COMPONENT_BYTES]!);
      if (p.status !== STATUS.OK) this.check(p.status);
    }
    const stats = mergeStats(parts.map((p) => p.stats), (k) => x.stat(k));
    if (stats[STAT.UNDER] !== 0 || stats[STAT.OVER] !== 0) throw new CoreError('rolemill core: a component\'s exact model does not match its grants', STATUS.ERR_STATE);
    timings.note('poolWorkers', threads);
    return { stats, roles: mergeRoles(comps, parts.map((p) => p.roles)) };
  }

  /** Array k of the loaded matrix (0 identities' offsets, 1 their entitlements, 2 entitlements' offsets, 3 their holders), as a view into the core's memory. */
  private matrixView(x: CoreExports, k: number): Uint32Array {
    return this.core!.u32View(x.matrixArray(k), x.matrixArrayLength(k));
  }

  /** Copies seed roles into the core's seed buffer (layout in assembly/index.ts seedBuffer). */
  private writeSeeds(s: SeedRoles): void {
    const core = this.core!;
    const R = s.count;
    const nm = s.members.length;
    const ne = s.entitlements.length;
    const n = 1 + R + 2 * (R + 1) + nm + ne;
    const buf = new Uint32Array(n);
    buf[0] = R;
    buf.set(s.kind, 1);
    buf.set(s.memberOffsets, 1 + R);
    buf.set(s.entitlementOffsets, 2 + 2 * R);
    buf.set(s.members, 3 + 3 * R);
    buf.set(s.entitlements, 3 + 3 * R + nm);
    const ptr = core.x.seedBuffer(n);
    core.u32View(ptr, n).set(buf);
  }

  /**
   * Shared frame of every job: progress and abort wiring, copying grant ids into the core and
   * loading them (none given: the loaded ones), per-phase timings. Leaves the core reset for the
   * next job, unless `keep` (load, remine) and the job ended cleanly.
   */
  private run<T>(
    grants: Grants | null,
    options: Pick<MineOptions, 'onProgress' | 'signal'>,
    job: (x: CoreExports, timings: { close(): void; note(key: string, value: number): void; result(): Record<string, number> }) => T,
    keep = false,
  ): T {
    const core = this.core;
    if (!core) throw new UsageError('rolemill: this engine has been disposed');
    const { signal, onProgress } = options;
    if (signal?.aborted) throw new AbortError();
    const x = core.x;
    const times: Record<string, number> = {};
    let phase = -1;
    let phaseStart = performance.now();
    const close = () => {
      if (phase >= 0) times[PHASES[phase]!] = (times[PHASES[phase]!] ?? 0) + (performance.now() - phaseStart);
      phase = -1;
    };
    // Within a phase the reported fraction never goes back: the mining pool reports the candidate
    // phase, then the core's own pass over the (now cached) candidates reports the same span again.
    let reported = 0;
    core.onProgress = (p, fraction) => {
      if (p !== phase) {
        close();
        phase = p;
        phaseStart = performance.now();
        reported = 0;
      }
      if (fraction >= 0) {
        reported = Math.max(reported, Math.min(1, fraction));
        onProgress?.(PHASES[p] ?? 'mine', reported);
      }
      return signal?.aborted ?? false;
    };
    const notes: Record<string, number> = {};
    const timings = {
      close,
      note: (key: string, value: number) => void (notes[key] = value),
      result: () => ({ ...Object.fromEntries(Object.entries(times).map(([k, v]) => [k + 'Ms', Math.round(v * 10) / 10])), ...notes }),
    };
    let clean = false;
    let succeeded = false;
    try {
      if (grants) {
        this.loaded = null; // a new load replaces what was loaded
        const need = estimateMemory(grants.identity.length);
        if (need > this.memoryLimitBytes) {
          const mib = (b: number) => `${Math.ceil(b / 2 ** 20)} MiB`;
          throw new CoreError(
            `rolemill: ${grants.identity.length} grant rows need about ${mib(need)} of WebAssembly memory (${BYTES_PER_GRANT} bytes per row), ` +
              `over the ${mib(this.memoryLimitBytes)} limit; scope the input (by application, --include-app, or by attribute, --where) or partition it, ` +
              'or raise the limit (memoryLimitMiB, --memory-limit; at most 4096 in wasm32)',
            STATUS.ERR_TOO_LARGE,
          );
        }
        const n = grants.identity.length;
        if (grants.entitlement.length !== n) throw new UsageError('rolemill: identity and entitlement arrays differ in length');
        const ptr = x.inputBuffer(n);
        core.u32View(ptr, n).set(grants.identity);
        core.u32View(x.inputColsPtr(), n).set(grants.entitlement);
        this.check(x.load(grants.identities.length, grants.entitlements.length, n));
      }
      const result = job(x, timings);
      clean = succeeded = true;
      return result;
    } catch (e) {
      // Our own status errors leave the core consistent; anything else (a trap, an exception thrown
      // through the core) may have left its stacks mid-call.
      if (e instanceof AbortError || e instanceof CoreError || e instanceof UsageError) clean = true;
      throw e;
    } finally {
      core.onProgress = () => false;
      if (!clean) {
        this.loaded = null;
        this.core = Core.instantiateSync(core.module);
      } else if (!(keep && (succeeded || grants === null))) {
        // Kept: what load() and remine() leave loaded, even after a usage error or an abort in remine().
        this.loaded = null;
        x.reset();
      }
    }
  }

  dispose(): void {
    this.core = null;
    this.loaded = null;
  }

  private check(status: number): void {
    if (status === STATUS.OK) return;
    const x = this.core!.x;
    switch (status) {
      case STATUS.ERR_ABORTED:
        throw new AbortError();
      case STATUS.ERR_RANGE:
        throw new CoreError('rolemill core: a grant refers to an identity or entitlement id out of range', status);
      case STATUS.ERR_TOO_LARGE:
        throw tooLarge(x.stat(STAT.LARGEST_COMPONENT_BYTES));
      default:
        throw new CoreError(`rolemill core: call out of order (status ${status})`, status);
    }
  }
}

/** A connected component over the exact solver's bitset limit, with what to do about it. */
function tooLarge(bytes: number): CoreError {
  return new CoreError(
    `rolemill: a connected part of the access matrix needs ${Math.ceil(bytes / 2 ** 20)} MiB of bitsets for exact mining, over the limit; ` +
      'scope the input (by application or department) or raise the limit (componentLimitMiB, --component-limit)',
    STATUS.ERR_TOO_LARGE,
  );
}

/**
 * With tolerance 'auto', the most entitlements of a role of k that a member may lack: one up to 5,
 * then a third (the core's autoLacking, assembly/approx.ts). Mining admits such a member only on
 * the evidence of its grants; seeds and given roles take this bound as their count rule.
 */
export function autoLacking(k: number): number {
  return k <= 5 ? 1 : Math.floor(k / 3);
}

/** How many of a role of k entitlements a member may lack under a tolerance knob, never half of them. */
export function lackingAllowed(tolerance: number | 'auto', k: number): number {
  return Math.min(tolerance === 'auto' ? autoLacking(k) : tolerance, Math.floor(k / 2));
}

const EMPTY_SEEDS: SeedRoles = { count: 0, kind: new Uint8Array(0), memberOffsets: Uint32Array.of(0), members: new Uint32Array(0), entitlementOffsets: Uint32Array.of(0), entitlements: new Uint32Array(0) };

/** Seed roles followed by the preferred roles as kind-3 entries without members (the core's seed layout). */
function withPreferred(s: SeedRoles, preferred: Uint32Array[]): SeedRoles {
  if (!preferred.length) return s;
  const R = s.count + preferred.length;
  const entitlements = new Uint32Array(s.entitlements.length + preferred.reduce((n, p) => n + p.length, 0));
  entitlements.set(s.entitlements);
  const entitlementOffsets = new Uint32Array(R + 1);
  entitlementOffsets.set(s.entitlementOffsets);
  let w = s.entitlements.length;
  preferred.forEach((p, k) => {
    entitlements.set(p, w);
    w += p.length;
    entitlementOffsets[s.count + k + 1] = w;
  });
  const memberOffsets = new Uint32Array(R + 1);
  memberOffsets.set(s.memberOffsets);
  memberOffsets.fill(s.members.length, s.count + 1);
  const kind = new Uint8Array(R);
  kind.set(s.kind);
  kind.fill(3, s.count);
  return { count: R, kind, memberOffsets, members: s.members, entitlementOffsets, entitlements };
}

/** Rejects knob values that cannot mean anything (the CLI reports them as usage errors). */
function checkKnobs(k: { minMembers: number; minEntitlements: number; coverage: number; maxRoles: number; birthright: number; support: number; exceptionCost: number; tolerance: number | 'auto'; significance: number }): void {
  const bad = (name: string, v: number | string, what: string): never => {
    throw new UsageError(`rolemill: ${name} must be ${what}, got ${v}`);
  };
  if (!Number.isInteger(k.minMembers) || k.minMembers < 1) bad('minMembers', k.minMembers, 'an integer >= 1');
  if (!Number.isInteger(k.minEntitlements) || k.minEntitlements < 1) bad('minEntitlements', k.minEntitlements, 'an integer >= 1');
  if (!(k.coverage > 0 && k.coverage <= 1)) bad('coverage', k.coverage, 'in (0, 1]');
  if (!Number.isInteger(k.maxRoles) || k.maxRoles < 0) bad('maxRoles', k.maxRoles, 'an integer >= 0 (0: no limit)');
  if (!(k.birthright >= 0 && k.birthright <= 1)) bad('birthright', k.birthright, 'in [0, 1] (0: none)');
  if (!(k.support > 0 && k.support <= 1)) bad('support', k.support, 'in (0, 1]');
  if (!(k.exceptionCost > 0 && k.exceptionCost <= 1000)) bad('exceptionCost', k.exceptionCost, 'in (0, 1000]');
  if (!(k.significance >= 0 && k.significance < 1)) bad('significance', k.significance, 'in [0, 1) (0: no test)');
  if (k.tolerance !== 'auto' && (!Number.isInteger(k.tolerance) || k.tolerance < 0 || k.tolerance > 64)) bad('tolerance', k.tolerance, "'auto' or an integer in [0, 64]");
}

/**
 * WebAssembly memory a job needs, estimated from its grant rows: the input buffers, the matrix and
 * its transpose, the reductions and approx mining's per-grant state (coverage, cached holder
 * positions and lists) come to about BYTES_PER_GRANT per row, measured at 1M and 10M generated
 * grants (79.5 and 80 bytes after approx mining; memory grows by doubling, so this is what is
 * reserved), plus a fixed MEMORY_BASE. Exact mining's bitsets are bounded per component by
 * componentLimitMiB on top of this.
 */
export const BYTES_PER_GRANT = 80;
export const MEMORY_BASE = 16 * 2 ** 20;
export function estimateMemory(rows: number): number {
  return MEMORY_BASE + BYTES_PER_GRANT * rows;
}

/** Seed roles must be well formed: the core checks ids too, but a clear host-side message is kinder. */
function checkSeeds(s: SeedRoles, identities: number, entitlements: number): void {
  const bad = (why: string): never => {
    throw new UsageError(`rolemill: seed roles: ${why}`);
  };
  const R = s.count;
  if (!Number.isInteger(R) || R < 0) bad(`count must be an integer >= 0, got ${R}`);
  if (s.kind.length !== R || s.memberOffsets.length !== R + 1 || s.entitlementOffsets.length !== R + 1) bad('kind and offset arrays do not match the count');
  if (s.memberOffsets[R] !== s.members.length || s.entitlementOffsets[R] !== s.entitlements.length) bad('the last offsets must equal the list lengths');
  for (let r = 0; r < R; r++) {
    if (s.kind[r] !== 1 && s.kind[r] !== 2) bad(`role ${r} has kind ${s.kind[r]} (expected 1 birthright or 2 business)`);
    for (const [off, ids, limit, what] of [
      [s.memberOffsets, s.members, identities, 'member'],
      [s.entitlementOffsets, s.entitlements, entitlements, 'entitlement'],
    ] as const) {
      if (off[r]! > off[r + 1]!) bad(`role ${r}: offsets decrease`);
      for (let k = off[r]!; k < off[r + 1]!; k++) {
        if (ids[k]! >= limit) bad(`role ${r}: ${what} id ${ids[k]} is out of range`);
        if (k > off[r]! && ids[k]! <= ids[k - 1]!) bad(`role ${r}: ${what} ids must be ascending and distinct`);
      }
    }
  }
}
