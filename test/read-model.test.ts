// readModel: a model folder read back as mined (CSV, Arrow, JSON), after a reviewer's edits, and
// every way a folder can be wrong, as an InputError naming file, line and column.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { InputError } from '../src/errors.js';
import { unneutralise } from '../src/output/csv.js';
import { MINED_ROLE_COLUMNS, ROLE_STATUSES, readModel, type ModelFolder } from '../src/model/read.js';
import { tempDir, parseCsv } from './support/files.js';
import { inputError } from './support/errors.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function cli(...args: string[]): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build it first (npx tsc -p tsconfig.json)`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rolemill ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
}


/** The same rows, every field quoted, CRLF line ends, a BOM: a spreadsheet's re-save. */
function resave(text: string): string {
  return '\ufeff' + parseCsv(text).map((r) => r.map((f) => `"${f.replaceAll('"', '""')}"`).join(',')).join('\r\n') + '\r\n';
}

let work: string;
let serial = 0;
const fresh = () => join(work, `case-${serial++}`);

/** A copy of `src` to edit. */
function copy(src: string): string {
  const d = fresh();
  cpSync(src, d, { recursive: true });
  return d;
}

function edit(dir: string, file: string, fn: (text: string) => string): void {
  const p = join(dir, file);
  writeFileSync(p, fn(readFileSync(p, 'utf8')));
}

/** A folder holding exactly `files` (a model assembled by hand: no manifest). */
function folder(files: Record<string, string | Uint8Array>): string {
  const d = fresh();
  mkdirSync(d);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(d, name), content);
  return d;
}


/** Exactly this InputError: its message (as InputError formats it), file, line and column. */
async function expectError(p: Promise<unknown>, message: string, file: string, line?: number, column?: string): Promise<void> {
  const e = await inputError(p);
  expect([e.message, e.file, e.line, e.column]).toEqual([new InputError(message, file, line, column).message, file, line, column]);
}

/** The fixture: three departments, formula-like names in every column kind (role name, entitlement, identity). */
const DEPT: [string, string][] = [
  ['u1', '=cmd'], ['u2', '=cmd'], ['u3', '=cmd'],
  ['u4', 'Sales'], ['u5', 'Sales'], ['u6', 'Sales'],
  ['@eve', 'Ops'], ['u8', 'Ops'], ['u9', 'Ops'],
];
const ENTS: Record<string, string[]> = {
  '=cmd': ['=HYPERLINK("x")', 'fin:ledger'],
  Sales: ['crm:user', 'crm:reports'],
  Ops: ['ops:pager', 'ops, "console"'],
};
const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

const R1 = ['=HYPERLINK("x")', 'base:all', 'fin:ledger', 'mail'];
const R2 = ['base:all', 'crm:reports', 'crm:user', 'mail'];
const R3 = ['base:all', 'mail', 'ops, "console"', 'ops:pager'];
const ROLES = (lines: [number, number, number]) => [
  { id: 'R0001', name: '=cmd', status: 'draft', kind: 'business', entitlements: R1, extra: {}, line: lines[0] },
  { id: 'R0002', name: 'Sales', status: 'draft', kind: 'business', entitlements: R2, extra: {}, line: lines[1] },
  { id: 'R0003', name: 'Ops', status: 'draft', kind: 'business', entitlements: R3, extra: {}, line: lines[2] },
];
const ASSIGNMENTS = [
  ['@eve', 'R0003'], ['u1', 'R0001'], ['u2', 'R0001'], ['u3', 'R0001'], ['u4', 'R0002'], ['u5', 'R0002'], ['u6', 'R0002'], ['u8', 'R0003'], ['u9', 'R0003'],
].map(([identity, role]) => ({ identity: identity!, role: role! }));

const mined: Record<'csv' | 'arrow' | 'json', string> = { csv: '', arrow: '', json: '' };
const sample: Record<'csv' | 'arrow' | 'json', string> = { csv: '', arrow: '', json: '' };
let base: ModelFolder;

beforeAll(() => {
  work = tempDir('rolemill-read-model-');
  const grants = join(work, 'grants.csv');
  const ids = join(work, 'identities.csv');
  const rows = DEPT.flatMap(([i, d]) => ['base:all', 'mail', ...ENTS[d]!].map((e) => `${q(i)},${q(e)}\n`));
  writeFileSync(grants, 'identity,entitlement\n' + rows.join(''));
  writeFileSync(ids, 'identity,department\n' + DEPT.map(([i, d]) => `${q(i)},${q(d)}\n`).join(''));
  cli('generate', '--identities', '60', '--seed', '3', '--out', join(work, 'sample'));
  for (const f of ['csv', 'arrow', 'json'] as const) {
    mined[f] = join(work, `model-${f}`);
    cli('mine', grants, '--out', mined[f], '--no-timings', '--identities', ids, '--mode', 'exact', '--format', f);
    sample[f] = join(work, `sample-${f}`);
    cli('mine', join(work, 'sample', 'grants.csv'), '--out', sample[f], '--no-timings', '--identities', join(work, 'sample', 'identities.csv'), '--format', f);
  }
  return () => rmSync(work, { recursive: true, force: true });
});

describe('readModel: a mined model, as mine wrote it', () => {
  beforeAll(async () => {
    base = await readModel(mined.csv);
  });

  it('CSV: the roles, entitlements and assignments, names un-neutralised', async () => {
    // The CSV holds '=cmd, '=HYPERLINK("x") and '@eve (neutralised): the model holds the names.
    expect(readFileSync(join(mined.csv, 'roles.csv'), 'utf8')).toContain("R0001,business,'=cmd,");
    expect(readFileSync(join(mined.csv, 'assignments.csv'), 'utf8')).toContain("'@eve,R0003\n");
    expect(base.format).toBe('csv');
    expect(base.dir).toBe(mined.csv);
    expect(base.roles).toEqual(ROLES([2, 3, 4]));
    expect(base.rejected).toEqual([]);
    expect(base.extraColumns).toEqual([]);
    expect(base.assignments).toEqual(ASSIGNMENTS);
    expect(base.manifest).toMatchObject({ tool: 'rolemill', kind: 'model' });
    expect(base.manifest!.files.map((f) => f.path)).toContain('roles.csv');
    expect(base.files).toEqual({ roles: join(mined.csv, 'roles.csv'), roleEntitlements: join(mined.csv, 'role_entitlements.csv'), assignments: join(mined.csv, 'assignments.csv') });
  });

  it('JSON and Arrow: the same model; lines are where each JSON row starts, Arrow rows are counted from 1', async () => {
    const json = await readModel(mined.json);
    expect(json.format).toBe('json');
    expect(json.roles).toEqual(ROLES([2, 16, 30]));
    expect(json.assignments).toEqual(ASSIGNMENTS);
    const arrow = await readModel(mined.arrow);
    expect(arrow.format).toBe('arrow');
    expect(arrow.roles).toEqual(ROLES([1, 2, 3]));
    expect(arrow.assignments).toEqual(ASSIGNMENTS);
    expect(arrow.manifest!.files.map((f) => f.path)).toContain('roles.arrow');
  });

  it('a generated sample in every format matches an independent parse of its CSV tables', async () => {
    const table = (name: string) => {
      const [header, ...rows] = parseCsv(readFileSync(join(sample.csv, `${name}.csv`), 'utf8'));
      return rows.map((r) => Object.fromEntries(header!.map((h, k) => [h, unneutralise(r[k]!)])));
    };
    const ents = new Map<string, string[]>();
    for (const r of table('role_entitlements')) ents.set(r['role']!, [...(ents.get(r['role']!) ?? []), r['entitlement']!]);
    const roles = table('roles').map((r) => ({ id: r['role'], name: r['name'], kind: r['kind'], entitlements: ents.get(r['role']!)!.sort() }));
    const assignments = table('assignments').map((r) => ({ identity: r['identity'], role: r['role'] }));
    expect(roles.length).toBeGreaterThan(10);
    expect(assignments.length).toBeGreaterThan(100);
    for (const f of ['csv', 'arrow', 'json'] as const) {
      const m = await readModel(sample[f]);
      expect(m.roles.map(({ id, name, kind, entitlements }) => ({ id, name, kind, entitlements })), f).toEqual(roles);
      expect(m.assignments, f).toEqual(assignments);
      expect(m.roles.every((r) => r.status === 'draft' && Object.keys(r.extra).length === 0), f).toBe(true);
    }
  });

  it("mine's roles columns are role, kind, name and MINED_ROLE_COLUMNS (a new mined column must be classified here)", () => {
    const header = parseCsv(readFileSync(join(sample.csv, 'roles.csv'), 'utf8'))[0];
    expect(header).toEqual(['role', 'kind', 'name', ...MINED_ROLE_COLUMNS]);
    expect(ROLE_STATUSES).toEqual(['approved', 'rejected', 'draft']);
  });

  it('a folder without rolemill.json (assembled by hand) reads the same, manifest null', async () => {
    const d = copy(mined.csv);
    rmSync(join(d, 'rolemill.json'));
    const m = await readModel(d);
    expect(m.manifest).toBeNull();
    expect(m.roles).toEqual(base.roles);
    expect(m.assignments).toEqual(base.assignments);
  });

  it('without an assignments file, assignments is null', async () => {
    const d = copy(mined.json);
    rmSync(join(d, 'assignments.json'));
    const m = await readModel(d);
    expect(m.assignments).toBeNull();
    expect(m.files.assignments).toBeNull();
    expect(m.roles).toEqual(ROLES([2, 16, 30]));
  });
});

describe("readModel: a reviewer's edits", () => {
  const dropLines = (pred: (line: string) => boolean) => (t: string) => t.split('\n').filter((l) => !pred(l)).join('\n');

  it('a role deleted from every file is gone', async () => {
    const d = copy(mined.csv);
    for (const f of ['roles.csv', 'role_entitlements.csv', 'assignments.csv']) edit(d, f, dropLines((l) => l.includes('R0002')));
    const m = await readModel(d);
    expect(m.roles).toEqual([ROLES([2, 3, 3])[0], ROLES([2, 3, 3])[2]]);
    expect(m.assignments).toEqual(ASSIGNMENTS.filter((a) => a.role !== 'R0002'));
  });

  it('an entitlement row deleted, or added, changes only that role (entitlements stay sorted)', async () => {
    const d = copy(mined.csv);
    edit(d, 'role_entitlements.csv', (t) => dropLines((l) => l === 'R0001,fin:ledger')(t) + "R0002,crm:admin\nR0003,'+dial\n");
    const m = await readModel(d);
    expect(m.roles.map((r) => r.entitlements)).toEqual([
      ['=HYPERLINK("x")', 'base:all', 'mail'],
      ['base:all', 'crm:admin', 'crm:reports', 'crm:user', 'mail'],
      ['+dial', 'base:all', 'mail', 'ops, "console"', 'ops:pager'],
    ]);
  });

  it('a role renamed: names kept verbatim (spaces, commas, a leading apostrophe un-neutralised once)', async () => {
    const d = copy(mined.csv);
    edit(d, 'roles.csv', (t) => t.replace('R0002,business,Sales,', 'R0002,business,"  Sales, EMEA ",').replace('R0003,business,Ops,', "R0003,business,''quoted,"));
    const m = await readModel(d);
    expect(m.roles.map((r) => r.name)).toEqual(['=cmd', '  Sales, EMEA ', "'quoted"]);
  });

  it('a name column added by a reviewer to a folder without one; an empty name is null', async () => {
    const d = folder({
      'roles.csv': 'role,kind\nR1,business\nR2,\n',
      'role_entitlements.csv': 'role,entitlement\nR1,fin\nR2,ops\n',
    });
    const before = await readModel(d);
    expect(before.roles.map((r) => [r.name, r.kind])).toEqual([[null, 'business'], [null, null]]);
    writeFileSync(join(d, 'roles.csv'), "role,kind,name\nR1,business,Finance\nR2,,\nR3,technical,'=2+2\n");
    writeFileSync(join(d, 'role_entitlements.csv'), 'role,entitlement\nR1,fin\nR2,ops\nR3,calc\n');
    const m = await readModel(d);
    expect(m.roles.map((r) => [r.id, r.name])).toEqual([['R1', 'Finance'], ['R2', null], ['R3', '=2+2']]);
    expect(m.assignments).toBeNull();
    expect(m.manifest).toBeNull();
  });

  it('status: approved / rejected / draft in any case, spaces trimmed, empty = draft; rejected roles left out and listed', async () => {
    const d = copy(mined.csv);
    const statuses = ['status', ' Approved ', 'REJECTED', ''];
    edit(d, 'roles.csv', (t) => t.split('\n').map((l, k) => (l === '' ? l : `${l},${statuses[k]}`)).join('\n'));
    const m = await readModel(d);
    expect(m.roles.map((r) => [r.id, r.status])).toEqual([['R0001', 'approved'], ['R0003', 'draft']]);
    expect(m.rejected).toEqual(['R0002']);
    expect(m.assignments).toEqual(ASSIGNMENTS.filter((a) => a.role !== 'R0002'));
    expect(m.extraColumns).toEqual([]);
    // A rejected role may lose all its entitlements: it is ignored.
    edit(d, 'role_entitlements.csv', dropLines((l) => l.startsWith('R0002,')));
    expect((await readModel(d)).rejected).toEqual(['R0002']);
    edit(d, 'roles.csv', (t) => t.replace(',REJECTED\n', ',Draft\n'));
    await expectError(
      readModel(d),
      "role 'R0002' has no entitlements: role_entitlements.csv has no row for it (a role grants at least one entitlement; to drop the role, set its status to rejected or delete its row)",
      join(d, 'roles.csv'),
      3,
      'role',
    );
  });

  it('a status other than the three is an error naming file, line and column', async () => {
    const d = copy(mined.csv);
    edit(d, 'roles.csv', (t) => t.replace('exclusive_grants\n', 'exclusive_grants,status\n').replace(/\n(R\d+[^\n]*)/g, (_, l: string) => `\n${l},${l.startsWith('R0002') ? ' maybe' : 'draft'}`));
    await expectError(readModel(d), "status ' maybe' is not one of approved, rejected, draft (any case; empty means draft)", join(d, 'roles.csv'), 3, 'status');
  });

  it("a reviewer's extra columns are kept per role (mined columns are not); extraColumns gives their order", async () => {
    const d = copy(mined.csv);
    const extra = ['owner,comment', 'alice,"keep, but review\nin Q3"', ",'=SUM(1)", 'bob,'];
    edit(d, 'roles.csv', (t) => parseCsv(t).map((r, k) => `${r.map(q).join(',')},${extra[k]}\n`).join(''));
    const m = await readModel(d);
    expect(m.extraColumns).toEqual(['owner', 'comment']);
    expect(m.roles.map((r) => r.extra)).toEqual([
      { owner: 'alice', comment: 'keep, but review\nin Q3' },
      { owner: '', comment: '=SUM(1)' },
      { owner: 'bob', comment: '' },
    ]);
    // The multi-line comment moves the next rows' lines down.
    expect(m.roles.map((r) => r.line)).toEqual([2, 4, 5]);
    expect(m.roles.map((r) => r.name)).toEqual(['=cmd', 'Sales', 'Ops']);
  });

  it('a spreadsheet re-save (BOM, CRLF, every field quoted, a cleared row, trailing empty lines) reads the same', async () => {
    const d = copy(mined.csv);
    for (const f of ['roles.csv', 'role_entitlements.csv', 'assignments.csv']) edit(d, f, resave);
    edit(d, 'role_entitlements.csv', (t) => t + ',\r\n\r\n\r\n');
    expect(readFileSync(join(d, 'roles.csv'), 'utf8').startsWith('\ufeff"role","kind","name"')).toBe(true);
    const m = await readModel(d);
    expect(m.roles).toEqual(base.roles);
    expect(m.assignments).toEqual(base.assignments);
  });

  it('columns reordered are found by header name (and a header name with stray spaces is still that column)', async () => {
    const d = copy(mined.csv);
    const reorder = (t: string) => parseCsv(t).map((r) => [...r].reverse().map(q).join(',') + '\n').join('');
    for (const f of ['roles.csv', 'role_entitlements.csv', 'assignments.csv']) edit(d, f, reorder);
    edit(d, 'role_entitlements.csv', (t) => t.replace('entitlement,role\n', ' entitlement , role\n'));
    expect(readFileSync(join(d, 'assignments.csv'), 'utf8').split('\n')[1]).toBe("R0003,'@eve");
    const m = await readModel(d);
    expect(m.roles).toEqual(base.roles);
    expect(m.assignments).toEqual(base.assignments);
  });

  it('a formula-like name survives an edit round trip in every format (=cmd in JSON and Arrow, neutralised in CSV)', async () => {
    for (const f of ['csv', 'json', 'arrow'] as const) {
      const m = await readModel(mined[f]);
      expect(m.roles[0]!.name, f).toBe('=cmd');
      expect(m.roles[0]!.entitlements[0], f).toBe('=HYPERLINK("x")');
      expect(m.assignments![0]!.identity, f).toBe('@eve');
    }
    // JSON edited by hand (another layout, a key missing, a number): values taken as they are.
    const d = copy(mined.json);
    writeFileSync(
      join(d, 'roles.json'),
      '[{"role":"R0001","name":"\'=cmd","status":"approved","owner":7},\n{"role":"R0002","kind":"business"},\n{"role":"R0003","name":null}]',
    );
    const m = await readModel(d);
    expect(m.roles.map(({ id, name, kind, status, extra, line }) => ({ id, name, kind, status, extra, line }))).toEqual([
      { id: 'R0001', name: "'=cmd", kind: null, status: 'approved', extra: { owner: '7' }, line: 1 },
      { id: 'R0002', name: null, kind: 'business', status: 'draft', extra: { owner: '' }, line: 2 },
      { id: 'R0003', name: null, kind: null, status: 'draft', extra: { owner: '' }, line: 3 },
    ]);
  });
});

describe('readModel: errors name the file, line and column', () => {
  const ROLES_CSV = 'role,kind,name\nR1,business,Finance\nR2,technical,Ops\n';
  const RE_CSV = 'role,entitlement\nR1,fin\nR1,mail\nR2,ops\n';
  const AS_CSV = 'identity,role\nu1,R1\nu2,R2\n';
  const model = (over: Record<string, string | Uint8Array | null> = {}) => {
    const files: Record<string, string | Uint8Array> = {};
    for (const [k, v] of Object.entries({ 'roles.csv': ROLES_CSV, 'role_entitlements.csv': RE_CSV, 'assignments.csv': AS_CSV, ...over })) if (v !== null) files[k] = v;
    return folder(files);
  };

  it('the hand-made folder itself reads', async () => {
    const m = await readModel(model());
    expect(m.roles.map((r) => [r.id, r.entitlements])).toEqual([['R1', ['fin', 'mail']], ['R2', ['ops']]]);
    expect(m.assignments).toEqual([{ identity: 'u1', role: 'R1' }, { identity: 'u2', role: 'R2' }]);
  });

  it('an assignment naming an unknown role', async () => {
    const d = model({ 'assignments.csv': AS_CSV + 'u3,R9\n' });
    await expectError(readModel(d), "assignment names an unknown role 'R9': it is not in roles.csv (add its row there, or delete this assignment)", join(d, 'assignments.csv'), 4, 'role');
  });

  it('role_entitlements naming a role that is not in roles (its roles row deleted, the rest kept)', async () => {
    const d = copy(mined.csv);
    edit(d, 'roles.csv', (t) => t.split('\n').filter((l) => !l.startsWith('R0002,')).join('\n'));
    await expectError(
      readModel(d),
      "role 'R0002' is in role_entitlements.csv but not in roles.csv: add its row to roles.csv, or delete its rows here (to drop a role, set its status to rejected, or delete its rows in every file)",
      join(d, 'role_entitlements.csv'),
      6,
      'role',
    );
  });

  it('duplicate rows in each file', async () => {
    let d = model({ 'roles.csv': ROLES_CSV + 'R1,business,Again\n' });
    await expectError(readModel(d), "duplicate role 'R1' on lines 2 and 4: expected one row per role", join(d, 'roles.csv'), 4, 'role');
    d = model({ 'role_entitlements.csv': RE_CSV + 'R1,fin\n' });
    await expectError(readModel(d), "duplicate entitlement 'fin' of role 'R1' on lines 2 and 5: expected each pair once", join(d, 'role_entitlements.csv'), 5, 'entitlement');
    d = model({ 'assignments.csv': AS_CSV + 'u1,R1\n' });
    await expectError(readModel(d), "duplicate assignment of role 'R1' to identity 'u1' on lines 2 and 4: expected each pair once", join(d, 'assignments.csv'), 4, 'role');
  });

  it('a required column missing in each file', async () => {
    let d = model({ 'roles.csv': 'id,kind\nR1,business\n' });
    await expectError(readModel(d), "missing column 'role'; columns found: 'id', 'kind'", join(d, 'roles.csv'), 1, 'role');
    d = model({ 'role_entitlements.csv': 'role,ent\nR1,fin\n' });
    await expectError(readModel(d), "missing column 'entitlement'; columns found: 'role', 'ent'", join(d, 'role_entitlements.csv'), 1, 'entitlement');
    d = model({ 'assignments.csv': 'user,role\nu1,R1\n' });
    await expectError(readModel(d), "missing column 'identity'; columns found: 'user', 'role'", join(d, 'assignments.csv'), 1, 'identity');
    d = model({ 'roles.json': '[\n {"role": "R1"},\n {"name": "x"}\n]\n', 'roles.csv': null, 'role_entitlements.csv': null, 'assignments.csv': null, 'role_entitlements.json': '[{"role":"R1","entitlement":"e"}]' });
    await expectError(readModel(d), "missing column 'role'; this row has: 'name'", join(d, 'roles.json'), 3, 'role');
  });

  it('a missing roles or role_entitlements file; a folder that is not a model; a folder that does not exist', async () => {
    let d = model({ 'roles.csv': null });
    await expectError(readModel(d), 'cannot read the file: no such file; a model folder needs roles.csv (one row per role) beside role_entitlements.csv', join(d, 'roles.csv'));
    d = model({ 'role_entitlements.csv': null });
    await expectError(readModel(d), 'cannot read the file: no such file; a model folder needs role_entitlements.csv (the entitlements of each role) beside roles.csv', join(d, 'role_entitlements.csv'));
    d = folder({ 'notes.txt': 'hi' });
    await expectError(
      readModel(d),
      'is not a model folder: it holds none of roles.csv, roles.arrow, roles.json, role_entitlements.csv, role_entitlements.arrow, role_entitlements.json (expected what rolemill mine --out writes)',
      d,
    );
    const s = join(work, 'sample');
    await expectError(
      readModel(s),
      "is not a model folder (its rolemill.json says it is a rolemill 'sample' output): it holds none of roles.csv, roles.arrow, roles.json, role_entitlements.csv, role_entitlements.arrow, role_entitlements.json (expected what rolemill mine --out writes)",
      s,
    );
    await expectError(readModel(join(work, 'nowhere')), 'cannot read the model folder: no such file (ENOENT)', join(work, 'nowhere'));
    const file = join(d, 'notes.txt');
    await expectError(readModel(file), 'is not a folder: expected a model folder (what rolemill mine --out writes)', file);
  });

  it('mixed formats in one folder', async () => {
    let d = model({ 'role_entitlements.csv': null, 'role_entitlements.json': '[]' });
    await expectError(
      readModel(d),
      'holds model tables in more than one format (roles.csv, role_entitlements.json, assignments.csv): expected roles, role_entitlements and assignments all as .csv, all as .arrow or all as .json; move the others away',
      d,
    );
    d = model({ 'roles.arrow': new Uint8Array(0) });
    await expectError(
      readModel(d),
      'holds model tables in more than one format (roles.csv, roles.arrow, role_entitlements.csv, assignments.csv): expected roles, role_entitlements and assignments all as .csv, all as .arrow or all as .json; move the others away',
      d,
    );
  });

  it('an empty or blank role id, entitlement or identity', async () => {
    let d = model({ 'roles.csv': ROLES_CSV + ',technical,Nameless\n' });
    await expectError(readModel(d), 'empty role id: expected a name in every row', join(d, 'roles.csv'), 4, 'role');
    d = model({ 'role_entitlements.csv': RE_CSV + '"  ",ops\n' });
    await expectError(readModel(d), 'role id "  " is only whitespace: expected a name in every row', join(d, 'role_entitlements.csv'), 5, 'role');
    d = model({ 'role_entitlements.csv': RE_CSV + 'R2,\n' });
    await expectError(readModel(d), 'empty entitlement: expected a name in every row', join(d, 'role_entitlements.csv'), 5, 'entitlement');
    d = model({ 'assignments.csv': AS_CSV + ',R1\n' });
    await expectError(readModel(d), 'empty identity: expected a name in every row', join(d, 'assignments.csv'), 4, 'identity');
  });

  it('a role with no entitlements left', async () => {
    const d = model({ 'role_entitlements.csv': 'role,entitlement\nR1,fin\n' });
    await expectError(
      readModel(d),
      "role 'R2' has no entitlements: role_entitlements.csv has no row for it (a role grants at least one entitlement; to drop the role, set its status to rejected or delete its row)",
      join(d, 'roles.csv'),
      3,
      'role',
    );
  });

  it('malformed CSV: an unclosed quote, a stray quote, a short row, a column named twice, an empty file, not UTF-8', async () => {
    let d = model({ 'roles.csv': ROLES_CSV + 'R3,"technical,x\nR4,a,b\n' });
    await expectError(readModel(d), 'unbalanced quote: the quoted field starting on this line is never closed', join(d, 'roles.csv'), 4, '2');
    d = model({ 'roles.csv': ROLES_CSV + 'R3,tech"nical,x\n' });
    await expectError(readModel(d), 'unexpected quote inside an unquoted field: expected the whole field quoted, with "" for each quote in it', join(d, 'roles.csv'), 4, '2');
    d = model({ 'roles.csv': ROLES_CSV + 'R3,technical\n' });
    await expectError(readModel(d), 'expected 3 fields as in the header, found 2', join(d, 'roles.csv'), 4);
    d = model({ 'roles.csv': 'role,name,name\nR1,a,b\n' });
    await expectError(readModel(d), "column 'name' appears twice in the header (columns 2 and 3)", join(d, 'roles.csv'), 1, 'name');
    d = model({ 'roles.csv': '\n\n' });
    await expectError(readModel(d), 'empty file: expected a header row naming the columns', join(d, 'roles.csv'));
    d = model({ 'roles.csv': Buffer.concat([Buffer.from(ROLES_CSV), Buffer.from([0x52, 0x33, 0x2c, 0xe9, 0x2c, 0x0a])]) });
    await expectError(readModel(d), 'not valid UTF-8 text: save the file as UTF-8 (in a spreadsheet, "CSV UTF-8")', join(d, 'roles.csv'), 4);
  });

  it('JSON: a parse error names the file; rows name their line; Arrow: rows are numbered from 1', async () => {
    const json = (roles: string) => model({ 'roles.csv': null, 'role_entitlements.csv': null, 'assignments.csv': null, 'roles.json': roles, 'role_entitlements.json': '[{"role":"R1","entitlement":"e"}]' });
    let d = json('[{"role": "R1"},');
    let e = await inputError(readModel(d));
    expect([e.file, e.column]).toEqual([join(d, 'roles.json'), undefined]);
    expect(e.message).toMatch(/^.*roles\.json(:\d+)?: not valid JSON: /);
    d = json('[\n {"role": "R1"},\n\n {"role": "R1"}\n]');
    await expectError(readModel(d), "duplicate role 'R1' on lines 2 and 4: expected one row per role", join(d, 'roles.json'), 4, 'role');
    d = json('{"role": "R1"}');
    await expectError(readModel(d), 'expected a JSON array of row objects, found an object', join(d, 'roles.json'), 1);
    d = json('[{"role": "R1"}, "R2"]');
    await expectError(readModel(d), 'expected an object (one row of the table), found a string', join(d, 'roles.json'), 1);

    const arrow = (t: Table) => tableToIPC(t, 'file');
    const utf8 = (v: string[]) => vectorFromArray(v, new Utf8());
    d = model({
      'roles.csv': null, 'role_entitlements.csv': null, 'assignments.csv': null,
      'roles.arrow': arrow(new Table({ role: utf8(['R1', 'R2', 'R1']) })),
      'role_entitlements.arrow': arrow(new Table({ role: utf8(['R1', 'R2']), entitlement: utf8(['e', 'f']) })),
    });
    await expectError(readModel(d), "duplicate role 'R1' on rows 1 and 3: expected one row per role", join(d, 'roles.arrow'), 3, 'role');
    const whole = arrow(new Table({ role: utf8(['R1']) }));
    writeFileSync(join(d, 'roles.arrow'), whole.subarray(0, whole.length - 20));
    await expectError(readModel(d), 'not a readable Arrow IPC file: truncated: it does not end with the footer and closing ARROW1 magic', join(d, 'roles.arrow'));
    writeFileSync(join(d, 'roles.arrow'), arrow(new Table({ id: utf8(['R1']) })));
    await expectError(readModel(d), "missing column 'role'; columns found: 'id'", join(d, 'roles.arrow'), undefined, 'role');
  });
});
