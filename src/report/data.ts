/**
 * What report.html shows, computed from an output folder's tables and summary: the same figures
 * whether the report is written by `mine` / `evaluate` / `diff` from the run's tables in memory or
 * by `rolemill report DIR` from the files they wrote (so the two are byte-identical). Everything
 * here is a plain JSON value, bounded whatever the input size (so the report at 10M grants stays a
 * few MB): per-role figures for every role, lists that grow with identities or grants sampled to a
 * stated limit (the full lists are the tables beside the report), the matrix aggregated to at most
 * MATRIX_CELLS cells a side. Platform-neutral (no Node modules): the browser app draws the same.
 */
import type { Column, OutTable } from '../model/tables.js';
import { applicationOf, DEFAULT_KIND_RULES } from '../governance/accounts.js';
import { Interner } from '../util/names.js';
import { iota } from '../util/typed.js';
import { distinctInOrder, distinctLists, groupByKey } from '../util/group.js';

/** One table read column by column: from an OutTable in memory, or from the rows of a written file. */
export interface TableView {
  length: number;
  columns: string[];
  /** The column's value at a row as text ('' for a column the table lacks). */
  text(column: string): (row: number) => string;
  /** Optional, for a table in memory: the value's id in `into` (into.id(text(row)): the same ids in the same order), or null where it cannot do better than text. */
  interned?(column: string, into: Interner): ((row: number) => number) | null;
  /** Optional, for a table in memory: a number column's value (what its text reads as: null when not finite), or null for another column. */
  number?(column: string): ((row: number) => number | null) | null;
}

/** Per interner, per dictionary of a table in memory: each entry's id once interned (-1: not yet). */
const internedEntries = new WeakMap<Interner, WeakMap<string[], Int32Array>>();

export function viewOfTable(t: OutTable): TableView {
  const byName = new Map<string, Column>(t.columns);
  return {
    length: t.length,
    columns: t.columns.map(([n]) => n),
    text(column) {
      const c = byName.get(column);
      if (!c) return () => '';
      if (c.kind === 'int') return (r) => String(c.values[r]!);
      return (r) => c.dictionary[c.codes[r]!]!;
    },
    number(column) {
      const c = byName.get(column);
      if (!c || c.kind !== 'int') return null;
      const values = c.values;
      return (r) => (Number.isFinite(values[r]!) ? values[r]! : null);
    },
    interned(column, into) {
      const c = byName.get(column);
      if (!c || c.kind === 'int') return null;
      // Interned in row order as text would be (the same ids), each dictionary entry hashed once:
      // the model's tables share one dictionary of identities (1.8M lookups at 10M grants).
      let byDict = internedEntries.get(into);
      if (!byDict) internedEntries.set(into, (byDict = new WeakMap()));
      let ids = byDict.get(c.dictionary);
      if (!ids) byDict.set(c.dictionary, (ids = new Int32Array(c.dictionary.length).fill(-1)));
      const { dictionary, codes } = c;
      const cache = ids;
      return (r) => {
        const code = codes[r]!;
        let id = cache[code]!;
        if (id < 0) cache[code] = id = into.id(dictionary[code]!);
        return id;
      };
    },
  };
}

/** The column's values interned into `into`, row by row: `view.interned` when the view has it, else by text. */
function internedColumn(view: TableView, column: string, into: Interner): (row: number) => number {
  const fast = view.interned?.(column, into);
  if (fast) return fast;
  const text = view.text(column);
  return (r) => into.id(text(r));
}

export function viewOfRecords(rows: Record<string, string>[]): TableView {
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  return { length: rows.length, columns, text: (column) => (r) => rows[r]![column] ?? '' };
}

/**
 * The tables and columns reportData reads ('*': every column); a table not listed is not read.
 * Kept beside reportData and in step with it: the writer's report thread
 * (src/output/report-thread.ts) is sent only these, and its views throw on anything else, so a
 * column read here but missing from this list fails the report instead of drawing it empty.
 */
export const REPORT_READS: Readonly<Record<string, readonly string[] | '*'>> = {
  roles: ['role', 'grants_covered', 'name', 'kind', 'status', 'quality', 'rule', 'rule_coverage', 'rule_precision', 'top_attributes', 'exclusive_grants'],
  role_entitlements: ['role', 'entitlement'],
  identities: ['identity', 'outlier_score', 'peer_group', 'outlier_factors'],
  assignments: ['identity', 'role'],
  exceptions: ['identity', 'entitlement', 'reason'],
  review: ['recommendation', 'reason', 'reviewer'],
  impact: ['change', 'role'],
  role_changes: '*',
  identity_changes: ['change'],
  remediation: '*',
};

/** The most rows, entries or cells a list of the report holds (the rest: counted, in the tables beside it). */
export const LIMITS = { members: 50, lacking: 20, outliers: 200, remediation: 500, roleChanges: 2000, apps: 20 } as const;
/** The matrix is drawn exactly up to this many identities and entitlements, aggregated into this many buckets beyond. */
export const MATRIX_CELLS = 600;

export interface RoleCard {
  id: string;
  name: string;
  kind: string;
  status: string;
  quality: number | null;
  rule: string;
  ruleCoverage: number | null;
  rulePrecision: number | null;
  topAttributes: string;
  members: number;
  grantsCovered: number;
  exclusiveGrants: number;
  entitlements: string[];
  /** The first LIMITS.members members (identity order). */
  memberSample: string[];
  /** Members the role gives an entitlement they do not hold (over-assignments), and the first LIMITS.lacking pairs. */
  lacking: { count: number; sample: [string, string][] };
  /** Changes the evidence suggests, each a sentence with its figures. */
  suggestions: string[];
}

export interface Matrix {
  rows: number;
  cols: number;
  /** Identities and entitlements in the picture (each bucket of rows/cols holds several beyond MATRIX_CELLS). */
  identities: number;
  entitlements: number;
  aggregated: boolean;
  /**
   * Per cell (row-major), base64 of (code, run length - 1) byte pairs. Codes: 0 no pair; 1..159 pairs
   * given by a role (1 + 158 × their share of the cell); 160..191 only over-assigned pairs (160 + 31 ×
   * share); 192..255 at least one exception (192 + 63 × the share of exceptions).
   */
  cells: string;
  /** Role blocks in cell coordinates: [row0, row1, col0, col1) and the role's index in `roles`. */
  blocks: [number, number, number, number, number][];
}

export interface ReportData {
  kind: 'mine' | 'evaluate' | 'diff';
  version: string;
  command: string[] | null;
  /** summary.json as written (timings included when it has them). */
  summary: Record<string, unknown>;
  /** The files of the output folder, as its manifest lists them. */
  files: { path: string; bytes: number }[];
  totals: { grants: number; identities: number; entitlements: number; roles: number; exceptions: number; overAssigned: number };
  /** Cumulative grants explained by the first k roles (roles by marginal coverage), sampled to at most 400 points: [k, grants]. */
  coverageCurve: [number, number][];
  /** For 80, 90, 95 and 99% of the grants: the fewest roles (in that order) explaining them, or null when the model does not reach it. */
  rolesFor: [number, number | null][];
  exceptionsByReason: [string, number][];
  exceptionsByApp: [string, number][];
  /** Outlier scores in 20 bins over [0, 1], and the threshold a score is an outlier at. */
  outlierHistogram: number[];
  outlierThreshold: number | null;
  outliers: { identity: string; score: number; peerGroup: string; factors: string }[];
  outlierCount: number;
  roles: RoleCard[];
  matrix: Matrix | null;
  /** The review file's rows counted: by recommendation, by reason and recommendation, by reviewer (top 50). */
  review: null | { rows: number; byRecommendation: [string, number][]; byReason: [string, number, number, number][]; reviewers: number; byReviewer: [string, number][] };
  evaluate: null | { gain: number; lose: number; byRole: [string, number, number][] };
  diff: null | {
    roleChanges: Record<string, string>[];
    roleChangeCount: number;
    identityChanges: [string, number][];
    remediationByReason: [string, number][];
    remediation: Record<string, string>[];
    remediationCount: number;
  };
}

export interface ReportSource {
  kind: ReportData['kind'];
  /** The folder's tables by name (roles, role_entitlements, assignments, exceptions, identities, impact, role_changes, ...). */
  tables: Map<string, TableView>;
  summary: Record<string, unknown>;
  files?: { path: string; bytes: number }[];
  command?: string[] | null;
  version: string;
}

/** The application separator of the run a summary describes: the governance pass records one other than ':' (`dataQuality.appSeparator`). */
export function summaryAppSeparator(summary: Record<string, unknown>): string {
  const recorded = ((summary['dataQuality'] ?? {}) as { appSeparator?: unknown }).appSeparator;
  return typeof recorded === 'string' && recorded !== '' ? recorded : DEFAULT_KIND_RULES.appSeparator;
}

const EMPTY: TableView = { length: 0, columns: [], text: () => () => '' };

function num(v: string): number | null {
  if (v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Sorted by count, descending, then name: the top `limit`, the rest summed as "other (N more)". */
function topCounts(counts: Map<string, number>, limit: number): [string, number][] {
  const all = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (all.length <= limit) return all;
  const rest = all.slice(limit);
  return [...all.slice(0, limit), [`other (${rest.length} more)`, rest.reduce((n, [, c]) => n + c, 0)]];
}

function base64(bytes: Uint8Array): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    out += chars[a >> 2]! + chars[((a & 3) << 4) | (b >> 4)]! + (i + 1 < bytes.length ? chars[((b & 15) << 2) | (c >> 6)]! : '=') + (i + 2 < bytes.length ? chars[c & 63]! : '=');
  }
  return out;
}

/** Builds the report's data (see the module comment). */
/** The review file's rows counted (report.html's review section); null without a review table. The report thread adds it last (src/output/report-thread.ts). */
export function reviewSection(rv: TableView | undefined): ReportData['review'] {
  if (!rv) return null;
  const rec = rv.text('recommendation');
  const why = rv.text('reason');
  const who = rv.text('reviewer');
  const byRec = new Map<string, number>();
  const byWho = new Map<string, number>();
  const byWhy = new Map<string, [number, number, number]>();
  const slot: Record<string, number> = { revoke: 0, review: 1, keep: 2 };
  for (let k = 0; k < rv.length; k++) {
    byRec.set(rec(k), (byRec.get(rec(k)) ?? 0) + 1);
    byWho.set(who(k), (byWho.get(who(k)) ?? 0) + 1);
    const v = byWhy.get(why(k)) ?? [0, 0, 0];
    if (slot[rec(k)] !== undefined) v[slot[rec(k)]!]!++;
    byWhy.set(why(k), v);
  }
  return {
    rows: rv.length,
    byRecommendation: topCounts(byRec, 10),
    byReason: [...byWhy].map(([r, [a, b, c]]): [string, number, number, number] => [r, a, b, c]).sort((a, b) => b[1] + b[2] + b[3] - a[1] - a[2] - a[3] || (a[0] < b[0] ? -1 : 1)),
    reviewers: byWho.size,
    byReviewer: topCounts(byWho, 50),
  };
}

export function reportData(src: ReportSource): ReportData {
  const t = (name: string) => src.tables.get(name) ?? EMPTY;
  const sep = summaryAppSeparator(src.summary);
  const appOf = (e: string) => applicationOf(e, sep);

  // Roles, their entitlements and members, as indexes.
  const rolesT = t('roles');
  const roleId = rolesT.text('role');
  const roleIds = Array.from({ length: rolesT.length }, (_, r) => roleId(r));
  const roleIndex = new Map(roleIds.map((id, r) => [id, r]));
  // A role named in another table: its index (>= roleIds.length for a name the roles table lacks),
  // each dictionary entry looked up once for a table in memory (1.9M assignment rows at 10M grants).
  const roleNames = new Interner(roleIds);
  const R = roleIds.length;
  const ents = new Interner();
  const entNames = ents.names;
  const ent = (e: string) => ents.id(e);
  const ids = new Interner();
  const idNames = ids.names;
  const roleEnts: number[][] = roleIds.map(() => []);
  const re = t('role_entitlements');
  for (let k = 0, rr = re.text('role'), ee = re.text('entitlement'); k < re.length; k++) {
    const r = roleIndex.get(rr(k));
    if (r !== undefined) roleEnts[r]!.push(ent(ee(k)));
  }
  // Every identity of the model, in its identities table's order (those without roles or exceptions too).
  const idT = t('identities');
  for (let k = 0, who = internedColumn(idT, 'identity', ids); k < idT.length; k++) who(k);
  const roleMembers: number[][] = roleIds.map(() => []);
  const idRoles: number[][] = [];
  const as = t('assignments');
  for (let k = 0, ii = internedColumn(as, 'identity', ids), rr = internedColumn(as, 'role', roleNames); k < as.length; k++) {
    const r = rr(k);
    if (r >= R) continue;
    const i = ii(k);
    roleMembers[r]!.push(i);
    (idRoles[i] ??= []).push(r);
  }
  // Exceptions (over-assignments among them, by reason).
  const ex = t('exceptions');
  const exId = internedColumn(ex, 'identity', ids);
  const exEnt = internedColumn(ex, 'entitlement', ents);
  const exReason = ex.text('reason');
  const appOfEnt: number[] = []; // per entitlement id: its application's index in `apps`, once
  const apps = new Interner();
  const byReason = new Map<string, number>();
  const byApp = new Map<string, number>();
  // Pairs by row: over-assigned ones, and grants held outside every role.
  const overI: number[] = [];
  const overE: number[] = [];
  const heldI: number[] = [];
  const heldE: number[] = [];
  let overAssigned = 0;
  for (let k = 0; k < ex.length; k++) {
    const reason = exReason(k);
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    const x = exEnt(k);
    const i = exId(k);
    if (reason === 'over_assigned') {
      overAssigned++;
      overI.push(i);
      overE.push(x);
    } else {
      const app = apps.names[(appOfEnt[x] ??= apps.id(appOf(entNames[x]!)))]!;
      byApp.set(app, (byApp.get(app) ?? 0) + 1);
      heldI.push(i);
      heldE.push(x);
    }
  }
  // Per identity (CSR, in row order): the entitlements it holds as exceptions, and those it is
  // over-assigned (each once).
  const held = groupByKey(heldI, heldE, idNames.length);
  const over = distinctInOrder(groupByKey(overI, overE, idNames.length), entNames.length);
  /** Marks identity i's over-assigned entitlements (overMark[e] === i), for the scans below. */
  const overMark = new Int32Array(entNames.length).fill(-1);
  const markOver = (i: number) => {
    for (let q = over.off[i]!; q < over.off[i + 1]!; q++) overMark[over.values[q]!] = i;
  };

  // Marginal coverage: roles in order of the grants they give (the roles table's grants_covered),
  // each credited with the pairs no earlier role gave.
  const covered = rolesT.text('grants_covered');
  const order = roleIds.map((_, r) => r).sort((a, b) => (num(covered(b)) ?? 0) - (num(covered(a)) ?? 0) || a - b);
  const rank = new Int32Array(roleIds.length);
  order.forEach((r, k) => (rank[r] = k));
  const gain = new Float64Array(roleIds.length);
  const stamp = new Int32Array(entNames.length + 1).fill(-1);
  const sorted: number[] = [];
  for (let i = 0; i < idRoles.length; i++) {
    const rs = idRoles[i];
    if (!rs) continue;
    markOver(i);
    // The identity's roles by rank (an insertion sort into one scratch list: a few roles each).
    sorted.length = 0;
    for (const r of rs) {
      let x = sorted.length;
      sorted.push(r);
      for (; x > 0 && rank[sorted[x - 1]!]! > rank[r]!; x--) sorted[x] = sorted[x - 1]!;
      sorted[x] = r;
    }
    for (const r of sorted) {
      for (const e of roleEnts[r]!) {
        if (stamp[e] === i || overMark[e] === i) continue;
        stamp[e] = i;
        gain[r]!++;
      }
    }
  }
  const summary = src.summary;
  const input = (summary['input'] ?? {}) as Record<string, number>;
  const model = (summary['model'] ?? {}) as Record<string, unknown>;
  const totalGrants = typeof input['grants'] === 'number' ? input['grants'] : [...gain].reduce((a, b) => a + b, 0) + heldI.length;
  const curve: [number, number][] = [[0, 0]];
  let acc = 0;
  const step = Math.max(1, Math.ceil(order.length / 400));
  const rolesFor: [number, number | null][] = [80, 90, 95, 99].map((p) => [p, null]);
  order.forEach((r, k) => {
    acc += gain[r]!;
    if ((k + 1) % step === 0 || k === order.length - 1) curve.push([k + 1, acc]);
    for (const f of rolesFor) if (f[1] === null && totalGrants > 0 && acc >= (f[0] / 100) * totalGrants) f[1] = k + 1;
  });

  // Role cards.
  const col = (name: string) => rolesT.text(name);
  const [nameC, kindC, statusC, qualityC, ruleC, rcovC, rprecC, topC, exclC] = ['name', 'kind', 'status', 'quality', 'rule', 'rule_coverage', 'rule_precision', 'top_attributes', 'exclusive_grants'].map(col) as ((r: number) => string)[];
  // Per role, counts by entitlement in scratch arrays (inRole: the role's stamp; touched: what to reset).
  const inRole = new Int32Array(entNames.length).fill(-1);
  const outsideCount = new Int32Array(entNames.length);
  const lackCount = new Int32Array(entNames.length);
  const roles: RoleCard[] = roleIds.map((id, r) => {
    const members = roleMembers[r]!;
    for (const e of roleEnts[r]!) inRole[e] = r;
    const lackingPairs: [string, string][] = [];
    let lacking = 0;
    const touched: number[] = [];
    for (const i of members) {
      for (let q = over.off[i]!; q < over.off[i + 1]!; q++) {
        const e = over.values[q]!;
        if (inRole[e] !== r) continue;
        lacking++;
        if (lackCount[e]!++ === 0 && outsideCount[e] === 0) touched.push(e);
        if (lackingPairs.length < LIMITS.lacking) lackingPairs.push([idNames[i]!, entNames[e]!]);
      }
      for (let q = held.off[i]!; q < held.off[i + 1]!; q++) {
        const e = held.values[q]!;
        if (inRole[e] === r) continue;
        if (outsideCount[e]!++ === 0 && lackCount[e] === 0) touched.push(e);
      }
    }
    const n = members.length;
    const suggestions: string[] = [];
    const byName = (a: number, b: number, count: Int32Array) => count[b]! - count[a]! || (entNames[a]! < entNames[b]! ? -1 : 1);
    if (n >= 3) {
      for (const e of touched.filter((x) => outsideCount[x]! >= 0.5 * n).sort((a, b) => byName(a, b, outsideCount))) suggestions.push(`add ${entNames[e]}: ${outsideCount[e]} of ${n} members hold it outside any role`);
      for (const e of touched.filter((x) => lackCount[x]! >= 0.25 * n).sort((a, b) => byName(a, b, lackCount))) suggestions.push(`remove ${entNames[e]}? ${lackCount[e]} of ${n} members lack it (over-assigned)`);
    }
    for (const e of touched) (outsideCount[e] = 0), (lackCount[e] = 0);
    const ents = roleEnts[r]!;
    const sample = members.slice(0, LIMITS.members).map((i) => idNames[i]!);
    return {
      id,
      name: nameC(r),
      kind: kindC(r),
      status: statusC(r),
      quality: num(qualityC(r)),
      rule: ruleC(r),
      ruleCoverage: num(rcovC(r)),
      rulePrecision: num(rprecC(r)),
      topAttributes: topC(r),
      members: n,
      grantsCovered: num(covered(r)) ?? 0,
      exclusiveGrants: num(exclC(r)) ?? 0,
      entitlements: [...new Set(ents)].map((e) => entNames[e]!).sort(),
      memberSample: sample,
      lacking: { count: lacking, sample: lackingPairs },
      suggestions,
    };
  });

  // Outliers, from the identities table.
  const scoreC = idT.text('outlier_score');
  const hist = new Array<number>(20).fill(0);
  const peers = (summary['peers'] ?? null) as { outlierThreshold?: number } | null;
  const threshold = peers?.outlierThreshold ?? null;
  // Scores of every identity, the LIMITS.outliers highest kept (ties by name).
  const scores: number[] = [];
  const rowsOf: number[] = [];
  let outlierCount = 0;
  let outliers: ReportData['outliers'] = [];
  if (idT.columns.includes('outlier_score')) {
    const who = idT.text('identity');
    const pg = idT.text('peer_group');
    const fac = idT.text('outlier_factors');
    // Read as numbers where the table is in memory (450k scores at 10M grants), else from the text.
    const scoreOf = idT.number?.('outlier_score') ?? ((k: number) => num(scoreC(k)));
    for (let k = 0; k < idT.length; k++) {
      const s = scoreOf(k);
      if (s === null) continue;
      hist[Math.min(19, Math.max(0, Math.floor(s * 20)))]!++;
      if (threshold !== null && s >= threshold) outlierCount++;
      scores.push(s);
      rowsOf.push(k);
    }
    // The cut-off score of the top LIMITS.outliers, then only those sorted.
    const cut = scores.length > LIMITS.outliers ? Float64Array.from(scores).sort().reverse()[LIMITS.outliers - 1]! : -Infinity;
    const top = rowsOf.filter((_, x) => scores[x]! >= cut).map((k) => ({ identity: who(k), score: num(scoreC(k))!, peerGroup: pg(k), factors: fac(k) }));
    top.sort((a, b) => b.score - a.score || (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
    outliers = top.slice(0, LIMITS.outliers);
  }

  const matrix = roleIds.length || ex.length ? buildMatrix(roleIds.length, roleEnts, roleMembers, idRoles, idNames.length, entNames.length, held, markOver, overMark, rolesT) : null;

  // evaluate: impact by change and by role.
  let evaluate: ReportData['evaluate'] = null;
  const imp = src.tables.get('impact');
  if (src.kind === 'evaluate' && imp) {
    const ch = imp.text('change');
    const rl = imp.text('role');
    let g = 0;
    let l = 0;
    const per = new Map<string, [number, number]>();
    for (let k = 0; k < imp.length; k++) {
      const isGain = ch(k) === 'gain';
      if (isGain) g++;
      else l++;
      const key = rl(k) || '(no role)';
      const v = per.get(key) ?? [0, 0];
      v[isGain ? 0 : 1]++;
      per.set(key, v);
    }
    evaluate = { gain: g, lose: l, byRole: [...per].map(([r, [a, b]]): [string, number, number] => [r, a, b]).sort((a, b) => b[1] + b[2] - a[1] - a[2] || (a[0] < b[0] ? -1 : 1)).slice(0, 200) };
  }
  const review = reviewSection(src.tables.get('review'));
  let diff: ReportData['diff'] = null;
  if (src.kind === 'diff') {
    const rows = (v: TableView, limit: number) => Array.from({ length: Math.min(limit, v.length) }, (_, k) => Object.fromEntries(v.columns.map((c) => [c, v.text(c)(k)])));
    const counts = (v: TableView, c: string) => {
      const m = new Map<string, number>();
      const f = v.text(c);
      for (let k = 0; k < v.length; k++) m.set(f(k), (m.get(f(k)) ?? 0) + 1);
      return topCounts(m, 50);
    };
    const rc = t('role_changes');
    const ic = t('identity_changes');
    const rem = t('remediation');
    diff = {
      roleChanges: rows(rc, LIMITS.roleChanges),
      roleChangeCount: rc.length,
      identityChanges: counts(ic, 'change'),
      remediationByReason: counts(rem, 'reason'),
      remediation: rows(rem, LIMITS.remediation),
      remediationCount: rem.length,
    };
  }

  return {
    kind: src.kind,
    version: src.version,
    command: src.command ?? null,
    summary,
    files: src.files ?? [],
    totals: {
      grants: totalGrants,
      identities: typeof input['identities'] === 'number' ? input['identities'] : idNames.length,
      entitlements: typeof input['entitlements'] === 'number' ? input['entitlements'] : entNames.length,
      roles: roleIds.length,
      exceptions: ex.length - overAssigned,
      overAssigned: typeof model['overAssigned'] === 'number' ? (model['overAssigned'] as number) : overAssigned,
    },
    coverageCurve: roleIds.length ? curve : [],
    rolesFor: roleIds.length ? rolesFor : [],
    exceptionsByReason: topCounts(byReason, 50),
    exceptionsByApp: topCounts(byApp, LIMITS.apps),
    outlierHistogram: idT.columns.includes('outlier_score') ? hist : [],
    outlierThreshold: threshold,
    outliers,
    outlierCount,
    roles,
    matrix,
    review,
    evaluate,
    diff,
  };
}

/**
 * The identities × entitlements picture: roles ordered birthright first, then by members; each
 * identity under its main role (the one with most entitlements it holds, ties by that order), each
 * entitlement under the first role giving it, entitlements in no role last (most exceptions
 * first). Cells aggregate buckets of identities and entitlements beyond MATRIX_CELLS.
 */
function buildMatrix(R: number, roleEnts: number[][], roleMembers: number[][], idRoles: number[][], nId: number, nEnt: number, held: { off: Uint32Array; values: Uint32Array }, markOver: (i: number) => void, overMark: Int32Array, rolesT: TableView): Matrix {
  const kind = rolesT.text('kind');
  const birth = Uint8Array.from({ length: R }, (_, r) => (kind(r) === 'birthright' ? 1 : 0));
  const roleOrder = Array.from({ length: R }, (_, r) => r).sort((a, b) => birth[b]! - birth[a]! || roleMembers[b]!.length - roleMembers[a]!.length || a - b);
  const pos = new Int32Array(R);
  roleOrder.forEach((r, k) => (pos[r] = k));
  // Entitlements: by the first role giving them, then the rest by exception count.
  const entKey = new Float64Array(nEnt).fill(Infinity);
  for (let r = 0; r < R; r++) for (const e of roleEnts[r]!) entKey[e] = Math.min(entKey[e]!, pos[r]!);
  const exCount = new Float64Array(nEnt);
  for (const e of held.values) exCount[e]!++;
  const entOrder = Array.from({ length: nEnt }, (_, e) => e).sort((a, b) => entKey[a]! - entKey[b]! || exCount[b]! - exCount[a]! || a - b);
  // Identities: by main role (not birthright unless it is the only one), then by index.
  const mainRole = new Int32Array(nId).fill(-1);
  for (let i = 0; i < nId; i++) {
    let best = -1;
    for (const r of idRoles[i] ?? []) {
      const better = best < 0 || (birth[best] === 1 && birth[r] === 0) || (birth[r] === birth[best] && (roleEnts[r]!.length > roleEnts[best]!.length || (roleEnts[r]!.length === roleEnts[best]!.length && pos[r]! < pos[best]!)));
      if (better) best = r;
    }
    mainRole[i] = best;
  }
  // Under its main role, an identity sorts by its other roles (in role order, lexicographically), so
  // the members of a role nested in the main one sit together.
  // Identities share their other roles: each distinct list (sorted positions, distinctLists) is a
  // class, the classes are ranked once in that order, and identities sort by their class's rank.
  const others = { off: new Uint32Array(nId + 1), values: new Uint32Array(0) };
  for (let i = 0; i < nId; i++) {
    let count = 0;
    for (const r of idRoles[i] ?? []) if (r !== mainRole[i]) count++;
    others.off[i + 1] = others.off[i]! + count;
  }
  others.values = new Uint32Array(others.off[nId]!);
  for (let i = 0; i < nId; i++) {
    let w = others.off[i]!;
    for (const r of idRoles[i] ?? []) if (r !== mainRole[i]) others.values[w++] = pos[r]!;
    others.values.subarray(others.off[i]!, w).sort();
  }
  const { classOf, first } = distinctLists(others);
  // Classes in lexicographic order of their lists, compared in place (a subarray per comparison
  // cost more than the sort: 175k classes at 10M grants).
  const ov = others.values;
  const lexicographic = (a: number, b: number): number => {
    const x = others.off[first[a]!]!;
    const y = others.off[first[b]!]!;
    const nx = others.off[first[a]! + 1]! - x;
    const ny = others.off[first[b]! + 1]! - y;
    for (let k = 0; k < Math.min(nx, ny); k++) if (ov[x + k] !== ov[y + k]) return ov[x + k]! - ov[y + k]!;
    return nx - ny;
  };
  const classRank = new Int32Array(first.length);
  Array.from(first.keys())
    .sort(lexicographic)
    .forEach((c, k) => (classRank[c] = k));
  // By main role, then by the rank of the other roles' class, then by index: two stable counting
  // sorts, the minor key first (a comparison sort per main role cost 0.15 s at 10M grants).
  const mainKey = new Uint32Array(nId);
  for (let i = 0; i < nId; i++) mainKey[i] = mainRole[i]! < 0 ? R : pos[mainRole[i]!]!;
  const byRank = countingOrder(iota(nId), (i) => classRank[classOf[i]!]!, first.length);
  const idOrder = countingOrder(byRank, (i) => mainKey[i]!, R + 1);
  const rows = Math.min(nId, MATRIX_CELLS);
  const cols = Math.min(nEnt, MATRIX_CELLS);
  const rowOf = new Int32Array(nId);
  idOrder.forEach((i, k) => (rowOf[i] = Math.floor((k * rows) / Math.max(1, nId))));
  const colOf = new Int32Array(nEnt);
  entOrder.forEach((e, k) => (colOf[e] = Math.floor((k * cols) / Math.max(1, nEnt))));
  const rowSize = new Float64Array(rows);
  for (let i = 0; i < nId; i++) rowSize[rowOf[i]!]!++;
  const colSize = new Float64Array(cols);
  for (let e = 0; e < nEnt; e++) colSize[colOf[e]!]!++;
  const cov = new Float64Array(rows * cols);
  const exc = new Float64Array(rows * cols);
  const ovr = new Float64Array(rows * cols);
  const stamp = new Int32Array(nEnt).fill(-1);
  for (let i = 0; i < nId; i++) {
    markOver(i);
    for (const r of idRoles[i] ?? []) {
      for (const e of roleEnts[r]!) {
        if (stamp[e] === i) continue;
        stamp[e] = i;
        const cell = rowOf[i]! * cols + colOf[e]!;
        if (overMark[e] === i) ovr[cell]!++;
        else cov[cell]!++;
      }
    }
  }
  for (let i = 0; i < nId; i++) for (let q = held.off[i]!; q < held.off[i + 1]!; q++) exc[rowOf[i]! * cols + colOf[held.values[q]!]!]!++;
  // One code per cell (CELL_CODES), run-length encoded as (code, run - 1) byte pairs.
  const codes = new Uint8Array(rows * cols);
  for (let c = 0; c < codes.length; c++) {
    const area = rowSize[Math.floor(c / cols)]! * colSize[c % cols]!;
    if (exc[c]! > 0) codes[c] = 192 + Math.min(63, Math.round((63 * exc[c]!) / area));
    else if (cov[c]! > 0) codes[c] = 1 + Math.min(158, Math.round((158 * cov[c]!) / area));
    else if (ovr[c]! > 0) codes[c] = 160 + Math.min(31, Math.round((31 * ovr[c]!) / area));
  }
  const runs: number[] = [];
  for (let c = 0; c < codes.length; ) {
    let n = 1;
    while (n < 256 && c + n < codes.length && codes[c + n] === codes[c]) n++;
    runs.push(codes[c]!, n - 1);
    c += n;
  }
  // Blocks: a role's rows × the entitlements it is first to give. Its rows: those of the identities
  // it is the main role of, or else all its members' when they sit together (a nested role).
  const blocks: [number, number, number, number, number][] = [];
  const firstRow = new Int32Array(R).fill(-1);
  const lastRow = new Int32Array(R).fill(-1);
  const rowAt = new Int32Array(nId);
  idOrder.forEach((i, k) => (rowAt[i] = k));
  for (const i of idOrder) {
    const r = mainRole[i]!;
    if (r < 0) continue;
    if (firstRow[r]! < 0) firstRow[r] = rowOf[i]!;
    lastRow[r] = rowOf[i]!;
  }
  for (let r = 0; r < R; r++) {
    if (firstRow[r]! >= 0 || roleMembers[r]!.length === 0) continue;
    let lo = Infinity;
    let hi = -1;
    for (const i of roleMembers[r]!) (lo = Math.min(lo, rowAt[i]!)), (hi = Math.max(hi, rowAt[i]!));
    if (hi - lo + 1 === roleMembers[r]!.length) (firstRow[r] = rowOf[idOrder[lo]!]!), (lastRow[r] = rowOf[idOrder[hi]!]!);
  }
  const firstCol = new Int32Array(R).fill(-1);
  const lastCol = new Int32Array(R).fill(-1);
  for (const e of entOrder) {
    if (!Number.isFinite(entKey[e]!)) continue;
    const r = roleOrder[entKey[e]!]!;
    if (firstCol[r]! < 0) firstCol[r] = colOf[e]!;
    lastCol[r] = colOf[e]!;
  }
  for (const r of roleOrder) if (firstRow[r]! >= 0 && firstCol[r]! >= 0) blocks.push([firstRow[r]!, lastRow[r]! + 1, firstCol[r]!, lastCol[r]! + 1, r]);
  return { rows, cols, identities: nId, entitlements: nEnt, aggregated: nId > MATRIX_CELLS || nEnt > MATRIX_CELLS, cells: base64(Uint8Array.from(runs)), blocks };
}

/** `items` stably sorted by `key` (whole numbers below `keys`): a counting sort. */
function countingOrder(items: Uint32Array, key: (x: number) => number, keys: number): Uint32Array {
  const start = new Uint32Array(keys + 1);
  for (let k = 0; k < items.length; k++) start[key(items[k]!) + 1]!++;
  for (let v = 0; v < keys; v++) start[v + 1]! += start[v]!;
  const out = new Uint32Array(items.length);
  for (let k = 0; k < items.length; k++) out[start[key(items[k]!)]!++] = items[k]!;
  return out;
}
