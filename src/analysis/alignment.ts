/**
 * Business alignment: how well identity attributes (department, title, location, ...) describe a
 * role's members, and role mining driven by those attributes.
 *
 * Words. A role's *members* are its identities. A *term* is `attribute = value`; a *descriptor* is
 * a conjunction of at most two terms on different attributes, or no term at all ("everyone", rule
 * `true`). An identity *holds* a descriptor when its row has every term's value. The *population* is
 * the model's identities (everyone who holds a grant); identities in the file that hold no grants
 * are never counted. An identity without a row, or with an empty value, holds no value of that
 * attribute ("unknown"); the empty string is never a descriptor value.
 *
 * For a role with m members and a descriptor D held by H identities of the population, x of them
 * members:
 *
 *     coverage  = x / m      share of the role's members holding D
 *     precision = x / H      share of D's holders who are members of the role
 *     F1        = 2 x / (m + H)   harmonic mean of the two (= 2cp / (c + p))
 *
 * F1 is compared exactly, as integer cross products, so ties are real ties; ties go to the
 * descriptor with fewer terms (the simpler rule), then by attribute name, then by value, term by
 * term. Terms inside a pair follow the column order of the identities file (department before title
 * in the usual export), which is also the order of a suggested name's parts.
 *
 * Quality score (0-100, rounded to an integer), three documented parts:
 *
 *     score = 50 x F1(best descriptor)          how exactly one attribute rule says who is in the role
 *           + 25 x purity                        coverage of the best descriptor: share of members sharing it
 *           + 25 x cohesion                      caller-supplied per role in [0, 1]; default m / (m + 5)
 *
 * The default cohesion is a size prior: attribute statistics over a handful of members are weak
 * evidence (two members sharing a department says little), so a role of 5 members gets half of that
 * part, 45 members 0.9. A caller that measures access cohesion (e.g. the share of the role's
 * member x entitlement cells that are actual grants) passes its own.
 */
import { UsageError } from '../errors.js';
import { sortedHas } from '../util/sorted.js';
import type { RoleModel, Roles } from '../model/model.js';
import { attributeColumn, type AttributeJoin } from './identities.js';
import { descriptiveAttributes } from './auto-by.js';
import { keyIndex, type AttributeColumn, type IdentityTable } from '../ingest/identities.js';
import { groupByKey, sortRun } from '../util/group.js';

/** `attribute = value`. */
export interface Term {
  attribute: string;
  value: string;
}

/** One value of one attribute among a role's members. */
export interface ValueStat {
  value: string;
  /** Members holding the value. */
  members: number;
  /** Identities of the population holding the value. */
  holders: number;
  /** members / role members. */
  coverage: number;
  /** members / holders. */
  precision: number;
  /** 2 x coverage x precision / (coverage + precision). */
  f1: number;
}

export interface AttributeProfile {
  attribute: string;
  /** Members without a value for this attribute (no row in the file, or an empty value). */
  unknown: number;
  /** The top values: most members first, then higher F1, then by value; at most `topValues`. */
  values: ValueStat[];
}

export interface Descriptor {
  /** No term: everyone. One or two terms, in the file's column order. */
  terms: Term[];
  /** `true`, or `department='Finance' and title='Accountant'` (a `'` inside a value is doubled). */
  rule: string;
  members: number;
  holders: number;
  coverage: number;
  precision: number;
  f1: number;
}

/** The quality score and its parts; `score = round(50 f1 + 25 purity + 25 cohesion)`. */
export interface Quality {
  score: number;
  /** F1 of the best descriptor, in [0, 1]. */
  f1: number;
  /** Coverage of the best descriptor, in [0, 1]. */
  purity: number;
  /** Supplied by the caller, or m / (m + 5). */
  cohesion: number;
}

export interface RoleDescription {
  /** Role index in the model. */
  role: number;
  members: number;
  /** Per described attribute, in the file's column order. */
  attributes: AttributeProfile[];
  best: Descriptor;
  /**
   * Readable name from the best descriptor's values: "Finance / Accountant"; a value of an attribute
   * that refers to identities (every value is an identity key, like `manager`) is written with its
   * attribute: "manager u000042"; no term: "Everyone". With a prefix for the role's kind:
   * "Birthright" (no term) or "Birthright: Finance". Unique within the result: a repeated name gets
   * " (2)", " (3)", ... in role order.
   */
  name: string;
  quality: Quality;
}

export interface DescribeOptions {
  /**
   * Attributes to describe with (default: every attribute column of the file but the governance
   * columns `person`, `type`, `status` and the near-unique attributes, such as a manager or an
   * employee number: `descriptiveAttributes` in auto-by.ts; an attribute a `fixed` rule uses is kept).
   */
  attributes?: string[];
  /** Top values listed per attribute (default 3). */
  topValues?: number;
  /** Also consider conjunctions of two attributes' values (default true). */
  pairs?: boolean;
  /** Per role, in [0, 1]: the cohesion part of the score (default m / (m + 5)). */
  cohesion?: ArrayLike<number>;
  /** Name prefix per role kind code (`Roles.kind`), e.g. `{ 1: 'Birthright' }`. */
  kindPrefix?: Partial<Record<number, string>>;
  /**
   * Per role, a descriptor fixed in advance instead of searched: the rule an attribute-driven role
   * was built from, with its group's size (`holders`). Its coverage, precision, F1, quality and
   * name are computed as for a searched one. Ignored when a term's attribute is not described.
   */
  fixed?: ({ terms: Term[]; holders: number } | undefined)[];
}

/** Largest value-pair table counted in one pass (4M cells, 16 MB). */
const PAIR_TABLE_CELLS = 1 << 22;

/** Members per unit of the default cohesion's half point: cohesion = m / (m + COHESION_HALF). */
export const COHESION_HALF = 5;

/**
 * Describes every role of `model` by the attributes of `join` (which must have been built on
 * `model.identities`). Deterministic: the same model and table give the same result. Cost: O(members
 * x attributes) per role, plus, for pairs, the holders of each candidate pair counted once on the
 * smaller value's holder list (cached across roles). Candidate pairs are pruned exactly: a pair
 * holding x members has F1 <= 2x / (m + x), so only values that could beat the best single term are
 * paired.
 */
export function describeRoles(model: Pick<RoleModel, 'identities' | 'roles'>, join: AttributeJoin, opts: DescribeOptions = {}): RoleDescription[] {
  checkJoin(model.identities, join, 'model');
  const { roles } = model;
  const table = join.table;
  const topValues = opts.topValues ?? 3;
  if (!Number.isInteger(topValues) || topValues < 0) throw new UsageError(`topValues must be an integer >= 0, got ${topValues}`);
  if (opts.cohesion !== undefined) {
    if (opts.cohesion.length !== roles.count) throw new UsageError(`cohesion must have one value per role (${roles.count}), got ${opts.cohesion.length}`);
    for (let r = 0; r < roles.count; r++) {
      const c = opts.cohesion[r]!;
      if (!(c >= 0 && c <= 1)) throw new UsageError(`cohesion of role ${r} must be in [0, 1], got ${c}`);
    }
  }
  const cols = selectColumns(table, opts.attributes ?? descriptiveAttributes(join, new Set(opts.fixed?.flatMap((f) => f?.terms.map((t) => t.attribute) ?? []))));
  const A = cols.length;
  const N = model.identities.length;

  // Per attribute: each identity's value code (-1: unknown) and each value's holders in the population.
  const code: Int32Array[] = [];
  const holders: Uint32Array[] = [];
  for (const col of cols) {
    const empty = col.values.indexOf('');
    const c = new Int32Array(N).fill(-1);
    const h = new Uint32Array(col.values.length);
    for (let i = 0; i < N; i++) {
      const r = join.row[i]!;
      if (r < 0) continue;
      const v = col.codes[r]!;
      if (v === empty) continue;
      c[i] = v;
      h[v]!++;
    }
    code.push(c);
    holders.push(h);
  }
  // Identities by value, per attribute (built on first use by the pair step).
  const byValue: ({ off: Uint32Array; ids: Uint32Array } | null)[] = cols.map(() => null);
  const invert = (a: number) => {
    let idx = byValue[a];
    if (idx) return idx;
    const h = holders[a]!;
    const off = new Uint32Array(h.length + 1);
    for (let v = 0; v < h.length; v++) off[v + 1] = off[v]! + h[v]!;
    const fill = off.slice(0, h.length);
    const ids = new Uint32Array(off[h.length]!);
    const c = code[a]!;
    for (let i = 0; i < N; i++) if (c[i]! >= 0) ids[fill[c[i]!]!++] = i;
    idx = { off, ids };
    byValue[a] = idx;
    return idx;
  };
  // Holders of each value pair of two attributes, counted in one pass over the population when
  // the table is small enough (V_a x V_b <= PAIR_TABLE_CELLS); otherwise pair by pair below.
  const pairTables = new Map<number, Uint32Array | null>();
  const pairTable = (a: number, b: number): Uint32Array | null => {
    const key = a * A + b;
    let t = pairTables.get(key);
    if (t !== undefined) return t;
    const Va = cols[a]!.values.length;
    const Vb = cols[b]!.values.length;
    t = null;
    if (Va * Vb <= PAIR_TABLE_CELLS) {
      t = new Uint32Array(Va * Vb);
      const ca = code[a]!;
      const cb = code[b]!;
      for (let i = 0; i < N; i++) {
        const x = ca[i]!;
        const y = cb[i]!;
        if (x >= 0 && y >= 0) t[x * Vb + y]!++;
      }
    }
    pairTables.set(key, t);
    return t;
  };
  const pairHolderCache = new Map<string, number>();
  const pairHolders = (a: number, va: number, b: number, vb: number): number => {
    const table = a < b ? pairTable(a, b) : pairTable(b, a);
    if (table) return a < b ? table[va * cols[b]!.values.length + vb]! : table[vb * cols[a]!.values.length + va]!;
    const key = `${a},${va},${b},${vb}`;
    let n = pairHolderCache.get(key);
    if (n !== undefined) return n;
    // Walk the smaller of the two values' holder lists, checking the other attribute.
    const [s, vs, o, vo] = holders[a]![va]! <= holders[b]![vb]! ? [a, va, b, vb] : [b, vb, a, va];
    const idx = invert(s);
    const oc = code[o]!;
    n = 0;
    for (let k = idx.off[vs]!; k < idx.off[vs + 1]!; k++) if (oc[idx.ids[k]!] === vo) n++;
    pairHolderCache.set(key, n);
    return n;
  };
  const keys = keyIndex(table);
  const isReference = cols.map((col) => {
    let any = false;
    for (const v of col.values) {
      if (v === '') continue;
      if (!keys.has(v)) return false;
      any = true;
    }
    return any;
  });

  const counts = cols.map((col) => new Uint32Array(col.values.length));
  // A role's candidate values for pairs, numbered from 1 per attribute (0: not a candidate), so a
  // pair's combinations count in a small array instead of a Map; valueOfLocal[a][n - 1] = v.
  const candidate = cols.map((col) => new Uint32Array(col.values.length));
  const valueOfLocal: number[][] = cols.map(() => []);
  let comboCount = new Uint32Array(64);
  let comboOrder = new Uint32Array(64);
  const out: RoleDescription[] = [];
  const usedNames = new Map<string, number>();

  for (let r = 0; r < roles.count; r++) {
    const members = roles.members.subarray(roles.memberOffsets[r], roles.memberOffsets[r + 1]);
    const m = members.length;
    // Everyone is a candidate descriptor too (the birthright rule).
    let best: Cand = { terms: [], x: m, h: N };
    const touched: number[][] = cols.map(() => []);
    for (let a = 0; a < A; a++) {
      const c = code[a]!;
      const cnt = counts[a]!;
      const t = touched[a]!;
      for (let k = 0; k < m; k++) {
        const v = c[members[k]!]!;
        if (v < 0) continue;
        if (cnt[v]++ === 0) t.push(v);
      }
    }
    const profiles: AttributeProfile[] = [];
    for (let a = 0; a < A; a++) {
      const cnt = counts[a]!;
      const h = holders[a]!;
      const stats: { v: number; x: number; h: number }[] = [];
      let known = 0;
      for (const v of touched[a]!) {
        const x = cnt[v]!;
        known += x;
        stats.push({ v, x, h: h[v]! });
        const cand: Cand = { terms: [{ a, v }], x, h: h[v]! };
        if (better(cand, best, m, cols)) best = cand;
      }
      const values = cols[a]!.values;
      stats.sort((p, q) => q.x - p.x || cmpF1(q, p, m) || cmpStr(values[p.v]!, values[q.v]!));
      profiles.push({
        attribute: cols[a]!.name,
        unknown: m - known,
        values: stats.slice(0, topValues).map((s) => valueStat(values[s.v]!, s.x, s.h, m)),
      });
    }
    if (opts.pairs !== false && A >= 2 && m > 0) {
      // A pair holding x members has F1 <= 2x / (m + x); only values with that bound above the best
      // single descriptor's F1 can give a pair that wins (pairs lose ties to simpler descriptors).
      const beats = (x: number) => x * (m + best.h) > best.x * (m + x);
      let anyCandidate = false;
      for (let a = 0; a < A; a++) {
        valueOfLocal[a]!.length = 0;
        for (const v of touched[a]!) {
          if (beats(counts[a]![v]!)) {
            candidate[a]![v] = valueOfLocal[a]!.push(v);
            anyCandidate = true;
          }
        }
      }
      if (anyCandidate) {
        const single = best;
        for (let a = 0; a < A; a++) {
          for (let b = a + 1; b < A; b++) {
            const ca = code[a]!;
            const cb = code[b]!;
            const la = candidate[a]!;
            const lb = candidate[b]!;
            const nb = valueOfLocal[b]!.length;
            const size = valueOfLocal[a]!.length * nb;
            if (size === 0) continue;
            if (comboCount.length < size) (comboCount = new Uint32Array(2 * size)), (comboOrder = new Uint32Array(2 * size));
            // Each combination's members, and the combinations in the order first met.
            let combos = 0;
            for (let k = 0; k < m; k++) {
              const i = members[k]!;
              const va = ca[i]!;
              const vb = cb[i]!;
              if (va < 0 || vb < 0 || !la[va] || !lb[vb]) continue;
              const key = (la[va]! - 1) * nb + lb[vb]! - 1;
              if (comboCount[key]!++ === 0) comboOrder[combos++] = key;
            }
            for (let q = 0; q < combos; q++) {
              const key = comboOrder[q]!;
              const x = comboCount[key]!;
              comboCount[key] = 0;
              if (!(x * (m + single.h) > single.x * (m + x))) continue;
              const va = valueOfLocal[a]![Math.floor(key / nb)]!;
              const vb = valueOfLocal[b]![key % nb]!;
              const cand: Cand = { terms: [{ a, v: va }, { a: b, v: vb }], x, h: pairHolders(a, va, b, vb) };
              if (better(cand, best, m, cols)) best = cand;
            }
          }
        }
      }
      for (let a = 0; a < A; a++) for (const v of touched[a]!) candidate[a]![v] = 0;
    }
    for (let a = 0; a < A; a++) for (const v of touched[a]!) counts[a]![v] = 0;
    const fixed = opts.fixed?.[r];
    if (fixed) {
      const ft = fixed.terms.map((t) => {
        const a = cols.findIndex((c) => c.name === t.attribute);
        return { a, v: a >= 0 ? cols[a]!.values.indexOf(t.value) : -1 };
      });
      if (ft.every((t) => t.a >= 0 && t.v >= 0)) {
        let x = 0;
        for (let k = 0; k < m; k++) if (ft.every((t) => code[t.a]![members[k]!] === t.v)) x++;
        best = { terms: ft, x, h: fixed.holders };
      }
    }

    const terms = best.terms.map((t) => ({ attribute: cols[t.a]!.name, value: cols[t.a]!.values[t.v]! }));
    const stat = valueStat('', best.x, best.h, m);
    const descriptor: Descriptor = {
      terms,
      rule: ruleOf(terms),
      members: best.x,
      holders: best.h,
      coverage: stat.coverage,
      precision: stat.precision,
      f1: stat.f1,
    };
    const cohesion = opts.cohesion !== undefined ? opts.cohesion[r]! : m / (m + COHESION_HALF);
    const score = Math.round(50 * descriptor.f1 + 25 * descriptor.coverage + 25 * cohesion);

    const parts = best.terms.map((t) => {
      const value = cols[t.a]!.values[t.v]!;
      return isReference[t.a] ? `${cols[t.a]!.name} ${value}` : value;
    });
    const prefix = opts.kindPrefix?.[roles.kind[r]!];
    let name = m === 0 ? 'No members' : parts.length > 0 ? parts.join(' / ') : 'Everyone';
    if (prefix !== undefined && prefix !== '') name = parts.length > 0 ? `${prefix}: ${name}` : prefix;
    const seen = (usedNames.get(name) ?? 0) + 1;
    usedNames.set(name, seen);
    if (seen > 1) name = `${name} (${seen})`;

    out.push({
      role: r,
      members: m,
      attributes: profiles,
      best: descriptor,
      name,
      quality: { score, f1: descriptor.f1, purity: descriptor.coverage, cohesion },
    });
  }
  return out;
}

/** A candidate descriptor during the search: terms by (column index, value code), x members, h holders. */
interface Cand {
  terms: { a: number; v: number }[];
  x: number;
  h: number;
}

/** F1 = 2x / (m + h), compared exactly: positive when p's F1 is greater. */
function cmpF1(p: { x: number; h: number }, q: { x: number; h: number }, m: number): number {
  return p.x * (m + q.h) - q.x * (m + p.h);
}

/** Whether `p` beats `q`: higher F1, then fewer terms, then attribute name and value, term by term. */
function better(p: Cand, q: Cand, m: number, cols: AttributeColumn[]): boolean {
  const f = cmpF1(p, q, m);
  if (f !== 0) return f > 0;
  if (p.terms.length !== q.terms.length) return p.terms.length < q.terms.length;
  for (let k = 0; k < p.terms.length; k++) {
    const s = p.terms[k]!;
    const t = q.terms[k]!;
    const byName = cmpStr(cols[s.a]!.name, cols[t.a]!.name);
    if (byName !== 0) return byName < 0;
    const byValue = cmpStr(cols[s.a]!.values[s.v]!, cols[t.a]!.values[t.v]!);
    if (byValue !== 0) return byValue < 0;
  }
  return false;
}

function valueStat(value: string, x: number, h: number, m: number): ValueStat {
  return {
    value,
    members: x,
    holders: h,
    coverage: m > 0 ? x / m : 0,
    precision: h > 0 ? x / h : 0,
    f1: m + h > 0 ? (2 * x) / (m + h) : 0,
  };
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Significance level of a veto: the sub-group's holder count must be this unlikely by chance. */
export const VETO_ALPHA = 0.001;

/** P(X <= k) for X ~ Binomial(n, p), summed in log space (n up to millions). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return k >= n ? 1 : 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  // log pmf(0) = n log q; pmf(i + 1) = pmf(i) x (n - i) / (i + 1) x p / q.
  let lpmf = n * lq;
  let sum = Math.exp(lpmf);
  for (let i = 0; i < k; i++) {
    lpmf += Math.log((n - i) / (i + 1)) + lp - lq;
    sum += Math.exp(lpmf);
  }
  return Math.min(1, sum);
}

/** `true` for no term; else `attr='value' and ...`, with `'` doubled inside values. */
export function ruleOf(terms: Term[]): string {
  if (terms.length === 0) return 'true';
  return terms.map((t) => `${t.attribute}='${t.value.replaceAll("'", "''")}'`).join(' and ');
}

/** The join must have been built on these very identity names (same ids), or ids would be misread. */
function checkJoin(identities: string[], join: AttributeJoin, what: string): void {
  if (join.identities === identities) return;
  const n = identities.length;
  let same = join.identities.length === n && join.row.length === n;
  for (let i = 0; same && i < n; i++) same = join.identities[i] === identities[i];
  if (!same) throw new UsageError(`the attribute join was built on other identities than the ${what}'s: join the identities file onto the ${what}'s identities`);
}

/** The named columns in file order (all when `names` is undefined); unknown names are UsageErrors listing the available ones. */
function selectColumns(table: IdentityTable, names: string[] | undefined): AttributeColumn[] {
  if (names === undefined) return table.attributes.slice();
  const want = new Set<string>();
  for (const n of names) {
    attributeColumn(table, n);
    if (want.has(n)) throw new UsageError(`attribute '${n}' is listed twice`);
    want.add(n);
  }
  return table.attributes.filter((c) => want.has(c.name));
}

// ---------------------------------------------------------------------------------------------------
// Attribute-driven mining

/** Grants as ids over name lists (a `Grants` fits); pairs may repeat. */
export interface GrantsLike {
  identity: Uint32Array;
  entitlement: Uint32Array;
  identities: string[];
  entitlements: string[];
}

export interface AttributeMineOptions {
  /**
   * First mine a birthright role (rule `true`, kind 1): entitlements held by at least `threshold` of
   * all identities; these are then left out of every attribute role (default true).
   */
  birthright?: boolean;
  /** Share of all identities that must hold an entitlement for the birthright role (default `threshold`; 0: no birthright role). */
  birthrightThreshold?: number;
  /**
   * Top-down levels (default true): with attributes [a1, a2, ...], roles for each value of a1, then
   * for each (a1, a2) combination, ...; each role leaves out what its ancestors' roles give. With
   * false, only the full combination of all listed attributes is mined (leaving out the birthright
   * role's entitlements only).
   */
  nested?: boolean;
  /**
   * Attributes whose value sub-groups may veto an entitlement (default: every attribute of the
   * identities file that the group does not fix; [] turns the check off). See `mineByAttributes`.
   */
  veto?: string[];
}

/** An entitlement left out of a group's role because a sizable sub-group mostly lacks it. */
export interface Veto {
  /** The group's rule. */
  rule: string;
  entitlement: number;
  /** The sub-group: identities of the group with this attribute value (the first one found, in file column order, then by value). */
  attribute: string;
  value: string;
  /** Sub-group members holding the entitlement, and the sub-group's size. */
  holders: number;
  size: number;
}

export interface AttributeRoles {
  /** Compressed as in src/model/model.ts; members and entitlements ascending by id. Kind 1 for the birthright role, 0 otherwise. */
  roles: Roles;
  /** Per role: `true` or `department='Finance' and title='Accountant'`. */
  rules: string[];
  /** Per role: the rule's terms. */
  terms: Term[][];
  /** Groups with at least minMembers holders that gave no role (no entitlement beyond their ancestors'). */
  emptyGroups: number;
  /** Groups with fewer than minMembers holders (not mined). */
  smallGroups: number;
  /** Identities with no value (no row, or an empty value) for some listed attribute: in no full-combination group. */
  identitiesWithoutValues: number;
  /** Every vetoed (group, entitlement), by rule then entitlement id. */
  vetoes: Veto[];
}

/**
 * Top-down, attribute-driven roles. For each group of identities sharing a value (or, level by
 * level, a combination of values) of `attributes` and holding at least `minMembers` identities, the
 * entitlements held by at least `threshold` of the group form a role whose members are the whole
 * group: membership follows the attribute rule, not observed access, so a member lacking one of
 * them is a missing grant the role would give. "At least threshold of n" means at least
 * ceil(threshold x n) holders (with a 1e-9 allowance for floating-point products such as 0.7 x 10).
 *
 * Veto (why: a share over the whole group hides sub-populations). An entitlement that 84% of a
 * department hold can be one that every analyst holds and no manager does: giving it to the whole
 * department would hand it to every manager. So an entitlement passing the threshold is still left
 * out of the group's role when some sub-group of the group, at least `minMembers` identities sharing
 * a value of another attribute (title, location, manager, ...; see `opts.veto`), has fewer than half
 * of its members holding it, and that few holders would be unlikely by chance: below VETO_ALPHA
 * (0.001) shared over all the (sub-group, entitlement) tests of the group (Bonferroni), under a
 * binomial draw at the rest of the group's share (a team of five of whom two hold what 88% of their
 * department holds is bad luck, not a different job). Each such case is listed in `vetoes`. With nesting, a vetoed
 * entitlement is not inherited, so a finer group (department and title) can still take it. Random
 * noise rarely trips the veto: it needs most of a sub-group of `minMembers` or more to lack the
 * entitlement, while a group-wide entitlement is held throughout.
 *
 * Several attribute paths (`[['department', 'title'], ['location']]`; a flat list is one path) are
 * mined level by level: level 1 takes each path's first attribute, level 2 each path's first two,
 * and so on. A grant counts towards a group only when no role of an earlier level gives it to that
 * identity (explained away): a title group takes what its department's role and its office's
 * location role leave, so ten directors who mostly sit in one office do not take that office's
 * badge. Within a level, an entitlement of role A is dropped when another role of the level with
 * more members (or as many, and found first) has it and holds every member of A that holds it (a
 * department that sits entirely in one office leaves the badge to the office). A prefix shared by
 * two paths is mined once.
 *
 * Roles are ordered as `sortRoles` orders mined roles (birthright first, most members, most
 * entitlements), then by rule. Duplicate grants count once. Throws UsageError for an unknown or
 * repeated attribute (listing the available ones), an empty list or path, a threshold outside (0, 1],
 * a minMembers below 1, or a join built on other identities.
 */
export function mineByAttributes(
  grants: GrantsLike,
  join: AttributeJoin,
  attributes: string[] | string[][],
  threshold = 0.8,
  minMembers = 5,
  opts: AttributeMineOptions = {},
): AttributeRoles {
  if (!Array.isArray(attributes) || attributes.length === 0) throw new UsageError('mining by attributes needs at least one attribute');
  const paths: string[][] = attributes.every((a) => typeof a === 'string') ? [attributes as string[]] : (attributes as unknown[]).map((a) => (Array.isArray(a) ? (a as string[]) : [String(a)]));
  for (const path of paths) {
    if (path.length === 0) throw new UsageError('mining by attributes: an empty attribute list');
    for (const n of path) attributeColumn(join.table, n);
    if (new Set(path).size !== path.length) throw new UsageError(`an attribute is listed twice in ${path.join(', ')}`);
  }
  const hier = paths.map((path) => path.map((n) => attributeColumn(join.table, n)));
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) throw new UsageError(`threshold must be in (0, 1], got ${threshold}`);
  if (!Number.isInteger(minMembers) || minMembers < 1) throw new UsageError(`minMembers must be an integer >= 1, got ${minMembers}`);
  checkJoin(grants.identities, join, 'grants');
  const tableCols = join.table.attributes;
  const vetoNames = opts.veto === undefined ? tableCols.map((c) => c.name) : opts.veto;
  for (const n of vetoNames) attributeColumn(join.table, n);
  const N = grants.identities.length;
  const E = grants.entitlements.length;
  const G = grants.identity.length;
  if (grants.entitlement.length !== G) throw new UsageError('grants: identity and entitlement arrays differ in length');

  // Rows by identity (CSR); duplicates are skipped when counting (stamp per entitlement).
  for (let k = 0; k < G; k++) if (grants.identity[k]! >= N || grants.entitlement[k]! >= E) throw new UsageError(`grants: row ${k} has an id out of range`);
  const { off, values: ents } = groupByKey(grants.identity, grants.entitlement, N);
  const count = new Uint32Array(E);
  const stamp = new Uint32Array(E);
  let stampId = 0;
  /**
   * Entitlements held, and not given by a role of an earlier level (`given`), by at least
   * ceil(threshold x n) of `members`, ascending.
   */
  const frequent = (members: ArrayLike<number>, share = threshold): number[] => {
    const n = members.length;
    const need = Math.max(1, Math.ceil(share * n - 1e-9));
    const touched: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = members[k]!;
      stampId++;
      for (let t = off[i]!; t < off[i + 1]!; t++) {
        const e = ents[t]!;
        if (stamp[e] === stampId || given[t]) continue;
        stamp[e] = stampId;
        if (count[e]++ === 0) touched.push(e);
      }
    }
    const out: number[] = [];
    for (const e of touched) {
      if (count[e]! >= need) out.push(e);
      count[e] = 0;
    }
    return out.sort((a, b) => a - b);
  };

  // Value codes per listed attribute (-1: unknown); those of veto attributes are built on use.
  const codeCache = new Map<AttributeColumn, Int32Array>();
  const codesOf = (col: AttributeColumn): Int32Array => {
    let c = codeCache.get(col);
    if (c) return c;
    const empty = col.values.indexOf('');
    c = new Int32Array(N).fill(-1);
    for (let i = 0; i < N; i++) {
      const r = join.row[i]!;
      if (r >= 0 && col.codes[r] !== empty) c[i] = col.codes[r]!;
    }
    codeCache.set(col, c);
    return c;
  };
  const vetoes: Veto[] = [];
  const slot = new Int32Array(E).fill(-1);
  // Scratch for the veto, reused over groups: the candidates' slots of each member (grown on
  // demand), and one zeroed array per veto attribute, as long as its values (left zeroed after use).
  let heldSlots: Uint32Array = new Uint32Array(1024);
  const grow = (a: Uint32Array, need: number): Uint32Array => {
    const b = new Uint32Array(Math.max(need, 2 * a.length));
    b.set(a);
    return b;
  };
  const scratch = new Map<AttributeColumn, Uint32Array>();
  const valueScratch = (col: AttributeColumn): Uint32Array => {
    let a = scratch.get(col);
    if (!a) scratch.set(col, (a = new Uint32Array(col.values.length)));
    return a;
  };
  /** `cand` minus the entitlements that a sub-group of `members` mostly lacks (see the veto above). */
  const veto = (members: ArrayLike<number>, cand: number[], rule: string, fixed: AttributeColumn[]): number[] => {
    const by = tableCols.filter((c) => vetoNames.includes(c.name) && !fixed.includes(c));
    if (cand.length === 0 || by.length === 0 || members.length <= minMembers) return cand; // no proper sub-group of minMembers
    cand.forEach((e, k) => (slot[e] = k));
    const out = new Uint8Array(cand.length);
    // The candidates each member holds (slots, distinct), read from its grants once; and their
    // holders in the whole group.
    const M = members.length;
    const heldOff = new Uint32Array(M + 1);
    let h = 0;
    const total = new Uint32Array(cand.length);
    for (let k = 0; k < M; k++) {
      const i = members[k]!;
      stampId++;
      if (heldSlots.length - h < off[i + 1]! - off[i]!) heldSlots = grow(heldSlots, h + off[i + 1]! - off[i]!);
      for (let t = off[i]!; t < off[i + 1]!; t++) {
        const e = ents[t]!;
        const s = slot[e]!;
        if (s < 0 || stamp[e] === stampId) continue;
        stamp[e] = stampId;
        heldSlots[h++] = s;
        total[s]!++;
      }
      heldOff[k + 1] = h;
    }
    // Sub-group sizes per veto attribute, counted in one scratch array per attribute (reset after
    // use): the values present, ascending (dictionary order, so the recorded sub-group is
    // deterministic), and each one's size.
    const sizes = by.map((col) => {
      const c = codesOf(col);
      const count = valueScratch(col);
      const present: number[] = [];
      for (let k = 0; k < M; k++) {
        const v = c[members[k]!]!;
        if (v >= 0 && count[v]!++ === 0) present.push(v);
      }
      present.sort((a, b) => a - b);
      const size = Uint32Array.from(present, (v) => count[v]!);
      for (const v of present) count[v] = 0;
      return { present, size };
    });
    let tests = 0;
    for (const { size } of sizes) for (const n of size) if (n >= minMembers && n < M) tests += cand.length;
    const alpha = VETO_ALPHA / Math.max(1, tests);
    for (let b = 0; b < by.length; b++) {
      const col = by[b]!;
      const c = codesOf(col);
      const { present, size } = sizes[b]!;
      // Holders per candidate in each sub-group that is tested (minMembers or more, not everyone):
      // the j-th tested sub-group counts into held[j * C, (j + 1) * C).
      const tested: number[] = []; // indices into `present`
      for (let x = 0; x < present.length; x++) if (size[x]! >= minMembers && size[x]! < M) tested.push(x);
      if (tested.length === 0) continue;
      const at = valueScratch(col); // value -> 1 + its place in `tested`
      tested.forEach((x, j) => (at[present[x]!] = j + 1));
      const C = cand.length;
      const held = new Uint32Array(tested.length * C);
      for (let k = 0; k < M; k++) {
        const v = c[members[k]!]!;
        if (v < 0 || at[v] === 0) continue;
        const base = (at[v]! - 1) * C;
        for (let t = heldOff[k]!; t < heldOff[k + 1]!; t++) held[base + heldSlots[t]!]!++;
      }
      for (const x of tested) at[present[x]!] = 0;
      for (let j = 0; j < tested.length; j++) {
        const x = tested[j]!;
        const n = size[x]!;
        const base = j * C;
        for (let k = 0; k < C; k++) {
          const hk = held[base + k]!;
          if (out[k] || 2 * hk >= n) continue;
          // Chance alone (the rest of the group's share, applied to n draws) must be an unlikely
          // explanation, or random gaps (missing, dormant) in a small team would veto group access.
          const rest = members.length - n;
          const pRest = rest > 0 ? (total[k]! - hk) / rest : 1;
          if (binomialCdf(hk, n, pRest) >= alpha) continue;
          out[k] = 1;
          vetoes.push({ rule, entitlement: cand[k]!, attribute: col.name, value: col.values[present[x]!]!, holders: hk, size: n });
        }
      }
    }
    for (const e of cand) slot[e] = -1;
    return cand.filter((_, k) => !out[k]);
  };

  interface Found {
    kind: number;
    terms: Term[];
    rule: string;
    members: Uint32Array;
    ents: number[];
  }
  const found: Found[] = [];
  let emptyGroups = 0;
  let smallGroups = 0;

  // Roles given to each identity by earlier levels (indices into `found`): a grant they explain is
  // not counted again, so a finer group only takes what its ancestors, and the roles of other
  // attribute paths at coarser levels, leave unexplained (a director group that mostly sits in one
  // office does not take that office's location role's entitlements).
  // Kept per grant (its position in the rows above): given[t] = 1 once a role of an earlier level
  // gives ents[t] to its holder, so a group's count skips it at no cost per grant.
  const given = new Uint8Array(G);
  const inRole = new Int32Array(E).fill(-1);
  const giveLevel = (from: number): void => {
    for (let r = from; r < found.length; r++) {
      const f = found[r]!;
      for (const e of f.ents) inRole[e] = r;
      for (const i of f.members) for (let t = off[i]!; t < off[i + 1]!; t++) if (inRole[ents[t]!] === r) given[t] = 1;
    }
  };

  // Within one level, groups of different paths overlap (a department sitting in one office):
  // an entitlement of role A is dropped when another role B of the level, with more members (or as
  // many, and mined first), has it and holds every member of A that holds it: B explains it.
  const inB = new Uint32Array(N);
  let inBId = 0;
  const dedupeLevel = (from: number): void => {
    const byEnt = new Map<number, number[]>();
    for (let r = from; r < found.length; r++) for (const e of found[r]!.ents) {
      let l = byEnt.get(e);
      if (!l) byEnt.set(e, (l = []));
      l.push(r);
    }
    const drop = new Map<number, Set<number>>();
    for (const [e, list] of byEnt) {
      if (list.length < 2) continue;
      for (const a of list) {
        const A = found[a]!;
        for (const b of list) {
          const B = found[b]!;
          if (b === a || B.members.length < A.members.length || (B.members.length === A.members.length && b > a)) continue;
          inBId++;
          for (const i of B.members) inB[i] = inBId;
          let covered = true;
          for (const i of A.members) if (inB[i] !== inBId && holds(i, e)) { covered = false; break; }
          if (!covered) continue;
          let d = drop.get(a);
          if (!d) drop.set(a, (d = new Set()));
          d.add(e);
          break;
        }
      }
    }
    if (drop.size === 0) return;
    const kept: Found[] = [];
    for (let r = from; r < found.length; r++) {
      const f = found[r]!;
      const d = drop.get(r);
      if (d) f.ents = f.ents.filter((e) => !d.has(e));
      if (f.ents.length > 0) kept.push(f);
      else emptyGroups++;
    }
    found.length = from;
    found.push(...kept);
  };
  /** Whether identity i holds entitlement e (its row is sorted by then: see below). */
  const holds = (i: number, e: number): boolean => sortedHas(ents, e, off[i]!, off[i + 1]!);
  for (let i = 0; i < N; i++) sortRun(ents, off[i]!, off[i + 1]!);

  // Level 0: everyone holding a grant (the population: identities listed without grants, such as
  // accounts whose every grant was set aside before mining, would dilute every share).
  const holding: number[] = [];
  for (let i = 0; i < N; i++) if (off[i] !== off[i + 1]) holding.push(i);
  const birthShare = opts.birthrightThreshold ?? threshold;
  if (!(typeof birthShare === 'number' && birthShare >= 0 && birthShare <= 1)) throw new UsageError(`birthrightThreshold must be in [0, 1], got ${birthShare}`);
  if (opts.birthright !== false && birthShare > 0) {
    if (holding.length >= minMembers) {
      const all = Uint32Array.from(holding);
      const base = veto(all, frequent(all, birthShare), 'true', []);
      if (base.length > 0) found.push({ kind: 1, terms: [], rule: 'true', members: all, ents: base });
      else emptyGroups++;
    } else smallGroups++;
  }
  giveLevel(0);

  let identitiesWithoutValues = 0;
  for (let i = 0; i < N; i++) if (hier.some((path) => path.some((c) => codesOf(c)[i]! < 0))) identitiesWithoutValues++;

  // Level by level across the attribute paths: depth d mines, for each path at least d long, the
  // groups sharing the values of its first d attributes. A group whose parent group (depth d - 1
  // on the same path) was too small is not mined. A prefix shared by two paths is mined once.
  const mined = new Set<string>(); // `attr\0attr...` prefixes already mined
  let parents = new Map<string, boolean>(); // `path/key` at the previous depth -> mined (large enough)
  const maxDepth = Math.max(...hier.map((p) => p.length));
  const depths = opts.nested === false ? null : Array.from({ length: maxDepth }, (_, k) => k + 1);
  for (let step = 0; step < (depths ? depths.length : 1); step++) {
    const levelStart = found.length;
    const next = new Map<string, boolean>();
    for (let h = 0; h < hier.length; h++) {
      const path = hier[h]!;
      const depth = depths ? depths[step]! : path.length;
      if (path.length < depth) continue;
      const prefix = path.slice(0, depth);
      const sig = prefix.map((c) => c.name).join('\0');
      if (mined.has(sig)) continue;
      mined.add(sig);
      const code = prefix.map(codesOf);
      const groups = new Map<string, number[]>();
      for (let i = 0; i < N; i++) {
        let key = '';
        let ok = true;
        for (let a = 0; a < depth; a++) {
          const v = code[a]![i]!;
          if (v < 0) {
            ok = false;
            break;
          }
          key += (a > 0 ? ',' : '') + v;
        }
        if (!ok || off[i] === off[i + 1]) continue; // an identity without grants here is in no group
        let g = groups.get(key);
        if (!g) groups.set(key, (g = []));
        g.push(i);
      }
      for (const [key, list] of groups) {
        const parentKey = key.split(',').slice(0, depth - 1).join(',');
        const parentOk = depths === null || depth === 1 || parents.get(h + '/' + parentKey) === true;
        if (list.length < minMembers || !parentOk) {
          smallGroups++;
          next.set(h + '/' + key, false);
          continue;
        }
        next.set(h + '/' + key, true);
        const codes = key.split(',').map(Number);
        const terms = codes.map((v, a) => ({ attribute: prefix[a]!.name, value: prefix[a]!.values[v]! }));
        const rule = ruleOf(terms);
        const own = veto(list, frequent(list), rule, prefix);
        if (own.length === 0) {
          emptyGroups++;
          continue;
        }
        found.push({ kind: 0, terms, rule, members: Uint32Array.from(list), ents: own });
      }
    }
    dedupeLevel(levelStart);
    giveLevel(levelStart);
    parents = next;
  }

  found.sort(
    (p, q) => q.kind - p.kind || q.members.length - p.members.length || q.ents.length - p.ents.length || cmpStr(p.rule, q.rule),
  );
  const R = found.length;
  const memberOffsets = new Uint32Array(R + 1);
  const entitlementOffsets = new Uint32Array(R + 1);
  found.forEach((f, r) => {
    memberOffsets[r + 1] = memberOffsets[r]! + f.members.length;
    entitlementOffsets[r + 1] = entitlementOffsets[r]! + f.ents.length;
  });
  const members = new Uint32Array(memberOffsets[R]!);
  const entitlements = new Uint32Array(entitlementOffsets[R]!);
  found.forEach((f, r) => {
    members.set(f.members, memberOffsets[r]!);
    entitlements.set(f.ents, entitlementOffsets[r]!);
  });
  return {
    roles: { count: R, kind: Uint8Array.from(found, (f) => f.kind), entitlementOffsets, entitlements, memberOffsets, members },
    rules: found.map((f) => f.rule),
    terms: found.map((f) => f.terms),
    emptyGroups,
    smallGroups,
    identitiesWithoutValues,
    vetoes: vetoes.sort((p, q) => cmpStr(p.rule, q.rule) || p.entitlement - q.entitlement),
  };
}
