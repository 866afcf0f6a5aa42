// Corrupt Arrow IPC framing is an InputError, found before apache-arrow allocates or loops for it
// (src/ingest/ipc-input.ts): the input fuzzer's two reproducers with their exact messages, lengths
// and footers corrupted on purpose, dictionary deltas in linear time, and seeded mutations of an
// Arrow file and stream that must each end (Grants or an InputError) within a time and memory bound.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Dictionary, Int32, Message, Null, Table, Uint8, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { Footer, FileBlock } from 'apache-arrow/ipc/metadata/file';
import { BufferRegion, DictionaryBatch, FieldNode, RecordBatch } from 'apache-arrow/ipc/metadata/message';
import { readGrants, readGrantsFromChunks } from '../src/ingest/index.js';
import { runCli } from '../src/cli/run.js';
import { InputError } from '../src/errors.js';
import { arrowTable, tempDir, fileWriter } from './support/files.js';
import { rng } from './support/reference.js';
import { inputError } from './support/errors.js';

const dir = tempDir('rolemill-arrow-corrupt-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = fileWriter(dir);


const ARROW1 = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `bytes` with `del` bytes at `at` replaced by `ins`. */
function splice(bytes: Uint8Array, at: number, del: number, ins: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat([bytes.subarray(0, at), ins, bytes.subarray(at + del)]);
}

/** 300 rows, 60 identities: the stream the fuzzer's bomb was made from. */
const STREAM_PAIRS: [string, string][] = Array.from({ length: 300 }, (_, i) => [`user${i % 60}`, `app${i % 4}:ent${i % 5}`]);

/** The fuzzer's grants (test/fuzz.test.ts): 60 identities in 4 departments, 372 distinct pairs. */
function fuzzerPairs(): [string, string][] {
  const rand = rng(7);
  const pairs: [string, string][] = [];
  for (let i = 0; i < 60; i++) {
    const dept = i % 4;
    for (let k = 0; k < 5; k++) pairs.push([`user${i}`, `app${dept}:ent${k}`]);
    pairs.push([`user${i}`, 'mail:basic']);
    if (rand() < 0.2) pairs.push([`user${i}`, `app${(dept + 1) % 4}:ent${Math.floor(rand() * 5)}`]);
  }
  return [...new Map(pairs.map((p) => [`${p[0]}\u0000${p[1]}`, p])).values()];
}

/** The messages of an IPC stream (from `at`): where each starts, its decoded metadata and its body. */
function messages(bytes: Uint8Array, at = 0): { at: number; end: number; message: Message; body: Uint8Array }[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let p = at; p + 8 <= bytes.length; ) {
    const length = dv.getInt32(p + 4, true);
    if (dv.getInt32(p, true) !== -1 || length === 0) break;
    const message = Message.decode(bytes.subarray(p + 8, p + 8 + length));
    const end = p + 8 + length + message.bodyLength;
    out.push({ at: p, end, message, body: bytes.subarray(p + 8 + length, end) });
    p = end;
  }
  return out;
}

/** One framed message: continuation marker, metadata length, metadata padded to 8, body. */
function frame(header: RecordBatch | DictionaryBatch, body: Uint8Array): Uint8Array {
  const meta = Message.encode(Message.from(header, body.length));
  const padded = meta.length + ((8 - (meta.length % 8)) % 8);
  const out = new Uint8Array(8 + padded + body.length);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, -1, true);
  dv.setInt32(4, padded, true);
  out.set(meta, 8);
  out.set(body, 8 + padded);
  return out;
}

const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** `file` with its footer replaced by `edit(footer)`. */
function refooter(file: Uint8Array, edit: (f: Footer) => Footer): Uint8Array {
  const length = new DataView(file.buffer, file.byteOffset).getInt32(file.length - 10, true);
  const start = file.length - 10 - length;
  const footer = Footer.encode(edit(Footer.decode(file.subarray(start, file.length - 10))));
  const trailer = new Uint8Array(10);
  new DataView(trailer.buffer).setInt32(0, footer.length, true);
  trailer.set(ARROW1, 4);
  return concat([file.subarray(0, start), footer, trailer]);
}

describe("the input fuzzer's reproducers", () => {
  it('bomb.arrows: a stream with 300,000 x bytes inserted in its schema: the schema flatbuffer says 2 billion fields, refused at once', async () => {
    const bomb = splice(tableToIPC(arrowTable(STREAM_PAIRS, false), 'stream'), 173, 0, new TextEncoder().encode('x'.repeat(300_000)));
    expect(bomb.length).toBe(307_288);
    const f = write('bomb.arrows', bomb);
    const t = Date.now();
    const e = await inputError(readGrants(f));
    expect(e.message).toBe(
      `${f}: not a readable Arrow IPC stream: corrupt: message 1 (at byte 0): its 176-byte metadata is not a valid Arrow IPC message: ` +
        'Schema.fields[0].children says 2,021,160,960 entries of 4 bytes, more than the 8 bytes after it',
    );
    // It took more than a minute and 4.6 GB, then crashed.
    expect(Date.now() - t).toBeLessThan(5_000);
  });

  it('hang-516.arrow: a file with 5 bytes deleted from its third message: its footer block holds no record batch, refused (apache-arrow re-read it forever)', async () => {
    const full = tableToIPC(arrowTable(fuzzerPairs(), true), 'file');
    expect(full.length).toBe(4_786);
    const f = write('hang-516.arrow', splice(full, 1274, 5));
    const message =
      `${f}: not a readable Arrow IPC file: corrupt: record batch 1 (the footer's block at byte 1,264): its 184-byte metadata is not a valid Arrow IPC message: ` +
      'Message (at byte 201,326,612, 4 bytes) lies outside the 184 bytes';
    expect((await inputError(readGrants(f))).message).toBe(message);
    // The command line: exit 2 with the message, quickly.
    let err = '';
    const t = Date.now();
    const code = await runCli(['check', f], { out: () => undefined, err: (s) => void (err += s), tty: false });
    expect([code, err]).toEqual([2, `rolemill: ${message}\n`]);
    expect(Date.now() - t).toBeLessThan(5_000);
  });
});

describe('lengths in the framing that the input cannot hold', () => {
  const stream = tableToIPC(arrowTable(STREAM_PAIRS, false), 'stream');
  const [schema, batch] = messages(stream);
  const header = batch!.message.header() as RecordBatch;
  const body = batch!.body;
  const edited = (h: RecordBatch) => concat([stream.subarray(0, schema!.end), frame(h, body), EOS]);

  it('a record batch whose rows its body cannot hold', async () => {
    const rows = 2 ** 40;
    const f = write('rows.arrows', edited(new RecordBatch(rows, header.nodes.map(() => new FieldNode(rows, 0)), header.buffers, null)));
    expect((await inputError(readGrants(f))).message).toBe(
      `${f}: not a readable Arrow IPC stream: corrupt: message 2 (at byte 184), a RecordBatch: its column "identity" says 1,099,511,627,776 values of type Utf8, ` +
        'at least 4,398,046,511,104 bytes, more than its 6,872-byte body',
    );
  });

  it('a record batch with more rows than its columns have values (apache-arrow would allocate null bitmaps for them)', async () => {
    const f = write('backfill.arrows', edited(new RecordBatch(1_000_000_000, header.nodes, header.buffers, null)));
    expect((await inputError(readGrants(f))).message).toBe(
      `${f}: not a readable Arrow IPC stream: corrupt: message 2 (at byte 184), a RecordBatch: its column "identity" has 300 values for its 1,000,000,000 rows`,
    );
  });

  it('a buffer outside its body', async () => {
    const buffers = header.buffers.map((b, i) => (i === 2 ? new BufferRegion(64, 2 ** 31) : b));
    const f = write('buffer.arrows', edited(new RecordBatch(header.length, header.nodes, buffers, null)));
    expect((await inputError(readGrants(f))).message).toBe(
      `${f}: not a readable Arrow IPC stream: corrupt: message 2 (at byte 184), a RecordBatch: its buffer 3 (2,147,483,648 bytes at offset 64) does not fit in its 6,872-byte body`,
    );
  });

  it('a metadata length past the end of a file of known size is the truncation it is, said before the rest is buffered', async () => {
    const x = splice(stream, schema!.end, 0, new TextEncoder().encode('x'.repeat(300_000)));
    const f = write('long.arrows', x);
    const cut = 'not a readable Arrow IPC stream: truncated: it ends inside message 2 (in its metadata, 306,000 of 2021161080 bytes)'.replace('306,000', String(x.length - schema!.end - 4));
    expect((await inputError(readGrants(f))).message).toBe(`${f}: ${cut}`);
    // The same without the size: found at the end.
    expect((await inputError(readGrantsFromChunks((async function* () {
      yield x;
    })(), 'long.arrows'))).message).toBe(`long.arrows: ${cut}`);
  });

  it('a dictionary of values that take no bytes, longer than the input', async () => {
    // A kept column of nulls, dictionary-encoded: its dictionary batch says 30 million entries
    // (apache-arrow allocates a cache array per entry: 240 MB).
    const t = new Table({
      identity: vectorFromArray(STREAM_PAIRS.map((p) => p[0]), new Utf8()),
      entitlement: vectorFromArray(STREAM_PAIRS.map((p) => p[1]), new Utf8()),
      nothing: vectorFromArray(STREAM_PAIRS.map(() => null), new Dictionary(new Null(), new Uint8(), 9)),
    });
    const bytes = tableToIPC(t, 'stream');
    const [s, d] = messages(bytes);
    const dict = d!.message.header() as DictionaryBatch;
    const n = 30_000_000;
    const huge = new DictionaryBatch(new RecordBatch(n, [new FieldNode(n, n)], dict.data.buffers, null), dict.id, false);
    const f = write('nulls.arrows', concat([bytes.subarray(0, s!.end), frame(huge, d!.body), bytes.subarray(d!.end)]));
    expect((await inputError(readGrants(f, { keep: ['nothing'] }))).message).toBe(
      `${f}: not a readable Arrow IPC stream: corrupt: message 2 (at byte ${s!.end}), a DictionaryBatch: its dictionary 9 (of column "nothing") says 30,000,000 entries of type Null, ` +
        `which take no bytes: more than the input's ${(bytes.length - d!.end + d!.at + frame(huge, d!.body).length).toLocaleString('en-US')} bytes, which no writer would write`,
    );
  });

  it('a flatbuffer that refers to one piece many times over (decoded that many times)', async () => {
    // A Message whose custom_metadata is 10,000 references to one key-value of 1,000-byte strings:
    // 20 MB of strings from 42 KB. Written by hand: root, vtables, the table, the vector, the pair.
    const n = 10_000;
    const text = 1000;
    const K = 32 + 4 * n; // the KeyValue table
    const S = K + 20; // its strings
    const meta = new Uint8Array(S + 2 * (4 + text));
    const dv = new DataView(meta.buffer);
    dv.setUint32(0, 20, true); // root: the Message table at 20
    [14, 8, 0, 0, 0, 0, 4].forEach((v, i) => dv.setUint16(4 + 2 * i, v, true)); // its vtable at 4: custom_metadata at +4
    dv.setInt32(20, 16, true); // the table's vtable: 20 - 16
    dv.setUint32(24, 4, true); // custom_metadata: the vector at 28
    dv.setUint32(28, n, true);
    for (let i = 0; i < n; i++) dv.setUint32(32 + 4 * i, K - (32 + 4 * i), true);
    dv.setInt32(K, -12, true); // the KeyValue's vtable after it, at K + 12
    dv.setUint32(K + 4, S - (K + 4), true);
    dv.setUint32(K + 8, S + 4 + text - (K + 8), true);
    [8, 12, 4, 8].forEach((v, i) => dv.setUint16(K + 12 + 2 * i, v, true));
    for (const at of [S, S + 4 + text]) {
      dv.setUint32(at, text, true);
      meta.fill(0x61, at + 4, at + 4 + text);
    }
    const prefix = new Uint8Array(8);
    new DataView(prefix.buffer).setInt32(0, -1, true);
    new DataView(prefix.buffer).setInt32(4, meta.length, true);
    const f = write('shared.arrows', concat([prefix, meta, EOS]));
    expect((await inputError(readGrants(f))).message).toBe(
      `${f}: not a readable Arrow IPC stream: corrupt: message 1 (at byte 0): its ${meta.length.toLocaleString('en-US')}-byte metadata is not a valid Arrow IPC message: ` +
        `at Message.custom_metadata[21].value, the tables, vectors and strings read (each time they are referred to) add up to more than twice its ${meta.length.toLocaleString('en-US')} bytes`,
    );
  });
});

describe('file footers', () => {
  const file = tableToIPC(arrowTable(fuzzerPairs(), true), 'file');
  const [dict0, dict1, batch] = messages(file, 8);
  const block = (m: typeof dict0) => new FileBlock(m!.end - m!.at - m!.body.length, m!.body.length, m!.at);
  const footerStart = file.length - 10 - new DataView(file.buffer, file.byteOffset).getInt32(file.length - 10, true);

  it('the same record batch block twice (each batch would be read again) is refused', async () => {
    const f = write('twice.arrow', refooter(file, (ft) => new Footer(ft.schema, ft.version, [block(batch), block(batch)], [block(dict0), block(dict1)])));
    expect((await inputError(readGrants(f))).message).toBe(
      `${f}: not a readable Arrow IPC file: corrupt: record batch 2 (the footer's block at byte 1,264) overlaps record batch 1 (the footer's block at byte 1,264)`,
    );
  });

  it('a record batch block holding a dictionary batch (apache-arrow read it again and again) is refused', async () => {
    const f = write('kind.arrow', refooter(file, (ft) => new Footer(ft.schema, ft.version, [block(dict0)], [])));
    expect((await inputError(readGrants(f))).message).toBe(
      `${f}: not a readable Arrow IPC file: corrupt: record batch 1 (the footer's block at byte 8) holds a DictionaryBatch message, not a RecordBatch`,
    );
  });

  it('a block in the footer, or past it', async () => {
    const f = write('past.arrow', refooter(file, (ft) => new Footer(ft.schema, ft.version, [new FileBlock(192, 280, footerStart)], [block(dict0), block(dict1)])));
    expect((await inputError(readGrants(f))).message).toBe(
      `${f}: not a readable Arrow IPC file: corrupt: record batch 1 (the footer's block at byte ${footerStart.toLocaleString('en-US')}): its 192-byte metadata and 280-byte body ` +
        `do not fit between the file's leading magic and its footer (bytes 8 to ${footerStart.toLocaleString('en-US')})`,
    );
  });

  it('an intact file still reads, and so does the same footer rewritten', async () => {
    expect((await readGrants(write('ok.arrow', file))).rows).toBe(372);
    expect((await readGrants(write('same.arrow', refooter(file, (ft) => new Footer(ft.schema, ft.version, [block(batch)], [block(dict0), block(dict1)]))))).rows).toBe(372);
  });
});

describe('dictionary deltas', () => {
  it('10,000 one-entry deltas read in linear time, with the right names (apache-arrow alone: quadratic, minutes)', async () => {
    const n = 10_000;
    const type = () => new Dictionary(new Utf8(), new Int32(), 0);
    const table = (indices: number[], values: string[]) =>
      new Table({
        identity: makeVector({ type: type(), data: Int32Array.from(indices), dictionary: vectorFromArray(values, new Utf8()) }),
        entitlement: vectorFromArray(indices.map((i) => `e${i % 3}`), new Utf8()),
      });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const bytes = tableToIPC(table([0], [`v${i}`]), 'stream');
      const [s, d] = messages(bytes);
      if (i === 0) parts.push(bytes.subarray(0, s!.end));
      const h = d!.message.header() as DictionaryBatch;
      parts.push(frame(new DictionaryBatch(h.data, h.id, i > 0), d!.body));
    }
    const used = [n - 1, 0, 4_999, n - 1, 17];
    const last = tableToIPC(table(used, Array.from({ length: n }, (_, i) => `v${i}`)), 'stream');
    const ms = messages(last);
    parts.push(last.subarray(ms.at(-1)!.at, ms.at(-1)!.end), EOS);
    const t = Date.now();
    const g = await readGrants(write('deltas.arrows', concat(parts)));
    expect(Date.now() - t).toBeLessThan(15_000);
    expect([...g.identity].map((id) => g.identities[id])).toEqual(used.map((i) => `v${i}`));
  });
});

describe('seeded mutations of an Arrow file and an Arrow stream', () => {
  it('each ends in Grants or an InputError naming the input, in bounded time and memory', async () => {
    const bases: Record<string, Uint8Array> = {
      'f.arrow': tableToIPC(arrowTable(fuzzerPairs(), true), 'file'),
      's.arrows': tableToIPC(arrowTable(STREAM_PAIRS, false), 'stream'),
    };
    const rand = rng(20261202);
    const int = (n: number) => Math.floor(rand() * n);
    const cases: { name: string; base: string; bytes: Uint8Array }[] = [];
    for (const [base, bytes] of Object.entries(bases)) {
      // Cut at every offset of the first and last 48 bytes, and at every 41st in between.
      for (let at = 0; at < bytes.length; at += at < 48 || at >= bytes.length - 48 ? 1 : 41) cases.push({ name: `cut at ${at}`, base, bytes: bytes.slice(0, at) });
      for (let k = 0; k < 150; k++) {
        const at = int(bytes.length);
        const kind = int(5);
        if (kind === 0) {
          const b = bytes.slice();
          b[at]! ^= 1 << int(8);
          cases.push({ name: `bit flipped at ${at}`, base, bytes: b });
        } else if (kind === 1) {
          const n = 1 + int(16);
          cases.push({ name: `${n} bytes deleted at ${at}`, base, bytes: splice(bytes, at, n) });
        } else if (kind === 2 || kind === 3) {
          const n = [1, 4, 7, 64, 3_000, 300_000][int(6)]!;
          const v = kind === 2 ? 0xff : 0x78;
          cases.push({ name: `${n} bytes 0x${v.toString(16)} inserted at ${at}`, base, bytes: splice(bytes, at, 0, new Uint8Array(n).fill(v)) });
        } else {
          // A length-sized word overwritten with a large value.
          const b = bytes.slice();
          const dv = new DataView(b.buffer);
          const wide = rand() < 0.5 && (at & ~7) + 8 <= b.length;
          const v = [0x7fffffff, 0x78787878, -1, 1 << 20][int(4)]!;
          if (wide) dv.setBigInt64(at & ~7, BigInt(v) * 4096n, true);
          else if ((at & ~3) + 4 <= b.length) dv.setInt32(at & ~3, v, true);
          cases.push({ name: `${wide ? 'int64' : 'int32'} ${v} written at ${at & ~3}`, base, bytes: b });
        }
      }
    }
    const t0 = Date.now();
    let maxRss = 0;
    let worst = [0, ''] as [number, string];
    const failures: string[] = [];
    const outcomes = { grants: 0, inputError: 0 };
    for (const [k, c] of cases.entries()) {
      const t = Date.now();
      const chunk = [1 << 20, 4096, 7][k % 3]!;
      const chunks = async function* () {
        for (let at = 0; at < c.bytes.length; at += chunk) yield c.bytes.slice(at, at + chunk);
      };
      try {
        const g = await readGrantsFromChunks(chunks(), c.base, k % 2 ? { sizeHint: c.bytes.length } : {});
        outcomes.grants++;
        // A cut file is always "truncated": its end is missing.
        if (c.base.endsWith('.arrow') && c.name.startsWith('cut') && c.bytes.length < bases[c.base]!.length) failures.push(`${c.base}, ${c.name}: read as ${g.rows} rows`);
      } catch (e) {
        if (!(e instanceof InputError) || e.file !== c.base) failures.push(`${c.base}, ${c.name}: ${String(e)}`);
        else outcomes.inputError++;
      }
      const dt = Date.now() - t;
      if (dt > worst[0]) worst = [dt, `${c.base}, ${c.name}`];
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      if (process.memoryUsage().rss > 1.5 * 2 ** 30) failures.push(`${c.base}, ${c.name}: ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB resident afterwards`);
    }
    const total = Date.now() - t0;
    const summary = `${cases.length} cases in ${total} ms (slowest ${worst[0]} ms: ${worst[1]}), at most ${Math.round(maxRss / 2 ** 20)} MiB resident; ${outcomes.grants} read, ${outcomes.inputError} InputErrors`;
    expect(failures, summary).toEqual([]);
    expect(total, summary).toBeLessThan(20_000);
    expect(cases.length).toBeGreaterThan(600);
  }, 60_000);
});
