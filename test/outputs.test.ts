// Outputs never destroy what rolemill did not write: destinations are checked before the work,
// replaced atomically with rollback, interrupts leave an earlier output as it was, leftovers of a
// killed run are cleaned, and user mistakes are exit 2 with one line, never a stack trace.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, utimesSync, readFileSync, readdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support/files.js';
import { checkOutput, swapIn, writeOutput, readManifest } from '../src/output/dest.js';
import { OutputError } from '../src/errors.js';
import { VERSION } from '../src/version.js';
import { printable } from '../src/cli/terminal.js';
import { closest } from '../src/cli/args.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function run(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every file under `dir` with its bytes, for "left exactly as it was". */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, p: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isSymbolicLink()) out[p + e.name] = 'link';
      else if (e.isDirectory()) walk(join(d, e.name), `${p}${e.name}/`);
      else out[p + e.name] = readFileSync(join(d, e.name), 'base64');
    }
  };
  walk(dir, '');
  return out;
}

const GRANTS = 'identity,entitlement\n' + Array.from({ length: 40 }, (_, i) => `u${i % 10},e${i % 7}`).join('\n') + '\n';

/** A pid that is not alive: a finished child's. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('--out never destroys what rolemill did not write', () => {
  it("'--out .' in a folder holding the grants and a notes file: exit 2, both files kept", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'grants.csv'), GRANTS);
    writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
    const before = snapshot(dir);
    const r = run(['mine', 'grants.csv', '--out', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`rolemill: ${dir}: holds the input file grants.csv: an output here would replace it; choose another output folder\n`);
    expect(snapshot(dir)).toEqual(before);
  });

  it('the current folder with other files (no input in it): exit 2 naming what it holds', () => {
    const dir = tempDir();
    const input = join(tempDir(), 'grants.csv');
    writeFileSync(input, GRANTS);
    writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
    writeFileSync(join(dir, 'budget.xlsx'), 'x');
    const before = snapshot(dir);
    const r = run(['mine', input, '--out', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `rolemill: ${dir}: is not empty and is not a rolemill output (the current folder): it holds 'budget.xlsx' and 'notes.txt'. ` +
        'rolemill replaces only an empty folder or an earlier output of its own (one with rolemill.json); choose another output folder\n',
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('--out naming the input file, a file, a folder holding the input (also through a link) or the root: exit 2, nothing changed', () => {
    const dir = tempDir();
    const input = join(dir, 'data', 'grants.csv');
    mkdirSync(join(dir, 'data'));
    writeFileSync(input, GRANTS);
    writeFileSync(join(dir, 'report.pdf'), 'pdf');
    symlinkSync(join(dir, 'data'), join(dir, 'link'));
    const before = snapshot(dir);
    expect(run(['mine', input, '--out', input]).err).toBe(`rolemill: ${input}: is a file, not a folder: rolemill writes a folder of files here and does not replace files; choose another output folder\n`);
    expect(run(['mine', input, '--out', join(dir, 'report.pdf')]).code).toBe(2);
    expect(run(['mine', input, '--out', join(dir, 'data')]).err).toBe(`rolemill: ${join(dir, 'data')}: holds the input file ${input}: an output here would replace it; choose another output folder\n`);
    expect(run(['mine', input, '--out', join(dir, 'link')]).err).toBe(`rolemill: ${join(dir, 'link')}: is a symbolic link: rolemill replaces a folder by renaming, which would replace the link; give the folder it points to\n`);
    expect(run(['mine', input, '--out', dir]).code).toBe(2);
    expect(run(['mine', input, '--out', '/'])).toMatchObject({ code: 2, err: 'rolemill: /: refusing to write an output folder at the root of the file system; choose a folder of its own\n' });
    expect(snapshot(dir)).toEqual(before);
  });

  it('an identities or memberships file inside --out is an input too', () => {
    const dir = tempDir();
    const input = join(dir, 'grants.csv');
    writeFileSync(input, GRANTS);
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'people.csv'), 'identity,department\nu1,sales\n');
    const r = run(['mine', input, '--identities', join(dir, 'out', 'people.csv'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/out: holds the input file .*people\.csv/);
    expect(readdirSync(join(dir, 'out'))).toEqual(['people.csv']);
  });

  it('an empty or absent folder is written; an earlier output is replaced; an earlier output with a foreign file is refused', () => {
    const dir = tempDir();
    const input = join(dir, 'grants.csv');
    writeFileSync(input, GRANTS);
    mkdirSync(join(dir, 'empty'));
    expect(run(['mine', input, '--out', join(dir, 'empty'), '--no-timings']).code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'empty', 'rolemill.json'), 'utf8'));
    expect(m).toMatchObject({ tool: 'rolemill', version: VERSION, kind: 'model' });
    expect(m.files.map((f: { path: string }) => f.path)).toEqual(['accounts.csv', 'assignments.csv', 'exceptions.csv', 'identities.csv', 'report.html', 'review.csv', 'role_entitlements.csv', 'roles.csv', 'summary.json']);
    expect(m.command).toEqual(['mine', input, '--out', join(dir, 'empty'), '--no-timings']);
    for (const f of m.files) expect(readFileSync(join(dir, 'empty', f.path)).length).toBe(f.bytes);
    const first = snapshot(join(dir, 'empty'));
    // Rerun into its own earlier output: replaced, the same bytes.
    expect(run(['mine', input, '--out', join(dir, 'empty'), '--no-timings']).code).toBe(0);
    expect(snapshot(join(dir, 'empty'))).toEqual(first);
    expect(run(['mine', input, '--out', join(dir, 'new', 'deeper'), '--no-timings']).code).toBe(0);
    // A reviewer's file dropped into an earlier output is not rolemill's to delete.
    writeFileSync(join(dir, 'empty', 'review-notes.txt'), 'keep me\n');
    const r = run(['mine', input, '--out', join(dir, 'empty')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`rolemill: ${join(dir, 'empty')}: is an earlier rolemill output but also holds 'review-notes.txt', which rolemill did not write; move it away or choose another output folder\n`);
    expect(readFileSync(join(dir, 'empty', 'review-notes.txt'), 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir).sort()).toEqual(['empty', 'grants.csv', 'new']);
  });

  it('generate --out follows the same rules', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'thesis.tex'), 'x');
    const r = run(['generate', '--identities', '20', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not empty and is not a rolemill output: it holds 'thesis\.tex'/);
    expect(readdirSync(dir)).toEqual(['thesis.tex']);
    const out = join(dir, 'sample');
    expect(run(['generate', '--identities', '20', '--out', out, '--governance']).code).toBe(0);
    expect(readManifestSync(out).kind).toBe('sample');
    expect(existsSync(join(out, 'grants.arrow'))).toBe(false); // removed by --governance inside the temporary folder
    // A generated sample may be regenerated in place; a model may not be written over its grants.
    expect(run(['generate', '--identities', '20', '--out', out]).code).toBe(0);
    expect(existsSync(join(out, 'grants.arrow'))).toBe(true);
    expect(run(['mine', join(out, 'grants.csv'), '--out', out]).code).toBe(2);
    // A file dropped into a subfolder of an earlier output is not rolemill's either.
    writeFileSync(join(out, 'truth', 'my-notes.txt'), 'keep\n');
    const again = run(['generate', '--identities', '20', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toBe(`rolemill: ${out}: is an earlier rolemill output but also holds 'truth/my-notes.txt', which rolemill did not write; move it away or choose another output folder\n`);
    expect(readFileSync(join(out, 'truth', 'my-notes.txt'), 'utf8')).toBe('keep\n');
  });

  it('a destination that cannot be created or written is exit 2 before anything is read', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), 'x');
    // The grants file does not exist: the destination error comes first, so nothing was read.
    const missing = join(dir, 'no-such-grants.csv');
    expect(run(['mine', missing, '--out', join(dir, 'a-file', 'out')])).toMatchObject({ code: 2, err: expect.stringMatching(/a-file\/out: .*not a directory \(ENOTDIR\)/) });
    expect(run(['mine', missing, '--out', '/proc/rolemill-out'])).toMatchObject({ code: 2, err: expect.stringMatching(/^rolemill: \/proc\/rolemill-out: cannot create the output folder: \/proc cannot be written/) });
  });
});

function readManifestSync(dir: string): { kind: string } {
  return JSON.parse(readFileSync(join(dir, 'rolemill.json'), 'utf8'));
}

/** `sh -c script` in a private mount namespace (a tmpfs mounted there vanishes with it); null when this machine cannot. */
function inMountNamespace(script: string): { code: number | null; out: string; err: string } | null {
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs /mnt && echo ok'], { encoding: 'utf8' });
  if (probe.stdout.trim() !== 'ok') return null;
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('file-system failures are exit 2 with the path, and lose nothing', () => {
  const grants = join(tempDir(), 'grants.csv');
  writeFileSync(grants, GRANTS);
  const node = process.execPath;

  it('a read-only file system: exit 2 before the work', (ctx) => {
    const r = inMountNamespace(`mount -t tmpfs -o ro,size=64k tmpfs /mnt && '${node}' '${CLI}' mine '${grants}' --out /mnt/out`);
    if (!r) return ctx.skip();
    expect(r.code).toBe(2);
    expect(r.err).toBe('rolemill: /mnt/out: cannot create the output folder: /mnt cannot be written: read-only file system (EROFS)\n');
  });

  it('no space left while writing: exit 2 naming the file, the earlier output kept, no temporary folder left', (ctx) => {
    // An earlier output fits (small input); the next run's bigger output does not.
    const big = join(tempDir(), 'big.csv');
    writeFileSync(big, 'identity,entitlement\n' + Array.from({ length: 6000 }, (_, i) => `user-${i},ent-${i % 97}`).join('\n') + '\n');
    const r = inMountNamespace(
      `mount -t tmpfs -o size=96k tmpfs /mnt && '${node}' '${CLI}' mine '${grants}' --out /mnt/out --no-timings >/dev/null && ` +
        `sha1sum /mnt/out/* > /mnt/before; '${node}' '${CLI}' mine '${big}' --out /mnt/out; echo "code=$?"; sha1sum -c --quiet /mnt/before && echo kept; ls -a /mnt`,
    );
    if (!r) return ctx.skip();
    expect(r.err).toMatch(/^rolemill: \/mnt\/out\/[a-z_]+\.csv: cannot write: no space left on the device \(ENOSPC\)\n$/);
    expect(r.out).toContain('code=2\n');
    expect(r.out).toContain('kept\n');
    expect(r.out.split('\n').filter((l) => l.startsWith('.'))).toEqual(['.', '..']); // only `before` and `out` besides
    expect(r.out).toMatch(/\nbefore\nout\n$/);
  });
});

describe('as an unprivileged user (root reads and writes everything, so this runs as nobody)', () => {
  const asNobody = (args: string[]) => {
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, CLI, ...args], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr, ran: r.error === undefined && !/runuser: /.test(r.stderr ?? '') };
  };
  const usable = process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(CLI)})`]).status === 0;

  it('a folder the user cannot write: exit 2 before reading; an unreadable grants file: exit 2 naming it', (ctx) => {
    if (!usable) return ctx.skip();
    const dir = tempDir();
    chmodSync(dir, 0o755); // readable by all, writable by root only
    const input = join(dir, 'grants.csv');
    writeFileSync(input, GRANTS, { mode: 0o644 });
    const r = asNobody(['mine', input, '--out', join(dir, 'out')]);
    expect(r.err).toBe(`rolemill: ${join(dir, 'out')}: cannot create the output folder: ${dir} cannot be written: permission denied (EACCES)\n`);
    expect(r.code).toBe(2);
    const open = tempDir();
    chmodSync(open, 0o777);
    chmodSync(input, 0o600);
    const u = asNobody(['mine', input, '--out', join(open, 'out')]);
    expect(u).toMatchObject({ code: 2, err: `rolemill: ${input}: cannot read the file: permission denied (EACCES)\n` });
    expect(readdirSync(open)).toEqual([]);
  });
});

describe('what only looks like an earlier output is not replaced', () => {
  const dir = tempDir();
  const input = join(dir, 'grants.csv');
  writeFileSync(input, GRANTS);

  it('an earlier output edited since (a reviewed roles.csv), an output of another kind, a malformed manifest, an empty --out', () => {
    const out = join(dir, 'model');
    expect(run(['mine', input, '--out', out, '--no-timings']).code).toBe(0);
    writeFileSync(join(out, 'roles.csv'), readFileSync(join(out, 'roles.csv'), 'utf8') + 'R9999,business,0,0,0,0\n');
    const edited = snapshot(out);
    expect(run(['mine', input, '--out', out])).toMatchObject({
      code: 2,
      err: `rolemill: ${out}: is an earlier rolemill output whose 'roles.csv' was edited since rolemill wrote it (a reviewed model?); move the folder away or choose another output folder\n`,
    });
    expect(snapshot(out)).toEqual(edited);
    const model = join(dir, 'model2');
    expect(run(['mine', input, '--out', model]).code).toBe(0);
    expect(run(['generate', '--identities', '20', '--out', model])).toMatchObject({
      code: 2,
      err: `rolemill: ${model}: is an earlier rolemill model output, not a sample one: rolemill replaces an output only with one of its kind; choose another output folder\n`,
    });
    writeFileSync(join(model, 'rolemill.json'), JSON.stringify({ tool: 'rolemill', version: '0.1.0', kind: 'model', files: [1] }));
    expect(run(['mine', input, '--out', model]).err).toMatch(/is not empty and is not a rolemill output/);
    expect(run(['mine', input, '--out='])).toMatchObject({ code: 2, err: 'rolemill: --out needs a value, got an empty one\n' });
    expect(run(['mine', input, '--out', '--'])).toMatchObject({ code: 2, err: 'rolemill: --out needs a value\n' });
    expect(run(['mine', input, '--constructor', 'x']).err).toBe('rolemill: unknown option --constructor for mine (rolemill --help lists the options)\n');
  });

  it('a folder named like a leftover that holds anything its manifest does not list is left alone', async () => {
    const target = join(dir, 'out3');
    await writeOutput(target, { kind: 'model' }, async (tmp) => writeFileSync(join(tmp, 'roles.csv'), 'x\n'));
    const pid = deadPid();
    const fake = join(dir, `.out3.rolemill-old-${pid}-abcdef01`);
    mkdirSync(fake);
    writeFileSync(join(fake, 'rolemill.json'), readFileSync(join(target, 'rolemill.json')));
    writeFileSync(join(fake, 'thesis.txt'), 'my thesis\n');
    await checkOutput(target);
    expect(readFileSync(join(fake, 'thesis.txt'), 'utf8')).toBe('my thesis\n');
  });

  it('a file put into the earlier output while the run worked: the swap puts it back and refuses', async () => {
    const target = join(dir, 'out4');
    await writeOutput(target, { kind: 'model' }, async (tmp) => writeFileSync(join(tmp, 'roles.csv'), 'old\n'));
    const tmp = join(dir, 'new4');
    mkdirSync(tmp);
    writeFileSync(join(tmp, 'roles.csv'), 'new\n');
    const { rename } = await import('node:fs/promises');
    let first = true;
    const racing = {
      rename: async (from: string, to: string) => {
        await rename(from, to);
        if (first) writeFileSync(join(to, 'late.txt'), 'written meanwhile\n'); // lands in the set-aside folder
        first = false;
      },
      rm: async () => undefined,
    };
    await expect(swapIn(tmp, target, racing)).rejects.toThrow(`${target}: changed while rolemill worked ('late.txt'): it was left as it is; run again, or choose another output folder`);
    expect(readFileSync(join(target, 'late.txt'), 'utf8')).toBe('written meanwhile\n');
    expect(readFileSync(join(target, 'roles.csv'), 'utf8')).toBe('old\n');
  });
});

describe('atomic replacement', () => {
  it('a failure moving the new output in puts the earlier one back', async () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    await writeOutput(target, { kind: 'model' }, async (tmp) => writeFileSync(join(tmp, 'roles.csv'), 'old\n'));
    const tmp = join(dir, 'new');
    mkdirSync(tmp);
    writeFileSync(join(tmp, 'roles.csv'), 'new\n');
    let renames = 0;
    const failing = {
      rename: async (from: string, to: string) => {
        if (++renames === 2) throw Object.assign(new Error('EBUSY: resource busy'), { code: 'EBUSY' });
        const { rename } = await import('node:fs/promises');
        await rename(from, to);
      },
      rm: async () => undefined,
    };
    await expect(swapIn(tmp, target, failing)).rejects.toThrow('EBUSY');
    expect(readFileSync(join(target, 'roles.csv'), 'utf8')).toBe('old\n');
    expect(readdirSync(dir).sort()).toEqual(['new', 'out']);
  });

  it('a failure inside the write removes the temporary folder and keeps the earlier output', async () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    await writeOutput(target, { kind: 'model' }, async (tmp) => writeFileSync(join(tmp, 'roles.csv'), 'old\n'));
    const before = snapshot(target);
    await expect(writeOutput(target, { kind: 'model' }, async (tmp) => {
      writeFileSync(join(tmp, 'roles.csv'), 'half');
      throw new Error('disk on fire');
    })).rejects.toThrow('disk on fire');
    expect(snapshot(target)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['out']);
    expect((await readManifest(target))!.files).toEqual([{ path: 'roles.csv', bytes: 4 }]);
  });

  it('leftovers of a killed run are recognised and removed by the next run into the same place; a set-aside output is put back', async () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    const pid = deadPid();
    // Killed while writing: a temporary folder with its marker.
    mkdirSync(join(dir, `.out.rolemill-tmp-${pid}-0a1b2c3d`));
    writeFileSync(join(dir, `.out.rolemill-tmp-${pid}-0a1b2c3d`, '.rolemill-partial'), `${pid}\n`);
    writeFileSync(join(dir, `.out.rolemill-tmp-${pid}-0a1b2c3d`, 'roles.csv'), 'partial');
    // Killed between moving the earlier output aside and moving the new one in.
    await writeOutput(join(dir, 'staging'), { kind: 'model' }, async (tmp) => writeFileSync(join(tmp, 'roles.csv'), 'earlier\n'));
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, 'staging'), join(dir, `.out.rolemill-old-${pid}-00ff00ff`));
    // Not ours: a folder of the same pattern without the marker, and one of a live process.
    mkdirSync(join(dir, `.out.rolemill-tmp-${pid}-deadbeef`));
    writeFileSync(join(dir, `.out.rolemill-tmp-${pid}-deadbeef`, 'user-file'), 'x');
    mkdirSync(join(dir, `.out.rolemill-tmp-${process.pid}-12345678`));
    // Written to in the last minute: presumed alive (a run in another pid namespace or machine).
    mkdirSync(join(dir, `.out.rolemill-tmp-${pid}-f00df00d`));
    writeFileSync(join(dir, `.out.rolemill-tmp-${pid}-f00df00d`, '.rolemill-partial'), `${pid}\n`);
    for (const n of [`.out.rolemill-tmp-${pid}-0a1b2c3d`, `.out.rolemill-tmp-${pid}-deadbeef`]) age(join(dir, n));
    await checkOutput(target);
    expect(readdirSync(dir).sort()).toEqual([`.out.rolemill-tmp-${pid}-deadbeef`, `.out.rolemill-tmp-${pid}-f00df00d`, `.out.rolemill-tmp-${process.pid}-12345678`, 'out'].sort());
    expect(readFileSync(join(target, 'roles.csv'), 'utf8')).toBe('earlier\n');
  });

  it('a SIGKILLed mine leaves a temporary folder that the next mine removes', async () => {
    const dir = tempDir();
    const input = join(dir, 'grants.csv');
    writeFileSync(input, bigGrants(120_000));
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [CLI, 'mine', input, '--out', out, '--format', 'json', '--no-peers', '--quiet'], { stdio: 'ignore' });
    await waitFor(() => readdirSync(dir).some((n) => n.includes('.rolemill-tmp-')));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const left = readdirSync(dir).filter((n) => n.includes('.rolemill-tmp-'));
    expect(left.length).toBe(1);
    age(join(dir, left[0]!)); // as if killed a while ago (a fresh one is presumed alive)
    expect(run(['mine', input, '--out', out, '--no-peers']).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['grants.csv', 'out']);
  });
});

/** Sets the modification times of `dir` and everything in it two minutes back. */
function age(dir: string): void {
  const then = new Date(Date.now() - 120_000);
  for (const e of readdirSync(dir, { recursive: true }) as string[]) utimesSync(join(dir, e), then, then);
  utimesSync(dir, then, then);
}

function bigGrants(rows: number): string {
  const lines = ['identity,entitlement'];
  for (let i = 0; i < rows; i++) lines.push(`user-${i % 6000},app:ent-${(i * 7919) % 997}`);
  return lines.join('\n') + '\n';
}

async function waitFor(cond: () => boolean, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('SIGINT and SIGTERM while writing', () => {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig}: exit ${code}, the earlier output as it was, no temporary folder left`, async () => {
      const dir = tempDir();
      const input = join(dir, 'grants.csv');
      writeFileSync(input, bigGrants(120_000));
      const out = join(dir, 'out');
      writeFileSync(join(dir, 'small.csv'), GRANTS);
      expect(run(['mine', join(dir, 'small.csv'), '--out', out, '--no-peers']).code).toBe(0);
      const before = snapshot(out);
      const child = spawn(process.execPath, [CLI, 'mine', input, '--out', out, '--format', 'json', '--no-peers', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      await waitFor(() => readdirSync(dir).some((n) => n.includes('.rolemill-tmp-')));
      child.kill(sig);
      const status = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(err).toBe(`rolemill: interrupted by ${sig}: nothing was written, ${out} is as it was\n`);
      expect(status).toBe(code);
      expect(snapshot(out)).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['grants.csv', 'out', 'small.csv']);
    });
  }
});

describe('the command line speaks for itself', () => {
  const dir = tempDir();
  const input = join(dir, 'grants.csv');
  writeFileSync(input, GRANTS);

  it('no command: usage on stderr, exit 2; an unknown command or option suggests the closest', () => {
    const r = run([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rolemill: no command given\nrolemill \S+: mine a role model/);
    expect(run(['mien'])).toMatchObject({ code: 2, err: "rolemill: unknown command 'mien'; did you mean mine? (Usage: rolemill mine|evaluate|diff|check|explain|generate ... (rolemill --help for the options))\n" });
    expect(run(['mine', input, '--min-member', '3'])).toMatchObject({ code: 2, err: 'rolemill: unknown option --min-member for mine; did you mean --min-members? (rolemill --help lists the options)\n' });
    expect(run(['mine', input, '--tolerence=1']).err).toBe('rolemill: unknown option --tolerence for mine; did you mean --tolerance? (rolemill --help lists the options)\n');
    expect(run(['mine', input, '--zzzzzzzz']).err).toBe('rolemill: unknown option --zzzzzzzz for mine (rolemill --help lists the options)\n');
    expect(run(['mine', input, '--out'])).toMatchObject({ code: 2, err: 'rolemill: --out needs a value\n' });
    expect(run(['mine', input, '--quiet=yes']).err).toBe("rolemill: --quiet is a flag and takes no value, got 'yes'\n");
    expect(closest('--min-member'.slice(2), ['min-members', 'min-entitlements'])).toBe('min-members');
  });

  it('numbers say what is allowed: no sign, exponent, hex or fraction where a whole number is meant', () => {
    const err = (...a: string[]) => run(['mine', input, ...a]).err;
    expect(err('--min-members', '-1')).toBe("rolemill: --min-members must be a whole number ≥ 1, got '-1'\n");
    expect(err('--min-members', '1e1')).toBe("rolemill: --min-members must be a whole number ≥ 1, got '1e1'\n");
    expect(err('--min-members', '0x2')).toBe("rolemill: --min-members must be a whole number ≥ 1, got '0x2'\n");
    expect(err('--tolerance', '1.5')).toBe("rolemill: --tolerance must be 'auto' or a whole number in [0, 64], got '1.5'\n");
    expect(err('--tolerance', '65')).toBe("rolemill: --tolerance must be a whole number in [0, 64], got '65'\n");
    expect(err('--significance', '1')).toBe("rolemill: --significance must be a number in [0, 0.5], got '1'\n");
    expect(err('--coverage', '0')).toBe("rolemill: --coverage must be a number in (0, 1], got '0'\n");
    expect(err('--birthright', '-0.5')).toBe("rolemill: --birthright must be a number in [0, 1], got '-0.5'\n");
    expect(err('--memory-limit', '5000')).toBe("rolemill: --memory-limit must be a whole number of MiB in [1, 4096], got '5000'\n");
    expect(err('--as-of', '2026-02-30')).toBe("rolemill: --as-of must be a date YYYY-MM-DD, got '2026-02-30'\n");
    expect(err('--mode', 'fast')).toBe("rolemill: --mode must be approx or exact, got 'fast'\n");
    expect(run(['generate', '--identities', '2e3']).err).toBe("rolemill: --identities must be a whole number in [1, 10000000], got '2e3'\n");
  });

  it('--workers above the cores is clamped with a notice', () => {
    const r = run(['mine', input, '--out', join(dir, 'w'), '--workers', '100000']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^rolemill: --workers 100000 is more than the \d+ cores here; using \d+\n/);
  });

  it('a stack trace only with --debug', () => {
    const r = run(['mine', join(dir, 'missing.csv'), '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`rolemill: ${join(dir, 'missing.csv')}: cannot read the file: no such file (ENOENT)\n`);
    const d = run(['mine', join(dir, 'missing.csv'), '--out', join(dir, 'x'), '--debug']);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/^rolemill: .*no such file \(ENOENT\)\nInputError: .*\n\s+at /);
  });

  it('a grants file far over the memory limit fails before it is read', () => {
    const path = join(dir, 'huge.csv');
    const line = 'some-identity-0001,some-application:some-entitlement-0001\n';
    writeFileSync(path, 'identity,entitlement\n' + line.repeat(Math.ceil((70 << 20) / line.length)));
    const r = run(['mine', path, '--out', join(dir, 'huge-out'), '--memory-limit', '16']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rolemill: .*huge\.csv: about 1,2\d\d,\d{3} grant rows \(0\.1 GiB at \d+ bytes per row, from its first 64 KiB\) would need about \d+ MiB of WebAssembly memory, over the 16 MiB limit; scope the input/);
    expect(existsSync(join(dir, 'huge-out'))).toBe(false);
  });

  it('names from input files are printed with control and escape characters escaped', () => {
    expect(printable('evil\x1b[2J\x07name\r\n\u202e')).toBe('evil\\x1b[2J\\x07name\\r\\n\\u202e');
    const path = join(dir, 'esc.csv');
    writeFileSync(path, 'identity,entitlement\nalice,app:read\n');
    const r = run(['explain', path, '--identity', 'bob\x1b[31m', '--entitlement', 'app:read\x07']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`bob\\x1b[31m does not hold app:read\\x07 (no identity named bob\\x1b[31m in ${path})\n`);
  });

  it('the as-of date is said on stderr and in summary.json; a far-future last_used does not move it', () => {
    const rows = ['identity,entitlement,last_used'];
    for (let i = 0; i < 200; i++) for (let e = 0; e < 3; e++) rows.push(`u${i},app:e${(i + e) % 6},2026-11-${String(1 + ((i + e) % 28)).padStart(2, '0')}`);
    rows.push('u7,app:zz,2099-01-01');
    const path = join(dir, 'dated.csv');
    writeFileSync(path, rows.join('\n') + '\n');
    const r = run(['mine', path, '--out', join(dir, 'dated-out'), '--no-peers']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('rolemill: as-of date 2026-11-28 (the latest last_used; 1 last_used date far beyond the rest ignored, e.g. u7 app:zz 2099-01-01; --as-of sets the date)\n');
    const s = JSON.parse(readFileSync(join(dir, 'dated-out', 'summary.json'), 'utf8'));
    expect(s.dataQuality.asOf).toMatchObject({ date: '2026-11-28', source: 'latest last_used excluding outliers', outliers: { count: 1, examples: ['u7 app:zz 2099-01-01'] } });
  });

  it('an identities file keyed by another column than the grants: exit 2 with examples from both sides', () => {
    const grants = join(dir, 'logins.csv');
    writeFileSync(grants, 'identity,entitlement\n' + Array.from({ length: 40 }, (_, i) => `u${100 + i},app:read`).join('\n') + '\n');
    const people = join(dir, 'people.csv');
    writeFileSync(people, 'identity,department\n' + Array.from({ length: 40 }, (_, i) => `user${i}@example.com,sales`).join('\n') + '\n');
    const r = run(['mine', grants, '--identities', people, '--out', join(dir, 'keys-out')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `rolemill: ${people}: its keys (column identity) match 0 of 40 identities in ${grants} ` +
        `(e.g. ${people} has 'user0@example.com', 'user1@example.com', 'user2@example.com'; ${grants} has 'u100', 'u101', 'u102'); is --identity-key the right column?\n`,
    );
    expect(existsSync(join(dir, 'keys-out'))).toBe(false);
  });

  it('the version in manifests is the package version', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });

  it('OutputError names the path', () => {
    const e = new OutputError('is a file', '/x/y');
    expect(e.message).toBe('/x/y: is a file');
  });
});
