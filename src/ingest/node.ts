/**
 * Node entry for ingest: reading a file by path, streamed in 1 MiB chunks, and Parquet through
 * parquet-wasm's Node build. Keeps `node:fs` out of the platform-neutral modules.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { Grants, ReadOptions } from '../types.js';
import { readIdentitiesFromChunks, type IdentityTable, type ReadIdentitiesOptions } from './identities.js';
import { detectFormat, readGrantsFromChunks as readChunks, type ChunkReadOptions, type ParquetToIpc } from './core.js';
import { readCsvParallel } from './parallel.js';
import { cannotRead, openInput } from './input-file.js';

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
 * list (see `detectFormat`). The path must name a readable regular file: anything else (missing,
 * a directory, a FIFO, socket or device, no permission) is an InputError carrying the reason,
 * raised before any byte is read (see input-file.ts). The file is opened once and read through
 * that descriptor.
 */
export async function readGrants(path: string, opts: ReadOptions = {}): Promise<Grants> {
  const { fh, size } = await openInput(path);
  try {
    const workers = opts.workers ?? 1;
    if (workers > 1 && (opts.format === undefined || opts.format === 'csv') && (await looksLikeCsv(fh, path, opts))) {
      opts.onProgress?.(0, size);
      const g = await readCsvParallel(path, opts, workers);
      if (g) {
        opts.onProgress?.(size, size);
        return g;
      }
    }
    const stream = fh.createReadStream({ highWaterMark: 1 << 20, start: 0, autoClose: false });
    try {
      return await readChunks(stream as AsyncIterable<Uint8Array>, path, { parquetToIpc, ...opts, sizeHint: size });
    } catch (e) {
      if ((e as NodeJS.ErrnoException | null)?.code && !(e instanceof InputError)) throw cannotRead(path, e);
      throw e;
    } finally {
      stream.destroy();
    }
  } finally {
    // Waits for any read still in flight on the handle.
    await fh.close().catch(() => undefined);
  }
}

/** Whether the file is CSV (an explicit format, or what its first bytes say). */
async function looksLikeCsv(fh: FileHandle, path: string, opts: ReadOptions): Promise<boolean> {
  if (opts.format === 'csv') return true;
  const b = new Uint8Array(4096);
  let bytesRead: number;
  try {
    ({ bytesRead } = await fh.read(b, 0, b.length, 0));
  } catch (e) {
    throw cannotRead(path, e);
  }
  try {
    return detectFormat(b.subarray(0, bytesRead), path) === 'csv';
  } catch {
    return false; // not recognised: the sequential read gives the error
  }
}

/**
 * Reads an identities CSV file by path (Node). The path must name a readable regular file: anything
 * else (missing, a directory, a FIFO, socket or device, no permission) is an InputError carrying
 * the reason, raised before any byte is read (src/ingest/input-file.ts).
 */
export async function readIdentities(path: string, opts: ReadIdentitiesOptions = {}): Promise<IdentityTable> {
  const { fh, size } = await openInput(path);
  const stream = fh.createReadStream({ highWaterMark: 1 << 20, start: 0, autoClose: false });
  try {
    return await readIdentitiesFromChunks(stream as AsyncIterable<Uint8Array>, path, { ...opts, sizeHint: size });
  } catch (e) {
    if ((e as NodeJS.ErrnoException | null)?.code && !(e instanceof InputError)) throw cannotRead(path, e);
    throw e;
  } finally {
    stream.destroy();
    await fh.close().catch(() => undefined);
  }
}

