// The browser app: what `rolemill mine` runs, on files chosen or dropped in the page, with the
// command line's options and defaults, and the same output folder made in the page. The grants
// file, and optionally an identities file and a group-memberships file, go to the worker engine's
// runFiles, which reads them in the worker and runs the governed pipeline there (runMine), so the
// page shows the model the command line writes for the same files and flags. The results: the
// report (the renderer report.html carries), every role, exception and identity in paged tables,
// and every file of the output folder, one by one or as a ZIP, with the command that reproduces it.
//
// Test hooks (data-testid): grants-file, identities-file, memberships-file, run, cancel, status
// (data-state idle | running | done | error), progress, error, summary-json (the output's
// summary.json text), report, download-all, roles-table / exceptions-table / identities-table
// (each with table-search and next-page). body data-runs counts the runs shown, data-error holds
// the last error; window.rolemill has the smoke test's helpers.
import {
  renderReport,
  REPORT_CSS,
  AbortError,
  type EngineOptions,
  type OutputFile,
  type RunFiles,
  type RunFileOptions,
  type Summary,
} from '../src/browser.js';
import { VERSION } from '../src/version.js';
import { exactRolesNote } from '../src/model/model.js';
import { CLI_DEFAULTS, commandOf, runOptionsOf, shellLine, type CliValues, type FileNames, type OutputChoice } from './options.js';
import { classify, formatBytes, guessColumns, readHead, type FileHead, type Slot } from './inputs.js';
import { DataTable, type ShownColumn } from './table.js';
import { save, zipOf } from './downloads.js';
import type { Made, OutputReply, OutputRequest, RoleRow } from './output-worker.js';
import type { ShownTables } from './output.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const SLOTS: Slot[] = ['grants', 'identities', 'memberships'];
const inputOf = (slot: Slot) => $<HTMLInputElement>(`${slot}-file`);

// The report's look for the whole page (the app's own rules, in index.html, come after it).
const style = document.createElement('style');
style.textContent = REPORT_CSS;
document.head.prepend(style);
$('version').textContent = VERSION;

// ?workers=N sets the mining pool's threads (used where the page is cross-origin isolated).
const workersParam = new URLSearchParams(location.search).get('workers');
const engineOptions: EngineOptions = workersParam ? { workers: Number(workersParam) } : {};
// Runs go to a worker of the page's own (output-worker.ts), which owns the worker engine and makes
// the output folder, the report's data and the tables from the run there: the run itself never
// crosses this thread (at a million grants copying its tables' names in and out held it over 100 ms
// each time, and making the files takes seconds).
let runWorker: Worker | null = null;
let requestIds = 0;
const waiting = new Map<number, { done: (m: Extract<OutputReply, { type: 'done' }>) => void; fail: (e: Error) => void; progress?: (phase: string, f: number) => void }>();

function worker(): Worker {
  if (runWorker) return runWorker;
  const w = (runWorker = new Worker(new URL('./output-worker.js', import.meta.url), { type: 'module', name: 'rolemill-run' }));
  w.onmessage = (e: MessageEvent<OutputReply>) => {
    const m = e.data;
    const wait = waiting.get(m.id);
    if (!wait) return;
    if (m.type === 'progress') return wait.progress?.(m.phase, m.fraction);
    waiting.delete(m.id);
    if (m.type === 'done') wait.done(m);
    else if (m.type === 'cancelled') wait.fail(new AbortError());
    else wait.fail(Object.assign(new Error(m.error), { name: m.name }));
  };
  w.onerror = (e) => {
    for (const [, wait] of waiting) wait.fail(new Error(`the run worker failed: ${e.message}`));
    waiting.clear();
    w.terminate();
    runWorker = null;
  };
  return w;
}

/** A request to the run worker: its reply (done), or its error; `signal` cancels a run. */
type Ask = { type: 'run'; files: RunFiles; options: RunFileOptions; engine: EngineOptions; output: OutputChoice; command: string[] } | { type: 'remake'; output: OutputChoice; command: string[] };
function ask(request: Ask, signal?: AbortSignal, progress?: (phase: string, f: number) => void): Promise<Made> {
  const id = ++requestIds;
  return new Promise((done, fail) => {
    waiting.set(id, { done, fail, ...(progress ? { progress } : {}) });
    signal?.addEventListener('abort', () => runWorker?.postMessage({ type: 'cancel', id } satisfies OutputRequest), { once: true });
    worker().postMessage({ ...request, id } as OutputRequest);
  });
}
$('isolation').textContent = self.crossOriginIsolated ? 'cross-origin isolated: mining runs on a pool of threads' : 'not cross-origin isolated: mining runs on one worker thread (same results)';

// ---------------------------------------------------------------- inputs

/** What the page read of each chosen file's head (format, CSV header), by slot. */
const heads = new Map<Slot, { file: File; head: FileHead }>();
/** Files whose column mapping was confirmed (Run pressed with it shown): they run on their own after that. */
const confirmed = new WeakSet<File>();
/** The files the mapping selects were filled for (a choice made stays while the file does). */
const filledFor: { grants: File | null; key: File | null } = { grants: null, key: null };

/** A file chosen for a slot (picker, drop on the slot, or drop on the zone): read its head, then show it and run. */
async function chosen(slot: Slot): Promise<void> {
  const file = inputOf(slot).files?.[0] ?? null;
  // At once, before the head is read: what is shown is not these files' (and a caller waiting for
  // the status to say done or error does not see the last run's).
  clearResults();
  $('error').textContent = '';
  delete document.body.dataset['error'];
  const grants = slot === 'grants' ? file : heads.get('grants')?.file ?? null;
  if (grants) setState('running', `Reading ${file?.name ?? grants.name}…`);
  else setState('idle', 'Choose a grants file to start');
  if (file) heads.set(slot, { file, head: await readHead(file, file.name) });
  else heads.delete(slot);
  if ((inputOf(slot).files?.[0] ?? null) !== file) return; // replaced meanwhile
  showSlot(slot);
  showMapping();
  request();
}

function showSlot(slot: Slot): void {
  const box = document.querySelector<HTMLElement>(`.slot[data-slot=${slot}]`)!;
  const file = heads.get(slot)?.file ?? null;
  box.querySelector('[data-name]')!.textContent = file ? file.name : '';
  const head = heads.get(slot)?.head;
  box.querySelector('[data-size]')!.textContent = file ? `${formatBytes(file.size)}${head?.format ? `, ${head.format}` : ''}` : '';
  box.querySelector<HTMLButtonElement>('[data-clear]')!.hidden = !file;
}

/** Puts a dropped file into a slot's file input (so the inputs stay the one record of what is chosen). */
function assign(slot: Slot, file: File): void {
  const dt = new DataTransfer();
  dt.items.add(file);
  inputOf(slot).files = dt.files;
  void chosen(slot).catch(fail);
}

/** Whether the grants CSV's header lacks a column the reader needs by default (and the identities file its key). */
function mappingNeeds(): { grants: string[] | null; key: string[] | null } {
  const g = heads.get('grants')?.head;
  const i = heads.get('identities')?.head;
  const grants = g?.columns && !(g.columns.includes('identity') && g.columns.includes('entitlement')) && $<HTMLSelectElement>('inputFormat').value !== 'pairs' ? g.columns : null;
  const key = i?.columns && !i.columns.includes('identity') ? i.columns : null;
  return { grants, key };
}

function fillSelect(select: HTMLSelectElement, columns: string[], chosen: string): void {
  select.replaceChildren(...columns.filter((c) => c !== '').map((c) => Object.assign(document.createElement('option'), { value: c, textContent: c, selected: c === chosen })));
}

/** The column-mapping step: shown when a header lacks identity/entitlement (or the identities file lacks identity). */
function showMapping(): void {
  const need = mappingNeeds();
  $('mapping').hidden = !need.grants && !need.key;
  $('mapGrants').hidden = !need.grants;
  $('mapKey').hidden = !need.key;
  const grantsFile = heads.get('grants')?.file ?? null;
  const identitiesFile = heads.get('identities')?.file ?? null;
  if (need.grants && filledFor.grants !== grantsFile) {
    filledFor.grants = grantsFile;
    const guess = guessColumns(need.grants);
    fillSelect($('identityColumn'), need.grants, need.grants.includes('identity') ? 'identity' : guess.identity);
    fillSelect($('entitlementColumn'), need.grants, need.grants.includes('entitlement') ? 'entitlement' : guess.entitlement);
    $('grantsColumns').textContent = `Columns found: ${need.grants.map((c) => `'${c}'`).join(', ')}`;
  }
  if (need.key && filledFor.key !== identitiesFile) {
    filledFor.key = identitiesFile;
    fillSelect($('identityKey'), need.key, guessColumns(need.key).identity);
  }
}

// ---------------------------------------------------------------- options

/** The form as the command line's flag values: only what differs from the defaults (so the command shows only that). */
function formValues(): CliValues {
  const values: Record<string, string | string[] | boolean> = {};
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('[data-flag]')) {
    if (el.disabled) continue; // an approx knob in exact mode, the objective in approx mode, patterns under "none"
    const flag = el.dataset['flag']!;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      if (el.checked) values[flag] = true;
      continue;
    }
    let v = el.value.trim();
    if (el instanceof HTMLInputElement && el.type === 'range') v = rangeFlag(flag, Number(el.value));
    const list = el.dataset['list'];
    if (list) {
      const items = (list === 'lines' ? v.split(/\r?\n/) : list === 'semicolons' ? v.split(';') : [v]).map((x) => x.trim()).filter((x) => x !== '');
      if (items.length) values[flag] = items;
      continue;
    }
    const def = (CLI_DEFAULTS as Record<string, string>)[flag] ?? el.dataset['default'];
    if (v !== '' && v !== def) values[flag] = v;
  }
  const exports = [...document.querySelectorAll<HTMLInputElement>('[data-export]:checked')].map((c) => c.value);
  if (exports.length) values['export'] = [exports.join(',')];
  const need = mappingNeeds();
  if (need.grants) {
    const id = $<HTMLSelectElement>('identityColumn').value;
    const ent = $<HTMLSelectElement>('entitlementColumn').value;
    if (id !== 'identity') values['identity-column'] = id;
    if (ent !== 'entitlement') values['entitlement-column'] = ent;
  }
  if (need.key) values['identity-key'] = $<HTMLSelectElement>('identityKey').value;
  return values as CliValues;
}

/** A slider's position as its flag's value: coverage in percent to a share, tolerance's leftmost stop auto. */
function rangeFlag(flag: string, v: number): string {
  if (flag === 'coverage') return String(v / 100);
  if (flag === 'tolerance') return v < 0 ? 'auto' : String(v);
  return String(v);
}

function showKnobs(): void {
  $('minMembersValue').textContent = $<HTMLInputElement>('minMembers').value;
  $('coverageValue').textContent = `${$<HTMLInputElement>('coverage').value}%`;
  $('toleranceValue').textContent = rangeFlag('tolerance', Number($<HTMLInputElement>('tolerance').value));
  const exact = $<HTMLSelectElement>('mode').value === 'exact';
  for (const f of document.querySelectorAll<HTMLElement>('.approx')) {
    f.classList.toggle('muted', exact);
    for (const i of f.querySelectorAll<HTMLInputElement>('input, select')) i.disabled = exact;
  }
  $<HTMLSelectElement>('objective').disabled = !exact;
  $<HTMLTextAreaElement>('privileged').disabled = $<HTMLInputElement>('noPrivileged').checked;
}

/** The output folder's choices (format, exports, review split, report, timings): no new run, only new files. */
function outputValues(values: CliValues): OutputChoice {
  return runOptionsOf(values, heads.has('identities')).output;
}

// ---------------------------------------------------------------- runs

interface Job {
  files: RunFiles;
  names: FileNames;
  values: CliValues;
  options: RunFileOptions;
}

/** What the form asks for now, or null when there is nothing to run (no grants, the mapping step unconfirmed). Throws UsageError for a value the command line refuses. */
function job(confirm: boolean): Job | null {
  const grants = heads.get('grants')?.file;
  if (!grants) return null;
  const identities = heads.get('identities')?.file ?? null;
  const need = mappingNeeds();
  if (confirm) {
    if (need.grants) confirmed.add(grants);
    if (need.key && identities) confirmed.add(identities);
  }
  if ((need.grants && !confirmed.has(grants)) || (need.key && identities && !confirmed.has(identities))) return null;
  const memberships = heads.get('memberships')?.file ?? null;
  const values = formValues();
  const { options } = runOptionsOf(values, identities !== null);
  return { files: { grants, identities, memberships }, names: { grants: grants.name, identities: identities?.name ?? null, memberships: memberships?.name ?? null }, values, options };
}

/** The run shown: its summary, notices and warnings (its arrays are the output worker's), its files and roles. */
let current: { job: Job; summary: Summary; files: OutputFile[]; roles: RoleRow[]; exceptionRows: number } | null = null;
let busy = false;
let pending = false;
let pendingConfirm = false;
let controller: AbortController | null = null;
let runsShown = 0;

/**
 * Asks for a run with the form as it is now. Every run is the whole pipeline, as `rolemill mine`:
 * the worker reads the files again and runs governance, mining, peer groups and descriptions.
 * Requests made while a run is in flight are not queued one by one: when it ends, one more run
 * takes the latest files and settings (dragging a slider mines at most twice more).
 */
function request(confirm = false): void {
  pendingConfirm ||= confirm;
  if (busy) {
    pending = true;
    return;
  }
  void loop();
}

async function loop(): Promise<void> {
  busy = true;
  try {
    do {
      pending = false;
      const confirm = pendingConfirm;
      pendingConfirm = false;
      let j: Job | null;
      try {
        j = job(confirm);
      } catch (e) {
        fail(e);
        break;
      }
      if (!j) {
        idle();
        break;
      }
      const c = (controller = new AbortController());
      running(j);
      const t0 = performance.now();
      try {
        const { output, command } = outputOf(j);
        const made = await ask({ type: 'run', files: j.files, options: j.options, engine: engineOptions, output, command }, c.signal, progress);
        if (c.signal.aborted) break; // cancelled while the files were made
        if (pending) continue; // superseded: files or settings changed meanwhile
        // Taking the worker's reply (copied in) and drawing it: two tasks, not one.
        await new Promise((r) => setTimeout(r, 0));
        if (c.signal.aborted) break;
        if (pending) continue;
        await show(j, made, command, performance.now() - t0, c.signal);
      } catch (e) {
        if (e instanceof AbortError || c.signal.aborted) break; // cancelled: the cancel button has cleared the page
        if (pending) continue;
        fail(e);
      }
    } while (pending);
  } finally {
    busy = false;
    controller = null;
    $<HTMLButtonElement>('cancel').disabled = true;
  }
}

function setState(state: 'idle' | 'running' | 'done' | 'error', text: string): void {
  const s = $('status');
  s.dataset['state'] = state;
  s.textContent = text;
  $<HTMLButtonElement>('run').disabled = !heads.has('grants');
}

function idle(): void {
  const need = mappingNeeds();
  $('progress').hidden = true;
  setState('idle', !heads.has('grants') ? 'Choose a grants file to start' : need.grants || need.key ? 'Choose the columns, then Run' : 'Ready: press Run');
}

// Progress, phase by phase (read, governance, by, load, reduce, mine, verify, peers...).
const PHASE_LABELS: Record<string, string> = { read: 'reading the files', governance: 'governance', by: 'attribute mining', load: 'loading', reduce: 'reducing', mine: 'mining', verify: 'verifying', peers: 'peer groups', write: 'making the output files' };
let phasesSeen: string[] = [];
let runStart = 0;

function running(j: Job): void {
  $('error').textContent = '';
  delete document.body.dataset['error'];
  $<HTMLButtonElement>('cancel').disabled = false;
  $('results').classList.add('stale'); // the previous model, until this one replaces it (or an error clears it)
  $('results').setAttribute('aria-busy', 'true');
  phasesSeen = [];
  runStart = performance.now();
  $('phases').replaceChildren();
  $<HTMLProgressElement>('progressBar').value = 0;
  $('progressText').textContent = '';
  $('progress').hidden = false;
  $('progress').dataset['phase'] = '';
  setState('running', `Running: reading ${j.names.grants}…`);
}

function progress(phase: string, f: number): void {
  if (!phasesSeen.includes(phase)) {
    phasesSeen.push(phase);
    $('phases').append(Object.assign(document.createElement('span'), { textContent: phase, title: PHASE_LABELS[phase] ?? phase }));
  }
  const chips = $('phases').children;
  for (let k = 0; k < chips.length; k++) {
    chips[k]!.className = chips[k]!.textContent === phase ? 'now' : 'done';
  }
  $('progress').dataset['phase'] = phase;
  $<HTMLProgressElement>('progressBar').value = Math.max(0, Math.min(1, f));
  $('progressText').textContent = `${phase} ${Math.round(f * 100)}% · ${((performance.now() - runStart) / 1000).toFixed(1)} s`;
  const s = $('status');
  if (s.dataset['state'] === 'running') s.textContent = `Running: ${PHASE_LABELS[phase] ?? phase}…`;
}

/** An error, shown as one (the InputError's message names the file, line and column), replacing any result. */
function fail(err: unknown): void {
  clearResults();
  $('progress').hidden = true;
  const message = err instanceof Error ? err.message : String(err);
  $('error').textContent = message;
  document.body.dataset['error'] = message;
  setState('error', 'Error: nothing was mined (see below)');
}

/** Takes results off the page (another file chosen, an error, a cancel): no stale model stays on screen. */
function clearResults(): void {
  current = null;
  $('results').hidden = true;
  $('results').classList.remove('stale');
  $('results').removeAttribute('aria-busy');
  $('report').replaceChildren();
  $('report').removeAttribute('data-rendered');
  $('tables').replaceChildren();
  $('filesList').replaceChildren();
  $('summaryJson').textContent = '';
  $('command').textContent = '';
  $('notes').replaceChildren();
  $('notesBox').hidden = true;
}

function cancel(): void {
  if (!controller) return;
  pending = false;
  pendingConfirm = false;
  controller.abort(); // terminates the worker; the next run starts a fresh one
  clearResults();
  $('progress').hidden = true;
  $('error').textContent = '';
  delete document.body.dataset['error'];
  setState('idle', 'Cancelled: nothing is shown; press Run to mine again');
}

// ---------------------------------------------------------------- results

/** The job's command line and output choices, with the output flags as the form has them now. */
function outputOf(j: Job): { values: CliValues; output: OutputChoice; command: string[] } {
  const values: CliValues = { ...j.values, ...outputFlags(formValues()) };
  return { values, output: outputValues(values), command: commandOf(j.names, values) };
}

/** The status line of the run shown. */
let doneText = '';

async function show(j: Job, made: Made, command: string[], ms: number, signal: AbortSignal): Promise<void> {
  $('error').textContent = '';
  delete document.body.dataset['error'];
  const shown = (current = { job: j, summary: made.summary, files: [], roles: made.roles, exceptionRows: made.exceptionRows });
  drawOutput(made, command);
  // The tables in a task of their own (the page is not held for both at a million grants); the
  // status says done once they are drawn.
  await new Promise((r) => setTimeout(r, 0));
  if (signal.aborted || current !== shown) return;
  drawTables(made.tables);
  const m = made.summary.model;
  const proven = made.summary.mining.mode === 'exact' ? exactRolesNote(m) : '';
  $('progress').hidden = true;
  $('results').hidden = false;
  $('results').classList.remove('stale');
  $('results').removeAttribute('aria-busy');
  doneText = `Done: ${m.roles.toLocaleString('en-US')} roles${proven}, coverage ${(m.coverage * 100).toFixed(1)}%, ${m.unexplainedGrants.toLocaleString('en-US')} exceptions, ${m.overAssigned.toLocaleString('en-US')} over-assigned (run in ${Math.round(ms)} ms)`;
  setState('done', doneText);
  // Notices and warnings: what the command line prints on stderr.
  const lines = [...made.notices, ...made.warnings.map((w) => `warning: ${w}`)];
  $('notes').replaceChildren(...lines.map((t) => Object.assign(document.createElement('li'), { textContent: t })));
  $('notesBox').hidden = lines.length === 0;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  $('notesTitle').textContent = `${plural(made.notices.length, 'notice')} and ${plural(made.warnings.length, 'warning')}, as the command line prints them${made.notices[0] ? `: ${made.notices[0]}` : ''}`;
  document.body.dataset['runs'] = String(++runsShown);
}

/**
 * An output choice changed (format, exports, review split, report, timings): the same model, other
 * files. The status says running while the output worker makes them, done when they are shown.
 */
async function remakeOutput(): Promise<void> {
  const shown = current;
  if (!shown || busy) return; // a run in flight takes the form's output choices when it ends
  const { output, command } = outputOf(shown.job);
  setState('running', 'Making the output files…');
  $('results').classList.add('stale');
  let made: Made;
  try {
    made = await ask({ type: 'remake', output, command });
  } catch (e) {
    if (current === shown && !busy) fail(e);
    return;
  }
  if (current !== shown || busy) return; // another run or file since
  $('results').classList.remove('stale');
  drawOutput(made, command);
  setState('done', doneText);
}

/** The output folder made for the run shown: the command, summary.json, the report, the file list. */
function drawOutput(made: Made, command: string[]): void {
  if (!current) return;
  const files = made.files;
  current.files = files;
  $('command').textContent = shellLine(command);
  $('summaryJson').textContent = made.summaryJson;
  // The report as report.html draws it: the same data (output.ts reportOf).
  renderReport($('report'), made.report);
  // The files, one by one.
  const head = document.createElement('tr');
  for (const h of ['file', 'what it holds', 'size']) head.append(Object.assign(document.createElement('th'), { textContent: h }));
  const rows = files.map((f) => {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    const button = Object.assign(document.createElement('button'), { type: 'button', className: 'file', textContent: f.path, title: `Download ${f.path}` });
    button.dataset['file'] = f.path;
    button.addEventListener('click', () => save(f.path.replaceAll('/', '_'), f.data));
    name.append(button);
    const what = Object.assign(document.createElement('td'), { textContent: describeFile(f.path), className: 'muted' });
    const size = Object.assign(document.createElement('td'), { textContent: formatBytes(f.data.length), className: 'n' });
    tr.append(name, what, size);
    return tr;
  });
  rows.unshift(head);
  $('filesList').replaceChildren(...rows);
}

/** What a file of the output folder holds (README, "Output"). */
function describeFile(path: string): string {
  const base = path.replace(/\.(csv|arrow|json)$/, '');
  if (path.startsWith('review/')) return `the review items of one reviewer`;
  if (path.startsWith('export/midpoint/roles')) return 'midPoint business and application roles (ninja import)';
  if (path.startsWith('export/midpoint/assignments')) return 'midPoint role assignments, for a bulk assignment';
  if (path.startsWith('export/sailpoint/')) return 'SailPoint Identity Security Cloud role import';
  if (path.startsWith('export/scim/')) return 'SCIM 2.0 role resources';
  const known: Record<string, string> = {
    roles: 'one row per role: kind, name, rule, quality, members, entitlements, grants covered',
    role_entitlements: "each role's entitlements",
    assignments: 'who is given which role',
    exceptions: 'grants no role explains and over-assignments, with the reason',
    identities: 'per identity: peer group, outlier score and factors, roles, unexplained grants, status',
    accounts: 'per account: its identity, person, kind, status, access breadth',
    lineage: 'how each effective grant is reached: directly or through which groups',
    review: 'one row per item a reviewer decides: reviewer, recommendation, rule, evidence',
    summary: 'the run in figures: input, mining, model, data quality, timings',
    'report.html': 'the report, one self-contained file (as shown on this page)',
    'rolemill.json': 'the manifest: every file with its size, and the command',
  };
  return known[path] ?? known[base] ?? '';
}

/** Only the output folder's flags of `values` (format, exports, review split, report, timings). */
function outputFlags(values: CliValues): CliValues {
  const { format, export: exp, 'review-split': split, 'no-report': noReport, 'no-timings': noTimings } = values;
  return { format, export: exp, 'review-split': split, 'no-report': noReport, 'no-timings': noTimings };
}


/** Every role, exception and identity, paged, searchable, sortable. */
function drawTables(shown: ShownTables): void {
  const out: HTMLElement[] = [];
  const { roles, exceptions, identities, roleEntitlements } = shown;
  if (roles) {
    // A role's entitlements beside its figures (role_entitlements, by role).
    const columns: ShownColumn[] = [...roles.columns.map(([name, column]) => ({ name, column })), { name: 'entitlements', text: (r: number) => roleEntitlements[r] ?? '' }];
    out.push(new DataTable('roles-table', 'Roles', 'Every role of the model, in the canonical order (most members first); click a heading to sort, search any column (entitlements included).', roles.length, columns).element);
  }
  if (exceptions) {
    out.push(new DataTable('exceptions-table', 'Exceptions', 'Every grant no role explains and every over-assignment, with its reason (rare_entitlement, outside_roles, unexplained, over_assigned, outlier, dormant, orphan, privileged, terminated, ...).', exceptions.length, exceptions.columns.map(([name, column]) => ({ name, column }))).element);
  }
  if (identities) {
    out.push(new DataTable('identities-table', 'Identities', 'Every identity of the model: peer group, outlier score and what sets it apart, roles held, unexplained grants, accounts and status.', identities.length, identities.columns.map(([name, column]) => ({ name, column }))).element);
  }
  for (const e of out) e.classList.add('panel');
  $('tables').replaceChildren(...out);
}

// ---------------------------------------------------------------- events

for (const slot of SLOTS) {
  inputOf(slot).addEventListener('change', () => void chosen(slot).catch(fail));
  const box = document.querySelector<HTMLElement>(`.slot[data-slot=${slot}]`)!;
  box.querySelector('[data-clear]')!.addEventListener('click', () => {
    inputOf(slot).value = '';
    void chosen(slot).catch(fail);
  });
  // A file dropped on a slot goes to that slot.
  box.addEventListener('dragover', (e) => (e.preventDefault(), e.stopPropagation(), box.classList.add('over')));
  box.addEventListener('dragleave', () => box.classList.remove('over'));
  box.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation();
    box.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) assign(slot, file);
  });
}

/** Files dropped on the zone (or anywhere on the page): each to the slot its header and name say. */
async function dropped(list: FileList): Promise<void> {
  const files = [...list];
  const kinds = await Promise.all(files.map(async (f) => ({ file: f, slot: classify(f.name, await readHead(f, f.name)) })));
  const taken = new Set<Slot>();
  for (const { file, slot } of kinds) {
    // Two files for one slot: the second goes to a free one, grants first.
    const to = !taken.has(slot) ? slot : SLOTS.find((s) => !taken.has(s) && !kinds.some((k) => k.slot === s));
    if (!to) continue;
    taken.add(to);
    const dt = new DataTransfer();
    dt.items.add(file);
    inputOf(to).files = dt.files;
  }
  // Grants last, so that one run takes all the files.
  for (const slot of ['identities', 'memberships', 'grants'] as const) if (taken.has(slot)) await chosen(slot);
}
const zone = $('drop');
for (const target of [zone, document.body]) {
  target.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  target.addEventListener('dragleave', (e) => {
    if (e.target === zone || e.target === document.body) zone.classList.remove('over');
  });
  target.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer?.files.length) void dropped(e.dataTransfer.files).catch(fail);
  });
}

// Settings: sliders and selects mine again as they move; text fields when they change; output choices only remake the files.
for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('#settings [data-flag], #settings [data-export], #mapping select')) {
  const output = el.hasAttribute('data-output') || el.hasAttribute('data-export');
  const live = el instanceof HTMLSelectElement || (el instanceof HTMLInputElement && (el.type === 'range' || el.type === 'checkbox'));
  el.addEventListener(live ? 'input' : 'change', () => {
    showKnobs();
    if (el.id === 'inputFormat') showMapping();
    if (output) return void remakeOutput().catch(fail);
    if (heads.has('grants')) request();
  });
}
$('run').addEventListener('click', () => request(true));
$('cancel').addEventListener('click', cancel);
$('downloadAll').addEventListener('click', () => {
  if (current) save('rolemill-out.zip', zipOf(current.files));
});
showKnobs();
idle();

// ---------------------------------------------------------------- hooks for the smoke test

(window as unknown as { rolemill: unknown }).rolemill = {
  /** The last run's roles as plain objects (role, name, kind, entitlements, member count). */
  roles: () => current?.roles ?? [],
  /** Its exceptions and over-assignments, counted. */
  exceptionRows: () => current?.exceptionRows ?? null,
  /** Its summary (the model's arrays are the output worker's). */
  summary: () => current?.summary ?? null,
  files: () => current?.files.map((f) => ({ path: f.path, data: f.data })) ?? [],
};
