/**
 * What the command line prints: names from a user's files shown safely, and progress on stderr.
 */

/**
 * `s` with control and escape characters shown escaped (`\x1b`, `\n`, `\u0085`, ...), so a name
 * from an input file can never move the cursor, rewrite a line or change the terminal's state.
 * Covers C0, DEL, C1 and the bidirectional-override and line/paragraph separators.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Where the command line writes: stdout and stderr (a test passes its own). */
export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether stderr is a terminal (progress rewrites one line). */
  tty: boolean;
}

export const PROCESS_IO: CliIO = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  get tty() {
    return process.stderr.isTTY === true;
  },
};

/**
 * Progress on stderr: on a terminal, one rewritten line with a bar, the phase, its share done, the
 * time so far and an estimate of the phase's time left (from its pace so far, once 5% is done);
 * otherwise plain lines at most every 2 s. Runs under a second stay silent.
 */
export function progressReporter(quiet: boolean, io: CliIO): (phase: string, fraction: number) => void {
  const tty = io.tty;
  const start = Date.now();
  let last = 0;
  let lastPhase = '';
  let phaseStart = start;
  return (phase, fraction) => {
    if (quiet) return;
    const now = Date.now();
    if (phase !== lastPhase) phaseStart = now;
    if (now - start < 1000) {
      lastPhase = phase;
      return; // short runs stay silent
    }
    if (phase === lastPhase && now - last < (tty ? 100 : 2000)) return;
    last = now;
    lastPhase = phase;
    const f = Math.min(1, Math.max(0, fraction));
    const pct = `${Math.round(f * 100)}%`.padStart(4);
    const spent = (now - phaseStart) / 1000;
    const eta = f >= 0.05 && f < 1 ? `, about ${Math.ceil((spent * (1 - f)) / f)}s left` : '';
    const line = `${phase.padEnd(10)} ${pct}  ${((now - start) / 1000).toFixed(1)}s${eta}`;
    if (tty) {
      const width = 24;
      const done = Math.round(f * width);
      io.err(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${line}\x1b[K`);
    } else io.err(`${line}\n`);
  };
}
