/**
 * The run's output folder and report data, made from a finished run: `outputFilesOf` gives every
 * file `rolemill mine` writes (the same bytes, rolemill.json and report.html included) and
 * `reportDataFor` what the page's report draws (report.html's data). Platform-neutral: the page runs it on a worker of its own (output-worker.ts), since
 * at a million grants it takes seconds that the page's main thread must not block for.
 */
import { deliverablesFor, outputFilesOf, outputTables, reportDataFor, type OutputFile, type OutTable, type ReportData, type WorkerRun } from '../src/browser.js';
import type { OutputChoice } from './options.js';

/** Every file of the output folder for the run of `tables` (tablesOf) and `summary`, as the command line `command` writes it. */
export function outputFolder(run: WorkerRun, tables: OutTable[], output: OutputChoice, command: string[], onReportData?: (data: ReportData) => void): OutputFile[] {
  const review = run.extraTables.find((t) => t.name === 'review') ?? null;
  return outputFilesOf(tables, run.model.summary, {
    format: output.format,
    command,
    omitTimings: output.omitTimings,
    // As the command line's deliverables: per-reviewer files, exports, the report.
    ...deliverablesFor('mine', { review, reviewSplit: output.reviewSplit, exports: output.exports, report: output.report }),
    ...(onReportData ? { onReportData } : {}),
  });
}

/** The run's tables as written (roles with the run's columns, exceptions with accounts, the extra tables). */
export function tablesOf(run: WorkerRun): OutTable[] {
  return outputTables(run.model, { extraTables: run.extraTables, roleColumns: run.roleColumns, exceptionColumns: run.exceptionColumns });
}

/** What the page's tables show: roles (with each role's entitlements, comma-separated), exceptions, identities. */
export interface ShownTables {
  roles: OutTable | null;
  roleEntitlements: string[];
  exceptions: OutTable | null;
  identities: OutTable | null;
}

export function shownTables(tables: OutTable[]): ShownTables {
  const by = new Map(tables.map((t) => [t.name, t]));
  const roles = by.get('roles') ?? null;
  const roleEntitlements: string[] = [];
  const re = by.get('role_entitlements');
  if (roles && re) {
    const ids = roles.columns.find(([n]) => n === 'role')![1] as { dictionary: string[]; codes: Uint32Array };
    const at = new Map(Array.from(ids.codes, (c, r) => [ids.dictionary[c]!, r]));
    const lists: string[][] = Array.from({ length: roles.length }, () => []);
    const rc = re.columns.find(([n]) => n === 'role')![1] as { dictionary: string[]; codes: Uint32Array };
    const ec = re.columns.find(([n]) => n === 'entitlement')![1] as { dictionary: string[]; codes: Uint32Array };
    for (let k = 0; k < re.length; k++) lists[at.get(rc.dictionary[rc.codes[k]!]!)!]?.push(ec.dictionary[ec.codes[k]!]!);
    for (const l of lists) roleEntitlements.push(l.join(', '));
  }
  return { roles, roleEntitlements, exceptions: by.get('exceptions') ?? null, identities: by.get('identities') ?? null };
}

const encoder = new TextEncoder();
export const bytesOf = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? encoder.encode(data) : data);

/**
 * The report's data as report.html carries it (for a folder made without report.html: the page
 * still draws it): the tables as written, summary.json as written, and the folder's other files.
 */
export function reportOf(files: OutputFile[], command: string[], tables: OutTable[]): ReportData {
  const summary = files.find((f) => f.path === 'summary.json')!.data as string;
  const listed = files.filter((f) => f.path !== 'report.html' && f.path !== 'rolemill.json').map((f) => ({ path: f.path, bytes: bytesOf(f.data).length }));
  return reportDataFor(tables, JSON.parse(summary), listed, { kind: 'mine', command });
}
