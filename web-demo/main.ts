// The web demo: what `rolemill mine` runs, on files picked in the page. The grants file, and
// optionally an identities file and a group-memberships file, are handed to the worker engine's
// runFiles, which reads them in the worker and runs the governed pipeline there (runMine:
// governance, mining of people and of non-human accounts, peer groups, names and kinds), so the
// page shows the model the command line writes for the same files and knobs.
import { createWorkerEngine, roleObjects, AbortError, type RoleModel, type WorkerRun, type RunFiles, type RunFileOptions } from '../src/browser.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
// ?workers=N sets the mining pool's threads (used where the page is cross-origin isolated).
const workersParam = new URLSearchParams(location.search).get('workers');
const engine = createWorkerEngine(workersParam ? { workers: Number(workersParam) } : {});
let controller: AbortController | null = null;
let last: WorkerRun | null = null;

/** The knobs as the page shows them, as runMine's options (the CLI's --mode, --objective, --min-members, --coverage, --tolerance). */
function options(): RunFileOptions {
  const exact = $<HTMLSelectElement>('mode').value === 'exact';
  if (exact) return { mode: 'exact', objective: $<HTMLInputElement>('wsc').checked ? 'wsc' : 'roles' };
  return {
    mode: 'approx',
    approx: {
      minMembers: Number($<HTMLInputElement>('minMembers').value),
      coverage: Number($<HTMLInputElement>('coverage').value) / 100,
      tolerance: tolerance(),
    },
  };
}

/** The tolerance slider: its leftmost stop is the CLI's default, auto (decided per identity from the evidence). */
function tolerance(): number | 'auto' {
  const v = Number($<HTMLInputElement>('tolerance').value);
  return v < 0 ? 'auto' : v;
}

/** The picked files (null without a grants file). A File goes to the worker as a reference to its bytes, not a copy. */
function files(): RunFiles | null {
  const pick = (id: string) => $<HTMLInputElement>(id).files?.[0] ?? null;
  const grants = pick('file');
  return grants ? { grants, identities: pick('identities'), memberships: pick('memberships') } : null;
}

function showKnobs(): void {
  $('minMembersValue').textContent = $<HTMLInputElement>('minMembers').value;
  $('coverageValue').textContent = `${$<HTMLInputElement>('coverage').value}%`;
  $('toleranceValue').textContent = String(tolerance());
  const exact = $<HTMLSelectElement>('mode').value === 'exact';
  for (const id of ['minMembers', 'coverage', 'tolerance']) $<HTMLInputElement>(id).disabled = exact;
  $<HTMLInputElement>('wsc').disabled = !exact;
}

/** Runs one job with the cancel button armed. */
async function job<T>(f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const c = (controller = new AbortController());
  $<HTMLButtonElement>('cancel').disabled = false;
  try {
    return await f(c.signal);
  } finally {
    if (controller === c) $<HTMLButtonElement>('cancel').disabled = true;
  }
}

const progress = (phase: string, f: number) => (status.textContent = `${phase} ${Math.round(f * 100)}%`);

/**
 * Runs the picked files with the current knobs (a new file, or a knob moved). Every run is the
 * whole pipeline: the worker reads the files again and runs governance, mining from scratch, peer
 * groups and descriptions. That costs about what `rolemill mine` takes on them (1.06 million
 * generated grants: 4.4 s from the file picked to the model shown, headless Chromium on 2 cores,
 * `smoke.mjs --scale`), against well under a second for the engine's remine of a loaded matrix; but
 * remine mines the raw grants, without governance, non-human accounts apart, peers or names, and
 * so gives another model than the CLI (the reason this page no longer uses it). Moves made while a
 * run is in flight are not queued one by one: when it ends, one more run takes the latest knobs
 * and files. (Aborting would terminate the worker; the next run starts a fresh one.)
 */
let running: Promise<WorkerRun | null> | null = null;
let again = false;
async function rerun(): Promise<WorkerRun | null> {
  if (!files()) return null;
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let run: WorkerRun | null = null;
    let first = true;
    do {
      again = false;
      const picked = files();
      if (!picked) break;
      if (first) status.textContent = `reading ${picked.grants instanceof File ? picked.grants.name : 'grants'}...`;
      first = false;
      const t0 = performance.now();
      try {
        run = await job((signal) => engine.runFiles(picked, { ...options(), signal, onProgress: progress }));
      } catch (e) {
        if (again) continue; // superseded: files or knobs changed meanwhile (e.g. grants and identities picked one after the other)
        throw e;
      }
      last = run;
      show(run, performance.now() - t0);
    } while (again);
    return run;
  })().finally(() => (running = null));
  return running;
}

/** A run on the given files (the smoke test's hook; the page's inputs stay as they are). */
async function runFiles(picked: RunFiles, extra: Partial<RunFileOptions> = {}): Promise<WorkerRun> {
  const run = await job((signal) => engine.runFiles(picked, { ...options(), ...extra, signal, onProgress: progress }));
  last = run;
  show(run);
  return run;
}

/** The last run's roles as plain objects (role, name, kind, entitlements, member count), for the smoke test. */
function roles(): { role: string; name: string | null; kind: string; entitlements: string[]; members: number }[] {
  if (!last) return [];
  const names = roleNames(last);
  return roleObjects(last.model).map((r, i) => ({ role: r.role, name: names?.[i] ?? null, kind: r.kind, entitlements: r.entitlements, members: r.members.length }));
}

/** The roles' names from the run's role columns (present with an identities file), else null. */
function roleNames(run: WorkerRun): string[] | null {
  const column = run.roleColumns.find(([n]) => n === 'name')?.[1];
  return column && column.kind === 'name' ? Array.from(column.codes, (c) => column.dictionary[c]!) : null;
}

/** Runs shown so far, on the body as data-runs (a test waits for it to grow). */
let shown = 0;

function show(run: WorkerRun, ms?: number): void {
  document.body.dataset['runs'] = String(++shown);
  delete document.body.dataset['error'];
  const model: RoleModel = run.model;
  const m = model.summary.model;
  const kinds = new Map<string, number>();
  const objects = roleObjects(model);
  for (const r of objects) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  status.textContent =
    `${m.roles} roles (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})${m.optimalityProven ? ' (proven minimum)' : ''}, WSC ${m.wsc}, coverage ${(m.coverage * 100).toFixed(1)}%, ` +
    `${m.unexplainedGrants} exceptions, ${m.overAssigned} over-assigned${ms !== undefined ? ` (run in ${Math.round(ms)} ms)` : ''}`;
  // Notices and warnings: what the CLI prints on stderr.
  const lines = [...run.notices, ...run.warnings.map((w) => `warning: ${w}`)];
  $('notes').replaceChildren(...lines.map((t) => Object.assign(document.createElement('li'), { textContent: t })));
  $('notesBox').hidden = lines.length === 0;
  $('notesTitle').textContent = `${run.notices.length} notice${run.notices.length === 1 ? '' : 's'}, ${run.warnings.length} warning${run.warnings.length === 1 ? '' : 's'}${run.notices[0] ? `: ${run.notices[0]}` : ''}`;
  $('summary').textContent = JSON.stringify(model.summary, null, 2);
  const names = roleNames(run);
  const table = $<HTMLTableElement>('roles');
  table.replaceChildren();
  const head = table.insertRow();
  for (const h of ['role', ...(names ? ['name'] : []), 'kind', 'members', 'entitlements']) head.insertCell().textContent = h;
  objects.slice(0, 200).forEach((r, i) => {
    const row = table.insertRow();
    row.insertCell().textContent = r.role;
    if (names) row.insertCell().textContent = names[i]!;
    row.insertCell().textContent = r.kind;
    row.insertCell().textContent = `${r.members.length}: ${r.members.slice(0, 8).join(', ')}${r.members.length > 8 ? ', ...' : ''}`;
    row.insertCell().textContent = r.entitlements.join(', ');
  });
}

const report = (err: unknown) => {
  if (err instanceof AbortError) return; // the user cancelled
  status.textContent = `error: ${(err as Error).message}`;
  document.body.dataset['error'] = (err as Error).message;
};

// A new file (grants, identities or memberships) runs again; so does a knob.
for (const id of ['file', 'identities', 'memberships']) $(id).addEventListener('change', () => void rerun().catch(report));
for (const id of ['mode', 'wsc', 'minMembers', 'coverage', 'tolerance']) {
  $(id).addEventListener('input', () => {
    showKnobs();
    rerun().catch(report);
  });
}
$('cancel').addEventListener('click', () => {
  controller?.abort();
  status.textContent = 'cancelled';
});
showKnobs();

(window as unknown as { rolemill: unknown }).rolemill = { rerun, runFiles, roles, last: () => last };
