// What a reviewer and an auditor open: report.html (its data, exact on a case worked by hand; the
// same bytes from `rolemill report DIR`; hostile names kept text), review.csv (one row per
// exception, with the right reviewer) and the governance exports (parsed back to the same roles).
// The report as a person sees it (drawn in Chromium) is test/browser/report.mjs.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, csvText, csvRecords } from './support/files.js';
import { tableFromIPC } from 'apache-arrow';
import { reportData, viewOfRecords, MATRIX_CELLS, LIMITS, type ReportData, type TableView } from '../src/report/data.js';
import { parseMidpoint, parseSailpoint, parseScim } from '../src/export/index.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The report's data, read back from the HTML as the page reads it. */
function dataOf(html: string): ReportData {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as ReportData;
}

describe('report.html', () => {
  it('carries the current renderer: src/report/render-source.ts is what gen-source.mjs makes of render.ts', async () => {
    const gen = fileURLToPath(new URL('../src/report/gen-source.mjs', import.meta.url));
    const { renderSource } = (await import(gen)) as { renderSource: () => string };
    expect(readFileSync(new URL('../src/report/render-source.ts', import.meta.url), 'utf8')).toBe(renderSource());
  });

  it('a case worked by hand: coverage by role, roles for 80-99%, cards and the exact matrix', () => {
    const dir = tempDir();
    // u1..u3: a b c; u4, u5: a b c d e; u6: x. The proven minimum: {a,b,c} (5 members), {d,e} (2), {x} (1).
    const pairs: [string, string][] = [];
    for (const u of ['u1', 'u2', 'u3', 'u4', 'u5']) for (const e of ['a', 'b', 'c']) pairs.push([u, e]);
    for (const u of ['u4', 'u5']) for (const e of ['d', 'e']) pairs.push([u, e]);
    pairs.push(['u6', 'x']);
    writeFileSync(join(dir, 'g.csv'), csvText(pairs));
    const out = join(dir, 'out');
    expect(run('mine', join(dir, 'g.csv'), '--mode', 'exact', '--out', out, '--no-timings').code).toBe(0);
    const d = dataOf(readFileSync(join(out, 'report.html'), 'utf8'));
    expect(d.kind).toBe('mine');
    expect(d.command).toEqual(['mine', join(dir, 'g.csv'), '--mode', 'exact', '--out', out, '--no-timings']);
    expect(d.totals).toEqual({ grants: 20, identities: 6, entitlements: 6, roles: 3, exceptions: 0, overAssigned: 0 });
    expect(d.coverageCurve).toEqual([[0, 0], [1, 15], [2, 19], [3, 20]]);
    // 80% = 16 grants and 95% = 19 need two roles; 99% = 19.8 needs the third.
    expect(d.rolesFor).toEqual([[80, 2], [90, 2], [95, 2], [99, 3]]);
    expect(d.exceptionsByReason).toEqual([]);
    const byEnts = new Map(d.roles.map((r) => [r.entitlements.join(' '), r]));
    expect([...byEnts.keys()].sort()).toEqual(['a b c', 'd e', 'x']);
    expect(byEnts.get('a b c')).toMatchObject({ members: 5, grantsCovered: 15, exclusiveGrants: 15, memberSample: ['u1', 'u2', 'u3', 'u4', 'u5'], lacking: { count: 0, sample: [] }, suggestions: [] });
    expect(byEnts.get('d e')).toMatchObject({ members: 2, grantsCovered: 4, memberSample: ['u4', 'u5'] });
    const m = d.matrix!;
    expect(m).toMatchObject({ rows: 6, cols: 6, identities: 6, entitlements: 6, aggregated: false });
    // Decoded: 20 cells given by a role (code 159: the whole cell), 16 empty.
    const runs = Buffer.from(m.cells, 'base64');
    const cells: number[] = [];
    for (let k = 0; k < runs.length; k += 2) for (let n = 0; n <= runs[k + 1]!; n++) cells.push(runs[k]!);
    expect(cells.length).toBe(36);
    expect(cells.filter((c) => c === 159).length).toBe(20);
    expect(cells.filter((c) => c === 0).length).toBe(16);
    // One block per role: u1..u5 × a b c, u4 u5 × d e (contiguous under their main role), u6 × x.
    expect(m.blocks.length).toBe(3);
    expect(m.blocks.map(([r0, r1, c0, c1]) => (r1 - r0) * (c1 - c0)).sort((a, b) => a - b)).toEqual([1, 4, 15]);
  });

  it('rolemill report DIR gives the same bytes; it writes only into rolemill output and refuses foreign files', () => {
    const dir = tempDir();
    const pairs: [string, string][] = [];
    for (let i = 0; i < 30; i++) for (const e of ['a', 'b', 'c']) pairs.push([`u${i}`, i % 3 === 0 ? `${e}2` : e]);
    pairs.push(['u1', 'stray']);
    writeFileSync(join(dir, 'g.csv'), csvText(pairs));
    const out = join(dir, 'out');
    expect(run('mine', join(dir, 'g.csv'), '--out', out).code).toBe(0);
    const first = readFileSync(join(out, 'report.html'));
    rmSync(join(out, 'report.html'));
    // A report deleted by hand: the folder no longer matches its manifest, report DIR puts it back.
    const r = run('report', out);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'report.html')).equals(first)).toBe(true);
    // Written with --no-report, then reported: the manifest lists it, so mine may replace the folder later.
    const out2 = join(dir, 'out2');
    expect(run('mine', join(dir, 'g.csv'), '--out', out2, '--no-report').code).toBe(0);
    expect(existsSync(join(out2, 'report.html'))).toBe(false);
    expect(run('report', out2).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out2, 'rolemill.json'), 'utf8')) as { files: { path: string; bytes: number }[] };
    expect(manifest.files.find((f) => f.path === 'report.html')?.bytes).toBe(readFileSync(join(out2, 'report.html')).length);
    expect(run('mine', join(dir, 'g.csv'), '--out', out2).code).toBe(0);
    // Not a rolemill output: exit 2 naming it, nothing written.
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const f = run('report', foreign);
    expect(f.code).toBe(2);
    expect(f.err).toContain(foreign);
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
    // A report.html the manifest does not list (someone else's): refused, kept.
    rmSync(join(out2, 'report.html'));
    writeFileSync(join(out2, 'report.html'), 'my own notes');
    const manifest2 = JSON.parse(readFileSync(join(out2, 'rolemill.json'), 'utf8')) as { files: { path: string }[] };
    writeFileSync(join(out2, 'rolemill.json'), JSON.stringify({ ...manifest2, files: manifest2.files.filter((x) => x.path !== 'report.html') }));
    const g = run('report', out2);
    expect(g.code).toBe(2);
    expect(g.err).toMatch(/report\.html.*does not list it/);
    expect(readFileSync(join(out2, 'report.html'), 'utf8')).toBe('my own notes');
    // --out FILE: a file that is not a rolemill report is not replaced.
    const mine = join(dir, 'mine.html');
    writeFileSync(mine, '<html>someone else</html>');
    expect(run('report', out, '--out', mine).code).toBe(2);
    expect(readFileSync(mine, 'utf8')).toBe('<html>someone else</html>');
    const elsewhere = join(dir, 'elsewhere.html');
    expect(run('report', out, '--out', elsewhere).code).toBe(0);
    expect(readFileSync(elsewhere).equals(first)).toBe(true);
    expect(run('report', out, '--out', elsewhere).code).toBe(0); // its own report: replaced
  });

  it('report DIR again and again: the same bytes with per-reviewer files, in Arrow and JSON folders, with another app separator', () => {
    const dir = tempDir();
    const sample = join(dir, 'sample');
    expect(run('generate', '--identities', '200', '--seed', '3', '--governance', '--out', sample).code).toBe(0);
    for (const format of ['csv', 'arrow', 'json']) {
      const out = join(dir, `out-${format}`);
      const r = run('mine', join(sample, 'grants.csv'), '--identities', join(sample, 'identities.csv'), '--memberships', join(sample, 'memberships.csv'), '--out', out, '--review-split', '--format', format, '--no-timings');
      expect(r.code, r.err).toBe(0);
      const first = readFileSync(join(out, 'report.html'));
      const manifest = readFileSync(join(out, 'rolemill.json'));
      for (let k = 0; k < 2; k++) {
        const again = run('report', out);
        expect(again.code, again.err).toBe(0);
        expect(readFileSync(join(out, 'report.html')).equals(first), `${format}: report ${k + 1}`).toBe(true);
        expect(readFileSync(join(out, 'rolemill.json')).equals(manifest), `${format}: manifest ${k + 1}`).toBe(true);
      }
    }
    // Every Arrow table reads back (two columns of the identities table shared one codes array,
    // which apache-arrow wrote as a corrupt file).
    for (const f of readdirSync(join(dir, 'out-arrow')).filter((x) => x.endsWith('.arrow'))) expect(() => tableFromIPC(readFileSync(join(dir, 'out-arrow', f))), f).not.toThrow();
    // Another app separator: recorded in summary.json, and report DIR counts applications by it.
    const pairs: [string, string][] = [];
    for (let i = 0; i < 10; i++) pairs.push([`u${i}`, 'crm-read'], [`u${i}`, 'crm-write']);
    pairs.push(['u1', 'erp-post'], ['u2', 'erp-close'], ['u3', 'hr-pay']);
    writeFileSync(join(dir, 'sep.csv'), csvText(pairs));
    const sep = join(dir, 'out-sep');
    expect(run('mine', join(dir, 'sep.csv'), '--out', sep, '--app-separator', '-').code).toBe(0);
    const mined = dataOf(readFileSync(join(sep, 'report.html'), 'utf8'));
    expect(mined.exceptionsByApp).toEqual([['erp', 2], ['hr', 1]]);
    expect(run('report', sep, '--out', join(dir, 'sep.html')).code).toBe(0);
    expect(readFileSync(join(dir, 'sep.html')).equals(readFileSync(join(sep, 'report.html')))).toBe(true);
  });

  it('hostile names stay text: no markup from a name reaches the HTML', () => {
    const dir = tempDir();
    const evil = ['<img src=x onerror=alert(1)>', '</script><script>alert(2)</script>', '"quoted" & <b>bold</b>', '\u2028line'];
    const pairs: [string, string][] = [];
    for (let i = 0; i < 12; i++) for (const e of evil) pairs.push([`${evil[i % 4]}-${i}`, `app:${e}`]);
    pairs.push([evil[0]!, 'app:only-one']);
    writeFileSync(join(dir, 'g.csv'), csvText(pairs));
    const out = join(dir, 'out');
    expect(run('mine', join(dir, 'g.csv'), '--out', out, '--min-members', '2').code).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html.match(/<\/script>/g)!.length).toBe(2); // the data's and the renderer's own
    expect(html.match(/<script/g)!.length).toBe(2);
    const d = dataOf(html);
    expect(d.roles.flatMap((r) => r.entitlements)).toEqual(expect.arrayContaining(evil.map((e) => `app:${e}`)));
  });

  it('beyond the size limits the matrix is aggregated and lists are sampled, saying so', () => {
    const nId = 2700;
    const nEnt = 900;
    const roles: Record<string, string>[] = [];
    const re: Record<string, string>[] = [];
    const as: Record<string, string>[] = [];
    const ids: Record<string, string>[] = [];
    for (let r = 0; r < 90; r++) {
      roles.push({ role: `R${r}`, kind: 'technical', member_count: String(nId / 30), grants_covered: '1000', exclusive_grants: '0' });
      for (let e = 0; e < 10; e++) re.push({ role: `R${r}`, entitlement: `e${r * 10 + e}` });
    }
    for (let i = 0; i < nId; i++) {
      for (const r of [i % 90, (i + 45) % 90]) as.push({ identity: `u${i}`, role: `R${r}` });
      ids.push({ identity: `u${i}`, outlier_score: String((i % 100) / 100), peer_group: String(i % 7), outlier_factors: '' });
    }
    const tables = new Map([['roles', viewOfRecords(roles)], ['role_entitlements', viewOfRecords(re)], ['assignments', viewOfRecords(as)], ['identities', viewOfRecords(ids)]]);
    const d = reportData({ kind: 'mine', tables, summary: { input: { grants: nId * 20 }, peers: { outlierThreshold: 0.9 } }, version: 'test' });
    expect(d.matrix).toMatchObject({ rows: MATRIX_CELLS, cols: MATRIX_CELLS, identities: nId, entitlements: nEnt, aggregated: true });
    expect(d.roles.every((r) => r.memberSample.length === LIMITS.members)).toBe(true);
    expect(d.roles.map((r) => r.members)).toEqual(new Array(90).fill(2 * (nId / 90)));
    expect(d.outliers.length).toBe(LIMITS.outliers);
    expect(d.outlierCount).toBe(nId / 10); // scores 0.90 .. 0.99
    expect(d.outlierHistogram.reduce((a, b) => a + b, 0)).toBe(nId);
    // Every grant is given by a role: the curve ends at all of them.
    expect(d.coverageCurve[d.coverageCurve.length - 1]).toEqual([90, nId * 20]);
  });
});

describe('review.csv and the governance exports from the command line', () => {
  it('one review row per exception with the manager as reviewer; split files partition it; exports parse back to the roles', () => {
    const dir = tempDir();
    const sample = join(dir, 'sample');
    expect(run('generate', '--identities', '300', '--seed', '8', '--governance', '--out', sample).code).toBe(0);
    const out = join(dir, 'out');
    const r = run('mine', join(sample, 'grants.csv'), '--identities', join(sample, 'identities.csv'), '--memberships', join(sample, 'memberships.csv'), '--out', out, '--export', 'midpoint,scim', '--export', 'sailpoint', '--review-split', '--no-timings');
    expect(r.code, r.err).toBe(0);
    const review = csvRecords(join(out, 'review.csv'));
    const exceptions = csvRecords(join(out, 'exceptions.csv'));
    expect(review.length).toBe(exceptions.length);
    const key = (x: Record<string, string>) => `${x['identity']}|${x['account']}|${x['entitlement']}|${x['reason']}`;
    expect(review.map(key).sort()).toEqual(exceptions.map(key).sort());
    // The reviewer: the manager of the identity's account in the identities file, else unassigned.
    const manager = new Map(csvRecords(join(sample, 'identities.csv')).map((x) => [x['identity']!, x['manager'] ?? '']));
    for (const row of review.filter((x) => x['account'] !== '' && !x['account']!.includes(';'))) {
      expect(row['reviewer']).toBe(manager.get(row['account']!) || 'unassigned');
    }
    expect(review.every((x) => ['revoke', 'review', 'keep'].includes(x['recommendation']!) && x['rule'] !== '' && x['decision'] === '')).toBe(true);
    const sorted = [...review].sort((a, b) => (a['reviewer']! < b['reviewer']! ? -1 : a['reviewer']! > b['reviewer']! ? 1 : 0));
    expect(review.map((x) => x['reviewer'])).toEqual(sorted.map((x) => x['reviewer']));
    // --review-split: one file per reviewer, together exactly the review.
    const parts = readdirSync(join(out, 'review'));
    expect(parts.length).toBe(new Set(review.map((x) => x['reviewer'])).size);
    const fromParts = parts.flatMap((p) => csvRecords(join(out, 'review', p)));
    expect(fromParts.map(key).sort()).toEqual(review.map(key).sort());
    for (const p of parts) expect(new Set(csvRecords(join(out, 'review', p)).map((x) => x['reviewer'])).size).toBe(1);

    // Exports: the roles of roles.csv / role_entitlements.csv / assignments.csv.
    const roles = csvRecords(join(out, 'roles.csv'));
    const ents = new Map<string, string[]>();
    for (const x of csvRecords(join(out, 'role_entitlements.csv'))) (ents.get(x['role']!) ?? ents.set(x['role']!, []).get(x['role']!)!).push(x['entitlement']!);
    const members = new Map<string, string[]>();
    for (const x of csvRecords(join(out, 'assignments.csv'))) (members.get(x['role']!) ?? members.set(x['role']!, []).get(x['role']!)!).push(x['identity']!);
    const expected = roles.map((x) => ({ id: x['role']!, entitlements: [...ents.get(x['role']!)!].sort(), members: [...(members.get(x['role']!) ?? [])].sort() }));
    const norm = (rs: { id: string; entitlements: string[]; members?: string[] }[], withMembers = true) => rs.map((x) => ({ id: x.id, entitlements: [...x.entitlements].sort(), ...(withMembers ? { members: [...(x.members ?? [])].sort() } : {}) }));
    expect(readdirSync(join(out, 'export')).sort()).toEqual(['midpoint', 'sailpoint', 'scim']);
    expect(norm(parseScim(readFileSync(join(out, 'export', 'scim', 'roles.json'), 'utf8')))).toEqual(expected);
    expect(norm(parseMidpoint(readFileSync(join(out, 'export', 'midpoint', 'roles.xml'), 'utf8'), readFileSync(join(out, 'export', 'midpoint', 'assignments.csv'), 'utf8')))).toEqual(expected);
    expect(norm(parseSailpoint(readFileSync(join(out, 'export', 'sailpoint', 'roles.csv'), 'utf8')), false)).toEqual(expected.map(({ id, entitlements }) => ({ id, entitlements })));
    // Names carried: the business names of roles.csv.
    expect(parseScim(readFileSync(join(out, 'export', 'scim', 'roles.json'), 'utf8')).map((x) => x.name)).toEqual(roles.map((x) => x['name'] || x['role']));
    // The report counts the review.
    const d = dataOf(readFileSync(join(out, 'report.html'), 'utf8'));
    expect(d.review!.rows).toBe(review.length);
    expect(d.review!.reviewers).toBe(parts.length);
    expect(run('mine', join(sample, 'grants.csv'), '--out', join(dir, 'x'), '--export', 'okta').err).toMatch(/--export takes midpoint, sailpoint, scim/);
  });

  it('--app-owners: without a manager, the application owner reviews; a file without an owner column is exit 2', () => {
    const dir = tempDir();
    const pairs: [string, string][] = [];
    for (let i = 0; i < 12; i++) for (const e of ['crm:read', 'crm:write', 'hr:self']) pairs.push([`u${i}`, e]);
    pairs.push(['u1', 'crm:admin-export'], ['u2', 'hr:payroll'], ['u3', 'wiki:edit']);
    writeFileSync(join(dir, 'g.csv'), csvText(pairs));
    writeFileSync(join(dir, 'owners.csv'), 'application,owner\ncrm,Carol CRM\nhr,Hank HR\n');
    const out = join(dir, 'out');
    const r = run('mine', join(dir, 'g.csv'), '--out', out, '--app-owners', join(dir, 'owners.csv'), '--review-split');
    expect(r.code, r.err).toBe(0);
    const review = csvRecords(join(out, 'review.csv'));
    expect(review.map((x) => [x['entitlement'], x['reviewer']]).sort()).toEqual([['crm:admin-export', 'Carol CRM'], ['hr:payroll', 'Hank HR'], ['wiki:edit', 'unassigned']]);
    // Reviewer names that are not file names get a safe one.
    expect(readdirSync(join(out, 'review')).length).toBe(3);
    expect(readdirSync(join(out, 'review')).every((f) => /^[a-z0-9][a-z0-9_.-]*\.csv$/.test(f))).toBe(true);
    writeFileSync(join(dir, 'bad.csv'), 'application,person\ncrm,Carol\n');
    const bad = run('mine', join(dir, 'g.csv'), '--out', join(dir, 'out2'), '--app-owners', join(dir, 'bad.csv'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad.csv');
    expect(bad.err).toContain('no owner column');
    expect(existsSync(join(dir, 'out2'))).toBe(false);
  });

  it('evaluate and diff write their report and review: impact and remediation counted as in their tables', () => {
    const dir = tempDir();
    const snaps = join(dir, 'snaps');
    expect(run('generate', '--identities', '300', '--seed', '4', '--snapshots', '2', '--out', snaps).code).toBe(0);
    const m0 = join(dir, 'm0');
    const m1 = join(dir, 'm1');
    for (const [t, m] of [['t0', m0], ['t1', m1]] as const) expect(run('mine', join(snaps, t, 'grants.csv'), '--identities', join(snaps, t, 'identities.csv'), '--out', m, '--no-timings', '--no-peers').code).toBe(0);
    const ev = join(dir, 'ev');
    expect(run('evaluate', join(snaps, 't1', 'grants.csv'), '--model', m0, '--identities', join(snaps, 't1', 'identities.csv'), '--out', ev, '--no-peers').code).toBe(0);
    const de = dataOf(readFileSync(join(ev, 'report.html'), 'utf8'));
    const impact = csvRecords(join(ev, 'impact.csv'));
    expect(de.kind).toBe('evaluate');
    expect(de.evaluate!.gain).toBe(impact.filter((x) => x['change'] === 'gain').length);
    expect(de.evaluate!.lose).toBe(impact.filter((x) => x['change'] === 'lose').length);
    expect(csvRecords(join(ev, 'review.csv')).length).toBe(csvRecords(join(ev, 'exceptions.csv')).length);
    const df = join(dir, 'diff');
    expect(run('diff', m0, m1, '--identities-before', join(snaps, 't0', 'identities.csv'), '--identities-after', join(snaps, 't1', 'identities.csv'), '--out', df).code).toBe(0);
    const dd = dataOf(readFileSync(join(df, 'report.html'), 'utf8'));
    const rem = csvRecords(join(df, 'remediation.csv'));
    expect(dd.kind).toBe('diff');
    expect(dd.diff!.remediationCount).toBe(rem.length);
    expect(dd.diff!.roleChangeCount).toBe(csvRecords(join(df, 'role_changes.csv')).length);
    // The diff's review: every remediation row but the resolved ones.
    expect(csvRecords(join(df, 'review.csv')).length).toBe(rem.filter((x) => x['reason'] !== 'resolved').length);
    // Reported again from the folder: the same bytes.
    const before = readFileSync(join(df, 'report.html'));
    expect(run('report', df).code).toBe(0);
    expect(readFileSync(join(df, 'report.html')).equals(before)).toBe(true);
  });
});

/** A generated governed sample (`rolemill generate --governance`) mined in process with the defaults, with or without its memberships. */
async function minedSample(identities: number, seed: number, withMemberships: boolean) {
  const rolemill = await import('../src/index.js');
  const dir = tempDir();
  const sample = join(dir, 'sample');
  expect(run('generate', '--identities', String(identities), '--seed', String(seed), '--governance', '--out', sample).code).toBe(0);
  const inputs = {
    grants: await rolemill.readGrants(join(sample, 'grants.csv'), { keepIfPresent: ['last_used', 'application'] }),
    identities: await rolemill.readIdentities(join(sample, 'identities.csv')),
    memberships: withMemberships ? await rolemill.readGrants(join(sample, 'memberships.csv'), { identityColumn: 'member', entitlementColumn: 'group', keepIfPresent: ['member_type'] }) : null,
  };
  const engine = await rolemill.createEngine({ workers: 1 });
  const r = await rolemill.runMine(inputs, {}, engine);
  engine.dispose();
  return { dir, r };
}

describe('outputFiles: the output folder in memory (for a page to download)', () => {
  it('gives every file writeRun writes, byte for byte, in CSV, JSON and Arrow, with exports, split review and report', async () => {
    const rolemill = await import('../src/index.js');
    const { outputFiles } = await import('../src/output/files.js');
    const { dir, r } = await minedSample(200, 9, true);
    const { splitByReviewer } = await import('../src/review/review.js');
    const review = r.extraTables.find((t) => t.name === 'review')!;
    const walk = (d: string, prefix = ''): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
    for (const format of ['csv', 'json', 'arrow'] as const) {
      const options = {
        format,
        omitTimings: true,
        command: ['mine', 'grants.csv'],
        report: { kind: 'mine' as const },
        exports: { formats: ['midpoint', 'sailpoint', 'scim'] as ('midpoint' | 'sailpoint' | 'scim')[] },
        tableFiles: splitByReviewer(review).map((p) => ({ path: `review/${p.file}`, table: p.table })),
      };
      const out = join(dir, `out-${format}`);
      await rolemill.writeRun(out, r, options);
      // The built writer, report.html made on its worker thread (src/output/report-thread.ts).
      const threaded = join(dir, `out-${format}-thread`);
      const built = (await import('../dist/output/write.js')) as typeof import('../src/output/write.js');
      await built.writeRun(threaded, r, { ...options, reportThread: 'always' });
      const files = outputFiles(r.model, { ...options, extraTables: r.extraTables, roleColumns: r.roleColumns, exceptionColumns: r.exceptionColumns });
      expect(files.map((f) => f.path).sort()).toEqual(walk(out).sort());
      expect(walk(threaded).sort()).toEqual(walk(out).sort());
      expect(files[files.length - 1]!.path).toBe('rolemill.json');
      for (const f of files) {
        const bytes = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : Buffer.from(f.data);
        expect(bytes.equals(readFileSync(join(out, ...f.path.split('/')))), `${format}: ${f.path}`).toBe(true);
        expect(bytes.equals(readFileSync(join(threaded, ...f.path.split('/')))), `${format}, report thread: ${f.path}`).toBe(true);
      }
    }
  });

  it('writes the same files with the tables on their thread and the review made while they are written (the command line\'s way)', async () => {
    const rolemill = await import('../src/index.js');
    const { splitByReviewer } = await import('../src/review/review.js');
    const built = (await import('../dist/output/write.js')) as typeof import('../src/output/write.js');
    const { dir, r } = await minedSample(200, 9, true);
    const review = r.extraTables.find((t) => t.name === 'review')!;
    const walk = (d: string, prefix = ''): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
    const split = splitByReviewer(review).map((p) => ({ path: `review/${p.file}`, table: p.table }));
    const base = { command: ['mine', 'grants.csv'], report: { kind: 'mine' as const }, exports: { formats: ['midpoint'] as 'midpoint'[] } };
    // Timings kept: the review's time is recorded while the other tables are written, and
    // summary.json and report.html carry it.
    delete r.model.summary.timings['reviewMs'];
    const early = { ...r, extraTables: r.extraTables.filter((t) => t !== review) };
    let made = 0;
    const threaded = join(dir, 'threaded');
    const progress: number[] = [];
    const files = await built.writeRun(threaded, early, {
      ...base,
      reportThread: 'always',
      tableThread: 'always',
      onProgress: (f) => progress.push(f),
      later: () => {
        made++;
        r.model.summary.timings['reviewMs'] = 12.5;
        return { tables: [review], tableFiles: split };
      },
    });
    expect(made).toBe(1);
    const inProcess = join(dir, 'in-process');
    const expected = await rolemill.writeRun(inProcess, r, { ...base, tableFiles: split });
    expect(files).toEqual(expected); // the same files, in the same order
    expect(walk(threaded).sort()).toEqual(walk(inProcess).sort());
    for (const f of walk(inProcess)) expect(readFileSync(join(threaded, f)).equals(readFileSync(join(inProcess, f))), f).toBe(true);
    expect(JSON.parse(readFileSync(join(threaded, 'summary.json'), 'utf8')).timings.reviewMs).toBe(12.5);
    expect(readFileSync(join(threaded, 'report.html'), 'utf8')).toContain('12.5');
    // Progress only grows, to 1.
    expect(progress.every((f, k) => k === 0 || f >= progress[k - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });

  it('leaves nothing behind when the review made during the write fails, and an earlier output as it was', async () => {
    const built = (await import('../dist/output/write.js')) as typeof import('../src/output/write.js');
    const { dir, r } = await minedSample(120, 5, false);
    const out = join(dir, 'out');
    await built.writeRun(out, r, {});
    const before = walk2(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')]);
    await expect(built.writeRun(out, r, { tableThread: 'always', reportThread: 'always', report: { kind: 'mine' }, later: () => { throw new Error('review failed'); } })).rejects.toThrow('review failed');
    expect(walk2(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')])).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['out', 'sample']);
  });

  it('names the file when the table thread cannot write it (an OutputError, exit 2 from the command line), and leaves nothing behind', async () => {
    const built = (await import('../dist/output/write.js')) as typeof import('../src/output/write.js');
    const { OutputError } = await import('../dist/errors.js');
    const { dir, r } = await minedSample(120, 6, false);
    const review = r.extraTables.find((t) => t.name === 'review')!;
    const early = { ...r, extraTables: r.extraTables.filter((t) => t !== review) };
    const out = join(dir, 'out');
    // The review's file is taken by a folder before the thread writes it.
    const later = () => {
      const tmp = readdirSync(dir).find((n) => n.startsWith('.out.rolemill-tmp-'))!;
      mkdirSync(join(dir, tmp, 'review.csv'));
      return { tables: [review] };
    };
    const e = await built.writeRun(out, early, { tableThread: 'always', later }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OutputError);
    expect(String((e as Error).message)).toContain(join(out, 'review.csv'));
    expect(readdirSync(dir).sort()).toEqual(['sample']);
  });

  it("a table in memory reads its number columns as the numbers their text reads as", async () => {
    const { viewOfTable } = await import('../src/report/data.js');
    const v = viewOfTable({ name: 'identities', length: 4, columns: [['score', { kind: 'int', values: Float64Array.of(0.25, 0, NaN, 1e-7) }], ['name', { kind: 'name', dictionary: ['a'], codes: new Uint32Array(4) }]] });
    const n = v.number!('score')!;
    const text = v.text('score');
    expect([0, 1, 2, 3].map(n)).toEqual([0.25, 0, null, 1e-7]);
    expect([0, 1, 3].map((r) => Number(text(r)))).toEqual([0.25, 0, 1e-7]);
    expect(v.number!('name')).toBeNull();
    expect(v.number!('missing')).toBeNull();
  });

  it('REPORT_READS lists every table and column the report reads (the report thread is sent only those)', async () => {
    const rolemill = await import('../src/index.js');
    const { outputTables } = await import('../src/output/files.js');
    const { viewOfTable, REPORT_READS } = await import('../src/report/data.js');
    const { r } = await minedSample(300, 4, false);
    const tables = outputTables(r.model, { extraTables: r.extraTables, roleColumns: r.roleColumns, exceptionColumns: r.exceptionColumns });
    const read = new Set<string>();
    const views = new Map<string, TableView>(tables.map((t): [string, TableView] => {
      const v = viewOfTable(t);
      return [t.name, { ...v, text: (c: string) => (read.add(`${t.name}.${c}`), v.text(c)), interned: (c: string, into: never) => (read.add(`${t.name}.${c}`), v.interned!(c, into)), number: (c: string) => (read.add(`${t.name}.${c}`), v.number!(c)) }];
    }));
    const asked = new Set<string>();
    const recording = new Map<string, TableView>(views);
    recording.get = (name: string) => (asked.add(name), views.get(name));
    rolemill.reportData({ kind: 'mine', tables: recording, summary: r.model.summary as unknown as Record<string, unknown>, files: [], command: null, version: 'test' });
    // The run has every table the report of a mined run reads, and each is read.
    for (const name of ['roles', 'role_entitlements', 'identities', 'assignments', 'exceptions', 'review']) expect(asked.has(name), name).toBe(true);
    for (const name of asked) if (views.has(name)) expect(REPORT_READS[name], name).toBeDefined();
    for (const key of read) {
      const [table, column] = key.split('.') as [string, string];
      const listed = REPORT_READS[table]!;
      expect(listed === '*' || listed.includes(column), key).toBe(true);
    }
    expect(read.size).toBeGreaterThan(20);
  });
});

/** The files under `d`, '/'-separated, sorted. */
function walk2(d: string, prefix = ''): string[] {
  return readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk2(join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}
