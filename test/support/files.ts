// Fixture writers for the same grants in every input format.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dictionary, Int32, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { csvField } from '../../src/output/csv.js';

export function tempDir(prefix = 'rolemill-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** RFC 4180 CSV of the pairs (fields quoted where needed, no formula neutralisation). */
export function csvText(pairs: [string, string][], header = ['identity', 'entitlement']): string {
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return [header.join(','), ...pairs.map((p) => p.map(q).join(','))].join('\n') + '\n';
}

export function arrowTable(pairs: [string, string][], dictionary: boolean): Table {
  const type = (id: number) => (dictionary ? new Dictionary(new Utf8(), new Int32(), id) : new Utf8());
  return new Table({
    identity: vectorFromArray(pairs.map((p) => p[0]), type(0)),
    entitlement: vectorFromArray(pairs.map((p) => p[1]), type(1)),
  });
}

/** Writes the pairs as grants.csv, .arrow (file, dictionary), .arrows (stream, utf8), .parquet. */
export function writeAllFormats(dir: string, pairs: [string, string][]): Record<string, string> {
  const files = {
    csv: join(dir, 'grants.csv'),
    arrowFile: join(dir, 'grants.arrow'),
    arrowStream: join(dir, 'grants.arrows'),
    parquet: join(dir, 'grants.parquet'),
  };
  writeFileSync(files.csv, csvText(pairs));
  writeFileSync(files.arrowFile, tableToIPC(arrowTable(pairs, true), 'file'));
  writeFileSync(files.arrowStream, tableToIPC(arrowTable(pairs, false), 'stream'));
  const wasmTable = parquet.Table.fromIPCStream(tableToIPC(arrowTable(pairs, false), 'stream'));
  writeFileSync(files.parquet, parquet.writeParquet(wasmTable));
  return files;
}

export { csvField };

/** Minimal, independent RFC 4180 reader of our own (LF-ended) outputs: multi-line quoted fields included, values as written. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') (f += '"'), i++;
      else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(f), (f = '');
    else if (c === '\n') row.push(f), rows.push(row), (row = []), (f = '');
    else f += c;
  }
  return rows;
}

/** A CSV file's rows as records keyed by its header. */
export function csvRecords(path: string): Record<string, string>[] {
  const [head, ...body] = parseCsv(readFileSync(path, 'utf8'));
  return body.map((r) => Object.fromEntries(head!.map((h, k) => [h, r[k]!])));
}

/** Writes records as CSV with `header` (RFC 4180 quoting where needed), as a reviewer's spreadsheet would. */
export function writeCsvRecords(path: string, rows: Record<string, string>[], header: string[]): void {
  const q = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  writeFileSync(path, [header.join(','), ...rows.map((r) => header.map((h) => q(r[h] ?? '')).join(','))].join('\n') + '\n');
}

/** A writer of one file per call, each in a fresh subfolder of `dir` (so names may repeat); returns its path. */
export function fileWriter(dir: string): (name: string, content: string | Uint8Array) => string {
  let serial = 0;
  return (name, content) => {
    const d = join(dir, String(serial++));
    mkdirSync(d);
    const p = join(d, name);
    writeFileSync(p, content);
    return p;
  };
}
