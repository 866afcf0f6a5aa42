/**
 * Typed errors a caller can act on. The CLI maps InputError and UsageError to exit code 2, anything
 * else to 1.
 */

/** Bad input data: names the file and, where known, the 1-based line and column (field name). */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(
      `${file}${line !== undefined ? `:${line}` : ''}${column !== undefined ? ` (column ${column})` : ''}: ${message}`,
    );
  }
}

/**
 * A destination rolemill may not or cannot write (not empty and not its own output, an input
 * inside it, no permission, no space): names the path. The CLI maps it to exit code 2.
 */
export class OutputError extends Error {
  override readonly name = 'OutputError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** Bad command-line or API usage (unknown option, missing argument). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The job was cancelled through its AbortSignal. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'rolemill: the operation was aborted') {
    super(message);
  }
}

/** The core reported a failure (status code); `code` is the core's status. */
export class CoreError extends Error {
  override readonly name = 'CoreError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
