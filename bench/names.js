// The canonical name order (src/util/names.ts canonicalIndexOrder: whole numbers by value, then the
// rest by code unit) against a plain `<` sort of the same names, and against the comparator run per
// comparison (the first version), in one process (tinybench).
//   node bench/names.js [names]
import { Bench } from 'tinybench';
import { canonicalIndexOrder, compareNames } from '../dist/util/names.js';
import { saveResults } from './save.js';

const n = Number(process.argv[2] ?? 450_000);
const names = Array.from({ length: n }, (_, i) => `u${(i * 7919) % 1_000_003}`);
const numbers = Array.from({ length: n }, (_, i) => String((i * 7919) % 1_000_003));
const plain = (a) => Uint32Array.from(a.keys()).sort((x, y) => (a[x] < a[y] ? -1 : a[x] > a[y] ? 1 : 0));
const bench = new Bench({ iterations: 5, warmupIterations: 1 });
bench
  .add('plain < sort, names', () => plain(names))
  .add('canonical order, names', () => canonicalIndexOrder(names))
  .add('canonical order, whole numbers', () => canonicalIndexOrder(numbers))
  // As the first version did it: the numeric test in every comparison.
  .add('compareNames per comparison, names', () => Uint32Array.from(names.keys()).sort((x, y) => compareNames(names[x], names[y])))
  .add('compareNames per comparison, whole numbers', () => Uint32Array.from(numbers.keys()).sort((x, y) => compareNames(numbers[x], numbers[y])));
await bench.run();
const rows = bench.tasks.map((t) => ({ task: t.name, meanMs: Math.round((t.result?.latency?.mean ?? t.result?.mean ?? 0) * 10) / 10 }));
const base = rows[0].meanMs;
await saveResults(
  'names',
  `node bench/names.js ${n}`,
  { names: n, rows },
  `${n} names, mean of 5 runs each:\n\n| task | mean ms | vs plain sort |\n|---|---|---|\n` + rows.map((r) => `| ${r.task} | ${r.meanMs} | ${(r.meanMs / base).toFixed(2)}x |`).join('\n'),
);
