/**
 * The run's output folder and report data, made from a finished run: `outputFiles` gives every
 * file `rolemill mine` writes (the same bytes, rolemill.json and report.html included) and
 * `reportData` what the page's report draws (as report.html's data: src/report/index.ts
 * reportFor). Platform-neutral: the page runs it on a worker of its own (output-worker.ts), since
 * at a million grants it takes seconds that the page's main thread must not block for.
 */
import { outputFiles, outputTables, reportData, splitByReviewer, viewOfTable, type OutputFile, type OutTable, type ReportData, type WorkerRun } from '../src/browser.js';
import { VERSION } from '../src/version.js';
import type { OutputChoice } from './options.js';

/** Every file of the output folder for `run`, as the command line `command` writes it. */
export function outputFolder(run: WorkerRun, output: OutputChoice, command: string[], onReportData?: (data: ReportData) => void): OutputFile[] {
  const review = output.reviewSplit ? run.extraTables.find((t) => t.name === 'review') ?? null : null;
  const split = review ? splitByReviewer(review) : [];
  return outputFiles(run.model, {
    extraTables: run.extraTables,
    roleColumns: run.roleColumns,
    exceptionColumns: run.exceptionColumns,
    format: output.format,
    command,
    omitTimings: output.omitTimings,
    // As the command line's deliverables() (src/cli/run.ts): per-reviewer files, exports, the report.
    ...(split.length ? { tableFiles: split.map((p) => ({ path: `review/${p.file}`, table: p.table })) } : {}),
    ...(output.exports.length ? { exports: { formats: output.exports } } : {}),
    ...(output.report ? { report: { kind: 'mine' as const } } : {}),
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
 * The report's data as report.html carries it: the tables as written, summary.json as written,
 * and the folder's other files (all but report.html and the manifest) with their sizes.
 */
export function reportOf(run: WorkerRun, files: OutputFile[], command: string[], tables: OutTable[] = tablesOf(run)): ReportData {
  const summary = files.find((f) => f.path === 'summary.json')!.data as string;
  const listed = files.filter((f) => f.path !== 'report.html' && f.path !== 'rolemill.json').map((f) => ({ path: f.path, bytes: bytesOf(f.data).length }));
  return reportData({ kind: 'mine', tables: new Map(tables.map((t) => [t.name, viewOfTable(t)])), summary: JSON.parse(summary) as Record<string, unknown>, files: listed, command, version: VERSION });
}
