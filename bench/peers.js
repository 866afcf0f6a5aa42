// Peer groups and outlier scores alone (peerGroups, in process), on a generated enterprise: the
// work the default run does on its own worker beside mining. Each round times every build once,
// alternating, so the machine's noise falls on all of them.
//   node bench/peers.js [--against DIR] [--rounds N] [--identities N]
// --against DIR: another build of rolemill (a checkout with dist/); the table gives the ratio
// this / that and whether the two results are identical (groups, scores and factors).
// Writes bench/results/<date>-peers.{json,md}.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { saveResults } from './save.js';
import * as here from '../dist/index.js';

const { values: flags } = parseArgs({ options: { against: { type: 'string' }, rounds: { type: 'string', default: '3' }, identities: { type: 'string', default: '450000' } } });
const rounds = Number(flags.rounds);
const identities = Number(flags.identities);
const builds = [{ lib: here }];
if (flags.against) builds.push({ lib: await import(pathToFileURL(resolve(flags.against, 'dist/index.js')).href) });

const e = here.generateEnterprise({ identities, seed: 1 });
const input = { identities: e.identities.length, entitlements: e.entitlementNames.length, identity: e.grants.identity, entitlement: e.grants.entitlement };
const digest = (r) => {
  const h = createHash('sha1');
  h.update(Buffer.from(r.group.buffer, r.group.byteOffset, r.group.byteLength));
  h.update(Buffer.from(r.score.buffer, r.score.byteOffset, r.score.byteLength));
  h.update(JSON.stringify(r.factors));
  return h.digest('hex').slice(0, 12);
};
const ms = builds.map(() => []);
const digests = [];
let groups = 0;
for (let k = 0; k <= rounds; k++) {
  builds.forEach((b, i) => {
    const t = performance.now();
    const r = b.lib.peerGroups(input);
    const dt = performance.now() - t;
    if (k > 0) ms[i].push(dt); // the first round warms up
    digests[i] = digest(r);
    groups = r.groups;
  });
}
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const s = (x) => (x / 1000).toFixed(2);
const row = {
  identities, grants: input.identity.length, groups, seconds: mean(ms[0]) / 1000, runs: ms[0].map((x) => x / 1000), digest: digests[0],
  ...(builds[1] ? { thatSeconds: mean(ms[1]) / 1000, thatRuns: ms[1].map((x) => x / 1000), ratio: mean(ms[0]) / mean(ms[1]), identical: digests[0] === digests[1] } : {}),
};
const command = `node bench/peers.js${flags.against ? ` --against ${flags.against}` : ''} --rounds ${rounds} --identities ${identities}`;
const md = [
  `peerGroups in process on generateEnterprise({ identities: ${identities}, seed: 1 }) (${row.grants} grants, ${groups} groups); mean of ${rounds} round(s) after one warm-up${builds[1] ? `, alternating with the build in \`${flags.against}\`` : ''}.`,
  '',
  `| build | seconds | runs |${builds[1] ? ' this / that | identical |' : ''}`,
  `|---|---|---|${builds[1] ? '---|---|' : ''}`,
  `| this | ${s(mean(ms[0]))} | ${ms[0].map(s).join(', ')} |${builds[1] ? ` ${row.ratio.toFixed(2)} | ${row.identical ? 'yes' : 'no'} |` : ''}`,
  ...(builds[1] ? [`| that | ${s(mean(ms[1]))} | ${ms[1].map(s).join(', ')} | | |`] : []),
].join('\n');
await saveResults('peers', command, { rows: [row] }, md);
