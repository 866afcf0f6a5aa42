// The disk writer encodes CSV rows straight into bytes (csvRowEncoder); the in-memory outputs and
// the browser build the text (csvRows). Both must give the same file, byte for byte: checked on
// random tables with the names that need care (formula starts, quotes, line breaks, non-ASCII,
// astral characters, lone surrogates, long names) and numbers of every shape.
import { describe, expect, it } from 'vitest';
import { csvHeader, csvRowEncoder, csvRows, fitsWire, wireRowEncoder, wireTables, type RowEncoder } from '../src/output/files.js';
import type { Column, OutTable } from '../src/model/tables.js';
import { rng } from './support/reference.js';

const PIECES = ['a', 'Z', '0', ' ', ',', '"', '\n', '\r', '=', '+', '-', '@', '\t', "'", 'é', 'Ω', '€', '日本', '😀', '\ud800', '\udc00', 'x'.repeat(40), ';'];

/** Pieces of plain ASCII names without quoting, with the formula starts: the table thread's fast path (src/output/files.ts, fieldsOfJoined). */
const ASCII_PIECES = ['a', 'Z', '0', ' ', '=', '+', '-', '@', '\t', "'", ';', 'x'.repeat(40)];

function randomNameOf(r: () => number, pieces = PIECES): string {
  let s = '';
  const n = Math.floor(r() * 6);
  for (let k = 0; k < n; k++) s += pieces[Math.floor(r() * pieces.length)]!;
  return s;
}

const NUMBERS = [0, 1, 9, 10, 99, 100, 4294967295, 4294967296, 1e15, 1e21, 123456789012, -1, -0, 0.5, 0.1234, 1 / 3, 1e-7, -2.5e-300, NaN, Infinity, -Infinity];

function randomTable(r: () => number, rows: number, pieces = PIECES): OutTable {
  const randomName = (r: () => number) => randomNameOf(r, pieces);
  const columns: [string, Column][] = [];
  const ncols = 1 + Math.floor(r() * 4);
  for (let c = 0; c < ncols; c++) {
    if (r() < 0.25) {
      // One entry per row, as review evidence or outlier factors (written row by row, not kept).
      const dictionary = Array.from({ length: rows }, () => randomName(r));
      columns.push([`c${c}`, { kind: 'name', dictionary, codes: Uint32Array.from({ length: rows }, (_, i) => i) }]);
    } else if (r() < 0.5) {
      const dictionary = Array.from({ length: 1 + Math.floor(r() * 8) }, () => randomName(r));
      columns.push([`c${c}`, { kind: 'name', dictionary, codes: Uint32Array.from({ length: rows }, () => Math.floor(r() * dictionary.length)) }]);
    } else if (r() < 0.5) {
      columns.push([`c${c}`, { kind: 'int', values: Uint32Array.from({ length: rows }, () => Math.floor(r() * 2 ** 32)) }]);
    } else {
      columns.push([`c${c}`, { kind: 'int', values: Float64Array.from({ length: rows }, () => (r() < 0.5 ? NUMBERS[Math.floor(r() * NUMBERS.length)]! : (r() - 0.5) * 10 ** Math.floor(r() * 30 - 10))) }]);
    }
  }
  return { name: 'roles', length: rows, columns };
}

/** The whole file as the byte encoder writes it, through a buffer of `size` bytes refilled as the writer does. */
function encoded(t: OutTable, size: number, tune: Parameters<typeof csvRowEncoder>[1] = {}, enc: RowEncoder = csvRowEncoder(t, tune)): Uint8Array {
  const buf = new Uint8Array(Math.max(size, 2 * enc.maxRow));
  const parts: Uint8Array[] = [new TextEncoder().encode(csvHeader(t))];
  let i = 0;
  do {
    const [next, end] = enc.fill(buf, 0, i);
    expect(next).toBeGreaterThan(t.length === 0 ? -1 : i); // progress on every fill
    parts.push(buf.slice(0, end));
    i = next;
  } while (i < t.length);
  return Buffer.concat(parts);
}

describe('CSV rows as bytes (the disk writer) are the text rows encoded (the in-memory outputs)', () => {
  it('on 300 random tables, through small and large buffers', () => {
    const r = rng(11);
    for (let k = 0; k < 300; k++) {
      const t = randomTable(r, Math.floor(r() * 60));
      const text = new TextEncoder().encode(csvHeader(t) + csvRows(t, 0, t.length));
      expect(Buffer.from(encoded(t, 64)).equals(Buffer.from(text))).toBe(true);
      expect(Buffer.from(encoded(t, 1 << 16)).equals(Buffer.from(text))).toBe(true);
      // Every name column written row by row (no dictionary kept small), and fresh dictionaries
      // (none found encoded already) kept.
      expect(Buffer.from(encoded(structuredClone(t), 64, { smallDictionary: 0 })).equals(Buffer.from(text))).toBe(true);
      expect(Buffer.from(encoded(structuredClone(t), 64)).equals(Buffer.from(text))).toBe(true);
    }
  });

  it('the table thread writes the same bytes from the tables as sent (wireTables, wireRowEncoder)', () => {
    const r = rng(12);
    for (let k = 0; k < 300; k++) {
      // Names of every kind, and plain ASCII ones (the thread's joined fast path); one dictionary
      // shared by two tables; tables sent fresh or with dictionaries already encoded here.
      const t = randomTable(r, Math.floor(r() * 60), k % 2 ? PIECES : ASCII_PIECES);
      const u: OutTable = { ...t, columns: t.columns.map(([n, c]) => [`${n}u`, c]) };
      const text = Buffer.from(new TextEncoder().encode(csvHeader(t) + csvRows(t, 0, t.length)));
      if (k % 3 === 0) expect(Buffer.from(encoded(t, 64)).equals(text)).toBe(true); // dictionaries kept encoded (sent as bytes), ASCII ones in one native encode
      const { tables, transfer } = wireTables([t, u]);
      expect(new Set(transfer).size).toBe(transfer.length); // each buffer transferred once
      const [wt, wu] = structuredClone(tables, { transfer });
      expect(Buffer.from(encoded(t, 64, {}, wireRowEncoder(wt!))).equals(text)).toBe(true);
      expect(Buffer.from(encoded(u, 1 << 16, {}, wireRowEncoder(wu!))).subarray(csvHeader(u).length).equals(text.subarray(csvHeader(t).length))).toBe(true);
    }
  });

  it('a table goes to the thread only when its dictionaries\' text is within the limit (a shared one counted once, one kept encoded not at all)', () => {
    const names = ['abc', 'de', 'f'];
    const t: OutTable = { name: 'roles', length: 2, columns: [['a', { kind: 'name', dictionary: names, codes: Uint32Array.of(0, 1) }], ['b', { kind: 'name', dictionary: names, codes: Uint32Array.of(2, 2) }]] };
    expect(fitsWire(t, 6)).toBe(true);
    expect(fitsWire(t, 5)).toBe(false);
    const per = Array.from({ length: 2 }, (_, k) => 'x'.repeat(k + 4)); // an entry per row: not kept encoded
    const u: OutTable = { name: 'roles', length: 2, columns: [['a', { kind: 'name', dictionary: per, codes: Uint32Array.of(0, 1) }]] };
    expect(fitsWire(u, 8)).toBe(false);
    expect(fitsWire(u, 9)).toBe(true);
    encoded(t, 64); // the small dictionary kept encoded: sent as bytes, not text
    expect(fitsWire(t, 0)).toBe(true);
  });

  it('writes what a spreadsheet needs: neutralised, quoted, UTF-8', () => {
    const t: OutTable = {
      name: 'roles',
      length: 2,
      columns: [
        ['name', { kind: 'name', dictionary: ['=SUM(A1)', 'José, "Pepe"'], codes: Uint32Array.of(0, 1) }],
        ['n', { kind: 'int', values: Float64Array.of(-3, 0.25) }],
      ],
    };
    expect(new TextDecoder().decode(encoded(t, 64))).toBe('name,n\n\'=SUM(A1),-3\n"José, ""Pepe""",0.25\n');
  });
});
