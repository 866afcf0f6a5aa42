// The rolemill command, run as a user runs it: exit codes, outputs, atomic writes, round trips.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { tempDir, csvText, parseCsv } from './support/files.js';
import { unneutralise } from '../src/output/csv.js';
import { rng, shuffle } from './support/reference.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const HP = (name: string) => fileURLToPath(new URL(`../../shared/datasets/hp/${name}.txt`, import.meta.url));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}


describe('rolemill CLI', () => {
  it('--version and --help', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(run('--version')).toMatchObject({ code: 0, out: `${pkg.version}\n` });
    const h = run('--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/rolemill mine <grants-file>/);
  });

  it('says of an exact model with --objective wsc that the minimum it started from is proven, not its own count', () => {
    const r = run('mine', HP('domino'), '--out', join(tempDir(), 'out'), '--mode', 'exact', '--objective', 'wsc');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\n28 roles \(the minimum, 20, is proven; roles added for a lower WSC\), WSC 421,/);
  });

  it('mines an HP dataset into the seven output files, the report and its manifest', () => {
    const out = join(tempDir(), 'out');
    const r = run('mine', HP('healthcare'), '--out', out, '--mode', 'exact');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/14 roles \(proven minimum\)/);
    expect(readdirSync(out).sort()).toEqual(['accounts.csv', 'assignments.csv', 'exceptions.csv', 'identities.csv', 'report.html', 'review.csv', 'role_entitlements.csv', 'rolemill.json', 'roles.csv', 'summary.json']);
    const ids = parseCsv(readFileSync(join(out, 'identities.csv'), 'utf8'));
    expect(ids[0]).toEqual([
      'identity', 'peer_group', 'outlier_score', 'outlier_factors', 'roles_held', 'roles', 'unexplained_grants',
      'accounts', 'kind', 'kind_rule', 'status', 'orphan', 'terminated_with_access', 'non_human',
    ]);
    expect(ids.length).toBe(47);
    // Without an identities file every account is its own person, a human (nothing says otherwise).
    expect(ids.slice(1).every((r) => r[0] === r[7] && r[8] === 'human')).toBe(true);
    const accounts = parseCsv(readFileSync(join(out, 'accounts.csv'), 'utf8'));
    expect(accounts[0]).toEqual(['account', 'identity', 'person', 'kind', 'kind_rule', 'status', 'orphan', 'terminated_with_access', 'non_human', 'applications', 'entitlements']);
    expect(accounts.slice(1).every((r) => r[3] === 'human' && r[4] === 'no identities file')).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.input).toMatchObject({ rows: 1486, identities: 46, entitlements: 46, grants: 1486, duplicatesDropped: 0, format: 'pairs' });
    expect(summary.model).toMatchObject({ roles: 14, exact: true, coverage: 1, underAssigned: 0, overAssigned: 0, optimalityProven: true });
    expect(summary.model.wsc).toBe(summary.model.roles + summary.model.identityRoleAssignments + summary.model.roleEntitlementAssignments);
    const roles = parseCsv(readFileSync(join(out, 'roles.csv'), 'utf8'));
    expect(roles[0]).toEqual(['role', 'kind', 'member_count', 'entitlement_count', 'grants_covered', 'exclusive_grants']);
    expect(roles.length).toBe(15);
    expect(parseCsv(readFileSync(join(out, 'exceptions.csv'), 'utf8'))).toEqual([['identity', 'account', 'entitlement', 'reason']]);
    // The outputs reproduce the grants exactly: union of role entitlements per identity.
    const re = parseCsv(readFileSync(join(out, 'role_entitlements.csv'), 'utf8')).slice(1);
    const as = parseCsv(readFileSync(join(out, 'assignments.csv'), 'utf8')).slice(1);
    const ents = new Map<string, string[]>();
    for (const [role, e] of re) ents.set(role!, [...(ents.get(role!) ?? []), e!]);
    const given = new Set(as.flatMap(([id, role]) => ents.get(role!)!.map((e) => `${id} ${e}`)));
    const held = new Set(readFileSync(HP('healthcare'), 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).join(' ')));
    expect(given).toEqual(held);
  });

  it('arrow and json output formats carry the same tables', () => {
    const dir = tempDir();
    expect(run('mine', HP('domino'), '--out', join(dir, 'csv')).code).toBe(0);
    expect(run('mine', HP('domino'), '--out', join(dir, 'arrow'), '--format', 'arrow').code).toBe(0);
    expect(run('mine', HP('domino'), '--out', join(dir, 'json'), '--format', 'json').code).toBe(0);
    const csvRows = parseCsv(readFileSync(join(dir, 'csv', 'assignments.csv'), 'utf8')).slice(1);
    const arrow = tableFromIPC(readFileSync(join(dir, 'arrow', 'assignments.arrow')));
    const json = JSON.parse(readFileSync(join(dir, 'json', 'assignments.json'), 'utf8')) as { identity: string; role: string }[];
    expect(arrow.numRows).toBe(csvRows.length);
    expect(arrow.toArray().map((r) => [String(r.identity), String(r.role)])).toEqual(csvRows);
    expect(json.map((r) => [r.identity, r.role])).toEqual(csvRows);
  });

  it('same input, same output byte for byte; shuffled rows too; whatever the number of mining workers', () => {
    const rand = rng(4);
    const pairs: [string, string][] = [];
    for (let i = 0; i < 400; i++) pairs.push([`u${Math.floor(rand() * 60)}`, `e${Math.floor(rand() * 25)}`]);
    const dir = tempDir();
    writeFileSync(join(dir, 'a.csv'), csvText(pairs));
    writeFileSync(join(dir, 'b.csv'), csvText(shuffle(pairs, rand)));
    for (const fmt of ['csv', 'arrow']) {
      expect(run('mine', join(dir, 'a.csv'), '--out', join(dir, `a1-${fmt}`), '--no-timings', '--format', fmt).code).toBe(0);
      expect(run('mine', join(dir, 'a.csv'), '--out', join(dir, `a2-${fmt}`), '--no-timings', '--format', fmt).code).toBe(0);
      expect(run('mine', join(dir, 'b.csv'), '--out', join(dir, `b-${fmt}`), '--no-timings', '--format', fmt).code).toBe(0);
      expect(run('mine', join(dir, 'a.csv'), '--out', join(dir, `a4-${fmt}`), '--no-timings', '--format', fmt, '--workers', '4').code).toBe(0);
      expect(run('mine', join(dir, 'b.csv'), '--out', join(dir, `b4-${fmt}`), '--no-timings', '--format', fmt, '--workers', '3').code).toBe(0);
      // The manifest and the report record the command line, and the report summary.json (the
      // input's path): those are compared with the command and the input's name taken out.
      const read = (out: string, f: string) => {
        const b = readFileSync(join(dir, out, f));
        if (f === 'rolemill.json') {
          const m = JSON.parse(b.toString('utf8')) as { command?: string[]; files: { path: string; bytes: number }[] };
          delete m.command;
          for (const x of m.files) if (x.path === 'report.html') x.bytes = 0;
          return Buffer.from(JSON.stringify(m));
        }
        if (f !== 'report.html') return b;
        return Buffer.from(b.toString('utf8').replace(/"command": ?\[[^\]]*\]/, '').replaceAll(join(dir, 'b.csv'), join(dir, 'a.csv')));
      };
      expect(readdirSync(join(dir, `a1-${fmt}`))).toContain('report.html');
      for (const f of readdirSync(join(dir, `a1-${fmt}`))) {
        const a = read(`a1-${fmt}`, f);
        expect(readFileSync(join(dir, `a2-${fmt}`, f)).equals(readFileSync(join(dir, `a1-${fmt}`, f))), f).toBe(f === 'rolemill.json' || f === 'report.html' ? false : true);
        expect(read(`a2-${fmt}`, f).equals(a), f).toBe(true);
        expect(read(`a4-${fmt}`, f).equals(a), f).toBe(true);
        if (f !== 'summary.json') expect(read(`b4-${fmt}`, f).equals(a), f).toBe(true);
        if (f !== 'summary.json') expect(read(`b-${fmt}`, f).equals(a), f).toBe(true);
      }
    }
  });

  it('names round-trip unchanged, and formula-like values are neutralised in CSV', () => {
    const long = 'n'.repeat(10_000);
    const pairs: [string, string][] = [
      ['Doe, Jane', '=cmd|calc'], ['say "hi"', '+1 555'], ['line\nbreak', '-rf'], ['Zoë 李雷 🔑', '@admin'], [long, "'quoted"], ['plain', 'plain'],
    ];
    const dir = tempDir();
    writeFileSync(join(dir, 'g.csv'), csvText(pairs));
    expect(run('mine', join(dir, 'g.csv'), '--out', join(dir, 'out'), '--mode', 'exact').code).toBe(0);
    const text = readFileSync(join(dir, 'out', 'role_entitlements.csv'), 'utf8');
    expect(text).toContain("'=cmd|calc");
    expect(text).not.toMatch(/(^|,)=cmd/m);
    const as = parseCsv(readFileSync(join(dir, 'out', 'assignments.csv'), 'utf8')).slice(1);
    const re = parseCsv(text).slice(1);
    expect(new Set(as.map((r) => unneutralise(r[0]!)))).toEqual(new Set(pairs.map((p) => p[0])));
    expect(new Set(re.map((r) => unneutralise(r[1]!)))).toEqual(new Set(pairs.map((p) => p[1])));
  });

  describe('bad input: exit 2, a message naming file/line/column, no output left behind', () => {
    const dir = tempDir();
    const cases: [string, string, RegExp][] = [
      ['missing-column.csv', 'user,entitlement\na,b\n', /missing-column\.csv:1: missing column 'identity'; columns found: 'user', 'entitlement'/],
      ['empty.csv', '', /empty\.csv: empty file/],
      ['header-only.csv', 'identity,entitlement\n', /no grants/],
      ['unbalanced.csv', 'identity,entitlement\na,b\nc,"open\n', /unbalanced\.csv:3 \(column 2\): unbalanced quote/],
      ['fields.csv', 'identity,entitlement\na,b,c\n', /fields\.csv:2: expected 2 fields as in the header, found 3/],
      ['empty-identity.csv', 'identity,entitlement\na,b\n,x\n', /empty-identity\.csv:3 \(column identity\): empty identity/],
      ['empty-ent.csv', 'identity,entitlement\na,\n', /empty-ent\.csv:2 \(column entitlement\): empty entitlement/],
      ['pairs.txt', '1 2\n3\n', /pairs\.txt:2: expected two whitespace-separated integers/],
      ['noise.bin', 'just some words\n', /unrecognised format/],
    ];
    for (const [file, text, message] of cases) {
      it(file, () => {
        writeFileSync(join(dir, file), text);
        const out = join(dir, `out-${file}`);
        const r = run('mine', join(dir, file), '--out', out);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(message);
        expect(existsSync(out)).toBe(false);
        expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      });
    }
    it('a missing file', () => {
      const r = run('mine', join(dir, 'absent.csv'), '--out', join(dir, 'o'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/absent\.csv: cannot read the file: no such file/);
    });
    it('usage errors', () => {
      expect(run('mine').code).toBe(2);
      expect(run('mine', HP('healthcare'), '--objective', 'fast').err).toMatch(/--objective must be roles or wsc/);
      expect(run('mine', HP('healthcare'), '--min-members', '0').err).toBe("rolemill: --min-members must be a whole number ≥ 1, got '0'\n");
      expect(run('mine', HP('healthcare'), '--coverage', '1.5').code).toBe(2);
      expect(run('mine', HP('healthcare'), '--mode', 'exact', '--max-roles', '5').err).toMatch(/apply to --mode approx only/);
      expect(run('mine', HP('healthcare'), '--bogus').code).toBe(2);
      expect(run('mine', HP('healthcare'), '--workers', '0').err).toBe("rolemill: --workers must be a whole number ≥ 1, got '0'\n");
      expect(run('frobnicate').code).toBe(2);
    });
    it('input too large for exact mining within the memory limit: exit 2 with advice', () => {
      const out = join(dir, 'too-large');
      const r = run('mine', HP('healthcare'), '--out', out, '--mode', 'exact', '--component-limit', '0');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/needs \d+ MiB of bitsets for exact mining, over the limit; scope the input/);
      expect(existsSync(out)).toBe(false);
    });
    it('a failed run leaves an earlier output untouched', () => {
      const out = join(dir, 'keep');
      expect(run('mine', HP('healthcare'), '--out', out, '--mode', 'exact').code).toBe(0);
      const before = readFileSync(join(out, 'roles.csv'));
      writeFileSync(join(dir, 'bad.csv'), 'identity,entitlement\n"x\n');
      expect(run('mine', join(dir, 'bad.csv'), '--out', out).code).toBe(2);
      expect(readFileSync(join(out, 'roles.csv')).equals(before)).toBe(true);
    });
  });

  it('default (approx) mode on a generated sample: outlier exceptions are mostly the planted stray grants', () => {
    const dir = tempDir();
    expect(run('generate', '--identities', '1500', '--seed', '2', '--out', join(dir, 'sample')).code).toBe(0);
    const r = run('mine', join(dir, 'sample', 'grants.csv'), '--out', join(dir, 'out'));
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.mining.mode).toBe('approx');
    expect(summary.peers.groups).toBeGreaterThan(0);
    const stray = new Set(parseCsv(readFileSync(join(dir, 'sample', 'truth', 'stray.csv'), 'utf8')).slice(1).map(([i, e]) => `${i} ${e}`));
    const exc = parseCsv(readFileSync(join(dir, 'out', 'exceptions.csv'), 'utf8')).slice(1);
    const outliers = exc.filter((x) => x[3] === 'outlier');
    expect(outliers.length).toBe(summary.peers.exceptionsMarkedOutlier);
    expect(outliers.filter(([i, , e]) => stray.has(`${i} ${e}`)).length / outliers.length).toBeGreaterThan(0.7);
    // Every stray grant is an exception of some reason, never explained by a role (>= 90%).
    const excSet = new Set(exc.map(([i, , e]) => `${i} ${e}`));
    expect([...stray].filter((k) => excSet.has(k)).length / stray.size).toBeGreaterThanOrEqual(0.9);
  });

  it('--identities: roles get names, business kind, quality and their best attribute rule', () => {
    const dir = tempDir();
    expect(run('generate', '--identities', '1200', '--seed', '4', '--out', join(dir, 'sample')).code).toBe(0);
    const r = run('mine', join(dir, 'sample', 'grants.csv'), '--out', join(dir, 'out'), '--identities', join(dir, 'sample', 'identities.csv'));
    expect(r.code).toBe(0);
    const roles = parseCsv(readFileSync(join(dir, 'out', 'roles.csv'), 'utf8'));
    expect(roles[0]!.slice(0, 8)).toEqual(['role', 'kind', 'name', 'quality', 'rule', 'rule_coverage', 'rule_precision', 'top_attributes']);
    const body = roles.slice(1);
    expect(body[0]!.slice(1, 5)).toEqual(['birthright', 'Birthright', body[0]![3]!, 'birthright']);
    const business = body.filter((x) => x[1] === 'business');
    expect(business.length).toBeGreaterThan(10);
    // Every planted department role is found as a business role named after its department.
    const planted = parseCsv(readFileSync(join(dir, 'sample', 'truth', 'roles.csv'), 'utf8')).slice(1).filter((x) => x[1] === 'department');
    for (const p of planted) {
      const dept = /department='(.*)'/.exec(p[2]!)![1]!;
      expect(business.some((x) => x[4]!.startsWith(`department='${dept}'`)), dept).toBe(true);
    }
    for (const x of body) expect(Number(x[3])).toBeGreaterThanOrEqual(0), expect(Number(x[3])).toBeLessThanOrEqual(100);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.identitiesFile).toMatchObject({ rows: 1200, matched: 1200, attributes: ['department', 'title', 'location', 'manager', 'employment_type'] });
    expect(summary.identitiesFile.businessRoles).toBe(business.length);
    // A duplicate identity row is an error naming both lines, exit 2, no output.
    const ids = readFileSync(join(dir, 'sample', 'identities.csv'), 'utf8').split('\n');
    writeFileSync(join(dir, 'dup.csv'), [...ids.slice(0, 3), ids[1], ...ids.slice(3)].join('\n'));
    const bad = run('mine', join(dir, 'sample', 'grants.csv'), '--out', join(dir, 'out2'), '--identities', join(dir, 'dup.csv'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/dup\.csv/);
    expect(existsSync(join(dir, 'out2'))).toBe(false);
  });

  it('--by: attribute-driven roles first (business, with their rule), the rest bottom-up; bad --by is exit 2 with nothing written', () => {
    const dir = tempDir();
    expect(run('generate', '--identities', '1000', '--seed', '6', '--out', join(dir, 'sample')).code).toBe(0);
    const grants = join(dir, 'sample', 'grants.csv');
    const ids = join(dir, 'sample', 'identities.csv');
    const args = ['mine', grants, '--identities', ids, '--by', 'department,title', '--by', 'location', '--tolerance', '1', '--no-timings', '--no-peers'];
    const r = run(...args, '--out', join(dir, 'out'));
    expect(r.code, r.err).toBe(0);
    const roles = parseCsv(readFileSync(join(dir, 'out', 'roles.csv'), 'utf8')).slice(1);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    const am = summary.attributeMining;
    expect(am).toMatchObject({ paths: ['department,title', 'location'], threshold: 0.8, minMembers: 5 });
    expect(am.rolesKept + am.bottomUpRoles).toBe(roles.length);
    // Attribute purity: the attribute roles' members all hold their rule, bottom-up roles less so.
    const plain = run('mine', grants, '--identities', ids, '--by', 'none', '--tolerance', '1', '--no-timings', '--no-peers', '--out', join(dir, 'plain'));
    expect(plain.code).toBe(0);
    const plainPurity = JSON.parse(readFileSync(join(dir, 'plain', 'summary.json'), 'utf8')).identitiesFile.attributePurity;
    expect(summary.identitiesFile.attributePurity).toBeGreaterThan(plainPurity);
    expect(summary.identitiesFile.attributePurity).toBeLessThanOrEqual(1);
    // Each planted department and title role (5+ members) comes out as a business role with its very rule.
    const planted = parseCsv(readFileSync(join(dir, 'sample', 'truth', 'roles.csv'), 'utf8')).slice(1);
    const rules = new Set(roles.filter((x) => x[1] === 'business').map((x) => x[4]));
    const header = parseCsv(readFileSync(join(dir, 'sample', 'truth', 'roles.csv'), 'utf8'))[0]!;
    const kindCol = header.indexOf('kind');
    const ruleCol = header.indexOf('rule');
    const membersCol = header.indexOf('member_count');
    const wanted = planted.filter((p) => (p[kindCol] === 'department' || p[kindCol] === 'title') && Number(p[membersCol]) >= 5);
    expect(wanted.length).toBeGreaterThan(20);
    const found = wanted.filter((p) => rules.has(p[ruleCol]!));
    expect(found.length / wanted.length).toBeGreaterThanOrEqual(0.9);
    // Same command line, same output, byte for byte (rerun into its own earlier output: the
    // manifest and the report record the command line, --out included).
    const before = new Map(readdirSync(join(dir, 'out')).map((f) => [f, readFileSync(join(dir, 'out', f))]));
    expect(run(...args, '--out', join(dir, 'out')).code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([...before.keys()].sort());
    for (const [f, bytes] of before) expect(readFileSync(join(dir, 'out', f)), f).toEqual(bytes);
    // An attribute that does not exist, --by without --identities, --by in exact mode: exit 2, nothing written.
    const unknown = run('mine', grants, '--identities', ids, '--by', 'department,grade', '--out', join(dir, 'x1'));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown attribute 'grade'.*available attributes: 'department', 'title', 'location', 'manager', 'employment_type'/);
    expect(run('mine', grants, '--by', 'department', '--out', join(dir, 'x2')).err).toMatch(/--by needs --identities/);
    expect(run('mine', grants, '--identities', ids, '--by', 'department', '--mode', 'exact', '--out', join(dir, 'x3')).code).toBe(2);
    expect(run('mine', grants, '--identities', ids, '--by', 'department,,title', '--out', join(dir, 'x4')).code).toBe(2);
    expect(run('mine', grants, '--identities', ids, '--by-threshold', '0.7', '--out', join(dir, 'x5')).code).toBe(2);
    for (const x of ['x1', 'x2', 'x3', 'x4', 'x5']) expect(existsSync(join(dir, x)), x).toBe(false);
  });

  it('--memory-limit: an input too large for it is exit 2 with advice, and nothing is written', () => {
    const dir = tempDir();
    const r = run('mine', HP('americas_small'), '--memory-limit', '10', '--out', join(dir, 'out'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/grant rows need about \d+ MiB of WebAssembly memory \(80 bytes per row\), over the 10 MiB limit; scope the input/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(run('mine', HP('americas_small'), '--memory-limit', 'lots', '--out', join(dir, 'out')).code).toBe(2);
  });

  it('generate writes a sample that mines exactly', () => {
    const dir = tempDir();
    const g = run('generate', '--identities', '300', '--seed', '5', '--out', join(dir, 'sample'));
    expect(g.code).toBe(0);
    const r = run('mine', join(dir, 'sample', 'grants.csv'), '--out', join(dir, 'out'), '--mode', 'exact');
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(s.model.exact).toBe(true);
    const a = run('mine', join(dir, 'sample', 'grants.arrow'), '--out', join(dir, 'out-arrow'), '--no-timings', '--mode', 'exact');
    expect(a.code).toBe(0);
    const sa = JSON.parse(readFileSync(join(dir, 'out-arrow', 'summary.json'), 'utf8'));
    expect(sa.model).toEqual(s.model);
    expect(run('generate', '--identities', 'many').code).toBe(2);
  });
});

describe('writeModel', () => {
  it('reports progress up to 1, and an aborted signal stops it leaving nothing behind and an earlier output as it was', async () => {
    const rolemill = await import('../dist/index.js');
    const pairs: [string, string][] = [];
    const rand = rng(11);
    for (let i = 0; i < 3000; i++) pairs.push([`u${Math.floor(rand() * 300)}`, `e${Math.floor(rand() * 40)}`]);
    const model = (await rolemill.createEngine()).mine(rolemill.grantsFromPairs(pairs));
    const dir = tempDir();
    const out = join(dir, 'out');
    const fractions: number[] = [];
    await rolemill.writeModel(out, model, { onProgress: (f) => fractions.push(f) });
    expect(fractions[0]).toBe(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]!);
    const before = readFileSync(join(out, 'roles.csv'));
    // Aborted before it starts, and aborted after its first table.
    for (const abortAt of [0, 2]) {
      const ctl = new AbortController();
      if (abortAt === 0) ctl.abort();
      let calls = 0;
      const run = rolemill.writeModel(out, model, { format: 'json', signal: ctl.signal, onProgress: () => void (++calls === abortAt && ctl.abort()) });
      await expect(run).rejects.toBeInstanceOf(rolemill.AbortError);
      expect(readdirSync(dir)).toEqual(['out']);
      expect(readFileSync(join(out, 'roles.csv')).equals(before)).toBe(true);
      expect(existsSync(join(out, 'roles.json'))).toBe(false);
    }
  });
});
