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
 * value. Nulls and empty strings in the identity or entitlement column are bad input, and so are
 * names that are only whitespace or hold a control character (checked once per distinct name, see
 * `checkName`); errors name the 1-based row (as the InputError's line) and the column. In kept
 * columns nulls and empty strings become ''.
 *
 * Every decoding failure is an InputError, and a file or stream cut short says "truncated"
 * (ipc-input.ts says what counts as cut short, including the stream that ends between two messages,
 * which is read as complete).
 */
import { DataType, MessageHeader, MessageReader, RecordBatchReader, makeVector, type Data, type RecordBatch, type Vector } from 'apache-arrow';
import { AbortError, InputError } from '../errors.js';
import type { Grants, InputFormat, ReadOptions } from '../types.js';
import { type ByteInterner, GrantEncoder, InvalidName, InvalidUtf8, type U32Builder } from './encoder.js';
import { IpcInput } from './ipc-input.js';
import { concatBytes } from './chunks.js';
import { grantColumns, refuseDuplicateColumns, requireColumns } from './columns.js';

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
    const before = out.length;
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
      // Each row's id is pushed after its name is interned, so the failing row is the next one.
      const row = rowBase + (out.length - before) + 1;
      if (e instanceof InvalidUtf8) throw new InputError(`${e.message} at row ${row} (rows counted from 1)`, this.file, row, this.column);
      if (e instanceof InvalidName) throw new InputError(`${e.what} at row ${row} (rows counted from 1): ${e.why}`, this.file, row, this.column);
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
 * An IPC reader over `input`: a stream as it comes; a file from its embedded stream when that
 * starts with the schema, else from the whole file in memory (see the module comment), whose end
 * is checked first.
 */
async function openReader(input: IpcInput): Promise<RecordBatchReader> {
  const parts: Uint8Array[] = [];
  let have = 0;
  const gather = async (n: number) => {
    while (have < n && !input.exhausted) {
      const r = await input.next();
      if (!r.done) {
        parts.push(r.value);
        have += r.value.byteLength;
      }
    }
    if (parts.length > 1) parts.splice(0, parts.length, concatBytes(parts, have));
    return parts[0] ?? EMPTY;
  };
  async function* replay(first: Uint8Array): AsyncGenerator<Uint8Array> {
    yield first;
    for (let r = await input.next(); !r.done; r = await input.next()) yield r.value;
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
  // apache-arrow would read a file cut short as far as its bytes make sense, or fail obscurely.
  const cut = input.truncation();
  if (cut) throw new Truncated(cut);
  return RecordBatchReader.from(whole);
}

/** The input was cut short; the message says where (see ipc-input.ts). */
class Truncated extends Error {}

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

/** An operating-system error from the byte source (the path's reader names it), not the data's fault. */
function isOsError(e: unknown): boolean {
  return typeof (e as { code?: unknown } | null)?.code === 'string' && typeof (e as { syscall?: unknown }).syscall === 'string';
}

/**
 * Reads grants from Arrow IPC bytes (or Parquet converted to them). Every failure is an InputError
 * naming the file: a library error while decoding is wrapped ("not a readable Arrow IPC file: ...",
 * "corrupt Arrow IPC data after row N: ..."), and an input cut short says "truncated" (see
 * ipc-input.ts for what counts as cut short). Only an AbortError and the byte source's own
 * operating-system errors pass through unchanged.
 */
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
  const input = new IpcInput(source instanceof Uint8Array ? once(source) : source);
  const kind = () => (format === 'parquet' ? 'Parquet file' : input.file ? 'Arrow IPC file' : 'Arrow IPC stream');
  /** The InputError for `e`, thrown while opening (rows null) or after `rows` rows. */
  const failure = (e: unknown, rows: number | null): unknown => {
    if (e instanceof InputError || e instanceof AbortError || isOsError(e)) return e;
    // A decoder error at the end of a cut-short input is the cut's doing: say so.
    const cut = e instanceof Truncated ? e.message : input.truncation();
    if (cut) return new InputError(`not a readable ${kind()}: ${cut}`, file);
    if (rows === null) return new InputError(`not a readable ${kind()}: ${errorText(e)}`, file);
    return new InputError(`corrupt ${what} data after row ${rows}: ${errorText(e)}`, file);
  };

  let reader: RecordBatchReader;
  try {
    reader = await openReader(input);
    await reader.open();
  } catch (e) {
    throw failure(e, null);
  }
  const schema = reader.schema;
  if (!schema) throw new InputError(`not a readable ${kind()}: ${input.truncation() ?? 'no schema'}`, file);
  const fields = schema.fields.map((f) => f.name);
  refuseDuplicateColumns(fields, file, undefined, 'the schema', 'fields');
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
    // The stream reader stops at the end-of-stream marker: a file's footer is still to come, and
    // without the marker the input must have ended between two messages.
    if (input.file || !input.ended) await input.drain();
  } catch (e) {
    throw failure(e, rows);
  } finally {
    await input.close();
  }
  const cut = input.truncation();
  if (cut) throw new InputError(`not a readable ${kind()}: ${cut}`, file);
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
