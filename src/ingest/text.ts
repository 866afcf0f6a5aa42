/**
 * Streaming readers for the two text formats: CSV with a header (RFC 4180) and the research
 * datasets' whitespace-separated integer pairs.
 *
 * Why a hand-written CSV reader rather than csv-parse: the reader must stream in Node and in
 * browsers alike (csv-parse's streaming entry points are Node streams or node:stream/web), report the
 * line where a bad record *starts* (unbalanced quotes span lines), and build only the two or three
 * fields we keep; decoding each chunk once to a string and slicing fields out of it does that with
 * one pass over the text.
 */
import { InputError } from '../errors.js';
import type { Grants, ReadOptions } from '../types.js';
import { GrantEncoder } from './encoder.js';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Decodes byte chunks to text (UTF-8, BOM stripped) with a running byte count for progress. */
async function* decode(chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false, fatal: false });
  for await (const c of chunks) {
    onBytes(c.byteLength);
    const s = decoder.decode(c, { stream: true });
    if (s) yield s;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

function progressTracker(opts: ReadOptions & { sizeHint?: number }): (n: number) => void {
  let read = 0;
  let last = 0;
  return (n) => {
    read += n;
    const now = Date.now();
    if (opts.onProgress && now - last > 200) {
      last = now;
      opts.onProgress(read, opts.sizeHint ?? 0);
    }
  };
}

/**
 * Splits CSV text into records. `push` consumes complete records and keeps the incomplete tail;
 * `line` is the 1-based line where the pending text starts.
 */
class CsvSplitter {
  private pending = '';
  private line = 1;
  constructor(
    private readonly file: string,
    private readonly onRecord: (fields: string[], line: number) => void,
  ) {}

  push(text: string, final: boolean): void {
    const s = this.pending + text;
    const n = s.length;
    let i = 0;
    const fields: string[] = [];
    while (i < n) {
      const start = i;
      const startLine = this.line;
      let line = startLine;
      fields.length = 0;
      let complete = false;
      // One record: fields separated by commas, ended by LF, CRLF, or the end of the input.
      for (;;) {
        if (i < n && s.charCodeAt(i) === QUOTE) {
          const fieldLine = line;
          let j = i + 1;
          let value = '';
          let from = j;
          let closed = false;
          while (j < n) {
            const ch = s.charCodeAt(j);
            if (ch === QUOTE) {
              if (j + 1 < n && s.charCodeAt(j + 1) === QUOTE) {
                value += s.slice(from, j + 1);
                j += 2;
                from = j;
                continue;
              }
              if (j + 1 >= n && !final) break; // cannot tell "" from " yet
              closed = true;
              value += s.slice(from, j);
              j++;
              break;
            }
            if (ch === LF) line++;
            j++;
          }
          if (!closed) {
            if (!final) break; // need more text
            throw new InputError(`unbalanced quote: the quoted field starting here is never closed`, this.file, fieldLine, `${fields.length + 1}`);
          }
          fields.push(value);
          i = j;
          if (i >= n) {
            if (!final) break;
            complete = true;
            break;
          }
          const ch = s.charCodeAt(i);
          if (ch === COMMA) {
            i++;
            continue;
          }
          if (ch === LF || (ch === CR && i + 1 < n && s.charCodeAt(i + 1) === LF)) {
            i += ch === CR ? 2 : 1;
            line++;
            complete = true;
            break;
          }
          if (ch === CR && i + 1 >= n && !final) break;
          throw new InputError(`unexpected text after a closing quote`, this.file, line, `${fields.length}`);
        }
        // Unquoted field.
        let j = i;
        while (j < n) {
          const ch = s.charCodeAt(j);
          if (ch === COMMA || ch === LF || ch === CR) break;
          if (ch === QUOTE) throw new InputError(`a quote inside an unquoted field (quote the whole field and double the quote)`, this.file, line, `${fields.length + 1}`);
          j++;
        }
        if (j >= n && !final) break;
        fields.push(s.slice(i, j));
        i = j;
        if (i >= n) {
          complete = true;
          break;
        }
        const ch = s.charCodeAt(i);
        if (ch === COMMA) {
          i++;
          if (i >= n && final) {
            fields.push('');
            complete = true;
            break;
          }
          continue;
        }
        if (ch === CR) {
          if (i + 1 >= n && !final) break;
          i += i + 1 < n && s.charCodeAt(i + 1) === LF ? 2 : 1;
        } else i++;
        line++;
        complete = true;
        break;
      }
      if (!complete) {
        i = start;
        this.line = startLine;
        break;
      }
      this.line = line;
      // Completely empty lines are skipped (a trailing newline at the end of a file is common).
      if (!(fields.length === 1 && fields[0] === '')) this.onRecord(fields, startLine);
    }
    this.pending = s.slice(i);
  }
}

export async function readCsv(chunks: AsyncIterable<Uint8Array>, file: string, opts: ReadOptions & { sizeHint?: number }): Promise<Grants> {
  const idCol = opts.identityColumn ?? 'identity';
  const entCol = opts.entitlementColumn ?? 'entitlement';
  const keep = opts.keep ?? [];
  const enc = new GrantEncoder(keep);
  let header: string[] | null = null;
  let iId = -1;
  let iEnt = -1;
  let keepIdx: number[] = [];
  const splitter = new CsvSplitter(file, (fields, line) => {
    if (!header) {
      header = fields.slice();
      iId = header.indexOf(idCol);
      iEnt = header.indexOf(entCol);
      const missing = [idCol, entCol, ...keep].filter((c) => !header!.includes(c));
      if (missing.length) {
        throw new InputError(
          `missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}; columns found: ${header.map((c) => `'${c}'`).join(', ')}` +
            ' (choose others with --identity-column / --entitlement-column)',
          file,
          line,
        );
      }
      keepIdx = keep.map((k) => header!.indexOf(k));
      return;
    }
    const h: string[] = header;
    if (fields.length !== h.length) {
      throw new InputError(`expected ${h.length} fields as in the header, found ${fields.length}`, file, line);
    }
    const id = fields[iId]!;
    const ent = fields[iEnt]!;
    if (id === '') throw new InputError('empty identity', file, line, idCol);
    if (ent === '') throw new InputError('empty entitlement', file, line, entCol);
    enc.add(id, ent);
    keep.forEach((k, q) => {
      const kk = enc.kept.get(k)!;
      kk.codes.push(kk.interner.intern(fields[keepIdx[q]!]!));
    });
  });
  let any = false;
  for await (const text of decode(chunks, progressTracker(opts))) {
    any = true;
    splitter.push(text, false);
  }
  splitter.push('', true);
  if (!any || header === null) throw new InputError('empty file: no header and no grants', file);
  if (enc.identity.length === 0) throw new InputError('no grants: the file has a header but no data rows', file);
  const h: string[] = header;
  return enc.finish(file, 'csv', h.filter((c) => c !== idCol && c !== entCol));
}

const PAIR = /^\s*(\d+)\s+(\d+)\s*$/;

/** Integer pairs, one grant per line; blank lines are ignored. */
export async function readPairs(chunks: AsyncIterable<Uint8Array>, file: string, opts: ReadOptions & { sizeHint?: number }): Promise<Grants> {
  const enc = new GrantEncoder();
  let pending = '';
  let line = 0;
  const take = (l: string) => {
    line++;
    if (l.trim() === '') return;
    const m = PAIR.exec(l);
    if (!m) throw new InputError(`expected two whitespace-separated integers (identity entitlement), found '${l.length > 60 ? l.slice(0, 60) + '...' : l}'`, file, line);
    enc.add(m[1]!, m[2]!);
  };
  for await (const text of decode(chunks, progressTracker(opts))) {
    const s = pending + text;
    let from = 0;
    for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', from)) {
      take(s.slice(from, k));
      from = k + 1;
    }
    pending = s.slice(from);
  }
  if (pending !== '') take(pending);
  if (enc.identity.length === 0) throw new InputError('no grants: the file is empty', file);
  return enc.finish(file, 'pairs', []);
}

/** True when the text's first non-blank line is two integers. */
export function looksLikePairs(text: string): boolean {
  for (const l of text.split('\n')) {
    if (l.trim() === '') continue;
    return PAIR.test(l.replace(/\r$/, ''));
  }
  return false;
}
