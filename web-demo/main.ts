// The web demo: read a File in the page, load it into the worker engine once, mine it, and mine it
// again on the loaded matrix whenever a knob moves (remine), showing the summary and the roles.
import { createWorkerEngine, roleObjects, AbortError, type RoleModel, type MineOptions } from '../src/browser.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
// ?workers=N sets the mining pool's threads (used where the page is cross-origin isolated).
const workersParam = new URLSearchParams(location.search).get('workers');
const engine = createWorkerEngine(workersParam ? { workers: Number(workersParam) } : {});
let controller: AbortController | null = null;
let loaded = false;

/** The knobs as the page shows them. */
function options(): MineOptions {
  const exact = $<HTMLSelectElement>('mode').value === 'exact';
  if (exact) return { mode: 'exact', objective: $<HTMLInputElement>('wsc').checked ? 'wsc' : 'roles' };
  return {
    mode: 'approx',
    minMembers: Number($<HTMLInputElement>('minMembers').value),
    coverage: Number($<HTMLInputElement>('coverage').value) / 100,
    tolerance: Number($<HTMLInputElement>('tolerance').value),
  };
}

function showKnobs(): void {
  $('minMembersValue').textContent = $<HTMLInputElement>('minMembers').value;
  $('coverageValue').textContent = `${$<HTMLInputElement>('coverage').value}%`;
  $('toleranceValue').textContent = $<HTMLInputElement>('tolerance').value;
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

/** Reads, loads and mines one file; exposed on window for the headless smoke test. */
async function mineFile(file: File): Promise<RoleModel> {
  return job(async (signal) => {
    status.textContent = `reading ${file.name}...`;
    loaded = false;
    // The worker reads the file itself: the page stays responsive however large it is.
    await engine.loadBlob(file, file.name, { signal, onProgress: progress });
    loaded = true;
    const model = await engine.remine({ ...options(), signal, onProgress: progress });
    show(model);
    return model;
  });
}

/**
 * Mines the loaded file again with the current knobs (the sliders call this). Moves made while a
 * run is in flight are not queued one by one: when it ends, one more run takes the latest knobs.
 * (Aborting would terminate the worker and lose the loaded matrix.)
 */
let running: Promise<RoleModel | null> | null = null;
let again = false;
async function remine(): Promise<RoleModel | null> {
  if (!loaded) return null;
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let model: RoleModel | null = null;
    do {
      again = false;
      const t0 = performance.now();
      model = await job((signal) => engine.remine({ ...options(), signal, onProgress: progress }));
      show(model, performance.now() - t0);
    } while (again && loaded);
    return model;
  })().finally(() => (running = null));
  return running;
}

function show(model: RoleModel, ms?: number): void {
  const m = model.summary.model;
  status.textContent =
    `${m.roles} roles${m.optimalityProven ? ' (proven minimum)' : ''}, WSC ${m.wsc}, coverage ${(m.coverage * 100).toFixed(1)}%, ` +
    `${m.unexplainedGrants} exceptions, ${m.overAssigned} over-assigned${ms !== undefined ? ` (mined again in ${Math.round(ms)} ms)` : ''}`;
  $('summary').textContent = JSON.stringify(model.summary, null, 2);
  const table = $<HTMLTableElement>('roles');
  table.replaceChildren();
  const head = table.insertRow();
  for (const h of ['role', 'kind', 'members', 'entitlements']) head.insertCell().textContent = h;
  for (const r of roleObjects(model).slice(0, 200)) {
    const row = table.insertRow();
    row.insertCell().textContent = r.role;
    row.insertCell().textContent = r.kind;
    row.insertCell().textContent = `${r.members.length}: ${r.members.slice(0, 8).join(', ')}${r.members.length > 8 ? ', ...' : ''}`;
    row.insertCell().textContent = r.entitlements.join(', ');
  }
}

const report = (err: unknown) => {
  if (err instanceof AbortError) return; // the user cancelled
  status.textContent = `error: ${(err as Error).message}`;
};

$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) mineFile(file).catch(report);
});
for (const id of ['mode', 'wsc', 'minMembers', 'coverage', 'tolerance']) {
  $(id).addEventListener('input', () => {
    showKnobs();
    remine().catch(report);
  });
}
$('cancel').addEventListener('click', () => {
  controller?.abort();
  // Aborting terminates the worker and what it had loaded: the file must be picked again.
  loaded = false;
  status.textContent = 'cancelled';
});
showKnobs();

(window as unknown as { rolemill: unknown }).rolemill = { mineFile, remine };
