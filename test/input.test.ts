// Reading grants: every format gives the same canonical ids; bad input names file, line, column.
import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Table, Utf8, Int32, Dictionary, vectorFromArray, tableToIPC, makeVector } from 'apache-arrow';
import { readGrants, InputError, createEngine, roleObjects } from '../dist/index.js';
import { tempDir, writeAllFormats, csvText } from './support/files.js';
import { rng, shuffle } from './support/reference.js';

const PAIRS: [string, string][] = [
  ['bob', 'crm:read'], ['alice', 'crm:read'], ['alice', 'erp:post'], ['carol', 'erp:post'], ['bob', 'crm:read'], ['carol', 'vpn'],
];

async function rejects(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('formats agree', () => {
  const dir = tempDir();
  const files = writeAllFormats(dir, PAIRS);
  const pairsFile = join(dir, 'grants.txt');
  // The same grants as an integer pair list: identities and entitlements numbered by name order.
  writeFileSync(pairsFile, '  2  1\n   1 1\n 1 2\n3 2\n2 1\n3 3\n');

  it('CSV, Arrow file (dictionary), Arrow stream (utf8) and Parquet give identical Grants', async () => {
    const expected = {
      identities: ['alice', 'bob', 'carol'],
      entitlements: ['crm:read', 'erp:post', 'vpn'],
      identity: [1, 0, 0, 2, 1, 2],
      entitlement: [0, 0, 1, 1, 0, 2],
      rows: 6,
    };
    for (const [fmt, file] of Object.entries(files)) {
      const g = await readGrants(file);
      expect({ identities: g.identities, entitlements: g.entitlements, identity: [...g.identity], entitlement: [...g.entitlement], rows: g.rows }, fmt).toEqual(expected);
    }
    expect((await readGrants(files.csv)).format).toBe('csv');
    expect((await readGrants(files.arrowFile)).format).toBe('arrow');
    expect((await readGrants(files.arrowStream)).format).toBe('arrow');
    expect((await readGrants(files.parquet)).format).toBe('parquet');
  });

  it('a pair list reads names as integer text, in canonical order', async () => {
    const g = await readGrants(pairsFile);
    expect(g.format).toBe('pairs');
    expect(g.identities).toEqual(['1', '2', '3']);
    expect([...g.identity]).toEqual([1, 0, 0, 2, 1, 2]);
    expect([...g.entitlement]).toEqual([0, 0, 1, 1, 0, 2]);
  });

  it('every format mines the same model, and so does the pair list up to names', async () => {
    const engine = await createEngine();
    const shapes = [];
    for (const file of [...Object.values(files), pairsFile]) {
      const m = engine.mine(await readGrants(file));
      shapes.push(JSON.stringify([m.roles.count, [...m.roles.members], [...m.roles.entitlements], [...m.roles.memberOffsets]]));
    }
    expect(new Set(shapes).size).toBe(1);
  });

  it('shuffled rows give the same names, the same grant set and the same model', async () => {
    const rand = rng(9);
    const many: [string, string][] = [];
    for (let i = 0; i < 300; i++) many.push([`user${Math.floor(rand() * 40)}`, `app${Math.floor(rand() * 5)}:perm${Math.floor(rand() * 8)}`]);
    const d = tempDir();
    writeFileSync(join(d, 'a.csv'), csvText(many));
    writeFileSync(join(d, 'b.csv'), csvText(shuffle(many, rand)));
    const a = await readGrants(join(d, 'a.csv'));
    const b = await readGrants(join(d, 'b.csv'));
    expect(b.identities).toEqual(a.identities);
    expect(b.entitlements).toEqual(a.entitlements);
    const set = (g: typeof a) => new Set([...g.identity].map((x, i) => `${x}:${g.entitlement[i]}`));
    expect(set(b)).toEqual(set(a));
    const engine = await createEngine();
    expect(roleObjects(engine.mine(b))).toEqual(roleObjects(engine.mine(a)));
  });

  it('an Arrow stream whose second batch replaces the dictionary, and integer columns', async () => {
    const d = tempDir();
    const t1 = new Table({ identity: vectorFromArray(['x', 'y'], new Dictionary(new Utf8(), new Int32(), 0)), entitlement: vectorFromArray(['p', 'q'], new Dictionary(new Utf8(), new Int32(), 1)) });
    const t2 = new Table({ identity: vectorFromArray(['z', 'x'], new Dictionary(new Utf8(), new Int32(), 0)), entitlement: vectorFromArray(['q', 'r'], new Dictionary(new Utf8(), new Int32(), 1)) });
    // One stream, two batches, each with its own dictionary (written as replacement dictionaries).
    const both = new Table([...t1.batches, ...t2.batches]);
    writeFileSync(join(d, 'multi.arrows'), tableToIPC(both, 'stream'));
    const g = await readGrants(join(d, 'multi.arrows'));
    expect(g.identities).toEqual(['x', 'y', 'z']);
    expect(g.entitlements).toEqual(['p', 'q', 'r']);
    expect([...g.identity]).toEqual([0, 1, 2, 0]);
    expect([...g.entitlement]).toEqual([0, 1, 1, 2]);
    const ints = new Table({ identity: makeVector(new Int32Array([7, 10, 7])), entitlement: makeVector(new Int32Array([1, 1, 2])) });
    writeFileSync(join(d, 'ints.arrow'), tableToIPC(ints, 'file'));
    const gi = await readGrants(join(d, 'ints.arrow'));
    expect(gi.identities).toEqual(['10', '7']);
    expect([...gi.identity]).toEqual([1, 0, 1]);
  });

  it('the HP pair lists read with their published sizes', async () => {
    const g = await readGrants(fileURLToPath(new URL('../../shared/datasets/hp/healthcare.txt', import.meta.url)));
    expect([g.identities.length, g.entitlements.length, g.rows]).toEqual([46, 46, 1486]);
  });

  it('custom column names, and other columns listed and kept on request', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'g.csv'), 'user,app,perm\nann,crm,read\nben,erp,post\n');
    const g = await readGrants(join(d, 'g.csv'), { identityColumn: 'user', entitlementColumn: 'perm', keep: ['app'] });
    expect(g.identities).toEqual(['ann', 'ben']);
    expect(g.otherColumns).toEqual(['app']);
    expect(g.columns['app']!.values).toEqual(['crm', 'erp']);
    expect([...g.columns['app']!.codes]).toEqual([0, 1]);
  });

  it('names with commas, quotes, newlines, non-ASCII and 10,000 characters round-trip', async () => {
    const long = 'x'.repeat(10_000);
    const names: [string, string][] = [
      ['Doe, Jane', 'say "hi"'], ['line\nbreak', 'Zoë Ångström'], ['李雷', '🔑 vault'], [long, '=SUM(A1)'], ['crlf\r\nname', 'e'],
    ];
    const d = tempDir();
    const files = writeAllFormats(d, names);
    for (const file of Object.values(files)) {
      const g = await readGrants(file);
      expect(new Set(g.identities)).toEqual(new Set(names.map((n) => n[0])));
      expect(new Set(g.entitlements)).toEqual(new Set(names.map((n) => n[1])));
    }
  });
});

describe('bad input', () => {
  const d = tempDir();
  const write = (name: string, text: string) => {
    const p = join(d, name);
    writeFileSync(p, text);
    return p;
  };

  it('missing column lists the columns found', async () => {
    const f = write('missing.csv', 'user,entitlement\na,b\n');
    const e = await rejects(readGrants(f));
    expect(e.message).toBe(`${f}:1: missing column 'identity'; columns found: 'user', 'entitlement' (choose others with --identity-column / --entitlement-column)`);
    expect(e.line).toBe(1);
  });

  it('empty file and header-only file', async () => {
    expect((await rejects(readGrants(write('empty.csv', '')))).message).toMatch(/empty file/);
    expect((await rejects(readGrants(write('header.csv', 'identity,entitlement\n')))).message).toMatch(/no grants/);
  });

  it('unbalanced quote names the line where the field starts', async () => {
    const e = await rejects(readGrants(write('quote.csv', 'identity,entitlement\na,b\nc,"never\nclosed\n')));
    expect(e.line).toBe(3);
    expect(e.column).toBe('2');
    expect(e.message).toMatch(/unbalanced quote/);
  });

  it('wrong field count names line, expected and found', async () => {
    const e = await rejects(readGrants(write('count.csv', 'identity,entitlement\na,b\nc,d,e\n')));
    expect(e.message).toMatch(/quote\.csv|count\.csv:3: expected 2 fields as in the header, found 3/);
    expect(e.line).toBe(3);
  });

  it('empty identity or entitlement names line and column', async () => {
    const e1 = await rejects(readGrants(write('eid.csv', 'identity,entitlement\na,b\n,d\n')));
    expect([e1.line, e1.column]).toEqual([3, 'identity']);
    const e2 = await rejects(readGrants(write('eent.csv', 'identity,entitlement\n"multi\nline",\n')));
    expect([e2.line, e2.column]).toEqual([2, 'entitlement']);
  });

  it('null values in Arrow name the row', async () => {
    const t = new Table({ identity: vectorFromArray(['a', null, 'c'], new Utf8()), entitlement: vectorFromArray(['x', 'y', 'z'], new Utf8()) });
    const f = join(d, 'nulls.arrow');
    writeFileSync(f, tableToIPC(t, 'file'));
    const e = await rejects(readGrants(f));
    expect(e.message).toMatch(/null identity at row 2/);
    expect(e.column).toBe('identity');
  });

  it('a malformed pair line names its line', async () => {
    const e = await rejects(readGrants(write('bad.txt', '1 2\n3 4\n5 x\n')));
    expect(e.line).toBe(3);
  });

  it('unreadable: missing file, directory, no permission, unrecognised format', async () => {
    expect((await rejects(readGrants(join(d, 'nope.csv')))).message).toMatch(/no such file/);
    const sub = join(d, 'adir');
    mkdirSync(sub);
    expect((await rejects(readGrants(sub))).message).toMatch(/directory/);
    expect((await rejects(readGrants(write('blob.bin', 'hello world\nno commas here\n')))).message).toMatch(/unrecognised format/);
    if (process.getuid?.() !== 0) {
      const f = write('locked.csv', 'identity,entitlement\na,b\n');
      chmodSync(f, 0);
      expect((await rejects(readGrants(f))).message).toMatch(/permission denied/);
    }
  });
});
