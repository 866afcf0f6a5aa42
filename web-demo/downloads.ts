/**
 * The run's output folder, made in the page: `outputFiles` gives every file `rolemill mine` writes
 * (the same bytes, rolemill.json and report.html included), which the page offers one by one and
 * as one ZIP (fflate's zipSync). Nothing is uploaded: a download is a Blob URL of this page.
 */
import { zipSync } from 'fflate';
import { outputFiles, splitByReviewer, type OutputFile, type WorkerRun } from '../src/browser.js';
import type { OutputChoice } from './options.js';

/** Every file of the output folder for `run`, as the command line `command` writes it. */
export function outputFolder(run: WorkerRun, output: OutputChoice, command: string[]): OutputFile[] {
  const review = output.reviewSplit ? run.extraTables.find((t) => t.name === 'review') ?? null : null;
  const split = review ? splitByReviewer(review) : [];
  return outputFiles(run.model, {
    extraTables: run.extraTables,
    roleColumns: run.roleColumns,
    exceptionColumns: run.exceptionColumns,
    format: output.format,
    command,
    omitTimings: output.omitTimings,
    // As the command line's deliverables(): per-reviewer files, exports, the report.
    ...(split.length ? { tableFiles: split.map((p) => ({ path: `review/${p.file}`, table: p.table })) } : {}),
    ...(output.exports.length ? { exports: { formats: output.exports } } : {}),
    ...(output.report ? { report: { kind: 'mine' as const } } : {}),
  });
}

const encoder = new TextEncoder();
export const bytesOf = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? encoder.encode(data) : data);

/**
 * The folder as one ZIP: each file at its path in the folder (`roles.csv`, `export/midpoint/roles.xml`),
 * stored with a fixed date (1980-01-01, the ZIP epoch) so that the same files give the same ZIP.
 */
export function zipOf(files: OutputFile[]): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const f of files) entries[f.path] = bytesOf(f.data);
  return zipSync(entries, { level: 6, mtime: new Date(1980, 0, 1) });
}

const TYPES: Record<string, string> = {
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  xml: 'application/xml',
  arrow: 'application/vnd.apache.arrow.file',
  zip: 'application/zip',
};

/** Saves bytes under `name` through a temporary link to a Blob URL (the browser's download, nothing sent anywhere). */
export function save(name: string, data: string | Uint8Array): void {
  const ext = /\.([a-z]+)$/.exec(name)?.[1] ?? '';
  const bytes = bytesOf(data);
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: TYPES[ext] ?? 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
