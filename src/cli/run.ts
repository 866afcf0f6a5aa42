/**
 * The `rolemill` commands: a thin shell over the library, run by src/cli/main.ts (the bin) or in
 * process by the tests. `runCli` returns the exit code: 0 done, 2 bad input, usage or destination
 * (a one-line message naming the file), 130 interrupted, 1 internal error (a bug: the stack trace
 * only with --debug). Results go to files; a short report to stdout; progress and errors to stderr.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { readGrants } from '../ingest/index.js';
import { createEngine } from '../engine/node.js';
import { estimateMemory } from '../engine/engine.js';
import { writeRun, writeTables } from '../output/write.js';
import { generateEnterprise } from '../generate.js';
import { writeEnterpriseFiles } from '../generate/write.js';
import { addGovernance, writeGovernanceFiles } from '../generate/governance.js';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { AbortError, CoreError, InputError, OutputError, UsageError } from '../errors.js';
import { checkOutput, writeOutput } from '../output/dest.js';
import { runMine, governanceWarnings, withReview, type Run } from '../pipeline/mine.js';
import { runEvaluate } from '../pipeline/evaluate.js';
import { diffModels } from '../pipeline/diff.js';
import { readModel, readModelTable } from '../model/read.js';
import { VERSION } from '../version.js';
import { choice, closest, decimal, parseOptions, toleranceValue, wholeNumber } from './args.js';
import { printable, progressReporter, PROCESS_IO, type CliIO } from './terminal.js';
import { osReason } from '../ingest/os-reason.js';
import { STATUS } from '../engine/abi.js';
import { peerGroupsInWorker } from '../analysis/peers-async.js';
import { joinIdentities } from '../analysis/identities.js';
import { readIdentities } from '../ingest/node.js';
import { prepareGovernance, type GovernanceOptions } from '../governance/prepare.js';
import { explain } from '../governance/groups.js';
import type { InputFormat } from '../types.js';
import { writeFolderReport } from '../report/folder.js';
import { exportFormatsOf, governanceFlags, mineFlags, GOVERNANCE_OPTIONS } from './flags.js';
import { reviewFromDiff } from '../review/review.js';
import { deliverablesFor } from '../output/files.js';
import type { ExportFormat } from '../export/index.js';
import type { OutTable } from '../model/tables.js';
import { exactRolesNote } from '../model/model.js';


const HELP = `rolemill ${VERSION}: mine a role model from observed access

Usage:
  rolemill mine <grants-file> [options]     mine roles, verify them, write the model
  rolemill evaluate <grants-file> --model DIR [options]
                                            what-if of a model folder (mined, then reviewed: rows
                                            deleted, roles renamed, a status column approved /
                                            rejected / draft) on these grants: the same tables as
                                            mine plus impact (gain / lose per grant)
  rolemill diff PREV_DIR NEW_DIR [--out DIR] [--identities-before F --identities-after F]
                                            two snapshots' models compared: role_changes,
                                            identity_changes (joiner, leaver, mover, changed),
                                            remediation (leaver_access, mover_leftover,
                                            new_exception, resolved)
  rolemill report DIR [--out FILE]          report.html of an output folder (mine, evaluate, diff),
                                            drawn from its files: into DIR (its manifest updated)
                                            or to FILE
  rolemill check <grants-file> [options]    the data-quality report of the inputs, without mining
                                            (readable lines; --json for JSON)
  rolemill explain <grants-file> --identity X --entitlement Y [--memberships FILE] [--model DIR]
                                            why X (an account, or a person of the model) holds
                                            Y: directly, or through which groups; with --model,
                                            which roles give it there or why it is an exception
  rolemill generate --identities N [--seed S] [--out DIR] [--snapshots K]
                                            write a synthetic enterprise with its planted truth
                                            (with --snapshots: K snapshots of it over time)
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
  --tolerance auto|N         approx: how many of a role's entitlements a member may lack, each
                             listed as an over-assignment for review; auto (default): decided per
                             identity from the evidence (README, "Membership"); 0: never
  --significance R           approx: a role's shared access must be less likely than R by chance,
                             over all candidates tried (default 0.01; 0: no test)
  --identity-column NAME     column holding identities (default identity)
  --entitlement-column NAME  column holding entitlements (default entitlement)
  --input-format FMT         csv, arrow, parquet or pairs (default: detected from content/extension)
  --format csv|arrow|json    output table format (default csv)
  --no-timings               leave timings out of summary.json (byte-identical reruns)
  --component-limit MIB      most bitset memory exact mining may use for one component (default 1536)
  --memory-limit MIB         most WebAssembly memory a run may need (default 4096): a larger input
                             fails at once, with advice, instead of running out of memory halfway
  --workers N                threads for CSV reading, approx mining's candidate phase and exact
                             mining's connected components (default: the available cores, one
                             fewer for exact mining; 1: none); the output is the same whatever N is
  --identities FILE          identities CSV (identity column plus attributes such as department,
                             title, location): roles get names, business kind, quality 0-100
  --identity-key NAME        key column of the identities file (default identity)
  --by A[,B...]|auto|none    approx, with --identities: mine top-down first. For each value of A,
                             then each (A, B) combination, ..., the entitlements held by at least
                             --by-threshold of its identities (and not given by a coarser role) form
                             a business role; repeat --by for other paths (--by department,title
                             --by location). What they leave is mined bottom-up as usual.
                             --by auto (alone; the default with --identities): the paths chosen
                             from the data, the attributes that explain access, nested where their
                             values nest; summary.json attributeMining.auto says why each
                             attribute was used or ignored. --by none: bottom-up only
  --baseline DIR             the previous snapshot's output: a role continuing one of its roles
                             (entitlement Jaccard >= 0.5, optimal one-to-one matching) keeps its
                             id and name; new roles get ids the lineage never used
  --roles DIR                approx: mine on top of a reviewed model folder: roles with status
                             approved are kept exactly (ids, names, entitlements), drafts are
                             refined (the closest mined role takes the draft's id and name),
                             rejected ones ignored, the rest mined; role_suggestions lists what to
                             add to, remove from or merge in the given roles
  --by-threshold R           share of a group that must hold an entitlement (default 0.8)
  --by-min-members N         smallest group mined (default 5)
  --no-peers                 skip peer groups and outlier scores (identities.csv keeps roles and
                             unexplained grants)
  --export F[,F]             role exports for governance systems into OUT/export/: midpoint
                             (RoleType objects, business-role archetype, draft; for ninja import),
                             sailpoint (Identity Security Cloud role import CSV), scim (JSON)
  --review-split             also one review file per reviewer in OUT/review/
  --app-owners FILE          application,owner CSV: the reviewer of an application's grants when
                             the identity has no manager
  --no-report                skip report.html
  --quiet                    no progress on stderr

evaluate options:
  --model DIR                the model folder (roles, role_entitlements, assignments if present)
  --out DIR                  output directory (default ./rolemill-evaluation)
  --tolerance auto|N         identities the folder does not assign get a role when they lack at
                             most N of its entitlements (never half of them; default 0; auto: one
                             of up to 5, a third of more), marked proposed in assignments
  --format, --no-timings, --no-peers, --quiet, --identities, --memberships, --export,
  --review-split, --app-owners, --no-report: as for mine

governance options (mine, evaluate, check, explain):
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
  --snapshots K              K snapshots of one enterprise over time, DIR/t0 .. DIR/t{K-1}, each a
                             sample (identities.csv gains status) with its changes in
                             truth/changes/: per step 5% movers (new job's roles, old grants kept),
                             3% leavers (terminated, grants kept; removed the step after), 5%
                             joiners, a role gaining and one losing an entitlement, an application
                             retired every other step, fresh strays at --stray-rate

Input: CSV with a header, Arrow IPC (file or stream), Parquet, or whitespace-separated integer
pairs (the HP research datasets); an optional last_used column. Output files: roles,
role_entitlements, assignments, exceptions, identities, accounts, lineage (with --memberships),
review (one row per item a reviewer decides: reviewer, recommendation, rule, evidence)
(.csv/.arrow/.json), summary.json and report.html (self-contained: open it in a browser). In CSV output, values starting with = + - @ tab
CR or ' are prefixed with ' (see README, "Output").`;

async function mine(argv: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseOptions(argv, {
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
      significance: { type: 'string' },
      objective: { type: 'string', default: 'roles' },
      format: { type: 'string', default: 'csv' },
      'no-timings': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'component-limit': { type: 'string' },
      'memory-limit': { type: 'string' },
      workers: { type: 'string' },
      'privileged-share': { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
      'no-report': { type: 'boolean', default: false },
      export: { type: 'string', multiple: true },
      'review-split': { type: 'boolean', default: false },
      'app-owners': { type: 'string' },
      by: { type: 'string', multiple: true },
      roles: { type: 'string' },
      baseline: { type: 'string' },
      'by-threshold': { type: 'string' },
      'by-min-members': { type: 'string' },
      ...GOVERNANCE_OPTIONS,
  }, 'mine');
  if (positionals.length !== 1) throw new UsageError(`mine takes one grants file, got ${positionals.length}`);
  const limit = wholeNumber('component-limit', values['component-limit'], 0, 4096, ' of MiB');
  const memLimit = wholeNumber('memory-limit', values['memory-limit'], 1, 4096, ' of MiB');
  const workers = workerCount(values.workers, io, values.quiet!);
  const { mode, objective, knobs, format, by, byPaths, byNone, privilegedShare: privShare } = mineFlags(values, values.identities !== undefined);
  if (values.roles && mode !== 'approx') throw new UsageError('--roles applies to --mode approx only');
  if (values.roles && values.baseline) throw new UsageError('--roles and --baseline cannot be combined yet');
  if (values.roles && byPaths.length > 0 && !byNone) throw new UsageError('--roles and --by cannot be combined yet: mine by attributes first, review, then mine again with --roles');
  const report = progressReporter(values.quiet!, io);
  const checked = governanceFlags(values);
  const exportFormats = exportFormatsOf(values.export);
  const inputFiles = [positionals[0]!, values.identities, values.memberships, values.roles, values.baseline, values['app-owners']].filter((f): f is string => f !== undefined);
  // The destination is checked before anything is read: a folder rolemill may not replace, or one
  // it cannot write, fails now rather than after the work.
  await checkOutput(values.out!, { inputs: inputFiles, kind: 'model' });
  checkMemoryBeforeReading(positionals[0]!, memLimit ?? 4096);
  const owners = values['app-owners'] ? await readOwners(values['app-owners']) : undefined;
  const givenRoles = values.roles ? await readModel(values.roles) : null;
  const baseline = values.baseline ? await readModel(values.baseline) : null;
  const baselineIdsUsed = values.baseline ? idsUsedBy(values.baseline) : [];
  const t0 = performance.now();
  const inputs = await readInputs(positionals[0]!, checked, report, workers);
  const { grants } = inputs;
  const readMs = performance.now() - t0;
  const readBytes = statSync(positionals[0]!).size;
  const peersOn = !values['no-peers'];
  const engine = await createEngine({
    ...(limit !== undefined ? { componentLimitMiB: limit } : {}),
    ...(memLimit !== undefined ? { memoryLimitMiB: memLimit } : {}),
    // The pool uses every core, also while the peer-group worker runs: this thread only waits on
    // the pool meanwhile. On the 2-core machine a pool of 2 beside the peer groups ran the 10M
    // default run in 33.4 s against 36.6 s for mining alone (3 alternating rounds, 2026-12-02;
    // before the peer groups got faster, leaving them a core had paid off).
    workers,
  });
  const mineInputs = { grants, identities: inputs.table, memberships: inputs.memberships };
  let run: Run;
  try {
    run = await runMine(
      mineInputs,
      {
        mode,
        objective,
        approx: knobs,
        governance: checked.governance,
        ...(by ? { by } : {}),
        ...(privShare !== undefined ? { privilegedShare: privShare } : {}),
        ...(givenRoles ? { roles: givenRoles } : {}),
        ...(baseline ? { baseline, baselineIdsUsed } : {}),
        peers: peersOn,
        ...(owners ? { owners } : {}),
        // Made while the other tables are written (writeRun's `later`, below).
        review: false,
        // On a worker thread, while this one mines.
        peerRunner: (input) => peerGroupsInWorker(input, {}, undefined, true),
        onProgress: report,
      },
      engine,
    );
  } finally {
    engine.dispose();
  }
  const { model } = run;
  model.summary.timings = {
    readMs: Math.round(readMs * 10) / 10,
    // Ingest throughput over the grants file (identities and memberships files included in the time).
    readRowsPerSecond: Math.round(grants.rows / (readMs / 1000)),
    readMiBPerSecond: Math.round((readBytes / 2 ** 20 / (readMs / 1000)) * 10) / 10,
    ...model.summary.timings,
  };
  if (!values.quiet) {
    if (io.tty) io.err('\r\x1b[K');
    for (const n of run.notices) io.err(`rolemill: ${printable(n)}\n`);
    for (const w of run.warnings) io.err(`rolemill: warning: ${printable(w)}\n`);
  }
  const t1 = performance.now();
  report('write', 0);
  await withInterrupts(values.out!, (signal) =>
    writeRun(values.out!, run, {
      format,
      inputs: inputFiles,
      signal,
      omitTimings: values['no-timings']!,
      onProgress: (f) => report('write', f),
      command: ['mine', ...argv],
      ...deliverables('mine', values, null, exportFormats),
      // The review (one row per exception, src/review/review.ts) is made on this thread while the
      // other tables are written on theirs; it is written after them, as the last extra table.
      tableThread: 'auto',
      later: () => {
        report('review', 0); // the tables' progress shows again once it is made
        const review = withReview(run, mineInputs, { ...(owners ? { owners } : {}), governance: checked.governance }).extraTables.at(-1)!;
        const split = deliverables('mine', values, review, exportFormats).tableFiles;
        return { tables: [review], ...(split ? { tableFiles: split } : {}) };
      },
    }),
  );
  if (!values.quiet && io.tty) io.err('\r\x1b[K');
  const m = model.summary.model;
  io.out(
    inputLines(run, positionals[0]!) +
      `${m.roles} roles${model.summary.mining.mode === 'exact' ? exactRolesNote(m) : ''}, WSC ${m.wsc}, ` +
      `coverage ${(m.coverage * 100).toFixed(2)}%, ${m.unexplainedGrants} unexplained grants (exceptions), ${m.overAssigned} over-assigned\n` +
      `read ${grants.rows} rows in ${Math.round(readMs)} ms (${Math.round(grants.rows / (readMs / 1000))} rows/s, ${(readBytes / 2 ** 20 / (readMs / 1000)).toFixed(1)} MiB/s)\n` +
      `written to ${values.out} in ${Math.round(performance.now() - t0)} ms (write ${Math.round(performance.now() - t1)} ms)\n`,
  );
}


/** Reads the identities file (first: a bad one fails before anything heavy), the memberships and the grants, and turns the flags into governance options. */
/** The role ids a baseline folder's lineage used (its summary.json `baseline.idsUsed`), or none. */
function idsUsedBy(dir: string): string[] {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { baseline?: { idsUsed?: unknown } };
    const ids = s.baseline?.idsUsed;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return []; // no summary (a folder assembled by hand): the folder's own ids are still never reused
  }
}

/**
 * What separates the file's counts from the model's, in two lines: rows and duplicates, effective
 * grants (through groups) of accounts, what scope leaves, accounts merged into people, and what is
 * set aside for review. The same figures as `check` and summary.json's dataQuality.
 */
function inputLines(run: Run, file: string): string {
  const q = run.prepared.report as { grants: { rows: number; duplicates: number; effective: number; inScope: number; mined: number; setAside: number }; setAside: Record<string, { count: number }> };
  const g = q.grants;
  const p = run.prepared;
  const accounts = p.accounts.names.length;
  const identities = p.names.length;
  const merged = accounts - identities;
  const shared = g.inScope - run.model.summary.input.grants; // grants two accounts of one person both hold, counted once
  const aside = Object.entries(q.setAside).filter(([, v]) => v.count > 0).map(([k, v]) => `${k} ${v.count}`);
  const n = (x: number) => x.toLocaleString('en-US');
  return (
    `${printable(file)}: ${n(g.rows)} rows, ${n(g.duplicates)} duplicates; ${n(g.effective)} effective grants${p.expansion ? ' (through groups)' : ''} of ${n(accounts)} accounts\n` +
    `in scope: ${n(g.inScope)} grants of ${n(p.effective.entitlements.length)} entitlements; ${n(identities)} identities${merged > 0 ? ` (${n(merged)} accounts merged into their people${shared > 0 ? `, ${n(shared)} grants held by two of a person's accounts counted once` : ''})` : ''}; ` +
    `${n(g.mined)} mined, ${n(g.setAside)} set aside for review${aside.length ? ` (${aside.join(', ')})` : ''}\n`
  );
}

/** Reads the identities file (first: a bad one fails before anything heavy), the memberships and the grants. */
async function readInputs(path: string, checked: ReturnType<typeof governanceFlags>, report: (phase: string, f: number) => void, workers = availableParallelism()) {
  const { values, inputFormat } = checked;
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
  const governance: GovernanceOptions = { memberships, table, ...checked.governance };
  return { table, memberships, grants, governance };
}

/**
 * `--workers`: a whole number ≥ 1; more than the machine's cores is clamped to them, with a notice
 * (extra threads only contend). Default: the available cores.
 */
function workerCount(v: string | undefined, io: CliIO, quiet: boolean): number {
  const cores = availableParallelism();
  const n = wholeNumber('workers', v, 1);
  if (n === undefined) return cores;
  if (n > cores) {
    if (!quiet) io.err(`rolemill: --workers ${n} is more than the ${cores} cores here; using ${cores}\n`);
    return cores;
  }
  return n;
}

/**
 * Before reading: a grants file so large that even at its sampled bytes per row it would need over
 * twice the memory limit fails now, not after minutes of reading (the exact check after reading
 * stays). Rows are estimated from the first 64 KiB of a CSV or pairs file; Arrow and Parquet are
 * checked after reading.
 */
function checkMemoryBeforeReading(path: string, limitMiB: number): void {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return; // the reader says what is wrong with it
    size = st.size;
  } catch {
    return;
  }
  if (size < 64 << 20) return;
  const head = Buffer.alloc(64 << 10);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const text = head.subarray(0, n);
  if (text.subarray(0, 6).toString('latin1') === 'ARROW1' || text.subarray(0, 4).toString('latin1') === 'PAR1') return;
  let lines = 0;
  for (const b of text) if (b === 10) lines++;
  if (lines < 100) return;
  const rows = Math.floor(size / (n / lines));
  const need = estimateMemory(rows);
  if (need > 2 * limitMiB * 2 ** 20) {
    throw new InputError(
      `about ${rows.toLocaleString('en-US')} grant rows (${(size / 2 ** 30).toFixed(1)} GiB at ${(n / lines).toFixed(0)} bytes per row, from its first 64 KiB) would need about ${Math.ceil(need / 2 ** 20)} MiB of WebAssembly memory, over the ${limitMiB} MiB limit; scope the input (--include-app, --exclude-entitlement, --where) or split it`,
      path,
    );
  }
}

/** `rolemill evaluate`: a what-if of a model folder (mined, then reviewed) on a snapshot of grants. */
async function evaluateCommand(argv: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseOptions(argv, {
    model: { type: 'string' },
    out: { type: 'string', default: 'rolemill-evaluation' },
    tolerance: { type: 'string' },
    format: { type: 'string', default: 'csv' },
    'no-timings': { type: 'boolean', default: false },
    'no-peers': { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
    export: { type: 'string', multiple: true },
    'review-split': { type: 'boolean', default: false },
    'app-owners': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    ...GOVERNANCE_OPTIONS,
  }, 'evaluate');
  if (positionals.length !== 1) throw new UsageError(`evaluate takes one grants file, got ${positionals.length}`);
  if (!values.model) throw new UsageError('evaluate needs --model DIR (a folder written by rolemill mine, reviewed or not)');
  const tolerance = toleranceValue(values.tolerance);
  const format = choice('format', values.format, ['csv', 'arrow', 'json'] as const)!;
  const report = progressReporter(values.quiet!, io);
  const checked = governanceFlags(values);
  const exportFormats = exportFormatsOf(values.export);
  const inputFiles = [positionals[0]!, values.model, values.identities, values.memberships, values['app-owners']].filter((f): f is string => f !== undefined);
  await checkOutput(values.out!, { inputs: inputFiles, kind: 'model' });
  const owners = values['app-owners'] ? await readOwners(values['app-owners']) : undefined;
  const folder = await readModel(values.model);
  const inputs = await readInputs(positionals[0]!, checked, report);
  const ev = await runEvaluate(
    { grants: inputs.grants, identities: inputs.table, memberships: inputs.memberships },
    folder,
    { governance: checked.governance, ...(tolerance !== undefined ? { tolerance } : {}), ...(owners ? { owners } : {}), peers: !values['no-peers'], peerRunner: (input) => peerGroupsInWorker(input, {}, undefined, true), onProgress: report },
  );
  if (!values.quiet) {
    if (io.tty) io.err('\r\x1b[K');
    for (const n of ev.notices) io.err(`rolemill: ${printable(n)}\n`);
    for (const w of ev.warnings) io.err(`rolemill: warning: ${printable(w)}\n`);
  }
  await withInterrupts(values.out!, (signal) =>
    writeRun(values.out!, { ...ev, extraTables: [...ev.extraTables, ev.impact] }, { format, inputs: inputFiles, signal, omitTimings: values['no-timings']!, onProgress: (f) => report('write', f), command: ['evaluate', ...argv], ...deliverables('evaluate', values, ev.extraTables.find((t) => t.name === 'review') ?? null, exportFormats) }),
  );
  const m = ev.model.summary.model;
  const e = ev.model.summary.evaluation!;
  io.out(
    `${m.roles} roles from ${values.model}${e.rejectedRoles ? ` (${e.rejectedRoles} rejected, left out)` : ''}: ${e.assignmentsGiven} assignments given, ${e.assignmentsProposed} proposed by the membership rule\n` +
      `coverage ${(m.coverage * 100).toFixed(2)}% of ${ev.model.summary.input.grants} grants; enforcing the model: ${e.gains} grants gained, ${e.losses} lost (impact.${format})\n` +
      `written to ${values.out}\n`,
  );
}

/** `rolemill diff PREV_DIR NEW_DIR`: two snapshots' models compared (src/pipeline/diff.ts). */
async function diffCommand(argv: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseOptions(argv, {
    out: { type: 'string', default: 'rolemill-diff' },
    'identities-before': { type: 'string' },
    'identities-after': { type: 'string' },
    'identity-key': { type: 'string' },
    format: { type: 'string', default: 'csv' },
    'no-report': { type: 'boolean', default: false },
    'review-split': { type: 'boolean', default: false },
    'app-owners': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  }, 'diff');
  if (positionals.length !== 2) throw new UsageError(`diff takes two model folders (the previous snapshot's, then the new one's), got ${positionals.length}`);
  const format = choice('format', values.format, ['csv', 'arrow', 'json'] as const)!;
  const [prevDir, nextDir] = positionals as [string, string];
  const inputs = [prevDir, nextDir, values['identities-before'], values['identities-after'], values['app-owners']].filter((f): f is string => f !== undefined);
  await checkOutput(values.out!, { inputs, kind: 'diff' });
  const owners = values['app-owners'] ? await readOwners(values['app-owners']) : undefined;
  const [prev, next] = [await readModel(prevDir), await readModel(nextDir)];
  const keyed = values['identity-key'] ? { keyColumn: values['identity-key'] } : {};
  const diffInputs = {
    prev,
    next,
    prevExceptions: await readModelTable(prev, 'exceptions'),
    nextExceptions: await readModelTable(next, 'exceptions'),
    prevAccounts: await readModelTable(prev, 'accounts'),
    nextAccounts: await readModelTable(next, 'accounts'),
    prevIdentities: values['identities-before'] ? await readIdentities(values['identities-before'], keyed) : null,
    nextIdentities: values['identities-after'] ? await readIdentities(values['identities-after'], keyed) : null,
  };
  const d = diffModels(diffInputs);
  const review = reviewFromDiff(d, diffInputs, owners ? { owners } : {});
  await withInterrupts(values.out!, (signal) =>
    writeTables(values.out!, [d.roleChanges, d.identityChanges, d.remediation, review], d.summary, { kind: 'diff', format, inputs, signal, command: ['diff', ...argv], ...deliverables('diff', values, review, []) }),
  );
  const s = d.summary;
  io.out(
    `roles: ${s.roles.kept} kept, ${s.roles.changed} changed, ${s.roles.added} added, ${s.roles.removed} removed (stability ${(s.stability.continued * 100).toFixed(1)}%, mean Jaccard ${s.stability.meanJaccard})\n` +
      `identities: ${s.identities.joiners} joiners, ${s.identities.leavers} leavers, ${s.identities.movers} movers, ${s.identities.changed} with other roles\n` +
      `remediation: ${Object.entries(s.remediation).map(([k, v]) => `${v} ${k}`).join(', ')}; exceptions ${s.exceptions.before} then, ${s.exceptions.after} now\n` +
      `written to ${values.out}\n`,
  );
}

/** `--app-owners FILE`: a CSV with columns application and owner (the reviewer of an application's grants when the identity has no manager). */
async function readOwners(path: string): Promise<Map<string, string>> {
  const t = await readIdentities(path, { keyColumn: 'application' });
  const owner = t.attributes.find((a) => a.name === 'owner');
  if (!owner) throw new InputError(`has no owner column (an application owners file has columns application and owner)`, t.source);
  const out = new Map<string, string>();
  t.keys.forEach((app, k) => {
    const o = owner.values[owner.codes[k]!]!;
    if (o.trim() !== '') out.set(app, o);
  });
  return out;
}

/** What a mine, evaluate or diff output carries beside its tables (deliverablesFor), from the flags. */
function deliverables(kind: 'mine' | 'evaluate' | 'diff', values: { 'no-report'?: boolean | undefined; 'review-split'?: boolean | undefined }, review: OutTable | null, exportFormats: ExportFormat[]) {
  // report.html on a worker thread while the tables are written, for a large output (the same bytes).
  return { ...deliverablesFor(kind, { review, reviewSplit: values['review-split'] === true, exports: exportFormats, report: !values['no-report'] }), reportThread: 'auto' as const };
}

/** `rolemill report DIR [--out FILE]`: report.html of an output folder, from its files. */
async function reportCommand(argv: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseOptions(argv, { out: { type: 'string' }, quiet: { type: 'boolean', default: false } }, 'report');
  if (positionals.length !== 1) throw new UsageError(`report takes one output folder (written by mine, evaluate or diff), got ${positionals.length}`);
  const path = await writeFolderReport(positionals[0]!, values.out);
  io.out(`written ${path}\n`);
}

/** `rolemill check`: the data-quality report of the inputs, without mining. */
async function check(argv: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseOptions(argv, { ...GOVERNANCE_OPTIONS, quiet: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, 'check');
  if (positionals.length !== 1) throw new UsageError(`check takes one grants file, got ${positionals.length}`);
  const checked = governanceFlags(values);
  const report = progressReporter(values.quiet!, io);
  const inputs = await readInputs(positionals[0]!, checked, report);
  const prep = prepareGovernance(inputs.grants, inputs.governance);
  if (!values.quiet && io.tty) io.err('\r\x1b[K');
  for (const n of prep.notices) if (!values.quiet) io.err(`rolemill: ${printable(n)}\n`);
  for (const w of governanceWarnings(prep)) if (!values.quiet) io.err(`rolemill: warning: ${printable(w)}\n`);
  const out: Record<string, unknown> = { input: { source: inputs.grants.source, format: inputs.grants.format, rows: inputs.grants.rows }, ...prep.report };
  if (inputs.table) {
    const join = joinIdentities(inputs.table, prep.accounts.names);
    out['identitiesFile'] = { source: inputs.table.source, rows: inputs.table.keys.length, matched: join.matched, warnings: join.warnings };
  }
  // JSON escapes control characters itself; the readable lines show them escaped.
  io.out(values.json ? JSON.stringify(out, null, 2) + '\n' : printable(readable(out)).replaceAll('\\n', '\n'));
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

/**
 * `rolemill explain`: why an identity (or account) holds an entitlement: directly or through which
 * chains of groups; with `--model DIR`, also which of its roles there give it, or why it is an
 * exception there.
 */
async function explainCommand(argv: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseOptions(argv, { ...GOVERNANCE_OPTIONS, identity: { type: 'string' }, entitlement: { type: 'string' }, model: { type: 'string' }, quiet: { type: 'boolean', default: false } }, 'explain');
  if (positionals.length !== 1) throw new UsageError(`explain takes one grants file, got ${positionals.length}`);
  if (!values.identity || !values.entitlement) throw new UsageError('explain needs --identity NAME and --entitlement NAME');
  const folder = values.model ? await readModel(values.model) : null;
  const checked = governanceFlags(values);
  const inputs = await readInputs(positionals[0]!, checked, () => undefined);
  const raw = inputs.grants;
  const what = values.entitlement;
  // The name given may be an account (as in the grants) or a model identity (a person merged from
  // several accounts): explain every account of that identity. The governance pass expands the
  // groups once; its expansion gives the lineages.
  const prep = prepareGovernance(raw, inputs.governance);
  const x = prep.expansion;
  const asked = values.identity;
  const accountIndex = prep.accounts.names.indexOf(asked);
  const identity = accountIndex >= 0 ? prep.names[prep.identityOf[accountIndex]!]! : prep.names.includes(asked) ? asked : null;
  const accounts = identity === null ? [asked] : prep.accounts.names.filter((_, a) => prep.names[prep.identityOf[a]!] === identity);
  const E = printable(what);
  const ways = (who: string): string[] => {
    if (x) return explain(x, raw, who, what);
    const i = raw.identities.indexOf(who);
    const e = raw.entitlements.indexOf(what);
    for (let k = 0; k < raw.rows && i >= 0 && e >= 0; k++) if (raw.identity[k] === i && raw.entitlement[k] === e) return ['direct'];
    return [];
  };
  if (identity !== null && identity !== asked) io.out(`${printable(asked)} is an account of ${printable(identity)} in the model\n`);
  if (identity !== null && identity === asked && accounts.length > 1) io.out(`${printable(asked)} is a person with accounts ${accounts.map(printable).join(', ')}\n`);
  let holds = false;
  for (const who of accounts) {
    const w = ways(who);
    const W = printable(who);
    if (w.length === 0) {
      const known = (x ? x.grants.identities : raw.identities).includes(who);
      io.out(`${W} does not hold ${E}${known ? '' : ` (no identity named ${W} in ${printable(raw.source)}${inputs.memberships ? ' or the memberships' : ''})`}\n`);
      continue;
    }
    holds = true;
    io.out(`${W} holds ${E}:\n`);
    for (const v of w) io.out(v === 'direct' ? '  directly (a grant row of its own)\n' : `  as a member of ${printable(v)} (${printable(v.split(' > ').pop()!)} is granted ${E})\n`);
  }
  if (!folder || identity === null) return;
  const I = printable(identity);
  const mine = new Set((folder.assignments ?? []).filter((a) => a.identity === identity || accounts.includes(a.identity)).map((a) => a.role));
  const giving = folder.roles.filter((r) => mine.has(r.id) && r.entitlements.includes(what));
  if (giving.length) {
    io.out(`in ${printable(values.model!)}: given to ${I} by ${giving.map((r) => `${printable(r.id)}${r.name ? ` (${printable(r.name)})` : ''}`).join(', ')}\n`);
  }
  const exceptions = await readModelTable(folder, 'exceptions');
  const listed = (exceptions ?? []).filter((r) => r['identity'] === identity && r['entitlement'] === what);
  for (const r of listed) {
    const why = EXCEPTION_WHY[r['reason'] ?? ''] ?? r['reason'];
    io.out(`in ${printable(values.model!)}: an exception for ${I}, reason ${printable(r['reason'] ?? '')}${why ? `: ${why}` : ''}\n`);
  }
  if (!giving.length && !listed.length) io.out(`in ${printable(values.model!)}: ${holds ? `no role of ${I} gives it and it is not listed as an exception (the model was mined from other grants?)` : `no role of ${I} gives it`}\n`);
}

/** What each exception reason means, for explain. */
const EXCEPTION_WHY: Record<string, string> = {
  unexplained: 'the entitlement is in no role, though enough identities hold it to form one',
  rare_entitlement: 'fewer identities hold the entitlement than a role needs (--min-members)',
  outside_roles: 'roles hold the entitlement, but none of this identity\'s roles',
  over_assigned: 'a role of this identity gives it, and it is not held: granted by the role, never provisioned',
  outlier: 'this identity\'s peer group does not hold the entitlement',
  orphan: 'the account has no HR record (--keep-orphans mines it)',
  'non-human': 'a non-human account left out (--non-human exclude)',
  dormant: 'not used for longer than --dormant-days',
  privileged: 'a privileged entitlement that not every member of a role holds',
  terminated: 'the account\'s person has left (--exclude-terminated)',
};

async function generate(argv: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseOptions(argv, {
    identities: { type: 'string' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'rolemill-sample' },
    'stray-rate': { type: 'string' },
    'missing-rate': { type: 'string' },
    governance: { type: 'boolean', default: false },
    snapshots: { type: 'string' },
  }, 'generate');
  if (positionals.length) throw new UsageError(`generate takes no positional arguments, got '${printable(positionals[0]!)}'`);
  const identities = wholeNumber('identities', values.identities, 1, 10_000_000);
  if (identities === undefined) throw new UsageError('generate needs --identities N');
  const seed = wholeNumber('seed', values.seed, 0, 2 ** 32 - 1)!;
  const stray = decimal('stray-rate', values['stray-rate'], 0, 1);
  const missing = decimal('missing-rate', values['missing-rate'], 0, 1);
  const snapshots = wholeNumber('snapshots', values.snapshots, 1, 1000);
  if (snapshots !== undefined && values.governance) throw new UsageError('--snapshots and --governance cannot be combined yet');
  // Snapshots hold every identity's grants as a set while they step (src/generate/snapshots.ts).
  if (snapshots !== undefined && identities > 1_000_000) throw new UsageError(`--identities must be a whole number in [1, 1000000] with --snapshots, got '${printable(values.identities!)}'`);
  const out = values.out!;
  await checkOutput(out, { kind: 'sample' });
  if (snapshots !== undefined) {
    // One output of kind 'sample' holding t0 .. t{K-1}: written whole, or not at all. (Imported
    // here, so that this function stays the only part of the CLI that knows snapshots.)
    const { writeSnapshotSeries } = await import('../generate/snapshots.js');
    const counts: string[] = [];
    await withInterrupts(out, (signal) =>
      writeOutput(out, { kind: 'sample', signal }, async (tmp) => {
        await writeSnapshotSeries(tmp, {
          identities,
          seed,
          snapshots,
          ...(stray !== undefined ? { strayRate: stray } : {}),
          ...(missing !== undefined ? { missingRate: missing } : {}),
        }, (snap) => counts.push(`t${snap.step}: ${snap.enterprise.grants.identity.length} grants, ${snap.enterprise.identities.length} identities`), signal);
      }),
    );
    io.out(`${snapshots} snapshots written to ${out} (${counts.join('; ')}), each with its change truth in truth/changes/\n`);
    return;
  }
  const e = generateEnterprise({
    identities,
    seed,
    ...(stray !== undefined ? { strayRate: stray } : {}),
    ...(missing !== undefined ? { missingRate: missing } : {}),
  });
  let files: string[] = [];
  let line = '';
  await withInterrupts(out, (signal) =>
    writeOutput(out, { kind: 'sample', signal }, async (tmp) => {
      files = await writeEnterpriseFiles(tmp, e, signal);
      line = `${e.grants.identity.length} grants for ${identities} identities`;
      if (values.governance) {
        // The same enterprise delivered through nested groups, with people, non-human accounts,
        // orphans, terminated access and last-use dates: grants.csv and identities.csv are replaced,
        // grants.arrow (plain grants) removed, and the governance truth added under truth/.
        const g = addGovernance(e, { seed });
        await rm(join(tmp, 'grants.arrow'), { force: true });
        files = await writeGovernanceFiles(tmp, g, signal);
        line = `${g.grants.holder.length} grant rows (accounts and groups) and ${g.memberships.member.length} memberships for ${g.accounts.length} accounts`;
      }
      files = files.map((f) => join(out, relative(tmp, f)));
    }),
  );
  io.out(`${line} written to ${out}: ${files.join(', ')}\n`);
}

/**
 * Runs `write` with SIGINT and SIGTERM turned into an abort of its signal: the write stops at its
 * next chunk, its temporary folder is removed and an earlier output at `out` stays as it was. Only
 * the write phase needs this: before it nothing exists on disk to clean up, so a signal there ends
 * the process at once with the default action (a busy synchronous mining phase could not run a
 * handler anyway).
 */
async function withInterrupts<T>(out: string, write: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  let got: NodeJS.Signals | null = null;
  const on = (sig: NodeJS.Signals) => {
    got = sig;
    ctl.abort();
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await write(ctl.signal);
  } catch (e) {
    if (got && (e instanceof AbortError || (e as Error | null)?.name === 'AbortError')) throw new Interrupted(got, `interrupted by ${got}: nothing was written, ${out} is as it was`);
    throw e;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** A run stopped by a signal: exit 128 + the signal's number, as a shell reports it. */
class Interrupted extends Error {
  constructor(
    readonly signal: NodeJS.Signals,
    message: string,
  ) {
    super(message);
  }
}

const USAGE = `Usage: rolemill mine|evaluate|diff|check|explain|generate ... (rolemill --help for the options)`;

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') return io.out(VERSION + '\n'), 0;
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') return io.out(HELP + '\n'), 0;
  if (cmd === undefined) return io.err(`rolemill: no command given\n${HELP}\n`), 2;
  if (cmd === 'mine') await mine(rest, io);
  else if (cmd === 'generate') await generate(rest, io);
  else if (cmd === 'check') await check(rest, io);
  else if (cmd === 'evaluate') await evaluateCommand(rest, io);
  else if (cmd === 'diff') await diffCommand(rest, io);
  else if (cmd === 'explain') await explainCommand(rest, io);
  else if (cmd === 'report') await reportCommand(rest, io);
  else {
    const near = closest(cmd, ['mine', 'evaluate', 'diff', 'report', 'check', 'explain', 'generate']);
    throw new UsageError(`unknown command '${printable(cmd)}'${near ? `; did you mean ${near}?` : ''} (${USAGE})`);
  }
  return 0;
}

/**
 * Runs one command line and returns its exit code; never throws. A user's mistake (bad input,
 * usage, destination, an operating-system error on a named file) is one line on stderr and exit
 * 2; an interrupt 130 or 143; anything else is a bug: exit 1 with its message, and the stack trace
 * only with --debug (anywhere on the line).
 */
export async function runCli(argv: string[], io: CliIO = PROCESS_IO): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const say = (m: string, e: unknown) => io.err(`rolemill: ${printable(m.replace(/^rolemill: /, ''))}\n${debug && e instanceof Error && e.stack ? `${e.stack}\n` : ''}`);
  try {
    return await dispatch(args, io);
  } catch (e) {
    if (e instanceof Interrupted) return say(e.message, e), e.signal === 'SIGINT' ? 130 : 143;
    if (e instanceof InputError || e instanceof UsageError || e instanceof OutputError) return say(e.message, e), 2;
    // The input is too large for exact mining within the memory limit: the user must scope it.
    if (e instanceof CoreError && e.code === STATUS.ERR_TOO_LARGE) return say(e.message, e), 2;
    // An operating-system error on a named path (a file that vanished, a full disk): the user's to fix.
    const err = e as NodeJS.ErrnoException | null;
    if (err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code) && typeof err.path === 'string') return say(`${err.path}: ${osReason(err)}`, e), 2;
    if (debug) return io.err(`rolemill: internal error: ${(e as Error)?.stack ?? String(e)}\n`), 1;
    return io.err(`rolemill: internal error: ${printable((e as Error)?.message ?? String(e))} (a bug in rolemill: run again with --debug for the stack trace, and report it)\n`), 1;
  }
}
