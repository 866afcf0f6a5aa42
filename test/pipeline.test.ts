// One governed run in the library: runMine on the synchronous engine and on the worker engine
// gives the same model, and writing it gives the CLI's files byte for byte.
import { describe, it, expect, expectTypeOf } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support/files.js';
import type { Engine, AsyncEngine } from '../src/index.js';
import type { runMine as RunMine } from '../src/pipeline/mine.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

describe('runMine', () => {
  it('takes either engine', () => {
    expectTypeOf<Parameters<typeof RunMine>[2]>().toEqualTypeOf<Engine | AsyncEngine>();
  });

  it('the same model on the sync and the worker engine, and the CLI\'s files byte for byte', async () => {
    const rolemill = await import('../dist/index.js');
    const dir = tempDir();
    const sample = join(dir, 'sample');
    expect(spawnSync(process.execPath, [CLI, 'generate', '--identities', '300', '--seed', '6', '--governance', '--out', sample]).status).toBe(0);
    const files = ['grants.csv', 'identities.csv', 'memberships.csv'].map((f) => join(sample, f));
    const cliOut = join(dir, 'cli');
    const argv = ['mine', files[0]!, '--identities', files[1]!, '--memberships', files[2]!, '--out', cliOut, '--no-timings', '--quiet'];
    const r = spawnSync(process.execPath, [CLI, ...argv]);
    expect(r.status).toBe(0);
    const read = async () => ({
      grants: await rolemill.readGrants(files[0]!, { keepIfPresent: ['last_used', 'application'] }),
      identities: await rolemill.readIdentities(files[1]!),
      memberships: await rolemill.readGrants(files[2]!, { identityColumn: 'member', entitlementColumn: 'group', keepIfPresent: ['member_type'] }),
    });
    const sync = await rolemill.createEngine({ workers: 1 });
    const a = await rolemill.runMine(await read(), {}, sync);
    const worker = rolemill.createWorkerEngine({ workers: 1 });
    const b = await rolemill.runMine(await read(), {}, worker);
    worker.dispose();
    expect(rolemill.roleObjects(b.model)).toEqual(rolemill.roleObjects(a.model));
    expect(b.model.exceptions).toEqual(a.model.exceptions);
    const out = join(dir, 'lib');
    // The library writes what the CLI writes (the review, the report: given the same command line to record).
    await rolemill.writeRun(out, a, { omitTimings: true, command: argv, report: { kind: 'mine' } });
    expect(readdirSync(out).sort()).toEqual(readdirSync(cliOut).sort());
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['review.csv', 'report.html']));
    for (const f of readdirSync(cliOut)) {
      if (f === 'summary.json') continue;
      expect(readFileSync(join(out, f)).equals(readFileSync(join(cliOut, f))), f).toBe(true);
    }
    const strip = (p: string) => ({ ...JSON.parse(readFileSync(p, 'utf8')), timings: undefined });
    expect(strip(join(out, 'summary.json'))).toEqual(strip(join(cliOut, 'summary.json')));
    // The kinds a reader of the model sees are the kinds written.
    const written = readFileSync(join(out, 'roles.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    expect(rolemill.roleObjects(a.model).map((x) => x.kind)).toEqual(written);
  });
});
