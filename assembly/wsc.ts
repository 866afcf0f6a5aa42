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
  // Item -> roles holding it.
  const irOff = new StaticArray<i32>(nc + 1);
  for (let g = 0; g < R; g++) for (let i = 0; i < items[g].length; i++) unchecked((irOff[items[g][i] + 1] = irOff[items[g][i] + 1] + 1));
  for (let c = 0; c < nc; c++) unchecked((irOff[c + 1] = irOff[c + 1] + irOff[c]));
  const ir = new StaticArray<i32>(irOff[nc]);
  const fill = new StaticArray<i32>(nc);
  for (let g = 0; g < R; g++) {
    for (let i = 0; i < items[g].length; i++) {
      const c = items[g][i];
      unchecked((ir[irOff[c] + fill[c]] = g));
      unchecked((fill[c] = fill[c] + 1));
    }
  }
  // Current roles per row.
  const current = new Array<Array<i32>>(nr);
  for (let r = 0; r < nr; r++) current[r] = [];
  for (let g = 0; g < R; g++) for (let i = 0; i < members[g].length; i++) current[members[g][i]].push(g);

  const hits = new StaticArray<i32>(R);
  const hitStamp = new StaticArray<i32>(R);
  const covered = new StaticArray<i32>(nc);
  const count = new StaticArray<i32>(nc);
  const eligible: Array<i32> = [];
  const chosen: Array<i32> = [];
  for (let r = 0; r < nr; r++) {
    const stamp = r + 1;
    const s = unchecked(m.off[r]);
    const e = unchecked(m.off[r + 1]);
    if (s == e) continue;
    eligible.length = 0;
    for (let k = s; k < e; k++) {
      const c = unchecked(m.idx[k]);
      for (let x = unchecked(irOff[c]); x < unchecked(irOff[c + 1]); x++) {
        const g = unchecked(ir[x]);
        if (unchecked(hitStamp[g]) != stamp) {
          unchecked((hitStamp[g] = stamp));
          unchecked((hits[g] = 0));
        }
        const h = unchecked(hits[g]) + 1;
        unchecked((hits[g] = h));
        if (h == items[g].length) eligible.push(g);
      }
    }
    chosen.length = 0;
    let left: i64 = 0;
    for (let k = s; k < e; k++) left += unchecked(itemW[m.idx[k]]);
    while (left > 0) {
      let best = -1;
      let bestGain: i64 = 0;
      for (let x = 0; x < eligible.length; x++) {
        const g = eligible[x];
        let gain: i64 = 0;
        const it = items[g];
        for (let q = 0; q < it.length; q++) if (unchecked(covered[it[q]]) != stamp) gain += unchecked(itemW[it[q]]);
        if (gain > bestGain) {
          bestGain = gain;
          best = g;
        }
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
    const pick = left == 0 && chosen.length < current[r].length ? chosen.slice(0) : current[r];
    current[r] = pruneRedundant(pick, items, count);
  }
  for (let g = 0; g < R; g++) members[g] = [];
  for (let r = 0; r < nr; r++) {
    const a = current[r];
    for (let x = 0; x < a.length; x++) members[a[x]].push(<u32>r);
  }
  if (rowW.length < 0) unreachable(); // row weights scale every row's cost alike: the cover is per row
}

/** Drops from `roles` those whose items the others already give (smallest first, ties by index). */
function pruneRedundant(roles: Array<i32>, items: Array<Array<u32>>, count: StaticArray<i32>): Array<i32> {
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
  const dropped = new Set<i32>();
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
      dropped.add(g);
      for (let q = 0; q < it.length; q++) unchecked((count[it[q]] = count[it[q]] - 1));
    }
  }
  const keep: Array<i32> = [];
  for (let x = 0; x < roles.length; x++) {
    const g = roles[x];
    if (!dropped.has(g)) keep.push(g);
    const it = items[g];
    if (!dropped.has(g)) for (let q = 0; q < it.length; q++) unchecked((count[it[q]] = 0));
  }
  return keep;
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
  const nItems = m.cols;
  const byOff = new StaticArray<i32>(nItems + 1);
  for (let g = 0; g < R; g++) for (let q = 0; q < items[g].length; q++) unchecked((byOff[<i32>items[g][q] + 1] = byOff[<i32>items[g][q] + 1] + 1));
  for (let c = 0; c < nItems; c++) unchecked((byOff[c + 1] = byOff[c + 1] + byOff[c]));
  const byRole = new StaticArray<i32>(byOff[nItems]);
  const fill = new StaticArray<i32>(nItems);
  for (let c = 0; c < nItems; c++) unchecked((fill[c] = byOff[c]));
  for (let g = 0; g < R; g++) {
    for (let q = 0; q < items[g].length; q++) {
      const c = <i32>items[g][q];
      unchecked((byRole[fill[c]] = g));
      unchecked((fill[c] = fill[c] + 1));
    }
  }
  const seen = new StaticArray<i32>(R);
  let seenNo = 0;
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
      seenNo++;
      cand.length = 0;
      const ItemsG = items[g];
      for (let q = 0; q < ItemsG.length; q++) {
        const c = <i32>ItemsG[q];
        for (let k = unchecked(byOff[c]); k < unchecked(byOff[c + 1]); k++) {
          const h = unchecked(byRole[k]);
          if (h != g && unchecked(seen[h]) != seenNo) {
            unchecked((seen[h] = seenNo));
            cand.push(h);
          }
        }
      }
      cand.sort((a: i32, b: i32): i32 => a - b);
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
    for (let g = 0; g < R; g++) {
      const ig = it + <usize>g * W * 8;
      for (let h = g + 1; h < R; h++) {
        if (!unchecked(alive[g])) break;
        if (!unchecked(alive[h])) continue;
        const ih = it + <usize>h * W * 8;
        if (!intersects(ig, ih, W)) continue;
        memory.copy(s, ig, <usize>W * 8);
        andInto(s, ih, W);
        let ws: i64 = 0;
        let ng = 0;
        let nh = 0;
        for (let c = nextBit(s, W, 0); c >= 0; c = nextBit(s, W, c + 1)) ws += unchecked(itemW[c]);
        for (let q = 0; q < items[g].length; q++) if (!getBit(s, <i32>items[g][q])) ng++;
        for (let q = 0; q < items[h].length; q++) if (!getBit(s, <i32>items[h][q])) nh++;
        // Cheap bound first: the union weighs at least the heavier of the two member sets.
        if (ng > 0 && nh > 0) {
          const wmax = unchecked(mw[g]) > unchecked(mw[h]) ? unchecked(mw[g]) : unchecked(mw[h]);
          if (ws - 1 - wmax <= 0) continue;
        }
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
