/**
 * Output folders that never destroy what rolemill did not write.
 *
 * Every folder rolemill writes carries a manifest (`rolemill.json`: the tool, its version, what kind
 * of output it is and every file written). A destination may be replaced only when it is absent,
 * empty, or an earlier rolemill output holding nothing but the files its manifest lists. Anything
 * else (a file, a folder of someone else's files, a folder that is or holds an input, the root) is an
 * OutputError naming the path and what is there, and nothing is written.
 *
 * Writing goes to a temporary folder beside the destination (same file system, so the final move is
 * a rename). The swap moves the earlier output aside, moves the new one in and only then removes the
 * earlier one; if the move in fails the earlier output is put back. A process killed on the way
 * (SIGKILL, power loss) leaves a temporary or set-aside folder named after the destination and its
 * pid; the next run into the same place recognises it (pattern, marker, pid no longer alive) and
 * removes it, or puts a set-aside earlier output back where it belongs.
 */
import { access, lstat, mkdir, readFile, readdir, realpath, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, parse, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AbortError, OutputError } from '../errors.js';
import { osReason } from '../ingest/os-reason.js';
import { VERSION } from '../version.js';

/** The manifest file every rolemill output folder carries. */
export const MANIFEST = 'rolemill.json';
/** Marker inside a temporary folder while it is being written. */
const PARTIAL = '.rolemill-partial';

export interface Manifest {
  tool: 'rolemill';
  version: string;
  /** What wrote it: 'model' (mine), 'sample' (generate), and later kinds. */
  kind: string;
  /** Every file written, relative to the folder, '/'-separated, sorted; the manifest itself excluded. */
  files: { path: string; bytes: number }[];
  /** The command line that wrote it (arguments after `rolemill`), when it came from the command line: what an auditor reruns. */
  command?: string[];
}

export interface OutputOptions {
  /** What the folder holds, recorded in the manifest. */
  kind: string;
  /** Input files of the run: the destination may not be, or hold, any of them. */
  inputs?: string[];
  /** Stops the write between files or chunks with AbortError; the earlier output stays as it was. */
  signal?: AbortSignal;
  /** Recorded in the manifest (Manifest.command). */
  command?: string[];
}

/** Leftover names: `.<base>.rolemill-<tmp|old|probe>-<pid>-<random>`. */
const LEFTOVER = /^\.(.+)\.rolemill-(tmp|old|probe)-(\d+)-[0-9a-f]+$/;

function leftoverName(target: string, what: 'tmp' | 'old' | 'probe'): string {
  return join(dirname(target), `.${basename(target)}.rolemill-${what}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** "a, b, c and 4 more" for the first names of a folder listing. */
function listing(names: string[], max = 5): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`);
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown.join('');
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw new OutputError(`cannot look at the output folder: ${osReason(e)}`, path);
    },
  );
}

/** The manifest at `dir`, or null when there is none or it is not rolemill's. */
export async function readManifest(dir: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch {
    return null;
  }
  try {
    const m = JSON.parse(text) as Partial<Manifest>;
    if (m.tool !== 'rolemill' || typeof m.kind !== 'string' || !Array.isArray(m.files)) return null;
    const fine = (f: unknown) => f !== null && typeof f === 'object' && typeof (f as { path?: unknown }).path === 'string' && typeof (f as { bytes?: unknown }).bytes === 'number';
    if (!m.files.every(fine)) return null;
    return m as Manifest;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

/** How recently a temporary folder must have changed for it to be presumed in use, whatever its pid. */
const FRESH_MS = 60_000;

/** The latest modification time of `dir` or anything in it (ms since the epoch). */
async function newestChange(dir: string): Promise<number> {
  let t = (await lstat(dir)).mtimeMs;
  for (const e of await entries(dir).catch(() => [])) {
    const s = await lstat(join(dir, e.path)).catch(() => null);
    if (s && s.mtimeMs > t) t = s.mtimeMs;
  }
  return t;
}

/**
 * What in the folder `dir` its manifest does not account for: entries at any depth it does not
 * list (folders on the way to listed files excepted), and listed files whose size is not the one
 * written (edited since, as a reviewer edits a model). Null when `dir` has no valid manifest.
 */
async function unaccounted(dir: string, manifest: Manifest | null = null): Promise<{ foreign: string[]; edited: string[] } | null> {
  const m = manifest ?? (await readManifest(dir));
  if (!m) return null;
  const bytes = new Map(m.files.map((f) => [f.path, f.bytes]));
  const folders = new Set(m.files.flatMap((f) => f.path.split('/').slice(0, -1).map((_, k, parts) => parts.slice(0, k + 1).join('/'))));
  const foreign: string[] = [];
  const edited: string[] = [];
  for (const e of await entries(dir)) {
    if (e.path === MANIFEST) continue;
    if (e.dir) {
      if (!folders.has(e.path)) foreign.push(e.path);
      continue;
    }
    const want = bytes.get(e.path);
    if (want === undefined) foreign.push(e.path);
    else if ((await lstat(join(dir, e.path))).size !== want) edited.push(e.path);
  }
  return { foreign, edited };
}

/**
 * Removes what a killed run into `target` left beside it: temporary and probe folders (holding the
 * partial marker, or empty) and set-aside earlier outputs (holding a manifest), when the pid in the
 * name is no longer alive. A set-aside output whose destination is gone is moved back instead.
 */
export async function cleanLeftovers(target: string): Promise<void> {
  const parent = dirname(target);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return; // no parent yet: nothing was left there
  }
  for (const n of names.sort()) {
    const m = LEFTOVER.exec(n);
    if (!m || m[1] !== basename(target) || alive(Number(m[3]))) continue;
    const path = join(parent, n);
    const inside = await readdir(path).catch(() => null);
    if (inside === null) continue;
    // Only a folder that is rolemill's through and through is touched: its manifest accounts for
    // every entry (a folder of that name holding anything else is left alone). A temporary folder
    // is also rolemill's while it holds its marker (files are still being written), or nothing.
    const whole = await unaccounted(path).catch(() => null);
    const ours = whole !== null && whole.foreign.length === 0 && whole.edited.length === 0;
    // A pid is only this machine's (and this pid namespace's): a run elsewhere writing into the same
    // shared folder looks dead from here. A temporary folder written to in the last minute is
    // presumed alive, whatever its pid says.
    if (m[2] !== 'old' && (await newestChange(path)) > Date.now() - FRESH_MS) continue;
    try {
      if (m[2] === 'old') {
        if (!ours) continue;
        if (!(await exists(target))) await rename(path, target);
        else await rm(path, { recursive: true, force: true });
      } else if (ours || inside.length === 0 || inside.includes(PARTIAL)) {
        await rm(path, { recursive: true, force: true });
      }
    } catch {
      // Cannot be removed (permissions): left as it is; it never blocks a run.
    }
  }
}

/**
 * Checks that `dir` may receive an output, before any work is done: throws OutputError naming the
 * path and what is there when it may not (see the module comment). Also proves that the folder the
 * output goes into can be written (a probe folder created and removed there) and removes leftovers
 * of killed runs. Returns the absolute destination.
 */
export async function checkOutput(dir: string, opts: Pick<OutputOptions, 'inputs'> & { kind?: string } = {}): Promise<string> {
  if (dir === '') throw new OutputError('an empty output path: give the output folder', '(empty)');
  const target = resolve(dir);
  if (target === parse(target).root) throw new OutputError('refusing to write an output folder at the root of the file system; choose a folder of its own', target);
  const link = await lstat(target).then((s) => s.isSymbolicLink(), () => false);
  if (link) throw new OutputError('is a symbolic link: rolemill replaces a folder by renaming, which would replace the link; give the folder it points to', target);
  await cleanLeftovers(target);
  const here = (await exists(target)) ? await stat(target).catch((e) => { throw new OutputError(`cannot look at the output folder: ${osReason(e)}`, target); }) : null;
  if (here && !here.isDirectory()) throw new OutputError('is a file, not a folder: rolemill writes a folder of files here and does not replace files; choose another output folder', target);
  // The destination may not be, or hold, an input (compared as given and through real paths: links, '..').
  const realTarget = here ? await realpath(target) : target;
  for (const input of opts.inputs ?? []) {
    const real = await realpath(input).catch(() => resolve(input));
    const given = resolve(input);
    const inside = (p: string, t: string) => p === t || p.startsWith(t + sep);
    if (inside(real, realTarget) || inside(given, target)) {
      const what = (await stat(real).catch(() => null))?.isDirectory() ? 'folder' : 'file';
      throw new OutputError(real === realTarget ? `is the input ${what} ${input}: an output here would replace it; choose another output folder` : `holds the input ${what} ${input}: an output here would replace it; choose another output folder`, target);
    }
  }
  if (here) {
    const names = (await readdir(target)).sort();
    const cwd = resolve('.') === target ? ' (the current folder)' : '';
    if (names.length > 0) {
      const manifest = await readManifest(target);
      if (!manifest) {
        throw new OutputError(
          `is not empty and is not a rolemill output${cwd}: it holds ${listing(names)}. rolemill replaces only an empty folder or an earlier output of its own (one with ${MANIFEST}); choose another output folder`,
          target,
        );
      }
      // Every entry, at any depth, must be one the manifest lists (or a folder on the way to one):
      // a reviewer's note dropped into truth/ is as much not ours as one beside it.
      const { foreign, edited } = (await unaccounted(target, manifest))!;
      if (opts.kind !== undefined && manifest.kind !== opts.kind) {
        throw new OutputError(`is an earlier rolemill ${manifest.kind} output${cwd}, not a ${opts.kind} one: rolemill replaces an output only with one of its kind; choose another output folder`, target);
      }
      if (edited.length > 0) {
        throw new OutputError(
          `is an earlier rolemill output${cwd} whose ${listing(edited)} ${edited.length > 1 ? 'were' : 'was'} edited since rolemill wrote ${edited.length > 1 ? 'them' : 'it'} (a reviewed model?); move the folder away or choose another output folder`,
          target,
        );
      }
      if (foreign.length > 0) {
        throw new OutputError(
          `is an earlier rolemill output${cwd} but also holds ${listing(foreign)}, which rolemill did not write; move ${foreign.length > 1 ? 'them' : 'it'} away or choose another output folder`,
          target,
        );
      }
    }
  }
  if (here) {
    const up = await stat(dirname(target)).catch(() => null);
    if (up && up.dev !== here.dev) throw new OutputError('is a mount point: rolemill replaces a folder by renaming it, which a mount point cannot be; choose a folder inside it', target);
    // Replacing it removes its files: it must be writable (root bypasses this; the removal then still works).
    await access(target, constants.W_OK | constants.X_OK).catch((e) => {
      throw new OutputError(`cannot be replaced: ${osReason(e)}`, target);
    });
  }
  // The nearest folder that exists must take a new folder (permissions, read-only file systems).
  let base = dirname(target);
  for (;;) {
    const s = await stat(base).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? null : Promise.reject(new OutputError(`cannot create the output folder: ${osReason(e)}`, target))));
    if (s) {
      if (!s.isDirectory()) throw new OutputError(`cannot create the output folder: ${base} is a file, not a folder`, target);
      break;
    }
    const up = dirname(base);
    if (up === base) break;
    base = up;
  }
  const probe = base === dirname(target) ? leftoverName(target, 'probe') : join(base, `.rolemill-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(probe);
  } catch (e) {
    throw new OutputError(`cannot create the output folder: ${base} cannot be written: ${osReason(e)}`, target);
  }
  await rmdir(probe);
  return target;
}

/**
 * Every entry under `dir`, relative and '/'-separated, sorted: files, links and other non-folders
 * (links are not followed), and folders (each reported, its content too). For the check that an
 * earlier output holds nothing foreign.
 */
async function entries(dir: string, prefix = ''): Promise<{ path: string; dir: boolean }[]> {
  const out: { path: string; dir: boolean }[] = [];
  for (const e of (await readdir(join(dir, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      out.push({ path: rel, dir: true });
      out.push(...(await entries(dir, rel)));
    } else out.push({ path: rel, dir: false });
  }
  return out;
}

/** The files under `dir` a manifest lists (the marker and the manifest itself left out), with their sizes. */
export async function manifestFiles(dir: string): Promise<{ path: string; bytes: number }[]> {
  const files = (await entries(dir)).filter((e) => !e.dir && e.path !== MANIFEST && e.path !== PARTIAL);
  return Promise.all(files.map(async (e) => ({ path: e.path, bytes: (await stat(join(dir, e.path))).size })));
}

/** What the swap does to the file system: replaceable in tests to make each step fail. */
export interface SwapOps {
  rename: (from: string, to: string) => Promise<void>;
  rm: (path: string) => Promise<void>;
}
const FS_OPS: SwapOps = { rename, rm: (p) => rm(p, { recursive: true, force: true }) };

/**
 * Puts the finished folder `tmp` at `target`: the earlier output (if any) is moved aside, `tmp`
 * moved in, then the earlier output removed. A failure moving `tmp` in puts the earlier output
 * back and rethrows; a failure removing the set-aside folder is left to the next run's cleanup.
 */
export async function swapIn(tmp: string, target: string, ops: SwapOps = FS_OPS): Promise<void> {
  const old = (await exists(target)) ? leftoverName(target, 'old') : null;
  if (old) {
    await ops.rename(target, old);
    // Set aside, the earlier output is checked once more: a file put there while this run worked
    // (after the destination's last check) is not rolemill's to remove. Then the earlier output goes back.
    // (An earlier output without a manifest passed the destination check only as an empty folder.)
    const left = (await readManifest(old)) ? await unaccounted(old).catch(() => null) : { foreign: (await entries(old)).map((e) => e.path), edited: [] };
    if (left === null || left.foreign.length > 0 || left.edited.length > 0) {
      await ops.rename(old, target);
      const what = left ? [...left.foreign, ...left.edited] : [MANIFEST];
      throw new OutputError(`changed while rolemill worked (${listing(what)}): it was left as it is; run again, or choose another output folder`, target);
    }
  }
  try {
    await ops.rename(tmp, target);
  } catch (e) {
    if (old) await ops.rename(old, target);
    throw e;
  }
  if (old) await ops.rm(old).catch(() => undefined);
}

/**
 * Writes an output folder all or nothing: checks `dir` (checkOutput), creates a temporary folder
 * beside it, lets `fill` write into it, adds the manifest and swaps it in. Any failure or abort
 * removes the temporary folder and leaves an earlier output at `dir` as it was; operating-system
 * errors become OutputErrors naming the path. Returns the manifest written.
 */
export async function writeOutput(dir: string, opts: OutputOptions, fill: (tmp: string, signal?: AbortSignal) => Promise<void>): Promise<Manifest> {
  const target = await checkOutput(dir, opts);
  await mkdir(dirname(target), { recursive: true }).catch((e) => {
    throw new OutputError(`cannot create the output folder: ${osReason(e)}`, target);
  });
  const tmp = leftoverName(target, 'tmp');
  try {
    await mkdir(tmp);
    await writeFile(join(tmp, PARTIAL), `${process.pid}\n`);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new OutputError(`cannot create the output folder: ${osReason(e)}`, target);
  }
  try {
    if (opts.signal?.aborted) throw new AbortError();
    await fill(tmp, opts.signal);
    if (opts.signal?.aborted) throw new AbortError();
    const manifest: Manifest = { tool: 'rolemill', version: VERSION, kind: opts.kind, files: await manifestFiles(tmp), ...(opts.command ? { command: opts.command } : {}) };
    await writeFile(join(tmp, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    await rm(join(tmp, PARTIAL));
    // The destination is checked again: someone may have put files there while the run worked.
    await checkOutput(target, opts);
    if (opts.signal?.aborted) throw new AbortError();
    await swapIn(tmp, target);
    return manifest;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw asOutputError(e, tmp, target);
  }
}

/**
 * Runs one file's write, giving an operating-system error without a path (a stream's ENOSPC says
 * only "write") the path of the file, so that the message can name it.
 */
export async function writingFile<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    const err = e as NodeJS.ErrnoException | null;
    if (err && typeof err.code === 'string' && err.path === undefined) err.path = path;
    throw e;
  }
}

/** An operating-system error while writing becomes an OutputError naming the file (in its final place). */
function asOutputError(e: unknown, tmp: string, target: string): unknown {
  const err = e as NodeJS.ErrnoException | null;
  if (!err || typeof err.code !== 'string' || !/^E[A-Z]+$/.test(err.code)) return e;
  const where = typeof err.path === 'string' && (err.path === tmp || err.path.startsWith(tmp + sep)) ? join(target, relative(tmp, err.path)) : err.path ?? target;
  return new OutputError(`cannot write: ${osReason(err)}`, where);
}
