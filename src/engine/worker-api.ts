/**
 * What a worker exposes over comlink: a thin dispatcher over the synchronous engine. Platform
 * files (worker-node.ts, worker-browser.ts) only choose the endpoint, how the wasm is fetched and
 * how Parquet is decoded (parquet-wasm's Node or ESM build).
 */
import { transfer } from 'comlink/dist/esm/comlink.mjs';
import { Core, type CoreBuild } from './abi.js';
import { SyncEngine, type EngineOptions, type EnginePlatform, type LoadStats, type MatrixStats } from './engine.js';
import { modelBuffers, type RoleModel } from '../model/model.js';
import type { Column, OutTable } from '../model/tables.js';
import type { Grants, MineOptions, ReadOptions } from '../types.js';
import { readGrantsFromChunks, type ParquetToIpc } from '../ingest/core.js';
import { readIdentitiesFromChunks } from '../ingest/identities.js';
import { runMine, type Run, type RunOptions } from '../pipeline/mine.js';

/**
 * The input files of a governed run (what `rolemill mine` takes as paths): the grants, and
 * optionally the identities file (--identities) and the group memberships (--memberships).
 * A File crosses to the worker as a reference to the same bytes, not a copy.
 */
export interface RunFiles {
  grants: Blob;
  identities?: Blob | null;
  memberships?: Blob | null;
  /**
   * The names used in messages and in summary.json (`input.source`, `identitiesFile.source`, the
   * data-quality report), and the extension format detection falls back on (content first: an
   * Arrow, Parquet or pair-list Blob is read as one whatever its name). Default: a File's own
   * name, else 'grants.csv', 'identities.csv', 'memberships.csv'. Give the CLI's paths to get its
   * summary.json byte for byte.
   */
  names?: { grants?: string; identities?: string; memberships?: string };
}

/**
 * runMine's options that can cross to a worker (its function-valued ones cannot: progress comes
 * through the method's own callback, and peer groups are computed in the worker, runMine's default),
 * plus how the files are read: the flags `rolemill mine` reads its inputs with.
 */
export interface RunFileOptions extends Omit<RunOptions, 'onProgress' | 'peerRunner'> {
  /** The grants file's columns and format (--identity-column, --entitlement-column, --input-format). */
  read?: Pick<ReadOptions, 'identityColumn' | 'entitlementColumn' | 'format'>;
  /** The identities file's key column (--identity-key; default identity). */
  identityKey?: string;
}

/**
 * A run as it comes back from a worker: what writeRun writes and a page shows (the model, its
 * tables and columns, notices and warnings). `prepared`, `peers` and `descriptions` stay behind:
 * the governed grants are as large as the input, and what they feed is already in the tables.
 */
export type WorkerRun = Omit<Run, 'prepared' | 'peers' | 'descriptions'>;

export interface WorkerApi {
  analyze(grants: Grants, onProgress?: MineOptions['onProgress']): Promise<MatrixStats>;
  mine(grants: Grants, options: Omit<MineOptions, 'signal' | 'onProgress'>, onProgress?: MineOptions['onProgress']): Promise<RoleModel>;
  load(grants: Grants, onProgress?: MineOptions['onProgress']): Promise<LoadStats>;
  remine(options: Omit<MineOptions, 'signal' | 'onProgress'>, onProgress?: MineOptions['onProgress']): Promise<RoleModel>;
  unload(): Promise<void>;
  loadBlob(blob: Blob, name: string, options: Omit<ReadOptions, 'onProgress'>, onProgress?: MineOptions['onProgress']): Promise<LoadStats>;
  runFiles(files: RunFiles, options: RunFileOptions, onProgress?: MineOptions['onProgress']): Promise<WorkerRun>;
}

/** How a worker reads its inputs: platform-specific decoders the neutral readers lack. */
export interface WorkerReaders {
  /**
   * Parquet to Arrow IPC stream bytes (see `ParquetToIpc` in src/ingest/core.ts), for loadBlob's
   * and runFiles' grants and memberships. Without one a Parquet input is a UsageError.
   */
  parquetToIpc?: ParquetToIpc;
  /** Peer groups elsewhere (a worker of their own), so runFiles computes them while it mines, as the CLI does. */
  peerRunner?: RunOptions['peerRunner'];
}

export function workerApi(
  loadModule: (build?: CoreBuild) => Promise<WebAssembly.Module>,
  engineOptions: EngineOptions = {},
  platform: EnginePlatform | null | Promise<EnginePlatform | null> = null,
  readers: WorkerReaders = {},
): WorkerApi {
  const parquet = readers.parquetToIpc ? { parquetToIpc: readers.parquetToIpc } : {};
  let engine: Promise<SyncEngine> | null = null;
  const getEngine = () =>
    (engine ??= Promise.all([loadModule(engineOptions.build).then(Core.instantiate), platform]).then(([core, p]) => new SyncEngine(core, engineOptions, p)));
  return {
    async mine(grants, options, onProgress) {
      const e = await getEngine();
      const model = e.mine(grants, { ...options, ...(onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {}) });
      return transfer(model, modelBuffers(model));
    },
    async load(grants, onProgress) {
      const e = await getEngine();
      return e.load(grants, onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {});
    },
    async remine(options, onProgress) {
      const e = await getEngine();
      const model = e.remine({ ...options, ...(onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {}) });
      return transfer(model, modelBuffers(model));
    },
    async loadBlob(blob, name, options, onProgress) {
      const e = await getEngine();
      // Read here, in the worker: the page's main thread never parses the input.
      const grants = await readGrantsFromChunks(blob.stream() as unknown as AsyncIterable<Uint8Array>, name, {
        ...parquet,
        ...options,
        sizeHint: blob.size,
        ...(onProgress ? { onProgress: (read: number, total: number) => void onProgress('read', total > 0 ? read / total : 0) } : {}),
      });
      return e.load(grants, onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {});
    },
    async runFiles(files, options, onProgress) {
      const e = await getEngine();
      const report = (p: string, f: number) => void onProgress?.(p, f);
      const t0 = performance.now();
      const inputs = await readRunFiles(files, options, report, parquet);
      const readMs = performance.now() - t0;
      const { read: _read, identityKey: _key, ...runOptions } = options;
      const run = await runMine(inputs, { ...runOptions, ...(readers.peerRunner ? { peerRunner: readers.peerRunner } : {}), onProgress: report }, e);
      const { model } = run;
      // The CLI's read timings (readInputs: all three files in the time, throughput over the grants).
      model.summary.timings = {
        readMs: round1(readMs),
        readRowsPerSecond: Math.round(inputs.grants.rows / (readMs / 1000)),
        readMiBPerSecond: round1(files.grants.size / 2 ** 20 / (readMs / 1000)),
        ...model.summary.timings,
      };
      const { prepared: _prepared, peers: _peers, descriptions: _descriptions, ...out } = run;
      return transfer(out satisfies WorkerRun, [...new Set([...modelBuffers(model), ...columnBuffers(out)])]);
    },
    async unload() {
      (await getEngine()).unload();
    },
    async analyze(grants, onProgress) {
      const e = await getEngine();
      return e.analyze(grants, onProgress ? { onProgress: (p: string, f: number) => void onProgress(p, f) } : {});
    },
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Reads a run's files in the worker exactly as `rolemill mine` reads its paths (src/cli/run.ts
 * readInputs): the identities file first (a bad one fails before anything heavy), then the
 * memberships (member → group, with member_type when present), then the grants (with last_used
 * and application when present, for dormancy and scope).
 */
async function readRunFiles(files: RunFiles, options: RunFileOptions, report: (phase: string, f: number) => void, parquet: { parquetToIpc?: ParquetToIpc }) {
  const name = (key: 'grants' | 'identities' | 'memberships', blob: Blob) => files.names?.[key] ?? (blob as Partial<File>).name ?? `${key}.csv`;
  const stream = (blob: Blob) => blob.stream() as unknown as AsyncIterable<Uint8Array>;
  const table = files.identities
    ? await readIdentitiesFromChunks(stream(files.identities), name('identities', files.identities), {
        sizeHint: files.identities.size,
        ...(options.identityKey !== undefined ? { keyColumn: options.identityKey } : {}),
      })
    : null;
  const memberships = files.memberships
    ? await readGrantsFromChunks(stream(files.memberships), name('memberships', files.memberships), {
        ...parquet,
        identityColumn: 'member',
        entitlementColumn: 'group',
        keepIfPresent: ['member_type'],
        sizeHint: files.memberships.size,
      })
    : null;
  const grants = await readGrantsFromChunks(stream(files.grants), name('grants', files.grants), {
    ...parquet,
    ...options.read,
    keepIfPresent: ['last_used', 'application'],
    sizeHint: files.grants.size,
    onProgress: (read, total) => report('read', total > 0 ? read / total : 0),
  });
  return { grants, identities: table, memberships };
}

/**
 * The buffers of the typed arrays of every table column a run carries besides its model (its
 * extraTables' columns, roleColumns and any other `[name, Column][]` field), for a transfer list:
 * a view is cloned with its whole buffer anyway, so moving it never costs more. Plain
 * ArrayBuffers only, as a SharedArrayBuffer cannot be transferred.
 */
function columnBuffers(run: Omit<WorkerRun, 'model'>): ArrayBuffer[] {
  const columns: Column[] = [];
  for (const field of Object.values(run)) {
    if (!Array.isArray(field)) continue;
    for (const x of field as unknown[]) {
      if (Array.isArray(x) && typeof x[0] === 'string' && isColumn(x[1])) columns.push(x[1]);
      else if (x !== null && typeof x === 'object' && Array.isArray((x as OutTable).columns)) columns.push(...(x as OutTable).columns.map(([, c]) => c));
    }
  }
  const out: ArrayBuffer[] = [];
  for (const c of columns) {
    const b = (c.kind === 'int' ? c.values : c.codes).buffer;
    if (b instanceof ArrayBuffer) out.push(b);
  }
  return out;
}

const isColumn = (c: unknown): c is Column => c !== null && typeof c === 'object' && ((c as Column).kind === 'int' || (c as Column).kind === 'name');
