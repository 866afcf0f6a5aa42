/**
 * Platform-neutral reading: bytes in (an async iterable of chunks, e.g. a Node file stream or a
 * browser `File.stream()`), `Grants` out. No Node imports here or in the modules it uses; Node file
 * reading lives in node.ts.
 */
import { InputError, UsageError } from '../errors.js';
import type { Grants, InputFormat, ReadOptions } from '../types.js';
import { readArrow } from './arrow.js';
import { Progress, concatBytes } from './chunks.js';
import { readCsv } from './csv.js';
import { looksLikePairs, readPairs } from './pairs.js';

/**
 * Converts a whole Parquet file to Arrow IPC stream bytes. Loading parquet-wasm differs by platform
 * (Node reads its wasm from disk, browsers fetch it), so the Node entry supplies one and browser
 * callers pass their own.
 */
export type ParquetToIpc = (bytes: Uint8Array) => Promise<Uint8Array>;

export interface ChunkReadOptions extends ReadOptions {
  /**
   * Total input bytes, if known, for `onProgress` and buffer sizing. It must be exact: an Arrow IPC
   * stream whose framing says a message runs past it is reported as truncated at once.
   */
  sizeHint?: number;
  /** Needed for Parquet input (the Node entry's `readGrantsFromChunks` supplies one). */
  parquetToIpc?: ParquetToIpc;
}

/** Bytes looked at to detect the format. */
const HEAD_BYTES = 4096;
const FORMATS: InputFormat[] = ['csv', 'arrow', 'parquet', 'pairs'];
const lenient = new TextDecoder('utf-8');

const startsWith = (b: Uint8Array, magic: number[]) => b.length >= magic.length && magic.every((m, i) => b[i] === m);
const PAR1 = [0x50, 0x41, 0x52, 0x31];

/**
 * The input format, from the first bytes (content first) and then the file name:
 * Parquet magic `PAR1`; Arrow file magic `ARROW1` or an IPC stream's continuation marker
 * 0xFFFFFFFF; a first non-blank line of two integers (pair list); then the extension (.csv; .arrow,
 * .arrows, .feather, .ipc; .parquet). Anything else is an InputError ("unrecognised format").
 */
export function detectFormat(firstBytes: Uint8Array, name: string): InputFormat {
  if (startsWith(firstBytes, PAR1)) return 'parquet';
  if (startsWith(firstBytes, [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31])) return 'arrow';
  if (startsWith(firstBytes, [0xff, 0xff, 0xff, 0xff])) return 'arrow';
  if (looksLikePairs(firstBytes.subarray(0, HEAD_BYTES))) return 'pairs';
  const ext = /\.([^./\\]+)$/.exec(name.toLowerCase())?.[1] ?? '';
  if (ext === 'csv') return 'csv';
  if (ext === 'arrow' || ext === 'arrows' || ext === 'feather' || ext === 'ipc') return 'arrow';
  if (ext === 'parquet') return 'parquet';
  const found = ext === 'tsv' ? 'a .tsv file (only comma-separated CSV is read)' : describe(firstBytes);
  throw new InputError(
    `unrecognised format: expected CSV with a header row (.csv), Arrow IPC (.arrow, .arrows, .feather, .ipc), ` +
      `Parquet (.parquet) or lines of two integers; found ${found} (name the format with --input-format / the format option)`,
    name,
  );
}

function describe(b: Uint8Array): string {
  if (b.length === 0) return 'no bytes';
  const text = lenient.decode(b.subarray(0, 256));
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  if (text.includes('\uFFFD') || /[\u0000-\u0008\u000e-\u001f]/.test(text)) {
    const hex = Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
    return `binary data starting with bytes ${hex}`;
  }
  if (line === '') return 'only blank lines';
  return `text starting '${line.length > 60 ? `${line.slice(0, 60)}...` : line}'`;
}

/**
 * Reads grants from byte chunks; the format comes from `opts.format` or `detectFormat`. A web
 * `ReadableStream` (e.g. `File.stream()`) is accepted too, also where streams are not async-iterable.
 */
export async function readGrantsFromChunks(
  chunks: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  name: string,
  opts: ChunkReadOptions = {},
): Promise<Grants> {
  if (opts.format !== undefined && !FORMATS.includes(opts.format)) {
    throw new UsageError(`unknown input format '${String(opts.format)}': expected ${FORMATS.join(', ')}`);
  }
  const progress = new Progress(opts.onProgress, opts.sizeHint ?? 0, 250, opts.signal);
  const it = progress.count(asyncIterable(chunks))[Symbol.asyncIterator]();
  // The first HEAD_BYTES (or all) bytes, as one chunk: detection and the readers' BOM and magic
  // checks then see them in one piece.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < HEAD_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    if (r.value.byteLength === 0) continue;
    head.push(r.value);
    headBytes += r.value.byteLength;
  }
  if (headBytes === 0) throw new InputError('empty file: expected a header row and grants, found 0 bytes', name);
  const first = head.length === 1 ? head[0]! : concatBytes(head, headBytes);
  const format = opts.format ?? detectFormat(first, name);
  async function* all(): AsyncGenerator<Uint8Array> {
    yield first;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  let grants: Grants;
  try {
    switch (format) {
      case 'csv':
        grants = await readCsv(all(), name, opts);
        break;
      case 'pairs':
        grants = await readPairs(all(), name, opts);
        break;
      case 'arrow':
        grants = await readArrow(all(), name, 'arrow', opts);
        break;
      case 'parquet':
        grants = await readParquet(all(), name, opts);
        break;
    }
  } finally {
    // Releases the source when a reader stops early (an error, or bytes after an Arrow stream's end marker).
    if (!done) await it.return?.(undefined);
  }
  progress.done();
  return grants;
}

/**
 * Parquet keeps its schema and row-group index in a footer at the end of the file, and parquet-wasm
 * reads from one in-memory buffer, so the whole file is held in memory (unlike CSV, pair lists and
 * Arrow IPC, which stream). Its rows are then read through the Arrow path.
 */
async function readParquet(chunks: AsyncIterable<Uint8Array>, name: string, opts: ChunkReadOptions): Promise<Grants> {
  if (!opts.parquetToIpc) {
    throw new UsageError('reading Parquet needs a parquetToIpc converter: the Node entry supplies one; in a browser, pass one built on parquet-wasm');
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const c of chunks) {
    parts.push(c);
    total += c.byteLength;
  }
  const bytes = parts.length === 1 ? parts[0]! : concatBytes(parts, total);
  parts.length = 0;
  // A Parquet file begins and ends with PAR1 (its footer comes last): one that begins with it and
  // does not end with it was cut short, which says more than the decoder's "corrupt footer".
  if (startsWith(bytes, PAR1) && !PAR1.every((m, i) => bytes[bytes.length - 4 + i] === m)) {
    throw new InputError('not a readable Parquet file: truncated: it does not end with the footer and closing PAR1 magic', name);
  }
  let ipc: Uint8Array;
  try {
    ipc = await opts.parquetToIpc(bytes);
  } catch (e) {
    // Whatever the converter throws (an Error, a string, a wasm trap) is the file's fault here.
    throw new InputError(`not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`, name);
  }
  return readArrow(ipc, name, 'parquet', opts);
}

function asyncIterable(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  if (typeof (source as Partial<AsyncIterable<Uint8Array>>)[Symbol.asyncIterator] === 'function') return source as AsyncIterable<Uint8Array>;
  const stream = source as ReadableStream<Uint8Array>;
  return {
    async *[Symbol.asyncIterator]() {
      const reader = stream.getReader();
      try {
        for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
      } finally {
        await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
    },
  };
}
