/**
 * Node worker_threads entry of startReportThread (src/output/report-thread.ts): builds report.html's
 * data from the tables it is sent while the writer writes them, then, given the list of files
 * written, the page, posted back as text.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { reportData, reportHtml, viewOfTable, type TableView } from '../report/index.js';
import { VERSION } from '../version.js';
import type { ReportJob } from './report-thread.js';

const job = workerData as ReportJob;
/** The tables sent; asking for one that exists but was not sent is a bug (REPORT_READS out of step), not an absent table. */
class Views extends Map<string, TableView> {
  override get(name: string): TableView | undefined {
    if (!this.has(name) && job.names.includes(name)) throw new Error(`internal: the report reads table ${name}, which REPORT_READS (src/report/data.ts) does not list`);
    return super.get(name);
  }
}
const views = new Views();
for (const t of job.tables) {
  const view = viewOfTable(t);
  const sent = new Set(t.columns.map(([n]) => n));
  const guard = (column: string) => {
    if (!sent.has(column) && t.all.includes(column)) throw new Error(`internal: the report reads ${t.name}.${column}, which REPORT_READS (src/report/data.ts) does not list`);
  };
  views.set(t.name, {
    length: view.length,
    columns: t.all,
    text: (column) => (guard(column), view.text(column)),
    interned: (column, into) => (guard(column), view.interned!(column, into)),
  });
}
const data = reportData({ kind: job.options.kind, tables: views, summary: (job.summary ?? {}) as Record<string, unknown>, files: [], command: job.options.command ?? null, version: VERSION });
parentPort!.once('message', (files: { path: string; bytes: number }[]) => {
  data.files = files;
  parentPort!.postMessage(reportHtml(data));
});
