/**
 * Governance inputs, turned into what is mined and what is set aside for review.
 *
 * Steps, in order (each one counted in the data-quality report, nothing dropped silently):
 * 1. Effective privilege: grants to groups reach their transitive members (groups.ts); without a
 *    memberships file every holder is an account. An identities file whose keys match (almost)
 *    none of these accounts is then an InputError (checkIdentityKeys in accounts.ts: a wrong key
 *    column, not missing HR records).
 * 2. Usage: with a `last_used` column, a grant held only directly and last used more than
 *    `dormantDays` (default 90) before `asOf` is dormant. `asOf` defaults to the latest `last_used`
 *    in the file that is not an outlier (chooseAsOf: dates after a gap of more than 30 days above
 *    the 99th percentile), so the same file always gives the same answer (never the wall clock) and
 *    one bogus 2099 or 9999 date cannot make everything dormant; the choice, its reason and the
 *    outliers are in the report (`asOf`) and in `notices`. An empty value means unknown (not
 *    dormant, counted); a value that is not a date is an InputError naming the file, the data row
 *    and the column; a date after `asOf` (an outlier included) is a use, not dormant. Grants
 *    reached through a group are never dormant: the file dates the group's grant, not the
 *    member's use. An `asOf` option that is not a real YYYY-MM-DD date is a UsageError, with or
 *    without a `last_used` column.
 * 3. Scope: applications (the `application` column of the grant row if present, else the part of
 *    the entitlement name before `appSeparator`) included or excluded, entitlements excluded by
 *    pattern, accounts kept by attribute values (`where`). Out-of-scope grants are dropped from
 *    the run and counted.
 * 4. Accounts: kind, person, status (accounts.ts).
 * 5. Each in-scope effective grant is then either mined or set aside with a reason, the first that
 *    applies: `orphan` (its account has no HR record and is not non-human; unless keepOrphans),
 *    `non-human` (with nonHuman 'exclude'), `terminated` (with excludeTerminated: its account's
 *    status says the person has left), `dormant` (a privileged grant unused; unless keepDormant),
 *    `privileged` (the entitlement matches a privileged pattern). Other dormant grants are mined
 *    (they are held; set aside, they would read to the miner as missing grants) and listed for
 *    review as `dormant` all the same (`dormant`, assemble.ts). Mined grants go to the human input (one identity
 *    per person) or, with nonHuman 'separate' (default), to a non-human input (one identity per
 *    account), mined apart so service accounts never shape human roles.
 *
 * Identity names of the model (its namespace): a human's person, any other account's own name.
 */
import { InputError, UsageError } from '../errors.js';
import { canonicalOrder } from '../ingest/encoder.js';
import { isCanonical } from '../util/names.js';
import { keyIndex, type IdentityTable } from '../ingest/identities.js';
import type { Grants } from '../types.js';
import { applicationOf, checkIdentityKeys, classifyAccounts, DEFAULT_KIND_RULES, HUMAN, KINDS, thousands, UNKNOWN, type Accounts, type KindRules } from './accounts.js';
import { expandGroups, type Expansion } from './groups.js';
import { groupByKey, sortRun } from '../util/group.js';
import { iota, mapU32 } from '../util/typed.js';

/** Entitlements matching any of these are privileged (default; `privileged` option replaces them). */
export const DEFAULT_PRIVILEGED: RegExp[] = [
  /(^|[^a-z])(admin|admins|administrator|administrators|root|owner|owners|superuser|sudo|sudoers|sysadmin|domain[-_ ]admins?|enterprise[-_ ]admins?|global[-_ ]admin)([^a-z]|$)/i,
];

export const SET_ASIDE_REASONS = ['orphan', 'non-human', 'dormant', 'privileged', 'terminated'] as const;
export type SetAsideReason = (typeof SET_ASIDE_REASONS)[number];

export interface Scope {
  includeApps?: string[];
  excludeApps?: string[];
  excludeEntitlements?: RegExp[];
  /** Keep only accounts whose identities row has these values (all of them). */
  where?: { attribute: string; value: string }[];
}

export interface GovernanceOptions {
  memberships?: Grants | null;
  table?: IdentityTable | null;
  rules?: KindRules;
  /** Privileged entitlement patterns (default DEFAULT_PRIVILEGED; [] for none). */
  privileged?: RegExp[];
  /** Days without use after which a direct grant is dormant (default 90). */
  dormantDays?: number;
  /** 'YYYY-MM-DD': the date dormancy is measured from (default: the latest last_used that is not an outlier, see chooseAsOf). */
  asOf?: string;
  keepDormant?: boolean;
  keepOrphans?: boolean;
  /** Set aside the grants of accounts flagged terminated_with_access (reason `terminated`) instead of mining them (default false: flagged, still mined). */
  excludeTerminated?: boolean;
  /** 'separate' (default): non-human accounts mined apart; 'exclude': left out, their grants set aside. */
  nonHuman?: 'separate' | 'exclude';
  scope?: Scope;
  /** Name of the usage column (default last_used). */
  lastUsedColumn?: string;
}

export interface QualityItem {
  count: number;
  examples: string[];
  message?: string;
}

export interface Prepared {
  expansion: Expansion | null;
  /** Effective, in-scope grants of accounts (canonical). */
  effective: Grants;
  accounts: Accounts;
  /** Per account: its identity in the model namespace (index into `names`). */
  identityOf: Uint32Array;
  /** The model's identities, ascending. */
  names: string[];
  /** What is mined: humans by person, non-humans by account (null unless nonHuman 'separate' and some exist). */
  humans: Grants;
  nonHumans: Grants | null;
  /** Dormant grants that are mined (identity over `names`, entitlement): listed for review as `dormant` all the same. */
  dormant: { identity: Uint32Array; entitlement: Uint32Array };
  /** Set-aside grants over `names` x effective.entitlements, with reason codes into SET_ASIDE_REASONS. */
  setAside: { identity: Uint32Array; entitlement: Uint32Array; reason: Uint8Array };
  /** Privileged patterns used. */
  privileged: RegExp[];
  /** Data-quality report: counts with examples (summary.json `dataQuality`); `asOf` is an AsOfChoice. */
  report: Record<string, unknown>;
  /**
   * One line each, for a person to read (the CLI prints them to stderr): what the run decided from
   * the data on its own, today the as-of date when it was not given. Not warnings: nothing is wrong.
   */
  notices: string[];
}

/** How the as-of date of dormancy was chosen: `report.asOf` (summary.json `dataQuality.asOf`). */
export interface AsOfChoice {
  /** 'YYYY-MM-DD', or null when there is none (no grant is then dormant). */
  date: string | null;
  source: 'option' | 'latest last_used' | 'latest last_used excluding outliers' | 'none';
  /** One sentence: why this date. */
  reason: string;
  /** Grant rows whose last_used is an outlier (see chooseAsOf); examples are 'holder entitlement last_used', in file order. */
  outliers: QualityItem;
}

const MAX_EXAMPLES = 5;
const DAY_MS = 86_400_000;
/** chooseAsOf: a step between consecutive distinct dates above the 99th percentile longer than this ends the dates kept. */
export const AS_OF_GAP_DAYS = 30;

/** The asOf option: exactly YYYY-MM-DD and a real day (2026-02-30 is not). */
export function parseAsOfOption(v: string): number {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(v) ? parseDate(v) : null;
  if (t === null) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got '${v}'`);
  return t;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The default as-of date, from the last_used dates alone (a pure function of the file: the machine's
 * clock says nothing about when an export was taken). `days` are the distinct dates (UTC day
 * numbers, ascending), `rows[i]` how many grant rows carry `days[i]`.
 *
 * Rule: take the 99th percentile q of the rows' dates (nearest rank: at most 1%, rounded down, of
 * the rows lie after it). Walk up the distinct dates from q; at the first step to the next date of
 * more than AS_OF_GAP_DAYS (30) days, that date and every later one are outliers. The as-of date
 * is the latest date before them. Why: in a real export the recent uses are many and dense up to
 * the export date (something is used nearly every day), while a bogus date (9999-12-31, 2099-...,
 * a clock a year off) sits alone, months or years after everything else. Requiring the outliers to
 * be at most 1% of the rows and beyond a gap keeps real recent activity: a sparse but continuous
 * tail is never cut, and a 60-day-old bulk followed by a small group of today's uses is cut only if
 * that group is under 1% of the rows and a month apart. Limits: with fewer than 100 dated rows
 * nothing can be an outlier (1% is under one row), and bogus dates on more than 1% of the rows are
 * not caught; the report then shows the date used, and the asOf option overrides it.
 *
 * Returns the index of the latest kept date and the index of the first outlier date (days.length
 * when there is none).
 */
export function chooseAsOf(days: ArrayLike<number>, rows: ArrayLike<number>): { kept: number; firstOutlier: number; percentile: number } {
  const D = days.length;
  let n = 0;
  for (let i = 0; i < D; i++) n += rows[i]!;
  const rank = n - Math.floor(n / 100);
  let p = 0;
  for (let seen = 0; p < D; p++) {
    seen += rows[p]!;
    if (seen >= rank) break;
  }
  let first = D;
  for (let i = p; i + 1 < D; i++) {
    if (days[i + 1]! - days[i]! > AS_OF_GAP_DAYS) {
      first = i + 1;
      break;
    }
  }
  return { kept: first - 1, firstOutlier: first, percentile: p };
}

function parseDate(v: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(v.trim());
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return null;
  return t;
}

export function prepareGovernance(raw: Grants, opts: GovernanceOptions = {}): Prepared {
  const rules = opts.rules ?? DEFAULT_KIND_RULES;
  const privileged = opts.privileged ?? DEFAULT_PRIVILEGED;
  const dormantDays = opts.dormantDays ?? 90;
  if (!(Number.isFinite(dormantDays) && dormantDays >= 0)) throw new UsageError(`dormant days must be a number >= 0, got ${dormantDays}`);
  // Checked first, and whether or not there is a last_used column: a bad date is never ignored.
  const optionMs = opts.asOf !== undefined ? parseAsOfOption(opts.asOf) : null;
  const report: Record<string, unknown> = {};
  const notices: string[] = [];

  // ---- 1. effective grants ----
  const expansion = opts.memberships ? expandGroups(raw, opts.memberships) : null;
  const eff = expansion ? expansion.grants : dedupe(raw);
  const via = expansion ? expansion.via : null;
  const A = eff.identities.length;
  const E = eff.entitlements.length;
  if (expansion) {
    report['groups'] = {
      groups: expansion.stats.groups,
      memberships: expansion.stats.memberships,
      groupGrantRows: expansion.stats.groupGrantRows,
      directGrants: expansion.stats.directGrants,
      inheritedGrants: expansion.stats.inheritedGrants,
      cycles: { count: expansion.cycles.length, examples: expansion.cycles.slice(0, MAX_EXAMPLES).map((c) => c.join(' > ')) },
      warnings: expansion.warnings,
    };
  }

  // The identities file joins to accounts (effective grants' identities, groups expanded) by key.
  if (opts.table) checkIdentityKeys(opts.table, eff.identities, raw.source);

  // ---- 2. usage ----
  const lastCol = opts.lastUsedColumn ?? 'last_used';
  const dormant = new Uint8Array(eff.rows); // per effective grant
  const usage = raw.columns[lastCol];
  let asOfMs: number | null = null;
  if (usage) {
    const dates = usage.values.map((v) => (v.trim() === '' ? NaN : parseDate(v)));
    for (let k = 0; k < usage.codes.length; k++) {
      const d = dates[usage.codes[k]!];
      if (d === null) throw new InputError(`'${usage.values[usage.codes[k]!]}' is not a date (expected YYYY-MM-DD, optionally with a time)`, raw.source, undefined, `${lastCol}, data row ${k + 1}`);
    }
    // Rows per distinct date, ascending (the dates of group grants' rows count: they are dates of the file).
    const perValue = new Uint32Array(usage.values.length);
    for (let k = 0; k < usage.codes.length; k++) perValue[usage.codes[k]!]!++;
    const perDay = new Map<number, number>();
    dates.forEach((d, v) => {
      if (d !== null && !Number.isNaN(d) && perValue[v]! > 0) perDay.set(d / DAY_MS, (perDay.get(d / DAY_MS) ?? 0) + perValue[v]!);
    });
    const days = Float64Array.from(perDay.keys()).sort();
    const choice = chooseAsOf(days, Array.from(days, (d) => perDay.get(d)!));
    const outliers: QualityItem = { count: 0, examples: [] };
    if (choice.firstOutlier < days.length) {
      const from = days[choice.firstOutlier]! * DAY_MS;
      for (let k = 0; k < raw.rows; k++) {
        const d = dates[usage.codes[k]!]!;
        if (Number.isNaN(d) || d < from) continue;
        outliers.count++;
        if (outliers.examples.length < MAX_EXAMPLES) outliers.examples.push(`${raw.identities[raw.identity[k]!]} ${raw.entitlements[raw.entitlement[k]!]} ${usage.values[usage.codes[k]!]!.trim()}`);
      }
    }
    let asOf: AsOfChoice;
    if (optionMs !== null) {
      asOfMs = optionMs;
      asOf = { date: day(optionMs), source: 'option', reason: 'given by the asOf option (--as-of)', outliers };
    } else if (days.length === 0) {
      asOf = { date: null, source: 'none', reason: `no ${lastCol} value in ${raw.source} is a date, so no grant is dormant`, outliers };
      notices.push(`no as-of date: no ${lastCol} value is a date, so no grant is dormant`);
    } else if (outliers.count === 0) {
      asOfMs = days[choice.kept]! * DAY_MS;
      asOf = { date: day(asOfMs), source: 'latest last_used', reason: `the latest ${lastCol} in ${raw.source}: no date is far beyond the rest (no gap of more than ${AS_OF_GAP_DAYS} days above the 99th percentile)`, outliers };
      notices.push(`as-of date ${asOf.date} (the latest ${lastCol})`);
    } else {
      asOfMs = days[choice.kept]! * DAY_MS;
      const from = day(days[choice.firstOutlier]! * DAY_MS);
      const gap = days[choice.firstOutlier]! - days[choice.kept]!;
      asOf = {
        date: day(asOfMs),
        source: 'latest last_used excluding outliers',
        reason:
          `the latest ${lastCol} in ${raw.source}, not counting ${thousands(outliers.count)} grant ${outliers.count === 1 ? 'row' : 'rows'} dated ${from} or later: ` +
          `they follow it by ${thousands(gap)} days, more than the ${AS_OF_GAP_DAYS} allowed above the 99th percentile (${day(days[choice.percentile]! * DAY_MS)}), so they are taken for errors`,
        outliers,
      };
      notices.push(
        `as-of date ${asOf.date} (the latest ${lastCol}; ${thousands(outliers.count)} ${lastCol} ${outliers.count === 1 ? 'date' : 'dates'} far beyond the rest ignored, ` +
          `e.g. ${outliers.examples.slice(0, 3).join(', ')}; --as-of sets the date)`,
      );
    }
    report['asOf'] = asOf;
    // Per (account, entitlement) held directly: dormant when every direct row of it is.
    const accountIndex = new Map<string, number>();
    eff.identities.forEach((n, a) => accountIndex.set(n, a));
    const active = new Set<number>();
    const old = new Set<number>();
    let emptyDates = 0;
    const cutoff = asOfMs === null ? -Infinity : asOfMs - dormantDays * DAY_MS;
    for (let k = 0; k < raw.rows; k++) {
      const a = accountIndex.get(raw.identities[raw.identity[k]!]!);
      if (a === undefined) continue; // a group's grant
      const d = dates[usage.codes[k]!]!;
      const key = a * E + raw.entitlement[k]!;
      if (Number.isNaN(d)) {
        emptyDates++;
        active.add(key);
      } else if (d < cutoff) old.add(key);
      else active.add(key);
    }
    let count = 0;
    const ex: string[] = [];
    for (let k = 0; k < eff.rows; k++) {
      if (via && via[k]! >= 0) continue;
      const key = eff.identity[k]! * E + eff.entitlement[k]!;
      if (old.has(key) && !active.has(key)) {
        dormant[k] = 1;
        count++;
        if (ex.length < MAX_EXAMPLES) ex.push(`${eff.identities[eff.identity[k]!]} ${eff.entitlements[eff.entitlement[k]!]}`);
      }
    }
    report['usage'] = {
      column: lastCol,
      asOf: asOfMs === null ? null : day(asOfMs),
      dormantDays,
      dormantGrants: { count, examples: ex },
      emptyLastUsed: emptyDates,
    };
  } else if (optionMs !== null) {
    const asOf: AsOfChoice = {
      date: day(optionMs),
      source: 'option',
      reason: `given by the asOf option (--as-of); ${raw.source} has no ${lastCol} column, so no grant is dormant`,
      outliers: { count: 0, examples: [] },
    };
    report['asOf'] = asOf;
  }

  // ---- 3. scope ----
  const scope = opts.scope ?? {};
  const inScopeEnt = new Uint8Array(E).fill(1);
  // An entitlement's application: the grants' `application` column (its first non-empty value on
  // a row of that entitlement), else the name's prefix before the separator.
  const appCol = raw.columns['application'];
  const fromCol: (string | undefined)[] = new Array(E);
  if (appCol) {
    for (let k = 0; k < raw.rows; k++) {
      const e = raw.entitlement[k]!;
      const v = appCol.values[appCol.codes[k]!]!;
      if (fromCol[e] === undefined && v !== '') fromCol[e] = v;
    }
  }
  const appOfEnt = eff.entitlements.map((e, k) => {
    return fromCol[k] ?? applicationOf(e, rules.appSeparator);
  });
  const include = scope.includeApps?.length ? new Set(scope.includeApps) : null;
  const exclude = new Set(scope.excludeApps ?? []);
  for (let e = 0; e < E; e++) {
    const app = appOfEnt[e]!;
    if ((include && !include.has(app)) || exclude.has(app) || (scope.excludeEntitlements ?? []).some((p) => p.test(eff.entitlements[e]!))) inScopeEnt[e] = 0;
  }
  const inScopeAcc = new Uint8Array(A).fill(1);
  if (scope.where?.length) {
    if (!opts.table) throw new UsageError('--where needs --identities FILE');
    const index = new Map<string, number>();
    opts.table.keys.forEach((k, r) => index.set(k, r));
    const cols = scope.where.map(({ attribute, value }) => {
      const c = opts.table!.attributes.find((x) => x.name === attribute);
      if (!c) throw new UsageError(`unknown attribute '${attribute}' in ${opts.table!.source}; available attributes: ${opts.table!.attributes.map((x) => `'${x.name}'`).join(', ')}`);
      return { c, value };
    });
    for (let a = 0; a < A; a++) {
      const r = index.get(eff.identities[a]!);
      inScopeAcc[a] = r !== undefined && cols.every(({ c, value }) => c.values[c.codes[r]!] === value) ? 1 : 0;
    }
  }
  let outOfScope = 0;
  // Nothing out of scope when every entitlement and account is in (no scope given): no pass over the grants.
  if (inScopeEnt.includes(0) || inScopeAcc.includes(0)) for (let k = 0; k < eff.rows; k++) if (!(inScopeEnt[eff.entitlement[k]!] && inScopeAcc[eff.identity[k]!])) outOfScope++;
  let scoped: Grants;
  let scopedDormant: Uint8Array;
  if (outOfScope === 0 && eff.identity.length === eff.rows && eff.entitlement.length === eff.rows) {
    // Every grant in scope (no scope given, the usual run): the effective grants as they are, not
    // copied (two arrays of 4 bytes per grant).
    scoped = eff;
    scopedDormant = dormant;
  } else {
    const sIdentity = new Uint32Array(eff.rows);
    const sEntitlement = new Uint32Array(eff.rows);
    const sDormant = new Uint8Array(eff.rows);
    let kept = 0;
    for (let k = 0; k < eff.rows; k++) {
      if (inScopeEnt[eff.entitlement[k]!] && inScopeAcc[eff.identity[k]!]) {
        sIdentity[kept] = eff.identity[k]!;
        sEntitlement[kept] = eff.entitlement[k]!;
        sDormant[kept++] = dormant[k]!;
      }
    }
    scoped = { ...eff, identity: sIdentity.slice(0, kept), entitlement: sEntitlement.slice(0, kept), rows: kept };
    scopedDormant = sDormant.subarray(0, kept);
  }
  // A separator other than ':' is recorded: what reads the output (the report's applications) needs it.
  if (rules.appSeparator !== DEFAULT_KIND_RULES.appSeparator) report['appSeparator'] = rules.appSeparator;
  if (include || exclude.size || scope.excludeEntitlements?.length || scope.where?.length) {
    report['scope'] = {
      includeApps: scope.includeApps ?? [],
      excludeApps: scope.excludeApps ?? [],
      excludeEntitlements: (scope.excludeEntitlements ?? []).map(String),
      where: (scope.where ?? []).map((w) => `${w.attribute}=${w.value}`),
      grantsOutOfScope: outOfScope,
    };
  }

  // ---- 4. accounts ----
  const accounts = classifyAccounts(scoped, opts.table ?? null, rules, appOfEnt);
  const isNonHuman = (a: number) => accounts.kind[a] !== HUMAN && accounts.kind[a] !== UNKNOWN;
  const isOrphan = (a: number) => accounts.orphan[a] === 1;
  const nameOf = (a: number) => (accounts.kind[a] === HUMAN ? accounts.person[a]! : eff.identities[a]!);
  const nameOfAccount = Array.from({ length: A }, (_, a) => nameOf(a));
  let names: string[];
  let identityOf: Uint32Array;
  if (nameOfAccount.every((n, a) => n === eff.identities[a]) && isCanonical(nameOfAccount)) {
    // Every account is its own identity (no person merges two accounts, no person named apart
    // from its account), and the accounts come in canonical order: their names are the identities.
    names = eff.identities; // the accounts' own list: one dictionary for every table naming them
    identityOf = iota(A);
  } else {
    [names] = canonicalOrder([...new Set(nameOfAccount)]);
    const nameIndex = new Map<string, number>();
    names.forEach((n, i) => nameIndex.set(n, i));
    identityOf = mapU32(nameOfAccount, (n) => nameIndex.get(n)!);
  }
  const mineNonHumanApart = (opts.nonHuman ?? 'separate') === 'separate';

  // ---- 5. mined or set aside ----
  const isPriv = new Uint8Array(E);
  for (let e = 0; e < E; e++) isPriv[e] = privileged.some((p) => p.test(eff.entitlements[e]!)) ? 1 : 0;
  const R = scoped.rows;
  const hId = new Uint32Array(R);
  const hEnt = new Uint32Array(R);
  const nId = new Uint32Array(R);
  const nEnt = new Uint32Array(R);
  const sId = new Uint32Array(R);
  const sEnt = new Uint32Array(R);
  const sReason = new Uint8Array(R);
  let hn = 0;
  let nn = 0;
  let sn = 0;
  const dId: number[] = [];
  const dEnt: number[] = [];
  const reasonCount = new Uint32Array(SET_ASIDE_REASONS.length);
  const reasonEx: string[][] = SET_ASIDE_REASONS.map(() => []);
  for (let k = 0; k < scoped.rows; k++) {
    const a = scoped.identity[k]!;
    const e = scoped.entitlement[k]!;
    const id = identityOf[a]!;
    let reason = -1;
    if (isOrphan(a) && !opts.keepOrphans) reason = 0;
    else if (isNonHuman(a) && !mineNonHumanApart) reason = 1;
    else if (opts.excludeTerminated && accounts.terminatedWithAccess[a] === 1) reason = 4;
    else if (scopedDormant[k] && !opts.keepDormant && isPriv[e]) reason = 2;
    else if (isPriv[e]) reason = 3;
    // A dormant grant is mined like any other (it is held: setting it aside would read to the miner
    // as a missing grant, ~5% of a role's members at typical dormancy, and fragment roles) and
    // listed for review all the same (assemble.ts), whether or not a role gives it.
    if (reason < 0 && scopedDormant[k] && !opts.keepDormant) dId.push(id), dEnt.push(e);
    const humanSide = !isNonHuman(a);
    if (reason >= 0) {
      sId[sn] = id;
      sEnt[sn] = e;
      sReason[sn++] = reason;
      reasonCount[reason]!++;
      if (reasonEx[reason]!.length < MAX_EXAMPLES) reasonEx[reason]!.push(`${eff.identities[a]} ${eff.entitlements[e]}`);
      continue;
    }
    if (humanSide) {
      hId[hn] = id;
      hEnt[hn++] = e;
    } else {
      nId[nn] = id;
      nEnt[nn++] = e;
    }
  }
  const sub = (ids: Uint32Array, ents: Uint32Array, n: number): Grants => ({
    source: raw.source,
    format: raw.format,
    identities: names,
    entitlements: eff.entitlements,
    identity: ids.slice(0, n),
    entitlement: ents.slice(0, n),
    rows: n,
    otherColumns: [],
    columns: {},
  });

  // ---- the data-quality report ----
  const kinds: Record<string, number> = {};
  for (const k of KINDS) kinds[k] = 0;
  for (let a = 0; a < A; a++) kinds[KINDS[accounts.kind[a]!]!]!++;
  const ruleCounts: Record<string, number> = {};
  for (let a = 0; a < A; a++) ruleCounts[accounts.rule[a]!] = (ruleCounts[accounts.rule[a]!] ?? 0) + 1;
  const flagged = (f: (a: number) => boolean): QualityItem => {
    let count = 0;
    const examples: string[] = [];
    for (let a = 0; a < A; a++) {
      if (!f(a)) continue;
      count++;
      if (examples.length < MAX_EXAMPLES) examples.push(eff.identities[a]!);
    }
    return { count, examples };
  };
  const holders = new Uint32Array(E);
  for (let k = 0; k < scoped.rows; k++) holders[scoped.entitlement[k]!]!++;
  const single: string[] = [];
  let singleCount = 0;
  for (let e = 0; e < E; e++) {
    if (holders[e] !== 1) continue;
    singleCount++;
    if (single.length < MAX_EXAMPLES) single.push(eff.entitlements[e]!);
  }
  // People and their human accounts, counted by identity (a human account's identity is its
  // person's: identityOf maps person names one to one); people in order of their first account.
  const perPerson = new Uint32Array(names.length);
  let people = 0;
  for (let a = 0; a < A; a++) if (accounts.kind[a] === HUMAN && perPerson[identityOf[a]!]!++ === 0) people++;
  const multi: [string, number][] = [];
  let multiCount = 0;
  for (let a = 0; a < A; a++) {
    const n = perPerson[identityOf[a]!]!;
    if (accounts.kind[a] !== HUMAN || n < 2) continue;
    perPerson[identityOf[a]!] = 0; // counted once
    multiCount++;
    if (multi.length < MAX_EXAMPLES) multi.push([accounts.person[a]!, n]);
  }
  report['accounts'] = {
    accounts: A,
    byKind: kinds,
    byRule: Object.fromEntries(Object.entries(ruleCounts).sort((p, q) => (p[0] < q[0] ? -1 : 1))),
    people,
    peopleWithSeveralAccounts: { count: multiCount, examples: multi.map(([p, n]) => `${p} (${n} accounts)`) },
    orphans: flagged((a) => accounts.orphan[a] === 1),
    terminatedWithAccess: flagged((a) => accounts.terminatedWithAccess[a] === 1),
    nonHuman: flagged((a) => isNonHuman(a)),
    withoutGrants: opts.table ? countRowsWithoutGrants(opts.table, eff.identities) : undefined,
    warnings: accounts.warnings,
  };
  report['entitlements'] = {
    entitlements: E,
    heldByOneAccount: { count: singleCount, examples: single },
    privileged: { count: isPriv.reduce((n, x) => n + x, 0), examples: eff.entitlements.filter((_, e) => isPriv[e]).slice(0, MAX_EXAMPLES) },
  };
  report['setAside'] = Object.fromEntries(SET_ASIDE_REASONS.map((r, i) => [r, { count: reasonCount[i]!, examples: reasonEx[i]! }]));
  // Duplicate rows: grant rows beyond the distinct (holder, entitlement) pairs.
  const distinctRows = expansion ? expansion.stats.directGrants + expansion.groupGrants.reduce((n, l) => n + l.length, 0) : eff.rows;
  report['grants'] = { rows: raw.rows, duplicates: raw.rows - distinctRows, effective: eff.rows, inScope: scoped.rows, mined: hn + nn, setAside: sn };

  return {
    expansion,
    effective: scoped,
    accounts,
    identityOf,
    names,
    humans: sub(hId, hEnt, hn),
    nonHumans: mineNonHumanApart && nn > 0 ? sub(nId, nEnt, nn) : null,
    setAside: { identity: sId.slice(0, sn), entitlement: sEnt.slice(0, sn), reason: sReason.slice(0, sn) },
    dormant: { identity: Uint32Array.from(dId), entitlement: Uint32Array.from(dEnt) },
    privileged,
    report,
    notices,
  };
}

/** Grants with each (identity, entitlement) once, sorted: the effective grants when there are no groups. Counting sort by identity, then each row sorted. */
function dedupe(g: Grants): Grants {
  const N = g.identities.length;
  const { off, values: ents } = groupByKey(g.identity.subarray(0, g.rows), g.entitlement, N);
  const id = new Uint32Array(g.rows);
  const ent = new Uint32Array(g.rows);
  let w = 0;
  for (let i = 0; i < N; i++) {
    sortRun(ents, off[i]!, off[i + 1]!);
    const row = ents.subarray(off[i]!, off[i + 1]!);
    for (let k = 0; k < row.length; k++) {
      if (k > 0 && row[k] === row[k - 1]) continue;
      id[w] = i;
      ent[w++] = row[k]!;
    }
  }
  // Without duplicates (the usual export) the arrays are already exactly as long: not copied again.
  return { ...g, identity: w === g.rows ? id : id.slice(0, w), entitlement: w === g.rows ? ent : ent.slice(0, w), rows: w, columns: {} };
}

function countRowsWithoutGrants(table: IdentityTable, accounts: string[]): QualityItem {
  // The rows some account names, marked through the table's shared key index (no set of the accounts).
  const index = keyIndex(table);
  const named = new Uint8Array(table.keys.length);
  for (const a of accounts) {
    const r = index.get(a);
    if (r !== undefined) named[r] = 1;
  }
  let count = 0;
  const examples: string[] = [];
  for (let r = 0; r < table.keys.length; r++) {
    if (named[r]) continue;
    count++;
    if (examples.length < MAX_EXAMPLES) examples.push(table.keys[r]!);
  }
  return { count, examples };
}
