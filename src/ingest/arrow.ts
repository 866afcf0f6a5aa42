/**
 * Arrow IPC (file and stream) and, through it, Parquet. Batches are read one at a time.
 * Dictionary columns use their indices directly: each dictionary gets a remap from index to our id,
 * filled on first use (so dictionary values no row uses never become identities), and a later batch
 * that replaces the dictionary gets its own remap (keyed by the dictionary vector's identity).
 * String columns are read with `get(i)`; integer columns intern by value (the name is its decimal text).
 */
import { RecordBatchReader, DataType, type Vector, type RecordBatch } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { Grants, InputFormat, ReadOptions } from '../types.js';
import { GrantEncoder, Interner, type U32Builder } from './encoder.js';

const UNSET = 0xffffffff;

/** Appends one column of a batch to `out` as interned ids; `rowBase` numbers rows in errors. */
class ColumnEncoder {
  private remaps = new Map<unknown, Uint32Array>();
  private ints = new Map<number | bigint, number>();
  constructor(
    readonly name: string,
    private readonly what: string,
    private readonly interner: Interner,
    private readonly file: string,
  ) {}

  append(vec: Vector, out: U32Builder, rowBase: number): void {
    const type = vec.type as DataType;
    if (!DataType.isDictionary(type) && !DataType.isUtf8(type) && !DataType.isLargeUtf8(type) && !DataType.isInt(type)) {
      throw new InputError(`unsupported column type ${String(type)} (expected strings, dictionary-encoded strings or integers)`, this.file, undefined, this.name);
    }
    let row = rowBase;
    for (const data of vec.data) {
      const n = data.length;
      if (data.nullCount > 0) {
        for (let i = 0; i < n; i++) {
          if (!data.getValid(i)) throw new InputError(`null ${this.what} at row ${row + i + 1}`, this.file, undefined, this.name);
        }
      }
      if (DataType.isDictionary(type)) {
        const dict = data.dictionary!;
        let remap = this.remaps.get(dict);
        if (!remap) {
          remap = new Uint32Array(dict.length).fill(UNSET);
          this.remaps.set(dict, remap);
        }
        const idx = data.values as Int32Array;
        for (let i = 0; i < n; i++) {
          const k = idx[i]!;
          let id = remap[k]!;
          if (id === UNSET) {
            const v = dict.get(k);
            if (v === null || v === '') throw new InputError(`${v === null ? 'null' : 'empty'} ${this.what} at row ${row + i + 1}`, this.file, undefined, this.name);
            id = remap[k] = this.interner.intern(String(v));
          }
          out.push(id);
        }
      } else if (DataType.isInt(type)) {
        const vals = data.values as ArrayLike<number | bigint>;
        for (let i = 0; i < n; i++) {
          const v = vals[i]!;
          let id = this.ints.get(v);
          if (id === undefined) this.ints.set(v, (id = this.interner.intern(String(v))));
          out.push(id);
        }
      } else {
        const single = vec.data.length === 1 ? vec : null;
        for (let i = 0; i < n; i++) {
          const v = (single ?? vec).get(single ? i : row - rowBase + i) as string | null;
          if (v === null || v === '') throw new InputError(`${v === null ? 'null' : 'empty'} ${this.what} at row ${row + i + 1}`, this.file, undefined, this.name);
          out.push(this.interner.intern(v));
        }
      }
      row += n;
    }
  }
}

export async function readArrow(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  file: string,
  format: InputFormat,
  opts: ReadOptions & { sizeHint?: number },
): Promise<Grants> {
  const idCol = opts.identityColumn ?? 'identity';
  const entCol = opts.entitlementColumn ?? 'entitlement';
  const keep = opts.keep ?? [];
  const enc = new GrantEncoder(keep);
  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
  try {
    reader = await RecordBatchReader.from(source as AsyncIterable<Uint8Array>);
    await (reader as unknown as { open(): Promise<unknown> }).open?.();
  } catch (e) {
    throw new InputError(`not a readable Arrow IPC file or stream: ${(e as Error).message}`, file);
  }
  const ids = new ColumnEncoder(idCol, 'identity', enc.identities, file);
  const ents = new ColumnEncoder(entCol, 'entitlement', enc.entitlements, file);
  const kept = keep.map((k) => new ColumnEncoder(k, k, enc.kept.get(k)!.interner, file));
  let fields: string[] | null = null;
  let rows = 0;
  try {
    for await (const batch of reader as AsyncIterable<RecordBatch>) {
      if (!fields) {
        fields = batch.schema.fields.map((f) => f.name);
        const missing = [idCol, entCol, ...keep].filter((c) => !fields!.includes(c));
        if (missing.length) {
          throw new InputError(`missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}; columns found: ${fields.map((c) => `'${c}'`).join(', ')}`, file);
        }
      }
      ids.append(batch.getChild(idCol)!, enc.identity, rows);
      ents.append(batch.getChild(entCol)!, enc.entitlement, rows);
      kept.forEach((k, q) => k.append(batch.getChild(keep[q]!)!, enc.kept.get(keep[q]!)!.codes, rows));
      rows += batch.numRows;
      opts.onProgress?.(0, opts.sizeHint ?? 0);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`corrupt Arrow data: ${(e as Error).message}`, file);
  }
  if (!fields) fields = reader.schema?.fields.map((f) => f.name) ?? [];
  if (rows === 0) throw new InputError('no grants: the table has no rows', file);
  return enc.finish(file, format, fields.filter((c) => c !== idCol && c !== entCol));
}
