/**
 * The governed mining run, once, in the library: governance (effective privilege, scope, accounts,
 * set-asides) → attribute-driven seeds (`by`) → the engine (humans, then non-human accounts apart)
 * → assembly and verification against the governed grants → peer groups and outlier marks →
 * business descriptions (names, kinds, quality) → identity tables → the summary. The command line
 * is parse → runMine → writeRun → print; the browser's worker calls the same function, so the
 * same files and options give the same model everywhere.
 *
 * Platform-neutral: no Node modules. Peer groups run synchronously unless the caller passes a
 * runner (the CLI runs them on a worker thread while this thread mines).
 */
import { SyncEngine, type Engine } from '../engine/engine.js';
import type { AsyncEngine } from '../engine/worker-engine.js';
import type { Grants, MineOptions, Objective } from '../types.js';
import type { AttributeMiningSummary, RoleModel } from '../model/model.js';
import type { Column, OutTable } from '../model/tables.js';
import { countReasons, textColumn, withRoleNames } from '../model/tables.js';
import type { AttributeJoin } from '../analysis/identities.js';
import type { IdentityTable } from '../ingest/identities.js';
import { joinIdentities } from '../analysis/identities.js';
import { describeRoles, mineByAttributes, type AttributeRoles, type RoleDescription } from '../analysis/alignment.js';
import { chooseAttributePaths, type AutoByResult } from '../analysis/auto-by.js';
import { peerGroups, type PeerInput, type PeerResult } from '../analysis/peers.js';
import { bindFactorNames } from '../analysis/peers-wire.js';
import { identityTable, markOutliers, OUTLIER_THRESHOLD, roleDescriptionColumns } from '../analysis/report.js';
import { prepareGovernance, type GovernanceOptions, type Prepared } from '../governance/prepare.js';
import { assembleModel } from '../governance/assemble.js';
import { accountsTable, allGrants, holdingAccounts, identityColumns, lineageOutTable, releaseGrantsByIdentity } from '../governance/report.js';
import { UsageError } from '../errors.js';
import type { ModelFolder } from '../model/read.js';
import { assignGivenIds, givenSeeds, suggestions, DRAFT_MATCH, type GivenSeeds, type Lineage } from './given.js';
import { matchBaseline, BASELINE_MATCH } from './baseline.js';
import { reviewTable } from '../review/review.js';

/** The inputs of a run, already read. */
export interface MineInputs {
  grants: Grants;
  /** The identities file (readIdentities), or null. */
  identities: IdentityTable | null;
  /** Group memberships (member → group, read with readGrants), or null. */
  memberships: Grants | null;
}

/** The approx mode's knobs (MineOptions); unset ones take the engine's defaults. */
export type ApproxKnobs = Pick<MineOptions, 'minMembers' | 'minEntitlements' | 'coverage' | 'maxRoles' | 'birthright' | 'support' | 'exceptionCost' | 'tolerance' | 'significance'>;

export interface RunOptions {
  mode?: 'approx' | 'exact';
  objective?: Objective;
  approx?: ApproxKnobs;
  /** Governance (the memberships and identities come from the inputs). */
  governance?: Omit<GovernanceOptions, 'memberships' | 'table'>;
  /**
   * Attribute-driven mining first (needs an identities file; approx mode). `paths: 'auto'` chooses
   * them from the data (chooseAttributePaths, src/analysis/auto-by.ts; none chosen: bottom-up only).
   * Default: 'auto' when there is an identities file (approx mode, without `roles`), as measured
   * better on held-out data (README, "Measured quality"); `paths: []` mines bottom-up only.
   */
  by?: { paths: 'auto' | string[][]; threshold?: number; minMembers?: number };
  /** A role takes a privileged entitlement when this share of its members hold it (default 1). */
  privilegedShare?: number;
  /** A reviewed model folder to mine on top of (src/pipeline/given.ts): approved roles kept, drafts refined. */
  roles?: ModelFolder;
  /** The previous snapshot's model folder (src/pipeline/baseline.ts): roles that continue one keep its id and name. */
  baseline?: ModelFolder;
  /** Ids the baseline's lineage used before (its summary.json `baseline.idsUsed`): never given to a new role. */
  baselineIdsUsed?: string[];
  /** Peer groups and outlier scores (default true). */
  peers?: boolean;
  /** Application → owner: the reviewer of the review file's rows whose identity has no manager (src/review/review.ts). */
  owners?: Map<string, string>;
  /**
   * Whether the run ends with its review table (default true). false leaves it to the caller, who
   * makes it with withReview when it is wanted: the command line makes it while the other tables
   * are written (src/output/write.ts, `later`).
   */
  review?: boolean;
  /**
   * Computes peer groups; default: synchronously, here. Started before mining, awaited after it.
   * The input's grant arrays are made for it (the run reads them no more): a runner on another
   * thread may transfer them instead of copying.
   */
  peerRunner?: (input: PeerInput) => Promise<{ result: PeerResult; ms: number }>;
  onProgress?: (phase: string, fraction: number) => void;
}

/** A finished run: the final model and everything written or shown beside it. */
export interface Run {
  /** Final: kinds refined by the descriptions (so roleObjects and roles.csv agree), outliers marked, summary complete. */
  model: RoleModel;
  prepared: Prepared;
  peers: PeerResult | null;
  descriptions: RoleDescription[] | null;
  /** Tables written beside the model's own: identities, accounts, lineage (with memberships). */
  extraTables: OutTable[];
  /** Columns the roles table gains with an identities file (name, quality, rule, ...). */
  roleColumns: [string, Column][];
  /** Columns the exceptions table gains: `account`, the accounts holding the grant as named in the input. */
  exceptionColumns: [string, Column][];
  /** Lines for a person to read (stderr): notices (the as-of date), then warnings. */
  notices: string[];
  warnings: string[];
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Runs the governed mining of `inputs` on `engine`: the synchronous engine, or the worker engine
 * (the same run, mining on its worker; onProgress then does not cross to it). Exact mode sets nothing aside (its model
 * reproduces every in-scope grant). Throws UsageError for contradictory options, InputError for
 * inputs the governance pass rejects.
 */
export async function runMine(inputs: MineInputs, options: RunOptions, engine: Engine | AsyncEngine): Promise<Run> {
  const mode = options.mode ?? 'approx';
  const report = options.onProgress ?? (() => undefined);
  const byOption = options.by ?? (inputs.identities && mode === 'approx' && !options.roles ? { paths: 'auto' as const } : undefined);
  const by = byOption && (byOption.paths === 'auto' || byOption.paths.length > 0) ? byOption : null;
  if (by && !inputs.identities) throw new UsageError('--by needs --identities FILE (the attributes to mine by)');
  if (by && mode !== 'approx') throw new UsageError('--by applies to --mode approx only');
  const knobs = Object.fromEntries(Object.entries(options.approx ?? {}).filter(([, v]) => v !== undefined)) as ApproxKnobs;
  if (options.roles && mode !== 'approx') throw new UsageError('--roles applies to --mode approx only');
  if (options.roles && options.baseline) throw new UsageError('--roles and --baseline cannot be combined yet');
  if (options.roles && by) throw new UsageError('--roles and --by cannot be combined yet: mine by attributes first, review, then mine again with --roles');
  if (mode === 'exact' && Object.keys(knobs).length) throw new UsageError(`${Object.keys(knobs).join(', ')} apply to --mode approx only`);
  const { grants, identities: table } = inputs;

  const tg = performance.now();
  report('governance', 0);
  const prep = prepareGovernance(grants, {
    ...options.governance,
    memberships: inputs.memberships,
    table,
    ...(mode === 'exact' ? { privileged: [], keepDormant: true, keepOrphans: true } : {}),
  });
  const governanceMs = performance.now() - tg;
  report('governance', 1);

  // Peer groups need only the grants: started now, so a runner on another thread works while this one mines.
  const tp = performance.now();
  const peersRun = startPeers(prep, options);
  const peerStartMs = performance.now() - tp;

  const tj = performance.now();
  const join = table ? identityJoin(table, prep) : null;
  const joinMs = performance.now() - tj;
  let byRoles: AttributeRoles | null = null;
  let attributeMs = 0;
  let autoMs = 0;
  let auto: AutoByResult | null = null;
  let byPaths: string[][] = [];
  if (by) {
    const tb = performance.now();
    if (by.paths === 'auto') {
      auto = chooseAttributePaths(prep.humans, join!, { threshold: by.threshold ?? 0.8, minMembers: by.minMembers ?? 5 });
      autoMs = performance.now() - tb;
    }
    byPaths = by.paths === 'auto' ? auto!.paths : by.paths;
    if (byPaths.length > 0) byRoles = mineByAttributes(prep.humans, join!, byPaths, by.threshold ?? 0.8, by.minMembers ?? 5, { birthrightThreshold: knobs.birthright ?? 0.9 });
    report('by', 1);
    attributeMs = performance.now() - tb;
  }
  const given = options.roles ? givenSeeds(prep, options.roles, knobs.tolerance ?? 'auto') : null;
  const seedRoles = byRoles ? { ...byRoles.roles, kind: byRoles.roles.kind.map((k) => (k === 1 ? 1 : 2)) } : given ? given.seeds : undefined;
  const mineOpts: MineOptions = { mode, objective: options.objective ?? 'roles', ...knobs, onProgress: report };
  // A worker engine takes the grant buffers (transferred): it gets copies, the run keeps its own.
  const own = engine instanceof SyncEngine;
  const lend = (g: Grants): Grants => (own ? g : { ...g, identity: g.identity.slice(), entitlement: g.entitlement.slice() });
  // With a baseline, its roles are preferred candidates (minimal perturbation: an existing role
  // wins over an equally good new one; PERTURBATION_WEIGHT in assembly/approx.ts).
  const preferredRoles = options.baseline && mode === 'approx' ? preferredFrom(options.baseline, prep) : [];
  const humanModel = await engine.mine(lend(prep.humans), { ...mineOpts, ...(seedRoles ? { seedRoles } : {}), ...(preferredRoles.length ? { preferredRoles } : {}) });
  const nonHumanModel = prep.nonHumans ? await engine.mine(lend(prep.nonHumans), mineOpts) : null;

  const ta = performance.now();
  const model = assembleModel(prep, humanModel, nonHumanModel, options.privilegedShare ?? 1);
  const assembleMs = performance.now() - ta;
  const s = model.summary;
  s.input.rows = grants.rows;
  s.input.source = grants.source;
  s.input.duplicatesDropped = (prep.report['grants'] as { duplicates: number }).duplicates;
  if (mode === 'exact') {
    const parts = [humanModel, nonHumanModel].filter((m): m is RoleModel => m !== null);
    s.model.roleLowerBound = parts.reduce((n, m) => n + m.summary.model.roleLowerBound, 0);
    s.model.optimalityProven = s.model.exact && parts.every((m) => m.summary.model.optimalityProven);
  }
  s.dataQuality = prep.report;
  if (by) {
    s.attributeMining = attributeSummary(byPaths, by.threshold ?? 0.8, by.minMembers ?? 5, byRoles, model, prep.effective.entitlements);
    if (auto) s.attributeMining.auto = { paths: auto.paths.map((p) => p.join(',')), grants: auto.grants, birthrightEntitlements: auto.birthrightEntitlements, explained: auto.explained, attributes: auto.attributes };
  }
  s.timings = {
    governanceMs: round1(governanceMs),
    peerStartMs: round1(peerStartMs),
    identityJoinMs: round1(joinMs),
    ...(by ? { attributeMiningMs: round1(attributeMs) } : {}),
    ...(auto ? { autoByMs: round1(autoMs) } : {}),
    ...s.timings,
    assembleMs: round1(assembleMs),
  };

  // Role ids are settled before the tables that name roles are made (the identities table's roles).
  const lineage = given ? assignGivenIds(model, given, options.roles!) : null;
  const baselineMatch = options.baseline ? matchBaseline(model, options.baseline, options.baselineIdsUsed ?? []) : null;
  const done = await completeRun(model, prep, { table, join, peersRun, report, ...(byRoles ? { byRoles } : {}) });
  if (given && lineage) Object.assign(done, withGivenRoles(model, prep, done, given, lineage, options.roles!));
  if (baselineMatch) Object.assign(done, withBaseline(model, done, options.baseline!, baselineMatch));
  if (auto) done.notices.push(autoNotice(auto));
  const run = { model, prepared: prep, ...done };
  return options.review === false ? run : withReview(run, inputs, options);
}

/**
 * The run with its review table (src/review/review.ts: one row per exception and over-assignment,
 * with reviewer, recommendation and evidence) last among its extra tables: part of the governed
 * run, so the command line and a browser worker write the same review.
 */
export function withReview<T extends Run>(run: T, inputs: MineInputs, options: Pick<RunOptions, 'owners' | 'governance'>): T {
  const sep = options.governance?.rules?.appSeparator;
  const t = performance.now();
  const review = reviewTable(run, inputs.identities, { grants: inputs.grants, ...(options.owners ? { owners: options.owners } : {}), ...(sep ? { appSeparator: sep } : {}) });
  releaseGrantsByIdentity(run.prepared); // the assembly's grouping of the grants, which the review was its last reader of
  run.model.summary.timings['reviewMs'] = round1(performance.now() - t);
  return { ...run, extraTables: [...run.extraTables, review] };
}

/** The baseline's people roles as entitlement-id sets over the run's entitlements (unknown ones left out; empty sets dropped). */
function preferredFrom(folder: ModelFolder, prep: Prepared): Uint32Array[] {
  const index = new Map(prep.effective.entitlements.map((e, k) => [e, k]));
  const out: Uint32Array[] = [];
  for (const r of folder.roles) {
    if (r.kind === 'non-human') continue;
    const ids = r.entitlements.map((e) => index.get(e)).filter((x): x is number => x !== undefined);
    if (ids.length) out.push(Uint32Array.from(new Set(ids)).sort());
  }
  return out;
}

/** A run against a baseline (its match already applied to the model's ids): matched roles keep its names; the summary's `baseline`. */
function withBaseline(model: RoleModel, done: Completion, folder: ModelFolder, m: ReturnType<typeof matchBaseline>): Partial<Completion> {
  const R = model.roles.count;
  let kept = 0;
  let sum = 0;
  for (let r = 0; r < R; r++) if (m.matchOf[r]! >= 0) kept++, (sum += m.jaccard[r]!);
  model.summary.baseline = {
    model: folder.dir,
    threshold: BASELINE_MATCH,
    baselineRoles: folder.roles.length,
    continued: kept,
    added: R - kept,
    removed: { count: m.removed.length, examples: m.removed.slice(0, 5) },
    meanJaccard: kept ? Math.round((sum / kept) * 1000) / 1000 : 0,
    idsUsed: m.idsUsed,
  };
  const jaccard: [string, Column] = ['baseline_jaccard', { kind: 'int', values: Float64Array.from(m.jaccard, (j) => Math.round(j * 1000) / 1000) }];
  return { roleColumns: withRoleNames(done.roleColumns, m.names, [jaccard]) };
}

/** A run on top of given roles: their names, an origin column, the suggestions table, the summary's givenRoles. */
function withGivenRoles(model: RoleModel, prep: Prepared, done: Completion, given: GivenSeeds, lineage: Lineage, folder: ModelFolder): Partial<Completion> {
  const R = model.roles.count;
  const roleColumns = withRoleNames(done.roleColumns, lineage.given.map((g) => g?.name ?? null), [['origin', textColumn(lineage.origin)]]);
  const table = suggestions(model, lineage, prep, folder);
  const kept = lineage.origin.filter((o) => o === 'given').length;
  const refined = lineage.origin.filter((o) => o === 'refined').length;
  const keptIds = new Set(lineage.given.filter((g, r) => g && lineage.origin[r] === 'given').map((g) => g!.id));
  const withoutMembers = given.approved.filter((r) => !keptIds.has(r.id)).map((r) => r.id);
  model.summary.givenRoles = {
    model: folder.dir,
    approved: given.approved.length + given.unusable.length,
    kept,
    approvedWithoutMembers: { count: withoutMembers.length + given.unusable.length, examples: [...given.unusable, ...withoutMembers].slice(0, 5) },
    drafts: given.drafts.length,
    refined,
    draftsNotFound: { count: lineage.draftsNotFound.length, examples: lineage.draftsNotFound.slice(0, 5) },
    rejected: folder.rejected.length,
    unknownEntitlements: { count: given.unknownEntitlements.length, examples: given.unknownEntitlements.slice(0, 5) },
    mined: R - kept - refined,
    suggestions: table.length,
  };
  const warnings = [...done.warnings];
  if (given.unknownEntitlements.length) warnings.push(`${given.unknownEntitlements.length} entitlements of approved roles in ${folder.dir} are held by no one in scope (e.g. ${given.unknownEntitlements.slice(0, 3).join(', ')}): left out of those roles here`);
  if (withoutMembers.length + given.unusable.length) warnings.push(`${withoutMembers.length + given.unusable.length} approved roles of ${folder.dir} fit no one in these grants (e.g. ${[...given.unusable, ...withoutMembers].slice(0, 3).join(', ')}): not in the model`);
  if (lineage.draftsNotFound.length) warnings.push(`${lineage.draftsNotFound.length} draft roles of ${folder.dir} match no mined role (Jaccard below ${DRAFT_MATCH}; e.g. ${lineage.draftsNotFound.slice(0, 3).join(', ')})`);
  return { roleColumns, extraTables: [...done.extraTables, table], warnings };
}

/** What completeRun adds to an assembled model. */
export type Completion = Omit<Run, 'model' | 'prepared'>;

/**
 * The part of a run after assembly, shared by mine and evaluate: peer groups and outlier marks,
 * business descriptions (names, kinds refined into the model unless `keepKinds`), identity tables,
 * the summary's peers and identitiesFile, and the lines for a person to read.
 */
export async function completeRun(
  model: RoleModel,
  prep: Prepared,
  ctx: {
    table: IdentityTable | null;
    join: AttributeJoin | null;
    peersRun: Promise<{ result: PeerResult; ms: number }> | null;
    report: (phase: string, fraction: number) => void;
    byRoles?: AttributeRoles;
    /** Keep the model's kinds (given roles): descriptions only add names and rules. */
    keepKinds?: boolean;
  },
): Promise<Completion> {
  const { table, join, peersRun, report, byRoles } = ctx;
  const s = model.summary;
  // Peer groups and outliers: the identities table, and the `outlier` reason on exceptions.
  let peers: PeerResult | null = null;
  if (peersRun) {
    const tp = performance.now();
    report('peers', 0);
    const run = await peersRun;
    peers = run.result;
    const marked = markOutliers(model, peers);
    s.model.exceptionsByReason = countReasons(model.exceptions.reason, s.model.overAssigned);
    let outliers = 0;
    for (const x of peers.score) if (x >= OUTLIER_THRESHOLD) outliers++;
    s.peers = { groups: peers.groups, outliers, outlierThreshold: OUTLIER_THRESHOLD, exceptionsMarkedOutlier: marked };
    s.timings['peersMs'] = round1(run.ms); // alongside mining, where a runner on another thread computed them
    s.timings['peersWaitMs'] = round1(performance.now() - tp); // what they added after mining
  }

  // Business alignment: names, business kind, quality, top attributes. The refined kinds go into
  // the model itself, so every view of it (roleObjects, roles.csv, a browser table) agrees.
  let descriptions: RoleDescription[] | null = null;
  let roleColumns: [string, Column][] = [];
  if (table && join) {
    const origin = model.roles.origin;
    const fixed = byRoles && origin
      ? Array.from(origin, (o) => (o >= 0 && byRoles.roles.kind[o] !== 1 ? { terms: byRoles.terms[o]!, holders: byRoles.roles.memberOffsets[o + 1]! - byRoles.roles.memberOffsets[o]! } : undefined))
      : undefined;
    const td = performance.now();
    descriptions = describeRoles(model, join, { kindPrefix: { 1: 'Birthright' }, ...(fixed ? { fixed } : {}) });
    s.timings['describeMs'] = round1(performance.now() - td);
    const described = roleDescriptionColumns(model, descriptions);
    roleColumns = described.columns;
    const kinds = (described.kind as { codes: Uint32Array }).codes;
    const purityOf = purity(descriptions, model); // over the kinds as mined (birthright left out)
    if (!ctx.keepKinds) for (let r = 0; r < model.roles.count; r++) model.roles.kind[r] = kinds[r]!;
    let businessRoles = 0;
    for (const k of model.roles.kind) if (k === 2) businessRoles++;
    s.identitiesFile = {
      source: table.source,
      rows: table.keys.length,
      matched: join.matched,
      attributes: table.attributes.map((a) => a.name),
      warnings: join.warnings.map((w) => ({ kind: w.kind, count: w.count, examples: w.examples, message: w.message })),
      businessRoles,
      meanQuality: descriptions.length ? Math.round((descriptions.reduce((a, d) => a + d.quality.score, 0) / descriptions.length) * 10) / 10 : 0,
      attributePurity: purityOf,
    };
  }

  const tt = performance.now();
  const ids = identityTable(model, peers);
  ids.columns.push(...identityColumns(prep));
  s.timings['identityTablesMs'] = round1(performance.now() - tt);
  const warnings = [...(join ? join.warnings.map((w) => w.message) : []), ...governanceWarnings(prep)];
  const ex = model.exceptions;
  const ov = model.overAssignments;
  const exIds = new Uint32Array(ex.identity.length + ov.identity.length);
  exIds.set(ex.identity);
  exIds.set(ov.identity, ex.identity.length);
  const exEnts = new Uint32Array(exIds.length);
  exEnts.set(ex.entitlement);
  exEnts.set(ov.entitlement, ex.entitlement.length);
  const tx = performance.now();
  const extraTables = [ids, accountsTable(prep), ...(prep.expansion ? [lineageOutTable(prep.expansion)] : [])];
  const account = holdingAccounts(prep, exIds, exEnts, (k) => k < ex.identity.length);
  s.timings['accountTablesMs'] = round1(performance.now() - tx);
  return {
    peers,
    descriptions,
    extraTables,
    roleColumns,
    exceptionColumns: [['account', account]],
    notices: [...prep.notices],
    warnings,
  };
}

/** Starts the peer groups of the governed grants (null when not asked for); awaited by completeRun. */
export function startPeers(prep: Prepared, options: Pick<RunOptions, 'peers' | 'peerRunner'>): Promise<{ result: PeerResult; ms: number }> | null {
  if (options.peers === false) return null;
  const all = allGrants(prep);
  const input: PeerInput = { identities: all.identities.length, entitlements: all.entitlements.length, identity: all.identity, entitlement: all.entitlement };
  // A runner on another thread also writes the factors' text there (beside mining), with these names.
  const run = options.peerRunner
    ? options.peerRunner({ ...input, entitlementNames: all.entitlements }).then((r) => (bindFactorNames(r.result, all.entitlements), r))
    : Promise.resolve().then(() => {
        const t = performance.now();
        return { result: peerGroups(input), ms: performance.now() - t };
      });
  run.catch(() => undefined); // awaited by completeRun; a failure there is reported then
  return run;
}

/** The identities file joined onto the model's identities: a person gets the row of its first account that has one. */
export function identityJoin(table: IdentityTable, prep: Prepared): AttributeJoin {
  const accountJoin = joinIdentities(table, prep.accounts.names);
  const row = new Int32Array(prep.names.length).fill(-1);
  for (let a = 0; a < prep.accounts.names.length; a++) {
    const i = prep.identityOf[a]!;
    if (row[i]! < 0 && accountJoin.row[a]! >= 0) row[i] = accountJoin.row[a]!;
  }
  let matched = 0;
  for (const r of row) if (r >= 0) matched++;
  return { table, identities: prep.names, row, matched, warnings: accountJoin.warnings };
}

/** One line per governance warning (groups, accounts). */
export function governanceWarnings(prep: Prepared): string[] {
  const out: string[] = [];
  if (prep.expansion) {
    for (const w of prep.expansion.warnings) out.push(w.message);
    for (const c of prep.expansion.cycles) out.push(`group cycle: ${c.join(' > ')} > ${c[0]} (each group reaches the others' grants)`);
  }
  for (const w of prep.accounts.warnings) out.push(w.message);
  return out;
}

/** The line `--by auto` prints: the paths it chose, or that it chose none. */
function autoNotice(auto: AutoByResult): string {
  const ignored = auto.attributes.filter((a) => a.role === 'ignored').map((a) => a.name);
  const rest = ignored.length ? `; ignored: ${ignored.join(', ')} (summary.json attributeMining.auto says why)` : '';
  if (auto.paths.length === 0) return `--by auto: no attribute explains access (summary.json attributeMining.auto says why): mined bottom-up only`;
  return `--by auto: mined by ${auto.paths.map((p) => p.join(',')).join(' and ')}${rest}`;
}

/** summary.json's `attributeMining`: what the top-down pass found and what became of it (all zero without a pass: `--by auto` chose no path). */
function attributeSummary(paths: string[][], threshold: number, minMembers: number, found: AttributeRoles | null, model: RoleModel, entitlements: string[]): AttributeMiningSummary {
  const origin = (found && model.roles.origin) || new Int32Array(0);
  const none = { count: 0, kind: new Uint8Array(0), memberOffsets: new Uint32Array(1), members: new Uint32Array(0), entitlementOffsets: new Uint32Array(1), entitlements: new Uint32Array(0) };
  const a: AttributeRoles = found ?? { roles: none, rules: [], terms: [], emptyGroups: 0, smallGroups: 0, identitiesWithoutValues: 0, vetoes: [] };
  let kept = 0;
  let leftOut = 0;
  for (let r = 0; r < origin.length; r++) {
    const o = origin[r]!;
    if (o < 0) continue;
    kept++;
    const group = a.roles.memberOffsets[o + 1]! - a.roles.memberOffsets[o]!;
    leftOut += group - (model.roles.memberOffsets[r + 1]! - model.roles.memberOffsets[r]!);
  }
  return {
    paths: paths.map((p) => p.join(',')),
    threshold,
    minMembers,
    groupRoles: a.roles.count,
    rolesKept: kept,
    rolesWithoutMembers: a.roles.count - kept,
    groupMembersLeftOut: leftOut,
    groupsWithoutRole: a.emptyGroups,
    groupsTooSmall: a.smallGroups,
    identitiesWithoutValues: a.identitiesWithoutValues,
    vetoes: a.vetoes.length,
    vetoExamples: a.vetoes.slice(0, 5).map((v) => `${entitlements[v.entitlement]} not in ${v.rule}: ${v.holders} of ${v.size} with ${v.attribute}='${v.value}' hold it`),
    bottomUpRoles: model.roles.count - kept,
  };
}

/**
 * Attribute purity of the model: over its role assignments (birthright roles left out, as their
 * rule is everyone), the share whose identity holds its role's rule (best descriptor, or the rule
 * an attribute-driven role was built from). 1 when every role is exactly an attribute group.
 */
function purity(desc: { members: number; best: { members: number } }[], model: RoleModel): number {
  let assigned = 0;
  let holding = 0;
  desc.forEach((d, r) => {
    if (model.roles.kind[r] === 1) return;
    assigned += d.members;
    holding += d.best.members;
  });
  return assigned === 0 ? 1 : Math.round((holding / assigned) * 1000) / 1000;
}
