/**
 * Platform-neutral reading: bytes in (an async iterable of chunks, e.g. a file stream or
 * `File.stream()`), `Grants` out. The format comes from the content first, then the extension.
 */
import { InputError } from '../errors.js';
import type { Grants, InputFormat, ReadOptions } from '../types.js';
import { readCsv, readPairs, looksLikePairs } from './text.js';
import { readArrow } from './arrow.js';

/** Converts a whole Parquet file to Arrow IPC stream bytes (platform-specific wasm loading). */
export type ParquetToIpc = (bytes: Uint8Array) => Promise<Uint8Array>;

export interface ChunkReadOptions extends ReadOptions {
  /** Total bytes, if known, for progress. */
  sizeHint?: number;
  /** Needed for Parquet input; the Node and browser entries supply one. */
  parquetToIpc?: ParquetToIpc;
}

const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

export function detectFormat(first: Uint8Array, name: string): InputFormat {
  const starts = (m: number[]) => m.every((b, i) => first[i] === b);
  if (starts([0x50, 0x41, 0x52, 0x31])) return 'parquet'; // "PAR1"
  if (starts(ARROW_MAGIC)) return 'arrow';
  if (starts([0xff, 0xff, 0xff, 0xff])) return 'arrow'; // IPC stream continuation marker
  const lower = name.toLowerCase();
  if (/\.(arrow|arrows|feather|ipc)$/.test(lower)) return 'arrow';
  if (lower.endsWith('.parquet')) return 'parquet';
  const head = new TextDecoder().decode(first.subarray(0, 4096));
  if (looksLikePairs(head)) return 'pairs';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.txt')) {
    throw new InputError('unrecognised format: a .txt input must hold lines of two integers (identity entitlement)', name, 1);
  }
  if (head.includes(',')) return 'csv';
  throw new InputError('unrecognised format: expected CSV with a header, Arrow IPC, Parquet, or integer pairs', name);
}

/** Reads grants from byte chunks. */
export async function readGrantsFromChunks(chunks: AsyncIterable<Uint8Array>, name: string, opts: ChunkReadOptions = {}): Promise<Grants> {
  const it = chunks[Symbol.asyncIterator]();
  // Gather at least 4 KB (or everything) to detect the format.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < 4096) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    headBytes += r.value.byteLength;
  }
  if (headBytes === 0) throw new InputError('empty file: no header and no grants', name);
  const first = concat(head, Math.min(headBytes, 4096));
  const format = opts.format ?? detectFormat(first, name);
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  switch (format) {
    case 'csv':
      return readCsv(all(), name, opts);
    case 'pairs':
      return readPairs(all(), name, opts);
    case 'arrow':
      return readArrow(all(), name, 'arrow', opts);
    case 'parquet': {
      if (!opts.parquetToIpc) throw new InputError('Parquet input is not available in this build', name);
      const parts: Uint8Array[] = [];
      let total = 0;
      for await (const c of all()) {
        parts.push(c);
        total += c.byteLength;
      }
      // Parquet's footer holds the schema, so the whole file is needed in memory (unlike CSV/Arrow).
      let ipc: Uint8Array;
      try {
        ipc = await opts.parquetToIpc(concat(parts, total));
      } catch (e) {
        throw new InputError(`not a readable Parquet file: ${(e as Error)?.message ?? String(e)}`, name);
      }
      return readArrow(ipc, name, 'parquet', opts);
    }
    default:
      throw new InputError(`unknown input format '${String(format)}'`, name);
  }
}

function concat(parts: Uint8Array[], upTo: number): Uint8Array {
  const out = new Uint8Array(upTo);
  let w = 0;
  for (const p of parts) {
    if (w >= upTo) break;
    const take = Math.min(p.byteLength, upTo - w);
    out.set(p.subarray(0, take), w);
    w += take;
  }
  return out;
}
