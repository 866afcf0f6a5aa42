/**
 * Integer pair lists, the research datasets' format (e.g. the HP Labs sets): one grant per line,
 * `identity entitlement` as two non-negative integers separated by spaces or tabs, with leading and
 * trailing blanks allowed, blank lines ignored, no header. Names are the digits as written ("12",
 * "007" stays "007"). Lines end at LF (a CR before it counts as a trailing blank).
 */
import { InputError } from '../errors.js';
import type { Grants, ReadOptions } from '../types.js';
import { feedRecords, hasBom } from './chunks.js';
import { GrantEncoder } from './encoder.js';

const LF = 0x0a;
const lenient = new TextDecoder('utf-8');

const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

export async function readPairs(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  opts: ReadOptions & { sizeHint?: number },
): Promise<Grants> {
  const enc = new GrantEncoder('identity', 'entitlement', [], opts.sizeHint ?? 0);
  const ids = enc.identities;
  const ents = enc.entitlements;
  let line = 1;
  let started = false;
  await feedRecords(chunks, (buf, start, end, final) => {
    // A view ending at `end`, so that indexOf never looks at stale bytes past it.
    const b = buf.subarray(0, end);
    let pos = start;
    if (!started) {
      if (end - pos < 3 && !final) return start;
      if (hasBom(b, pos, end)) pos += 3;
      started = true;
    }
    while (pos < end) {
      let eol = b.indexOf(LF, pos);
      if (eol < 0) {
        if (!final) break;
        eol = end;
      }
      let i = pos;
      while (i < eol && isBlank(b[i]!)) i++;
      if (i < eol) {
        const a0 = i;
        while (i < eol && isDigit(b[i]!)) i++;
        const a1 = i;
        while (i < eol && isBlank(b[i]!)) i++;
        const b0 = i;
        while (i < eol && isDigit(b[i]!)) i++;
        const b1 = i;
        while (i < eol && isBlank(b[i]!)) i++;
        if (a1 === a0 || b0 === a1 || b1 === b0 || i !== eol) {
          let text = lenient.decode(b.subarray(pos, eol)).replace(/\r$/, '');
          if (text.length > 60) text = `${text.slice(0, 60)}...`;
          throw new InputError(`expected two whitespace-separated integers (identity entitlement), found '${text}'`, file, line);
        }
        enc.identity.push(ids.intern(b, a0, a1));
        enc.entitlement.push(ents.intern(b, b0, b1));
      }
      line++;
      pos = eol + 1;
    }
    return Math.min(pos, end);
  });
  if (enc.rows === 0) throw new InputError('no grants: the file holds no integer pairs', file);
  return enc.finish(file, 'pairs', []);
}

/**
 * True when the first non-blank line in `head` is two whitespace-separated integers (only digits
 * and blanks). A first line cut off at the end of `head` is judged on what is there.
 */
export function looksLikePairs(head: Uint8Array): boolean {
  let pos = hasBom(head, 0, head.length) ? 3 : 0;
  const end = head.length;
  while (pos < end) {
    let eol = head.indexOf(LF, pos);
    if (eol < 0) eol = end;
    let i = pos;
    let runs = 0;
    while (i < eol) {
      const c = head[i]!;
      if (isDigit(c)) {
        runs++;
        while (i < eol && isDigit(head[i]!)) i++;
      } else if (isBlank(c)) i++;
      else return false;
    }
    if (runs > 0) return runs === 2;
    pos = eol + 1;
  }
  return false;
}
