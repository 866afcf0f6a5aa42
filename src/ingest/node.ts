// Reading grants from a file path in Node.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { Grants, ReadOptions } from '../types.js';
import { readGrantsFromChunks, type ParquetToIpc } from './core.js';

const parquetToIpc: ParquetToIpc = async (bytes) => {
  const pq = await import('parquet-wasm');
  return pq.readParquet(bytes, { batchSize: 1 << 20 }).intoIPCStream();
};

/** Reads a grants file (CSV, Arrow IPC, Parquet or integer pairs), streamed in 1 MiB chunks. */
export async function readGrants(path: string, opts: ReadOptions = {}): Promise<Grants> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = s.size;
  } catch (e) {
    throw new InputError(`cannot read the file: ${osReason(e)}`, path);
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await readGrantsFromChunks(stream as AsyncIterable<Uint8Array>, path, { ...opts, sizeHint: size, parquetToIpc });
  } catch (e) {
    if (e instanceof InputError) throw e;
    if ((e as NodeJS.ErrnoException)?.code) throw new InputError(`cannot read the file: ${osReason(e)}`, path);
    throw e;
  } finally {
    stream.destroy();
  }
}

function osReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
  };
  return (code && reasons[code]) ?? (e as Error)?.message ?? String(e);
}
