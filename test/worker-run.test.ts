// The worker engine's runFiles is `rolemill mine` on files handed over as Blobs: for the same files
// and options, the run it sends back, written with writeRun, gives the CLI's output folder byte for
// byte (every table, summary.json and the manifest). The browser half of this parity (the web demo
// on the same files) is test/browser/smoke.mjs. Imports the built package, the way users do.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as rolemill from '../dist/index.js';
import { writeRun } from '../dist/output/write.js';
import type { RunFileOptions, RunFiles } from '../src/engine/worker-api.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rolemill ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

/** Every file of `a` and `b` (same names), and those whose bytes differ. */
function compareFolders(a: string, b: string): { files: string[]; different: string[] } {
  const files = readdirSync(a).sort();
  expect(readdirSync(b).sort()).toEqual(files);
  return { files, different: files.filter((f) => !readFileSync(join(a, f)).equals(readFileSync(join(b, f)))) };
}

describe('WorkerEngine.runFiles: the CLI mine on Blobs', () => {
  let dir: string;
  let sample: string;
  const worker = rolemill.createWorkerEngine();
  const path = (f: string) => join(sample, f);
  const blob = (f: string) => new Blob([readFileSync(path(f))]);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rolemill-worker-run-'));
    sample = join(dir, 'sample');
    cli(['generate', '--identities', '300', '--seed', '5', '--governance', '--out', sample]);
  });
  afterAll(async () => {
    await worker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI with `args` and runFiles with `files` / `options`, writes both, compares them. */
  async function parity(name: string, args: string[], files: RunFiles, options: RunFileOptions = {}) {
    const fromCli = join(dir, `${name}-cli`);
    const fromWorker = join(dir, `${name}-worker`);
    const argv = ['mine', path('grants.csv'), ...args, '--out', fromCli, '--no-timings', '--quiet'];
    cli(argv);
    const phases = new Set<string>();
    const run = await worker.runFiles(files, { ...options, onProgress: (p) => phases.add(p) });
    // The review comes with the run; the report records the command line it is given.
    await writeRun(fromWorker, run, { omitTimings: true, command: argv, report: { kind: 'mine' } });
    return { run, phases, ...compareFolders(fromCli, fromWorker), fromCli, fromWorker };
  }

  // The CLI's paths as the names: summary.json's sources then agree too, and it compares byte for byte.
  const names = () => ({ grants: path('grants.csv'), identities: path('identities.csv'), memberships: path('memberships.csv') });

  it('governed sample (grants, identities, memberships): every output file byte-identical', async () => {
    const { run, phases, files, different, fromCli } = await parity(
      'governed',
      ['--identities', path('identities.csv'), '--memberships', path('memberships.csv')],
      { grants: blob('grants.csv'), identities: blob('identities.csv'), memberships: blob('memberships.csv'), names: names() },
    );
    expect(files).toEqual(expect.arrayContaining(['accounts.csv', 'assignments.csv', 'exceptions.csv', 'identities.csv', 'lineage.csv', 'report.html', 'review.csv', 'role_entitlements.csv', 'rolemill.json', 'roles.csv', 'summary.json']));
    expect(different).toEqual([]);
    // What the run carries besides the model: the CLI's notices and warnings, read timings.
    const summary = JSON.parse(readFileSync(join(fromCli, 'summary.json'), 'utf8'));
    expect(run.model.summary.model.roles).toBe(summary.model.roles);
    expect(run.notices).toEqual([expect.stringMatching(/^as-of date /), expect.stringMatching(/^--by auto: mined by department,title and location/)]);
    expect(run.warnings.some((w) => /group cycle/.test(w))).toBe(true);
    expect(run.model.summary.timings['readMs']).toBeGreaterThan(0);
    expect(run.roleColumns.map(([n]) => n)).toContain('name');
    expect([...phases]).toEqual(expect.arrayContaining(['read', 'governance', 'peers']));
  });

  it('grants only: byte-identical, and summary.json agrees but for input.source with default names', async () => {
    const named = await parity('grants-only', [], { grants: blob('grants.csv'), names: { grants: path('grants.csv') } });
    expect(named.different).toEqual([]);
    const unnamed = await worker.runFiles({ grants: blob('grants.csv') });
    expect(unnamed.model.summary.input.source).toBe('grants.csv');
    // The name is in input.source and in the data-quality report's messages: put the default in the CLI's.
    const cliText = readFileSync(join(named.fromCli, 'summary.json'), 'utf8').replaceAll(path('grants.csv'), 'grants.csv');
    const { timings: _t, ...rest } = JSON.parse(JSON.stringify(unnamed.model.summary));
    expect(rest).toEqual(JSON.parse(cliText));
  });

  it('RegExp options (privileged, excluded entitlements) survive the structured clone', async () => {
    const privileged = [/grp-sales/i];
    const excluded = [/^figma:/i];
    expect(structuredClone({ privileged, excluded })).toEqual({ privileged, excluded });
    const { run, different, fromWorker } = await parity(
      'patterns',
      ['--identities', path('identities.csv'), '--memberships', path('memberships.csv'), '--privileged', 'grp-sales', '--exclude-entitlement', '^figma:', '--min-members', '4'],
      { grants: blob('grants.csv'), identities: blob('identities.csv'), memberships: blob('memberships.csv'), names: names() },
      { governance: { privileged, scope: { excludeEntitlements: excluded } }, approx: { minMembers: 4 } },
    );
    expect(different).toEqual([]);
    // They took effect in the worker: figma is out of scope (in no role, no exception), the sales
    // groups replace the default privileged patterns, and the summary records both as the CLI does.
    const file = (f: string) => readFileSync(join(fromWorker, f), 'utf8');
    expect(file('role_entitlements.csv')).not.toMatch(/figma:/);
    expect(file('exceptions.csv')).not.toMatch(/figma:/);
    expect(file('exceptions.csv')).toMatch(/grp-sales[^\n]*,privileged\n/);
    expect(run.model.summary.dataQuality?.['scope']).toMatchObject({ excludeEntitlements: ['/^figma:/i'] });
  });

  it('exact mode and a key column option: byte-identical', async () => {
    const { different } = await parity(
      'exact',
      ['--identities', path('identities.csv'), '--identity-key', 'identity', '--mode', 'exact'],
      { grants: blob('grants.csv'), identities: blob('identities.csv'), names: names() },
      { mode: 'exact', identityKey: 'identity' },
    );
    expect(different).toEqual([]);
  });

  it('a bad file is an InputError naming it; the engine stays usable', async () => {
    const bad = new Blob(['name,department\nalice,Sales\n']);
    await expect(worker.runFiles({ grants: blob('grants.csv'), identities: bad, names: { identities: 'people.csv' } })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('people.csv'),
    });
    const run = await worker.runFiles({ grants: blob('grants.csv') }, { peers: false });
    expect(run.model.summary.model.roles).toBeGreaterThan(0);
  });

  it('aborting terminates the worker; the next call starts a fresh one', async () => {
    const ctl = new AbortController();
    const phases: string[] = [];
    // Aborted mid-run, at its first report from the worker (reading or governance).
    const pending = worker.runFiles(
      { grants: blob('grants.csv'), identities: blob('identities.csv'), memberships: blob('memberships.csv') },
      { signal: ctl.signal, onProgress: (p) => (phases.push(p), ctl.abort()) },
    );
    await expect(pending).rejects.toBeInstanceOf(rolemill.AbortError);
    expect(phases.length).toBeGreaterThan(0);
    const run = await worker.runFiles({ grants: blob('grants.csv') }, { peers: false });
    expect(run.model.summary.model.roles).toBeGreaterThan(0);
  });
});
