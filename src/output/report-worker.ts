/**
 * Node worker_threads entry of startReportThread (src/output/report-thread.ts): builds report.html's
 * data from the tables it is sent while the writer writes them, then, given the list of files
 * written (and any tables made since, with the summary as finally written), the page, posted back
 * as text.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { reportData, reportHtml, reviewSection, viewOfTable, type TableView } from '../report/index.js';
import { VERSION } from '../version.js';
import type { ReportJob, ReportLater } from './report-thread.js';

const job = workerData as ReportJob;
/** Every table's name, sent or not: asking for one that exists but was not sent is a bug (REPORT_READS out of step), not an absent table. */
const names = new Set(job.names);
class Views extends Map<string, TableView> {
  override get(name: string): TableView | undefined {
    if (!this.has(name) && names.has(name)) throw new Error(`internal: the report reads table ${name}, which REPORT_READS (src/report/data.ts) does not list`);
    return super.get(name);
  }
}
const views = new Views();
function addViews(tables: ReportJob['tables'], all: string[]): void {
  for (const n of all) names.add(n);
  for (const t of tables) {
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
      number: (column) => (guard(column), view.number!(column)),
    });
  }
}
addViews(job.tables, job.names);
const build = (summary: unknown) => reportData({ kind: job.options.kind, tables: views, summary: (summary ?? {}) as Record<string, unknown>, files: [], command: job.options.command ?? null, version: VERSION });
let data = build(job.summary);
/** The summary without its timings: the only part a table made later may change (its own time). */
const untimed = (s: unknown) => JSON.stringify(s && typeof s === 'object' ? { ...(s as object), timings: undefined } : s);
parentPort!.once('message', ({ files, later }: { files: { path: string; bytes: number }[]; later: ReportLater | null }) => {
  if (later) {
    addViews(later.tables, later.names);
    // A review made later changes only the review section and the summary's timings: those are
    // set in place (the same bytes as a report built from everything at once); anything else the
    // report reads that came later, or a summary changed otherwise, builds the data again.
    if (later.tables.every((t) => t.name === 'review') && untimed(later.summary) === untimed(job.summary)) {
      data.review = reviewSection(views.get('review'));
      data.summary = (later.summary ?? {}) as Record<string, unknown>;
    } else data = build(later.summary);
  }
  data.files = files;
  parentPort!.postMessage(reportHtml(data));
});
