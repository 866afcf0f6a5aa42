// Child process for pool.test.ts: starts mining with a pool of 2 workers, aborts at the pool's
// first progress report, then returns without exiting explicitly. The process ends only if
// every thread (the pool's, the worker engine's) was freed.
import * as rolemill from '../../dist/index.js';

const engine = process.argv[2];
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
  console.log('finished without aborting');
} catch (err) {
  if (!(err instanceof rolemill.AbortError)) throw err;
  console.log(`aborted in mine after ${reports - 1} pool reports`);
}
