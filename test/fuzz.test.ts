// The input fuzzer: seeded mutations of every input kind (grants as CSV, Arrow file and stream,
// Parquet and pairs; identities; memberships), each mined by the built command line in process
// (dist/cli/run.js, as the bin runs it) into a folder holding an earlier output. For every case:
// exit 0 or 2, never 1; no stack trace; every stderr line rolemill's own; on exit 2 the message
// names an input and the earlier output is byte-identical with nothing left beside it; on exit 0
// a complete output whose manifest lists exactly its files; the same input gives the same bytes.
//
// `npm test` runs 400 cases; `npm run fuzz` runs thousands
// (ROLEMILL_FUZZ_CASES, ROLEMILL_FUZZ_SEED to pick another sequence).
import { describe, it, expect, beforeAll } from 'vitest';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, csvText } from './support/files.js';
import { cases, type Run } from './support/fuzz.js';

const CASES = Number(process.env['ROLEMILL_FUZZ_CASES'] ?? 400);
const SEED = Number(process.env['ROLEMILL_FUZZ_SEED'] ?? 20261201);
/** A file to append each case's name to before it runs (to find the case that crashed a long run). */
const TRACE = process.env['ROLEMILL_FUZZ_TRACE'];
/** Cases whose name matches this pattern are skipped (while a known finding is being fixed). */
const SKIP = process.env['ROLEMILL_FUZZ_SKIP'] ? new RegExp(process.env['ROLEMILL_FUZZ_SKIP']) : null;
/** Only this case, its folder kept and its command line printed (to replay it by hand). */
const ONLY = process.env['ROLEMILL_FUZZ_ONLY'] !== undefined ? Number(process.env['ROLEMILL_FUZZ_ONLY']) : null;

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) for (const [k, v] of Object.entries(snapshot(join(dir, e.name)))) out[`${e.name}/${k}`] = v;
    else out[e.name] = readFileSync(join(dir, e.name), 'base64');
  }
  return out;
}

describe(`input fuzzer: ${CASES} seeded cases (seed ${SEED})`, () => {
  let runCli: Run;
  const root = tempDir('rolemill-fuzz-');
  const earlier = join(root, 'earlier');
  let earlierSnap: Record<string, string>;

  beforeAll(async () => {
    ({ runCli } = (await import('../dist/cli/run.js')) as { runCli: Run });
    mkdirSync(join(root, 'seed'));
    writeFileSync(join(root, 'seed', 'g.csv'), csvText([['a', 'x'], ['b', 'x'], ['c', 'x'], ['c', 'y']]));
    const io = { out: () => undefined, err: () => undefined, tty: false };
    expect(await runCli(['mine', join(root, 'seed', 'g.csv'), '--out', earlier, '--no-peers', '--quiet'], io)).toBe(0);
    earlierSnap = snapshot(earlier);
  });

  it('every case: exit 0 or 2, rolemill messages only, nothing partial, an earlier output kept', async () => {
    const all = cases(CASES, SEED);
    const codes = { 0: 0, 2: 0 } as Record<number, number>;
    const failures: string[] = [];
    for (const [k, c] of all.entries()) {
      if ((ONLY !== null && k !== ONLY) || SKIP?.test(c.name)) continue;
      const dir = join(root, `case-${k}`);
      mkdirSync(dir);
      for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(dir, name), bytes);
      const out = join(dir, 'out');
      cpSync(earlier, out, { recursive: true });
      const args = c.args.map((a) => (a.startsWith('@') ? join(dir, a.slice(1)) : a));
      let stderr = '';
      let stdout = '';
      const io = { out: (s: string) => void (stdout += s), err: (s: string) => void (stderr += s), tty: false };
      const argv = c.command === 'mine' ? ['mine', ...args, '--out', out, '--no-peers', '--no-timings'] : ['check', ...args];
      if (ONLY !== null) console.log(`case ${k} (${c.name}): rolemill ${argv.join(' ')}`);
      if (TRACE) appendFileSync(TRACE, `${c.name}\t${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB\n`);
      const code = await runCli(argv, io);
      if (TRACE) appendFileSync(TRACE, `  -> ${code} ${stderr.trimEnd().split('\n').pop() ?? ''}\n`);
      const bad = (why: string) => failures.push(`${c.name}: ${why}\n  argv: ${argv.join(' ')}\n  stderr: ${stderr.slice(0, 500)}`);
      codes[code] = (codes[code] ?? 0) + 1;
      if (code !== 0 && code !== 2) bad(`exit ${code}`);
      if (/\n\s+at /.test(stderr) || /internal error/.test(stderr)) bad('a stack trace or internal error');
      if (stderr.split('\n').some((l) => l !== '' && !l.startsWith('rolemill: '))) bad('a stderr line that is not rolemill\'s');
      if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(stderr + stdout)) bad('a raw control character printed');
      const left = readdirSync(dir).filter((n) => n.includes('.rolemill-'));
      if (left.length) bad(`left behind: ${left.join(', ')}`);
      if (c.command === 'mine') {
        if (code === 2) {
          const last = stderr.trimEnd().split('\n').pop() ?? '';
          if (!Object.keys(c.files).some((f) => last.includes(f))) bad('the message names no input file');
          if (JSON.stringify(snapshot(out)) !== JSON.stringify(earlierSnap)) bad('the earlier output changed');
        } else if (code === 0) {
          const manifest = JSON.parse(readFileSync(join(out, 'rolemill.json'), 'utf8')) as { files: { path: string; bytes: number }[] };
          const listed = manifest.files.map((f) => f.path).sort();
          const there = readdirSync(out).filter((n) => n !== 'rolemill.json').sort();
          if (JSON.stringify(listed) !== JSON.stringify(there)) bad(`manifest ${listed.join(',')} vs folder ${there.join(',')}`);
          if (k % 10 === 0) {
            // Same input, same output, byte for byte.
            const first = snapshot(out);
            const again = await runCli(argv, { out: () => undefined, err: () => undefined, tty: false });
            if (again !== 0 || JSON.stringify(snapshot(out)) !== JSON.stringify(first)) bad('a rerun gave other bytes');
          }
        }
      }
      if (ONLY === null) rmSync(dir, { recursive: true, force: true });
      if (failures.length >= 10) break;
    }
    expect(failures).toEqual([]);
    if (ONLY !== null) return;
    // The mutations reach both outcomes: the fuzzer is not only feeding inputs that fail at once.
    expect(codes[0]).toBeGreaterThan(CASES / 10);
    expect(codes[2]).toBeGreaterThan(CASES / 10);
    expect(existsSync(earlier)).toBe(true);
  }, 600_000);
});
