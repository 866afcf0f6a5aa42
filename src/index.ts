/**
 * rolemill, Node entry. The browser entry (browser.ts) exports the same engine API with Web
 * Workers and fetch in place of worker_threads and the file system.
 */
export { createEngine, createWorkerEngine } from './engine/node.js';
export { estimateMemory, BYTES_PER_GRANT } from './engine/engine.js';
export { SyncEngine, DEFAULT_NODE_BUDGET, type Engine, type EngineOptions, type LoadStats, type MatrixStats } from './engine/engine.js';
export { WorkerEngine, type AsyncEngine } from './engine/worker-engine.js';
export { readGrants, readGrantsFromChunks, detectFormat } from './ingest/index.js';
export { writeModel, type OutputFormat, type WriteOptions } from './output/write.js';
export { neutralise, unneutralise, csvField } from './output/csv.js';
export { roleObjects, roleName, type RoleModel, type Roles, type GrantPairs, type Summary, type RoleObject, type Counted, type AttributeMiningSummary, type GivenRolesSummary, type EvaluationSummary, type BaselineSummary } from './model/model.js';
export { toArrowTables } from './model/arrow.js';
export { modelTables, type OutTable } from './model/tables.js';
export { generateEnterprise, writeEnterprise } from './generate.js';
export { identitiesCsvText } from './generate/write.js';
export { enterpriseGrants, plantedRecovery } from './generate/truth.js';
export { InputError, UsageError, AbortError, CoreError, OutputError } from './errors.js';
export { checkOutput, readManifest, writeOutput, MANIFEST, type Manifest, type OutputOptions } from './output/dest.js';
export { VERSION } from './version.js';
export type { Grants, ReadOptions, InputFormat, MineOptions, Objective } from './types.js';
export { grantsFromPairs } from './encode.js';
export { peerGroups, type PeerOptions, type PeerResult, type PeerFactor, type PeerInput } from './analysis/peers.js';
export { joinIdentities, type AttributeJoin } from './analysis/identities.js';
export { readIdentitiesFromChunks, readIdentitiesFromText, type IdentityTable, type IdentityWarning } from './ingest/identities.js';
export { readIdentities } from './ingest/node.js';
export { describeRoles, mineByAttributes, type RoleDescription, type AttributeRoles } from './analysis/alignment.js';
export { identityTable, markOutliers, roleDescriptionColumns } from './analysis/report.js';
export { prepareGovernance, DEFAULT_PRIVILEGED, SET_ASIDE_REASONS, type GovernanceOptions, type Prepared, type Scope } from './governance/prepare.js';
export { assembleModel } from './governance/assemble.js';
export { runMine, completeRun, type MineInputs, type RunOptions, type Run, type ApproxKnobs } from './pipeline/mine.js';
export { runEvaluate, type EvaluateOptions, type Evaluation } from './pipeline/evaluate.js';
export { readModel, ROLE_STATUSES, type ModelFolder, type ModelRole } from './model/read.js';
export { writeRun, type WriteRunOptions } from './output/write.js';
export { expandGroups, explain, lineageOf, type Expansion } from './governance/groups.js';
export { classifyAccounts, DEFAULT_KIND_RULES, KINDS, type Accounts, type KindRules, type IdentityKind } from './governance/accounts.js';
export { addGovernance, writeGovernance, type GovernanceEnterprise } from './generate/governance.js';
export { generateVaried, writeVaried, VARIED_GRID, type VariedConfig } from './generate/varied.js';
export { outputFiles, outputFilesOf, deliverablesFor, outputTables, type OutputFile, type OutputFilesOptions, type Deliverables } from './output/files.js';
export { reportFor, reportDataFor, reportData, renderReport, reportHtml, REPORT_CSS, REPORT_FILE, type ReportData, type ReportOptions } from './report/index.js';
export { reviewTable, reviewFromDiff, splitByReviewer, reviewerFileName } from './review/review.js';
export { exportRoles, parseMidpoint, parseSailpoint, parseScim, EXPORT_FORMATS, type ExportFormat, type ExportRole } from './export/index.js';
export { reportOfFolder, writeFolderReport } from './report/folder.js';
