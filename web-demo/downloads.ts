/**
 * Downloads made in the page: the output folder as one ZIP (fflate's zipSync) and any file on its
 * own. Nothing is uploaded: a download is a Blob URL of this page.
 */
import { zipSync } from 'fflate';
import type { OutputFile } from '../src/browser.js';
import { bytesOf } from './output.js';

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
  const blob = new Blob([bytesOf(data) as Uint8Array<ArrayBuffer>], { type: TYPES[ext] ?? 'application/octet-stream' });
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
