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
import { DataType, MessageHeader, RecordBatchReader, Vector, makeData, makeVector, type Data, type RecordBatch } from 'apache-arrow';
import { AbortError, InputError } from '../errors.js';
import type { Grants, InputFormat, ReadOptions } from '../types.js';
import { type ByteInterner, GrantEncoder, InvalidName, InvalidUtf8, type U32Builder } from './encoder.js';
import { IpcInput, fileProblem } from './ipc-input.js';
import { concatBytes } from './chunks.js';
import { grantColumns, refuseDuplicateColumns, requireColumns } from './columns.js';

const UNSET = 0xffffffff;
const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const EMPTY = new Uint8Array(0);

/** Data checked by `checkTree` (a dictionary's chunks are shared by the batches that use them). */
const checkedTrees = new WeakSet<Data>();

/**
 * Throws (through `fail`) unless what `data`'s first `n` values refer to lies within its buffers,
 * recursively: offsets that do not go backwards and end within the values or the child, children
 * long enough, a dense union's offsets within its children. Then reading them value by value
 * (apache-arrow's `get`, as text) costs at most their bytes; corrupt offsets could otherwise make
 * every value of a list span everything after it. Per value, for the types read value by value
 * only (and a dictionary's entries once); every check holds for any valid Arrow data.
 */
function checkTree(data: Data, n: number, fail: (why: string) => never): void {
  const t = data.type as DataType;
  if (DataType.isDictionary(t)) {
    for (const d of (data.dictionary as Vector | undefined)?.data ?? []) {
      if (checkedTrees.has(d)) continue;
      checkTree(d, d.length, fail);
      checkedTrees.add(d);
    }
    return;
  }
  const bytes = DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isBinary(t) || DataType.isLargeBinary(t);
  if (bytes || DataType.isList(t) || DataType.isLargeList(t) || DataType.isMap(t)) {
    let end = 0;
    if (n > 0) {
      const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined;
      if (!offsets || offsets.length < n + 1) fail(`${n} values of type ${String(t)} have ${offsets?.length ?? 0} offsets`);
      end = Number(offsets[0]);
      if (!(end >= 0)) fail(`the first offset of a ${String(t)} column is ${end}`);
      for (let i = 1; i <= n; i++) {
        const o = Number(offsets[i]);
        if (!(o >= end)) fail(`the offsets of a ${String(t)} column go backwards (${end} to ${o}) at its value ${i}`);
        end = o;
      }
    }
    const has = bytes ? ((data.values as Uint8Array | undefined)?.length ?? 0) : (data.children[0]?.length ?? 0);
    if (end > has) fail(`the offsets of a ${String(t)} column run to ${end}, past its ${has} ${bytes ? 'bytes' : 'values'}`);
    if (!bytes && data.children[0]) checkTree(data.children[0], end, fail);
    return;
  }
  if (DataType.isFixedSizeList(t) || DataType.isStruct(t)) {
    const need = DataType.isFixedSizeList(t) ? n * t.listSize : n;
    for (const c of data.children) {
      if (c.length < need) fail(`a ${String(t)} column of ${n} values has a child of ${c.length}`);
      checkTree(c, need, fail);
    }
    return;
  }
  if (DataType.isUnion(t)) {
    const ids = data.typeIds as ArrayLike<number> | undefined;
    const offsets = data.valueOffsets as ArrayLike<number> | undefined;
    const dense = DataType.isDenseUnion(t);
    if ((ids?.length ?? 0) < n || (dense && (offsets?.length ?? 0) < n)) fail(`a ${String(t)} column of ${n} values has fewer type ids or offsets`);
    for (let i = 0; i < n; i++) {
      const c = data.children[t.typeIdToChildIndex[ids![i]!]!];
      const at = dense ? offsets![i]! : i;
      if (!c || !(at >= 0 && at < c.length)) fail(`value ${i + 1} of a ${String(t)} column refers to no child value`);
    }
    for (const c of data.children) checkTree(c, c.length, fail);
  }
}

/**
 * Keeps apache-arrow's dictionaries a few chunks long. apache-arrow appends each delta dictionary
 * batch to the dictionary so far (`concat`: one more chunk, and several passes over all of them)
 * and memoizes the result (a cache array as long as the dictionary), so D deltas cost it time
 * quadratic in D: 20,000 one-entry deltas, a 4 MB stream, took three minutes. Its map of
 * dictionaries (the reader's public `dictionaries`, one map for the whole read) gets its own `set`:
 * each dictionary stored has its trailing chunks merged while the last is at least as long as the
 * one before (a binary counter: O(log n) chunks, each entry copied O(log n) times), and what is
 * concatenated onto it is not memoized (rolemill reads each entry once, through its buffers).
 * Merged: strings, binary and numbers without nulls whose buffers check out; other dictionaries
 * keep apache-arrow's chunks. The values, and so the Grants, are the same either way.
 */
class Dictionaries {
  /** Dictionaries whose first entries are those of every earlier one of the same lineage (deltas). */
  private readonly lineage = new WeakMap<Vector, object>();

  constructor(map: Map<number, Vector>) {
    const set = Map.prototype.set;
    map.set = (id: number, v: Vector) => {
      const prev = map.get(id);
      const chunks = [...v.data];
      const extended = prev !== undefined && chunks.length > prev.data.length && prev.data.every((d, i) => chunks[i] === d);
      while (chunks.length >= 2 && chunks.at(-1)!.length >= chunks.at(-2)!.length) {
        const merged = mergeData(chunks.at(-2)!, chunks.at(-1)!);
        if (!merged) break;
        chunks.splice(-2, 2, merged);
      }
      const stored = chunks.length === v.data.length ? v : new Vector(chunks);
      this.lineage.set(stored, extended ? this.lineage.get(prev)! : {});
      stored.concat = (...others: Vector[]) => {
        const next = Vector.prototype.concat.apply(stored, others) as Vector;
        next.memoize = () => next;
        return next;
      };
      return set.call(map, id, stored);
    };
  }

  /** Whether `next` begins with `prev`'s entries (it is `prev` with deltas appended). */
  extends(next: Vector, prev: Vector): boolean {
    const l = this.lineage.get(next);
    return l !== undefined && l === this.lineage.get(prev) && next.length >= prev.length;
  }
}

/** `a` and then `b` as one chunk, or null where `mergeData` does not merge (see `Dictionaries`). */
function mergeData(a: Data, b: Data): Data | null {
  const t = a.type as DataType;
  if (b.type !== a.type || a.offset !== 0 || b.offset !== 0 || a.nullCount !== 0 || b.nullCount !== 0) return null;
  const n = a.length + b.length;
  // Only buffers that check out are merged (a corrupt chunk keeps its own, and its error).
  let valid = true;
  for (const d of [a, b]) {
    if (checkedTrees.has(d)) continue;
    try {
      checkTree(d, d.length, () => {
        throw new MergeRefused();
      });
      checkedTrees.add(d);
    } catch (e) {
      if (!(e instanceof MergeRefused)) throw e;
      valid = false;
    }
  }
  if (!valid) return null;
  let merged: Data;
  if (DataType.isUtf8(t) || DataType.isBinary(t) || DataType.isLargeUtf8(t) || DataType.isLargeBinary(t)) {
    const ao = a.valueOffsets as Int32Array | BigInt64Array;
    const bo = b.valueOffsets as Int32Array | BigInt64Array;
    const a0 = Number(ao[0] ?? 0);
    const b0 = Number(bo[0] ?? 0);
    const aBytes = (a.length > 0 ? Number(ao[a.length]) : a0) - a0;
    const bBytes = (b.length > 0 ? Number(bo[b.length]) : b0) - b0;
    const large = ao instanceof BigInt64Array;
    if (!large && aBytes + bBytes > 0x7fffffff) return null;
    const offsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
    for (let i = 0; i <= a.length; i++) offsets[i] = large ? BigInt(Number(ao[i] ?? a0) - a0) : Number(ao[i] ?? a0) - a0;
    for (let i = 1; i <= b.length; i++) offsets[a.length + i] = large ? BigInt(Number(bo[i]) - b0 + aBytes) : Number(bo[i]) - b0 + aBytes;
    const bytes = new Uint8Array(aBytes + bBytes);
    bytes.set((a.values as Uint8Array).subarray(a0, a0 + aBytes));
    bytes.set((b.values as Uint8Array).subarray(b0, b0 + bBytes), aBytes);
    merged = makeData({ type: t, length: n, nullCount: 0, valueOffsets: offsets, data: bytes } as never);
  } else if (DataType.isInt(t) || DataType.isFloat(t)) {
    const av = a.values as Int32Array;
    const bv = b.values as Int32Array;
    if (av.length < a.length || bv.length < b.length || av.constructor !== bv.constructor) return null;
    const values = new (av.constructor as Int32ArrayConstructor)(n);
    values.set(av.subarray(0, a.length));
    values.set(bv.subarray(0, b.length), a.length);
    merged = makeData({ type: t, length: n, nullCount: 0, data: values } as never);
  } else return null;
  checkedTrees.add(merged);
  return merged;
}

class MergeRefused extends Error {}

/** Appends one column of each batch to a row-id builder. */
class ColumnReader {
  private dict: Vector | null = null;
  private remap = new Uint32Array(0);
  /** Where each chunk of `dict` starts (its entries counted from 0), and its end. */
  private starts = new Float64Array(1);
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
    private readonly dictionaries: Dictionaries,
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

  /**
   * Corrupt data: a buffer shorter than the batch's rows need (ipc-input.ts checks only that each
   * column fits in its batch's body; which buffer holds what is apache-arrow's to say).
   */
  private short(what: string, have: number, n: number, rowBase: number): InputError {
    return new InputError(
      `corrupt Arrow data: the batch of ${n} rows from row ${rowBase + 1} has ${have} ${what}`,
      this.file,
      rowBase + 1,
      this.column,
    );
  }

  /** Appends the ids of `data`'s rows; `rowBase` is the number of rows before this batch. */
  append(data: Data, out: U32Builder, rowBase: number): void {
    const type = data.type as DataType;
    const n = data.length;
    const hasNulls = data.nullCount > 0;
    // Checked once per batch, so that the loops below read only what the buffers hold.
    const bitmap = data.nullBitmap as Uint8Array | undefined;
    if (hasNulls && bitmap && bitmap.length > 0 && bitmap.length * 8 < n) throw this.short('bytes of validity bitmap', bitmap.length, n, rowBase);
    if (hasNulls && this.what !== null) {
      for (let i = 0; i < n; i++) if (!data.getValid(i)) throw this.bad('null', rowBase + i + 1);
    }
    const strict = this.what !== null;
    const interner = this.interner;
    const before = out.length;
    try {
      if (DataType.isDictionary(type)) {
        const idx = data.values as ArrayLike<number | bigint>;
        if ((idx?.length ?? 0) < n) throw this.short('dictionary indices', idx?.length ?? 0, n, rowBase);
        this.useDictionary(data.dictionary!, rowBase);
        const remap = this.remap;
        const entries = this.dict!.length;
        for (let i = 0; i < n; i++) {
          if (hasNulls && !data.getValid(i)) {
            out.push(interner.intern(EMPTY, 0, 0));
            continue;
          }
          const k = Number(idx[i]!);
          let id = remap[k];
          // Not yet interned, or no entry (the remap may be longer than the dictionary, see useDictionary).
          if (!(id! < UNSET)) {
            if (id === undefined || !(k < entries)) throw new InputError(`corrupt Arrow data: dictionary index ${k} out of range at row ${rowBase + i + 1}`, this.file, rowBase + i + 1, this.column);
            id = remap[k] = this.internDictionaryValue(k, rowBase + i + 1);
          }
          out.push(id);
        }
      } else if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
        const offsets = data.valueOffsets as ArrayLike<number | bigint>;
        const bytes = (data.values as Uint8Array | undefined) ?? EMPTY;
        if (n > 0 && (offsets?.length ?? 0) < n + 1) throw this.short('string offsets', offsets?.length ?? 0, n, rowBase);
        const big = typeof offsets[0] === 'bigint';
        for (let i = 0; i < n; i++) {
          // Nulls were rejected above for the grant columns; in a kept column they become ''.
          if (hasNulls && !data.getValid(i)) {
            out.push(interner.intern(EMPTY, 0, 0));
            continue;
          }
          const s = big ? Number(offsets[i]!) : (offsets[i] as number);
          const e = big ? Number(offsets[i + 1]!) : (offsets[i + 1] as number);
          if (e <= s) {
            if (e < s) throw this.backwards(s, e, rowBase + i + 1);
            if (strict) throw this.bad('empty', rowBase + i + 1);
          }
          out.push(interner.intern(bytes, s, e));
        }
      } else if (DataType.isInt(type)) {
        const values = data.values as ArrayLike<number | bigint>;
        if ((values?.length ?? 0) < n) throw this.short('values', values?.length ?? 0, n, rowBase);
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
        if (DataType.isUtf8View(type) && (data.values?.length ?? 0) < 16 * n) throw this.short('bytes of string views', data.values?.length ?? 0, n, rowBase);
        checkTree(data, n, (why) => {
          throw new InputError(`corrupt Arrow data in the batch from row ${rowBase + 1}: ${why}`, this.file, rowBase + 1, this.column);
        });
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

  private backwards(s: number, e: number, row: number): InputError {
    return new InputError(`corrupt Arrow data: string offsets go backwards (${s} to ${e}) at row ${row}`, this.file, row, this.column);
  }

  /** Interns entry `k` of the current dictionary (strings from their bytes, as in `append`). */
  private internDictionaryValue(k: number, row: number): number {
    const chunks = this.dict!.data;
    const starts = this.starts;
    // The chunk holding entry k (a dictionary with deltas has one chunk per delta).
    let lo = 0;
    let hi = chunks.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= k) lo = mid;
      else hi = mid;
    }
    const d = chunks[lo];
    const i = k - starts[lo]!;
    if (d === undefined || i < 0 || i >= d.length) {
      throw new InputError(`corrupt Arrow data: dictionary index ${k} out of range at row ${row}`, this.file, row, this.column);
    }
    const t = d.type as DataType;
    if (d.nullCount > 0 && !d.getValid(i)) return this.internValue(null, row);
    if (!DataType.isUtf8(t) && !DataType.isLargeUtf8(t)) return this.internValue(makeVector(d).get(i), row);
    const offsets = d.valueOffsets as ArrayLike<number | bigint>;
    if ((offsets?.length ?? 0) < i + 2) {
      throw new InputError(`corrupt Arrow data: the dictionary's string offsets end before its entry ${k}, used at row ${row}`, this.file, row, this.column);
    }
    const s = Number(offsets[i]!);
    const e = Number(offsets[i + 1]!);
    if (e < s) throw this.backwards(s, e, row);
    if (s === e && this.what !== null) throw this.bad('empty', row);
    return this.interner.intern((d.values as Uint8Array | undefined) ?? EMPTY, s, e);
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

  /**
   * Switches to `dict`'s remap: the same object keeps it, a delta (its entries first, see
   * `Dictionaries`) extends it, in place while it has room (grown by doubling), else a new one.
   */
  private useDictionary(dict: Vector, rowBase: number): void {
    if (dict === this.dict) return;
    // Its entries are read one by one, in any order: their offsets are checked once, here.
    for (const d of dict.data) {
      if (checkedTrees.has(d)) continue;
      checkTree(d, d.length, (why) => {
        throw new InputError(`corrupt Arrow data in the dictionary used from row ${rowBase + 1}: ${why}`, this.file, rowBase + 1, this.column);
      });
      checkedTrees.add(d);
    }
    const prev = this.dict;
    if (prev && this.dictionaries.extends(dict, prev)) {
      if (this.remap.length < dict.length) {
        const next = new Uint32Array(Math.max(dict.length, 2 * this.remap.length)).fill(UNSET);
        next.set(this.remap.subarray(0, prev.length));
        this.remap = next;
      }
    } else this.remap = new Uint32Array(dict.length).fill(UNSET);
    this.dict = dict;
    const starts = new Float64Array(dict.data.length + 1);
    for (let c = 0; c < dict.data.length; c++) starts[c + 1] = starts[c]! + dict.data[c]!.length;
    this.starts = starts;
  }
}

/**
 * An IPC reader over `input`: a stream as it comes; a file from its embedded stream when that
 * starts with the schema, else from the whole file in memory (see the module comment), whose end
 * and footer are checked first. Streamed bytes reach apache-arrow only while their framing checks
 * out (`IpcInput.problem`, see ipc-input.ts): a chunk holding a bad length is never passed on.
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
  const checked = (b: Uint8Array): Uint8Array => {
    if (input.problem) throw new Unreadable(input.problem);
    return b;
  };
  async function* replay(first: Uint8Array): AsyncGenerator<Uint8Array> {
    yield checked(first);
    for (let r = await input.next(); !r.done; r = await input.next()) yield checked(r.value);
  }
  let head = await gather(16);
  if (!(head.length >= 8 && ARROW_MAGIC.every((m, i) => head[i] === m))) return RecordBatchReader.from(replay(head));
  // File format: the first message of the embedded stream is [0xFFFFFFFF, metadata length, metadata].
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const metaLength = head.length >= 16 && view.getInt32(8, true) === -1 ? view.getInt32(12, true) : -1;
  if (metaLength > 0) {
    head = await gather(16 + metaLength);
    // IpcInput has followed (and checked) that first message by now.
    if (input.first === MessageHeader.Schema) return RecordBatchReader.from(replay(head.subarray(8)));
  }
  const whole = await gather(Infinity);
  // apache-arrow would read a file cut short as far as its bytes make sense, or fail obscurely.
  const cut = input.truncation();
  if (cut) throw new Unreadable(cut);
  // Read through the footer: the embedded stream's framing does not matter, the footer's blocks do.
  const bad = fileProblem(whole);
  if (bad) throw new Unreadable(bad);
  return RecordBatchReader.from(whole);
}

/** The input cannot be read: cut short, or its framing corrupt; the message says how (see ipc-input.ts). */
class Unreadable extends Error {}

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
  // Its exact size, when known: a length in the framing that runs past it is found at once.
  const size = source instanceof Uint8Array ? source.byteLength : opts.sizeHint !== undefined && opts.sizeHint > 0 ? opts.sizeHint : undefined;
  const input = new IpcInput(source instanceof Uint8Array ? once(source) : source, size);
  const kind = () => (format === 'parquet' ? 'Parquet file' : input.file ? 'Arrow IPC file' : 'Arrow IPC stream');
  /** The InputError for `e`, thrown while opening (rows null) or after `rows` rows. */
  const failure = (e: unknown, rows: number | null): unknown => {
    if (e instanceof InputError || e instanceof AbortError || isOsError(e)) return e;
    // A decoder error at the end of a cut-short input is the cut's doing: say so.
    const cut = e instanceof Unreadable ? e.message : input.truncation();
    if (cut) return new InputError(`not a readable ${kind()}: ${cut}`, file);
    if (rows === null) return new InputError(`not a readable ${kind()}: ${errorText(e)}`, file);
    return new InputError(`corrupt ${what} data after row ${rows}: ${errorText(e)}`, file);
  };

  let reader: RecordBatchReader;
  let dictionaries: Dictionaries;
  try {
    reader = await openReader(input);
    // Before open: a file's dictionaries are read there.
    dictionaries = new Dictionaries(reader.dictionaries);
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
    [at(idCol), new ColumnReader(idCol, 'identity', enc.identities, file, dictionaries), enc.identity],
    [at(entCol), new ColumnReader(entCol, 'entitlement', enc.entitlements, file, dictionaries), enc.entitlement],
    ...enc.kept.map((k): [number, ColumnReader, U32Builder] => [at(k.name), new ColumnReader(k.name, null, k.interner, file, dictionaries), k.codes]),
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
