/**
 * rolemill, browser entry: the same engine API as the Node entry, on Web Workers and fetch.
 * Read grants from a `File` with `readGrantsFromChunks(file.stream(), file.name)`; run what
 * `rolemill mine` runs on a page's files with `createWorkerEngine().runFiles({ grants, identities,
 * memberships }, options)` (read and run in the worker).
 */
export { createEngine, createWorkerEngine } from './engine/browser.js';
export { SyncEngine, DEFAULT_NODE_BUDGET, type Engine, type EngineOptions, type LoadStats, type MatrixStats } from './engine/engine.js';
export { WorkerEngine, type AsyncEngine, type RunFiles, type RunFileOptions, type WorkerRun } from './engine/worker-engine.js';
export { readGrantsFromChunks, detectFormat, type ChunkReadOptions, type ParquetToIpc } from './ingest/core.js';
export { grantsFromPairs } from './encode.js';
export { neutralise, unneutralise, csvField } from './output/csv.js';
export { roleObjects, roleName, type RoleModel, type Roles, type GrantPairs, type Summary, type RoleObject } from './model/model.js';
export { modelTables, type OutTable } from './model/tables.js';
export { toArrowTables } from './model/arrow.js';
export { InputError, UsageError, AbortError, CoreError } from './errors.js';
export type { Grants, ReadOptions, InputFormat, MineOptions, Objective } from './types.js';
export { runMine, completeRun, type MineInputs, type RunOptions, type Run, type ApproxKnobs } from './pipeline/mine.js';
export { readIdentitiesFromChunks, readIdentitiesFromText, type IdentityTable } from './ingest/identities.js';
export { outputFiles, outputFilesOf, deliverablesFor, outputTables, type OutputFile, type OutputFilesOptions, type Deliverables } from './output/files.js';
export { reportFor, reportDataFor, reportData, viewOfTable, renderReport, reportHtml, REPORT_CSS, REPORT_FILE, type ReportData, type ReportOptions, type TableView } from './report/index.js';
export { reviewTable, reviewFromDiff, splitByReviewer, reviewerFileName } from './review/review.js';
export { exportRoles, parseMidpoint, parseSailpoint, parseScim, EXPORT_FORMATS, type ExportFormat, type ExportRole } from './export/index.js';
