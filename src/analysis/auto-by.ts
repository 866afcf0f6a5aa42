/**
 * `--by auto`: the attribute paths of attribute-driven mining (`mineByAttributes`), chosen from the
 * data. Which attributes of the identities file explain access, and how do they nest?
 *
 * Words. The *population* is the identities holding a grant. An attribute's *groups* are its values'
 * identities (identities without a row or with an empty value are in none). *Birthright*
 * entitlements, held by `birthright` (0.9) of the population, are left out of everything: they say
 * nothing about any attribute. An entitlement is *typical* of a group of n >= `minMembers` (5) when
 * at least ceil(`threshold` x n) (0.8) of the group hold it and the rest of the population holds it
 * at most 1 / `lift` (1/2) as often (the same rule that makes a group's role in `mineByAttributes`,
 * plus a contrast, so that an entitlement half the company holds is nobody's). A grant is
 * *explained* by a set of groupings when its entitlement is typical of one of the holder's groups.
 * Shares are of the population's grants of non-birthright entitlements (each pair once).
 *
 * The rules, in order (each attribute's fate and figures are reported):
 *
 * 1. Never business attributes: the governance columns (`person`, `type`, `status`, `last_used`;
 *    the identities reader uses the first three for accounts, src/governance/accounts.ts), an
 *    attribute without values, with a single value, or near-unique (`nearUniqueReason`: more
 *    distinct values than half the identities with a value, a median group below 3, or values that
 *    are all identities of the file, such as a manager column; judged from 20 identities with a
 *    value on).
 * 2. score(X) = share of grants explained by X's groups alone. Candidates are ranked by score, then
 *    by file column order.
 * 3. Duplicates: X and Y with the same groups (each nests in the other, below) are one attribute;
 *    the lower-ranked one is ignored ("same groups as X").
 * 4. Nesting: B is *within* A when B's values nest in A's: at least `nesting` (0.9) of the
 *    identities with both values sit in their B value's main A value, and A has fewer values. B's
 *    parent is the finest such A. Attributes without a parent are the roots.
 * 5. A root is kept when its score is at least `minScore` (0.02).
 * 6. Jointly: a root B (kept or not) is within a kept root A of higher rank when the (A, B) groups
 *    add at least `jointRatio` (1.5) times what B's own groups add beyond A, and at least `minGain`
 *    (0.02) more: B only explains access together with A (an 'Analyst' title in several departments
 *    with different access). Of several such A, the one whose pairs add the most.
 * 7. Independence: a kept root must add `minGain` beyond the higher-ranked kept roots, or it is
 *    ignored (it says what they already say).
 * 8. Children (coarse to fine): B within A is kept when the groups of A's path extended by B add at
 *    least `minGain` beyond A's path; when no ancestor of B is kept, B is judged as a root (5, 7).
 *
 * The paths are the kept tree's root-to-leaf chains, roots by rank, children by rank:
 * `[['department', 'title'], ['location']]`. Deterministic. Cost: one pass over the grants per
 * attribute (typed arrays; a grant table of 10M rows is fine), one per nested child, and two per pair
 * of roots tested in step 6; the groupings themselves are O(identities).
 */
import { groupByKey } from '../util/group.js';
import { UsageError } from '../errors.js';
import { keyIndex, type AttributeColumn } from '../ingest/identities.js';
import type { GrantsLike } from './alignment.js';
import type { AttributeJoin } from './identities.js';

/** Columns that say who or what an account is, never what the business does: never a path, a description or a name. */
export const GOVERNANCE_COLUMNS: readonly string[] = ['person', 'type', 'status', 'last_used'];

/** Nesting must also place this share of the identities outside the parent's most common value (see `nests`). */
export const NEST_BEYOND_CHANCE = 0.5;

/** Near-unique is judged from this many identities with a value on (10 people with 6 titles say little). */
export const NEAR_UNIQUE_MIN_IDENTITIES = 20;
/** Near-unique: more distinct values than this share of the identities with a value. */
export const NEAR_UNIQUE_VALUE_SHARE = 0.5;
/** Near-unique: the median identity's value group is smaller than this. */
export const NEAR_UNIQUE_MEDIAN_GROUP = 3;

export interface AutoByOptions {
  /** Share of a group holding an entitlement for it to be typical (default 0.8, `--by-threshold`). */
  threshold?: number;
  /** Smallest group considered (default 5, `--by-min-members`). */
  minMembers?: number;
  /** Entitlements held by this share of the population are birthright, left out (default 0.9). */
  birthright?: number;
  /** A typical entitlement is held at most 1 / lift as often outside the group (default 2). */
  lift?: number;
  /** Smallest score of a root (default 0.02). */
  minScore?: number;
  /** Smallest gain of a child, a joint child over the attribute alone, or a further root (default 0.02). */
  minGain?: number;
  /** Share of identities in their value's main parent value for nesting (default 0.9). */
  nesting?: number;
  /** Jointly: pairs must add this many times what the attribute alone adds beyond its parent (default 1.5). */
  jointRatio?: number;
}

export const AUTO_BY_DEFAULTS: Required<AutoByOptions> = {
  threshold: 0.8,
  minMembers: 5,
  birthright: 0.9,
  lift: 2,
  minScore: 0.02,
  minGain: 0.02,
  nesting: 0.9,
  jointRatio: 1.5,
};

/** How an attribute's values spread over identities. */
export interface AttributeSpread {
  /** Identities with a value. */
  identities: number;
  /** Distinct values they hold. */
  values: number;
  /** The value group size of the median identity (identities ordered by their group's size). */
  medianGroup: number;
  /** Every value held is an identity key of the file (the attribute refers to identities: a manager). */
  reference: boolean;
}

export interface AutoAttribute {
  name: string;
  /** `path`: a path starts with it; `within`: it extends the path of `within`; `ignored`: in no path. */
  role: 'path' | 'within' | 'ignored';
  /** One sentence: why. */
  reason: string;
  identities: number;
  values: number;
  medianGroup: number;
  /** Groups of at least minMembers identities (absent for attributes ruled out before scoring). */
  groups?: number;
  /** Share of grants explained by its groups alone. */
  score?: number;
  /** Share added where it was judged: beyond its parent's path, or, for a root, beyond the higher-ranked roots (absent for the first root). */
  gain?: number;
  /** Share of identities in their value's main value of `nestsIn` (its finest container, when it nests). */
  nesting?: number;
  nestsIn?: string;
  /** `within`: the attribute whose path it extends. */
  within?: string;
  /** Ignored as a duplicate: the attribute with the same groups that was kept. */
  duplicateOf?: string;
}

export interface AutoByResult {
  /** Root-to-leaf chains of kept attributes; empty when none explains access. */
  paths: string[][];
  /** Every attribute of the identities file, in file column order. */
  attributes: AutoAttribute[];
  /** Grants the shares are of: the population's pairs of non-birthright entitlements. */
  grants: number;
  /** Entitlements left out as birthright. */
  birthrightEntitlements: number;
  /** Share of `grants` explained by every kept path's groups together. */
  explained: number;
}

/** Whether `name` is a governance column (case and surrounding spaces ignored). */
export function isGovernanceColumn(name: string): boolean {
  return GOVERNANCE_COLUMNS.includes(name.trim().toLowerCase());
}

/** Spread of `col` from its identities per value (`counts[v]`, the empty value's count ignored). */
export function attributeSpread(col: AttributeColumn, counts: ArrayLike<number>, keys: { has(key: string): boolean }): AttributeSpread {
  const sizes: number[] = [];
  let identities = 0;
  let reference = true;
  for (let v = 0; v < col.values.length; v++) {
    const n = counts[v]!;
    if (n === 0 || col.values[v] === '') continue;
    sizes.push(n);
    identities += n;
    if (reference && !keys.has(col.values[v]!)) reference = false;
  }
  sizes.sort((a, b) => a - b);
  let medianGroup = 0;
  const mid = Math.floor((identities - 1) / 2);
  let seen = 0;
  for (const s of sizes) {
    seen += s;
    if (seen > mid) {
      medianGroup = s;
      break;
    }
  }
  return { identities, values: sizes.length, medianGroup, reference: reference && sizes.length > 0 };
}

/** Why the attribute is near-unique (one sentence), or null; null below NEAR_UNIQUE_MIN_IDENTITIES identities with a value. */
export function nearUniqueReason(s: AttributeSpread): string | null {
  if (s.identities < NEAR_UNIQUE_MIN_IDENTITIES) return null;
  const fig = `${s.values} values for ${s.identities} identities, median group ${s.medianGroup}`;
  if (s.reference) return `near-unique: its values are identities of the file (a reference such as a manager), ${fig}`;
  if (s.values > NEAR_UNIQUE_VALUE_SHARE * s.identities) return `near-unique: ${fig} (more values than half the identities)`;
  if (s.medianGroup < NEAR_UNIQUE_MEDIAN_GROUP) return `near-unique: ${fig} (median group below ${NEAR_UNIQUE_MEDIAN_GROUP})`;
  return null;
}

/** Spread of `col` over the identities of `join` (those with `include[i]` set, default all). */
export function spreadOver(join: AttributeJoin, col: AttributeColumn, keys: { has(key: string): boolean }, include?: Uint8Array): AttributeSpread {
  const counts = new Uint32Array(col.values.length);
  for (let i = 0; i < join.row.length; i++) {
    const r = join.row[i]!;
    if (r >= 0 && (!include || include[i])) counts[col.codes[r]!]!++;
  }
  return attributeSpread(col, counts, keys);
}

/**
 * The attributes of `join`'s table that may describe or name a role (describeRoles' default): all
 * but the governance columns and the near-unique attributes over the join's identities, in file
 * order; those in `keep` (the attributes of fixed rules) always.
 */
export function descriptiveAttributes(join: AttributeJoin, keep: ReadonlySet<string> = new Set()): string[] {
  const keys = keyIndex(join.table);
  return join.table.attributes
    .filter((c) => keep.has(c.name) || (!isGovernanceColumn(c.name) && nearUniqueReason(spreadOver(join, c, keys)) === null))
    .map((c) => c.name);
}

// ---------------------------------------------------------------------------------------------------

/** A grouping's typical entitlements: group of each identity (-1: none) and each group's typical entitlements (CSR, ascending). */
interface Level {
  groupOf: Int32Array;
  off: Uint32Array;
  ents: Uint32Array;
  /** Groups of at least minMembers identities. */
  groups: number;
  /** The grants it explains: bit t set when the entitlement of grant position t is typical of its holder's group. */
  bits: Uint32Array;
}

interface Cand {
  col: number;
  name: string;
  codes: Int32Array;
  values: number;
  level: Level;
  score: number;
  rank: number;
  out: AutoAttribute;
  /** Finest attribute it nests in (step 4), and the share. */
  nestParent: Cand | null;
  nestShare: number;
  /** Kept: the attribute whose path it extends (null for a root). */
  parent: Cand | null;
  kept: boolean;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const pct = (x: number): string => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;

/**
 * Chooses the attribute paths of `join`'s identities file that explain `grants` (the human grants
 * of a run, `prep.humans`; `join` built on their identities), by the rules above. Throws UsageError
 * for a join built on other identities or options out of range.
 */
export function chooseAttributePaths(grants: GrantsLike & { rows?: number }, join: AttributeJoin, opts: AutoByOptions = {}): AutoByResult {
  const o: Required<AutoByOptions> = { ...AUTO_BY_DEFAULTS };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) (o as Record<string, number>)[k] = v as number;
  if (!(o.threshold > 0 && o.threshold <= 1)) throw new UsageError(`threshold must be in (0, 1], got ${o.threshold}`);
  if (!Number.isInteger(o.minMembers) || o.minMembers < 1) throw new UsageError(`minMembers must be an integer >= 1, got ${o.minMembers}`);
  if (!(o.birthright > 0 && o.birthright <= 1)) throw new UsageError(`birthright must be in (0, 1], got ${o.birthright}`);
  if (!(o.lift >= 1)) throw new UsageError(`lift must be >= 1, got ${o.lift}`);
  if (!(o.nesting > 0.5 && o.nesting <= 1)) throw new UsageError(`nesting must be in (0.5, 1], got ${o.nesting}`);
  for (const k of ['minScore', 'minGain'] as const) if (!(o[k] >= 0 && o[k] <= 1)) throw new UsageError(`${k} must be in [0, 1], got ${o[k]}`);
  if (!(o.jointRatio >= 1)) throw new UsageError(`jointRatio must be >= 1, got ${o.jointRatio}`);
  const N = grants.identities.length;
  const E = grants.entitlements.length;
  if (!sameIdentities(grants.identities, join)) throw new UsageError("the attribute join was built on other identities than the grants': join the identities file onto the grants' identities");
  const G = Math.min(grants.identity.length, grants.rows ?? Infinity);
  if (grants.entitlement.length < G) throw new UsageError('grants: identity and entitlement arrays differ in length');

  // ---- Grants by identity (CSR), each pair once; then without the birthright entitlements.
  for (let k = 0; k < G; k++) if (grants.identity[k]! >= N || grants.entitlement[k]! >= E) throw new UsageError(`grants: row ${k} has an id out of range`);
  const rows = groupByKey(grants.identity.subarray(0, G), grants.entitlement, N); // a copy: compacted in place below
  const off = rows.off;
  let ents = rows.values;
  const mark = new Uint32Array(E);
  let stamp = 0;
  const nextStamp = (): number => {
    if (stamp === 0xffffffff) {
      mark.fill(0);
      stamp = 0;
    }
    return ++stamp;
  };
  const compact = (keep: (e: number) => boolean): void => {
    let w = 0;
    let start = 0;
    for (let i = 0; i < N; i++) {
      const s = nextStamp();
      const end = off[i + 1]!;
      for (let t = start; t < end; t++) {
        const e = ents[t]!;
        if (mark[e] === s || !keep(e)) continue;
        mark[e] = s;
        ents[w++] = e;
      }
      start = end;
      off[i + 1] = w;
    }
    ents = ents.subarray(0, w);
  };
  compact(() => true);
  const inPop = new Uint8Array(N);
  let P = 0;
  for (let i = 0; i < N; i++) if (off[i + 1]! > off[i]!) (inPop[i] = 1), P++;
  const total = new Uint32Array(E);
  for (const e of ents) total[e]!++;
  const birthNeed = Math.max(1, Math.ceil(o.birthright * P - 1e-9));
  let birthrightEntitlements = 0;
  for (let e = 0; e < E; e++) if (P > 0 && total[e]! >= birthNeed) birthrightEntitlements++;
  if (birthrightEntitlements > 0) {
    compact((e) => total[e]! < birthNeed);
    for (let e = 0; e < E; e++) if (total[e]! >= birthNeed) total[e] = 0;
  }
  const GC = ents.length;
  const share = (n: number): number => (GC > 0 ? n / GC : 0);

  // ---- Groupings and what they explain.
  const count = new Uint32Array(E);
  const touched = new Uint32Array(E);
  const words = Math.ceil(ents.length / 32);
  /**
   * The typical entitlements of each group of `groupOf` (K groups), and which grants they explain
   * (as a bitset over the grant positions t of the rows: the path search asks about the same
   * levels in many combinations). The bits are set group by group, right after the group's rows
   * were counted, while they are still in cache.
   */
  const levelOf = (groupOf: Int32Array, K: number): Level => {
    const bits = new Uint32Array(words);
    const size = new Uint32Array(K + 1);
    for (let i = 0; i < N; i++) if (groupOf[i]! >= 0) size[groupOf[i]! + 1]!++;
    for (let g = 0; g < K; g++) size[g + 1]! += size[g]!;
    const members = new Uint32Array(size[K]!);
    const fill = size.slice(0, K);
    for (let i = 0; i < N; i++) if (groupOf[i]! >= 0) members[fill[groupOf[i]!]!++] = i;
    const tOff = new Uint32Array(K + 1);
    let tEnts = new Uint32Array(64);
    let nt = 0;
    let groups = 0;
    for (let g = 0; g < K; g++) {
      const n = size[g + 1]! - size[g]!;
      const rest = P - n;
      if (n >= o.minMembers && rest > 0) {
        groups++;
        let nTouched = 0;
        for (let k = size[g]!; k < size[g + 1]!; k++) {
          const i = members[k]!;
          for (let t = off[i]!; t < off[i + 1]!; t++) {
            const e = ents[t]!;
            if (count[e]++ === 0) touched[nTouched++] = e;
          }
        }
        const need = Math.max(1, Math.ceil(o.threshold * n - 1e-9));
        const from = nt;
        for (let k = 0; k < nTouched; k++) {
          const e = touched[k]!;
          const c = count[e]!;
          count[e] = 0;
          // Typical: held by `threshold` of the group, and at most 1 / lift as often by the rest.
          if (c < need || (total[e]! - c) * o.lift * n > c * rest) continue;
          if (nt === tEnts.length) {
            const grown = new Uint32Array(tEnts.length * 2);
            grown.set(tEnts);
            tEnts = grown;
          }
          tEnts[nt++] = e;
        }
        if (nt > from) {
          tEnts.subarray(from, nt).sort();
          // The grants of its members that these explain.
          const s = nextStamp();
          for (let k = from; k < nt; k++) mark[tEnts[k]!] = s;
          for (let k = size[g]!; k < size[g + 1]!; k++) {
            const i = members[k]!;
            for (let t = off[i]!; t < off[i + 1]!; t++) if (mark[ents[t]!] === s) bits[t >>> 5]! |= 1 << (t & 31);
          }
        }
      }
      tOff[g + 1] = nt;
    }
    return { groupOf, off: tOff, ents: tEnts.slice(0, nt), groups, bits };
  };
  const union = new Uint32Array(words); // scratch of explained()
  /** Grants whose entitlement is typical of one of the holder's groups in `levels`: the popcount of their bits' union. */
  const explained = (levels: Level[]): number => {
    const sets = [...new Set(levels)].map((L) => L.bits);
    if (sets.length === 0) return 0;
    let x = sets[0]!;
    if (sets.length > 1) {
      union.set(x);
      for (let k = 1; k < sets.length; k++) {
        const b = sets[k]!;
        for (let w = 0; w < words; w++) union[w]! |= b[w]!;
      }
      x = union;
    }
    return popcount(x);
  };
  const popcount = (set: Uint32Array): number => {
    let n = 0;
    for (let w = 0; w < words; w++) {
      let x = set[w]!;
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      n += (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
    }
    return n;
  };

  // ---- Attributes: codes over the population, spread, the filters of rule 1.
  const table = join.table;
  const keys = keyIndex(table);
  const codesOf = (col: AttributeColumn): Int32Array => {
    const empty = col.values.indexOf('');
    const c = new Int32Array(N).fill(-1);
    for (let i = 0; i < N; i++) {
      const r = join.row[i]!;
      if (r >= 0 && inPop[i] && col.codes[r] !== empty) c[i] = col.codes[r]!;
    }
    return c;
  };
  const report: AutoAttribute[] = [];
  const cands: Cand[] = [];
  /** Grants explained by a list of paths (all their prefixes), by the paths' names. */
  const explainedCache = new Map<string, number>();
  table.attributes.forEach((col, a) => {
    const codes = codesOf(col);
    const spread = spreadOver(join, col, keys, inPop);
    const out: AutoAttribute = { name: col.name, role: 'ignored', reason: '', identities: spread.identities, values: spread.values, medianGroup: spread.medianGroup };
    report.push(out);
    if (isGovernanceColumn(col.name)) out.reason = 'a governance column (who or what an account is, not what the business does): never a business attribute';
    else if (spread.identities === 0) out.reason = 'no values among the identities holding grants';
    else if (spread.values === 1) out.reason = `a single value ('${col.values.find((v, k) => v !== '' && codes.includes(k))}') for every identity with one`;
    else out.reason = nearUniqueReason(spread) ?? '';
    if (out.reason !== '') return;
    const level = levelOf(codes, col.values.length);
    const n = explained([level]);
    explainedCache.set(col.name, n);
    const score = share(n);
    out.groups = level.groups;
    out.score = r4(score);
    cands.push({ col: a, name: col.name, codes, values: spread.values, level, score, rank: 0, out, nestParent: null, nestShare: 0, parent: null, kept: false });
  });
  const ranked = cands.slice().sort((p, q) => q.score - p.score || p.col - q.col);
  ranked.forEach((c, k) => (c.rank = k));

  // Groupings of several attributes (a path's prefix), cached by their names.
  const levels = new Map<string, Level>();
  const levelOfPath = (path: Cand[]): Level => {
    if (path.length === 1) return path[0]!.level;
    const sig = path.map((c) => c.name).join('\0');
    let L = levels.get(sig);
    if (L) return L;
    let groupOf = path[0]!.codes;
    let K = table.attributes[path[0]!.col]!.values.length;
    for (let d = 1; d < path.length; d++) {
      const b = path[d]!;
      const Vb = table.attributes[b.col]!.values.length;
      const ids = new Map<number, number>();
      const next = new Int32Array(N).fill(-1);
      for (let i = 0; i < N; i++) {
        const g = groupOf[i]!;
        const v = b.codes[i]!;
        if (g < 0 || v < 0) continue;
        const key = g * Vb + v;
        let id = ids.get(key);
        if (id === undefined) ids.set(key, (id = ids.size));
        next[i] = id;
      }
      groupOf = next;
      K = ids.size;
    }
    L = levelOf(groupOf, K);
    levels.set(sig, L);
    return L;
  };
  /** The levels of `path`'s prefixes (what mineByAttributes mines for it). */
  const prefixLevels = (path: Cand[]): Level[] => path.map((_, d) => levelOfPath(path.slice(0, d + 1)));
  const explainedBy = (paths: Cand[][]): number => {
    const sig = paths.map((p) => p.map((c) => c.name).join('\0')).join('\n');
    let n = explainedCache.get(sig);
    if (n === undefined) explainedCache.set(sig, (n = explained(paths.flatMap(prefixLevels))));
    return n;
  };
  /**
   * Whether `b` nests in `a`: of the identities with both values, at least `nesting` sit in their
   * `b` value's main `a` value, and b tells a beyond chance (the share of the identities outside a's
   * most common value placed right, Goodman and Kruskal's lambda, is at least NEST_BEYOND_CHANCE:
   * every department "nests" in an employment type that 90% of people share). Returns the share, or
   * 0 when b does not nest.
   */
  const nestCache = new Map<string, number>();
  const nests = (b: Cand, a: Cand): number => {
    const sig = `${b.col},${a.col}`;
    const hit = nestCache.get(sig);
    if (hit !== undefined) return hit;
    const Va = table.attributes[a.col]!.values.length;
    const pairs = new Map<number, number>();
    const ofA = new Uint32Array(Va);
    let both = 0;
    for (let i = 0; i < N; i++) {
      const x = a.codes[i]!;
      const y = b.codes[i]!;
      if (x < 0 || y < 0) continue;
      both++;
      ofA[x]!++;
      const key = y * Va + x;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
    const main = new Map<number, number>();
    for (const [key, n] of pairs) {
      const y = Math.floor(key / Va);
      if (n > (main.get(y) ?? 0)) main.set(y, n);
    }
    let inMain = 0;
    for (const n of main.values()) inMain += n;
    let mode = 0;
    for (const n of ofA) mode = Math.max(mode, n);
    const sh = both > 0 ? inMain / both : 0;
    const lambda = both > mode ? (inMain - mode) / (both - mode) : 0;
    const out = sh >= o.nesting && lambda >= NEST_BEYOND_CHANCE ? sh : 0;
    nestCache.set(sig, out);
    return out;
  };
  const pathOf = (c: Cand): Cand[] => (c.parent ? [...pathOf(c.parent), c] : [c]);
  const names = (cs: Cand[]): string => cs.map((c) => c.name).join(', ');

  // ---- 3. Duplicates.
  const live: Cand[] = [];
  for (const c of ranked) {
    const same = live.find((k) => nests(c, k) > 0 && nests(k, c) > 0);
    if (same) {
      c.out.duplicateOf = same.name;
      c.out.reason = `same groups as ${same.name} (each nests in the other): a duplicate of it`;
    } else live.push(c);
  }

  // ---- 4. Nesting: the finest container of each attribute.
  for (const b of live) {
    for (const a of live) {
      if (a === b || a.values >= b.values) continue;
      const s = nests(b, a);
      if (s === 0) continue;
      if (!b.nestParent || a.values > b.nestParent.values || (a.values === b.nestParent.values && a.rank < b.nestParent.rank)) {
        b.nestParent = a;
        b.nestShare = s;
      }
    }
    if (b.nestParent) {
      b.out.nestsIn = b.nestParent.name;
      b.out.nesting = r4(b.nestShare);
    }
  }

  // ---- 5, 7. Roots, by rank.
  const roots: Cand[] = []; // kept roots, by rank
  const judgeRoot = (c: Cand): void => {
    if (c.score < o.minScore) {
      c.out.reason = `explains ${pct(c.score)} of grants (under ${pct(o.minScore)}): no access is typical of its groups`;
      return;
    }
    if (roots.length > 0) {
      const before = explainedBy(roots.map((r) => [r]));
      const gain = share(explainedBy([...roots.map((r) => [r]), [c]]) - before);
      c.out.gain = r4(gain);
      if (gain < o.minGain) {
        c.out.reason = `explains ${pct(c.score)} of grants, but only ${pct(gain)} beyond ${names(roots)}: it says what they say`;
        return;
      }
      c.out.reason = `explains ${pct(c.score)} of grants, ${pct(gain)} beyond ${names(roots)}: a path of its own`;
    } else c.out.reason = `explains ${pct(c.score)} of grants: the first path`;
    c.kept = true;
    c.out.role = 'path';
    roots.push(c);
  };
  const rootLike = live.filter((c) => !c.nestParent);
  for (const c of rootLike) judgeRoot(c);

  // ---- 8. Children, coarse to fine (one whose containers are all ignored is judged as a root).
  const children = live.filter((c) => c.nestParent).sort((p, q) => p.values - q.values || p.rank - q.rank);
  for (const b of children) {
    let p: Cand | null = b.nestParent;
    while (p && !p.kept) p = p.nestParent;
    if (!p) {
      judgeRoot(b);
      rootLike.push(b);
      continue;
    }
    const path = pathOf(p);
    const before = explainedBy([path]);
    const gain = share(explainedBy([[...path, b]]) - before);
    b.out.gain = r4(gain);
    const nest = `its values nest in ${b.nestParent!.name} (${pct(b.nestShare)} of identities)`;
    if (gain < o.minGain) {
      b.out.reason = `${nest}, but it adds only ${pct(gain)} of grants beyond ${names(path)}`;
      continue;
    }
    b.kept = true;
    b.parent = p;
    b.out.role = 'within';
    b.out.within = p.name;
    b.out.reason = `${nest}; it adds ${pct(gain)} of grants beyond ${names(path)}`;
  }

  // ---- 6. Jointly: a root-like attribute (kept or not, without kept children) under a higher-ranked
  // kept root, judged beyond everything else kept.
  rootLike.sort((p, q) => p.rank - q.rank);
  for (const b of rootLike) {
    const parents = roots.filter((a) => a !== b && a.rank < b.rank && a.kept && !a.parent);
    if (parents.length === 0 || ranked.some((k) => k.kept && k.parent === b)) continue;
    const others = keptPaths(ranked).filter((p) => p[0] !== b);
    const base = explainedBy(others);
    const own = share(explainedBy([...others, [b]]) - base);
    let best: { a: Cand; nested: number } | null = null;
    for (const a of parents) {
      const nested = share(explainedBy([...others, [a, b]]) - base);
      if (nested >= o.jointRatio * own && nested - own >= o.minGain && (!best || nested > best.nested)) best = { a, nested };
    }
    if (!best) continue;
    const { a, nested } = best;
    b.kept = true;
    b.parent = a;
    b.out.role = 'within';
    b.out.within = a.name;
    b.out.gain = r4(nested);
    b.out.reason = `explains access with ${a.name}: its (${a.name}, ${b.name}) groups add ${pct(nested)} of grants beyond the rest, ${b.name} alone ${pct(own)}`;
  }

  const paths = keptPaths(ranked);
  return {
    paths: paths.map((p) => p.map((c) => c.name)),
    attributes: report,
    grants: GC,
    birthrightEntitlements,
    explained: paths.length ? r4(share(explainedBy(paths))) : 0,
  };
}

/** Root-to-leaf chains of the kept attributes of `ranked`: roots, then children, by rank. */
function keptPaths(ranked: Cand[]): Cand[][] {
  const kept = ranked.filter((c) => c.kept);
  const paths: Cand[][] = [];
  const walk = (c: Cand, prefix: Cand[]): void => {
    const path = [...prefix, c];
    const kids = kept.filter((k) => k.parent === c);
    if (kids.length === 0) paths.push(path);
    for (const k of kids) walk(k, path);
  };
  for (const c of kept) if (!c.parent) walk(c, []);
  return paths;
}

function sameIdentities(identities: string[], join: AttributeJoin): boolean {
  if (join.identities === identities) return true;
  const n = identities.length;
  if (join.identities.length !== n || join.row.length !== n) return false;
  for (let i = 0; i < n; i++) if (join.identities[i] !== identities[i]) return false;
  return true;
}
