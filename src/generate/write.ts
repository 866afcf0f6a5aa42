/**
 * Writes a generated Enterprise to a directory: the observed grants (CSV and Arrow IPC file) and
 * identities at the top level, the planted truth under `truth/`.
 *
 * Contracts:
 * - Output depends only on the Enterprise: same Enterprise -> byte-identical files (no timestamps,
 *   fixed Arrow dictionary ids).
 * - CSV: a header row, `\n` line ends, fields quoted per RFC 4180 only when they hold `"`, `,`, CR
 *   or LF (generated names never do; hand-built Enterprises may). No formula neutralisation: these
 *   are inputs for rolemill, whose readers take names verbatim.
 * - grants.csv / grants.arrow rows are `e.grants` in order (a seeded shuffle, not sorted).
 * - Memory stays flat: rows are rendered into 1 MiB byte chunks from typed arrays (no per-grant
 *   strings or objects) and streamed through `pipeline`, which waits for `drain` (backpressure).
 *   The Arrow file is written one record batch (1 Mi rows) at a time; both dictionary columns keep
 *   one dictionary Vector for the whole file, so it is written once, before the first batch.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeOutput } from '../output/dest.js';
import { pipeline } from 'node:stream/promises';
import {
  AsyncByteQueue, Dictionary, Field, Int32, RecordBatch, RecordBatchFileWriter, Schema, Struct, Utf8, makeData, makeVector,
  type Vector,
} from 'apache-arrow';
import type { Enterprise } from '../generate.js';

const CHUNK = 1 << 20;
const ARROW_BATCH_ROWS = 1 << 20;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field per RFC 4180: quoted, with doubled quotes, only when needed. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? '"' + value.replaceAll('"', '""') + '"' : value;
}

/** Names as UTF-8 bytes back to back: name k is bytes[off[k] .. off[k + 1]). */
export interface NameBytes {
  bytes: Buffer;
  off: Int32Array;
  /** Longest entry in bytes. */
  max: number;
}

export function encodeNames(names: readonly string[], asCsv: boolean): NameBytes {
  const fields = asCsv ? names.map(csvField) : names;
  let cap = 0;
  for (const f of fields) cap += f.length * 3; // UTF-16 unit -> at most 3 UTF-8 bytes
  const bytes = Buffer.allocUnsafe(cap);
  const off = new Int32Array(fields.length + 1);
  let pos = 0;
  let max = 0;
  for (let k = 0; k < fields.length; k++) {
    const n = bytes.write(fields[k]!, pos, 'utf8');
    pos += n;
    off[k + 1] = pos;
    if (n > max) max = n;
  }
  return { bytes: bytes.subarray(0, pos), off, max };
}

/** CSV of two name columns given as index arrays into two name tables, in 1 MiB chunks. */
function* pairCsv(header: string, left: NameBytes, right: NameBytes, li: ArrayLike<number>, ri: ArrayLike<number>): Generator<Uint8Array> {
  const size = Math.max(CHUNK, left.max + right.max + 2, header.length * 3 + 1);
  let buf = Buffer.allocUnsafe(size);
  let pos = buf.write(header + '\n', 0, 'utf8');
  const lb = left.bytes;
  const lo = left.off;
  const rb = right.bytes;
  const ro = right.off;
  const limit = size - (left.max + right.max + 2);
  for (let r = 0; r < li.length; r++) {
    if (pos > limit) {
      yield buf.subarray(0, pos);
      buf = Buffer.allocUnsafe(size); // the stream may still hold the previous chunk
      pos = 0;
    }
    const a = li[r]!;
    for (let s = lo[a]!, t = lo[a + 1]!; s < t; s++) buf[pos++] = lb[s]!;
    buf[pos++] = 44; // ,
    const b = ri[r]!;
    for (let s = ro[b]!, t = ro[b + 1]!; s < t; s++) buf[pos++] = rb[s]!;
    buf[pos++] = 10; // \n
  }
  if (pos > 0) yield buf.subarray(0, pos);
}

/** CSV of arbitrary string rows (small tables), in ~1 MiB chunks. */
export function* textCsv(header: readonly string[], rows: Iterable<readonly string[]>): Generator<Uint8Array> {
  let s = header.map(csvField).join(',') + '\n';
  for (const row of rows) {
    s += row.map(csvField).join(',') + '\n';
    if (s.length >= CHUNK) {
      yield Buffer.from(s, 'utf8');
      s = '';
    }
  }
  if (s.length > 0) yield Buffer.from(s, 'utf8');
}

/**
 * Sink for RecordBatchFileWriter that just collects the bytes the writer emits, so they can be
 * drained after each batch and streamed with backpressure (the writer itself writes synchronously
 * into an unbounded queue).
 */
class ChunkSink extends AsyncByteQueue {
  private chunks: Uint8Array[] = [];
  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    const v = value as ArrayBufferView;
    if (v.byteLength > 0) this.chunks.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  take(): Uint8Array[] {
    const out = this.chunks;
    this.chunks = [];
    return out;
  }
}

function utf8Vector(names: NameBytes): Vector<Utf8> {
  const n = names.off.length - 1;
  return makeVector(makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: names.off, data: names.bytes }));
}

/** Arrow IPC file: identity, entitlement as Dictionary<Utf8, Int32>, one batch per 1 Mi rows. */
function* grantsArrow(e: Enterprise, ids: NameBytes, ents: NameBytes): Generator<Uint8Array> {
  // Explicit dictionary ids: the default ones come from a process-wide counter, which would make two
  // writes of the same Enterprise differ.
  const idType = new Dictionary(new Utf8(), new Int32(), 0);
  const entType = new Dictionary(new Utf8(), new Int32(), 1);
  const idDict = utf8Vector(ids);
  const entDict = utf8Vector(ents);
  const schema = new Schema([new Field('identity', idType, false), new Field('entitlement', entType, false)]);
  const sink = new ChunkSink();
  const writer = new RecordBatchFileWriter();
  writer.reset(sink);
  const { identity, entitlement } = e.grants;
  const G = identity.length;
  // Indices are < 2^31, so the Uint32 grant arrays are viewed as Int32 without copying.
  for (let a = 0; a < G || a === 0; a += ARROW_BATCH_ROWS) {
    const n = Math.min(ARROW_BATCH_ROWS, G - a);
    const ii = new Int32Array(identity.buffer, identity.byteOffset + a * 4, n);
    const ee = new Int32Array(entitlement.buffer, entitlement.byteOffset + a * 4, n);
    const children = [
      makeData({ type: idType, length: n, nullCount: 0, data: ii, dictionary: idDict }),
      makeData({ type: entType, length: n, nullCount: 0, data: ee, dictionary: entDict }),
    ];
    writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children })));
    yield* sink.take();
  }
  writer.finish(); // footer
  yield* sink.take();
}

/**
 * Streams chunks to a file. pipeline() stops pulling while write() reports a full buffer and resumes
 * on 'drain'; a 4-chunk high-water mark lets the next chunk be rendered while the disk write runs.
 */
/** Streams the chunks into `path`; an aborted `signal` stops it between chunks (AbortError). */
async function emit(path: string, chunks: Iterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  await pipeline(chunks, createWriteStream(path, { highWaterMark: 4 * CHUNK }), signal ? { signal } : {});
}

const IDENTITY_HEADER = ['identity', 'department', 'title', 'location', 'manager', 'employment_type'];

function* identityRows(e: Enterprise): Generator<string[]> {
  for (const x of e.identities) yield [x.id, x.department, x.title, x.location, x.manager, x.employmentType];
}

/** The identities.csv that writeEnterprise writes, as text (for readIdentitiesFromText). */
export function identitiesCsvText(e: Enterprise): string {
  const decoder = new TextDecoder();
  let text = '';
  for (const chunk of textCsv(IDENTITY_HEADER, identityRows(e))) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/**
 * Writes `e` under `dir` as a rolemill output folder (absent, empty or an earlier rolemill output;
 * all or nothing, see src/output/dest.ts) and returns the paths written (`dir` joined with):
 * grants.csv, grants.arrow, identities.csv, truth/roles.csv, truth/role_entitlements.csv,
 * truth/assignments.csv (identity-major), truth/stray.csv, truth/missing.csv.
 */
export async function writeEnterprise(dir: string, e: Enterprise): Promise<string[]> {
  let names: string[] = [];
  await writeOutput(dir, { kind: 'sample' }, async (tmp) => {
    names = (await writeEnterpriseFiles(tmp, e)).map((p) => relative(tmp, p));
  });
  return names.map((n) => join(dir, n));
}

/** The files of writeEnterprise written straight into `dir` (a folder of rolemill's own, such as writeOutput's temporary folder). */
export async function writeEnterpriseFiles(dir: string, e: Enterprise, signal?: AbortSignal): Promise<string[]> {
  await mkdir(join(dir, 'truth'), { recursive: true });
  const written: string[] = [];
  const out = async (name: string, chunks: Iterable<Uint8Array>): Promise<void> => {
    const path = join(dir, name);
    await emit(path, chunks, signal);
    written.push(path);
  };
  const idNames = e.identities.map((x) => x.id);
  const idCsv = encodeNames(idNames, true);
  const entCsv = encodeNames(e.entitlementNames, true);

  await out('grants.csv', pairCsv('identity,entitlement', idCsv, entCsv, e.grants.identity, e.grants.entitlement));
  await out('grants.arrow', grantsArrow(e, encodeNames(idNames, false), encodeNames(e.entitlementNames, false)));
  await out('identities.csv', textCsv(IDENTITY_HEADER, identityRows(e)));
  await out(
    'truth/roles.csv',
    textCsv(
      ['role', 'kind', 'rule', 'entitlement_count', 'member_count'],
      e.roles.map((r) => [r.id, r.kind, r.rule, String(r.entitlements.length), String(r.members.length)]),
    ),
  );
  await out(
    'truth/role_entitlements.csv',
    textCsv(
      ['role', 'entitlement'],
      (function* () {
        for (const r of e.roles) for (const x of r.entitlements) yield [r.id, x];
      })(),
    ),
  );

  // Assignments, identity-major (roles in truth order within an identity): counting sort by identity.
  const idIndex = new Map<string, number>();
  idNames.forEach((id, i) => idIndex.set(id, i));
  const start = new Uint32Array(idNames.length + 1);
  for (const r of e.roles) for (const m of r.members) start[idIndex.get(m)! + 1]!++;
  for (let i = 0; i < idNames.length; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, idNames.length);
  const ai = new Uint32Array(start[idNames.length]!);
  const ar = new Uint32Array(ai.length);
  e.roles.forEach((r, k) => {
    for (const m of r.members) {
      const i = idIndex.get(m)!;
      const at = fill[i]!++;
      ai[at] = i;
      ar[at] = k;
    }
  });
  idIndex.clear();
  await out('truth/assignments.csv', pairCsv('identity,role', idCsv, encodeNames(e.roles.map((r) => r.id), true), ai, ar));
  await out('truth/stray.csv', pairCsv('identity,entitlement', idCsv, entCsv, e.stray.identity, e.stray.entitlement));
  await out('truth/missing.csv', pairCsv('identity,entitlement', idCsv, entCsv, e.missing.identity, e.missing.entitlement));
  return written;
}
