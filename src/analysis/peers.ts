/**
 * Peer groups and outliers: identities clustered by the similarity of their access, then each
 * identity scored by how far its access is from its group's, with the entitlements that make the
 * difference. Built for identity and security reviewers: every number in the result can be traced
 * back to a share of a group or of the whole population.
 *
 * Method (all typed arrays; no per-pair or per-grant JS objects):
 *
 * 1. **Rows.** Grants are counting-sorted by identity into compressed sparse rows; each row is
 *    sorted and duplicate pairs are dropped. `globalShare(e)` = identities holding e / identities
 *    holding anything.
 * 2. **Twins.** Identities with identical entitlement sets are merged into one class (row hash, then
 *    exact comparison). Clustering works on classes, so twins always share a group, score and
 *    factors. Class ids follow the smallest identity id of the class.
 * 3. **Candidates.** Similarity is the Jaccard index |A ∩ B| / |A ∪ B|.
 *    - LSH mode (default from 2,000 identities): MinHash signatures of `hashes` values per class
 *      (Broder, "On the resemblance and containment of documents", 1997). Hash k of entitlement e
 *      is fmix32(a_k * e + b_k) (a multiply-add in 32-bit arithmetic with Math.imul,
 *      Dietzfelbinger et al. 1997, finished with MurmurHash3's fmix32), a_k odd and b_k drawn from
 *      the seeded xoshiro128** of src/util/prng.ts, so the family is a pure function of `seed`.
 *      The signature is cut into `bands` bands of r = floor(hashes / bands) rows; two classes are
 *      candidates when they agree on a whole band (banding: Leskovec, Rajaraman and Ullman, Mining
 *      of Massive Datasets, ch. 3.4). With the defaults (16 x 4) a pair at Jaccard 0.6 is found with
 *      probability 1 - (1 - 0.6^4)^16 = 0.89, at 0.8 with 0.9999, at 0.3 with 0.12.
 *    - Exact mode (default below 2,000 identities, or `exact: true`): every leader sharing an
 *      entitlement with the class is a candidate (an inverted index), i.e. exact all-pairs.
 *    Every candidate is verified with the exact Jaccard index on the sorted rows.
 *    In LSH mode a query reads at most MAX_WALK leaders per bucket (the earliest added) and
 *    verifies at most MAX_VERIFY of the candidates found, those sharing the most bands first (then
 *    in the order met): buckets crowded by entitlements nearly everyone holds stay cheap.
 * 4. **Clustering: leader clustering** (Hartigan, Clustering Algorithms, 1975, ch. 3), which cannot
 *    chain groups together the way connected components of a similarity graph can. Classes are
 *    processed in a fixed order: most identities first, then by class id (smallest identity id).
 *    A class joins the leader with the highest verified Jaccard >= `similarity` among its candidate
 *    leaders (ties: the earlier leader); otherwise it becomes a leader itself. A group is a leader
 *    and the classes that joined it, so every member is within `similarity` of its leader. Groups of
 *    fewer than `minGroup` identities (twins counted) are dissolved; each of their classes, in the
 *    same order, joins the best leader of a kept group at Jaccard >= `similarity` if it has one as
 *    candidate, else stays out (group -1) and takes the group of its most similar candidate kept
 *    leader, if any, as its *nearest group*. (In LSH mode, a class whose buckets hold no kept leader
 *    is queried once more through an inverted index of the kept leaders, reading at most
 *    FALLBACK_WALK leaders per entitlement.) Group ids: largest group first, then leader order. The
 *    same input (in any row order, with or without duplicates) and options give the same result.
 * 5. **Bundles.** Access comes in bundles (a role, a project): entitlements granted together. The
 *    bundle of e is every f != e such that at least a third of e's holders hold f and at least a
 *    third of f's holders hold e (mutual confidence >= 1/3, which tolerates stray holders on both
 *    sides), counted over the whole population *without the identity being scored*: its own grants
 *    never vouch for themselves. Entitlements held by one identity, or by more than 90% of the
 *    identities, have no bundle. An unusual entitlement held with its bundle is part of a
 *    sub-pattern that other identities share (a project, a senior title), not an outlier; a missing
 *    entitlement lacked together with its bundle is a pattern the identity does not have, not a
 *    gap. This is the frequent-pattern view of outliers (He et al., "FP-Outlier: frequent pattern
 *    based outlier detection", 2005).
 * 6. **Score.** For an identity with entitlement set A in group g (n identities), s(e) = share of
 *    g holding e (the identity included), G(e) = globalShare(e), b(e) = share of e's bundle that the
 *    identity holds (taken as 0 for held and 1 for lacked entitlements without a bundle):
 *
 *        unusual(e) = (1 - s(e)) * (1 - G(e)) * (1 - b(e))   for e in A with s(e) < 1/2
 *        missing(e) = s(e) * b(e)                             for e not in A with s(e) > 1/2
 *        U = sum of unusual(e),  M = sum of missing(e)
 *        score = (U + M) / (|A| + M)                          in [0, 1] since U <= |A|
 *
 *    With b = 0 and G = 0 this is the weighted (Ruzicka) Jaccard distance between A and the group's
 *    share vector, counted only where the two disagree by more than half: 0 when the identity
 *    holds nothing that fewer than half its peers hold and lacks nothing that more than half hold
 *    (or only whole bundles); near 1 when most of its access is held by no peer, rare overall and
 *    outside any bundle. The factors are these terms, each with its importance (unusual(e) or
 *    missing(e)); the `maxFactors` largest nonzero ones are listed per identity, by importance
 *    descending, then unusual first, then entitlement id. The score sums all terms, listed or not.
 * 7. **Identities in no group** (group -1):
 *    - with a nearest group: the same score and factors against that group's shares (which do not
 *      include the identity, so groupShare may be 0);
 *    - without one (no candidate leader of a kept group shares anything with it): score 1 if it
 *      holds an entitlement fewer than `minGroup` identities hold, else the largest 1 - G(e) over
 *      its entitlements (as rare as its rarest entitlement); factors: its globally rarest
 *      entitlements, `unusual`, groupShare 0, importance 1 - G(e).
 *    Identities holding nothing: group -1, score 0, no factors.
 *
 * Cost: rows, twins and scores are linear in the grants; signatures O(classes x hashes x row);
 * clustering O(classes x (bands x MAX_WALK + MAX_VERIFY x row)); bundles O(sum over classes of
 * row^2 / 2), less the pairs too far apart in holders. Memory: about 16 bytes per grant plus about
 * 4 x (hashes + 3 x bands + 16) bytes per class, plus the factor objects returned. Measured on the
 * 2-core development machine (Node 20) with generateEnterprise({ identities: 450000, seed: 1 }):
 * 10.6 M grants, 309,713 classes, 4.9 s (`node bench/peers.js`: peerGroups alone, in process; 5.9 s
 * with the signatures in JavaScript, 12 to 14 s before 2026-12-02; the result unchanged each time:
 * bucket slots, the length bound, the symmetric bundles, the SIMD signatures of
 * src/analysis/minhash.ts), of which clustering 2.8 and bundles 0.8; the signatures, 1.2 to 1.6 s
 * in JavaScript, take about 0.2 s.
 */
import { UsageError } from '../errors.js';
import { Rng } from '../util/prng.js';
import { minhashSignatures } from './minhash.js';

export interface PeerOptions {
  /** Seed of the MinHash family (LSH mode only; default 1). */
  seed?: number;
  /** Jaccard index an identity needs with a group's leader to join it, in (0, 1] (default 0.6). */
  similarity?: number;
  /** Fewest identities (twins counted) a group needs; smaller groups are dissolved (default 3). */
  minGroup?: number;
  /** MinHash signature length (default 64). */
  hashes?: number;
  /** LSH bands (default 16); each band has floor(hashes / bands) rows. */
  bands?: number;
  /** Most factors listed per identity (default 5). */
  maxFactors?: number;
  /** Exact all-pairs candidates instead of LSH (default: true below 2,000 identities). */
  exact?: boolean;
}

export interface PeerFactor {
  identity: number;
  entitlement: number;
  /** `unusual`: held, though fewer than half the group hold it; `missing`: not held, though more than half the group hold it. */
  kind: 'unusual' | 'missing';
  /** Share of the identity's group (or nearest group) holding the entitlement; 0 without a group. */
  groupShare: number;
  /** Share of identities holding anything that hold the entitlement. */
  globalShare: number;
}

export interface PeerResult {
  /** Per identity id: peer group id, or -1 when in no group of at least minGroup identities. */
  group: Int32Array;
  groups: number;
  /** Per identity: outlier score in [0, 1], 0 = typical of its group. */
  score: Float64Array;
  /** Why: sorted by identity, then importance. */
  factors: PeerFactor[];
}

export interface PeerInput {
  identities: number;
  entitlements: number;
  identity: Uint32Array;
  entitlement: Uint32Array;
  /**
   * The entitlements' names: a peer-group worker given them also writes identities.csv's factor
   * text (src/analysis/factor-text.ts) before it replies. peerGroups itself does not read them.
   */
  entitlementNames?: readonly string[];
}

/** Population below which exact all-pairs candidates are the default. */
export const EXACT_BELOW = 2000;
/** LSH mode: most candidate leaders verified per class and pass, those met in the most bands first. */
export const MAX_VERIFY = 64;
/** LSH mode: most leaders read from one bucket per query (bounds the cost of crowded buckets). */
export const MAX_WALK = 32;
/** LSH mode: most kept leaders read per entitlement when LSH finds no kept leader for a dissolved class. */
export const FALLBACK_WALK = 256;

export function peerGroups(input: PeerInput, options: PeerOptions = {}): PeerResult {
  const N = checkInt('identities', input.identities, 0, 0x7fffffff);
  const E = checkInt('entitlements', input.entitlements, 0, 0x7fffffff);
  const similarity = options.similarity ?? 0.6;
  if (typeof similarity !== 'number' || !(similarity > 0 && similarity <= 1)) throw new UsageError(`peers: similarity must be in (0, 1], got ${similarity}`);
  const minGroup = checkInt('minGroup', options.minGroup ?? 3, 1, 0x7fffffff);
  const hashes = checkInt('hashes', options.hashes ?? 64, 1, 4096);
  const bands = checkInt('bands', options.bands ?? 16, 1, hashes);
  const maxFactors = checkInt('maxFactors', options.maxFactors ?? 5, 0, 1 << 20);
  const seed = options.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new UsageError(`peers: seed must be a finite number, got ${seed}`);
  const exact = options.exact ?? N < EXACT_BELOW;
  if (input.identity.length !== input.entitlement.length) throw new UsageError('peers: identity and entitlement arrays differ in length');

  // ---- 1. Rows (CSR), sorted and deduplicated ----
  const { start, ents } = buildRows(N, E, input.identity, input.entitlement);
  const holders = new Uint32Array(E);
  for (let k = 0; k < ents.length; k++) holders[ents[k]!]!++;
  let active = 0;
  for (let i = 0; i < N; i++) if (start[i + 1]! > start[i]!) active++;
  const globalShare = new Float64Array(E);
  if (active > 0) for (let e = 0; e < E; e++) globalShare[e] = holders[e]! / active;

  // ---- 2. Twin classes ----
  const { classOf, rep, mult, C } = twinClasses(N, start, ents);
  const cStart = (c: number): number => start[rep[c]!]!;
  const cEnd = (c: number): number => start[rep[c]! + 1]!;

  // Processing order: most identities first, then class id (stable radix sort).
  let maxMult = 0;
  for (let c = 0; c < C; c++) if (mult[c]! > maxMult) maxMult = mult[c]!;
  const orderKey = new Uint32Array(C);
  for (let c = 0; c < C; c++) orderKey[c] = maxMult - mult[c]!;
  const order = radixOrder(orderKey, identityOrder(C));
  const rank = new Uint32Array(C);
  for (let k = 0; k < C; k++) rank[order[k]!] = k;

  // ---- 3. Candidate index over leaders ----
  const index = exact ? new ExactIndex(C, E, start, ents, rep, Infinity) : new LshIndex(C, start, ents, rep, hashes, bands, seed);

  // ---- 4. Leader clustering ----
  const leaderOf = new Int32Array(C).fill(-1);
  const mark = new Int32Array(E).fill(-1);
  const isLeader = new Uint8Array(C);
  const maxVerify = exact ? Infinity : MAX_VERIFY;
  const probe = new Prober(C, mark, start, ents, rep);
  for (let k = 0; k < C; k++) {
    const c = order[k]!;
    markRow(mark, ents, cStart(c), cEnd(c), c);
    const [best, bestJ] = probe.best(c, index, isLeader, rank, similarity, maxVerify);
    if (best >= 0 && bestJ >= similarity) leaderOf[c] = best;
    else {
      leaderOf[c] = c;
      isLeader[c] = 1;
      index.add(c);
    }
  }
  // Dissolve small groups; their classes join a kept group or remember the nearest one.
  const size = new Float64Array(C);
  for (let c = 0; c < C; c++) size[leaderOf[c]!]! += mult[c]!;
  const kept = new Uint8Array(C);
  for (let c = 0; c < C; c++) if (isLeader[c] && size[c]! >= minGroup) kept[c] = 1;
  const nearest = new Int32Array(C).fill(-1); // kept leader whose group an ungrouped class is scored against
  let keptIndex: ExactIndex | null = null; // LSH mode: kept leaders by entitlement, for classes LSH finds none for
  for (let k = 0; k < C; k++) {
    const c = order[k]!;
    if (kept[leaderOf[c]!]) continue;
    markRow(mark, ents, cStart(c), cEnd(c), c);
    let [best, bestJ] = probe.best(c, index, kept, rank, 0, maxVerify);
    if (best < 0 && !exact) {
      if (!keptIndex) {
        keptIndex = new ExactIndex(C, E, start, ents, rep, FALLBACK_WALK, kept);
        for (let q = 0; q < C; q++) if (kept[order[q]!]) keptIndex.add(order[q]!);
      }
      [best, bestJ] = probe.best(c, keptIndex, kept, rank, 0, maxVerify);
    }
    if (best >= 0 && bestJ >= similarity) leaderOf[c] = best;
    else {
      leaderOf[c] = -1;
      if (best >= 0 && bestJ > 0) nearest[c] = best;
    }
  }

  // Group ids: largest first, then leader order.
  const finalSize = new Float64Array(C);
  for (let c = 0; c < C; c++) if (leaderOf[c]! >= 0) finalSize[leaderOf[c]!]! += mult[c]!;
  const leaders: number[] = [];
  for (let k = 0; k < C; k++) if (kept[order[k]!]) leaders.push(order[k]!);
  leaders.sort((a, b) => finalSize[b]! - finalSize[a]! || rank[a]! - rank[b]!);
  const groupOfLeader = new Int32Array(C).fill(-1);
  leaders.forEach((l, g) => (groupOfLeader[l] = g));
  const groups = leaders.length;
  const classGroup = new Int32Array(C).fill(-1);
  for (let c = 0; c < C; c++) if (leaderOf[c]! >= 0) classGroup[c] = groupOfLeader[leaderOf[c]!]!;

  // ---- 5. Scores and factors, one group at a time ----
  const bundle = bundles(C, E, start, ents, rep, mult, holders, active);
  // b(e): share of e's bundle that class c holds, judged without one identity of c (c's row marked); -1: no bundle.
  const bundleHeld = (e: number, c: number, holdsE: number): number => {
    let members = 0;
    let held = 0;
    for (let q = bundle.start[e]!; q < bundle.start[e + 1]!; q++) {
      const f = bundle.ent[q]!;
      const holdsF = mark[f] === c ? 1 : 0;
      // Without the identity: co holders of both, he of e, hf of f; both co / he and co / hf >= 1/3.
      const co = bundle.co[q]! - (holdsE & holdsF);
      const he = holders[e]! - holdsE;
      const hf = holders[f]! - holdsF;
      if (co > 0 && 3 * co >= he && 3 * co >= hf) {
        members++;
        held += holdsF;
      }
    }
    return members > 0 ? held / members : -1;
  };
  // Classes scored against group g: its members and the ungrouped classes whose nearest group is g.
  const scoredAgainst = new Int32Array(C);
  for (let c = 0; c < C; c++) scoredAgainst[c] = classGroup[c]! >= 0 ? classGroup[c]! : nearest[c]! >= 0 ? groupOfLeader[nearest[c]!]! : -1;
  const byGroup = radixOrder(Uint32Array.from(scoredAgainst, (g) => g + 1), identityOrder(C));
  const classScore = new Float64Array(C);
  const store = new FactorStore(C);
  const cand = new FactorBuffer();
  const count = new Float64Array(E); // identities of the group holding e
  const touched = new Uint32Array(E);
  let pos = 0;
  while (pos < C) {
    const g = scoredAgainst[byGroup[pos]!]!;
    let end = pos;
    while (end < C && scoredAgainst[byGroup[end]!] === g) end++;
    if (g < 0) {
      // No group and no nearest group.
      for (let k = pos; k < end; k++) {
        const c = byGroup[k]!;
        let rare = false;
        let rarest = 0;
        cand.reset();
        for (let j = cStart(c); j < cEnd(c); j++) {
          const e = ents[j]!;
          if (holders[e]! < minGroup) rare = true;
          const r = 1 - globalShare[e]!;
          if (r > rarest) rarest = r;
          cand.push(e, 0, 0, r);
        }
        classScore[c] = rare ? 1 : rarest;
        cand.emit(c, maxFactors, store);
      }
      pos = end;
      continue;
    }
    // Shares: count[e] over the members (twins counted), n identities.
    let nTouched = 0;
    let n = 0;
    for (let k = pos; k < end; k++) {
      const c = byGroup[k]!;
      if (classGroup[c] !== g) continue;
      n += mult[c]!;
      for (let j = cStart(c); j < cEnd(c); j++) {
        const e = ents[j]!;
        if (count[e] === 0) touched[nTouched++] = e;
        count[e]! += mult[c]!;
      }
    }
    const core: number[] = [];
    for (let q = 0; q < nTouched; q++) if (count[touched[q]!]! * 2 > n) core.push(touched[q]!);
    core.sort((a, b) => a - b);
    for (let k = pos; k < end; k++) {
      const c = byGroup[k]!;
      const s = cStart(c), t = cEnd(c);
      markRow(mark, ents, s, t, c);
      cand.reset();
      let unusual = 0;
      for (let j = s; j < t; j++) {
        const e = ents[j]!;
        if (count[e]! * 2 >= n) continue; // held by at least half the group: typical
        const share = count[e]! / n;
        const held = bundleHeld(e, c, 1);
        const w = (1 - share) * (1 - globalShare[e]!) * (held >= 0 ? 1 - held : 1);
        unusual += w;
        if (w > 0) cand.push(e, 0, share, w);
      }
      let missing = 0;
      for (const e of core) {
        if (mark[e] === c) continue;
        const share = count[e]! / n;
        const held = bundleHeld(e, c, 0);
        const w = share * (held >= 0 ? held : 1);
        missing += w;
        if (w > 0) cand.push(e, 1, share, w);
      }
      classScore[c] = (unusual + missing) / (t - s + missing);
      cand.emit(c, maxFactors, store);
    }
    for (let q = 0; q < nTouched; q++) count[touched[q]!] = 0;
    pos = end;
  }

  // ---- 6. Per identity ----
  const group = new Int32Array(N).fill(-1);
  const score = new Float64Array(N);
  const factors: PeerFactor[] = [];
  for (let i = 0; i < N; i++) {
    const c = classOf[i]!;
    if (c < 0) continue;
    group[i] = classGroup[c]!;
    score[i] = classScore[c]!;
    for (let f = store.offset[c]!, end = f + store.count[c]!; f < end; f++) {
      const e = store.ent[f]!;
      factors.push({ identity: i, entitlement: e, kind: store.kind[f] === 1 ? 'missing' : 'unusual', groupShare: store.share[f]!, globalShare: globalShare[e]! });
    }
  }
  return { group, groups, score, factors };
}

/**
 * Bundle candidates: for each entitlement e held by 2 to 90% of the active identities, the
 * entitlements f that could pass the bundle test once one identity is left out (3 co >= holders(e)
 * - 1 and 3 co >= holders(f) - 1), with co = identities holding both; the exact test per identity is
 * in the caller. Only f with holders within a factor 3 of e's can qualify.
 *
 * The test is symmetric in e and f, so each pair is counted once, from the one of the two that
 * comes first in (holders, id) order: each class's row is sorted in that order, and e's holder
 * classes are read from e's place in their row onwards, up to the first f held by more than
 * 3 holders(e) + 1. An entitlement held by one identity has no bundle but may be in one. A
 * bundle's entitlements are listed in no particular order (the caller only counts them). Cost: the
 * sum over classes of the pairs in their row within a factor 3 in holders, each once. Exported
 * for its brute-force test (test/peers.test.ts).
 */
export function bundles(C: number, E: number, start: Uint32Array, ents: Uint32Array, rep: Uint32Array, mult: Uint32Array, holders: Uint32Array, active: number): { start: Uint32Array; ent: Uint32Array; co: Float64Array } {
  const eligible = (e: number): boolean => holders[e]! >= 2 && holders[e]! * 10 <= active * 9;
  // Entitlements a pair is counted from: eligible ones, and those of one holder (in bundles only).
  const counted = (e: number): boolean => eligible(e) || holders[e] === 1;
  // Entitlements in (holders, id) order: byRank[r] = e.
  const byRank = radixOrder(holders, identityOrder(E));
  const rankOf = new Uint32Array(E);
  const holdersAt = new Uint32Array(E); // holders of byRank[r], ascending in r
  for (let r = 0; r < E; r++) {
    rankOf[byRank[r]!] = r;
    holdersAt[r] = holders[byRank[r]!]!;
  }
  // Each class's row by rank, and where each eligible entitlement sits in its holders' rows (CSR by e).
  const rowStart = new Uint32Array(C + 1);
  for (let c = 0; c < C; c++) rowStart[c + 1] = rowStart[c]! + start[rep[c]! + 1]! - start[rep[c]!]!;
  const row = new Uint32Array(rowStart[C]!);
  const colStart = new Uint32Array(E + 1);
  for (let c = 0; c < C; c++) {
    const s = start[rep[c]!]!, o = rowStart[c]!, n = rowStart[c + 1]! - o;
    for (let j = 0; j < n; j++) {
      const e = ents[s + j]!;
      row[o + j] = rankOf[e]!;
      if (counted(e)) colStart[e + 1]!++;
    }
    row.subarray(o, o + n).sort();
  }
  for (let e = 0; e < E; e++) colStart[e + 1]! += colStart[e]!;
  const fill = colStart.slice(0, E);
  const at = new Uint32Array(colStart[E]!); // place in `row`
  const atClass = new Uint32Array(colStart[E]!);
  for (let c = 0; c < C; c++) {
    for (let p = rowStart[c]!; p < rowStart[c + 1]!; p++) {
      const e = byRank[row[p]!]!;
      if (!counted(e)) continue;
      at[fill[e]!] = p;
      atClass[fill[e]!++] = c;
    }
  }
  // Pairs (e, f, co) that pass, e before f in rank.
  let pe = new Uint32Array(1024), pf = new Uint32Array(1024), pco = new Float64Array(1024);
  let pairs = 0;
  const acc = new Float64Array(E); // by rank
  const touched = new Uint32Array(E);
  const count = new Uint32Array(E + 1);
  for (let e = 0; e < E; e++) {
    if (colStart[e + 1] === colStart[e]) continue;
    const he = holders[e]!;
    const top = 3 * he + 1;
    let nt = 0;
    for (let h = colStart[e]!; h < colStart[e + 1]!; h++) {
      const c = atClass[h]!, m = mult[c]!, end = rowStart[c + 1]!;
      for (let p = at[h]! + 1; p < end; p++) {
        const r = row[p]!;
        if (holdersAt[r]! > top) break;
        if (acc[r] === 0) touched[nt++] = r;
        acc[r]! += m;
      }
    }
    for (let a = 0; a < nt; a++) {
      const r = touched[a]!;
      const f = byRank[r]!;
      if (3 * acc[r]! >= he - 1 && 3 * acc[r]! >= holders[f]! - 1 && (eligible(e) || eligible(f))) {
        if (pairs === pe.length) (pe = grow(pe, 2 * pairs)), (pf = grow(pf, 2 * pairs)), (pco = grow(pco, 2 * pairs));
        pe[pairs] = e;
        pf[pairs] = f;
        pco[pairs++] = acc[r]!;
        if (eligible(e)) count[e + 1]!++;
        if (eligible(f)) count[f + 1]!++;
      }
      acc[r] = 0;
    }
  }
  for (let e = 0; e < E; e++) count[e + 1]! += count[e]!;
  const out = { start: count, ent: new Uint32Array(count[E]!), co: new Float64Array(count[E]!) };
  const next = count.slice(0, E);
  for (let q = 0; q < pairs; q++) {
    const e = pe[q]!, f = pf[q]!;
    if (eligible(e)) (out.ent[next[e]!] = f), (out.co[next[e]!++] = pco[q]!);
    if (eligible(f)) (out.ent[next[f]!] = e), (out.co[next[f]!++] = pco[q]!);
  }
  return out;
}

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`peers: ${name} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

/** 0, 1, ..., n - 1. */
function identityOrder(n: number): Uint32Array {
  const o = new Uint32Array(n);
  for (let k = 0; k < n; k++) o[k] = k;
  return o;
}

/** `order` stably sorted by keys[order[k]] (LSD radix sort, two 16-bit passes). Returns a new array. */
function radixOrder(keys: Uint32Array, order: Uint32Array): Uint32Array {
  const n = order.length;
  let src = order.slice();
  let dst = new Uint32Array(n);
  const cnt = new Uint32Array(65537);
  for (let shift = 0; shift < 32; shift += 16) {
    cnt.fill(0);
    for (let k = 0; k < n; k++) cnt[((keys[src[k]!]! >>> shift) & 0xffff) + 1]!++;
    let single = false;
    for (let d = 0; d < 65536; d++) {
      if (cnt[d + 1] === n) single = true;
      cnt[d + 1]! += cnt[d]!;
    }
    if (single) continue; // every key has the same digit here
    for (let k = 0; k < n; k++) {
      const x = src[k]!;
      dst[cnt[(keys[x]! >>> shift) & 0xffff]!++] = x;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/** Sorted, deduplicated rows: row i is ents[start[i] .. start[i + 1]). */
function buildRows(N: number, E: number, identity: Uint32Array, entitlement: Uint32Array): { start: Uint32Array; ents: Uint32Array } {
  const P = identity.length;
  const start = new Uint32Array(N + 1);
  for (let k = 0; k < P; k++) {
    const i = identity[k]!;
    if (i >= N) throw new UsageError(`peers: identity id ${i} at pair ${k} is out of range (identities = ${N})`);
    if (entitlement[k]! >= E) throw new UsageError(`peers: entitlement id ${entitlement[k]} at pair ${k} is out of range (entitlements = ${E})`);
    start[i + 1]!++;
  }
  for (let i = 0; i < N; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, N);
  const ents = new Uint32Array(P);
  for (let k = 0; k < P; k++) ents[fill[identity[k]!]!++] = entitlement[k]!;
  // Sort each row, drop duplicates, compact in place.
  let w = 0;
  let s = 0;
  for (let i = 0; i < N; i++) {
    const t = start[i + 1]!;
    if (t - s > 24) ents.subarray(s, t).sort();
    else {
      for (let a = s + 1; a < t; a++) {
        const x = ents[a]!;
        let b = a - 1;
        while (b >= s && ents[b]! > x) {
          ents[b + 1] = ents[b]!;
          b--;
        }
        ents[b + 1] = x;
      }
    }
    start[i] = w;
    for (let a = s; a < t; a++) {
      if (a > s && ents[a] === ents[a - 1]) continue;
      ents[w++] = ents[a]!;
    }
    s = t;
  }
  start[N] = w;
  return { start, ents: ents.subarray(0, w) };
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Identities with identical non-empty rows share a class; class ids follow the smallest identity id. */
function twinClasses(N: number, start: Uint32Array, ents: Uint32Array): { classOf: Int32Array; rep: Uint32Array; mult: Uint32Array; C: number } {
  const h = new Uint32Array(N);
  let nonEmpty = 0;
  for (let i = 0; i < N; i++) {
    const s = start[i]!, t = start[i + 1]!;
    if (t > s) nonEmpty++;
    let x = Math.imul(t - s, 0x9e3779b1);
    for (let j = s; j < t; j++) x = Math.imul(x ^ fmix32(ents[j]! + 0x632be5ab), 0x01000193) + 0x7f4a7c15;
    h[i] = fmix32(x);
  }
  const ids = new Uint32Array(nonEmpty);
  for (let i = 0, o = 0; i < N; i++) if (start[i + 1]! > start[i]!) ids[o++] = i;
  const sorted = radixOrder(h, ids); // equal hashes adjacent, identity order within
  const prov = new Int32Array(N).fill(-1); // provisional class = first identity of the class
  const reps: number[] = [];
  let k = 0;
  while (k < nonEmpty) {
    let end = k + 1;
    while (end < nonEmpty && h[sorted[end]!] === h[sorted[k]!]) end++;
    reps.length = 0;
    for (let a = k; a < end; a++) {
      const i = sorted[a]!;
      let found = -1;
      for (const r of reps) if (sameRow(start, ents, r, i)) (found = r);
      if (found < 0) {
        reps.push(i);
        prov[i] = i;
      } else prov[i] = found;
    }
    k = end;
  }
  const classOf = new Int32Array(N).fill(-1);
  const repList: number[] = [];
  for (let i = 0; i < N; i++) {
    if (prov[i]! < 0) continue;
    if (prov[i] === i) {
      classOf[i] = repList.length;
      repList.push(i);
    } else classOf[i] = classOf[prov[i]!]!; // the first identity comes first
  }
  const C = repList.length;
  const mult = new Uint32Array(C);
  for (let i = 0; i < N; i++) if (classOf[i]! >= 0) mult[classOf[i]!]!++;
  return { classOf, rep: Uint32Array.from(repList), mult, C };
}

function sameRow(start: Uint32Array, ents: Uint32Array, a: number, b: number): boolean {
  const sa = start[a]!, sb = start[b]!, n = start[a + 1]! - sa;
  if (start[b + 1]! - sb !== n) return false;
  for (let j = 0; j < n; j++) if (ents[sa + j] !== ents[sb + j]) return false;
  return true;
}

function markRow(mark: Int32Array, ents: Uint32Array, s: number, t: number, stamp: number): void {
  for (let j = s; j < t; j++) mark[ents[j]!] = stamp;
}

/**
 * Candidate leaders of a class. `collect` writes each distinct candidate once to `out` and counts in
 * `hits` how often it was met (LSH: bands in common; exact: entitlements in common), then returns the
 * number written. `seen` / `stamp` mark candidates already met for this query.
 */
interface CandidateIndex {
  add(c: number): void;
  collect(c: number, out: Int32Array, hits: Uint32Array, seen: Int32Array, stamp: number): number;
}

/**
 * MinHash + LSH banding over leaders: per band, a bucket id per class, and per bucket the list of
 * its first MAX_WALK leaders in the order they were added.
 */
class LshIndex implements CandidateIndex {
  private readonly bucket: Int32Array; // [c * bands + band]: c's bucket in each band, a class's buckets side by side
  // A query reads at most MAX_WALK leaders per bucket, the earliest added, so a bucket keeps only
  // those: slots base[bk] .. base[bk] + min(its classes, MAX_WALK), of which fill[bk] are used.
  // Read in order, contiguously, instead of a linked list through the leaders.
  private readonly base: Int32Array;
  private readonly fill: Uint8Array;
  private readonly slots: Int32Array;
  private readonly bands: number;

  constructor(C: number, start: Uint32Array, ents: Uint32Array, rep: Uint32Array, hashes: number, bands: number, seed: number) {
    const r = Math.floor(hashes / bands);
    const K = r * bands;
    this.bands = bands;
    const rng = new Rng(seed);
    const a = new Uint32Array(K);
    const b = new Uint32Array(K);
    for (let k = 0; k < K; k++) {
      a[k] = (rng.u32() | 1) >>> 0;
      b[k] = rng.u32();
    }
    // h_k(e) = fmix32(a_k * e + b_k); the signatures come from the SIMD kernel (src/analysis/minhash.ts).
    const sig = minhashSignatures(C, start, ents, rep, a, b);
    this.bucket = new Int32Array(bands * C);
    const key = new Uint32Array(C);
    const ids = identityOrder(C);
    const sizes = new Int32Array(bands * C); // classes per bucket
    let buckets = 0;
    for (let band = 0; band < bands; band++) {
      for (let c = 0; c < C; c++) {
        let x = 0x811c9dc5 ^ band;
        for (let k = band * r; k < band * r + r; k++) x = Math.imul(x ^ sig[c * K + k]!, 0x01000193);
        key[c] = fmix32(x);
      }
      const sorted = radixOrder(key, ids);
      for (let k = 0; k < C; k++) {
        const c = sorted[k]!;
        // Equal keys from different band values merely add a false candidate (verified anyway).
        if (k === 0 || key[c] !== key[sorted[k - 1]!]) buckets++;
        sizes[buckets - 1]!++;
        this.bucket[c * bands + band] = buckets - 1;
      }
    }
    this.base = new Int32Array(buckets + 1);
    for (let bk = 0; bk < buckets; bk++) this.base[bk + 1] = this.base[bk]! + Math.min(sizes[bk]!, MAX_WALK);
    this.fill = new Uint8Array(buckets);
    this.slots = new Int32Array(this.base[buckets]!);
  }

  add(c: number): void {
    const { bands, bucket, base, fill, slots } = this;
    for (let band = 0, o = c * bands; band < bands; band++) {
      const bk = bucket[o + band]!;
      const at = base[bk]! + fill[bk]!;
      if (at < base[bk + 1]!) {
        slots[at] = c;
        fill[bk]!++;
      }
    }
  }

  collect(c: number, out: Int32Array, hits: Uint32Array, seen: Int32Array, stamp: number): number {
    const { bands, bucket, base, fill, slots } = this;
    let n = 0;
    for (let band = 0, o = c * bands; band < bands; band++) {
      const bk = bucket[o + band]!;
      for (let at = base[bk]!, end = at + fill[bk]!; at < end; at++) {
        const l = slots[at]!;
        if (seen[l] !== stamp) {
          seen[l] = stamp;
          hits[l] = 0;
          out[n++] = l;
        }
        hits[l]!++;
      }
    }
    return n;
  }
}

/**
 * Inverted index entitlement -> leaders, each list in the order leaders were added: every leader
 * sharing an entitlement is a candidate (exact all-pairs), unless `maxWalk` caps how many leaders
 * are read per entitlement.
 */
class ExactIndex implements CandidateIndex {
  private readonly head: Int32Array; // per entitlement: first posting
  private readonly tail: Int32Array; // per entitlement: last posting
  private readonly node: Uint32Array; // posting -> leader
  private readonly next: Int32Array; // posting -> next posting of the same entitlement
  private used = 0;

  constructor(C: number, E: number, private readonly start: Uint32Array, private readonly ents: Uint32Array, private readonly rep: Uint32Array, private readonly maxWalk: number, leaders?: Uint8Array) {
    let total = 0;
    for (let c = 0; c < C; c++) if (!leaders || leaders[c]) total += start[rep[c]! + 1]! - start[rep[c]!]!;
    this.head = new Int32Array(E).fill(-1);
    this.tail = new Int32Array(E).fill(-1);
    this.node = new Uint32Array(total);
    this.next = new Int32Array(total).fill(-1);
  }

  add(c: number): void {
    for (let j = this.start[this.rep[c]!]!; j < this.start[this.rep[c]! + 1]!; j++) {
      const e = this.ents[j]!;
      const p = this.used++;
      this.node[p] = c;
      if (this.tail[e]! < 0) this.head[e] = p;
      else this.next[this.tail[e]!] = p;
      this.tail[e] = p;
    }
  }

  collect(c: number, out: Int32Array, hits: Uint32Array, seen: Int32Array, stamp: number): number {
    let n = 0;
    for (let j = this.start[this.rep[c]!]!; j < this.start[this.rep[c]! + 1]!; j++) {
      let walked = 0;
      for (let p = this.head[this.ents[j]!]!; p >= 0 && walked < this.maxWalk; p = this.next[p]!, walked++) {
        const l = this.node[p]!;
        if (seen[l] !== stamp) {
          seen[l] = stamp;
          hits[l] = 0;
          out[n++] = l;
        }
        hits[l]!++;
      }
    }
    return n;
  }
}

/** Verifies candidates with the exact Jaccard index against the marked row of the probing class. */
class Prober {
  private readonly seen: Int32Array;
  private readonly hits: Uint32Array;
  private readonly out: Int32Array;
  private byHits = new Uint32Array(64);
  private stamp = 0;

  constructor(C: number, private readonly mark: Int32Array, private readonly start: Uint32Array, private readonly ents: Uint32Array, private readonly rep: Uint32Array) {
    this.seen = new Int32Array(C).fill(-1);
    this.hits = new Uint32Array(C);
    this.out = new Int32Array(C);
  }

  /**
   * Best eligible candidate leader of c (c's row must be marked with stamp c): [leader or -1,
   * Jaccard]; ties go to the earlier leader. Candidates below `floor` may be skipped (then [-1, -1]). Past maxVerify eligible candidates, only the maxVerify
   * met most often (then earliest) are verified.
   */
  best(c: number, index: CandidateIndex, eligible: Uint8Array, rank: Uint32Array, floor: number, maxVerify: number): [number, number] {
    const { mark, start, ents, rep, hits, out } = this;
    const found = index.collect(c, out, hits, this.seen, this.stamp++);
    let n = 0;
    for (let k = 0; k < found; k++) if (eligible[out[k]!] && out[k] !== c) out[n++] = out[k]!;
    if (n > maxVerify) {
      // Keep the maxVerify met most often: all above the cut-off count, then those at it in the order met.
      let maxHits = 0;
      for (let k = 0; k < n; k++) if (hits[out[k]!]! > maxHits) maxHits = hits[out[k]!]!;
      if (this.byHits.length <= maxHits) this.byHits = new Uint32Array(2 * maxHits + 1);
      const byHits = this.byHits.subarray(0, maxHits + 1).fill(0);
      for (let k = 0; k < n; k++) byHits[hits[out[k]!]!]!++;
      let cut = byHits.length - 1;
      for (let above = 0; cut > 0 && above + byHits[cut]! < maxVerify; cut--) above += byHits[cut]!;
      let aboveLeft = 0;
      for (let h = cut + 1; h < byHits.length; h++) aboveLeft += byHits[h]!;
      let atLeft = maxVerify - aboveLeft;
      let m = 0;
      for (let k = 0; k < n; k++) {
        const h = hits[out[k]!]!;
        if (h > cut || (h === cut && atLeft-- > 0)) out[m++] = out[k]!;
      }
      n = m;
    }
    const nc = start[rep[c]! + 1]! - start[rep[c]!]!;
    let best = -1;
    let bestJ = -1;
    for (let k = 0; k < n; k++) {
      const l = out[k]!;
      const s = start[rep[l]!]!, t = start[rep[l]! + 1]!;
      // Jaccard >= tau needs inter >= tau (nc + nl) / (1 + tau): stop once that is out of reach,
      // and skip the row when even the shorter of the two rows is too short (inter <= both).
      const tau = bestJ > floor ? bestJ : floor;
      const need = tau > 0 ? (tau * (nc + t - s)) / (1 + tau) - 1e-9 : 0;
      if ((t - s < nc ? t - s : nc) < need) continue;
      let inter = 0;
      let j = s;
      for (; j < t; j++) {
        if (mark[ents[j]!] === c) inter++;
        else if (inter + (t - j - 1) < need) break;
      }
      if (j < t) continue;
      const J = inter / (nc + (t - s) - inter);
      if (J > bestJ || (J === bestJ && rank[l]! < rank[best]!)) {
        best = l;
        bestJ = J;
      }
    }
    return [best, bestJ];
  }
}

/** A class's candidate factors, of which the most important few are kept. */
class FactorBuffer {
  private ent = new Uint32Array(64);
  private kind = new Uint8Array(64);
  private share = new Float64Array(64);
  private weight = new Float64Array(64);
  private n = 0;

  reset(): void {
    this.n = 0;
  }

  push(e: number, kind: number, share: number, weight: number): void {
    if (this.n === this.ent.length) {
      const m = this.n * 2;
      this.ent = grow(this.ent, m);
      this.kind = grow(this.kind, m);
      this.share = grow(this.share, m);
      this.weight = grow(this.weight, m);
    }
    const k = this.n++;
    this.ent[k] = e;
    this.kind[k] = kind;
    this.share[k] = share;
    this.weight[k] = weight;
  }

  /** Keeps the top `max` (importance desc, unusual first, entitlement asc) as class c's factors. */
  emit(c: number, max: number, store: FactorStore): void {
    const { ent, kind, share, weight } = this;
    const before = (x: number, y: number): boolean => weight[x]! > weight[y]! || (weight[x] === weight[y] && (kind[x]! < kind[y]! || (kind[x] === kind[y] && ent[x]! < ent[y]!)));
    const take = Math.min(max, this.n);
    store.open(c);
    // Partial selection sort: take is small.
    for (let a = 0; a < take; a++) {
      let m = a;
      for (let b = a + 1; b < this.n; b++) if (before(b, m)) m = b;
      if (m !== a) {
        [ent[a], ent[m]] = [ent[m]!, ent[a]!];
        [kind[a], kind[m]] = [kind[m]!, kind[a]!];
        [share[a], share[m]] = [share[m]!, share[a]!];
        [weight[a], weight[m]] = [weight[m]!, weight[a]!];
      }
      store.push(c, ent[a]!, kind[a]!, share[a]!);
    }
  }
}

function grow<T extends Uint32Array | Uint8Array | Float64Array>(x: T, n: number): T {
  const y = new (x.constructor as new (n: number) => T)(n);
  y.set(x);
  return y;
}

/** Factors per class, in typed arrays: class c's are [offset[c], offset[c] + count[c]). */
class FactorStore {
  readonly offset: Uint32Array;
  readonly count: Uint32Array;
  ent = new Uint32Array(1024);
  kind = new Uint8Array(1024);
  share = new Float64Array(1024);
  private n = 0;

  constructor(C: number) {
    this.offset = new Uint32Array(C);
    this.count = new Uint32Array(C);
  }

  open(c: number): void {
    this.offset[c] = this.n;
    this.count[c] = 0;
  }

  push(c: number, e: number, kind: number, share: number): void {
    if (this.n === this.ent.length) {
      const m = this.n * 2;
      this.ent = grow(this.ent, m);
      this.kind = grow(this.kind, m);
      this.share = grow(this.share, m);
    }
    this.ent[this.n] = e;
    this.kind[this.n] = kind;
    this.share[this.n++] = share;
    this.count[c]!++;
  }
}
