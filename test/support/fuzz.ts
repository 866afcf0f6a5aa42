// The input fuzzer's seeded cases (test/fuzz.test.ts): mutations of every input kind. Kept apart
// from the test's checks.
import { Int32, Table, Utf8, vectorFromArray, tableToIPC } from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { arrowTable } from './files.js';
import { rng } from './reference.js';

export type Run = (argv: string[], io: { out: (s: string) => void; err: (s: string) => void; tty: boolean }) => Promise<number>;

/** A small enterprise: 60 identities in 4 departments, 3 roles each plus strays; dates; groups. */
function baseInputs() {
  const rand = rng(7);
  const pairs: [string, string][] = [];
  const dates: string[] = [];
  for (let i = 0; i < 60; i++) {
    const dept = i % 4;
    for (let k = 0; k < 5; k++) pairs.push([`user${i}`, `app${dept}:ent${k}`]);
    pairs.push([`user${i}`, 'mail:basic']);
    if (rand() < 0.2) pairs.push([`user${i}`, `app${(dept + 1) % 4}:ent${Math.floor(rand() * 5)}`]);
  }
  for (let r = 0; r < pairs.length; r++) dates.push(`2026-${String(1 + (r % 11)).padStart(2, '0')}-${String(1 + (r % 27)).padStart(2, '0')}`);
  const unique = [...new Map(pairs.map((p, r) => [`${p[0]}\u0000${p[1]}`, [p, dates[r]!] as const])).values()];
  const grantsCsv = 'identity,entitlement,last_used\n' + unique.map(([[i, e], d]) => `${i},${e},${d}`).join('\n') + '\n';
  const identitiesCsv =
    'identity,person,type,status,department,title\n' +
    Array.from({ length: 60 }, (_, i) => `user${i},p${i},${i % 17 === 0 ? 'service' : 'human'},${i % 13 === 0 ? 'terminated' : 'active'},dept${i % 4},title${i % 3}`).join('\n') +
    '\n';
  const membershipsCsv = 'member,group\n' + Array.from({ length: 30 }, (_, i) => `user${i * 2},grp${i % 3}`).join('\n') + '\nuser1,grp-nested\ngrp-nested,grp0\n';
  const plain = unique.map(([p]) => p);
  return { plain, grantsCsv, identitiesCsv, membershipsCsv };
}

export interface Case {
  name: string;
  files: Record<string, Uint8Array | string>;
  /** Arguments after the command; `@name` is the case's file `name`. */
  args: string[];
  command: 'mine' | 'check';
}

const INSERTS = ['"', ',', '\u0000', '\n', '\r', '\r\n', '\t', ';', '\\', '\u001b[2J', '\uFEFF', '\u00ff', '""', ',,', '\n\n', 'é', '\u202e'];

/** One seeded mutation of `bytes`; returns the bytes and a short description. */
function mutate(bytes: Uint8Array, rand: () => number): [Uint8Array, string] {
  const at = () => Math.floor(rand() * (bytes.length + 1));
  const kind = Math.floor(rand() * 9);
  const enc = (s: string) => new TextEncoder().encode(s);
  const splice = (p: number, del: number, ins: Uint8Array) => {
    const out = new Uint8Array(bytes.length - del + ins.length);
    out.set(bytes.subarray(0, p));
    out.set(ins, p);
    out.set(bytes.subarray(p + del), p + ins.length);
    return out;
  };
  switch (kind) {
    case 0: {
      const p = at();
      return [bytes.slice(0, p), `truncated at ${p}`];
    }
    case 1: {
      const out = bytes.slice();
      const n = 1 + Math.floor(rand() * 8);
      for (let k = 0; k < n && out.length; k++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
      return [out, `${n} bytes flipped`];
    }
    case 2:
    case 3: {
      const s = INSERTS[Math.floor(rand() * INSERTS.length)]!;
      const p = at();
      return [splice(p, 0, enc(s)), `${JSON.stringify(s)} inserted at ${p}`];
    }
    case 4: {
      const p = at();
      const n = [1000, 70_000, 300_000][Math.floor(rand() * 3)]!;
      return [splice(p, 0, enc('x'.repeat(n))), `a ${n}-byte field at ${p}`];
    }
    case 5: {
      const p = at();
      const n = Math.floor(rand() * 64);
      return [splice(p, Math.min(n, bytes.length - p), new Uint8Array(0)), `${n} bytes deleted at ${p}`];
    }
    case 6: {
      // Another format's magic in the middle, or at the start.
      const magic = [enc('ARROW1\0\0'), enc('PAR1'), enc('\xff\xff\xff\xff'), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0])][Math.floor(rand() * 4)]!;
      const p = rand() < 0.5 ? 0 : at();
      return [splice(p, 0, magic), `magic bytes at ${p}`];
    }
    case 7: {
      // A line repeated or removed (text formats).
      const text = new TextDecoder().decode(bytes);
      const lines = text.split('\n');
      const k = Math.floor(rand() * lines.length);
      if (rand() < 0.5) lines.splice(k, 0, lines[k]!);
      else lines.splice(k, 1);
      return [enc(lines.join('\n')), `line ${k + 1} repeated or removed`];
    }
    default: {
      // The header row changed: a column repeated, renamed or dropped.
      const text = new TextDecoder().decode(bytes);
      const nl = text.indexOf('\n');
      const head = (nl < 0 ? text : text.slice(0, nl)).split(',');
      const c = Math.floor(rand() * head.length);
      const choice = Math.floor(rand() * 3);
      if (choice === 0) head.push(head[c]!);
      else if (choice === 1) head[c] = head[c] + '_x';
      else head.splice(c, 1);
      return [enc(head.join(',') + (nl < 0 ? '' : text.slice(nl))), `header column ${c + 1} ${['repeated', 'renamed', 'dropped'][choice]}`];
    }
  }
}

/** Structurally wrong Arrow and Parquet inputs: integer columns, nulls, a missing column, empty tables. */
function wrongTypes(plain: [string, string][]): Record<string, Uint8Array> {
  const ints = new Table({ identity: vectorFromArray(plain.map((_, i) => i % 60), new Int32()), entitlement: vectorFromArray(plain.map((_, i) => i % 7), new Int32()) });
  const nulls = new Table({ identity: vectorFromArray(plain.map((p, i) => (i % 9 === 0 ? null : p[0])), new Utf8()), entitlement: vectorFromArray(plain.map((p) => p[1]), new Utf8()) });
  const oneColumn = new Table({ identity: vectorFromArray(plain.map((p) => p[0]), new Utf8()) });
  const empty = new Table({ identity: vectorFromArray([] as string[], new Utf8()), entitlement: vectorFromArray([] as string[], new Utf8()) });
  const pq = (t: Table) => parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(t, 'stream')));
  return {
    'ints.arrow': tableToIPC(ints, 'file'),
    'ints.arrows': tableToIPC(ints, 'stream'),
    'ints.parquet': pq(ints),
    'nulls.arrow': tableToIPC(nulls, 'file'),
    'nulls.parquet': pq(nulls),
    'one-column.arrows': tableToIPC(oneColumn, 'stream'),
    'one-column.parquet': pq(oneColumn),
    'empty.arrow': tableToIPC(empty, 'file'),
    'empty.parquet': pq(empty),
  };
}

/** The cases, in a fixed order from the seed. */
export function cases(n: number, seed: number): Case[] {
  const rand = rng(seed);
  const base = baseInputs();
  const enc = (s: string) => new TextEncoder().encode(s);
  const grants: Record<string, Uint8Array> = {
    'grants.csv': enc(base.grantsCsv),
    'grants.arrow': tableToIPC(arrowTable(base.plain, true), 'file'),
    'grants.arrows': tableToIPC(arrowTable(base.plain, false), 'stream'),
    'grants.parquet': parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(arrowTable(base.plain, false), 'stream'))),
    'grants.txt': enc(base.plain.map(([i, e]) => `${i.replace('user', '')} ${e.length * 7 + e.charCodeAt(e.length - 1)}`).join('\n') + '\n'),
  };
  const wrong = wrongTypes(base.plain);
  const out: Case[] = [];
  const grantNames = Object.keys(grants);
  for (const [name, bytes] of Object.entries(wrong)) out.push({ name: `wrong types: ${name}`, files: { [name]: bytes }, args: [`@${name}`], command: 'mine' });
  while (out.length < n) {
    const target = rand();
    const g = grantNames[Math.floor(rand() * grantNames.length)]!;
    const files: Record<string, Uint8Array | string> = { [g]: grants[g]! };
    const args = [`@${g}`];
    let desc: string;
    const withIds = g !== 'grants.txt' && rand() < 0.6;
    const withMem = g !== 'grants.txt' && rand() < 0.4;
    if (withIds) (files['identities.csv'] = base.identitiesCsv), args.push('--identities', '@identities.csv');
    if (withMem) (files['memberships.csv'] = base.membershipsCsv), args.push('--memberships', '@memberships.csv');
    if (target < 0.6 || (!withIds && !withMem)) {
      const [b, d] = mutate(grants[g]!, rand);
      files[g] = b;
      desc = `${g}: ${d}`;
    } else if (withIds && (target < 0.8 || !withMem)) {
      const [b, d] = mutate(enc(base.identitiesCsv), rand);
      files['identities.csv'] = b;
      desc = `identities.csv: ${d}`;
    } else {
      const [b, d] = mutate(enc(base.membershipsCsv), rand);
      files['memberships.csv'] = b;
      desc = `memberships.csv: ${d}`;
    }
    const command = rand() < 0.1 ? 'check' : 'mine';
    if (command === 'mine' && rand() < 0.3) args.push('--mode', 'exact');
    out.push({ name: `${out.length}: ${desc}${withIds ? ' +ids' : ''}${withMem ? ' +mem' : ''}`, files, args, command });
  }
  return out.slice(0, n);
}

