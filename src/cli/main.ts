#!/usr/bin/env node
/**
 * The `rolemill` command: a thin shell over the library. Exit codes: 0 done, 2 bad input or usage,
 * 1 internal error. Results go to files; a short report to stdout; progress and errors to stderr.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readGrants } from '../ingest/index.js';
import { createEngine } from '../engine/node.js';
import { writeModel, type OutputFormat } from '../output/write.js';
import { generateEnterprise, writeEnterprise } from '../generate.js';
import { addGovernance, writeGovernance } from '../generate/governance.js';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CoreError, InputError, UsageError } from '../errors.js';
import { STATUS } from '../engine/abi.js';
import type { PeerResult } from '../analysis/peers.js';
import { peerGroupsInWorker } from '../analysis/peers-async.js';
import { identityTable, markOutliers, OUTLIER_THRESHOLD, roleDescriptionColumns } from '../analysis/report.js';
import { readIdentities, joinIdentities } from '../analysis/identities.js';
import { describeRoles, mineByAttributes, type AttributeRoles } from '../analysis/alignment.js';
import type { AttributeJoin, IdentityTable } from '../analysis/identities.js';
import { prepareGovernance, type GovernanceOptions, type Prepared } from '../governance/prepare.js';
import { DEFAULT_KIND_RULES } from '../governance/accounts.js';
import { assembleModel } from '../governance/assemble.js';
import { accountsTable, allGrants, identityColumns, lineageOutTable } from '../governance/report.js';
import { expandGroups, explain } from '../governance/groups.js';
import { countReasons } from '../model/tables.js';
import type { InputFormat, Objective } from '../types.js';
import type { RoleModel } from '../model/model.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `rolemill ${VERSION}: mine a role model from observed access

Usage:
  rolemill mine <grants-file> [options]     mine roles, verify them, write the model
  rolemill check <grants-file> [options]    the data-quality report of the inputs, without mining
                                            (readable lines; --json for JSON)
  rolemill explain <grants-file> --identity X --entitlement Y [--memberships FILE]
                                            why X holds Y: directly, or through which groups
  rolemill generate --identities N [--seed S] [--out DIR]
                                            write a synthetic enterprise with its planted truth
  rolemill --version | --help

mine options:
  --out DIR                  output directory (default ./rolemill-out); replaced only on success
  --mode approx|exact        approx (default): noise-tolerant roles for most grants, the rest listed
                             as exceptions with a reason; exact: roles reproduce every grant
  --objective roles|wsc      exact mode: fewest roles, then lowest WSC (default); wsc: lowest WSC
  --min-members N            approx: fewest identities per role (default 3)
  --min-entitlements N       approx: fewest entitlements per role (default 1)
  --coverage R               approx: stop once this share of grants is explained (default 1)
  --max-roles N              approx: most roles (default 0: no limit)
  --birthright R             approx: entitlements held by this share of identities form the
                             birthright role (default 0.9; 0: none)
  --support R                approx: share of an entitlement's holders that must share another
                             for both to seed one candidate role (default 0.8)
  --exception-cost R         approx: cost of an unexplained grant vs one assignment (default 1)
  --tolerance N              approx: entitlements of a role a member may lack, each listed as an
                             over-assignment for review (default 0: never)
  --identity-column NAME     column holding identities (default identity)
  --entitlement-column NAME  column holding entitlements (default entitlement)
  --input-format FMT         csv, arrow, parquet or pairs (default: detected from content/extension)
  --format csv|arrow|json    output table format (default csv)
  --no-timings               leave timings out of summary.json (byte-identical reruns)
  --component-limit MIB      most bitset memory exact mining may use for one component (default 1536)
  --memory-limit MIB         most WebAssembly memory a run may need (default 4096): a larger input
                             fails at once, with advice, instead of running out of memory halfway
  --workers N                threads for approx mining's candidate phase and CSV reading (default:
                             the available cores, less one for the peer groups while they run;
                             1: none); the output is the same whatever N is
  --identities FILE          identities CSV (identity column plus attributes such as department,
                             title, location): roles get names, business kind, quality 0-100
  --identity-key NAME        key column of the identities file (default identity)
  --by A[,B...]              approx, with --identities: mine top-down first. For each value of A,
                             then each (A, B) combination, ..., the entitlements held by at least
                             --by-threshold of its identities (and not given by a coarser role) form
                             a business role; repeat --by for other paths (--by department,title
                             --by location). What they leave is mined bottom-up as usual.
  --by-threshold R           share of a group that must hold an entitlement (default 0.8)
  --by-min-members N         smallest group mined (default 5)
  --no-peers                 skip peer groups and outlier scores (identities.csv keeps roles and
                             unexplained grants)
  --quiet                    no progress on stderr

governance options (mine, check, explain):
  --memberships FILE         member,group rows: grants to a group reach its transitive members;
                             cycles are reported; groups are never mined as identities
  --identities FILE          with person, type and status columns: accounts of one person are
                             mined as one identity; type (human, service, workload, shared) wins
                             over naming rules; terminated or inactive accounts with access are flagged
  --non-human separate|exclude   service, workload and shared accounts mined apart (default) or
                             left out (their grants listed with reason non-human)
  --keep-orphans             mine accounts without an HR record (default: listed, reason orphan)
  --exclude-terminated       list the grants of terminated or inactive accounts (reason
                             terminated) instead of mining them (default: flagged, still mined)
  --privileged REGEX         privileged entitlement pattern, repeatable (default: admin, root,
                             owner, superuser, sudo, domain admins ...); --no-privileged for none.
                             Kept out of roles unless every member holds them; listed for review
  --privileged-share R       mine: a role takes a privileged entitlement when this share of its
                             members hold it (default 1); the others are listed as over-assigned
  --dormant-days N           a direct grant whose last_used column is older than N days before
                             --as-of (default: the latest last_used) is dormant (default 90)
  --keep-dormant             mine dormant grants (default: listed, reason dormant)
  --as-of DATE               YYYY-MM-DD for dormancy
  --include-app A[,B]        scope to these applications (the part of an entitlement before
                             --app-separator, default ':'); --exclude-app A[,B] to leave some out
  --exclude-entitlement REGEX   leave matching entitlements out (repeatable)
  --where ATTR=VALUE         keep only accounts whose identities row has this value (repeatable)

generate options:
  --identities N             number of identities (about 22 grants each)
  --seed S                   random seed (default 1)
  --out DIR                  output directory (default ./rolemill-sample)
  --stray-rate R             share of stray grants (default 0.02)
  --missing-rate R           share of role grants removed (default 0.01)
  --governance               deliver access through nested groups and add people with several
                             accounts, service, workload and shared accounts (half labelled),
                             orphans, terminated access and last_used dates (memberships.csv,
                             richer identities.csv, truth/accounts.csv, truth/effective.csv, ...)

Input: CSV with a header, Arrow IPC (file or stream), Parquet, or whitespace-separated integer
pairs (the HP research datasets); an optional last_used column. Output files: roles,
role_entitlements, assignments, exceptions, identities, accounts, lineage (with --memberships)
(.csv/.arrow/.json) and summary.json. In CSV output, values starting with = + - @ tab
CR or ' are prefixed with ' (see README, "Output").`;

function fail(message: string, code: number): never {
  process.stderr.write(`rolemill: ${message.replace(/^rolemill: /, '')}\n`);
  process.exit(code);
}

/**
 * Progress on stderr: on a terminal, one rewritten line with a bar, the phase, its share done, the
 * time so far and an estimate of the phase's time left (from its pace so far, once 5% is done);
 * otherwise plain lines at most every 2 s. Runs under a second stay silent.
 */
function progressReporter(quiet: boolean): (phase: string, fraction: number) => void {
  const tty = process.stderr.isTTY === true;
  const start = Date.now();
  let last = 0;
  let lastPhase = '';
  let phaseStart = start;
  return (phase, fraction) => {
    if (quiet) return;
    const now = Date.now();
    if (phase !== lastPhase) phaseStart = now;
    if (now - start < 1000) {
      lastPhase = phase;
      return; // short runs stay silent
    }
    if (phase === lastPhase && now - last < (tty ? 100 : 2000)) return;
    last = now;
    lastPhase = phase;
    const f = Math.min(1, Math.max(0, fraction));
    const pct = `${Math.round(f * 100)}%`.padStart(4);
    const spent = (now - phaseStart) / 1000;
    const eta = f >= 0.05 && f < 1 ? `, about ${Math.ceil((spent * (1 - f)) / f)}s left` : '';
    const line = `${phase.padEnd(10)} ${pct}  ${((now - start) / 1000).toFixed(1)}s${eta}`;
    if (tty) {
      const width = 24;
      const done = Math.round(f * width);
      process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${line}\x1b[K`);
    } else process.stderr.write(`${line}\n`);
  };
}

async function mine(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'rolemill-out' },
      mode: { type: 'string', default: 'approx' },
      'min-members': { type: 'string' },
      'min-entitlements': { type: 'string' },
      coverage: { type: 'string' },
      'max-roles': { type: 'string' },
      birthright: { type: 'string' },
      support: { type: 'string' },
      'exception-cost': { type: 'string' },
      tolerance: { type: 'string' },
      objective: { type: 'string', default: 'roles' },
      format: { type: 'string', default: 'csv' },
      'no-timings': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'component-limit': { type: 'string' },
      'memory-limit': { type: 'string' },
      workers: { type: 'string' },
      'privileged-share': { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
      by: { type: 'string', multiple: true },
      'by-threshold': { type: 'string' },
      'by-min-members': { type: 'string' },
      ...GOVERNANCE_OPTIONS,
    },
  });
  const limit = values['component-limit'];
  if (limit !== undefined && !/^\d+$/.test(limit)) throw new UsageError(`--component-limit must be a whole number of MiB, got '${limit}'`);
  const workersArg = values.workers;
  if (workersArg !== undefined && !(/^\d+$/.test(workersArg) && Number(workersArg) >= 1 && Number(workersArg) <= 256)) throw new UsageError(`--workers must be a whole number in [1, 256], got '${workersArg}'`);
  const workers = workersArg !== undefined ? Number(workersArg) : availableParallelism();
  if (positionals.length !== 1) throw new UsageError(`mine takes one grants file, got ${positionals.length}`);
  if (values.mode !== 'exact' && values.mode !== 'approx') throw new UsageError(`--mode must be approx or exact, got '${values.mode}'`);
  const knob = (name: string, v: string | undefined, integer: boolean, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got '${v}'`);
    }
    return n;
  };
  const knobs = {
    minMembers: knob('min-members', values['min-members'], true, 1, 1e9),
    minEntitlements: knob('min-entitlements', values['min-entitlements'], true, 1, 1e9),
    coverage: knob('coverage', values.coverage, false, 0.000001, 1),
    maxRoles: knob('max-roles', values['max-roles'], true, 0, 1e9),
    birthright: knob('birthright', values.birthright, false, 0, 1),
    support: knob('support', values.support, false, 0.000001, 1),
    exceptionCost: knob('exception-cost', values['exception-cost'], false, 0.000001, 1000),
    tolerance: knob('tolerance', values.tolerance, true, 0, 64),
  };
  const approxKnobs = Object.fromEntries(Object.entries(knobs).filter(([, v]) => v !== undefined));
  if (values.mode === 'exact' && Object.keys(approxKnobs).length) {
    throw new UsageError(`${Object.keys(approxKnobs).join(', ')} apply to --mode approx only`);
  }
  if (values.objective !== 'roles' && values.objective !== 'wsc') throw new UsageError(`--objective must be roles or wsc, got '${values.objective}'`);
  if (!['csv', 'arrow', 'json'].includes(values.format!)) throw new UsageError(`--format must be csv, arrow or json, got '${values.format}'`);
  const byPaths = (values.by ?? []).map((spec) => {
    const names = spec.split(',').map((x) => x.trim());
    if (names.some((x) => x === '')) throw new UsageError(`--by takes attribute names separated by commas, got '${spec}'`);
    return names;
  });
  const byThreshold = knob('by-threshold', values['by-threshold'], false, 0.000001, 1);
  const byMinMembers = knob('by-min-members', values['by-min-members'], true, 1, 1e9);
  const privShare = knob('privileged-share', values['privileged-share'], false, 0.000001, 1);
  if (byPaths.length === 0 && (byThreshold !== undefined || byMinMembers !== undefined)) throw new UsageError('--by-threshold and --by-min-members need --by');
  if (byPaths.length > 0 && !values.identities) throw new UsageError('--by needs --identities FILE (the attributes to mine by)');
  if (byPaths.length > 0 && values.mode !== 'approx') throw new UsageError('--by applies to --mode approx only');
  const report = progressReporter(values.quiet!);
  const t0 = performance.now();
  const mode = values.mode as 'approx' | 'exact';
  const inputs = await readInputs(positionals[0]!, values, report, workers);
  const { table, grants } = inputs;
  const readMs = performance.now() - t0;
  const readBytes = statSync(positionals[0]!).size;
  const tg = performance.now();
  report('governance', 0);
  // Effective privilege, scope, accounts; what is mined and what is set aside (exact mode sets
  // nothing aside: its model reproduces every in-scope grant).
  const prep = prepareGovernance(grants, { ...inputs.governance, ...(mode === 'exact' ? { privileged: [], keepDormant: true, keepOrphans: true } : {}) });
  const governanceMs = performance.now() - tg;
  report('governance', 1);
  // Peer groups need only the grants: they run on a worker thread while this one mines.
  const allInScope = values['no-peers'] ? null : allGrants(prep);
  const peersRun = allInScope
    ? peerGroupsInWorker({ identities: allInScope.identities.length, entitlements: allInScope.entitlements.length, identity: allInScope.identity, entitlement: allInScope.entitlement })
    : null;
  peersRun?.catch(() => undefined); // awaited below; a failure there is reported then
  let attributeMs = 0;
  const memLimit = values['memory-limit'];
  if (memLimit !== undefined && !(/^\d+$/.test(memLimit) && Number(memLimit) > 0 && Number(memLimit) <= 4096)) throw new UsageError(`--memory-limit must be a whole number of MiB in [1, 4096], got '${memLimit}'`);
  const engine = await createEngine({
    ...(limit !== undefined ? { componentLimitMiB: Number(limit) } : {}),
    ...(memLimit !== undefined ? { memoryLimitMiB: Number(memLimit) } : {}),
    // By default one core is left to the peer-group worker, which runs alongside mining: on this
    // 2-core machine a pool of 2 beside it was no faster than mining alone (bench/results/*-e2e-10m.md).
    workers: workersArg !== undefined ? workers : Math.max(1, workers - (peersRun ? 1 : 0)),
  });
  const join = table ? identityJoin(table, prep) : null;
  // Attribute-driven (top-down) roles, given to the miner as seed roles.
  let byRoles: AttributeRoles | null = null;
  if (byPaths.length > 0) {
    const tb = performance.now();
    byRoles = mineByAttributes(prep.humans, join!, byPaths, byThreshold ?? 0.8, byMinMembers ?? 5, { birthrightThreshold: knobs.birthright ?? 0.9 });
    report('by', 1);
    attributeMs = performance.now() - tb;
  }
  const seedRoles = byRoles ? { ...byRoles.roles, kind: byRoles.roles.kind.map((k) => (k === 1 ? 1 : 2)) } : undefined;
  const mineOpts = { mode, objective: values.objective as Objective, ...approxKnobs, onProgress: report };
  const humanModel = engine.mine(prep.humans, { ...mineOpts, ...(seedRoles ? { seedRoles } : {}) });
  const nonHumanModel = prep.nonHumans ? engine.mine(prep.nonHumans, mineOpts) : null;
  const ta = performance.now();
  const model = assembleModel(prep, humanModel, nonHumanModel, privShare ?? 1);
  const assembleMs = performance.now() - ta;
  model.summary.input.rows = grants.rows;
  model.summary.input.source = grants.source;
  model.summary.input.duplicatesDropped = (prep.report['grants'] as { duplicates: number }).duplicates;
  if (mode === 'exact') {
    const parts = [humanModel, nonHumanModel].filter((m): m is RoleModel => m !== null);
    model.summary.model.roleLowerBound = parts.reduce((n, m) => n + m.summary.model.roleLowerBound, 0);
    model.summary.model.optimalityProven = model.summary.model.exact && parts.every((m) => m.summary.model.optimalityProven);
  }
  model.summary.dataQuality = prep.report;
  if (byRoles) model.summary.attributeMining = attributeSummary(byPaths, byThreshold ?? 0.8, byMinMembers ?? 5, byRoles, model, prep.effective.entitlements);
  model.summary.timings = {
    readMs: Math.round(readMs * 10) / 10,
    // Ingest throughput over the grants file (identities and memberships files included in the time).
    readRowsPerSecond: Math.round(grants.rows / (readMs / 1000)),
    readMiBPerSecond: Math.round((readBytes / 2 ** 20 / (readMs / 1000)) * 10) / 10,
    governanceMs: Math.round(governanceMs * 10) / 10,
    ...(byRoles ? { attributeMiningMs: Math.round(attributeMs * 10) / 10 } : {}),
    ...model.summary.timings,
    assembleMs: Math.round(assembleMs * 10) / 10,
  };
  // Peer groups and outliers: identities.csv, and the `outlier` reason on exceptions.
  let peers: PeerResult | null = null;
  if (peersRun) {
    const tp = performance.now();
    report('peers', 0);
    const run = await peersRun;
    peers = run.result;
    const marked = markOutliers(model, peers);
    model.summary.model.exceptionsByReason = countReasons(model.exceptions.reason, model.summary.model.overAssigned);
    let outliers = 0;
    for (const x of peers.score) if (x >= OUTLIER_THRESHOLD) outliers++;
    model.summary.peers = { groups: peers.groups, outliers, outlierThreshold: OUTLIER_THRESHOLD, exceptionsMarkedOutlier: marked };
    model.summary.timings['peersMs'] = Math.round(run.ms * 10) / 10; // on the worker, alongside mining
    model.summary.timings['peersWaitMs'] = Math.round((performance.now() - tp) * 10) / 10; // what it added after mining
  }
  // Business alignment with an identities file: names, business kind, quality, top attributes.
  let described: ReturnType<typeof roleDescriptionColumns> | null = null;
  if (table && join) {
    // A role built from an attribute rule is described by that rule.
    const origin = model.roles.origin;
    const fixed = byRoles && origin
      ? Array.from(origin, (o) => (o >= 0 && byRoles!.roles.kind[o] !== 1 ? { terms: byRoles!.terms[o]!, holders: byRoles!.roles.memberOffsets[o + 1]! - byRoles!.roles.memberOffsets[o]! } : undefined))
      : undefined;
    const td = performance.now();
    const desc = describeRoles(model, join, { kindPrefix: { 1: 'Birthright' }, ...(fixed ? { fixed } : {}) });
    model.summary.timings['describeMs'] = Math.round((performance.now() - td) * 10) / 10;
    described = roleDescriptionColumns(model, desc);
    model.summary.identitiesFile = {
      source: values.identities!,
      rows: table.keys.length,
      matched: join.matched,
      attributes: table.attributes.map((a) => a.name),
      warnings: join.warnings.map((w) => ({ kind: w.kind, count: w.count, examples: w.examples, message: w.message })),
      businessRoles: Array.from((described.kind as { codes: Uint32Array }).codes).filter((k) => k === 2).length,
      meanQuality: desc.length ? Math.round((desc.reduce((a, d) => a + d.quality.score, 0) / desc.length) * 10) / 10 : 0,
      attributePurity: purity(desc, model),
    };
    for (const w of join.warnings) if (!values.quiet) process.stderr.write(`rolemill: warning: ${w.message}\n`);
  }
  for (const w of governanceWarnings(prep)) if (!values.quiet) process.stderr.write(`rolemill: warning: ${w}\n`);
  const tt = performance.now();
  const identities = identityTable(model, peers);
  identities.columns.push(...identityColumns(prep));
  const t1 = performance.now();
  model.summary.timings['identityTablesMs'] = Math.round((performance.now() - tt) * 10) / 10;
  report('write', 0);
  await writeModel(values.out!, model, {
    format: values.format as OutputFormat,
    omitTimings: values['no-timings']!,
    extraTables: [identities, accountsTable(prep), ...(prep.expansion ? [lineageOutTable(prep.expansion)] : [])],
    ...(described ? { roleColumns: described.columns, roleKind: described.kind } : {}),
    onProgress: (f) => report('write', f),
  });
  if (!values.quiet && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const m = model.summary.model;
  const s = model.summary.input;
  process.stdout.write(
    `${s.grants} grants (${s.identities} identities, ${s.entitlements} entitlements, ${s.duplicatesDropped} duplicates dropped)\n` +
      `${m.roles} roles${model.summary.mining.mode === 'exact' ? (m.optimalityProven ? ' (proven minimum)' : ` (lower bound ${m.roleLowerBound})`) : ''}, WSC ${m.wsc}, ` +
      `coverage ${(m.coverage * 100).toFixed(2)}%, ${m.unexplainedGrants} unexplained grants (exceptions), ${m.overAssigned} over-assigned\n` +
      `read ${grants.rows} rows in ${Math.round(readMs)} ms (${Math.round(grants.rows / (readMs / 1000))} rows/s, ${(readBytes / 2 ** 20 / (readMs / 1000)).toFixed(1)} MiB/s)\n` +
      `written to ${values.out} in ${Math.round(performance.now() - t0)} ms (write ${Math.round(performance.now() - t1)} ms)\n`,
  );
}


/** Options every command that reads grants takes: the inputs around them and how to treat them. */
const GOVERNANCE_OPTIONS = {
  'identity-column': { type: 'string' },
  'entitlement-column': { type: 'string' },
  'input-format': { type: 'string' },
  identities: { type: 'string' },
  'identity-key': { type: 'string' },
  memberships: { type: 'string' },
  privileged: { type: 'string', multiple: true },
  'no-privileged': { type: 'boolean', default: false },
  'dormant-days': { type: 'string' },
  'as-of': { type: 'string' },
  'keep-dormant': { type: 'boolean', default: false },
  'keep-orphans': { type: 'boolean', default: false },
  'exclude-terminated': { type: 'boolean', default: false },
  'non-human': { type: 'string' },
  'include-app': { type: 'string', multiple: true },
  'exclude-app': { type: 'string', multiple: true },
  'exclude-entitlement': { type: 'string', multiple: true },
  where: { type: 'string', multiple: true },
  'app-separator': { type: 'string' },
} as const;

type GovernanceValues = { [K in keyof typeof GOVERNANCE_OPTIONS]?: (typeof GOVERNANCE_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof GOVERNANCE_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

function pattern(flag: string, v: string): RegExp {
  try {
    return new RegExp(v, 'i');
  } catch (e) {
    throw new UsageError(`--${flag} must be a regular expression: ${(e as Error).message}`);
  }
}

/** Reads the identities file (first: a bad one fails before anything heavy), the memberships and the grants, and turns the flags into governance options. */
async function readInputs(path: string, values: GovernanceValues, report: (phase: string, f: number) => void, workers = availableParallelism()) {
  const inputFormat = values['input-format'];
  if (inputFormat !== undefined && !['csv', 'arrow', 'parquet', 'pairs'].includes(inputFormat)) {
    throw new UsageError(`--input-format must be csv, arrow, parquet or pairs, got '${inputFormat}'`);
  }
  const nonHuman = values['non-human'];
  if (nonHuman !== undefined && nonHuman !== 'separate' && nonHuman !== 'exclude') throw new UsageError(`--non-human must be separate or exclude, got '${nonHuman}'`);
  const days = values['dormant-days'];
  if (days !== undefined && !/^\d+$/.test(days)) throw new UsageError(`--dormant-days must be a whole number of days, got '${days}'`);
  if (values['no-privileged'] && values.privileged?.length) throw new UsageError('--privileged and --no-privileged contradict each other');
  const where = (values.where ?? []).map((w) => {
    const at = w.indexOf('=');
    if (at <= 0) throw new UsageError(`--where takes attribute=value, got '${w}'`);
    return { attribute: w.slice(0, at), value: w.slice(at + 1) };
  });
  if (where.length && !values.identities) throw new UsageError('--where needs --identities FILE');
  const list = (v: string[] | undefined) => (v ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
  const table = values.identities ? await readIdentities(values.identities, values['identity-key'] ? { keyColumn: values['identity-key'] } : {}) : null;
  const memberships = values.memberships ? await readGrants(values.memberships, { identityColumn: 'member', entitlementColumn: 'group', keepIfPresent: ['member_type'] }) : null;
  const grants = await readGrants(path, {
    ...(values['identity-column'] ? { identityColumn: values['identity-column'] } : {}),
    ...(values['entitlement-column'] ? { entitlementColumn: values['entitlement-column'] } : {}),
    ...(inputFormat ? { format: inputFormat as InputFormat } : {}),
    keepIfPresent: ['last_used', 'application'],
    workers: Math.min(4, workers), // a large CSV is parsed on worker threads
    onProgress: (read, total) => report('read', total > 0 ? read / total : 0),
  });
  const separator = values['app-separator'];
  if (separator === '') throw new UsageError('--app-separator must not be empty');
  const governance: GovernanceOptions = {
    memberships,
    table,
    ...(separator ? { rules: { ...DEFAULT_KIND_RULES, appSeparator: separator } } : {}),
    ...(values['no-privileged'] ? { privileged: [] } : values.privileged?.length ? { privileged: values.privileged.map((p) => pattern('privileged', p)) } : {}),
    ...(days !== undefined ? { dormantDays: Number(days) } : {}),
    ...(values['as-of'] ? { asOf: values['as-of'] } : {}),
    keepDormant: values['keep-dormant'] === true,
    keepOrphans: values['keep-orphans'] === true,
    excludeTerminated: values['exclude-terminated'] === true,
    ...(nonHuman ? { nonHuman: nonHuman as 'separate' | 'exclude' } : {}),
    scope: {
      includeApps: list(values['include-app']),
      excludeApps: list(values['exclude-app']),
      excludeEntitlements: (values['exclude-entitlement'] ?? []).map((p) => pattern('exclude-entitlement', p)),
      where,
    },
  };
  return { table, memberships, grants, governance };
}

/** The identities file joined onto the model's identities: a person gets the row of its first account that has one. */
function identityJoin(table: IdentityTable, prep: Prepared): AttributeJoin {
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

/** One line per governance warning (groups, accounts), for stderr. */
function governanceWarnings(prep: Prepared): string[] {
  const out: string[] = [];
  if (prep.expansion) {
    for (const w of prep.expansion.warnings) out.push(w.message);
    for (const c of prep.expansion.cycles) out.push(`group cycle: ${c.join(' > ')} > ${c[0]} (each group reaches the others' grants)`);
  }
  for (const w of prep.accounts.warnings) out.push(w.message);
  return out;
}

/** `rolemill check`: the data-quality report of the inputs, without mining. */
async function check(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GOVERNANCE_OPTIONS, quiet: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new UsageError(`check takes one grants file, got ${positionals.length}`);
  const report = progressReporter(values.quiet!);
  const inputs = await readInputs(positionals[0]!, values, report);
  const prep = prepareGovernance(inputs.grants, inputs.governance);
  if (!values.quiet && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  for (const w of governanceWarnings(prep)) if (!values.quiet) process.stderr.write(`rolemill: warning: ${w}\n`);
  const out: Record<string, unknown> = { input: { source: inputs.grants.source, format: inputs.grants.format, rows: inputs.grants.rows }, ...prep.report };
  if (inputs.table) {
    const join = joinIdentities(inputs.table, prep.accounts.names);
    out['identitiesFile'] = { source: inputs.table.source, rows: inputs.table.keys.length, matched: join.matched, warnings: join.warnings };
  }
  process.stdout.write(values.json ? JSON.stringify(out, null, 2) + '\n' : readable(out));
}

/**
 * The report as indented `name: value` lines: a `{ count, examples }` item reads `12 (e.g. a, b)`,
 * a list of warnings their messages, nested objects indent.
 */
function readable(report: Record<string, unknown>): string {
  const words = (k: string) => (/^[a-z][A-Za-z]*$/.test(k) ? k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : k); // camelCase keys only
  const lines: string[] = [];
  const walk = (o: Record<string, unknown>, depth: number) => {
    const pad = '  '.repeat(depth);
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined) continue;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const item = v as Record<string, unknown>;
        if (typeof item['count'] === 'number' && Array.isArray(item['examples'])) {
          const ex = item['examples'] as unknown[];
          lines.push(`${pad}${words(k)}: ${item['count']}${ex.length ? ` (e.g. ${ex.join(', ')})` : ''}`);
        } else {
          lines.push(`${pad}${words(k)}:`);
          walk(item, depth + 1);
        }
      } else if (Array.isArray(v)) {
        if (v.length === 0) lines.push(`${pad}${words(k)}: none`);
        else if (v.every((x) => x !== null && typeof x === 'object' && 'message' in (x as object))) {
          lines.push(`${pad}${words(k)}:`);
          for (const w of v as { message: string }[]) lines.push(`${pad}  - ${w.message}`);
        } else lines.push(`${pad}${words(k)}: ${v.join(', ')}`);
      } else lines.push(`${pad}${words(k)}: ${v === null ? 'none' : String(v)}`);
    }
  };
  walk(report, 0);
  return lines.join('\n') + '\n';
}

/** `rolemill explain`: why an identity holds an entitlement (direct grant, or chains of groups). */
async function explainCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...GOVERNANCE_OPTIONS, identity: { type: 'string' }, entitlement: { type: 'string' }, quiet: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError(`explain takes one grants file, got ${positionals.length}`);
  if (!values.identity || !values.entitlement) throw new UsageError('explain needs --identity NAME and --entitlement NAME');
  const inputs = await readInputs(positionals[0]!, values, () => undefined);
  const raw = inputs.grants;
  const x = inputs.memberships ? expandGroups(raw, inputs.memberships) : null;
  const who = values.identity;
  const what = values.entitlement;
  let ways: string[];
  if (x) ways = explain(x, raw, who, what);
  else {
    const i = raw.identities.indexOf(who);
    const e = raw.entitlements.indexOf(what);
    ways = [];
    for (let k = 0; k < raw.rows && i >= 0 && e >= 0; k++) if (raw.identity[k] === i && raw.entitlement[k] === e) { ways = ['direct']; break; }
  }
  const known = (x ? x.grants.identities : raw.identities).includes(who);
  if (ways.length === 0) {
    process.stdout.write(`${who} does not hold ${what}${known ? '' : ` (no identity named ${who} in ${raw.source}${inputs.memberships ? ' or the memberships' : ''})`}\n`);
    return;
  }
  process.stdout.write(`${who} holds ${what}:\n`);
  for (const w of ways) process.stdout.write(w === 'direct' ? '  directly (a grant row of its own)\n' : `  as a member of ${w} (${w.split(' > ').pop()} is granted ${what})\n`);
}

async function generate(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      identities: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'rolemill-sample' },
      'stray-rate': { type: 'string' },
      'missing-rate': { type: 'string' },
      governance: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new UsageError(`generate takes no positional arguments, got '${positionals[0]}'`);
  const num = (name: string, v: string | undefined, integer: boolean, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got '${v}'`);
    }
    return n;
  };
  const identities = num('identities', values.identities, true, 1, 10_000_000);
  if (identities === undefined) throw new UsageError('generate needs --identities N');
  const stray = num('stray-rate', values['stray-rate'], false, 0, 1);
  const missing = num('missing-rate', values['missing-rate'], false, 0, 1);
  const e = generateEnterprise({
    identities,
    seed: num('seed', values.seed, true, 0, 2 ** 32 - 1)!,
    ...(stray !== undefined ? { strayRate: stray } : {}),
    ...(missing !== undefined ? { missingRate: missing } : {}),
  });
  const files = await writeEnterprise(values.out!, e);
  if (values.governance) {
    // The same enterprise delivered through nested groups, with people, non-human accounts,
    // orphans, terminated access and last-use dates: grants.csv and identities.csv are replaced,
    // grants.arrow (plain grants) removed, and the governance truth added under truth/.
    const g = addGovernance(e, { seed: num('seed', values.seed, true, 0, 2 ** 32 - 1)! });
    await rm(join(values.out!, 'grants.arrow'), { force: true });
    const more = await writeGovernance(values.out!, g);
    process.stdout.write(`${g.grants.holder.length} grant rows (accounts and groups) and ${g.memberships.member.length} memberships for ${g.accounts.length} accounts written to ${values.out}: ${more.join(', ')}\n`);
    return;
  }
  process.stdout.write(`${e.grants.identity.length} grants for ${identities} identities written to ${values.out}: ${files.join(', ')}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') return void process.stdout.write(VERSION + '\n');
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') return void process.stdout.write(HELP + '\n');
  if (cmd === 'mine') return mine(rest);
  if (cmd === 'generate') return generate(rest);
  if (cmd === 'check') return check(rest);
  if (cmd === 'explain') return explainCommand(rest);
  throw new UsageError(`unknown command '${cmd}' (try rolemill --help)`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    if (e instanceof InputError) fail(e.message, 2);
    if (e instanceof UsageError) fail(e.message, 2);
    // The input is too large for exact mining within the memory limit: the user must scope it.
    if (e instanceof CoreError && e.code === STATUS.ERR_TOO_LARGE) fail(e.message, 2);
    // parseArgs reports unknown options and missing values with these codes.
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) fail((e as Error).message, 2);
    fail(`internal error: ${(e as Error)?.stack ?? String(e)}`, 1);
  },
);

/** summary.json's `attributeMining`: what the top-down pass found and what became of it. */
function attributeSummary(paths: string[][], threshold: number, minMembers: number, a: AttributeRoles, model: RoleModel, entitlements: string[]): Record<string, unknown> {
  const origin = model.roles.origin ?? new Int32Array(0);
  let kept = 0;
  let leftOut = 0;
  for (let r = 0; r < model.roles.count; r++) {
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
