// The web demo: read a File in the page, mine it on the worker engine, show the summary and roles.
import { createWorkerEngine, readGrantsFromChunks, roleObjects, AbortError, type RoleModel } from '../src/browser.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const engine = createWorkerEngine();
let controller: AbortController | null = null;

/** Mines one file; exposed on window for the headless smoke test. */
async function mineFile(file: File, objective: 'roles' | 'wsc'): Promise<RoleModel> {
  controller = new AbortController();
  $<HTMLButtonElement>('cancel').disabled = false;
  try {
    status.textContent = `reading ${file.name}...`;
    const grants = await readGrantsFromChunks(file.stream(), file.name, { sizeHint: file.size });
    status.textContent = `mining ${grants.rows} rows...`;
    const model = await engine.mine(grants, {
      objective,
      signal: controller.signal,
      onProgress: (phase, f) => (status.textContent = `${phase} ${Math.round(f * 100)}%`),
    });
    show(model);
    return model;
  } finally {
    $<HTMLButtonElement>('cancel').disabled = true;
  }
}

function show(model: RoleModel): void {
  const m = model.summary.model;
  status.textContent = `${m.roles} roles${m.optimalityProven ? ' (proven minimum)' : ''}, WSC ${m.wsc}, coverage ${(m.coverage * 100).toFixed(1)}%`;
  $('summary').textContent = JSON.stringify(model.summary, null, 2);
  const table = $<HTMLTableElement>('roles');
  table.replaceChildren();
  const head = table.insertRow();
  for (const h of ['role', 'members', 'entitlements']) head.insertCell().textContent = h;
  for (const r of roleObjects(model).slice(0, 200)) {
    const row = table.insertRow();
    row.insertCell().textContent = r.role;
    row.insertCell().textContent = `${r.members.length}: ${r.members.slice(0, 8).join(', ')}${r.members.length > 8 ? ', ...' : ''}`;
    row.insertCell().textContent = r.entitlements.join(', ');
  }
}

$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  mineFile(file, $<HTMLInputElement>('wsc').checked ? 'wsc' : 'roles').catch((err: unknown) => {
    status.textContent = err instanceof AbortError ? 'cancelled' : `error: ${(err as Error).message}`;
  });
});
$('cancel').addEventListener('click', () => controller?.abort());

(window as unknown as { rolemill: unknown }).rolemill = { mineFile };
