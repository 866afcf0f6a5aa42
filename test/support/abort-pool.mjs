// Child process for pool.test.ts: starts work on worker threads, aborts it midway, then returns
// without exiting explicitly. The process ends only if every thread was freed.
//   sync, worker: mining with a pool of 2 (sync or worker engine), aborted at the pool's first
//                 progress report;
//   read:         a CSV read on 2 worker threads, aborted while they parse;
//   exact:        exact mining of two components on a pool of 2, aborted at its first report.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as rolemill from '../../dist/index.js';

async function mine(engine) {
  const e = rolemill.generateEnterprise({ identities: 20000, seed: 3 });
  const names = e.identities.map((i) => i.id);
  const pairs = [];
  for (let i = 0; i < e.grants.identity.length; i++) pairs.push([names[e.grants.identity[i]], e.entitlementNames[e.grants.entitlement[i]]]);
  const grants = rolemill.grantsFromPairs(pairs);
  let reports = 0;
  const ctl = new AbortController();
  const onProgress = (phase) => {
    if (phase !== 'mine') return;
    // The first report opens the phase; the next ones come from the pool, while its threads run.
    if (++reports === 2) ctl.abort();
  };
  try {
    if (engine === 'sync') (await rolemill.createEngine({ workers: 2 })).mine(grants, { signal: ctl.signal, onProgress });
    else await rolemill.createWorkerEngine({ workers: 2 }).mine(grants, { signal: ctl.signal, onProgress });
    return 'finished without aborting';
  } catch (err) {
    if (!(err instanceof rolemill.AbortError)) throw err;
    return `aborted in mine after ${reports - 1} pool reports`;
  }
}

/** Exact mining of two separate companies (two components) on a pool of 2, aborted at its first report. */
async function exact() {
  const pairs = [];
  for (const b of [0, 1]) {
    const e = rolemill.generateEnterprise({ identities: 20000, seed: 5 + b, strayRate: 0, missingRate: 0 });
    for (let i = 0; i < e.grants.identity.length; i++) pairs.push([`c${b}/${e.identities[e.grants.identity[i]].id}`, `c${b}/${e.entitlementNames[e.grants.entitlement[i]]}`]);
  }
  const grants = rolemill.grantsFromPairs(pairs);
  let reports = 0;
  const ctl = new AbortController();
  const onProgress = (phase) => {
    if (phase === 'mine' && ++reports === 2) ctl.abort();
  };
  try {
    (await rolemill.createEngine({ workers: 2 })).mine(grants, { mode: 'exact', objective: 'wsc', signal: ctl.signal, onProgress });
    return 'finished without aborting';
  } catch (err) {
    if (!(err instanceof rolemill.AbortError)) throw err;
    return `aborted in mine after ${reports - 1} pool reports`;
  }
}

async function read() {
  const path = join(mkdtempSync(join(tmpdir(), 'rolemill-abort-')), 'grants.csv');
  const lines = ['identity,entitlement'];
  for (let i = 0; i < 200000; i++) lines.push(`user${i % 9000},app${i % 31}:entitlement-${i % 977}`);
  writeFileSync(path, lines.join('\n') + '\n');
  const ctl = new AbortController();
  const run = rolemill.readGrants(path, { workers: 2, signal: ctl.signal });
  setTimeout(() => ctl.abort(), 20);
  try {
    await run;
    return 'finished without aborting';
  } catch (err) {
    if (!(err instanceof rolemill.AbortError)) throw err;
    return 'aborted read';
  }
}

const what = process.argv[2];
console.log(what === 'read' ? await read() : what === 'exact' ? await exact() : await mine(what));
