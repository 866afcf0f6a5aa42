// Ingest: every format gives the same canonical ids; streaming is chunk-boundary safe; bad input
// names file, line (or row) and column.
import { describe, it, expect, afterAll } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Dictionary, Int32, Int64, RecordBatchReader, Table, Uint16, Utf8, LargeUtf8, makeData, makeVector, tableToIPC, vectorFromArray,
  type RecordBatch, type Vector,
} from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { readGrants, readGrantsFromChunks, detectFormat } from '../src/ingest/index.js';
import { readGrantsFromChunks as readNeutral } from '../src/ingest/core.js';
import { InputError, UsageError } from '../src/errors.js';
import type { Grants } from '../src/types.js';

type Pair = [string, string];

const dir = mkdtempSync(join(tmpdir(), 'rolemill-ingest-'));
let serial = 0;
function write(name: string, content: string | Uint8Array): string {
  const d = join(dir, String(serial++));
  mkdirSync(d);
  const p = join(d, name);
  writeFileSync(p, content);
  return p;
}

const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
function csv(pairs: Pair[], header = ['identity', 'entitlement']): string {
  return [header.join(','), ...pairs.map((p) => p.map(q).join(','))].join('\n') + '\n';
}

function arrowTable(pairs: Pair[], kind: 'utf8' | 'dict' | 'large', names = ['identity', 'entitlement']): Table {
  const type = (id: number) => (kind === 'dict' ? new Dictionary(new Utf8(), new Int32(), id) : kind === 'large' ? new LargeUtf8() : new Utf8());
  return new Table({
    [names[0]!]: vectorFromArray(pairs.map((p) => p[0]), type(0)),
    [names[1]!]: vectorFromArray(pairs.map((p) => p[1]), type(1)),
  });
}

function parquetBytes(t: Table): Uint8Array {
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(t, 'stream')));
}

/** The parts of Grants the contract fixes, as plain arrays. */
function plain(g: Grants) {
  return { identities: g.identities, entitlements: g.entitlements, identity: [...g.identity], entitlement: [...g.entitlement], rows: g.rows };
}

async function rejects(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

async function* chunked(bytes: Uint8Array, sizes: (i: number) => number): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes(i));
    yield bytes.slice(at, at + n);
    at += n;
  }
}

const enc = new TextEncoder();

// Grants over integer-text names, so that the pair list can hold them too. Canonical order is by
// whole numbers sort as numbers (compareNames): 3 < 7 < 10 and 9 < 25 < 100, whatever the format.
const INT_PAIRS: Pair[] = [
  ['7', '25'], ['10', '25'], ['10', '9'], ['3', '9'], ['7', '25'], ['3', '100'],
];
const INT_EXPECTED = {
  identities: ['3', '7', '10'],
  entitlements: ['9', '25', '100'],
  identity: [1, 2, 2, 0, 1, 0],
  entitlement: [1, 1, 0, 0, 1, 2],
  rows: 6,
};

const NAMED: Pair[] = [
  ['bob', 'crm:read'], ['alice', 'crm:read'], ['alice', 'erp:post'], ['carol', 'erp:post'], ['bob', 'crm:read'], ['carol', 'vpn'],
];
const NAMED_EXPECTED = {
  identities: ['alice', 'bob', 'carol'],
  entitlements: ['crm:read', 'erp:post', 'vpn'],
  identity: [1, 0, 0, 2, 1, 2],
  entitlement: [0, 0, 1, 1, 0, 2],
  rows: 6,
};

describe('formats agree', () => {
  it('the same grants as CSV, Arrow file/stream (utf8, dictionary, large, int), Parquet and a pair list give identical ids', async () => {
    const ints = new Table({
      identity: makeVector(new Int32Array(INT_PAIRS.map((p) => Number(p[0])))),
      entitlement: makeVector(new BigInt64Array(INT_PAIRS.map((p) => BigInt(p[1])))),
    });
    expect(String(ints.schema.fields[1]!.type)).toBe(String(new Int64()));
    const files: [string, string][] = [
      ['csv', write('g.csv', csv(INT_PAIRS))],
      ['arrow', write('g.arrow', tableToIPC(arrowTable(INT_PAIRS, 'dict'), 'file'))],
      ['arrow', write('g.arrows', tableToIPC(arrowTable(INT_PAIRS, 'utf8'), 'stream'))],
      ['arrow', write('large.arrow', tableToIPC(arrowTable(INT_PAIRS, 'large'), 'file'))],
      ['arrow', write('ints.feather', tableToIPC(ints, 'file'))],
      ['arrow', write('ints.ipc', tableToIPC(ints, 'stream'))],
      ['parquet', write('g.parquet', parquetBytes(arrowTable(INT_PAIRS, 'utf8')))],
      ['parquet', write('ints.parquet', parquetBytes(ints))],
      ['pairs', write('g.txt', INT_PAIRS.map((p) => `  ${p[0]}\t ${p[1]}  `).join('\n') + '\n')],
    ];
    for (const [format, file] of files) {
      const g = await readGrants(file);
      expect(g.format, file).toBe(format);
      expect(plain(g), file).toEqual(INT_EXPECTED);
      expect(g.source).toBe(file);
      expect(g.identity).toBeInstanceOf(Uint32Array);
      expect(g.entitlement).toBeInstanceOf(Uint32Array);
    }
  });

  it('string names: CSV, Arrow file (dictionary), Arrow stream (utf8) and Parquet (dictionary) agree', async () => {
    const files = [
      write('g.csv', csv(NAMED)),
      write('g.arrow', tableToIPC(arrowTable(NAMED, 'dict'), 'file')),
      write('g.arrows', tableToIPC(arrowTable(NAMED, 'utf8'), 'stream')),
      write('g.parquet', parquetBytes(arrowTable(NAMED, 'dict'))),
    ];
    for (const file of files) expect(plain(await readGrants(file)), file).toEqual(NAMED_EXPECTED);
  });

  it('shuffled CSV rows give the same names and the same set of grants', async () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const rows: Pair[] = [];
    for (let i = 0; i < 500; i++) rows.push([`user${Math.floor(rand() * 60)}`, `app${Math.floor(rand() * 6)}:perm${Math.floor(rand() * 9)}`]);
    const shuffled = rows.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const a = await readGrants(write('a.csv', csv(rows)));
    const b = await readGrants(write('b.csv', csv(shuffled)));
    expect(b.identities).toEqual(a.identities);
    expect(b.entitlements).toEqual(a.entitlements);
    expect(a.identities).toEqual([...new Set(rows.map((r) => r[0]))].sort());
    const set = (g: Grants) => new Set([...g.identity].map((x, i) => `${x}:${g.entitlement[i]}`));
    expect(set(b)).toEqual(set(a));
    // And the ids really denote the input rows.
    expect([...a.identity].map((x, i) => [a.identities[x], a.entitlements[a.entitlement[i]!]])).toEqual(rows);
  });

  it('custom column names; other columns listed; kept columns dictionary-encoded in first-appearance order', async () => {
    const text = 'app,user,perm,note\ncrm,ann,read,x\nerp,ben,post,\ncrm,ann,post,y\n';
    const opts = { identityColumn: 'user', entitlementColumn: 'perm', keep: ['app', 'note', 'user'] };
    const t = new Table({
      app: vectorFromArray(['crm', 'erp', 'crm'], new Utf8()),
      user: vectorFromArray(['ann', 'ben', 'ann'], new Dictionary(new Utf8(), new Int32())),
      perm: vectorFromArray(['read', 'post', 'post'], new Utf8()),
      note: vectorFromArray(['x', null, 'y'], new Utf8()),
    });
    for (const file of [write('g.csv', text), write('g.arrow', tableToIPC(t, 'file'))]) {
      const g = await readGrants(file, opts);
      expect(plain(g)).toEqual({ identities: ['ann', 'ben'], entitlements: ['post', 'read'], identity: [0, 1, 0], entitlement: [1, 0, 0], rows: 3 });
      expect(g.otherColumns).toEqual(['app', 'note']);
      expect(g.columns['app']!.values).toEqual(['crm', 'erp']);
      expect([...g.columns['app']!.codes]).toEqual([0, 1, 0]);
      expect(g.columns['note']!.values).toEqual(['x', '', 'y']); // an empty CSV field or an Arrow null: ''
      expect([...g.columns['note']!.codes]).toEqual([0, 1, 2]);
      expect(g.columns['user']!.values).toEqual(['ann', 'ben']);
      expect([...g.columns['user']!.codes]).toEqual([0, 1, 0]);
    }
    // The default names are then missing.
    const e = await rejects(readGrants(write('g.csv', text)));
    expect(e.message).toContain("missing columns 'identity', 'entitlement'; columns found: 'app', 'user', 'perm', 'note'");
  });

  it('the HP healthcare pair list: 46 identities, 46 entitlements, 1,486 rows', async () => {
    const g = await readGrants(fileURLToPath(new URL('../../shared/datasets/hp/healthcare.txt', import.meta.url)));
    expect(g.format).toBe('pairs');
    expect([g.identities.length, g.entitlements.length, g.rows]).toEqual([46, 46, 1486]);
    expect(g.identities).toEqual([...g.identities].sort((a, b) => Number(a) - Number(b))); // numbers as numbers
    expect(g.identities.every((n) => /^[0-9]+$/.test(n))).toBe(true);
  });
});

describe('canonical order', () => {
  it('whole numbers first, as numbers (leading zeros by value, then as text), then the rest by code unit', async () => {
    const { compareNames } = await import('../src/util/names.js');
    const names = ['b', '10', 'A', '9', '010', '2', '1a', '', '00', '0', 'a10', 'a9', '99999999999999999999'];
    expect([...names].sort(compareNames)).toEqual(['0', '00', '2', '9', '010', '10', '99999999999999999999', '', '1a', 'A', 'a10', 'a9', 'b']);
  });

  it('isCanonical holds exactly for distinct names in canonical order (against sorting and comparing)', async () => {
    const { compareNames, isCanonical } = await import('../src/util/names.js');
    const { rng } = await import('./support/reference.js');
    const next = rng(16);
    const pool = ['0', '00', '2', '9', '010', '10', '', '1a', 'A', 'a10', 'a9', 'b', 'u001', 'u01'];
    let held = 0;
    for (let c = 0; c < 2000; c++) {
      const n = Math.floor(next() * 6);
      const names = Array.from({ length: n }, () => pool[Math.floor(next() * pool.length)]!);
      if (c % 2 === 0) names.sort(compareNames); // half of them sorted, some with repeats
      const expected = names.every((x, i) => i === 0 || compareNames(names[i - 1]!, x) < 0);
      expect(isCanonical(names)).toBe(expected);
      if (expected) held++;
    }
    expect(held).toBeGreaterThan(300); // both answers are exercised
    expect(isCanonical(['9', '10'])).toBe(true);
    expect(isCanonical(['10', '9'])).toBe(false); // ascending by `<`, not canonical
    expect(isCanonical(['a', 'a'])).toBe(false);
  });
});

describe('Arrow details', () => {
  it('a stream whose second batch replaces the dictionary', async () => {
    const dict = (id: number) => new Dictionary(new Utf8(), new Int32(), id);
    const t1 = new Table({ identity: vectorFromArray(['x', 'y', 'x'], dict(0)), entitlement: vectorFromArray(['p', 'q', 'q'], dict(1)) });
    const t2 = new Table({ identity: vectorFromArray(['z', 'x'], dict(0)), entitlement: vectorFromArray(['r', 'p'], dict(1)) });
    const bytes = tableToIPC(new Table([...t1.batches, ...t2.batches]), 'stream');
    // The fixture really carries two different dictionaries for the identity column.
    const seen: Vector[] = [];
    for (const batch of RecordBatchReader.from(bytes) as Iterable<RecordBatch>) seen.push(batch.data.children[0]!.dictionary!);
    expect(seen.map((d) => d.toArray())).toEqual([['x', 'y'], ['z', 'x']]);
    const g = await readGrants(write('multi.arrows', bytes));
    expect(plain(g)).toEqual({ identities: ['x', 'y', 'z'], entitlements: ['p', 'q', 'r'], identity: [0, 1, 0, 2, 0], entitlement: [0, 1, 1, 2, 0], rows: 5 });
  });

  it('a delta dictionary (the second batch extends the first dictionary)', async () => {
    const type = new Dictionary(new Utf8(), new Uint16(), 0);
    const base = vectorFromArray(['a', 'b'], new Utf8());
    const extended = base.concat(vectorFromArray(['c'], new Utf8()));
    const batch = (idx: number[], d: Vector) => makeVector(makeData({ type, length: idx.length, nullCount: 0, data: new Uint16Array(idx), dictionary: d }));
    const ent = (n: number) => vectorFromArray(Array(n).fill('e'), new Utf8());
    const t = new Table([
      new Table({ identity: batch([1, 0], base), entitlement: ent(2) }).batches[0]!,
      new Table({ identity: batch([2, 1], extended), entitlement: ent(2) }).batches[0]!,
    ]);
    const g = await readGrants(write('delta.arrows', tableToIPC(t, 'stream')));
    expect(plain(g)).toEqual({ identities: ['a', 'b', 'c'], entitlements: ['e'], identity: [1, 0, 2, 1], entitlement: [0, 0, 0, 0], rows: 4 });
  });

  it('an Arrow file whose embedded stream starts with the schema (as Arrow C++ writes it) is streamed, never reading the footer', async () => {
    const stream = tableToIPC(arrowTable(NAMED, 'dict'), 'stream');
    const magic = enc.encode('ARROW1');
    const junkFooter = new Uint8Array(24).fill(0xab);
    const bytes = new Uint8Array([...magic, 0, 0, ...stream, ...junkFooter, 24, 0, 0, 0, ...magic]);
    expect(plain(await readGrants(write('g.arrow', bytes)))).toEqual(NAMED_EXPECTED);
    // Both file layouts, and a stream, in small chunks.
    for (const b of [bytes, tableToIPC(arrowTable(NAMED, 'dict'), 'file'), stream]) {
      expect(plain(await readGrantsFromChunks(chunked(b, () => 7), 'g.arrow'))).toEqual(NAMED_EXPECTED);
    }
  });

  it('dictionary values no row uses do not become names', async () => {
    const type = new Dictionary(new Utf8(), new Int32(), 0);
    const d = vectorFromArray(['unused', 'u1', 'u2'], new Utf8());
    const id = makeVector(makeData({ type, length: 2, nullCount: 0, data: new Int32Array([2, 1]), dictionary: d }));
    const g = await readGrants(write('g.arrow', tableToIPC(new Table({ identity: id, entitlement: vectorFromArray(['e', 'f'], new Utf8()) }), 'file')));
    expect(g.identities).toEqual(['u1', 'u2']);
    expect([...g.identity]).toEqual([1, 0]);
  });
});

describe('streaming', () => {
  const tricky: Pair[] = [
    ['Doe, Jane', 'say "hi"'], ['line\nbreak', 'crlf\r\nvalue'], ['a""b', '"'], ['Zoë Ångström', '李雷'], ['🔑 vault', 'x'], ['plain', ','],
  ];

  it('any chunking of CSV and pair-list bytes gives the same result (records, quotes, CRLF and BOM split anywhere)', async () => {
    const texts: [string, string][] = [
      ['g.csv', '\uFEFF' + csv(tricky).replaceAll('\n', '\r\n')],
      ['g.csv', csv(tricky)],
      ['g.txt', '\uFEFF 1 2\r\n\r\n10 2\n 3   4 \n'],
    ];
    for (const [name, text] of texts) {
      const bytes = enc.encode(text);
      const whole = plain(await readGrantsFromChunks(chunked(bytes, () => bytes.length), name));
      for (const size of [1, 2, 3, 5, 7]) {
        expect(plain(await readGrantsFromChunks(chunked(bytes, () => size), name)), `${name} in ${size}-byte chunks`).toEqual(whole);
      }
      let seed = 3;
      const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 9) + 1;
      expect(plain(await readGrantsFromChunks(chunked(bytes, random), name))).toEqual(whole);
    }
    const g = await readGrantsFromChunks(chunked(enc.encode(csv(tricky).replaceAll('\n', '\r\n')), () => 1), 'g.csv');
    expect(g.identities).toEqual(tricky.map((p) => p[0].replaceAll('\n', '\r\n')).sort());
    expect(g.entitlements).toEqual(tricky.map((p) => p[1].replaceAll('\n', '\r\n')).sort());
  });

  it('a multi-MiB CSV read from disk in 1 MiB chunks matches its rows, and reports progress', async () => {
    const rows: Pair[] = [];
    for (let i = 0; i < 60_000; i++) {
      const u = (i * 7919) % 5003;
      rows.push([u % 101 === 0 ? `Doe, "J"\nuser ${u}` : `user${u}@example.com`, `app${u % 13}:perm-${(i * 31) % 97}`]);
    }
    const file = write('big.csv', csv(rows).replaceAll('\n', '\r\n'));
    const calls: [number, number][] = [];
    const g = await readGrants(file, { onProgress: (r, t) => calls.push([r, t]) });
    expect(g.rows).toBe(rows.length);
    expect([...g.identity].map((x, i) => [g.identities[x], g.entitlements[g.entitlement[i]!]])).toEqual(
      rows.map(([a, b]) => [a.replaceAll('\n', '\r\n'), b]),
    );
    const size = enc.encode(csv(rows).replaceAll('\n', '\r\n')).length;
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.at(-1)).toEqual([size, size]);
    expect(calls.length).toBeLessThan(20);
    expect(calls.every(([r, t]) => r <= t && t === size)).toBe(true);
  });

  it('names with commas, quotes, newlines, non-ASCII, emoji and 10,000 characters round-trip in every format', async () => {
    const long = 'x'.repeat(9_999) + 'é';
    const names: Pair[] = [...tricky, [long, '=SUM(A1)'], ['\uFEFFbom-led name', ' padded ']];
    const files = [
      write('g.csv', csv(names)),
      write('g.arrow', tableToIPC(arrowTable(names, 'dict'), 'file')),
      write('g.arrows', tableToIPC(arrowTable(names, 'utf8'), 'stream')),
      write('g.parquet', parquetBytes(arrowTable(names, 'utf8'))),
    ];
    const ids = [...new Set(names.map((n) => n[0]))].sort();
    const ents = [...new Set(names.map((n) => n[1]))].sort();
    for (const file of files) {
      const g = await readGrants(file);
      expect(g.identities, file).toEqual(ids);
      expect(g.entitlements, file).toEqual(ents);
      expect([...g.identity].map((x, i) => [g.identities[x], g.entitlements[g.entitlement[i]!]]), file).toEqual(names);
    }
    expect(ids).toContain(long);
  });

  it('blank lines between records are skipped and still counted; CR-only line ends work', async () => {
    const g = await readGrants(write('g.csv', 'identity,entitlement\n\na,b\r\n\r\nc,d'));
    expect(plain(g)).toEqual({ identities: ['a', 'c'], entitlements: ['b', 'd'], identity: [0, 1], entitlement: [0, 1], rows: 2 });
    const e = await rejects(readGrants(write('g.csv', 'identity,entitlement\n\na,b\n\nc\n')));
    expect([e.line, e.message]).toEqual([5, expect.stringContaining('expected 2 fields as in the header, found 1')]);
    const cr = await readGrants(write('g.csv', 'identity,entitlement\ra,b\rc,"d\re"\r'));
    expect(cr.entitlements).toEqual(['b', 'd\re']);
  });

  it('a web ReadableStream is read too, without relying on its async iteration', async () => {
    const bytes = enc.encode(csv(NAMED));
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= bytes.length) return c.close();
        c.enqueue(bytes.slice(at, (at += 5)));
      },
    });
    Object.defineProperty(stream, Symbol.asyncIterator, { value: undefined });
    expect(plain(await readNeutral(stream, 'g.csv'))).toEqual(NAMED_EXPECTED);
  });

  it('the platform-neutral reader needs a Parquet converter; the Node one has it', async () => {
    const bytes = parquetBytes(arrowTable(NAMED, 'utf8'));
    await expect(readNeutral(chunked(bytes, () => 100), 'g.parquet')).rejects.toBeInstanceOf(UsageError);
    expect(plain(await readGrantsFromChunks(chunked(bytes, () => 100), 'g.parquet'))).toEqual(NAMED_EXPECTED);
  });
});

describe('detectFormat', () => {
  const b = (s: string) => enc.encode(s);
  it('content first, then the extension', () => {
    expect(detectFormat(b('PAR1xxxx'), 'x.csv')).toBe('parquet');
    expect(detectFormat(b('ARROW1\0\0'), 'x.csv')).toBe('arrow');
    expect(detectFormat(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0]), 'data')).toBe('arrow');
    expect(detectFormat(b('\n  \n 12   7 \n3 4\n'), 'grants')).toBe('pairs');
    expect(detectFormat(b('12\t7\r\n'), 'grants.csv')).toBe('pairs');
    expect(detectFormat(b('identity,entitlement\n'), 'G.CSV')).toBe('csv');
    expect(detectFormat(b('1 2 3\n'), 'g.csv')).toBe('csv');
    expect(detectFormat(b('whatever'), 'g.arrows')).toBe('arrow');
    expect(detectFormat(b('whatever'), 'g.feather')).toBe('arrow');
    expect(detectFormat(b('whatever'), 'g.ipc')).toBe('arrow');
    expect(detectFormat(b('whatever'), 'g.parquet')).toBe('parquet');
  });
  it('anything else is an unrecognised format, saying what was found', () => {
    const cases: [string, string, RegExp][] = [
      ['hello world\n', 'notes.txt', /found text starting 'hello world'/],
      ['1 2 3\n', 'g.txt', /found text starting '1 2 3'/],
      ['a\tb\n', 'g.tsv', /found a \.tsv file/],
      ['\u0000\u0001binary', 'blob', /found binary data starting with bytes 00 01/],
    ];
    for (const [text, name, found] of cases) {
      let err: unknown;
      try {
        detectFormat(b(text), name);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(/unrecognised format: expected CSV/);
      expect((err as InputError).message).toMatch(found);
      expect((err as InputError).file).toBe(name);
    }
  });
});

describe('bad input', () => {
  const csvError = async (text: string, name = 'bad.csv') => {
    const file = write(name, text);
    const e = await rejects(readGrants(file));
    expect(e.file).toBe(file);
    return e;
  };

  it('missing identity/entitlement column lists the columns found (CSV, Arrow, Parquet)', async () => {
    const e = await csvError('user,entitlement\na,b\n');
    expect(e.message).toBe(`${e.file}:1: missing column 'identity'; columns found: 'user', 'entitlement' (choose others with --identity-column / --entitlement-column)`);
    expect(e.line).toBe(1);
    const t = arrowTable(NAMED, 'utf8', ['who', 'entitlement']);
    for (const file of [write('g.arrow', tableToIPC(t, 'file')), write('g.parquet', parquetBytes(t))]) {
      const a = await rejects(readGrants(file));
      expect(a.message).toMatch(/missing column 'identity'; columns found: 'who', 'entitlement'/);
    }
    const k = await rejects(readGrants(write('g.csv', 'identity,entitlement\na,b\n'), { keep: ['dept'] }));
    expect(k.message).toMatch(/missing column 'dept'; columns found: 'identity', 'entitlement'$/);
  });

  it('empty file, header only, and a table without rows', async () => {
    for (const name of ['empty.csv', 'empty.txt', 'empty.arrow', 'empty']) {
      expect((await csvError('', name)).message).toMatch(/empty file: expected a header row and grants, found 0 bytes/);
    }
    expect((await csvError('\uFEFF\n\n', 'blank.csv')).message).toMatch(/empty file/);
    expect((await csvError('identity,entitlement\n')).message).toMatch(/no grants: the file has a header but no data rows/);
    expect((await csvError('identity,entitlement\n\n\n')).message).toMatch(/no grants/);
    expect((await csvError('\n \n', 'g.txt')).message).toMatch(/unrecognised format|no grants/);
    const none = arrowTable([], 'utf8');
    expect((await rejects(readGrants(write('none.arrows', tableToIPC(none, 'stream'))))).message).toMatch(/no grants/);
    expect((await rejects(readGrants(write('none.parquet', parquetBytes(none))))).message).toMatch(/no grants/);
  });

  it('unbalanced quote names the line where the quoted field starts', async () => {
    let e = await csvError('identity,entitlement\na,b\nc,"never\nclosed\n');
    expect([e.line, e.column]).toEqual([3, '2']);
    expect(e.message).toMatch(/bad\.csv:3 \(column 2\): unbalanced quote/);
    e = await csvError('identity,entitlement\r\n"multi\r\nline",b\r\n"x,y\r\nz,w\r\n');
    expect([e.line, e.column]).toEqual([4, '1']);
  });

  it('stray quotes and text after a closing quote', async () => {
    let e = await csvError('identity,entitlement\na,b\nc,d"e\n');
    expect([e.line, e.column]).toEqual([3, '2']);
    expect(e.message).toMatch(/unexpected quote inside an unquoted field/);
    e = await csvError('identity,entitlement\n"a\nb"x,c\n');
    expect([e.line, e.column]).toEqual([3, '1']);
    expect(e.message).toMatch(/expected a comma or the end of the line after a closing quote, found 'x'/);
  });

  it('wrong field count names the line, expected and found', async () => {
    let e = await csvError('identity,entitlement\na,b\nc,d,e\n');
    expect(e.message).toBe(`${e.file}:3: expected 2 fields as in the header, found 3`);
    e = await csvError('identity,entitlement,x\n"a\nb",c,d\ne\n');
    expect([e.line, e.message]).toEqual([4, `${e.file}:4: expected 3 fields as in the header, found 1`]);
    e = await csvError('identity,entitlement\na,b\nc,d,'); // a trailing comma is one more (empty) field
    expect([e.line, e.message]).toEqual([3, `${e.file}:3: expected 2 fields as in the header, found 3`]);
  });

  it('empty identity or entitlement names the line and the column', async () => {
    let e = await csvError('identity,entitlement\na,b\n,d\n');
    expect([e.line, e.column]).toEqual([3, 'identity']);
    expect(e.message).toMatch(/:3 \(column identity\): empty identity/);
    e = await csvError('identity,entitlement\n"multi\nline",\n');
    expect([e.line, e.column]).toEqual([2, 'entitlement']);
    e = await csvError('who,what\na,b\nc,""\n');
    expect(e.message).toMatch(/missing column/);
    e = await rejects(readGrants(write('g.csv', 'who,what\na,b\nc,""\n'), { identityColumn: 'who', entitlementColumn: 'what' }));
    expect([e.line, e.column]).toEqual([3, 'what']);
  });

  it('invalid UTF-8 names the line and column', async () => {
    const bytes = new Uint8Array([...enc.encode('identity,entitlement\na,b\n\nc,'), 0xff, 0xfe, 0x0a]);
    const e = await rejects(readGrants(write('g.csv', bytes)));
    expect([e.line, e.column]).toEqual([4, 'entitlement']);
    expect(e.message).toMatch(/not valid UTF-8/);
  });

  it('nulls and empty strings in Arrow and Parquet name the row and column', async () => {
    const withNull = new Table({ identity: vectorFromArray(['a', null, 'c'], new Utf8()), entitlement: vectorFromArray(['x', 'y', 'z'], new Utf8()) });
    const withEmpty = new Table({ identity: vectorFromArray(['a', 'b', 'c'], new Utf8()), entitlement: vectorFromArray(['x', 'y', ''], new Utf8()) });
    const dictEmpty = new Table({
      identity: vectorFromArray(['a', 'b', 'c', 'd'], new Utf8()),
      entitlement: vectorFromArray(['x', 'y', 'x', ''], new Dictionary(new Utf8(), new Int32())),
    });
    const intNull = new Table({ identity: vectorFromArray([1, 2, null], new Int32()), entitlement: vectorFromArray(['x', 'y', 'z'], new Utf8()) });
    const cases: [Table, string, number, string][] = [
      [withNull, 'null identity at row 2', 2, 'identity'],
      [withEmpty, 'empty entitlement at row 3', 3, 'entitlement'],
      [dictEmpty, 'empty entitlement at row 4', 4, 'entitlement'],
      [intNull, 'null identity at row 3', 3, 'identity'],
    ];
    for (const [t, message, row, column] of cases) {
      for (const file of [write('g.arrow', tableToIPC(t, 'file')), write('g.arrows', tableToIPC(t, 'stream')), write('g.parquet', parquetBytes(t))]) {
        const e = await rejects(readGrants(file));
        expect(e.message, file).toContain(message);
        expect([e.line, e.column], file).toEqual([row, column]);
      }
    }
  });

  it('unsupported column types and corrupt Arrow/Parquet bytes', async () => {
    const floats = new Table({ identity: makeVector(new Float64Array([1.5])), entitlement: vectorFromArray(['x'], new Utf8()) });
    const e = await rejects(readGrants(write('g.arrow', tableToIPC(floats, 'file'))));
    expect(e.message).toMatch(/unsupported column type Float64: expected strings/);
    expect(e.column).toBe('identity');
    expect((await rejects(readGrants(write('g.arrow', 'ARROW1\0\0garbage garbage garbage')))).message).toMatch(/not a readable Arrow IPC file/);
    expect((await rejects(readGrants(write('g.parquet', 'PAR1 not really parquet')))).message).toMatch(/not a readable Parquet file/);
  });

  it('a pair-list line that is not two integers names its line', async () => {
    let e = await csvError('1 2\n3 4\n5 x\n', 'bad.txt');
    expect(e.message).toBe(`${e.file}:3: expected two whitespace-separated integers (identity entitlement), found '5 x'`);
    e = await csvError('1 2\n\n   \n3\n', 'bad.txt');
    expect(e.line).toBe(4);
    e = await csvError('1 2\n3 4 5', 'pairs');
    expect(e.line).toBe(2);
  });

  it('unreadable files carry the OS reason', async () => {
    const missing = join(dir, 'nope.csv');
    const e = await rejects(readGrants(missing));
    expect(e.message).toBe(`${missing}: cannot read the file: no such file (ENOENT)`);
    expect((await rejects(readGrants(dir))).message).toMatch(/cannot read the file: it is a directory \(EISDIR\)/);
    if (process.getuid?.() !== 0) {
      const f = write('locked.csv', 'identity,entitlement\na,b\n');
      chmodSync(f, 0);
      expect((await rejects(readGrants(f))).message).toMatch(/cannot read the file: permission denied \(EACCES\)/);
    }
  });

  it('an unrecognised format', async () => {
    const e = await csvError('hello world\nno commas here\n', 'blob.bin');
    expect(e.message).toMatch(/unrecognised format: .* found text starting 'hello world'/);
  });
});

describe('CSV read on worker threads', () => {
  // The workers run the built reader (a worker loads JavaScript), so this imports from dist.
  const dir = mkdtempSync(join(tmpdir(), 'rolemill-par-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rows: string[] = [];
  for (let i = 0; i < 60000; i++) {
    const id = `u${(i * 7919) % 4000}`;
    const ent = i % 97 === 0 ? `"app:x,y ""quoted"" ${i % 13}"` : `app${i % 17}:res-${(i * 31) % 211}`;
    rows.push(`${id},${ent},2026-${String(1 + (i % 12)).padStart(2, '0')}-01,${i % 5 === 0 ? '' : 'x'}`);
  }
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('gives exactly the sequential Grants for 2, 3 and 4 workers, kept columns and a BOM included', async () => {
    const { readGrants: readBuilt } = await import('../dist/ingest/index.js');
    const { readCsvParallel } = await import('../dist/ingest/parallel.js');
    for (const [name, text] of [
      ['plain.csv', ['identity,entitlement,last_used,note', ...rows].join('\n') + '\n'],
      ['bom.csv', '\uFEFFidentity,entitlement,last_used,note\n' + rows.join('\n') + '\n'],
    ] as const) {
      const path = write(name, text);
      const opts = { keepIfPresent: ['last_used', 'application'] };
      const seq = await readBuilt(path, opts);
      expect(seq.rows).toBe(rows.length);
      for (const workers of [2, 3, 4]) {
        // The parallel path itself (not a fallback), then through readGrants.
        expect(await readCsvParallel(path, opts, workers), `${name} x${workers}`).toEqual(seq);
        expect(await readBuilt(path, { ...opts, workers }), `${name} x${workers}`).toEqual(seq);
      }
    }
  });

  it('an error anywhere is the sequential error, with its exact line', async () => {
    const { readGrants: readBuilt } = await import('../dist/ingest/index.js');
    const bad = [...rows];
    bad[50000] = 'u1,'; // an empty entitlement, late in the file
    const path = write('bad.csv', ['identity,entitlement,last_used,note', ...bad].join('\n') + '\n');
    const seq = await readBuilt(path).catch((e: Error) => e);
    const par = await readBuilt(path, { workers: 3 }).catch((e: Error) => e);
    expect(seq).toBeInstanceOf(Error);
    expect((par as Error).message).toBe((seq as Error).message);
    expect((par as Error).message).toMatch(/bad\.csv:50002/);
    // The parallel path itself declines (a part failed), so the caller reads sequentially.
    const { readCsvParallel } = await import('../dist/ingest/parallel.js');
    expect(await readCsvParallel(path, {}, 3)).toBeNull();
  });

  it('a signal stops a read with AbortError, on workers or not; aborted before, or between chunks', async () => {
    const { readGrants: readBuilt, readGrantsFromChunks: readChunksBuilt, AbortError: BuiltAbort } = await import('../dist/index.js');
    const path = write('abort.csv', ['identity,entitlement,last_used,note', ...rows].join('\n') + '\n');
    for (const workers of [1, 2]) await expect(readBuilt(path, { workers, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(BuiltAbort);
    // On workers: aborted while they parse (the threads are terminated; abort-pool.mjs checks none is left).
    const ctl = new AbortController();
    const run = readBuilt(path, { workers: 2, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 5);
    await expect(run).rejects.toBeInstanceOf(BuiltAbort);
    // Between chunks: the second chunk is never read.
    const ctl2 = new AbortController();
    const text = new TextEncoder().encode(['identity,entitlement', ...Array.from({ length: 60000 }, (_, i) => `u${i % 4000},e${i % 50}`)].join('\n') + '\n');
    let served = 0;
    async function* chunks() {
      for (let at = 0; at < text.length; at += 65536) {
        served++;
        if (served === 3) ctl2.abort();
        yield text.subarray(at, at + 65536);
      }
    }
    await expect(readChunksBuilt(chunks(), 'chunks.csv', { signal: ctl2.signal })).rejects.toBeInstanceOf(BuiltAbort);
    expect(served).toBe(3);
  });
});
