/**
 * Name interning and the canonical id encoding of the `Grants` contract (src/types.ts).
 *
 * Readers intern names into first-seen ids while reading; `GrantEncoder.finish` sorts the distinct
 * names with `<` and remaps the per-row ids in one pass, so ids never depend on row order or on the
 * input format.
 *
 * Names are interned from their UTF-8 bytes (`ByteInterner`): the CSV and pair-list readers and
 * the Arrow Utf8 path hand over byte ranges of the input, so a row whose names were seen before
 * allocates nothing. A name is decoded to a string once, when first seen. Strings built that way
 * are flat copies, never slices of a large decoded chunk, so the interned names do not keep the
 * input text alive.
 */
import type { Grants, InputFormat } from '../types.js';
import { canonicalIndexOrder } from '../util/names.js';

/** A growable Uint32Array (doubling), so millions of rows never become JS arrays of numbers. */
export class U32Builder {
  private buf: Uint32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.buf = new Uint32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[this.length++] = v;
  }
  private grow(): void {
    const next = new Uint32Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
  /** The values pushed so far, without copying (valid until the next push). */
  view(): Uint32Array {
    return this.buf.subarray(0, this.length);
  }
  /** The values pushed so far, trimmed to length (a copy; the builder stays usable). */
  finish(): Uint32Array {
    return this.buf.slice(0, this.length);
  }
}

/** Thrown by `ByteInterner.intern` for bytes that are not UTF-8; readers add file, line and column. */
export class InvalidUtf8 extends Error {
  constructor() {
    super('not valid UTF-8 text (save the file as UTF-8)');
  }
}

/**
 * Thrown by a names interner (`ByteInterner` with a label) for a name no reader may accept: one
 * that is empty or only whitespace, or holds a control character. Readers add file, line (or row)
 * and column: `what` says what is wrong, `why` the rule (message: "what: why").
 */
export class InvalidName extends Error {
  constructor(
    readonly what: string,
    readonly why: string,
  ) {
    super(`${what}: ${why}`);
  }
}

/**
 * Control characters a name must not hold: U+0000-U+001F and U+007F, except LF and CR. Line breaks
 * stay allowed because RFC 4180 quoted fields carry them and the readers and writers round-trip
 * them in every format (a tested contract); a tab, NUL, escape or DEL in a name is almost always
 * a broken export, and would corrupt the tab- or NUL-separated text other tools read.
 */
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/;

/** Throws InvalidName unless `name` is acceptable as an identity or entitlement name (see CONTROL). */
export function checkName(name: string, label: string): void {
  // About 0.1 us a name (test, then exec only to report), against microseconds to decode it.
  if (CONTROL.test(name)) {
    const code = `U+${CONTROL.exec(name)![0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new InvalidName(`control character ${code} in ${label} "${shown(name)}"`, 'names must not contain control characters other than line breaks');
  }
  // Whitespace is at most U+0020 or at least U+00A0: a name starting with anything else is not blank.
  const first = name.charCodeAt(0);
  if ((name === '' || first <= 0x20 || first >= 0x7f) && name.trim() === '') {
    throw new InvalidName(name === '' ? `empty ${label}` : `${label} "${shown(name)}" is only whitespace`, 'expected a name in every row');
  }
}

/** A name for a message: control characters and line breaks escaped (\u0009), long names cut. */
function shown(name: string): string {
  const s = name.length > 60 ? `${name.slice(0, 60)}...` : name;
  return s.replace(/[\u0000-\u001f\u007f"\\]/g, (ch) => (ch === '"' || ch === '\\' ? `\\${ch}` : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const textEncoder = new TextEncoder();
/** Longest ASCII name decoded with String.fromCharCode (cheaper than a TextDecoder call for short names). */
const ASCII_FAST_MAX = 256;

/**
 * Interns byte strings to first-seen ids: an open-addressing hash table over an arena holding each
 * distinct name's bytes once. `names[id]` is the decoded name. Distinct valid UTF-8 byte strings
 * decode to distinct strings, so ids and names stay one-to-one.
 *
 * Each slot holds [hash, id + 1, arena offset, length] side by side, so a lookup touches one slot
 * and, on a hash match, the arena (the table outgrows CPU caches with many distinct names).
 */
export class ByteInterner {
  readonly names: string[] = [];
  private slots: Int32Array; // id + 1 = 0: empty; load factor kept under 1/2
  private mask: number;
  private arena: Uint8Array;
  private arenaView: DataView;
  private used = 0;
  /** DataView over the last input buffer seen. */
  private viewOf: Uint8Array | null = null;
  private view: DataView = new DataView(new ArrayBuffer(0));

  /**
   * @param label 'identity' / 'entitlement': the interned strings are names, each checked once,
   *   when first seen (`checkName`), so the check costs nothing per row. Without a label (kept
   *   columns, attribute values) any string is taken.
   * @param slotCount initial hash slots (a power of two) and `arenaBytes` initial name bytes; both
   *   grow by doubling. Readers holding many small dictionaries start them small.
   */
  constructor(
    readonly label?: string,
    slotCount = 1024,
    arenaBytes = 1 << 16,
  ) {
    this.slots = new Int32Array(4 * slotCount);
    this.mask = slotCount - 1;
    this.arena = new Uint8Array(arenaBytes);
    this.arenaView = new DataView(this.arena.buffer);
  }

  get size(): number {
    return this.names.length;
  }

  /** The id of the name whose UTF-8 bytes are `b[start, end)`, interning it on first sight. */
  intern(b: Uint8Array, start: number, end: number): number {
    // Hashes and compares 4 bytes at a time through a DataView (unaligned little-endian reads);
    // per-byte loops were the largest cost of reading CSV.
    if (b !== this.viewOf) {
      this.viewOf = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const dv = this.view;
    const len = end - start;
    let h = len | 0;
    let or = 0;
    let i = start;
    for (const last = end - 4; i <= last; i += 4) {
      const w = dv.getInt32(i, true);
      or |= w;
      h = Math.imul(h ^ w, 0x9e3779b1);
      h = (h << 13) | (h >>> 19);
    }
    for (; i < end; i++) {
      const c = b[i]!;
      or |= c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h ^= h >>> 13;
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const q = slot << 2;
      const v = slots[q + 1]!;
      if (v === 0) break;
      if (slots[q] === h && slots[q + 3] === len && this.same(slots[q + 2]! >>> 0, b, start, len)) return v - 1;
      slot = (slot + 1) & mask;
    }
    let name: string;
    if ((or & 0x80808080) === 0 && len <= ASCII_FAST_MAX) {
      name = String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
    } else {
      try {
        name = utf8.decode(b.subarray(start, end));
      } catch {
        throw new InvalidUtf8();
      }
    }
    if (this.label !== undefined) checkName(name, this.label);
    return this.add(name, b, start, len, h, slot);
  }

  /** The id of a name given as a string (Arrow dictionary values, integers). */
  internString(s: string): number {
    const bytes = textEncoder.encode(s);
    return this.intern(bytes, 0, bytes.length);
  }

  private same(at: number, b: Uint8Array, start: number, len: number): boolean {
    const av = this.arenaView;
    const bv = this.view;
    let k = 0;
    for (; k + 4 <= len; k += 4) if (av.getInt32(at + k, true) !== bv.getInt32(start + k, true)) return false;
    const a = this.arena;
    for (; k < len; k++) if (a[at + k] !== b[start + k]) return false;
    return true;
  }

  private add(name: string, b: Uint8Array, start: number, len: number, h: number, slot: number): number {
    const id = this.names.length;
    if (this.used + len > this.arena.length) {
      let cap = Math.max(64, this.arena.length * 2);
      while (cap < this.used + len) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.arena.subarray(0, this.used));
      this.arena = next;
      this.arenaView = new DataView(next.buffer);
    }
    this.arena.set(b.subarray(start, start + len), this.used);
    const q = slot << 2;
    this.slots[q] = h;
    this.slots[q + 1] = id + 1;
    this.slots[q + 2] = this.used;
    this.slots[q + 3] = len;
    this.used += len;
    this.names.push(name);
    if (2 * (id + 1) > this.mask + 1) this.rehash();
    return id;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = (slots.length >> 2) - 1;
    for (let q = 0; q < old.length; q += 4) {
      if (old[q + 1] === 0) continue;
      let s = old[q]! & mask;
      while (slots[(s << 2) + 1] !== 0) s = (s + 1) & mask;
      slots.set(old.subarray(q, q + 4), s << 2);
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Canonical order of `names` (compareNames: whole numbers numerically, then the rest by `<`) and the remap from first-seen id to canonical id. */
export function canonicalOrder(names: string[]): [string[], Uint32Array] {
  const n = names.length;
  const order = canonicalIndexOrder(names);
  const remap = new Uint32Array(n);
  const sorted = new Array<string>(n);
  for (let canon = 0; canon < n; canon++) {
    remap[order[canon]!] = canon;
    sorted[canon] = names[order[canon]!]!;
  }
  return [sorted, remap];
}

/** One `keep` column: first-appearance dictionary plus per-row codes. */
export interface KeptColumn {
  readonly name: string;
  readonly interner: ByteInterner;
  readonly codes: U32Builder;
}

/** Collects the per-row ids of one input and produces its `Grants`. */
export class GrantEncoder {
  readonly identities = new ByteInterner('identity');
  readonly entitlements = new ByteInterner('entitlement');
  readonly identity: U32Builder;
  readonly entitlement: U32Builder;
  /** Kept columns other than the identity and entitlement columns, in `keep` order (then the optional ones present). */
  kept: KeptColumn[];
  private readonly optional: Set<string>;

  constructor(
    readonly identityColumn: string,
    readonly entitlementColumn: string,
    private readonly keep: string[] = [],
    sizeHint = 0,
    optional: string[] = [],
  ) {
    this.optional = new Set(optional.filter((k) => !keep.includes(k)));
    // Rows are at least ~4 bytes ("1,2\n"); a hint of the input size avoids most regrowth without
    // over-allocating for small files.
    const capacity = Math.min(1 << 24, Math.max(1024, Math.floor(sizeHint / 32)));
    this.identity = new U32Builder(capacity);
    this.entitlement = new U32Builder(capacity);
    const seen = new Set<string>();
    this.kept = [];
    for (const k of [...keep, ...this.optional]) {
      if (k === identityColumn || k === entitlementColumn || seen.has(k)) continue;
      seen.add(k);
      this.kept.push({ name: k, interner: new ByteInterner(), codes: new U32Builder(capacity) });
    }
  }

  get rows(): number {
    return this.identity.length;
  }

  /** Once the input's columns are known: drops the optional kept columns it does not have. */
  retain(found: string[]): void {
    this.kept = this.kept.filter((k) => !this.optional.has(k.name) || found.includes(k.name));
  }

  finish(source: string, format: InputFormat, otherColumns: string[]): Grants {
    const [identities, idMap] = canonicalOrder(this.identities.names);
    const [entitlements, entMap] = canonicalOrder(this.entitlements.names);
    const identity = this.identity.finish();
    const entitlement = this.entitlement.finish();
    for (let i = 0; i < identity.length; i++) {
      identity[i] = idMap[identity[i]!]!;
      entitlement[i] = entMap[entitlement[i]!]!;
    }
    const columns: Grants['columns'] = {};
    for (const k of this.keep) {
      // Keeping the identity or entitlement column itself gives its canonical names and ids.
      if (k === this.identityColumn) columns[k] = { values: identities, codes: identity.slice() };
      else if (k === this.entitlementColumn) columns[k] = { values: entitlements, codes: entitlement.slice() };
    }
    for (const k of this.kept) columns[k.name] = { values: k.interner.names.slice(), codes: k.codes.finish() };
    return { source, format, identities, entitlements, identity, entitlement, rows: identity.length, otherColumns, columns };
  }
}
