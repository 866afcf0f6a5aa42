// Input hardening: a user's bad file is always an InputError naming file, line (or Arrow row) and
// column, with one clear line of message; never a raw library or OS error, a partial read or a hang.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, openSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  Dictionary, Field, Int32, MessageReader, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableToIPC, vectorFromArray,
} from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { readGrants, readGrantsFromChunks } from '../src/ingest/index.js';
import { readIdentitiesFromText } from '../src/ingest/identities.js';
import { readIdentities } from '../src/ingest/node.js';
import { AbortError, InputError } from '../src/errors.js';
import { tempDir, fileWriter } from './support/files.js';
import { inputError } from './support/errors.js';

const dir = tempDir('rolemill-hardening-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = fileWriter(dir);


/** [message, line, column] of an InputError, for one exact comparison. */
const facts = (e: InputError) => [e.message, e.line, e.column];

const root = process.getuid?.() === 0;
const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const enc = new TextEncoder();
const ARROW1 = [...enc.encode('ARROW1')];

function namesTable(ids: string[], ents: string[], dictEnt = false): Table {
  return new Table({
    identity: vectorFromArray(ids, new Utf8()),
    entitlement: vectorFromArray(ents, dictEnt ? new Dictionary(new Utf8(), new Int32()) : new Utf8()),
  });
}

/** A table of `batches` record batches of 50 rows each (utf8 columns, so no dictionary messages). */
function batched(batches: number): Table {
  let t: Table | null = null;
  for (let b = 0; b < batches; b++) {
    const ids = Array.from({ length: 50 }, (_, i) => `u${b * 50 + i}`);
    const part = namesTable(ids, ids.map((_, i) => `e${i % 7}`));
    t = t ? t.concat(part) : part;
  }
  return t!;
}

function parquetBytes(t: Table): Uint8Array {
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(t, 'stream')));
}

/** Deterministic pseudo-random bytes. */
function noise(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

describe('1. only readable regular files are read', () => {
  const membershipOpts = { identityColumn: 'member', entitlementColumn: 'group', keepIfPresent: ['member_type'] };

  it.skipIf(!hasMkfifo)('a FIFO as grants, memberships or identities file is refused before it is opened, never blocking', async () => {
    const fifo = join(dir, 'grants.fifo');
    execFileSync('mkfifo', [fifo]);
    const expected = `${fifo}: cannot read the file: not a regular file (a FIFO)`;
    // Nothing ever writes to the FIFO: a reader that opened it would wait forever.
    const inTime = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the read blocked on the FIFO')), 10_000))]);
    try {
      expect((await inputError(inTime(readGrants(fifo)))).message).toBe(expected);
      expect((await inputError(inTime(readGrants(fifo, { workers: 2 })))).message).toBe(expected);
      expect((await inputError(inTime(readGrants(fifo, membershipOpts)))).message).toBe(expected);
      expect((await inputError(inTime(readIdentities(fifo)))).message).toBe(expected);
    } finally {
      // Should a reader be stuck opening it, a non-blocking writer releases it.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: no reader has it open, as it should be.
      }
    }
  });

  it('a socket, a character device and a directory are refused too', async () => {
    const sock = join(dir, 'grants.sock');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      expect((await inputError(readGrants(sock))).message).toBe(`${sock}: cannot read the file: not a regular file (a socket)`);
      expect((await inputError(readIdentities(sock))).message).toBe(`${sock}: cannot read the file: not a regular file (a socket)`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    if (existsSync('/dev/null')) {
      for (const read of [() => readGrants('/dev/null'), () => readGrants('/dev/null', membershipOpts), () => readIdentities('/dev/null')]) {
        expect((await inputError(read())).message).toBe('/dev/null: cannot read the file: not a regular file (a character device)');
      }
    }
    // A directory keeps the wording it always had.
    for (const read of [() => readGrants(dir), () => readGrants(dir, { workers: 2 }), () => readIdentities(dir)]) {
      expect((await inputError(read())).message).toBe(`${dir}: cannot read the file: it is a directory (EISDIR)`);
    }
  });

  // As root, chmod 000 does not deny reading, so there is nothing to observe.
  it.skipIf(root)('an unreadable file is "permission denied (EACCES)", on the parallel CSV path as well', async () => {
    // The parallel reader takes files of at least workers x 256 KiB: this one is over 512 KiB.
    const rows = Array.from({ length: 40_000 }, (_, i) => `user${i % 997},entitlement-${i % 31}`);
    const big = write('big.csv', ['identity,entitlement', ...rows].join('\n') + '\n');
    const small = write('small.csv', 'identity,entitlement\na,b\n');
    const ids = write('ids.csv', 'identity,department\na,X\n');
    for (const f of [big, small, ids]) chmodSync(f, 0);
    for (const [f, read] of [
      [big, () => readGrants(big, { workers: 2 })],
      [big, () => readGrants(big)],
      [small, () => readGrants(small, membershipOpts)],
      [ids, () => readIdentities(ids)],
    ] as const) {
      expect((await inputError(read())).message).toBe(`${f}: cannot read the file: permission denied (EACCES)`);
    }
  });

  // The same as an unprivileged user, where the suite runs as root: the built readers in a child
  // process run by `nobody` (skipped only where no such user can run the build).
  const DIST = fileURLToPath(new URL('../dist/ingest/index.js', import.meta.url));
  const asNobody = root && spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(DIST)})`]).status === 0;
  it.skipIf(!asNobody)('as nobody: an unreadable file is "permission denied (EACCES)", on the parallel CSV path as well', () => {
    chmodSync(dir, 0o755);
    const rows = Array.from({ length: 40_000 }, (_, i) => `user${i % 997},entitlement-${i % 31}`);
    const big = write('big.csv', ['identity,entitlement', ...rows].join('\n') + '\n');
    const ids = write('ids.csv', 'identity,department\na,X\n');
    for (const f of [big, ids]) chmodSync(f, 0);
    const script = `
      const m = await import(${JSON.stringify(DIST)});
      const out = [];
      for (const read of [() => m.readGrants(${JSON.stringify(big)}, { workers: 2 }), () => m.readGrants(${JSON.stringify(big)}), () => m.readIdentities(${JSON.stringify(ids)})]) {
        try { await read(); out.push('read'); } catch (e) { out.push(e.name + ': ' + e.message); }
      }
      console.log(JSON.stringify(out));`;
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual([
      `InputError: ${big}: cannot read the file: permission denied (EACCES)`,
      `InputError: ${big}: cannot read the file: permission denied (EACCES)`,
      `InputError: ${ids}: cannot read the file: permission denied (EACCES)`,
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('2. Arrow IPC cut short is "truncated", never a partial read', () => {
  const FILE_CUT = 'not a readable Arrow IPC file: truncated: it does not end with the footer and closing ARROW1 magic';

  it('a file (schema in the footer, as apache-arrow writes it) without its end', async () => {
    const full = tableToIPC(batched(3), 'file');
    const footer = new DataView(full.buffer, full.byteOffset).getInt32(full.length - 10, true);
    // The writer died before the footer (every batch and the end-of-stream marker written), in the
    // middle of a batch, and one byte before the end.
    for (const cut of [full.length - 10 - footer, Math.floor(full.length / 2), full.length - 1]) {
      const f = write('cut.arrow', full.subarray(0, cut));
      expect(facts(await inputError(readGrants(f))), `cut at ${cut}`).toEqual([`${f}: ${FILE_CUT}`, undefined, undefined]);
    }
    expect((await readGrants(write('whole.arrow', full))).rows).toBe(150);
  });

  it('a file whose embedded stream starts with the schema (as Arrow C++ writes it), cut after two of its batches', async () => {
    // Two complete batches, no end-of-stream marker, no footer: read batch by batch, this used to
    // give 100 rows as if that were the whole file.
    const two = tableToIPC(batched(2), 'stream');
    const bytes = new Uint8Array([...ARROW1, 0, 0, ...two.subarray(0, two.length - 8)]);
    const f = write('cxx.arrow', bytes);
    expect(facts(await inputError(readGrants(f)))).toEqual([`${f}: ${FILE_CUT}`, undefined, undefined]);
    // The same in small chunks (the streaming path, not the file path).
    const e = await inputError(readGrantsFromChunks((async function* () {
      for (let at = 0; at < bytes.length; at += 7) yield bytes.slice(at, at + 7);
    })(), 'cxx.arrow'));
    expect(e.message).toBe(`cxx.arrow: ${FILE_CUT}`);
  });

  it('a stream cut inside a message is truncated; one ending between messages without the end marker reads as complete', async () => {
    const full = tableToIPC(batched(3), 'stream');
    // Message lengths: schema, then three batches; the stream ends with the 8-byte end marker.
    const reader = new MessageReader(full);
    const bodies: number[] = [];
    for (let m = reader.readMessage(); m; m = reader.readMessage()) {
      bodies.push(m.bodyLength);
      reader.readMessageBody(m.bodyLength);
    }
    expect(bodies.length).toBe(4);
    const last = bodies[3]!;
    const inBody = write('body.arrows', full.subarray(0, full.length - 8 - 2));
    expect(facts(await inputError(readGrants(inBody)))).toEqual([
      `${inBody}: not a readable Arrow IPC stream: truncated: it ends inside message 4 (in its body, ${last - 2} of ${last} bytes)`,
      undefined,
      undefined,
    ]);
    const inMarker = write('marker.arrows', full.subarray(0, full.length - 4));
    expect((await inputError(readGrants(inMarker))).message).toBe(
      `${inMarker}: not a readable Arrow IPC stream: truncated: it ends inside message 5 (in its 8-byte prefix)`,
    );
    const inSchema = write('schema.arrows', full.subarray(0, 20));
    expect((await inputError(readGrants(inSchema))).message).toMatch(
      /^.*schema\.arrows: not a readable Arrow IPC stream: truncated, or not Arrow IPC data: it ends inside message 1 \(in its metadata, 12 of \d+ bytes\)$/,
    );
    // The IPC format lets a writer end a stream by closing it: without the end marker, a stream that
    // stops between two messages is complete as far as anyone can tell.
    const unmarked = write('unmarked.arrows', full.subarray(0, full.length - 8));
    expect((await readGrants(unmarked)).rows).toBe(150);
  });

  it('a Parquet file cut short is truncated too', async () => {
    const full = parquetBytes(batched(2));
    const f = write('cut.parquet', full.subarray(0, full.length - 100));
    expect(facts(await inputError(readGrants(f)))).toEqual([
      `${f}: not a readable Parquet file: truncated: it does not end with the footer and closing PAR1 magic`,
      undefined,
      undefined,
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('3. library errors while decoding become InputErrors naming the file', () => {
  it('random bytes named .parquet, .arrow or .arrows; ARROW1 followed by garbage', async () => {
    const junk = noise(5000);
    const pq = write('junk.parquet', junk);
    expect((await inputError(readGrants(pq))).message).toMatch(new RegExp(`^${pq}: not a readable Parquet file: \\S.*$`));
    for (const name of ['junk.arrow', 'junk.arrows']) {
      const f = write(name, junk);
      expect((await inputError(readGrants(f))).message).toMatch(new RegExp(`^${f}: not a readable Arrow IPC (stream|file): \\S.*$`));
    }
    const f = write('garbage.arrow', new Uint8Array([...ARROW1, 0, 0, ...junk]));
    expect((await inputError(readGrants(f))).message).toBe(
      `${f}: not a readable Arrow IPC file: truncated: it does not end with the footer and closing ARROW1 magic`,
    );
    // Garbage between a well-formed start and end: apache-arrow itself fails on it (a TypeError,
    // there), and that is wrapped with the file's name.
    const framed = write('framed.arrow', new Uint8Array([...ARROW1, 0, 0, ...junk.subarray(0, 64), 16, 0, 0, 0, ...ARROW1]));
    const e = await inputError(readGrants(framed));
    expect(e.message).toMatch(new RegExp(`^${framed}: not a readable Arrow IPC file: (?!truncated)\\S[^\\n]*$`));
    // And a Parquet converter still works afterwards.
    expect((await readGrants(write('ok.parquet', parquetBytes(batched(1))))).rows).toBe(50);
  });

  it('an aborted Arrow read is an AbortError, not a "corrupt file"', async () => {
    // Past the first 4 KiB (read before the format is known), in the middle of the batches.
    const bytes = tableToIPC(batched(20), 'stream');
    expect(bytes.length).toBeGreaterThan(12_000);
    const ctl = new AbortController();
    let served = 0;
    async function* chunks() {
      for (let at = 0; at < bytes.length; at += 500) {
        if (++served === 16) ctl.abort();
        yield bytes.slice(at, at + 500);
      }
    }
    await expect(readGrantsFromChunks(chunks(), 'g.arrows', { signal: ctl.signal })).rejects.toBeInstanceOf(AbortError);
    expect(served).toBe(16);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('4. a column name given twice', () => {
  it('is an error in a grants CSV header, naming line 1 and the column; unnamed columns may repeat', async () => {
    const f = write('dup.csv', 'identity,entitlement,identity\na,b,c\n');
    expect(facts(await inputError(readGrants(f)))).toEqual([`${f}:1: column 'identity' appears twice in the header (columns 1 and 3)`, 1, undefined]);
    // Any column, used or not, and after blank lines the header's own line.
    const g = write('dup2.csv', '\nidentity,note,entitlement,note\na,x,b,y\n');
    expect(facts(await inputError(readGrants(g)))).toEqual([`${g}:2: column 'note' appears twice in the header (columns 2 and 4)`, 2, undefined]);
    const m = write('memberships.csv', 'member,group,group\na,g,h\n');
    expect((await inputError(readGrants(m, { identityColumn: 'member', entitlementColumn: 'group' }))).message).toBe(
      `${m}:1: column 'group' appears twice in the header (columns 2 and 3)`,
    );
    const unnamed = await readGrants(write('unnamed.csv', 'identity,,entitlement,\na,,b,\n'));
    expect([unnamed.identities, unnamed.entitlements, unnamed.otherColumns]).toEqual([['a'], ['b'], ['', '']]);
  });

  it('is an error in an Arrow schema', async () => {
    const fields = [new Field('identity', new Utf8()), new Field('entitlement', new Utf8()), new Field('identity', new Utf8())];
    const cols = [['a'], ['b'], ['c']].map((v) => vectorFromArray(v, new Utf8()).data[0]!);
    const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 1, nullCount: 0, children: cols }));
    const f = write('dup.arrows', tableToIPC(new Table([batch]), 'stream'));
    expect(facts(await inputError(readGrants(f)))).toEqual([`${f}: column 'identity' appears twice in the schema (fields 1 and 3)`, undefined, undefined]);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('5. names: never empty, only whitespace, or holding a control character', () => {
  const RULE = 'names must not contain control characters other than line breaks';

  it('CSV grants: the line where the field starts, and its column', async () => {
    const cases: [string, string, number, string][] = [
      ['identity,entitlement\na,b\n"x\ty",c\n', `control character U+0009 in identity "x\\u0009y": ${RULE}`, 3, 'identity'],
      ['identity,entitlement\na,b\nc,d\u0000\n', `control character U+0000 in entitlement "d\\u0000": ${RULE}`, 3, 'entitlement'],
      ['identity,entitlement\na,b\u007f\n', `control character U+007F in entitlement "b\\u007f": ${RULE}`, 2, 'entitlement'],
      ['identity,entitlement\na,b\n   ,c\n', 'identity "   " is only whitespace: expected a name in every row', 3, 'identity'],
      ['identity,entitlement\na,b\nc," "\n', 'entitlement " " is only whitespace: expected a name in every row', 3, 'entitlement'],
      ['identity,entitlement\na,b\nc,\n', 'empty entitlement: expected a name in every row', 3, 'entitlement'],
      // The entitlement field starts on line 3, after the identity's line break.
      ['identity,entitlement\n"multi\nline",\u001b[0m\n', `control character U+001B in entitlement "\\u001b[0m": ${RULE}`, 3, 'entitlement'],
    ];
    for (const [text, message, line, column] of cases) {
      const f = write('g.csv', text);
      expect(facts(await inputError(readGrants(f))), JSON.stringify(text)).toEqual([`${f}:${line} (column ${column}): ${message}`, line, column]);
    }
    // Memberships are read as grants: member and group names are checked alike.
    const m = write('memberships.csv', 'member,group\nalice,admins\nbob,"ops\u0001"\n');
    expect(facts(await inputError(readGrants(m, { identityColumn: 'member', entitlementColumn: 'group' })))).toEqual([
      `${m}:3 (column group): control character U+0001 in entitlement "ops\\u0001": ${RULE}`,
      3,
      'group',
    ]);
    // Line breaks inside quoted names, spaces around names and a kept column's control characters are fine.
    const g = await readGrants(write('ok.csv', 'identity,entitlement,note\n"two\r\nlines", padded ,"a\tb"\n'), { keep: ['note'] });
    expect([g.identities, g.entitlements, g.columns['note']!.values]).toEqual([['two\r\nlines'], [' padded '], ['a\tb']]);
  });

  it('Arrow and Parquet: the 1-based row, and the column', async () => {
    const cases: [Table, string, number, string][] = [
      [namesTable(['a', 'b\u0000', 'c'], ['x', 'y', 'z']), `control character U+0000 in identity "b\\u0000" at row 2 (rows counted from 1): ${RULE}`, 2, 'identity'],
      [namesTable(['a', 'b', 'c'], ['x', 'x', '\t'], true), `control character U+0009 in entitlement "\\u0009" at row 3 (rows counted from 1): ${RULE}`, 3, 'entitlement'],
      [namesTable(['a', ' \u3000', 'c'], ['x', 'y', 'z']), 'identity " \u3000" is only whitespace at row 2 (rows counted from 1): expected a name in every row', 2, 'identity'],
    ];
    for (const [t, message, row, column] of cases) {
      for (const f of [write('g.arrow', tableToIPC(t, 'file')), write('g.arrows', tableToIPC(t, 'stream')), write('g.parquet', parquetBytes(t))]) {
        expect(facts(await inputError(readGrants(f))), f).toEqual([`${f}:${row} (column ${column}): ${message}`, row, column]);
      }
    }
  });

  it('identities file keys', async () => {
    const cases: [string, string, number][] = [
      ['identity,department\na,X\n"b\tc",Y\n', `control character U+0009 in identity "b\\u0009c": ${RULE}`, 3],
      ['department,identity\nX,a\nY,\u0000\n', `control character U+0000 in identity "\\u0000": ${RULE}`, 3],
      ['identity,department\n  ,X\n', 'identity "  " is only whitespace: expected a name in every row', 2],
      ['identity,department\n,X\n', 'empty identity: expected a name in every row', 2],
    ];
    for (const [text, message, line] of cases) {
      const e = await inputError(readIdentitiesFromText(text, 'ids.csv'));
      expect(facts(e), JSON.stringify(text)).toEqual([`ids.csv:${line} (column identity): ${message}`, line, 'identity']);
    }
    // Attribute values are not names: a tab or an empty value is kept.
    const t = await readIdentitiesFromText('identity,title\na,"x\ty"\nb,\n', 'ids.csv');
    expect(t.attributes[0]!.values).toEqual(['', 'x\ty']);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('6. a wide identities file', () => {
  it('100,000 columns and a few rows (about 1 MB) read in bounded memory', async () => {
    const cols = 100_000;
    const header = ['identity', ...Array.from({ length: cols }, (_, k) => `c${k}`)].join(',');
    const row = (key: string, r: number) => [key, ...Array.from({ length: cols }, (_, k) => String.fromCharCode(97 + ((k + r) % 3)))].join(',');
    const text = [header, row('alice', 0), row('bob', 1), row('carol', 2)].join('\n') + '\n';
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(text.length).toBeLessThan(1_400_000);
    const t = await readIdentities(write('wide.csv', text));
    expect(t.attributes.length).toBe(cols);
    expect(t.keys).toEqual(['alice', 'bob', 'carol']);
    expect([...t.lines]).toEqual([2, 3, 4]);
    const last = t.attributes[cols - 1]!;
    expect(last.name).toBe('c99999');
    // Column k, row r holds letter (k + r) mod 3: for k = 99999 that is a, b, c.
    expect(last.values).toEqual(['a', 'b', 'c']);
    expect([...last.codes]).toEqual([0, 1, 2]);
    expect(t.attributes[1]!.values).toEqual(['a', 'b', 'c']);
    expect([...t.attributes[1]!.codes]).toEqual([1, 2, 0]);
  });
});
