/**
 * The byte source of an Arrow IPC read, watched for truncation and checked for corrupt framing
 * (platform-neutral).
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
 *   by closing it, so such a stream cannot be told from a whole one. When the input's size is
 *   known, a message whose metadata or body would run past the end is reported as soon as its
 *   length is read, in the same words, rather than after apache-arrow has buffered the rest.
 *
 * Corrupt framing. apache-arrow trusts every length and count it reads: a flatbuffer vector that
 * says two billion entries is decoded entry by entry (a schema whose field list said so took
 * 4.6 GB, then the process died), a file footer's block that holds anything but a record batch is
 * read again and again forever, a record batch with more rows than its columns have values gets
 * null bitmaps allocated for the declared rows. So every message's metadata is checked before
 * apache-arrow is given the bytes that complete it (`IpcInput.problem`, which arrow.ts throws
 * before passing a chunk on), and a file read through its footer is checked whole first
 * (`fileProblem`). The checks:
 *
 * - The flatbuffer (a Message, a Footer): every position apache-arrow's generated readers read,
 *   every vector and string, lies within the metadata bytes; references point forward (as every
 *   flatbuffers builder writes them, so there are no cycles); tables nest at most 128 deep (the
 *   depth Arrow C++'s verifier allows); and what the decoder visits, counted each time it is
 *   referenced, adds up to at most twice the bytes plus 64 (a builder writes each table, vector and
 *   string once, so they add up to at most the bytes; a buffer referring to one piece many times
 *   over would be decoded that many times).
 * - The message: one of the kinds an IPC stream holds (Schema, DictionaryBatch, RecordBatch); one
 *   Schema, first; every length, count and offset a non-negative safe integer; every buffer within
 *   the body; the variadic buffer counts within the buffers; as many
 *   field nodes as the schema's columns need; every top-level column as long as the batch; no
 *   column with more values than its buffers could hold within the body (N values of a fixed-width
 *   type need N times the width in its data buffer, of a type with offsets N offsets; not checked
 *   for a compressed body, which apache-arrow refuses anyway: rolemill registers no codec); a
 *   dictionary batch for a dictionary of the schema.
 * - The file footer (`fileProblem`): every block within the bytes between the leading magic and
 *   the footer, holding a message of its kind (a block of another kind is what apache-arrow re-read
 *   forever) whose metadata and body fit there too, and no two blocks' messages overlapping (so no
 *   message is read twice, and the blocks are no more than the file can hold).
 *
 * Each of these holds for anything an Arrow writer produces, but one: a dictionary of values that
 * take no bytes (type Null, a struct of nothing) could in principle have more entries than the
 * input has bytes. apache-arrow allocates per dictionary entry, so such a dictionary is refused.
 *
 * Following the framing costs a few bytes of copying per message (its prefix and metadata) and the
 * checks a pass over the metadata, never anything per row; bodies are skipped.
 */
import { DataType, Message, MessageHeader, type Schema } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import type { RecordBatch as BatchMeta } from 'apache-arrow/ipc/metadata/message';

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
/** Footer length (int32) + closing magic. */
const TRAILER = 10;

/** `n` with thousands separators (1,234,567). */
function num(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const enum State {
  /** The first 8 bytes: the file magic and its padding, or the stream's first prefix. */
  Start,
  /** A 4-byte prefix word: the continuation marker 0xFFFFFFFF, or a metadata length. */
  Prefix,
  Meta,
  Body,
  /** After the end-of-stream marker: only counted (a file's footer and trailer). */
  Ended,
  /** The framing made no sense (see `problem`), or apache-arrow will say what is wrong: no conclusion is drawn from it. */
  Lost,
}

export class IpcInput {
  /** Whether the source has no more bytes. */
  exhausted = false;
  /** Bytes seen. */
  size = 0;
  /** The input is the IPC file format (known after its first 8 bytes). */
  file = false;
  /**
   * The first thing found wrong with the framing ("corrupt: ...", or "truncated..." when the
   * input's size is known and a message runs past it), or null. Once set, the framing is no longer
   * followed. A stream must not be read past it; a file read through its footer does not read its
   * embedded stream in order and is checked by `fileProblem` instead.
   */
  problem: string | null = null;
  /** The header type of the first message, once its metadata was read and checked. */
  first: MessageHeader | null = null;
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
  /** The position of the next byte followed, and of the current message's prefix. */
  private at = 0;
  private messageAt = 0;
  private schema: Schema | null = null;
  private cut: string | null = null;

  /** @param total the input's exact size in bytes, when known. */
  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly total?: number,
  ) {
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
        this.at = 0;
        this.expect(State.Prefix, 4);
        this.follow(head);
      }
    }
    if (this.file) {
      return this.trailerFits() ? null : 'truncated: it does not end with the footer and closing ARROW1 magic';
    }
    if (this.cut) return this.cut;
    switch (this.state) {
      case State.Prefix:
        if (this.got === 0 && !this.continued) return null; // between two messages
        return this.endsInside('in its 8-byte prefix');
      case State.Meta:
        return this.endsInside(`in its metadata, ${this.got} of ${this.metaLength} bytes`);
      case State.Body:
        return this.endsInside(`in its body, ${this.got} of ${this.bodyLength} bytes`);
      default:
        return null;
    }
  }

  /** "truncated: it ends inside message k (where)". */
  private endsInside(where: string): string {
    const k = this.messages + 1;
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
        this.at += k;
        p += k;
        if (this.got === this.bodyLength) this.messageDone();
        continue;
      }
      const k = Math.min(this.need - this.got, b.byteLength - p);
      // Grown as bytes arrive, never to a length only declared.
      if (this.acc.length < this.got + k) {
        const next = new Uint8Array(Math.min(this.need, Math.max(this.got + k, 2 * this.acc.length)));
        next.set(this.acc.subarray(0, this.got));
        this.acc = next;
      }
      this.acc.set(b.subarray(p, p + k), this.got);
      this.got += k;
      this.at += k;
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
    this.messageAt = this.at;
    this.expect(State.Prefix, 4);
  }

  private corrupt(why: string): void {
    this.problem ??= `corrupt: ${why}`;
    this.expect(State.Lost, 0);
  }

  /**
   * The message needs `need` more bytes: when the size is known and it has no such bytes, a stream
   * was cut short (said now, in the words `truncation` would use at the end). A file's end is
   * judged by its trailer, at the end: its embedded stream is no longer followed (apache-arrow
   * buffers at most the rest of the file, which the footer path holds whole anyway).
   */
  private runsPastEnd(need: number, where: (have: number) => string): boolean {
    if (this.total === undefined || this.at + need <= this.total) return false;
    if (!this.file) {
      this.cut = this.endsInside(where(Math.max(0, this.total - this.at)));
      this.problem ??= this.cut;
    }
    this.expect(State.Lost, 0);
    return true;
  }

  private complete(): void {
    const view = new DataView(this.acc.buffer, this.acc.byteOffset, this.got);
    switch (this.state) {
      case State.Start: {
        this.file = MAGIC.every((m, i) => this.acc[i] === m);
        this.expect(State.Prefix, 4);
        this.messageAt = this.at;
        // A stream's first 8 bytes are its first message's prefix: read them as such.
        if (!this.file) {
          this.at = this.messageAt = 0;
          this.follow(this.acc.slice(0, 8));
        }
        return;
      }
      case State.Prefix: {
        const v = view.getInt32(0, true);
        const k = this.messages + 1;
        if (v === -1 && !this.continued) {
          this.continued = true;
          this.expect(State.Prefix, 4);
        } else if (v === 0) this.expect(State.Ended, 0);
        else if (v < 0) this.corrupt(`message ${k} (at byte ${num(this.messageAt)}) says its metadata is ${num(v)} bytes long`);
        else if (!this.runsPastEnd(v, (have) => `in its metadata, ${have} of ${v} bytes`)) {
          this.metaLength = v;
          this.expect(State.Meta, v);
        }
        return;
      }
      case State.Meta: {
        const body = this.checkMessage(this.acc.subarray(0, this.metaLength));
        if (body === null) return;
        if (body === 0) this.messageDone();
        else if (!this.runsPastEnd(body, (have) => `in its body, ${have} of ${body} bytes`)) {
          this.bodyLength = body;
          this.expect(State.Body, body);
        }
        return;
      }
    }
  }

  /** Checks message k's metadata (see the module comment): its body length, or null (then `problem` says why, or the decoder will). */
  private checkMessage(meta: Uint8Array): number | null {
    const k = this.messages + 1;
    const where = `message ${k} (at byte ${num(this.messageAt)})`;
    let head: MessageHead;
    try {
      head = verifyMessage(meta);
    } catch (e) {
      if (!(e instanceof FbError)) throw e;
      this.corrupt(`${where}: its ${num(meta.byteLength)}-byte metadata is not a valid Arrow IPC message: ${e.message}`);
      return null;
    }
    if (k === 1) this.first = head.headerType;
    const kind = head.headerType;
    if (kind !== MessageHeader.Schema && kind !== MessageHeader.RecordBatch && kind !== MessageHeader.DictionaryBatch) {
      this.corrupt(`${where} is ${headerName(kind)}; an IPC stream holds only Schema, DictionaryBatch and RecordBatch messages`);
      return null;
    }
    if (kind === MessageHeader.Schema && this.messages > 0) {
      this.corrupt(`${where} is a second Schema; a stream has one, its first message`);
      return null;
    }
    let header: Schema | BatchMeta | { id: number; data: BatchMeta };
    try {
      header = Message.decode(meta).header() as typeof header;
    } catch (e) {
      // Checked as a flatbuffer, so something apache-arrow does not support: a schema's type it
      // does not know, which it says when it decodes the schema itself.
      if (kind === MessageHeader.Schema) this.expect(State.Lost, 0);
      else this.corrupt(`${where}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
    if (kind === MessageHeader.Schema) this.schema = header as Schema;
    else {
      const why = messageProblem(kind, header as BatchMeta | DictionaryMeta, head.bodyLength, this.schema, this.total ?? this.at + head.bodyLength);
      if (why) {
        this.corrupt(`${where}, a ${kind === MessageHeader.RecordBatch ? 'RecordBatch' : 'DictionaryBatch'}: ${why}`);
        return null;
      }
    }
    return head.bodyLength;
  }
}

type DictionaryMeta = { id: number; isDelta: boolean; data: BatchMeta };

function headerName(type: number): string {
  return type === MessageHeader.NONE ? 'a message without a header' : MessageHeader[type] ? `a ${MessageHeader[type]} message` : `a message of unknown type ${type}`;
}

/**
 * Why a record batch or dictionary batch (decoded, its flatbuffer checked) cannot be what its
 * schema lays out in its body, or null. Without the schema (a file's embedded stream before the
 * footer is read), only what needs none.
 * @param inputBytes the input's size, or the bytes up to the end of this message (the bound on a
 *   dictionary of values that take no bytes)
 */
function messageProblem(kind: MessageHeader, header: BatchMeta | DictionaryMeta, body: number, schema: Schema | null, inputBytes: number): string | null {
  if (kind === MessageHeader.RecordBatch) {
    const columns = schema ? schema.fields.map((f) => ({ name: quote(f.name), type: f.type as DataType })) : null;
    return batchProblem(header as BatchMeta, body, columns);
  }
  const d = header as DictionaryMeta;
  if (!schema) return batchProblem(d.data, body, null);
  const type = schema.dictionaries.get(d.id) as DataType | undefined;
  if (type === undefined) return `it is for dictionary ${d.id}, which no column of the schema has`;
  const column = schema.fields.find((f) => DataType.isDictionary(f.type) && f.type.id === d.id);
  const name = `dictionary ${d.id}${column ? ` (of column ${quote(column.name)})` : ''}`;
  const why = batchProblem(d.data, body, [{ name, type }]);
  if (why) return why;
  if (width(type) === 0 && d.data.length > inputBytes) {
    return `its ${name} says ${num(d.data.length)} entries of type ${String(type)}, which take no bytes: more than the input's ${num(inputBytes)} bytes, which no writer would write`;
  }
  return null;
}

function quote(name: string): string {
  return JSON.stringify(name);
}

/**
 * Bytes that each value of `type` takes at least in one of its buffers (0 where there is no such
 * bound: Null, structs, fixed-size lists, a width the type does not have). Offsets count once per
 * value (a column of N values has N + 1).
 */
function width(type: DataType): number {
  const t = type as DataType & { bitWidth?: number; precision?: number; unit?: number; byteWidth?: number; indices?: { bitWidth: number } };
  const bits = (b: number | undefined) => (b === 8 || b === 16 || b === 32 || b === 64 || b === 128 || b === 256 ? b / 8 : 0);
  if (DataType.isDictionary(t)) return bits(t.indices!.bitWidth);
  if (DataType.isInt(t) || DataType.isTime(t)) return bits(t.bitWidth);
  if (DataType.isDecimal(t)) return bits(t.bitWidth);
  if (DataType.isFloat(t)) return [2, 4, 8][t.precision!] ?? 0;
  if (DataType.isBool(t)) return 1 / 8;
  if (DataType.isUtf8(t) || DataType.isBinary(t) || DataType.isList(t) || DataType.isMap(t)) return 4;
  if (DataType.isLargeUtf8(t) || DataType.isLargeBinary(t) || DataType.isLargeList(t)) return 8;
  if (DataType.isUtf8View(t) || DataType.isBinaryView(t)) return 16;
  if (DataType.isFixedSizeBinary(t)) return t.byteWidth! > 0 ? t.byteWidth! : 0;
  if (DataType.isDate(t)) return [4, 8][t.unit!] ?? 0;
  if (DataType.isTimestamp(t) || DataType.isDuration(t)) return 8;
  if (DataType.isInterval(t)) return [4, 8, 16][t.unit!] ?? 0;
  if (DataType.isUnion(t)) return 1; // a type id per value
  return 0;
}

/**
 * Why the batch cannot hold `columns` (the schema's, in order) in its `body`-byte body, or null;
 * see the module comment. Field nodes are matched to columns as apache-arrow's loader takes them:
 * a column's node, then its children's, depth first (a dictionary-encoded column has one).
 */
function batchProblem(b: BatchMeta, body: number, columns: { name: string; type: DataType }[] | null): string | null {
  if (b.length < 0) return `it says it has ${num(b.length)} rows`;
  for (const [i, r] of b.buffers.entries()) {
    if (r.offset < 0 || r.length < 0 || r.offset + r.length > body) {
      return `its buffer ${i + 1} (${num(r.length)} bytes at offset ${num(r.offset)}) does not fit in its ${num(body)}-byte body`;
    }
  }
  let variadic = 0;
  for (const c of b.variadicBufferCounts) {
    if (c < 0) return `it says a column has ${num(c)} variadic buffers`;
    variadic += c;
  }
  if (variadic > b.buffers.length) return `its variadic buffer counts add up to ${num(variadic)}, more than its ${num(b.buffers.length)} buffers`;
  // (A null count is not checked: apache-arrow's own writer writes -1, "unknown", for a sliced
  // Null column, and apache-arrow reads any value harmlessly.)
  for (const [i, n] of b.nodes.entries()) if (n.length < 0) return `its field node ${i + 1} says it has ${num(n.length)} values`;
  if (!columns) return null;
  const sized = b.compression === null;
  let k = 0;
  const visit = (name: string, type: DataType, top: boolean): string | null => {
    const n = b.nodes[k++];
    if (!n) return `it has ${num(b.nodes.length)} field nodes, fewer than the columns of its schema need`;
    if (top && n.length !== b.length) return `its column ${name} has ${num(n.length)} values for its ${num(b.length)} rows`;
    const w = width(type);
    if (sized && n.length * w > body) {
      return `its column ${name} says ${num(n.length)} values of type ${String(type)}, at least ${num(Math.ceil(n.length * w))} bytes, more than its ${num(body)}-byte body`;
    }
    if (DataType.isDictionary(type)) return null;
    for (const c of (type.children ?? []) as ({ name: string; type: DataType } | undefined)[]) {
      if (!c) continue; // apache-arrow cannot load it either, and says so
      const why = visit(`${name}.${quote(c.name)}`, c.type, false);
      if (why) return why;
    }
    return null;
  };
  for (const c of columns) {
    const why = visit(c.name, c.type, true);
    if (why) return why;
  }
  return null;
}

/**
 * For an IPC file read through its footer (the whole file in `b`, its trailer checked): why it
 * cannot be read (see the module comment), or null. Footer and messages are decoded by
 * apache-arrow only once their flatbuffers are checked.
 */
export function fileProblem(b: Uint8Array): string | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const footerLength = dv.getInt32(b.byteLength - TRAILER, true);
  const end = b.byteLength - TRAILER - footerLength; // where the footer starts: messages lie in [8, end)
  const bytes = b.subarray(end, b.byteLength - TRAILER);
  let blocks: Block[];
  try {
    blocks = verifyFooter(bytes);
  } catch (e) {
    if (!(e instanceof FbError)) throw e;
    return `corrupt: its footer (${num(footerLength)} bytes at byte ${num(end)}) is not a valid Arrow IPC footer: ${e.message}`;
  }
  let schema: Schema;
  try {
    schema = Footer.decode(bytes).schema;
  } catch {
    return null; // something apache-arrow does not support (a type it does not know): it says so
  }
  // In the order of the bytes, so that each message is checked once and none overlaps the last.
  blocks.sort((x, y) => x.offset - y.offset);
  let free = 8;
  let last = '';
  for (const blk of blocks) {
    const where = `${blk.kind === MessageHeader.RecordBatch ? 'record batch' : 'dictionary batch'} ${num(blk.index + 1)} (the footer's block at byte ${num(blk.offset)})`;
    if (blk.offset < 8 || blk.metaDataLength <= 0 || blk.bodyLength < 0 || blk.offset + blk.metaDataLength + blk.bodyLength > end) {
      return (
        `corrupt: ${where}: its ${num(blk.metaDataLength)}-byte metadata and ${num(blk.bodyLength)}-byte body do not fit ` +
        `between the file's leading magic and its footer (bytes 8 to ${num(end)})`
      );
    }
    if (blk.offset < free) return `corrupt: ${where} overlaps ${last}`;
    let at = blk.offset;
    let metaLength = dv.getInt32(at, true);
    if (metaLength === -1 && at + 8 <= end) {
      metaLength = dv.getInt32(at + 4, true);
      at += 8;
    } else at += 4;
    if (metaLength <= 0 || at + metaLength > end) {
      return `corrupt: ${where}: the message there says its metadata is ${num(metaLength)} bytes, which do not fit before the footer at byte ${num(end)}`;
    }
    const meta = b.subarray(at, at + metaLength);
    let head: MessageHead;
    try {
      head = verifyMessage(meta);
    } catch (e) {
      if (!(e instanceof FbError)) throw e;
      return `corrupt: ${where}: its ${num(metaLength)}-byte metadata is not a valid Arrow IPC message: ${e.message}`;
    }
    if (head.headerType !== blk.kind) {
      return `corrupt: ${where} holds ${headerName(head.headerType)}, not a ${blk.kind === MessageHeader.RecordBatch ? 'RecordBatch' : 'DictionaryBatch'}`;
    }
    at += metaLength;
    if (at + head.bodyLength > end) {
      return `corrupt: ${where}: its message's ${num(head.bodyLength)}-byte body does not fit before the footer at byte ${num(end)}`;
    }
    let header: BatchMeta | DictionaryMeta;
    try {
      header = Message.decode(meta).header() as BatchMeta | DictionaryMeta;
    } catch {
      return null; // as above
    }
    const why = messageProblem(head.headerType, header, head.bodyLength, schema, b.byteLength);
    if (why) return `corrupt: ${where}: ${why}`;
    free = at + head.bodyLength;
    last = where;
  }
  return null;
}

// --- Flatbuffers ------------------------------------------------------------------------------------

/** Why a flatbuffer is refused; the message names the piece (Schema.fields[1].name). */
class FbError extends Error {}

const MAX_DEPTH = 128;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Reads a flatbuffer the way flatbuffers' JavaScript `ByteBuffer` (apache-arrow's generated
 * readers) does, checking each position it would read (see the module comment). That reader reads
 * past the end as zeros and follows offsets anywhere, so what it decodes from a corrupt buffer is
 * bounded only by these checks.
 */
class Fb {
  private readonly dv: DataView;
  private readonly n: number;
  /** Bytes of tables, vectors and strings still allowed to be visited. */
  private left: number;

  constructor(b: Uint8Array) {
    this.n = b.byteLength;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.left = 2 * this.n + 64;
  }

  fail(why: string): never {
    throw new FbError(why);
  }

  private within(p: number, size: number, what: string): void {
    if (p < 0 || p + size > this.n) this.fail(`${what} (at byte ${num(p)}, ${size} bytes) lies outside the ${num(this.n)} bytes`);
  }

  private spend(bytes: number, what: string): void {
    this.left -= bytes;
    if (this.left < 0) this.fail(`at ${what}, the tables, vectors and strings read (each time they are referred to) add up to more than twice its ${num(this.n)} bytes`);
  }

  u8(p: number): number {
    return this.dv.getUint8(p);
  }

  i16(p: number): number {
    return this.dv.getInt16(p, true);
  }

  i32(p: number): number {
    return this.dv.getInt32(p, true);
  }

  /** The int64 at `p` (already checked within) as a number; one that is not a safe integer is refused. */
  safe(p: number, what: string): number {
    const v = this.dv.getBigInt64(p, true);
    if (v > SAFE || v < -SAFE) this.fail(`${what} is ${v}, not a usable length`);
    return Number(v);
  }

  /** The root table's position. */
  root(what: string): number {
    this.within(0, 4, 'the root offset');
    return this.table(this.ref(0, what), what, 0);
  }

  /** Checks the table at `p` (its vtable offset, its vtable's length word) and returns `p`. */
  table(p: number, what: string, depth: number): number {
    if (depth > MAX_DEPTH) this.fail(`${what} is nested more than ${MAX_DEPTH} tables deep`);
    this.within(p, 4, what);
    this.spend(4, what);
    this.within(p - this.i32(p), 2, `${what}'s vtable`);
    return p;
  }

  /** Where field `slot` of the table at `t` is (as flatbuffers' `__offset` finds it), its `size` bytes checked; -1 when absent. */
  field(t: number, slot: number, size: number, what: string): number {
    const vt = t - this.i32(t);
    const entry = 4 + 2 * slot;
    if (entry >= this.i16(vt)) return -1;
    this.within(vt + entry, 2, `${what}'s vtable entry`);
    const o = this.i16(vt + entry);
    if (o === 0) return -1;
    // A field lies after its table's offset to the vtable (builders write offsets 4..32767).
    if (o < 4) this.fail(`${what} is at offset ${o} in its table, inside the table's own header`);
    this.within(t + o, size, what);
    return t + o;
  }

  /** The target of the offset stored at `p` (checked within): forward, as builders write them. */
  ref(p: number, what: string): number {
    this.within(p, 4, what);
    const u = this.i32(p);
    if (u <= 0) this.fail(`${what} points ${u === 0 ? 'at itself' : 'backwards'} (offset ${num(u)} at byte ${num(p)})`);
    return p + u;
  }

  /** The table in field `slot`, checked; -1 when absent. */
  sub(t: number, slot: number, what: string, depth: number): number {
    const p = this.field(t, slot, 4, what);
    return p < 0 ? -1 : this.table(this.ref(p, what), what, depth + 1);
  }

  /** The vector of `size`-byte entries in field `slot`: its start and length, checked; null when absent. */
  vector(t: number, slot: number, size: number, what: string): [number, number] | null {
    const p = this.field(t, slot, 4, what);
    if (p < 0) return null;
    const q = this.ref(p, what);
    this.within(q, 4, `${what}'s length`);
    const count = this.i32(q);
    const start = q + 4;
    if (count < 0 || start + count * size > this.n) {
      const entries = size === 1 ? `${num(count)} bytes` : `${num(count)} entries of ${size} bytes`;
      this.fail(`${what} says ${entries}, more than the ${num(Math.max(0, this.n - start))} bytes after it`);
    }
    this.spend(4 + count * size, what);
    return [start, count];
  }

  string(t: number, slot: number, what: string): void {
    this.vector(t, slot, 1, what);
  }

  /** Calls `each` with every table of the vector of tables in field `slot`. */
  tables(t: number, slot: number, what: string, depth: number, each: (table: number, what: string) => void): void {
    const v = this.vector(t, slot, 4, what);
    if (!v) return;
    for (let i = 0; i < v[1]; i++) {
      const name = `${what}[${i}]`;
      each(this.table(this.ref(v[0] + 4 * i, name), name, depth + 1), name);
    }
  }
}

interface MessageHead {
  headerType: number;
  bodyLength: number;
}

/** Checks a Message flatbuffer as apache-arrow's `Message.decode(...).header()` reads it. */
function verifyMessage(b: Uint8Array): MessageHead {
  const fb = new Fb(b);
  const m = fb.root('Message');
  const vp = fb.field(m, 0, 2, 'Message.version');
  const version = vp < 0 ? 0 : fb.i16(vp); // absent: V1
  const hp = fb.field(m, 1, 1, 'Message.header_type');
  const headerType = hp < 0 ? MessageHeader.NONE : fb.u8(hp);
  const h = fb.field(m, 2, 4, 'Message.header');
  const bp = fb.field(m, 3, 8, 'Message.bodyLength');
  const bodyLength = bp < 0 ? 0 : fb.safe(bp, 'Message.bodyLength');
  if (bodyLength < 0) fb.fail(`Message.bodyLength is ${num(bodyLength)}`);
  keyValues(fb, m, 4, 'Message', 0);
  if (headerType === MessageHeader.Schema || headerType === MessageHeader.RecordBatch || headerType === MessageHeader.DictionaryBatch) {
    const name = MessageHeader[headerType]!;
    if (h < 0) fb.fail(`Message.header (a ${name}) is missing`);
    const t = fb.table(fb.ref(h, name), name, 1);
    if (headerType === MessageHeader.Schema) schemaTable(fb, t, name, 1);
    else if (headerType === MessageHeader.RecordBatch) recordBatchTable(fb, t, version, name, 1);
    else {
      const id = fb.field(t, 0, 8, `${name}.id`);
      if (id >= 0) fb.safe(id, `${name}.id`);
      const data = fb.sub(t, 1, `${name}.data`, 1);
      if (data < 0) fb.fail(`${name}.data is missing`);
      recordBatchTable(fb, data, version, `${name}.data`, 2);
      fb.field(t, 2, 1, `${name}.isDelta`);
    }
  }
  return { headerType, bodyLength };
}

interface Block {
  kind: MessageHeader;
  index: number;
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

/** Checks a Footer flatbuffer as apache-arrow's `Footer.decode` and its blocks read it; returns the blocks. */
function verifyFooter(b: Uint8Array): Block[] {
  const fb = new Fb(b);
  const f = fb.root('Footer');
  fb.field(f, 0, 2, 'Footer.version');
  const s = fb.sub(f, 1, 'Footer.schema', 0);
  if (s < 0) fb.fail('Footer.schema is missing');
  schemaTable(fb, s, 'Footer.schema', 1);
  const blocks: Block[] = [];
  for (const [slot, kind, name] of [
    [2, MessageHeader.DictionaryBatch, 'Footer.dictionaries'],
    [3, MessageHeader.RecordBatch, 'Footer.recordBatches'],
  ] as const) {
    const v = fb.vector(f, slot, 24, name);
    if (!v) continue;
    for (let i = 0; i < v[1]; i++) {
      const p = v[0] + 24 * i; // struct Block { offset: long; metaDataLength: int; (pad) bodyLength: long }
      const offset = fb.safe(p, `${name}[${i}].offset`);
      const bodyLength = fb.safe(p + 16, `${name}[${i}].bodyLength`);
      blocks.push({ kind, index: i, offset, metaDataLength: fb.i32(p + 8), bodyLength });
    }
  }
  return blocks;
}

function keyValues(fb: Fb, t: number, slot: number, what: string, depth: number): void {
  fb.tables(t, slot, `${what}.custom_metadata`, depth, (kv, name) => {
    fb.string(kv, 0, `${name}.key`);
    fb.string(kv, 1, `${name}.value`);
  });
}

function schemaTable(fb: Fb, t: number, what: string, depth: number): void {
  fb.field(t, 0, 2, `${what}.endianness`);
  fb.tables(t, 1, `${what}.fields`, depth, (f, name) => fieldTable(fb, f, name, depth + 1));
  keyValues(fb, t, 2, what, depth);
}

/**
 * The fields apache-arrow reads of the type tables it reads (by `Type` number): a scalar's size in
 * bytes, 's' a string, 'v' a vector of int32.
 */
const TYPE_FIELDS: Record<number, (number | 's' | 'v')[]> = {
  2: [4, 1], // Int: bitWidth, is_signed
  3: [2], // FloatingPoint: precision
  7: [4, 4, 4], // Decimal: precision, scale, bitWidth
  8: [2], // Date: unit
  9: [2, 4], // Time: unit, bitWidth
  10: [2, 's'], // Timestamp: unit, timezone
  11: [2], // Interval: unit
  14: [2, 'v'], // Union: mode, typeIds
  15: [4], // FixedSizeBinary: byteWidth
  16: [4], // FixedSizeList: listSize
  17: [1], // Map: keysSorted
  18: [2], // Duration: unit
};

function fieldTable(fb: Fb, t: number, what: string, depth: number): void {
  fb.string(t, 0, `${what}.name`);
  fb.field(t, 1, 1, `${what}.nullable`);
  const tp = fb.field(t, 2, 1, `${what}.type_type`);
  const layout = TYPE_FIELDS[tp < 0 ? 0 : fb.u8(tp)];
  if (layout) {
    const type = fb.sub(t, 3, `${what}.type`, depth);
    if (type >= 0) {
      layout.forEach((f, slot) => {
        if (f === 's') fb.string(type, slot, `${what}.type.${slot}`);
        else if (f === 'v') fb.vector(type, slot, 4, `${what}.type.${slot}`);
        else fb.field(type, slot, f, `${what}.type.${slot}`);
      });
    }
  }
  const dict = fb.sub(t, 4, `${what}.dictionary`, depth);
  if (dict >= 0) {
    fb.field(dict, 0, 8, `${what}.dictionary.id`);
    const index = fb.sub(dict, 1, `${what}.dictionary.indexType`, depth + 1);
    if (index >= 0) {
      fb.field(index, 0, 4, `${what}.dictionary.indexType.bitWidth`);
      fb.field(index, 1, 1, `${what}.dictionary.indexType.is_signed`);
    }
    fb.field(dict, 2, 1, `${what}.dictionary.isOrdered`);
  }
  fb.tables(t, 5, `${what}.children`, depth, (c, name) => fieldTable(fb, c, name, depth + 1));
  keyValues(fb, t, 6, what, depth);
}

function recordBatchTable(fb: Fb, t: number, version: number, what: string, depth: number): void {
  const len = fb.field(t, 0, 8, `${what}.length`);
  if (len >= 0) fb.safe(len, `${what}.length`);
  const nodes = fb.vector(t, 1, 16, `${what}.nodes`);
  if (nodes) {
    for (let i = 0; i < nodes[1]; i++) {
      fb.safe(nodes[0] + 16 * i, `${what}.nodes[${i}].length`);
      fb.safe(nodes[0] + 16 * i + 8, `${what}.nodes[${i}].null_count`);
    }
  }
  // Before metadata V4 a buffer was 24 bytes (a page id first); apache-arrow skips it when reading.
  const old = version < 3;
  const buffers = fb.vector(t, 2, old ? 24 : 16, `${what}.buffers`);
  if (buffers) {
    for (let i = 0; i < buffers[1]; i++) {
      const p = buffers[0] + 16 * i + (old ? 8 * (i + 1) : 0);
      fb.safe(p, `${what}.buffers[${i}].offset`);
      fb.safe(p + 8, `${what}.buffers[${i}].length`);
    }
  }
  const c = fb.sub(t, 3, `${what}.compression`, depth);
  if (c >= 0) {
    fb.field(c, 0, 1, `${what}.compression.codec`);
    fb.field(c, 1, 1, `${what}.compression.method`);
  }
  const counts = fb.vector(t, 4, 8, `${what}.variadicBufferCounts`);
  if (counts) for (let i = 0; i < counts[1]; i++) fb.safe(counts[0] + 8 * i, `${what}.variadicBufferCounts[${i}]`);
}
