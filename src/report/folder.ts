/**
 * `rolemill report DIR`: report.html for an output folder rolemill wrote (mine, evaluate, diff),
 * from the files in it — the same bytes the command wrote when the folder is as it left it, and
 * the report of the edited tables when a reviewer changed them.
 *
 * The folder must carry rolemill's manifest; report.html is written into it (to a temporary file,
 * then renamed) only when it is absent or one the manifest lists, and the manifest is rewritten
 * the same way to list it, so the folder stays one rolemill may later replace. `--out FILE`
 * writes elsewhere: a file that exists there must be a rolemill report (its generator tag).
 */
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError, OutputError } from '../errors.js';
import { MANIFEST, readManifest, type Manifest } from '../output/dest.js';
import { readModelTable, type ModelFormat } from '../model/read.js';
import { osReason } from '../ingest/os-reason.js';
import { reportFor, REPORT_FILE, viewOfRecords, type TableView } from './index.js';
import { compareOutputPaths } from '../output/files.js';

/** Every table a rolemill output folder may hold that the report reads. */
const TABLES = ['roles', 'role_entitlements', 'assignments', 'exceptions', 'identities', 'impact', 'role_changes', 'identity_changes', 'remediation', 'review'];

/** The report.html text of the output folder `dir`, and its manifest. InputError when it is not one rolemill wrote. */
export async function reportOfFolder(dir: string): Promise<{ html: string; manifest: Manifest }> {
  const manifest = await readManifest(dir);
  if (!manifest) throw new InputError(`is not a rolemill output folder (no ${MANIFEST} of rolemill's): give the folder mine, evaluate or diff wrote`, dir);
  const format = manifest.files.map((f) => /^(roles|role_changes)\.(csv|arrow|json)$/.exec(f.path)?.[2]).find((x) => x !== undefined) as ModelFormat | undefined;
  if (!format) throw new InputError(`holds no roles or role_changes table: report.html is drawn from the output of mine, evaluate or diff`, dir);
  let summary: unknown;
  const summaryPath = join(dir, 'summary.json');
  try {
    summary = JSON.parse(await readFile(summaryPath, 'utf8'));
  } catch (e) {
    throw new InputError(e instanceof SyntaxError ? `is not valid JSON: ${e.message}` : `cannot be read: ${osReason(e)}`, summaryPath);
  }
  const tables: { name: string; view: TableView }[] = [];
  for (const name of TABLES) {
    const rows = await readModelTable({ dir, format }, name);
    if (rows) tables.push({ name, view: viewOfRecords(rows) });
  }
  const kind = manifest.kind === 'diff' ? 'diff' : (summary as { evaluation?: unknown }).evaluation ? 'evaluate' : 'mine';
  const files = manifest.files.filter((f) => f.path !== REPORT_FILE);
  return { html: reportFor(tables, summary, files, { kind, command: manifest.command ?? null }), manifest };
}

async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.rolemill-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new OutputError(`cannot be written: ${osReason(e)}`, path);
  }
}

/** Writes the report of `dir` into it (or to `out`); returns the path written. */
export async function writeFolderReport(dir: string, out?: string): Promise<string> {
  const { html, manifest } = await reportOfFolder(dir);
  if (out !== undefined) {
    const there = await stat(out).then((s) => s, () => null);
    if (there) {
      const head = there.isFile() ? (await readFile(out, 'utf8').catch(() => '')).slice(0, 2000) : '';
      if (!head.includes('<meta name="generator" content="rolemill')) throw new OutputError(`exists and is not a rolemill report: rolemill replaces only a report it wrote; choose another file`, out);
    }
    await replaceFile(out, html);
    return out;
  }
  const path = join(dir, REPORT_FILE);
  const listed = manifest.files.some((f) => f.path === REPORT_FILE);
  if (!listed && (await stat(path).then(() => true, () => false))) throw new OutputError(`exists but the folder's ${MANIFEST} does not list it: rolemill replaces only files it wrote; move it, or give --out FILE`, path);
  await replaceFile(path, html);
  // In the order the writer lists a folder (review/... before review.csv): a second report of the
  // folder lists its files as the first did.
  const files = [...manifest.files.filter((f) => f.path !== REPORT_FILE), { path: REPORT_FILE, bytes: Buffer.byteLength(html) }].sort((a, b) => compareOutputPaths(a.path, b.path));
  await replaceFile(join(dir, MANIFEST), JSON.stringify({ ...manifest, files }, null, 2) + '\n');
  return path;
}
