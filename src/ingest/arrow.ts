/**
 * Arrow IPC input, file and stream format (and Parquet, converted to an IPC stream first).
 *
 * Record batches are read one at a time with apache-arrow's `RecordBatchReader`, so a large stream
 * is never held whole. The file format is magic + padding, then the streaming format, then a
 * footer. When that embedded stream starts with its schema message (as the IPC spec lays it out,
 * and as Arrow C++/pyarrow write it), the 8-byte prefix is skipped and the rest read as a stream,
 * never reaching the footer. apache-arrow's own file writer puts the schema only in the footer; such
 * a file is read whole into memory and through the footer (`RecordBatchFileReader`), which is what
 * apache-arrow would do for any file given as a byte stream.
 *
 * Column types: Utf8 and LargeUtf8 (names interned straight from the value bytes), Dictionary of
 * strings or integers (indices used directly: each dictionary gets a remap from index to interned
 * id, filled on first use; a batch carrying a different dictionary object, i.e. a replacement,
 * gets a fresh remap, a delta keeps the remap of the prefix it extends), and integer columns
 * Int8..Int64, Uint8..Uint64 (the name is the value's decimal text). Utf8View is read value by
 * value. Nulls and empty strings in the identity or entitlement column are bad input; in kept
 * columns they become ''.
 */
import { DataType, MessageHeader, MessageReader, RecordBatchReader, makeVector, type Data, type RecordBatch, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { Grants, InputFormat, ReadOptions } from '../types.js';
import { type ByteInterner, GrantEncoder, InvalidUtf8, type U32Builder } from './encoder.js';
import { concatBytes } from './chunks.js';
import { grantColumns, requireColumns } from './columns.js';

const UNSET = 0xffffffff;
const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const EMPTY = new Uint8Array(0);

/** Appends one column of each batch to a row-id builder. */
class ColumnReader {
  private dict: Vector | null = null;
  private remap = new Uint32Array(0);
  private readonly ints = new Map<number | bigint, number>();

  /**
   * @param what 'identity' / 'entitlement' for the two grant columns (nulls and '' are errors),
   *   null for a kept column (nulls and '' are kept as '').
   */
  constructor(
    private readonly column: string,
    private readonly what: string | null,
    private readonly interner: ByteInterner,
    private readonly file: string,
  ) {}

  /** Throws unless `type` is one this reader handles for an identity or entitlement column. */
  static check(column: string, type: DataType, file: string): void {
    const ok = (t: DataType) => DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isUtf8View(t) || DataType.isInt(t);
    if (ok(type) || (DataType.isDictionary(type) && ok(type.dictionary))) return;
    throw new InputError(
      `unsupported column type ${String(type)}: expected strings (Utf8, LargeUtf8), dictionary-encoded strings or integers`,
      file,
      undefined,
      column,
    );
  }

  private bad(kind: 'null' | 'empty', row: number): InputError {
    return new InputError(`${kind} ${this.what} at row ${row} (rows counted from 1): expected a name in every row`, this.file, row, this.column);
  }

  /** Appends the ids of `data`'s rows; `rowBase` is the number of rows before this batch. */
  append(data: Data, out: U32Builder, rowBase: number): void {
    const type = data.type as DataType;
    const n = data.length;
    const hasNulls = data.nullCount > 0;
    if (hasNulls && this.what !== null) {
      for (let i = 0; i < n; i++) if (!data.getValid(i)) throw this.bad('null', rowBase + i + 1);
    }
    const strict = this.what !== null;
    const interner = this.interner;
    try {
      if (DataType.isDictionary(type)) {
        this.useDictionary(data.dictionary!);
        const remap = this.remap;
        const idx = data.values as ArrayLike<number | bigint>;
        for (let i = 0; i < n; i++) {
          if (hasNulls && !data.getValid(i)) {
            out.push(interner.intern(EMPTY, 0, 0));
            continue;
          }
          const k = Number(idx[i]!);
          let id = remap[k];
          if (id === undefined) throw new InputError(`corrupt Arrow data: dictionary index ${k} out of range at row ${rowBase + i + 1}`, this.file, rowBase + i + 1, this.column);
          if (id === UNSET) id = remap[k] = this.internDictionaryValue(k, rowBase + i + 1);
          out.push(id);
        }
      } else if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
        const offsets = data.valueOffsets as ArrayLike<number | bigint>;
        const bytes = (data.values as Uint8Array | undefined) ?? EMPTY;
        const big = typeof offsets[0] === 'bigint';
        for (let i = 0; i < n; i++) {
          // Nulls were rejected above for the grant columns; in a kept column they become ''.
          if (hasNulls && !data.getValid(i)) {
            out.push(interner.intern(EMPTY, 0, 0));
            continue;
          }
          const s = big ? Number(offsets[i]!) : (offsets[i] as number);
          const e = big ? Number(offsets[i + 1]!) : (offsets[i + 1] as number);
          if (e === s && strict) throw this.bad('empty', rowBase + i + 1);
          out.push(interner.intern(bytes, s, e));
        }
      } else if (DataType.isInt(type)) {
        const values = data.values as ArrayLike<number | bigint>;
        const ints = this.ints;
        for (let i = 0; i < n; i++) {
          if (hasNulls && !data.getValid(i)) {
            out.push(interner.intern(EMPTY, 0, 0));
            continue;
          }
          const v = values[i]!;
          let id = ints.get(v);
          if (id === undefined) ints.set(v, (id = interner.internString(String(v))));
          out.push(id);
        }
      } else {
        // Utf8View, and any type in a kept column: value by value.
        const vec = makeVector(data) as Vector;
        for (let i = 0; i < n; i++) out.push(this.internValue(vec.get(i), rowBase + i + 1));
      }
    } catch (e) {
      if (e instanceof InvalidUtf8) throw new InputError(e.message, this.file, undefined, this.column);
      throw e;
    }
  }

  /** Interns entry `k` of the current dictionary (strings from their bytes, as in `append`). */
  private internDictionaryValue(k: number, row: number): number {
    let base = 0;
    for (const d of this.dict!.data) {
      if (k < base + d.length) {
        const i = k - base;
        const t = d.type as DataType;
        if (d.nullCount > 0 && !d.getValid(i)) return this.internValue(null, row);
        if (!DataType.isUtf8(t) && !DataType.isLargeUtf8(t)) return this.internValue(makeVector(d).get(i), row);
        const offsets = d.valueOffsets as ArrayLike<number | bigint>;
        const s = Number(offsets[i]!);
        const e = Number(offsets[i + 1]!);
        if (s === e && this.what !== null) throw this.bad('empty', row);
        return this.interner.intern((d.values as Uint8Array | undefined) ?? EMPTY, s, e);
      }
      base += d.length;
    }
    throw new InputError(`corrupt Arrow data: dictionary index ${k} out of range at row ${row}`, this.file, row, this.column);
  }

  /**
   * Interns a value apache-arrow decoded (integers; Utf8View, whose strings apache-arrow decodes
   * with a BOM-stripping TextDecoder, so a leading U+FEFF in such a value is lost).
   */
  private internValue(v: unknown, row: number): number {
    if (v === null || v === undefined) {
      if (this.what !== null) throw this.bad('null', row);
      return this.interner.intern(EMPTY, 0, 0);
    }
    const s = typeof v === 'string' ? v : String(v);
    if (s === '' && this.what !== null) throw this.bad('empty', row);
    return this.interner.internString(s);
  }

  /** Switches to `dict`'s remap: the same object keeps it, a delta (old chunks + new) extends it. */
  private useDictionary(dict: Vector): void {
    if (dict === this.dict) return;
    const prev = this.dict;
    const next = new Uint32Array(dict.length).fill(UNSET);
    if (prev && dict.data.length > prev.data.length && prev.data.every((d, i) => dict.data[i] === d)) {
      next.set(this.remap.subarray(0, Math.min(this.remap.length, next.length)));
    }
    this.dict = dict;
    this.remap = next;
  }
}

/**
 * An IPC reader over `chunks`: a stream as it comes; a file from its embedded stream when that
 * starts with the schema, else from the whole file in memory (see the module comment).
 */
async function openReader(chunks: AsyncIterable<Uint8Array>): Promise<RecordBatchReader> {
  const it = chunks[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let have = 0;
  let done = false;
  const gather = async (n: number) => {
    while (have < n && !done) {
      const r = await it.next();
      if (r.done) done = true;
      else {
        parts.push(r.value);
        have += r.value.byteLength;
      }
    }
    if (parts.length > 1) parts.splice(0, parts.length, concatBytes(parts, have));
    return parts[0] ?? EMPTY;
  };
  async function* replay(first: Uint8Array): AsyncGenerator<Uint8Array> {
    yield first;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  let head = await gather(16);
  if (!(head.length >= 8 && ARROW_MAGIC.every((m, i) => head[i] === m))) return RecordBatchReader.from(replay(head));
  // File format: the first message of the embedded stream is [0xFFFFFFFF, metadata length, metadata].
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const metaLength = head.length >= 16 && view.getInt32(8, true) === -1 ? view.getInt32(12, true) : -1;
  if (metaLength > 0) {
    head = await gather(16 + metaLength);
    if (firstMessageIs(head.subarray(8), MessageHeader.Schema)) return RecordBatchReader.from(replay(head.subarray(8)));
  }
  const whole = await gather(Infinity);
  return RecordBatchReader.from(whole);
}

function firstMessageIs(stream: Uint8Array, type: MessageHeader): boolean {
  try {
    return new MessageReader(stream).readMessage()?.headerType === type;
  } catch {
    return false;
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

export async function readArrow(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  file: string,
  format: InputFormat,
  opts: ReadOptions & { sizeHint?: number },
): Promise<Grants> {
  const [idCol, entCol] = grantColumns(opts);
  const keep = opts.keep ?? [];
  const enc = new GrantEncoder(idCol, entCol, keep, opts.sizeHint ?? 0, opts.keepIfPresent ?? []);
  const what = format === 'parquet' ? 'Parquet' : 'Arrow IPC';
  const chunks = source instanceof Uint8Array ? once(source) : source;

  let reader: RecordBatchReader;
  try {
    reader = await openReader(chunks);
    await reader.open();
  } catch (e) {
    throw new InputError(`not a readable ${what} file: ${errorText(e)}`, file);
  }
  const schema = reader.schema;
  if (!schema) throw new InputError(`not a readable ${what} file: no schema`, file);
  const fields = schema.fields.map((f) => f.name);
  requireColumns(fields, idCol, entCol, keep, file);
  enc.retain(fields);
  const at = (name: string) => fields.indexOf(name);
  ColumnReader.check(idCol, schema.fields[at(idCol)]!.type, file);
  ColumnReader.check(entCol, schema.fields[at(entCol)]!.type, file);
  const readers: [number, ColumnReader, U32Builder][] = [
    [at(idCol), new ColumnReader(idCol, 'identity', enc.identities, file), enc.identity],
    [at(entCol), new ColumnReader(entCol, 'entitlement', enc.entitlements, file), enc.entitlement],
    ...enc.kept.map((k): [number, ColumnReader, U32Builder] => [at(k.name), new ColumnReader(k.name, null, k.interner, file), k.codes]),
  ];

  let rows = 0;
  try {
    for await (const batch of reader as AsyncIterable<RecordBatch> | Iterable<RecordBatch>) {
      const children = batch.data.children;
      for (const [col, r, out] of readers) r.append(children[col]!, out, rows);
      rows += batch.numRows;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`corrupt ${what} data after row ${rows}: ${errorText(e)}`, file);
  }
  if (rows === 0) throw new InputError('no grants: the table has no rows', file);
  return enc.finish(
    file,
    format,
    fields.filter((c) => c !== idCol && c !== entCol),
  );
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
