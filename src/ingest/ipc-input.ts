/**
 * The byte source of an Arrow IPC read, watched for truncation (platform-neutral).
 *
 * apache-arrow reads a stream that stops between two messages as a complete stream, and a stream
 * that stops inside one with an error about byte counts; a file whose end is missing it reads as
 * far as it goes when its schema comes first (the streamed layout, see arrow.ts). So the reader
 * pulls its chunks through `IpcInput`, which follows the IPC framing on the side (message prefix,
 * flatbuffer metadata, body length) and keeps the file's last bytes, and says at the end whether
 * the input was cut short:
 *
 * - File format (starts with `ARROW1`): it must end with `<footer length: int32> ARROW1`, the
 *   length fitting in the file. A file that does not was cut short (a writer that died after some
 *   batches), however many complete batches it holds.
 * - Stream format: a stream that ends inside a message (its prefix, metadata or body, the
 *   end-of-stream marker included) was cut short. A stream that ends exactly between two messages
 *   without the end-of-stream marker is read as complete: the IPC format lets a writer end a stream
 *   by closing it, so such a stream cannot be told from a whole one.
 *
 * Following the framing costs a few bytes of copying per message (its prefix and metadata), never
 * anything per row; bodies are skipped.
 */
import { Message } from 'apache-arrow';

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
/** Footer length (int32) + closing magic. */
const TRAILER = 10;

const enum State {
  /** The first 8 bytes: the file magic and its padding, or the stream's first prefix. */
  Start,
  /** A 4-byte prefix word: the continuation marker 0xFFFFFFFF, or a metadata length. */
  Prefix,
  Meta,
  Body,
  /** After the end-of-stream marker: only counted (a file's footer and trailer). */
  Ended,
  /** The framing made no sense; no conclusion is drawn from it (the decoder reports what it finds). */
  Lost,
}

export class IpcInput {
  /** Whether the source has no more bytes. */
  exhausted = false;
  /** Bytes seen. */
  size = 0;
  /** The input is the IPC file format (known after its first 8 bytes). */
  file = false;
  private readonly it: AsyncIterator<Uint8Array>;
  private readonly tail = new Uint8Array(TRAILER);
  private state = State.Start;
  /** Bytes wanted and had in the current accumulating state (Start, Prefix, Meta) or body. */
  private need = 8;
  private got = 0;
  private acc = new Uint8Array(64);
  /** Complete messages so far (the end-of-stream marker not counted). */
  private messages = 0;
  /** Whether the current message's continuation marker was read. */
  private continued = false;
  private metaLength = 0;
  private bodyLength = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.exhausted) return { done: true, value: undefined };
    const r = await this.it.next();
    if (r.done) this.exhausted = true;
    else if (r.value.byteLength > 0) this.feed(r.value);
    return r;
  }

  /** Reads the rest of the input (a file's footer after the stream reader stopped at its end marker). */
  async drain(): Promise<void> {
    while (!this.exhausted) await this.next();
  }

  /** Releases the source early. */
  async close(): Promise<void> {
    if (!this.exhausted) await this.it.return?.(undefined);
  }

  /** Whether the stream's end-of-stream marker has been seen. */
  get ended(): boolean {
    return this.state === State.Ended;
  }

  /**
   * Once the input is exhausted: how it was cut short ("truncated: ..."), or null when it was not
   * (or cannot be told). Before that, null.
   */
  truncation(): string | null {
    if (!this.exhausted) return null;
    if (this.state === State.Start && this.got > 0) {
      // Fewer than 8 bytes in all: the file magic, or the start of a stream.
      if (this.got >= MAGIC.length && MAGIC.every((m, i) => this.acc[i] === m)) this.file = true;
      else {
        const head = this.acc.slice(0, this.got);
        this.expect(State.Prefix, 4);
        this.follow(head);
      }
    }
    if (this.file) {
      return this.trailerFits() ? null : 'truncated: it does not end with the footer and closing ARROW1 magic';
    }
    const k = this.messages + 1;
    let where: string;
    switch (this.state) {
      case State.Prefix:
        if (this.got === 0 && !this.continued) return null; // between two messages
        where = 'in its 8-byte prefix';
        break;
      case State.Meta:
        where = `in its metadata, ${this.got} of ${this.metaLength} bytes`;
        break;
      case State.Body:
        where = `in its body, ${this.got} of ${this.bodyLength} bytes`;
        break;
      default:
        return null;
    }
    // Bytes that are not Arrow at all also "end inside" the first message they seem to begin.
    return `${k === 1 ? 'truncated, or not Arrow IPC data' : 'truncated'}: it ends inside message ${k} (${where})`;
  }

  /** The file ends with a footer length that fits between the leading magic and the trailer, then ARROW1. */
  private trailerFits(): boolean {
    if (this.size < 8 + TRAILER) return false;
    const t = this.tail;
    if (!MAGIC.every((m, i) => t[4 + i] === m)) return false;
    const footer = new DataView(t.buffer).getInt32(0, true);
    return footer > 0 && 8 + footer + TRAILER <= this.size;
  }

  private feed(b: Uint8Array): void {
    this.size += b.byteLength;
    const n = b.byteLength;
    if (n >= TRAILER) this.tail.set(b.subarray(n - TRAILER));
    else {
      this.tail.copyWithin(0, n);
      this.tail.set(b, TRAILER - n);
    }
    this.follow(b);
  }

  /** Advances the framing state machine over `b`. */
  private follow(b: Uint8Array): void {
    let p = 0;
    while (p < b.byteLength) {
      if (this.state === State.Ended || this.state === State.Lost) return;
      if (this.state === State.Body) {
        const k = Math.min(this.bodyLength - this.got, b.byteLength - p);
        this.got += k;
        p += k;
        if (this.got === this.bodyLength) this.messageDone();
        continue;
      }
      const k = Math.min(this.need - this.got, b.byteLength - p);
      if (this.acc.length < this.need) {
        const next = new Uint8Array(Math.max(this.need, 2 * this.acc.length));
        next.set(this.acc.subarray(0, this.got));
        this.acc = next;
      }
      this.acc.set(b.subarray(p, p + k), this.got);
      this.got += k;
      p += k;
      if (this.got === this.need) this.complete();
    }
  }

  private expect(state: State, need: number): void {
    this.state = state;
    this.need = need;
    this.got = 0;
  }

  private messageDone(): void {
    this.messages++;
    this.continued = false;
    this.expect(State.Prefix, 4);
  }

  private complete(): void {
    const view = new DataView(this.acc.buffer, this.acc.byteOffset, this.got);
    switch (this.state) {
      case State.Start: {
        this.file = MAGIC.every((m, i) => this.acc[i] === m);
        this.expect(State.Prefix, 4);
        // A stream's first 8 bytes are its first message's prefix: read them as such.
        if (!this.file) this.follow(this.acc.slice(0, 8));
        return;
      }
      case State.Prefix: {
        const v = view.getInt32(0, true);
        if (v === -1 && !this.continued) {
          this.continued = true;
          this.expect(State.Prefix, 4);
        } else if (v === 0) this.expect(State.Ended, 0);
        else if (v < 0) this.expect(State.Lost, 0);
        else {
          this.metaLength = v;
          this.expect(State.Meta, v);
        }
        return;
      }
      case State.Meta: {
        let body: number;
        try {
          body = Message.decode(this.acc.subarray(0, this.metaLength)).bodyLength;
        } catch {
          body = -1;
        }
        if (!Number.isSafeInteger(body) || body < 0) this.expect(State.Lost, 0);
        else if (body === 0) this.messageDone();
        else {
          this.bodyLength = body;
          this.expect(State.Body, body);
        }
        return;
      }
    }
  }
}
