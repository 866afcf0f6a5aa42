/**
 * Encodes names into dense ids while reading, then into the canonical order of the `Grants`
 * contract (src/types.ts): distinct names sorted with `<`, ids remapped in one pass at the end. So
 * ids never depend on row order or on the input format.
 */
import type { Grants, InputFormat } from '../types.js';

/** A growable Uint32Array (doubling), so millions of rows never become JS arrays of numbers. */
export class U32Builder {
  private buf = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  finish(): Uint32Array {
    return this.buf.slice(0, this.length);
  }
}

/** Interns strings to first-seen ids. */
export class Interner {
  readonly index = new Map<string, number>();
  readonly names: string[] = [];
  intern(s: string): number {
    let id = this.index.get(s);
    if (id === undefined) {
      id = this.names.length;
      this.index.set(s, id);
      this.names.push(s);
    }
    return id;
  }
  /** Canonical names and the remap from first-seen id to canonical id. */
  canonical(): [string[], Uint32Array] {
    const order = Array.from(this.names.keys()).sort((a, b) => {
      const x = this.names[a]!;
      const y = this.names[b]!;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const remap = new Uint32Array(order.length);
    order.forEach((first, canon) => (remap[first] = canon));
    return [order.map((i) => this.names[i]!), remap];
  }
}

export class GrantEncoder {
  readonly identities = new Interner();
  readonly entitlements = new Interner();
  readonly identity = new U32Builder();
  readonly entitlement = new U32Builder();
  readonly kept: Map<string, { interner: Interner; codes: U32Builder }>;

  constructor(keep: string[] = []) {
    this.kept = new Map(keep.map((k) => [k, { interner: new Interner(), codes: new U32Builder() }]));
  }

  add(identity: string, entitlement: string): void {
    this.identity.push(this.identities.intern(identity));
    this.entitlement.push(this.entitlements.intern(entitlement));
  }

  finish(source: string, format: InputFormat, otherColumns: string[]): Grants {
    const [identities, idMap] = this.identities.canonical();
    const [entitlements, entMap] = this.entitlements.canonical();
    const identity = this.identity.finish();
    const entitlement = this.entitlement.finish();
    for (let i = 0; i < identity.length; i++) {
      identity[i] = idMap[identity[i]!]!;
      entitlement[i] = entMap[entitlement[i]!]!;
    }
    const columns: Grants['columns'] = {};
    for (const [name, k] of this.kept) columns[name] = { values: k.interner.names.slice(), codes: k.codes.finish() };
    return { source, format, identities, entitlements, identity, entitlement, rows: identity.length, otherColumns, columns };
  }
}
