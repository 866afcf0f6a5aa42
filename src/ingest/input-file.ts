/**
 * Opening an input file by path (Node), for every reader that takes one: grants and memberships
 * (`readGrants`), identities (`readIdentities`).
 *
 * Contract: whatever is wrong with the path itself is an InputError "cannot read the file: <reason>"
 * naming it, raised before a byte is read. Only regular files are read: a FIFO, socket or device has
 * no size to plan by, may block the open or the read forever (a FIFO without a writer), or never
 * end (/dev/zero). So the path is stat'ed before it is opened, and then opened non-blocking and
 * checked again on the open descriptor, so that a FIFO swapped in between cannot block either.
 */
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { InputError } from '../errors.js';
import { osReason } from './os-reason.js';

export interface InputFile {
  /** Open for reading; the caller closes it. */
  fh: FileHandle;
  /** Bytes, from fstat on the open descriptor. */
  size: number;
}

/** Opens `path` for reading after checking it is a regular file (see the module comment). */
export async function openInput(path: string): Promise<InputFile> {
  let s: Stats;
  try {
    s = await stat(path);
  } catch (e) {
    throw cannotRead(path, e);
  }
  refuseNonRegular(path, s);
  let fh: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO then returns at once instead of waiting for a writer; it changes
    // nothing for a regular file. (Windows has no such flag; there is no FIFO to open there either.)
    fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw cannotRead(path, e);
  }
  try {
    const t = await fh.stat();
    refuseNonRegular(path, t);
    return { fh, size: t.size };
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e instanceof InputError ? e : cannotRead(path, e);
  }
}

/** "cannot read the file: <reason>" for an operating-system error on `path`. */
export function cannotRead(path: string, e: unknown): InputError {
  return new InputError(`cannot read the file: ${osReason(e)}`, path);
}

function refuseNonRegular(path: string, s: Stats): void {
  if (s.isFile()) return;
  // A directory keeps the wording the readers always gave it.
  if (s.isDirectory()) throw cannotRead(path, { code: 'EISDIR' });
  const kind = s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket' : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : 'of an unknown kind';
  throw new InputError(`cannot read the file: not a regular file (${kind})`, path);
}
