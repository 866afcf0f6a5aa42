/**
 * Byte-chunk plumbing shared by the readers: progress counting and feeding a record parser across
 * chunk boundaries. Platform-neutral (no Node imports).
 */
import { AbortError } from '../errors.js';

/**
 * Counts bytes as they are read and reports them at most every `intervalMs` (a few times a second);
 * stops the read with AbortError at the next chunk once `signal` is aborted.
 */
export class Progress {
  read = 0;
  private last = 0;
  constructor(
    private readonly onProgress: ((bytesRead: number, bytesTotal: number) => void) | undefined,
    private readonly total: number,
    private readonly intervalMs = 250,
    private readonly signal?: AbortSignal,
  ) {
    this.last = Date.now();
  }

  /** Wraps `chunks`, counting each chunk as it passes. */
  async *count(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    if (this.signal?.aborted) throw new AbortError();
    for await (const c of chunks) {
      if (this.signal?.aborted) throw new AbortError();
      this.add(c.byteLength);
      yield c;
    }
  }

  add(n: number): void {
    this.read += n;
    if (!this.onProgress) return;
    const now = Date.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.onProgress(this.read, this.total);
    }
  }

  /** One last report once the input is read (an Arrow file's unread footer counts as read). */
  done(): void {
    this.onProgress?.(Math.max(this.read, this.total), this.total);
  }
}

/**
 * Parses the records in `b[start, end)` and returns the offset after the last complete record.
 * With `final` false the parser must stop before a record that might continue in the next chunk;
 * with `final` true the input ends at `end` and every byte must be consumed (or an error thrown).
 */
export type RecordParser = (b: Uint8Array, start: number, end: number, final: boolean) => number;

/**
 * Feeds `chunks` to `parse`. Chunks are parsed in place; only an incomplete record at the end of a
 * chunk is copied and joined with what follows. When a record is still incomplete after a retry, the
 * next retry waits until the buffered bytes have doubled, so a huge record (or an unbalanced quote
 * running to the end of a large file) costs linear, not quadratic, rescanning.
 */
export async function feedRecords(chunks: AsyncIterable<Uint8Array>, parse: RecordParser): Promise<void> {
  let pend = new Uint8Array(0);
  let pendLen = 0;
  let retryAt = 0;
  const reserve = (n: number) => {
    if (n <= pend.length) return;
    let cap = Math.max(1 << 16, pend.length * 2);
    while (cap < n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(pend.subarray(0, pendLen));
    pend = next;
  };
  for await (const chunk of chunks) {
    const n = chunk.byteLength;
    if (n === 0) continue;
    if (pendLen === 0) {
      const used = parse(chunk, 0, n, false);
      if (used < n) {
        reserve(n - used);
        pend.set(chunk.subarray(used), 0);
        pendLen = n - used;
        retryAt = used === 0 ? 2 * pendLen : 0;
      }
      continue;
    }
    reserve(pendLen + n);
    pend.set(chunk, pendLen);
    pendLen += n;
    if (pendLen < retryAt) continue;
    const used = parse(pend, 0, pendLen, false);
    if (used > 0) pend.copyWithin(0, used, pendLen);
    pendLen -= used;
    retryAt = used === 0 ? 2 * pendLen : 0;
  }
  parse(pend, 0, pendLen, true);
}

/** The first `upTo` bytes of `parts`, joined. */
export function concatBytes(parts: Uint8Array[], upTo: number): Uint8Array {
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

/** True when `b` starts with the UTF-8 byte order mark at `at`. */
export function hasBom(b: Uint8Array, at: number, end: number): boolean {
  return end - at >= 3 && b[at] === 0xef && b[at + 1] === 0xbb && b[at + 2] === 0xbf;
}
