/**
 * identities.csv's `outlier_factors` column from the peer factors: per identity, its factors as
 * text (`holds X (group 39%, all 5.7%); lacks Y (group 67%)`), each distinct list's text made
 * once. A pure function of the factor columns and the entitlements' names, so the peer-group
 * worker makes it beside mining (peers-wire.ts, when it is given the names) and the identities
 * table only picks it up; without a worker it is made there.
 */
import { distinctLists, groupByKey } from '../util/group.js';
import { iota } from '../util/typed.js';
import type { FactorColumns } from './peers-wire.js';

/** The column: `dictionary[codes[i]]` is identity i's text ('' without factors). */
export interface FactorTexts {
  dictionary: string[];
  codes: Uint32Array;
}

export function factorTexts(fs: FactorColumns, identities: number, names: readonly string[]): FactorTexts {
  // Shares repeat (holders over a group's size): each one's text is made once.
  const pctText = new Map<number, string>();
  const pct = (x: number): string => {
    let t = pctText.get(x);
    if (t === undefined) pctText.set(x, (t = `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`));
    return t;
  };
  const { off, values: at } = groupByKey(fs.identity, iota(fs.identity.length), identities);
  // Identities share factor lists (twins, and members of a group with the same gaps): each
  // identity's list as numbers (entitlement and kind, both shares' bits), and each distinct
  // list's text made once (200k distinct lists among 450k identities at 10M grants).
  const W = 5;
  const seq = new Uint32Array(W * at.length);
  const share = new Float64Array(1);
  const bits = new Uint32Array(share.buffer);
  const seqOff = new Uint32Array(identities + 1);
  for (let i = 0; i < identities; i++) {
    seqOff[i + 1] = W * off[i + 1]!;
    for (let x = off[i]!; x < off[i + 1]!; x++) {
      const f = at[x]!;
      const w = W * x;
      seq[w] = 2 * fs.entitlement[f]! + fs.kind[f]!;
      share[0] = fs.groupShare[f]!;
      seq[w + 1] = bits[0]!;
      seq[w + 2] = bits[1]!;
      share[0] = fs.kind[f] === 0 ? fs.globalShare[f]! : 0;
      seq[w + 3] = bits[0]!;
      seq[w + 4] = bits[1]!;
    }
  }
  const lists = distinctLists({ off: seqOff, values: seq });
  const dictionary = lists.first.map((i) => {
    let text = '';
    for (let x = off[i]!; x < off[i + 1]!; x++) {
      const f = at[x]!;
      const name = names[fs.entitlement[f]!]!;
      text += (x > off[i]! ? '; ' : '') + (fs.kind[f] === 0 ? `holds ${name} (group ${pct(fs.groupShare[f]!)}, all ${pct(fs.globalShare[f]!)})` : `lacks ${name} (group ${pct(fs.groupShare[f]!)})`);
    }
    return text;
  });
  return { dictionary, codes: lists.classOf };
}
