// Lowering weighted structural complexity, WSC = |R| + |UA| + |PA| (Molloy et al., SACMAT 2008),
// without adding roles and without changing what anyone is given.
//
// 1. Assignments: each identity class r may take any role whose entitlements it all holds
//    ("eligible"). Its fewest roles covering its entitlements is a small set cover, solved greedily
//    (largest weighted gain first), then pruned of redundant picks; kept only when it beats the
//    assignment it had. Fewer assignments = lower |UA|.
// 2. Entitlements: an entitlement leaves a role when every member gets it from another role too.
// 3. Roles left without members or entitlements are dropped.
// Weights: an identity class stands for rowWeight identities, an entitlement class for colWeight.

import { Reduced } from './matrix';
import { RoleSink } from './exact';

export function improveWsc(red: Reduced, sink: RoleSink): void {
  const R = sink.count;
  if (R == 0) return;
  const m = red.m;
  const nr = m.rows;
  const nc = m.cols;
  // Entitlement class -> roles holding it.
  const crOff = new StaticArray<i32>(nc + 1);
  for (let q = 0; q < sink.cols.length; q++) unchecked((crOff[sink.cols[q] + 1] = crOff[sink.cols[q] + 1] + 1));
  for (let c = 0; c < nc; c++) unchecked((crOff[c + 1] = crOff[c + 1] + crOff[c]));
  const cr = new StaticArray<i32>(sink.cols.length);
  const crFill = new StaticArray<i32>(nc);
  const psize = new StaticArray<i32>(R);
  for (let g = 0; g < R; g++) {
    unchecked((psize[g] = <i32>(sink.colOff[g + 1] - sink.colOff[g])));
    for (let q = sink.colOff[g]; q < sink.colOff[g + 1]; q++) {
      const c = sink.cols[q];
      unchecked((cr[crOff[c] + crFill[c]] = g));
      unchecked((crFill[c] = crFill[c] + 1));
    }
  }
  // Current assignment: identity class -> roles.
  const assigned = new Array<Array<i32>>(nr);
  for (let i = 0; i < nr; i++) assigned[i] = [];
  for (let g = 0; g < R; g++) {
    for (let q = sink.rowOff[g]; q < sink.rowOff[g + 1]; q++) assigned[sink.rows[q]].push(g);
  }
  const hits = new StaticArray<i32>(R);
  const hitStamp = new StaticArray<i32>(R);
  const covered = new StaticArray<i32>(nc); // covered[c] == stamp: already covered for this identity
  const eligible: Array<i32> = [];
  const chosen: Array<i32> = [];
  for (let r = 0; r < nr; r++) {
    const stamp = r + 1;
    eligible.length = 0;
    const s = unchecked(m.off[r]);
    const e = unchecked(m.off[r + 1]);
    for (let k = s; k < e; k++) {
      const c = unchecked(m.idx[k]);
      for (let x = unchecked(crOff[c]); x < unchecked(crOff[c + 1]); x++) {
        const g = unchecked(cr[x]);
        if (unchecked(hitStamp[g]) != stamp) {
          unchecked((hitStamp[g] = stamp));
          unchecked((hits[g] = 0));
        }
        const h = unchecked(hits[g]) + 1;
        unchecked((hits[g] = h));
        if (h == unchecked(psize[g])) eligible.push(g);
      }
    }
    // Greedy cover of r's entitlements by eligible roles.
    chosen.length = 0;
    let left: i64 = 0;
    for (let k = s; k < e; k++) left += unchecked(red.colWeight[m.idx[k]]);
    while (left > 0) {
      let best = -1;
      let bestGain: i64 = 0;
      for (let x = 0; x < eligible.length; x++) {
        const g = eligible[x];
        let gain: i64 = 0;
        for (let q = sink.colOff[g]; q < sink.colOff[g + 1]; q++) {
          const c = sink.cols[q];
          if (unchecked(covered[c]) != stamp) gain += unchecked(red.colWeight[c]);
        }
        if (gain > bestGain) {
          bestGain = gain;
          best = g;
        }
      }
      if (best < 0) break; // cannot happen: the current assignment is an eligible cover
      chosen.push(best);
      for (let q = sink.colOff[best]; q < sink.colOff[best + 1]; q++) {
        const c = sink.cols[q];
        if (unchecked(covered[c]) != stamp) {
          unchecked((covered[c] = stamp));
          left -= unchecked(red.colWeight[c]);
        }
      }
    }
    if (left == 0 && chosen.length < assigned[r].length) {
      assigned[r] = chosen.slice(0);
    }
    // Drop redundant roles of r: a role whose every entitlement another of r's roles also gives.
    pruneRedundant(assigned[r], sink);
  }
  // Rebuild memberships from the assignment.
  const members = new Array<Array<i32>>(R);
  for (let g = 0; g < R; g++) members[g] = [];
  for (let r = 0; r < nr; r++) {
    const a = assigned[r];
    for (let x = 0; x < a.length; x++) members[a[x]].push(r);
  }
  // 2. Entitlements given twice to every member leave the role (count per (identity, entitlement)).
  const cnt = new Map<i64, i32>();
  for (let r = 0; r < nr; r++) {
    const a = assigned[r];
    for (let x = 0; x < a.length; x++) {
      const g = a[x];
      for (let q = sink.colOff[g]; q < sink.colOff[g + 1]; q++) {
        const key = (<i64>r << 32) | <i64>sink.cols[q];
        cnt.set(key, cnt.has(key) ? cnt.get(key) + 1 : 1);
      }
    }
  }
  const newRows: Array<u32> = [];
  const newCols: Array<u32> = [];
  const newRowOff: Array<u32> = [0];
  const newColOff: Array<u32> = [0];
  for (let g = 0; g < R; g++) {
    const mem = members[g];
    if (mem.length == 0) continue;
    // Larger entitlement classes first: removing them saves more.
    const start = newCols.length;
    for (let q = sink.colOff[g]; q < sink.colOff[g + 1]; q++) {
      const c = sink.cols[q];
      let removable = true;
      for (let x = 0; x < mem.length; x++) {
        if (cnt.get((<i64>mem[x] << 32) | <i64>c) < 2) {
          removable = false;
          break;
        }
      }
      if (removable) {
        for (let x = 0; x < mem.length; x++) {
          const key = (<i64>mem[x] << 32) | <i64>c;
          cnt.set(key, cnt.get(key) - 1);
        }
      } else newCols.push(c);
    }
    if (newCols.length == start) continue; // every entitlement given elsewhere: drop the role
    for (let x = 0; x < mem.length; x++) newRows.push(<u32>mem[x]);
    newRowOff.push(<u32>newRows.length);
    newColOff.push(<u32>newCols.length);
  }
  sink.rows = newRows;
  sink.cols = newCols;
  sink.rowOff = newRowOff;
  sink.colOff = newColOff;
}

/** Removes from `roles` those whose entitlements the others already give (smallest roles first). */
function pruneRedundant(roles: Array<i32>, sink: RoleSink): void {
  if (roles.length < 2) return;
  // Count coverage per entitlement class with a temporary map keyed by class.
  const count = new Map<u32, i32>();
  for (let x = 0; x < roles.length; x++) {
    const g = roles[x];
    for (let q = sink.colOff[g]; q < sink.colOff[g + 1]; q++) {
      const c = sink.cols[q];
      count.set(c, count.has(c) ? count.get(c) + 1 : 1);
    }
  }
  // Smallest roles first (ties by index): key = size << 32 | role.
  const keys = new StaticArray<u64>(roles.length);
  for (let x = 0; x < roles.length; x++) {
    const g = roles[x];
    unchecked((keys[x] = (<u64>(sink.colOff[g + 1] - sink.colOff[g]) << 32) | <u64>g));
  }
  keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
  const order = new StaticArray<i32>(roles.length);
  for (let x = 0; x < roles.length; x++) unchecked((order[x] = <i32>(keys[x] & 0xffffffff)));
  const keep: Array<i32> = [];
  const dropped = new Set<i32>();
  for (let x = 0; x < order.length; x++) {
    const g = order[x];
    let redundant = true;
    for (let q = sink.colOff[g]; q < sink.colOff[g + 1]; q++) {
      if (count.get(sink.cols[q]) < 2) {
        redundant = false;
        break;
      }
    }
    if (redundant) {
      dropped.add(g);
      for (let q = sink.colOff[g]; q < sink.colOff[g + 1]; q++) {
        const c = sink.cols[q];
        count.set(c, count.get(c) - 1);
      }
    }
  }
  for (let x = 0; x < roles.length; x++) if (!dropped.has(roles[x])) keep.push(roles[x]);
  roles.length = 0;
  for (let x = 0; x < keep.length; x++) roles.push(keep[x]);
}
