// Tables written as Arrow (--format arrow): each row's values read back as written, and a name
// column whose dictionary repeats values (a text per row: review evidence, outlier factors)
// stored with each value once.
import { describe, expect, it } from 'vitest';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { tableToArrow } from '../src/model/arrow.js';
import type { OutTable } from '../src/model/tables.js';

describe('tables as Arrow', () => {
  it('reads back every row, with a repeating dictionary stored once per value', () => {
    const t: OutTable = {
      name: 'review',
      length: 6,
      columns: [
        ['evidence', { kind: 'name', dictionary: ['peers 0/4 hold it (0%)', '', 'privileged', '', 'peers 0/4 hold it (0%)', 'x'], codes: Uint32Array.of(0, 1, 2, 3, 4, 1) }],
        ['identity', { kind: 'name', dictionary: ['u1', 'u2', 'u3'], codes: Uint32Array.of(2, 0, 1, 1, 0, 2) }],
        ['score', { kind: 'int', values: Float64Array.of(1, 2.5, 3, 4, 5, 6) }],
      ],
    };
    const back = tableFromIPC(tableToIPC(tableToArrow(t), 'file'));
    expect(back.getChild('evidence')!.toArray()).toEqual(['peers 0/4 hold it (0%)', '', 'privileged', '', 'peers 0/4 hold it (0%)', '']);
    expect(back.getChild('identity')!.toArray()).toEqual(['u3', 'u1', 'u2', 'u2', 'u1', 'u3']);
    expect(Array.from(back.getChild('score')!.toArray() as Float64Array)).toEqual([1, 2.5, 3, 4, 5, 6]);
    // The repeated values once each, in first-occurrence order; an unused distinct value kept.
    const evidence = back.getChild('evidence')!.data[0]!.dictionary!;
    expect(evidence.toArray()).toEqual(['peers 0/4 hold it (0%)', '', 'privileged', 'x']);
    expect(Array.from(back.getChild('evidence')!.data[0]!.values as Int32Array)).toEqual([0, 1, 2, 1, 0, 1]);
    expect(back.getChild('identity')!.data[0]!.dictionary!.toArray()).toEqual(['u1', 'u2', 'u3']);
  });
});
