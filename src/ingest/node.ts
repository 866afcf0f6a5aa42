/**
 * Node entry for ingest: reading a file by path, streamed in 1 MiB chunks, and Parquet through
 * parquet-wasm's Node build. Keeps `node:fs` out of the platform-neutral modules.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { Grants, ReadOptions } from '../types.js';
import { detectFormat, readGrantsFromChunks as readChunks, type ChunkReadOptions, type ParquetToIpc } from './core.js';
import { readCsvParallel } from './parallel.js';
import { osReason } from './os-reason.js';

/** parquet-wasm's Node build (loaded on first use): whole Parquet file in, Arrow IPC stream out. */
export const parquetToIpc: ParquetToIpc = async (bytes) => {
  const pq = await import('parquet-wasm');
  return pq.readParquet(bytes, { batchSize: 1 << 20 }).intoIPCStream();
};

/** `readGrantsFromChunks` with Parquet support supplied (callers may still pass their own converter). */
export function readGrantsFromChunks(
  chunks: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  name: string,
  opts: ChunkReadOptions = {},
): Promise<Grants> {
  return readChunks(chunks, name, { parquetToIpc, ...opts });
}

/**
 * Reads a grants file: CSV with a header, Arrow IPC (file or stream), Parquet, or an integer pair
 * list (see `detectFormat`). Unreadable files (missing, a directory, no permission) are InputErrors
 * carrying the OS reason.
 */
export async function readGrants(path: string, opts: ReadOptions = {}): Promise<Grants> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = s.size;
  } catch (e) {
    throw new InputError(`cannot read the file: ${osReason(e)}`, path);
  }
  const workers = opts.workers ?? 1;
  if (workers > 1 && (opts.format === undefined || opts.format === 'csv') && (await looksLikeCsv(path, opts))) {
    opts.onProgress?.(0, size);
    const g = await readCsvParallel(path, opts, workers);
    if (g) {
      opts.onProgress?.(size, size);
      return g;
    }
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await readChunks(stream as AsyncIterable<Uint8Array>, path, { parquetToIpc, ...opts, sizeHint: size });
  } catch (e) {
    if ((e as NodeJS.ErrnoException | null)?.code && !(e instanceof InputError)) {
      throw new InputError(`cannot read the file: ${osReason(e)}`, path);
    }
    throw e;
  } finally {
    stream.destroy();
  }
}


/** Whether the file is CSV (an explicit format, or what its first bytes say). */
async function looksLikeCsv(path: string, opts: ReadOptions): Promise<boolean> {
  if (opts.format === 'csv') return true;
  const fh = await open(path, 'r');
  try {
    const b = new Uint8Array(4096);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    return detectFormat(b.subarray(0, bytesRead), path) === 'csv';
  } finally {
    await fh.close();
  }
}
