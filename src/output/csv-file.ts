/**
 * One table written as a CSV file, in chunks of about 1 MiB encoded straight into one reused
 * buffer (csvRowEncoder or wireRowEncoder, src/output/files.ts: the bytes of csvRows' text). Shared by the writer
 * (src/output/write.ts) and its table thread (src/output/table-worker.ts): one encoder, the same
 * bytes on either. Node only.
 */
import { open } from 'node:fs/promises';
import type { RowEncoder } from './files.js';

/**
 * Writes a table of `length` rows to `path` as CSV (its header line, then what `rows` encodes),
 * calling `advance` with the rows of each chunk once it is written (it may throw to stop).
 */
export async function writeCsvFile(path: string, header: string, rows: RowEncoder, length: number, advance: (rows: number) => void): Promise<void> {
  const head = new TextEncoder().encode(header);
  const buf = new Uint8Array(Math.max(1 << 20, 2 * rows.maxRow, head.length));
  const file = await open(path, 'w');
  try {
    buf.set(head);
    let p = head.length;
    let i = 0;
    do {
      const [next, end] = rows.fill(buf, p, i);
      for (let done = 0; done < end; ) done += (await file.write(buf, done, end - done)).bytesWritten;
      advance(next - i);
      i = next;
      p = 0;
    } while (i < length);
  } catch (e) {
    await file.close().catch(() => undefined);
    throw e;
  }
  await file.close();
}
