// Readable reasons for operating-system errors on input files, shared by every file reader.
// No node: imports, so platform-neutral modules can use it.

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EBUSY: 'the file or folder is busy',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the folder is not empty',
  EXDEV: 'it is on another file system',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  ENXIO: 'no such device',
};

/** "no such file (ENOENT)" for known codes, else the error's own message. */
export function osReason(e: unknown): string {
  const err = e as { code?: string; message?: string } | null;
  const code = err?.code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return err?.message ?? String(e);
}
