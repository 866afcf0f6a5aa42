/**
 * The report of an output: its tables (as written) and summary → report.html's text. The writer
 * calls this with the tables in memory, `rolemill report DIR` with the tables read back from the
 * folder; both give the same bytes. Platform-neutral.
 */
import type { OutTable } from '../model/tables.js';
import { VERSION } from '../version.js';
import { reportData, viewOfTable, type ReportData, type TableView } from './data.js';
import { reportHtml } from './html.js';

export { REPORT_FILE, REPORT_CSS, reportHtml } from './html.js';
export { renderReport } from './render.js';
export { reportData, reviewSection, viewOfRecords, viewOfTable, type ReportData, type TableView } from './data.js';

export interface ReportOptions {
  kind: ReportData['kind'];
  /** The command line (arguments after `rolemill`), shown under "How this was built". */
  command?: string[] | null;
}

/** report.html's data for tables in memory (OutTables) or read back (TableViews), with the output's other files listed. */
export function reportDataFor(tables: (OutTable | { name: string; view: TableView })[], summary: unknown, files: { path: string; bytes: number }[], options: ReportOptions): ReportData {
  const views = new Map<string, TableView>(tables.map((t) => ('view' in t ? [t.name, t.view] : [t.name, viewOfTable(t)])));
  return reportData({
    kind: options.kind,
    tables: views,
    summary: (summary ?? {}) as Record<string, unknown>,
    files,
    command: options.command ?? null,
    version: VERSION,
  });
}

/** report.html for tables in memory (OutTables) or read back (TableViews), with the output's other files listed. */
export function reportFor(tables: (OutTable | { name: string; view: TableView })[], summary: unknown, files: { path: string; bytes: number }[], options: ReportOptions): string {
  return reportHtml(reportDataFor(tables, summary, files, options));
}
