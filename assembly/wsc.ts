// Lowering weighted structural complexity, WSC = |R| + |UA| + |PA| (Molloy et al., SACMAT 2008),
// without adding roles and without changing what anyone is given.
//
// Coordinate descent over the two sides of the model, which are symmetric:
// - Assignments, given each role's entitlements: identity class r may take any role whose
//   entitlements it all holds ("eligible"); its fewest roles covering its entitlements is a small set
//   cover, solved greedily (largest weighted gain first) and pruned of redundant picks; kept only if
//   it beats r's current roles.
// - Entitlements, given each role's members: entitlement class c may sit in any role whose members
//   all hold it; the same cover on the transposed matrix gives c's fewest roles.
// Each step keeps the model exact and never raises WSC; rounds repeat while WSC falls. Roles left
// with no members or no entitlements are dropped.
// Weights: an identity class stands for rowWeight identities, an entitlement class for colWeight.

import { Csr, Reduced } from './matrix';
import { wordsFor, setBit, clearBit, getBit, nextBit, zero, andInto, isSubset, intersects } from './bitset';
import { RoleSink } from './exact';

/**
 * objective 0: keep the number of roles (never more); objective 1: lowest WSC, roles may be added
 * (the extraction move below).
 */
export function improveWsc(red: Reduced, sink: RoleSink, objective: i32): void {
  const R = sink.count;
  if (R == 0) return;
  const perms = new Array<Array<u32>>(R);
  const users = new Array<Array<u32>>(R);
  for (let g = 0; g < R; g++) {
    perms[g] = sink.cols.slice(<i32>sink.colOff[g], <i32>sink.colOff[g + 1]);
    users[g] = sink.rows.slice(<i32>sink.rowOff[g], <i32>sink.rowOff[g + 1]);
  }
  let cost = wsc(red, perms, users);
  for (let round = 0; round < 16; round++) {
    reassign(red.m, red.rowWeight, red.colWeight, perms, users);
    reassign(red.t, red.colWeight, red.rowWeight, users, perms);
    flatten(red.m, red.rowWeight, red.colWeight, perms, users);
    flatten(red.t, red.colWeight, red.rowWeight, users, perms);
    if (objective == 1) {
      extract(red.m, red.rowWeight, red.colWeight, perms, users);
      extract(red.t, red.colWeight, red.rowWeight, users, perms);
    }
    const c = wsc(red, perms, users);
    // Stop when a round gains less than 0.1%: later rounds cost a full pass for crumbs.
    const done = c >= cost || (cost - c) * 1000 < cost;
    if (c < cost) cost = c;
    if (done) break;
  }
  const rows: Array<u32> = [];
  const cols: Array<u32> = [];
  const rowOff: Array<u32> = [0];
  const colOff: Array<u32> = [0];
  for (let g = 0; g < perms.length; g++) {
    if (users[g].length == 0 || perms[g].length == 0) continue;
    const u = users[g];
    const p = perms[g];
    u.sort((a: u32, b: u32): i32 => (a < b ? -1 : a > b ? 1 : 0));
    p.sort((a: u32, b: u32): i32 => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i < u.length; i++) rows.push(u[i]);
    for (let i = 0; i < p.length; i++) cols.push(p[i]);
    rowOff.push(<u32>rows.length);
    colOff.push(<u32>cols.length);
  }
  sink.rows = rows;
  sink.cols = cols;
  sink.rowOff = rowOff;
  sink.colOff = colOff;
}

function wsc(red: Reduced, perms: Array<Array<u32>>, users: Array<Array<u32>>): i64 {
  let s: i64 = 0;
  for (let g = 0; g < perms.length; g++) {
    if (users[g].length == 0 || perms[g].length == 0) continue;
    s += 1;
    for (let i = 0; i < users[g].length; i++) s += unchecked(red.rowWeight[users[g][i]]);
    for (let i = 0; i < perms[g].length; i++) s += unchecked(red.colWeight[perms[g][i]]);
  }
  return s;
}

/**
 * One side of the descent. `m` maps each row to its sorted items; `items[g]` are role g's items
 * (all held by each of its `members[g]`). Re-chooses every row's roles as a smaller cover when one
 * exists, then rewrites `members`. Rows keep exactly their items: only eligible roles are used.
 */
function reassign(m: Csr, rowW: StaticArray<i32>, itemW: StaticArray<i32>, items: Array<Array<u32>>, members: Array<Array<u32>>): void {
  const R = items.length;
  const nr = m.rows;
  const nc = m.cols;
  // Eligible roles of a row (all their items in it) are found through one anchor item per role,
  // its rarest (fewest rows hold it): a row looks only at the roles anchored at its items and
  // checks them whole, instead of counting hits over every role of every item it holds.
  const freq = new StaticArray<i32>(nc);
  for (let k = 0; k < m.nnz; k++) unchecked((freq[m.idx[k]] = freq[m.idx[k]] + 1));
  const anchor = new StaticArray<i32>(R);
  const lastItem = new StaticArray<u32>(R);
  const aOff = new StaticArray<i32>(nc + 1);
  for (let g = 0; g < R; g++) {
    const it = items[g];
    let a = -1;
    let hi: u32 = 0;
    for (let i = 0; i < it.length; i++) {
      const c = <i32>unchecked(it[i]);
      if (a < 0 || unchecked(freq[c]) < unchecked(freq[a]) || (unchecked(freq[c]) == unchecked(freq[a]) && c < a)) a = c;
      if (<u32>c > hi) hi = <u32>c;
    }
    unchecked((anchor[g] = a));
    unchecked((lastItem[g] = hi));
    if (a >= 0) unchecked((aOff[a + 1] = aOff[a + 1] + 1));
  }
  for (let c = 0; c < nc; c++) unchecked((aOff[c + 1] = aOff[c + 1] + aOff[c]));
  const aRole = new StaticArray<i32>(aOff[nc]);
  const fill = new StaticArray<i32>(nc);
  for (let g = 0; g < R; g++) {
    const a = unchecked(anchor[g]);
    if (a < 0) continue;
    unchecked((aRole[aOff[a] + fill[a]] = g));
    unchecked((fill[a] = fill[a] + 1));
  }
  const inRow = new StaticArray<i32>(nc);
  const keys: Array<u64> = [];
  // Current roles per row.
  const current = new Array<Array<i32>>(nr);
  for (let r = 0; r < nr; r++) current[r] = [];
  for (let g = 0; g < R; g++) for (let i = 0; i < members[g].length; i++) current[members[g][i]].push(g);

  const covered = new StaticArray<i32>(nc);
  const count = new StaticArray<i32>(nc);
  const dropMark = new StaticArray<i32>(R);
  const eligible: Array<i32> = [];
  const chosen: Array<i32> = [];
  // Per eligible position: the gain bound, and the pick step it was computed for.
  const bound = new StaticArray<i64>(R);
  const fresh = new StaticArray<i32>(R);
  let step = 0;
  // Each role's item weight: its gain before anything is covered.
  const roleW = new StaticArray<i64>(R);
  for (let g = 0; g < R; g++) {
    const it = items[g];
    let w: i64 = 0;
    for (let i = 0; i < it.length; i++) w += unchecked(itemW[it[i]]);
    unchecked((roleW[g] = w));
  }
  for (let r = 0; r < nr; r++) {
    const stamp = r + 1;
    const s = unchecked(m.off[r]);
    const e = unchecked(m.off[r + 1]);
    const cur = current[r];
    // A cover is taken only when it needs fewer roles than r has now: a row with one role keeps it,
    // and the greedy stops once its next pick could no longer make the cover smaller. (Same result
    // as running it to the end; most rows of a large model hold one or two roles.)
    if (s == e || cur.length <= 1) continue;
    // Eligible roles in the order a scan of the row's items would complete them (by their last
    // item, then by index): that order breaks the greedy's ties.
    for (let k = s; k < e; k++) unchecked((inRow[m.idx[k]] = stamp));
    keys.length = 0;
    for (let k = s; k < e; k++) {
      const c = unchecked(m.idx[k]);
      for (let x = unchecked(aOff[c]); x < unchecked(aOff[c + 1]); x++) {
        const g = unchecked(aRole[x]);
        const it = items[g];
        let all = true;
        for (let q = 0; q < it.length; q++) {
          if (unchecked(inRow[it[q]]) != stamp) {
            all = false;
            break;
          }
        }
        if (all) keys.push((<u64>unchecked(lastItem[g]) << 32) | <u64>g);
      }
    }
    keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    eligible.length = 0;
    for (let x = 0; x < keys.length; x++) eligible.push(<i32>(unchecked(keys[x]) & 0xffffffff));
    chosen.length = 0;
    let left: i64 = 0;
    for (let k = s; k < e; k++) left += unchecked(itemW[m.idx[k]]);
    // Greedy cover, largest gain first (ties: the first eligible role). Lazily: a role's gain only
    // falls as items get covered, so its last computed gain bounds it, and the role with the
    // largest bound whose gain is fresh (computed for this pick) has the largest gain. The same
    // picks as recomputing every gain for every pick, at a fraction of the item scans.
    const ne = eligible.length;
    for (let x = 0; x < ne; x++) unchecked((bound[x] = roleW[eligible[x]]));
    while (left > 0 && chosen.length + 1 < cur.length) {
      step++;
      let best = -1;
      for (;;) {
        let bx = -1;
        let bb: i64 = 0;
        for (let x = 0; x < ne; x++) {
          const b = unchecked(bound[x]);
          if (b > bb) {
            bb = b;
            bx = x;
          }
        }
        if (bx < 0) break;
        if (unchecked(fresh[bx]) == step) {
          best = unchecked(eligible[bx]);
          break;
        }
        const it = items[unchecked(eligible[bx])];
        let gain: i64 = 0;
        for (let q = 0; q < it.length; q++) if (unchecked(covered[it[q]]) != stamp) gain += unchecked(itemW[it[q]]);
        unchecked((bound[bx] = gain));
        unchecked((fresh[bx] = step));
      }
      if (best < 0) break;
      chosen.push(best);
      const it = items[best];
      for (let q = 0; q < it.length; q++) {
        if (unchecked(covered[it[q]]) != stamp) {
          unchecked((covered[it[q]] = stamp));
          left -= unchecked(itemW[it[q]]);
        }
      }
    }
    const pick = left == 0 && chosen.length < cur.length ? chosen.slice(0) : cur;
    current[r] = pruneRedundant(pick, items, count, dropMark, stamp);
  }
  for (let g = 0; g < R; g++) members[g] = [];
  for (let r = 0; r < nr; r++) {
    const a = current[r];
    for (let x = 0; x < a.length; x++) members[a[x]].push(<u32>r);
  }
  if (rowW.length < 0) unreachable(); // row weights scale every row's cost alike: the cover is per row
}

/**
 * Drops from `roles` those whose items the others already give (smallest first, ties by index).
 * `count` (per item) is all zero on entry and on return; `mark` (per role) is scratch.
 */
function pruneRedundant(roles: Array<i32>, items: Array<Array<u32>>, count: StaticArray<i32>, mark: StaticArray<i32>, stamp: i32): Array<i32> {
  if (roles.length < 2) return roles;
  for (let x = 0; x < roles.length; x++) {
    const it = items[roles[x]];
    for (let q = 0; q < it.length; q++) unchecked((count[it[q]] = count[it[q]] + 1));
  }
  const keys = new StaticArray<u64>(roles.length);
  for (let x = 0; x < roles.length; x++) {
    const g = roles[x];
    unchecked((keys[x] = (<u64>items[g].length << 32) | <u64>g));
  }
  keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
  let ndropped = 0;
  for (let x = 0; x < keys.length; x++) {
    const g = <i32>(unchecked(keys[x]) & 0xffffffff);
    const it = items[g];
    let redundant = true;
    for (let q = 0; q < it.length; q++) {
      if (unchecked(count[it[q]]) < 2) {
        redundant = false;
        break;
      }
    }
    if (redundant) {
      unchecked((mark[g] = stamp));
      ndropped++;
      for (let q = 0; q < it.length; q++) unchecked((count[it[q]] = count[it[q]] - 1));
    }
  }
  for (let x = 0; x < roles.length; x++) {
    const it = items[roles[x]];
    for (let q = 0; q < it.length; q++) unchecked((count[it[q]] = 0));
  }
  if (ndropped == 0) return roles;
  const keep: Array<i32> = [];
  for (let x = 0; x < roles.length; x++) if (unchecked(mark[roles[x]]) != stamp) keep.push(roles[x]);
  return keep;
}

/** The roles holding each item, ascending: those of item c are role[off[c]..off[c + 1]). */
class RolesByItem {
  off: StaticArray<i32>;
  role: StaticArray<i32>;
  constructor(items: Array<Array<u32>>, nItems: i32) {
    const R = items.length;
    const off = new StaticArray<i32>(nItems + 1);
    for (let g = 0; g < R; g++) {
      const it = items[g];
      for (let q = 0; q < it.length; q++) unchecked((off[<i32>it[q] + 1] = off[<i32>it[q] + 1] + 1));
    }
    for (let c = 0; c < nItems; c++) unchecked((off[c + 1] = off[c + 1] + off[c]));
    const role = new StaticArray<i32>(off[nItems]);
    const fill = new StaticArray<i32>(nItems);
    for (let c = 0; c < nItems; c++) unchecked((fill[c] = off[c]));
    for (let g = 0; g < R; g++) {
      const it = items[g];
      for (let q = 0; q < it.length; q++) {
        const c = <i32>it[q];
        unchecked((role[fill[c]] = g));
        unchecked((fill[c] = fill[c] + 1));
      }
    }
    this.off = off;
    this.role = role;
    this.seen = new StaticArray<i32>(R);
  }

  private seen: StaticArray<i32>;
  private seenNo: i32 = 0;

  /**
   * Into `out`, ascending and distinct: the roles above `after` listed under any of `itemsOf` (a
   * role's items), role `self` left out. A role sharing an item with it is among them.
   */
  partners(itemsOf: Array<u32>, self: i32, after: i32, out: Array<i32>): void {
    const no = ++this.seenNo;
    out.length = 0;
    for (let q = 0; q < itemsOf.length; q++) {
      const c = <i32>itemsOf[q];
      for (let k = unchecked(this.off[c]); k < unchecked(this.off[c + 1]); k++) {
        const h = unchecked(this.role[k]);
        if (h > after && h != self && unchecked(this.seen[h]) != no) {
          unchecked((this.seen[h] = no));
          out.push(h);
        }
      }
    }
    out.sort((a: i32, b: i32): i32 => a - b);
  }
}

/**
 * Layering move: when every member of role g holds all of role h's items, g's members can take h
 * and g can drop the items it shares with h. Applied when it lowers WSC:
 *   gain = w(items_g & items_h) - w(members_g \ members_h) (+1 when g is left empty and vanishes).
 * Nested access (a team's role inside a department's) turns into layered roles this way, the shape
 * of the low-WSC covers in the literature. Called on both sides of the model (see improveWsc).
 */
function flatten(m: Csr, memberW: StaticArray<i32>, itemW: StaticArray<i32>, items: Array<Array<u32>>, members: Array<Array<u32>>): void {
  const R = items.length;
  const W = wordsFor(m.cols);
  const V = wordsFor(m.rows);
  const it = heap.alloc(<usize>R * W * 8); // items per role
  const cl = heap.alloc(<usize>R * W * 8); // items every member holds (closure)
  const mb = heap.alloc(<usize>R * V * 8); // members per role
  const tmp = heap.alloc(<usize>W * 8);
  zero(it, R * W);
  zero(mb, R * V);
  for (let g = 0; g < R; g++) {
    const ip = it + <usize>g * W * 8;
    for (let q = 0; q < items[g].length; q++) setBit(ip, <i32>items[g][q]);
    const mp = mb + <usize>g * V * 8;
    for (let q = 0; q < members[g].length; q++) setBit(mp, <i32>members[g][q]);
    closure(m, members[g], cl + <usize>g * W * 8, tmp, W);
  }
  // alive[g]: g still has members (kept in step with `members`).
  const alive = new StaticArray<bool>(R);
  for (let g = 0; g < R; g++) unchecked((alive[g] = members[g].length > 0));
  // The roles of each item, built once (items only leave roles here, so a list may name a role
  // that lost the item, never miss one that has it). A move of g into h needs h to share an item
  // with g (the `intersects` test below), so g looks only at the roles its items list, in
  // ascending order like a scan of every role: the same moves, in the same order, without the
  // R x R pairs (94% of exact mode's time on a sparse export with 4,700 roles).
  const index = new RolesByItem(items, m.cols);
  const cand: Array<i32> = [];
  let changed = true;
  let passes = 0;
  while (changed && passes++ < 8) {
    changed = false;
    for (let g = 0; g < R; g++) {
      if (!unchecked(alive[g])) continue;
      const ig = it + <usize>g * W * 8;
      const cg = cl + <usize>g * W * 8;
      const mg = mb + <usize>g * V * 8;
      index.partners(items[g], g, -1, cand);
      for (let x = 0; x < cand.length; x++) {
        const h = cand[x];
        if (!unchecked(alive[h])) continue;
        if (!unchecked(alive[g])) break;
        const ih = it + <usize>h * W * 8;
        if (!isSubset(ih, cg, W) || !intersects(ig, ih, W)) continue;
        const mh = mb + <usize>h * V * 8;
        let gain: i64 = 0;
        let left = false;
        for (let c = nextBit(ig, W, 0); c >= 0; c = nextBit(ig, W, c + 1)) {
          if (getBit(ih, c)) gain += unchecked(itemW[c]);
          else left = true;
        }
        if (!left) gain += 1;
        for (let q = 0; q < members[g].length; q++) {
          const r = <i32>members[g][q];
          if (!getBit(mh, r)) gain -= unchecked(memberW[r]);
        }
        if (gain <= 0) continue;
        // Apply: g's members join h; g drops the shared items (or vanishes).
        for (let q = 0; q < members[g].length; q++) {
          const r = members[g][q];
          if (!getBit(mh, <i32>r)) {
            setBit(mh, <i32>r);
            members[h].push(r);
          }
        }
        andInto(cl + <usize>h * W * 8, cg, W);
        const keep: Array<u32> = [];
        for (let q = 0; q < items[g].length; q++) {
          const c = items[g][q];
          if (getBit(ih, <i32>c)) clearBit(ig, <i32>c);
          else keep.push(c);
        }
        items[g] = keep;
        if (keep.length == 0) {
          members[g] = [];
          zero(mg, V);
          unchecked((alive[g] = false));
        }
        changed = true;
      }
    }
  }
  heap.free(it);
  heap.free(cl);
  heap.free(mb);
  heap.free(tmp);
}

/** out = the items every one of `rows` holds, as a bitset of W words. */
function closure(m: Csr, rows: Array<u32>, out: usize, tmp: usize, W: i32): void {
  if (rows.length == 0) {
    zero(out, W);
    return;
  }
  zero(out, W);
  const r0 = rows[0];
  for (let k = unchecked(m.off[r0]); k < unchecked(m.off[r0 + 1]); k++) setBit(out, <i32>unchecked(m.idx[k]));
  for (let q = 1; q < rows.length; q++) {
    const r = rows[q];
    zero(tmp, W);
    for (let k = unchecked(m.off[r]); k < unchecked(m.off[r + 1]); k++) setBit(tmp, <i32>unchecked(m.idx[k]));
    andInto(out, tmp, W);
  }
}

/**
 * Extraction move (WSC objective only; adds roles): the items two roles share become a role of
 * their own, held by the members of both, and leave the two roles. Applied when it lowers WSC:
 *   gain = w(S) - 1 - w(members_g | members_h) (+ 1 + w(members) for each role left empty),
 * with S = items_g & items_h. Everyone still gets exactly what they held.
 */
function extract(m: Csr, memberW: StaticArray<i32>, itemW: StaticArray<i32>, items: Array<Array<u32>>, members: Array<Array<u32>>): void {
  const W = wordsFor(m.cols);
  const V = wordsFor(m.rows);
  const s = heap.alloc(<usize>W * 8);
  const mu = heap.alloc(<usize>V * 8);
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    const R = items.length;
    const it = heap.alloc(<usize>R * W * 8);
    zero(it, R * W);
    const mw = new StaticArray<i64>(R);
    for (let g = 0; g < R; g++) {
      let w: i64 = 0;
      for (let q = 0; q < members[g].length; q++) w += unchecked(memberW[members[g][q]]);
      unchecked((mw[g] = w));
    }
    for (let g = 0; g < R; g++) for (let q = 0; q < items[g].length; q++) setBit(it + <usize>g * W * 8, <i32>items[g][q]);
    const alive = new StaticArray<bool>(R);
    for (let g = 0; g < R; g++) unchecked((alive[g] = members[g].length > 0));
    // The roles of each item at the start of the pass (items only leave roles, and roles made in
    // the pass wait for the next): g's partners h > g are among the roles its items list, taken in
    // ascending order like a scan of every h > g: the same moves without the R x R pairs.
    const index = new RolesByItem(items, m.cols);
    const cand: Array<i32> = [];
    for (let g = 0; g < R; g++) {
      const ig = it + <usize>g * W * 8;
      index.partners(items[g], g, g, cand);
      for (let x = 0; x < cand.length; x++) {
        const h = cand[x];
        if (!unchecked(alive[g])) break;
        if (!unchecked(alive[h])) continue;
        const ih = it + <usize>h * W * 8;
        if (!intersects(ig, ih, W)) continue;
        // S = items_g & items_h, weighed from g's list against h's bitset (each role's list and
        // bitset hold the same distinct items).
        const nowG = items[g];
        const nG = nowG.length;
        let ws: i64 = 0;
        let shared = 0;
        for (let q = 0; q < nG; q++) {
          const c = <i32>unchecked(nowG[q]);
          if (getBit(ih, c)) {
            ws += unchecked(itemW[c]);
            shared++;
          }
        }
        const ng = nG - shared;
        const nh = items[h].length - shared;
        // Cheap bound first: the union weighs at least the heavier of the two member sets.
        if (ng > 0 && nh > 0) {
          const wmax = unchecked(mw[g]) > unchecked(mw[h]) ? unchecked(mw[g]) : unchecked(mw[h]);
          if (ws - 1 - wmax <= 0) continue;
        }
        memory.copy(s, ig, <usize>W * 8);
        andInto(s, ih, W);
        zero(mu, V);
        let wu: i64 = 0;
        let wg: i64 = 0;
        let wh: i64 = 0;
        for (let q = 0; q < members[g].length; q++) {
          const r = <i32>members[g][q];
          wg += unchecked(memberW[r]);
          if (!getBit(mu, r)) {
            setBit(mu, r);
            wu += unchecked(memberW[r]);
          }
        }
        for (let q = 0; q < members[h].length; q++) {
          const r = <i32>members[h][q];
          wh += unchecked(memberW[r]);
          if (!getBit(mu, r)) {
            setBit(mu, r);
            wu += unchecked(memberW[r]);
          }
        }
        let gain: i64 = ws - 1 - wu;
        if (ng == 0) gain += 1 + wg;
        if (nh == 0) gain += 1 + wh;
        if (gain <= 0) continue;
        const newItems: Array<u32> = [];
        for (let c = nextBit(s, W, 0); c >= 0; c = nextBit(s, W, c + 1)) newItems.push(<u32>c);
        const newMembers: Array<u32> = [];
        for (let r = nextBit(mu, V, 0); r >= 0; r = nextBit(mu, V, r + 1)) newMembers.push(<u32>r);
        items.push(newItems);
        members.push(newMembers);
        if (ng == 0) unchecked((mw[g] = 0));
        if (nh == 0) unchecked((mw[h] = 0));
        items[g] = without(items[g], s);
        items[h] = without(items[h], s);
        for (let c = nextBit(s, W, 0); c >= 0; c = nextBit(s, W, c + 1)) {
          clearBit(ig, c);
          clearBit(ih, c);
        }
        if (items[g].length == 0) {
          members[g] = [];
          unchecked((alive[g] = false));
        }
        if (items[h].length == 0) {
          members[h] = [];
          unchecked((alive[h] = false));
        }
        changed = true;
      }
    }
    heap.free(it);
    if (!changed) break;
  }
  heap.free(s);
  heap.free(mu);
}

function without(a: Array<u32>, bits: usize): Array<u32> {
  const out: Array<u32> = [];
  for (let q = 0; q < a.length; q++) if (!getBit(bits, <i32>a[q])) out.push(a[q]);
  return out;
}
