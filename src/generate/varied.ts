/**
 * A second synthetic enterprise, built independently of `generateEnterprise` (src/generate.ts) and
 * `addGovernance` (src/generate/governance.ts), with a different structure and naming and every
 * structural choice a knob. Its purpose is measurement: the role miner's default quality on data it
 * was not designed on, over a grid of configurations (VARIED_GRID) split into a tuning half and a
 * held-out half. It plants data and truth only; it detects nothing.
 *
 * Determinism contract: every random choice comes from one Rng (src/util/prng.ts) seeded with
 * `seed`, drawn in a fixed order; no Math.random, no clock (`asOf` is a knob). The same config and
 * seed give a deep-equal VariedEnterprise and byte-identical files; a different seed gives a
 * different one.
 *
 * Model (N = people; each item is a VariedConfig knob, defaults in DEFAULTS):
 * - Departments (4-12) from a fixed list, weights (0.7 + 0.6u) / (d + 1)^0.7, so sizes are uneven
 *   and department 0 is usually the largest. Each has a cost centre `CC-NNNN` (redundant with the
 *   department) and a department role (size in `roleSize`).
 * - Titles, per department either FLAT (`flatTitles` unrelated titles, each its own role, sizes in
 *   `roleSize`) or NESTED (`ladders` ladders junior < senior < lead: senior = junior's entitlements +
 *   `ladderStep` more, lead = senior's + `ladderStep` more, the lead still within `roleSize`).
 *   `titles: 'mixed'` makes floor(D / 2) departments nested, the rest flat. Title names come from
 *   one shared pool, so 'Analyst' exists in several departments: a title means something only
 *   within its department (title roles' rule is `department='X' and title='Y'`).
 * - Locations (3-8) independent of the department, each a location role (`locationSize`); a
 *   `remoteShare` of people have location 'Remote' and no location role.
 * - Projects (`projects`), not in the identities file: 1-2 home departments, `projectMembers`
 *   members (60% drawn from the home departments, the rest from everyone), `projectSize`
 *   entitlements.
 * - A birthright role (`birthrightSize`), everyone.
 * - Entitlements are `APP-<code>/<resource>/<perm>` (`APP-ORBIT/ledger/approve`): each department
 *   works in two applications of its own; with `sharedApps`, a department's roles also draw on the
 *   first application of the next department (in a ring), and one entitlement of the next
 *   department's department role (and, for flat departments, one of its first title role) replaces
 *   one of this department's: a few entitlements sit in two departments' roles. Ladder increments
 *   are, half the time, a second permission on a resource the lower level already has. No name
 *   matches rolemill's privileged patterns (admin, root, owner, ...), so privilege handling is not
 *   part of what this generator measures.
 * - If `roleSize[0]` is 2, the first title role of department 0 has exactly 2 entitlements
 *   (small roles are what a miner most easily loses).
 * - Noise, over the M role-implied (person, entitlement) pairs: exactly round(missingRate * M) are
 *   removed (truth/missing.csv), and round(strayRate * M) strays added (truth/stray.csv): random
 *   (person, entitlement) pairs that none of the person's roles implies (not even a removed grant),
 *   people uniform, entitlements with probability proportional to popularity^strayPopularity
 *   (popularity = people implied to hold it; 0 = uniform). Strays are held by the person's primary
 *   account, direct.
 * - Dates (`dates`): every grants.csv row has last_used. Direct role grants: a `roleDormantShare`
 *   are 91-500 days before asOf, the rest 0-60. Strays: a `strayDormantShare` are 91-700 days old,
 *   the rest 0-90 (older on average, not all dormant). Group rows and non-human rows: 0-30.
 * - Delivery (`groupShare`): each role has a group (birthright `grp-everyone`, department
 *   `grp-<d>`, title `grp-<d>-<t>`, location `grp-site-<l>`, project `grp-prj-<p>`). A flat or
 *   junior title group is a member of its department's group; a senior group of its junior group,
 *   a lead group of its senior group; a group's grant rows are its role's entitlements minus those
 *   its ancestors already give. Per person, one draw with probability groupShare joins the title
 *   group (else the department group) when the person holds every entitlement it reaches; one draw
 *   each for birthright, location and each project, with the same all-held rule (so a missing grant
 *   keeps that role direct). What no joined group gives is a direct grant. Only groups that reach
 *   an account are written. Effective access per person is unchanged by delivery.
 * - Governance (`governance`): non-human accounts (`nonHumanShare` of N): service 60%, workload 30%,
 *   shared 10%, each holding 3-12 entitlements drawn uniformly from the whole catalogue (random
 *   access, unrelated to any role; truth/nonhuman.csv). Half are labelled (conventional name
 *   `svc-`/`wl-`/`shared-` and an identities row with type = kind); of the rest, half have a
 *   conventional name and half an unconventional one (`etl-runner-07`), and half an identities row
 *   with empty type and attributes, half no row. People: a seeded permutation is walked once: the
 *   first round(duplicateShare * N) with at least 2 direct non-stray grants get `<id>-alt`, which
 *   takes 1..floor(k/2) of those k grants off the primary (identities row with the same person and
 *   attributes); then round(orphanShare * N) people who manage nobody and have no alt become
 *   orphans (grants, no identities row); then round(terminatedShare * N) get status 'terminated'
 *   and keep their access. The truth stays per person (assignments and missing name the primary).
 * - identities.csv: identity,person,type,status,department,title,location,manager,employment_type,
 *   cost_center,employee_number. Identity ids are logins (`kbauer01234`); person `H<n>`; manager is
 *   the manager's identity id (about one manager per 8 people, managers report to the department
 *   head, heads to the head of department 0, who has manager ''); employment type employee 85%,
 *   contractor 12%, intern 3% (no role depends on it); employee_number unique per person.
 *
 * Index spaces: people 0..N-1 (person i's primary account is account i); accounts: primaries, then
 * alts (in person order), then non-human; holders: accounts, then groups; entitlements: ascending
 * (JavaScript string order), exactly the entitlements of the kept roles. Roles with no member are
 * dropped from the truth (their groups may remain as links of a chain).
 *
 * Cost: linear in grants; 3,000 people take about 0.1 s to generate (up to 0.3 s on a loaded
 * 2-core machine) and about as long to write; 20,000 people about 1 s.
 */
import { indexCsv, type IndexColumn } from './governance.js';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors.js';
import { writeOutput } from '../output/dest.js';
import { Rng, WeightedPicker } from '../util/prng.js';
import { Interner } from '../util/names.js';
import { sampleFlags } from '../generate.js';
import { formatDay } from './governance.js';
import { encodeNames, textCsv } from './write.js';

export type TitleMode = 'flat' | 'nested' | 'mixed';
export type Range = readonly [min: number, max: number];

/** The knobs; the required ones are the grid's axes, the optional ones default to DEFAULTS. */
export interface VariedConfig {
  /** People (humans), 50..100,000 (default 3000). */
  people?: number;
  /** Departments, 4..12. */
  departments: number;
  /** Flat titles, nested ladders, or both (floor(D / 2) departments nested). */
  titles: TitleMode;
  /** Entitlements of department and title roles (ladder leads included), within [2, 15]. */
  roleSize: Range;
  /** Locations with a location role, 3..8. */
  locations: number;
  /** Cross-department projects, 0..200 (default 12). */
  projects?: number;
  /** Applications shared between neighbouring departments, and a few entitlements in two departments' roles. */
  sharedApps: boolean;
  /** Share of role-implied grants removed, 0.005..0.03. */
  missingRate: number;
  /** Strays as a share of role-implied grants, 0..0.2 (the grid uses 0.02 and 0.05). */
  strayRate: number;
  /** Stray entitlements drawn with probability ~ popularity^a: 0 uniform, 1 proportional, 0..2. */
  strayPopularity: number;
  /** last_used on every grants.csv row. */
  dates: boolean;
  /** Per person and role chain, the probability of delivery through nested groups, 0..0.7. */
  groupShare: number;
  /** Non-human accounts with random access, duplicate, orphan and terminated accounts. */
  governance: boolean;
  /** Titles per flat department (default [3, 5]), within [1, 8]. */
  flatTitles?: Range;
  /** Ladders per nested department (default [1, 2]), within [1, 3]. */
  ladders?: Range;
  /** Entitlements a ladder level adds to the one below (default [1, 3]), within [1, 4]. */
  ladderStep?: Range;
  /** Location role sizes (default [2, 5]), within [1, 15]. */
  locationSize?: Range;
  /** Project role sizes (default [3, 6]), within [1, 15]. */
  projectSize?: Range;
  /** Members per project (default [5, 40]), within [1, 1000]. */
  projectMembers?: Range;
  /** Birthright role size (default [4, 10]), within [1, 20]. */
  birthrightSize?: Range;
  /** Share of people with location 'Remote' and no location role (default 0.1), 0..0.5. */
  remoteShare?: number;
  /** With dates: share of direct role grants older than 90 days (default 0.01). */
  roleDormantShare?: number;
  /** With dates: share of strays older than 90 days (default 0.5). */
  strayDormantShare?: number;
  /** 'YYYY-MM-DD' the dates count back from (default '2026-10-01'). */
  asOf?: string;
  /** Governance: non-human accounts as a share of N (default 0.015), 0.005..0.05. */
  nonHumanShare?: number;
  /** Governance: people with an `<id>-alt` account (default 0.01). */
  duplicateShare?: number;
  /** Governance: people whose account has no identities row (default 0.005). */
  orphanShare?: number;
  /** Governance: people terminated but holding their access (default 0.01). */
  terminatedShare?: number;
}

export type ResolvedVariedConfig = { -readonly [K in keyof VariedConfig]-?: VariedConfig[K] };

const DEFAULTS = {
  people: 3000,
  projects: 12,
  flatTitles: [3, 5],
  ladders: [1, 2],
  ladderStep: [1, 3],
  locationSize: [2, 5],
  projectSize: [3, 6],
  projectMembers: [5, 40],
  birthrightSize: [4, 10],
  remoteShare: 0.1,
  roleDormantShare: 0.01,
  strayDormantShare: 0.5,
  asOf: '2026-10-01',
  nonHumanShare: 0.015,
  duplicateShare: 0.01,
  orphanShare: 0.005,
  terminatedShare: 0.01,
} as const;

export type VariedRoleKind = 'birthright' | 'department' | 'title' | 'location' | 'project';
export type VariedAccountKind = 'human' | 'service' | 'workload' | 'shared';

export interface VariedRole {
  /** `birthright`, `dept:<d>`, `title:<d>:<t>`, `loc:<l>`, `proj:<p>`. */
  id: string;
  kind: VariedRoleKind;
  /** `true`, `department='X'`, `department='X' and title='Y'`, `location='Z'`, `project='p'`. */
  rule: string;
  /** Entitlement indices, ascending. */
  entitlements: Uint32Array;
  /** People holding the role. */
  memberCount: number;
}

export interface Pairs {
  a: Uint32Array;
  b: Uint32Array;
}

export interface VariedEnterprise {
  config: ResolvedVariedConfig;
  seed: number;
  /** Accounts: primaries (account i = person i), alts, non-human. */
  accounts: string[];
  /** Groups that reach an account; holder A + g is groups[g]. */
  groups: string[];
  /** Ascending. */
  entitlements: string[];
  /** identities.csv rows, header IDENTITY_COLUMNS. */
  identities: string[][];
  /** grants.csv rows in seeded shuffled order: holder (account or A + group), entitlement, day (days since 1970; null without dates). */
  grants: { holder: Uint32Array; entitlement: Uint32Array; lastUsed: Int32Array | null };
  /** memberships.csv rows: member holder -> group index, groups' own memberships first in group order, then accounts. */
  memberships: { member: Uint32Array; group: Uint32Array };
  truth: {
    roles: VariedRole[];
    /** (person, role index), person-major. */
    assignments: Pairs;
    /** (account, entitlement), sorted. */
    stray: Pairs;
    /** (primary account = person, entitlement), sorted. */
    missing: Pairs;
    /** Per account: person index (-1 for non-human) and kind. */
    accountPerson: Int32Array;
    accountKind: VariedAccountKind[];
    /** Person i's `person` value. */
    persons: string[];
    /** (non-human account, entitlement), sorted. */
    nonhuman: Pairs;
  };
}

export const IDENTITY_COLUMNS = [
  'identity', 'person', 'type', 'status', 'department', 'title', 'location', 'manager', 'employment_type', 'cost_center', 'employee_number',
] as const;

// ---------------------------------------------------------------- vocabulary

const DEPARTMENTS = [
  'Finance', 'Sales', 'Marketing', 'Engineering', 'Operations', 'Legal', 'Human Resources', 'Procurement',
  'Customer Support', 'Research', 'Logistics', 'Risk',
];
const CITIES = ['Lisbon', 'Austin', 'Osaka', 'Krakow', 'Toronto', 'Nairobi', 'Melbourne', 'Dublin', 'Monterrey', 'Pune'];
/** Flat titles and ladder bases share one pool, so the same title recurs across departments. */
const TITLE_POOL = [
  'Analyst', 'Specialist', 'Coordinator', 'Engineer', 'Consultant', 'Associate', 'Planner', 'Officer', 'Designer',
  'Technician', 'Advisor', 'Accountant', 'Researcher', 'Representative',
];
const APP_CODES = [
  'ORBIT', 'PULSE', 'ATLAS', 'NOVA', 'QUILL', 'HELIX', 'SPARK', 'CEDAR', 'DELTA', 'EMBER', 'FJORD', 'GLYPH', 'HAVEN',
  'IRIS', 'JADE', 'KITE', 'LYNX', 'MOSAIC', 'NEXUS', 'ONYX', 'PRISM', 'QUARTZ', 'RAVEN', 'SAGE', 'TIDE', 'UMBRA',
];
const BIRTHRIGHT_APPS = ['HUB', 'MAIL'];
const SITE_APPS = ['FAC', 'NET'];
const PROJECT_APPS = ['TRK', 'WIKI'];
const RESOURCES = [
  'ledger', 'invoices', 'payroll', 'budget', 'forecast', 'contracts', 'tickets', 'reports', 'dashboards', 'pipeline',
  'accounts', 'orders', 'vendors', 'assets', 'claims', 'cases', 'campaigns', 'leads', 'quotes', 'shipments', 'inventory',
  'schedules', 'timesheets', 'expenses', 'policies', 'audits', 'models', 'datasets', 'builds', 'releases', 'repos',
  'queues', 'catalog', 'pricing', 'returns', 'surveys', 'recruiting', 'benefits', 'training', 'docs', 'calendar',
  'roster', 'tasks', 'alerts', 'metrics', 'logs', 'backups', 'licenses', 'devices', 'badges', 'printers', 'rooms',
  'parking', 'lockers', 'visitors', 'archive', 'templates', 'workflows',
];
const PERMS = ['read', 'write', 'approve', 'submit', 'view', 'edit', 'export', 'publish', 'review', 'run', 'create', 'delete'];
const PROJECTS = [
  'aurora', 'basalt', 'cobalt', 'dynamo', 'eclipse', 'falcon', 'granite', 'harbor', 'indigo', 'juniper', 'kestrel',
  'lumen', 'meridian', 'nimbus', 'obsidian', 'pioneer', 'quasar', 'redwood', 'sequoia', 'tundra', 'uplift', 'vortex',
  'willow', 'xylem', 'yonder', 'zenith',
];
const SURNAMES = [
  'bauer', 'silva', 'tanaka', 'nowak', 'okafor', 'moreau', 'rossi', 'jensen', 'kim', 'patel', 'garcia', 'murphy',
  'novak', 'olsen', 'haddad', 'ivanov', 'costa', 'weber', 'ali', 'chen', 'dubois', 'fischer', 'kowalski', 'lopez',
  'mensah', 'nakamura', 'oconnor', 'park', 'quinn', 'reyes', 'schmidt', 'takahashi', 'usman', 'varga', 'wong', 'yilmaz',
];
const SERVICE_WORDS = ['billing', 'etl', 'backup', 'reporting', 'sync', 'deploy', 'monitor', 'ingest', 'scanner', 'mailer'];
const ODD_SUFFIX = ['runner', 'agent', 'worker', 'daemon', 'connector', 'feeder'];

// ---------------------------------------------------------------- validation

function int(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`varied: ${name} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}

function num(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw new UsageError(`varied: ${name} must be a number in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}

function range(name: string, v: unknown, lo: number, hi: number): Range {
  if (!Array.isArray(v) || v.length !== 2) throw new UsageError(`varied: ${name} must be [min, max], got ${String(v)}`);
  const a = int(`${name}[0]`, v[0], lo, hi);
  const b = int(`${name}[1]`, v[1], lo, hi);
  if (a > b) throw new UsageError(`varied: ${name} must have min <= max, got [${a}, ${b}]`);
  return [a, b];
}

/** The config with defaults filled in; UsageError naming the knob on anything out of range. */
export function resolveVaried(c: VariedConfig): ResolvedVariedConfig {
  const r: ResolvedVariedConfig = {
    people: int('people', c.people ?? DEFAULTS.people, 50, 100_000),
    departments: int('departments', c.departments, 4, 12),
    titles: c.titles,
    roleSize: range('roleSize', c.roleSize, 2, 15),
    locations: int('locations', c.locations, 3, 8),
    projects: int('projects', c.projects ?? DEFAULTS.projects, 0, 200),
    sharedApps: c.sharedApps,
    missingRate: num('missingRate', c.missingRate, 0.005, 0.03),
    strayRate: num('strayRate', c.strayRate, 0, 0.2),
    strayPopularity: num('strayPopularity', c.strayPopularity, 0, 2),
    dates: c.dates,
    groupShare: num('groupShare', c.groupShare, 0, 0.7),
    governance: c.governance,
    flatTitles: range('flatTitles', c.flatTitles ?? DEFAULTS.flatTitles, 1, 8),
    ladders: range('ladders', c.ladders ?? DEFAULTS.ladders, 1, 3),
    ladderStep: range('ladderStep', c.ladderStep ?? DEFAULTS.ladderStep, 1, 4),
    locationSize: range('locationSize', c.locationSize ?? DEFAULTS.locationSize, 1, 15),
    projectSize: range('projectSize', c.projectSize ?? DEFAULTS.projectSize, 1, 15),
    projectMembers: range('projectMembers', c.projectMembers ?? DEFAULTS.projectMembers, 1, 1000),
    birthrightSize: range('birthrightSize', c.birthrightSize ?? DEFAULTS.birthrightSize, 1, 20),
    remoteShare: num('remoteShare', c.remoteShare ?? DEFAULTS.remoteShare, 0, 0.5),
    roleDormantShare: num('roleDormantShare', c.roleDormantShare ?? DEFAULTS.roleDormantShare, 0, 0.5),
    strayDormantShare: num('strayDormantShare', c.strayDormantShare ?? DEFAULTS.strayDormantShare, 0, 1),
    asOf: c.asOf ?? DEFAULTS.asOf,
    nonHumanShare: num('nonHumanShare', c.nonHumanShare ?? DEFAULTS.nonHumanShare, 0.005, 0.05),
    duplicateShare: num('duplicateShare', c.duplicateShare ?? DEFAULTS.duplicateShare, 0, 0.1),
    orphanShare: num('orphanShare', c.orphanShare ?? DEFAULTS.orphanShare, 0, 0.05),
    terminatedShare: num('terminatedShare', c.terminatedShare ?? DEFAULTS.terminatedShare, 0, 0.1),
  };
  if (r.titles !== 'flat' && r.titles !== 'nested' && r.titles !== 'mixed') throw new UsageError(`varied: titles must be flat, nested or mixed, got ${String(r.titles)}`);
  for (const k of ['sharedApps', 'dates', 'governance'] as const) {
    if (typeof r[k] !== 'boolean') throw new UsageError(`varied: ${k} must be true or false, got ${String(r[k])}`);
  }
  // A ladder's two smallest steps must fit in the role size range (the lead stays within it).
  if (r.titles !== 'flat' && r.roleSize[1] - r.roleSize[0] < 2 * r.ladderStep[0]) {
    throw new UsageError(`varied: nested titles need roleSize max - min >= 2 * ladderStep min, got roleSize [${r.roleSize.join(', ')}], ladderStep [${r.ladderStep.join(', ')}]`);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(r.asOf);
  const day = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : NaN;
  if (!Number.isInteger(day) || formatDay(day) !== r.asOf) throw new UsageError(`varied: asOf must be a date 'YYYY-MM-DD', got ${r.asOf}`);
  return r;
}

// ---------------------------------------------------------------- generation

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const between = (rng: Rng, r: Range): number => r[0] + rng.int(r[1] - r[0] + 1);

/** Entitlement names per application: fresh resources in a seeded order, a permission each. */
class Catalogue {
  readonly names = new Interner();
  private readonly order = new Map<string, { perm: number[]; next: number }>();
  constructor(private readonly rng: Rng) {}

  private app(code: string): { perm: number[]; next: number } {
    let s = this.order.get(code);
    if (!s) {
      const perm = RESOURCES.map((_, k) => k);
      this.rng.shuffle(perm);
      s = { perm, next: 0 };
      this.order.set(code, s);
    }
    return s;
  }

  /** A name never handed out before, in application `code`. */
  fresh(code: string): number {
    const s = this.app(code);
    const W = RESOURCES.length;
    const k = s.next++;
    const resource = RESOURCES[s.perm[k % W]!]! + (k >= W ? `-${Math.floor(k / W) + 1}` : '');
    return this.names.id(`APP-${code}/${resource}/${this.rng.pick(PERMS)}`);
  }

  /** Another permission on the resource of entitlement `base` when one is unused; else a fresh name in its application. */
  upgrade(base: number): number {
    const name = this.names.names[base]!;
    const cut = name.lastIndexOf('/');
    const start = this.rng.int(PERMS.length);
    for (let t = 0; t < PERMS.length; t++) {
      const cand = name.slice(0, cut + 1) + PERMS[(start + t) % PERMS.length]!;
      if (!this.names.index.has(cand)) return this.names.id(cand);
    }
    return this.fresh(name.slice(4, name.indexOf('/')));
  }
}

interface RoleDef {
  id: string;
  kind: VariedRoleKind;
  rule: string;
  ents: number[]; // provisional entitlement ids
  /** Group parent (a role index) for delivery, -1 for a top-level group. */
  parent: number;
  group: string;
}

interface Dept {
  name: string;
  slug: string;
  costCenter: string;
  apps: string[];
  nested: boolean;
  role: number;
  /** Title names and their role indices, parallel; weights for drawing a person's title. */
  titles: string[];
  titleRoles: number[];
  titleWeights: number[];
}

/**
 * Builds one enterprise. Throws UsageError on a bad config (see resolveVaried). Deterministic in
 * (config, seed).
 */
export function generateVaried(config: VariedConfig, seed: number): VariedEnterprise {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new UsageError(`varied: seed must be a finite number, got ${String(seed)}`);
  const cfg = resolveVaried(config);
  const rng = new Rng(seed);
  const N = cfg.people;
  const D = cfg.departments;
  const cat = new Catalogue(rng);
  const roles: RoleDef[] = [];
  const addRole = (id: string, kind: VariedRoleKind, rule: string, ents: number[], group: string, parent = -1): number => {
    roles.push({ id, kind, rule, ents, parent, group });
    return roles.length - 1;
  };
  const draw = (apps: readonly string[], n: number): number[] => Array.from({ length: n }, () => cat.fresh(rng.pick(apps)));

  // ---- 1. Roles ----
  addRole('birthright', 'birthright', 'true', draw(BIRTHRIGHT_APPS, between(rng, cfg.birthrightSize)), 'grp-everyone');

  const deptNames = [...DEPARTMENTS];
  rng.shuffle(deptNames);
  const codes = [...APP_CODES];
  rng.shuffle(codes);
  const nestedFlags = Array.from({ length: D }, (_, d) => (cfg.titles === 'nested' ? true : cfg.titles === 'flat' ? false : d < Math.floor(D / 2)));
  if (cfg.titles === 'mixed') rng.shuffle(nestedFlags);
  const usedCc = new Set<string>();
  const depts: Dept[] = [];
  const deptWeights: number[] = [];
  for (let d = 0; d < D; d++) {
    const name = deptNames[d]!;
    let cc: string;
    do cc = `CC-${1000 + rng.int(9000)}`;
    while (usedCc.has(cc));
    usedCc.add(cc);
    depts.push({ name, slug: slug(name), costCenter: cc, apps: [codes[2 * d]!, codes[2 * d + 1]!], nested: nestedFlags[d]!, role: -1, titles: [], titleRoles: [], titleWeights: [] });
    deptWeights.push((0.7 + 0.6 * rng.float()) / Math.pow(d + 1, 0.7));
  }
  if (cfg.sharedApps) for (let d = 0; d < D; d++) depts[d]!.apps.push(depts[(d + 1) % D]!.apps[0]!);
  // The first title role of department 0 gets the minimum size when that is 2 (see the header).
  let forceMin = cfg.roleSize[0] === 2;
  const titleSize = (): number => {
    if (forceMin) {
      forceMin = false;
      return cfg.roleSize[0];
    }
    return between(rng, cfg.roleSize);
  };
  for (const dept of depts) {
    const { name, slug: s, apps } = dept;
    dept.role = addRole(`dept:${s}`, 'department', `department='${name}'`, draw(apps, between(rng, cfg.roleSize)), `grp-${s}`);
    const pool = [...TITLE_POOL];
    rng.shuffle(pool);
    const addTitle = (title: string, ents: number[], parent: number, weight: number): number => {
      const t = slug(title);
      const r = addRole(`title:${s}:${t}`, 'title', `department='${name}' and title='${title}'`, ents, `grp-${s}-${t}`, parent);
      dept.titles.push(title);
      dept.titleRoles.push(r);
      dept.titleWeights.push(weight);
      return r;
    };
    if (!dept.nested) {
      const T = between(rng, cfg.flatTitles);
      for (let t = 0; t < T; t++) addTitle(pool[t]!, draw(apps, titleSize()), dept.role, (0.8 + 0.4 * rng.float()) / Math.sqrt(t + 1));
    } else {
      const Lad = between(rng, cfg.ladders);
      for (let l = 0; l < Lad; l++) {
        const [lo, hi] = cfg.roleSize;
        let s1 = between(rng, cfg.ladderStep);
        let s2 = between(rng, cfg.ladderStep);
        while (lo + s1 + s2 > hi) {
          if (s1 >= s2) s1--;
          else s2--;
        }
        const junior = forceMin ? titleSize() : lo + rng.int(hi - s1 - s2 - lo + 1);
        const lw = (0.8 + 0.4 * rng.float()) / Math.sqrt(l + 1);
        const base = draw(apps, junior);
        const grow = (below: number[], k: number): number[] => {
          const out = [...below];
          for (let x = 0; x < k; x++) out.push(rng.chance(0.5) ? cat.upgrade(rng.pick(below)) : cat.fresh(rng.pick(apps)));
          return out;
        };
        const senior = grow(base, s1);
        const lead = grow(senior, s2);
        const b = pool[l]!;
        const rj = addTitle(b, base, dept.role, 0.5 * lw);
        const rs = addTitle(`Senior ${b}`, senior, rj, 0.3 * lw);
        addTitle(`Lead ${b}`, lead, rs, 0.2 * lw);
      }
    }
  }
  if (cfg.sharedApps) {
    // A few entitlements in two departments' roles: one of the next department's department role
    // replaces one of this department role's (and, for flat departments, one of the first title
    // role's, from the next department's first title). Sizes stay; ladders are left alone, since a
    // replacement there would have to be made on every level to keep them nested.
    const replace = (into: number[], from: readonly number[]): void => {
      const x = rng.pick(from);
      if (!into.includes(x)) into[rng.int(into.length)] = x;
    };
    for (let d = 0; d < D; d++) {
      const next = depts[(d + 1) % D]!;
      replace(roles[depts[d]!.role]!.ents, roles[next.role]!.ents);
      if (!depts[d]!.nested) replace(roles[depts[d]!.titleRoles[0]!]!.ents, roles[next.titleRoles[0]!]!.ents);
    }
  }
  const deptPicker = new WeightedPicker(deptWeights);
  const titlePickers = depts.map((x) => new WeightedPicker(x.titleWeights));

  const cities = [...CITIES];
  rng.shuffle(cities);
  const locNames = cities.slice(0, cfg.locations);
  const locRole = locNames.map((l) => addRole(`loc:${slug(l)}`, 'location', `location='${l}'`, draw(SITE_APPS, between(rng, cfg.locationSize)), `grp-site-${slug(l)}`));
  const locPicker = new WeightedPicker(locNames.map((_, l) => (0.7 + 0.6 * rng.float()) / Math.pow(l + 1, 0.5)));

  const projNames = Array.from({ length: cfg.projects }, (_, p) => (p < PROJECTS.length ? PROJECTS[p]! : `${PROJECTS[p % PROJECTS.length]}-${Math.floor(p / PROJECTS.length) + 1}`));
  rng.shuffle(projNames);
  const projRole: number[] = [];
  const projHomes: number[][] = [];
  for (const p of projNames) {
    const homes = [deptPicker.pick(rng)];
    if (rng.chance(0.5)) {
      const h = deptPicker.pick(rng);
      if (h !== homes[0]) homes.push(h);
    }
    projHomes.push(homes);
    const apps = cfg.sharedApps ? [...PROJECT_APPS, depts[homes[0]!]!.apps[0]!] : PROJECT_APPS;
    projRole.push(addRole(`proj:${p}`, 'project', `project='${p}'`, draw(apps, between(rng, cfg.projectSize)), `grp-prj-${p}`));
  }

  // ---- 2. People ----
  const deptOf = new Uint8Array(N);
  const titleOf = new Uint8Array(N);
  const locOf = new Int8Array(N); // -1 = Remote
  const empOf = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const d = deptPicker.pick(rng);
    deptOf[i] = d;
    titleOf[i] = titlePickers[d]!.pick(rng);
    locOf[i] = rng.chance(cfg.remoteShare) ? -1 : locPicker.pick(rng);
    const u = rng.float();
    empOf[i] = u < 0.85 ? 0 : u < 0.97 ? 1 : 2;
  }
  const byDept: number[][] = depts.map(() => []);
  for (let i = 0; i < N; i++) byDept[deptOf[i]!]!.push(i);
  // Reporting: a head per department, about one manager per 8 people; heads report to department 0's head.
  const managerOf = new Int32Array(N).fill(-1);
  const managesSomeone = new Uint8Array(N);
  const heads: number[] = [];
  for (let d = 0; d < D; d++) {
    const list = [...byDept[d]!];
    rng.shuffle(list);
    heads.push(list.length ? list[0]! : -1);
    const nMgr = Math.min(list.length - 1, Math.max(1, Math.round(list.length / 8)));
    for (let k = 1; k < list.length; k++) {
      const i = list[k]!;
      managerOf[i] = k <= nMgr ? list[0]! : list[1 + rng.int(nMgr)]!;
    }
  }
  const root = heads.find((h) => h >= 0)!;
  for (const h of heads) if (h >= 0 && h !== root) managerOf[h] = root;
  for (let i = 0; i < N; i++) if (managerOf[i]! >= 0) managesSomeone[managerOf[i]!] = 1;

  // Project members: distinct people, 60% from the home departments.
  const projMembers: Uint32Array[] = projRole.map((_, p) => {
    const want = Math.min(N, between(rng, cfg.projectMembers));
    const chosen = new Set<number>();
    const homes = projHomes[p]!;
    for (let tries = 0; chosen.size < want && tries < want * 50; tries++) {
      const home = byDept[rng.pick(homes)]!;
      chosen.add(rng.chance(0.6) && home.length ? rng.pick(home) : rng.int(N));
    }
    return Uint32Array.from(chosen).sort();
  });

  // Person -> roles (CSR): birthright, department, title, location, then projects.
  const rStart = new Uint32Array(N + 1);
  const projCount = new Uint32Array(N);
  for (const m of projMembers) for (const i of m) projCount[i]!++;
  for (let i = 0; i < N; i++) rStart[i + 1] = rStart[i]! + 3 + (locOf[i]! >= 0 ? 1 : 0) + projCount[i]!;
  const rList = new Uint32Array(rStart[N]!);
  const rFill = rStart.slice(0, N);
  for (let i = 0; i < N; i++) {
    const dept = depts[deptOf[i]!]!;
    rList[rFill[i]!++] = 0;
    rList[rFill[i]!++] = dept.role;
    rList[rFill[i]!++] = dept.titleRoles[titleOf[i]!]!;
    if (locOf[i]! >= 0) rList[rFill[i]!++] = locRole[locOf[i]!]!;
  }
  projMembers.forEach((m, p) => {
    for (const i of m) rList[rFill[i]!++] = projRole[p]!;
  });

  // ---- 3. Keep roles with members; canonical (sorted) entitlement ids over the kept roles ----
  const R0 = roles.length;
  const members = new Uint32Array(R0);
  for (let k = 0; k < rList.length; k++) members[rList[k]!]!++;
  const entUsed = new Uint8Array(cat.names.names.length);
  for (let r = 0; r < R0; r++) if (members[r]! > 0) for (const e of roles[r]!.ents) entUsed[e] = 1;
  const entitlements = cat.names.names.filter((_, e) => entUsed[e]).sort();
  const E = entitlements.length;
  const entMap = new Int32Array(cat.names.names.length).fill(-1);
  entitlements.forEach((n, e) => (entMap[cat.names.index.get(n)!] = e));
  // Every role's entitlements in canonical ids: a pruned role's own may be -1, but a pruned role
  // only matters as a group link below a kept one, whose entitlements include it (ladders nest).
  const roleEnts = roles.map((r) => Uint32Array.from(new Set(r.ents), (e) => entMap[e]!).sort());
  const roleMap = new Int32Array(R0).fill(-1);
  const truthRoles: VariedRole[] = [];
  for (let r = 0; r < R0; r++) {
    if (members[r]! === 0) continue;
    roleMap[r] = truthRoles.length;
    const def = roles[r]!;
    truthRoles.push({ id: def.id, kind: def.kind, rule: def.rule, entitlements: roleEnts[r]!, memberCount: members[r]! });
  }

  // ---- 4. Implied grants per person (CSR, ascending) and popularity ----
  const stamp = new Uint32Array(E);
  const impStart = new Uint32Array(N + 1);
  let bound = 0;
  for (let k = 0; k < rList.length; k++) bound += roleEnts[rList[k]!]!.length;
  const impAll = new Uint32Array(bound);
  let M = 0;
  for (let i = 0; i < N; i++) {
    const from = M;
    for (let k = rStart[i]!; k < rStart[i + 1]!; k++) {
      for (const e of roleEnts[rList[k]!]!) {
        if (stamp[e] !== i + 1) (stamp[e] = i + 1), (impAll[M++] = e);
      }
    }
    impAll.subarray(from, M).sort();
    impStart[i + 1] = M;
  }
  const imp = impAll.slice(0, M);
  const popularity = new Float64Array(E);
  for (let k = 0; k < M; k++) popularity[imp[k]!]!++;
  const implied = (i: number, e: number): boolean => {
    let lo = impStart[i]!;
    let hi = impStart[i + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (imp[mid]! < e) lo = mid + 1;
      else hi = mid;
    }
    return lo < impStart[i + 1]! && imp[lo] === e;
  };

  // ---- 5. Noise ----
  const removed = new Uint8Array(M);
  sampleFlags(removed, Math.round(cfg.missingRate * M), rng);
  const nStray = Math.min(Math.round(cfg.strayRate * M), N * E - M);
  const strayPicker = new WeightedPicker(Array.from(popularity, (p) => Math.pow(p, cfg.strayPopularity)));
  const strayKeys = new Set<number>();
  // Rejection sampling; the try cap only matters for tiny catalogues where few free cells remain.
  for (let tries = 0; strayKeys.size < nStray && tries < 100 * nStray + 1000; tries++) {
    const i = rng.int(N);
    const e = strayPicker.pick(rng);
    if (!implied(i, e)) strayKeys.add(i * E + e);
  }
  const strayList = Float64Array.from(strayKeys).sort();
  const strayStart = new Uint32Array(N + 1);
  for (const key of strayList) strayStart[Math.floor(key / E) + 1]!++;
  for (let i = 0; i < N; i++) strayStart[i + 1]! += strayStart[i]!;
  const strayEnt = Uint32Array.from(strayList, (key) => key % E); // person-major, ascending

  // ---- 6. Delivery through groups ----
  // Reach of a role's group: its role's entitlements and its ancestors'. Own rows: minus the ancestors'.
  const ancestorsEnts = (r: number): Set<number> => {
    const s = new Set<number>();
    for (let p = roles[r]!.parent; p >= 0; p = roles[p]!.parent) for (const e of roleEnts[p]!) s.add(e);
    return s;
  };
  const reach = roles.map((_, r) => Uint32Array.from(new Set([...roleEnts[r]!, ...ancestorsEnts(r)])).sort());
  const own = roles.map((_, r) => {
    const up = ancestorsEnts(r);
    return roleEnts[r]!.filter((e) => !up.has(e));
  });
  const held = new Uint32Array(E); // held[e] === i + 1: person i holds e (implied, not removed)
  const given = new Uint32Array(E); // given[e] === i + 1: a joined group gives e to person i
  const joinStart = new Uint32Array(N + 1);
  const joinList: number[] = [];
  const groupNeeded = new Uint8Array(R0);
  const allHeld = (r: number, i: number): boolean => {
    for (const e of reach[r]!) if (held[e] !== i + 1) return false;
    return true;
  };
  const directStart = new Uint32Array(N + 1);
  const directEnt: number[] = [];
  const directStray: number[] = []; // 1 when the direct grant is a stray
  for (let i = 0; i < N; i++) {
    for (let k = impStart[i]!; k < impStart[i + 1]!; k++) if (!removed[k]) held[imp[k]!] = i + 1;
    if (cfg.groupShare > 0) {
      const join = (r: number): void => {
        joinList.push(r);
        for (let p = r; p >= 0; p = roles[p]!.parent) groupNeeded[p] = 1;
        for (const e of reach[r]!) given[e] = i + 1;
      };
      const a = rStart[i]!;
      const [, deptRole, titleRole] = [rList[a]!, rList[a + 1]!, rList[a + 2]!];
      if (rng.chance(cfg.groupShare)) {
        if (allHeld(titleRole, i)) join(titleRole);
        else if (allHeld(deptRole, i)) join(deptRole);
      }
      if (rng.chance(cfg.groupShare) && allHeld(0, i)) join(0);
      for (let k = a + 3; k < rStart[i + 1]!; k++) {
        const r = rList[k]!;
        if (rng.chance(cfg.groupShare) && allHeld(r, i)) join(r);
      }
    }
    joinStart[i + 1] = joinList.length;
    // Direct rows: held and not given by a group, then this person's strays (never implied).
    for (let k = impStart[i]!; k < impStart[i + 1]!; k++) {
      const e = imp[k]!;
      if (!removed[k] && given[e] !== i + 1) directEnt.push(e), directStray.push(0);
    }
    for (let k = strayStart[i]!; k < strayStart[i + 1]!; k++) directEnt.push(strayEnt[k]!), directStray.push(1);
    directStart[i + 1] = directEnt.length;
  }

  // ---- 7. Governance: alts, orphans, terminated, non-human ----
  const width = Math.max(5, String(N - 1).length);
  const loginPerm = Array.from({ length: N }, (_, i) => i);
  rng.shuffle(loginPerm);
  const logins = loginPerm.map((p) => `${String.fromCharCode(97 + (p % 26))}${SURNAMES[Math.floor(p / 26) % SURNAMES.length]}${String(p).padStart(width, '0')}`);
  const persons = Array.from({ length: N }, (_, i) => `H${String(i).padStart(width, '0')}`);
  const empNo = Array.from({ length: N }, (_, i) => i);
  rng.shuffle(empNo);
  const status: string[] = new Array(N).fill('active');
  const orphan = new Uint8Array(N);
  const altOf = new Int32Array(N).fill(-1); // person -> alt account index
  const altPerson: number[] = [];
  // Direct grant k of person i moves to their alt when moved[k].
  const moved = new Uint8Array(directEnt.length);
  const nonhumanNames: string[] = [];
  const nonhumanKinds: VariedAccountKind[] = [];
  const nonhumanRow: (string | null)[] = []; // identities-file type value, or null for no row
  const nhStart: number[] = [0];
  const nhEnt: number[] = [];
  if (cfg.governance) {
    const order = Array.from({ length: N }, (_, i) => i);
    rng.shuffle(order);
    let at = 0;
    const wantAlt = Math.round(cfg.duplicateShare * N);
    for (; at < N && altPerson.length < wantAlt; at++) {
      const i = order[at]!;
      const plain: number[] = [];
      for (let k = directStart[i]!; k < directStart[i + 1]!; k++) if (!directStray[k]) plain.push(k);
      if (plain.length < 2) continue;
      altOf[i] = N + altPerson.length;
      altPerson.push(i);
      rng.shuffle(plain);
      const take = 1 + rng.int(Math.floor(plain.length / 2));
      for (let t = 0; t < take; t++) moved[plain[t]!] = 1;
    }
    let orphans = 0;
    const wantOrphans = Math.round(cfg.orphanShare * N);
    for (; at < N && orphans < wantOrphans; at++) {
      const i = order[at]!;
      if (managesSomeone[i] || altOf[i] >= 0) continue;
      orphan[i] = 1;
      orphans++;
    }
    const wantTerm = Math.round(cfg.terminatedShare * N);
    for (let t = 0; at < N && t < wantTerm; at++) {
      const i = order[at]!;
      if (orphan[i] || altOf[i] >= 0) continue;
      status[i] = 'terminated';
      t++;
    }
    const NH = Math.max(1, Math.round(cfg.nonHumanShare * N));
    const counters = new Map<string, number>();
    const seq = (prefix: string): string => {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return `${prefix}-${String(n).padStart(2, '0')}`;
    };
    for (let k = 0; k < NH; k++) {
      const u = rng.float();
      const kind: VariedAccountKind = u < 0.6 ? 'service' : u < 0.9 ? 'workload' : 'shared';
      const labelled = rng.chance(0.5);
      const conventional = labelled || rng.chance(0.5);
      const word = rng.pick(SERVICE_WORDS);
      const prefix = kind === 'service' ? 'svc' : kind === 'workload' ? 'wl' : 'shared';
      nonhumanNames.push(conventional ? seq(`${prefix}-${word}`) : seq(`${word}-${rng.pick(ODD_SUFFIX)}`));
      nonhumanKinds.push(kind);
      nonhumanRow.push(labelled ? kind : rng.chance(0.5) ? '' : null);
      const want = Math.min(E, 3 + rng.int(10));
      const picked = new Set<number>();
      while (picked.size < want) picked.add(rng.int(E));
      nhEnt.push(...Uint32Array.from(picked).sort());
      nhStart.push(nhEnt.length);
    }
  }
  const A0 = N + altPerson.length; // first non-human account
  const accounts = [...logins, ...altPerson.map((i) => `${logins[i]}-alt`), ...nonhumanNames];
  const A = accounts.length;
  const accountPerson = new Int32Array(A).fill(-1);
  const accountKind: VariedAccountKind[] = new Array(A);
  for (let i = 0; i < N; i++) (accountPerson[i] = i), (accountKind[i] = 'human');
  altPerson.forEach((i, k) => ((accountPerson[N + k] = i), (accountKind[N + k] = 'human')));
  nonhumanKinds.forEach((kind, k) => (accountKind[A0 + k] = kind));

  // ---- 8. Groups that reach an account, and memberships ----
  const groupIndex = new Int32Array(R0).fill(-1);
  const groups: string[] = [];
  for (let r = 0; r < R0; r++) if (groupNeeded[r]) (groupIndex[r] = groups.length), groups.push(roles[r]!.group);
  const memMember: number[] = [];
  const memGroup: number[] = [];
  for (let r = 0; r < R0; r++) {
    const p = roles[r]!.parent;
    if (groupNeeded[r] && p >= 0) memMember.push(A + groupIndex[r]!), memGroup.push(groupIndex[p]!);
  }
  for (let i = 0; i < N; i++) for (let k = joinStart[i]!; k < joinStart[i + 1]!; k++) memMember.push(i), memGroup.push(groupIndex[joinList[k]!]!);

  // ---- 9. Grant rows with dates, then one seeded shuffle ----
  const asOf = Date.UTC(Number(cfg.asOf.slice(0, 4)), Number(cfg.asOf.slice(5, 7)) - 1, Number(cfg.asOf.slice(8, 10))) / 86_400_000;
  let nGroupRows = 0;
  for (let r = 0; r < R0; r++) if (groupNeeded[r]) nGroupRows += own[r]!.length;
  const G = directEnt.length + nGroupRows + nhEnt.length;
  const gh = new Uint32Array(G);
  const ge = new Uint32Array(G);
  const gd = cfg.dates ? new Int32Array(G) : null;
  let o = 0;
  const recent = (span: number): number => asOf - rng.int(span + 1);
  const old = (lo: number, hi: number): number => asOf - lo - rng.int(hi - lo + 1);
  for (let i = 0; i < N; i++) {
    for (let k = directStart[i]!; k < directStart[i + 1]!; k++) {
      gh[o] = moved[k] ? altOf[i]! : i;
      ge[o] = directEnt[k]!;
      if (gd) {
        gd[o] = directStray[k]
          ? rng.chance(cfg.strayDormantShare) ? old(91, 700) : recent(90)
          : rng.chance(cfg.roleDormantShare) ? old(91, 500) : recent(60);
      }
      o++;
    }
  }
  for (let r = 0; r < R0; r++) {
    if (!groupNeeded[r]) continue;
    for (const e of own[r]!) {
      gh[o] = A + groupIndex[r]!;
      ge[o] = e;
      if (gd) gd[o] = recent(30);
      o++;
    }
  }
  for (let k = 0; k < nonhumanNames.length; k++) {
    for (let t = nhStart[k]!; t < nhStart[k + 1]!; t++) {
      gh[o] = A0 + k;
      ge[o] = nhEnt[t]!;
      if (gd) gd[o] = recent(30);
      o++;
    }
  }
  const perm = new Uint32Array(G);
  for (let k = 0; k < G; k++) perm[k] = k;
  for (let k = G - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    const x = perm[k]!;
    perm[k] = perm[j]!;
    perm[j] = x;
  }
  const holder = Uint32Array.from(perm, (k) => gh[k]!);
  const entitlement = Uint32Array.from(perm, (k) => ge[k]!);
  const lastUsed = gd ? Int32Array.from(perm, (k) => gd[k]!) : null;

  // ---- 10. Identities rows and the truth ----
  const identities: string[][] = [];
  for (let i = 0; i < N; i++) {
    if (orphan[i]) continue;
    const dept = depts[deptOf[i]!]!;
    const row = [
      logins[i]!, persons[i]!, 'human', status[i]!, dept.name, dept.titles[titleOf[i]!]!, locOf[i]! >= 0 ? locNames[locOf[i]!]! : 'Remote',
      managerOf[i]! >= 0 ? logins[managerOf[i]!]! : '', ['employee', 'contractor', 'intern'][empOf[i]!]!, dept.costCenter, String(100_000 + 3 * empNo[i]! + 1),
    ];
    identities.push(row);
    if (altOf[i]! >= 0) identities.push([accounts[altOf[i]!]!, ...row.slice(1)]);
  }
  nonhumanRow.forEach((type, k) => {
    if (type !== null) identities.push([nonhumanNames[k]!, '', type, type === '' ? '' : 'active', '', '', '', '', '', '', '']);
  });

  const asPairs = (a: ArrayLike<number>, b: ArrayLike<number>): Pairs => ({ a: Uint32Array.from(a), b: Uint32Array.from(b) });
  const aa: number[] = [];
  const ar: number[] = [];
  for (let i = 0; i < N; i++) for (let k = rStart[i]!; k < rStart[i + 1]!; k++) aa.push(i), ar.push(roleMap[rList[k]!]!);
  const ma: number[] = [];
  const me: number[] = [];
  for (let i = 0; i < N; i++) for (let k = impStart[i]!; k < impStart[i + 1]!; k++) if (removed[k]) ma.push(i), me.push(imp[k]!);
  const sa = Uint32Array.from(strayList, (key) => Math.floor(key / E));
  const na: number[] = [];
  for (let k = 0; k < nonhumanNames.length; k++) for (let t = nhStart[k]!; t < nhStart[k + 1]!; t++) na.push(A0 + k);

  return {
    config: cfg,
    seed,
    accounts,
    groups,
    entitlements,
    identities,
    grants: { holder, entitlement, lastUsed },
    memberships: { member: Uint32Array.from(memMember), group: Uint32Array.from(memGroup) },
    truth: {
      roles: truthRoles,
      assignments: asPairs(aa, ar),
      stray: { a: sa, b: strayEnt },
      missing: asPairs(ma, me),
      accountPerson,
      accountKind,
      persons,
      nonhuman: asPairs(na, nhEnt),
    },
  };
}

// ---------------------------------------------------------------- writer


/**
 * Writes `e` under `dir` as a rolemill output folder (absent, empty or an earlier rolemill output;
 * all or nothing through writeOutput, manifest kind 'sample' like the other generators, so
 * `rolemill generate` and this writer may replace each other's folders) and returns the paths
 * written (`dir` joined with):
 * - grants.csv `identity,entitlement[,last_used]` (identity = holder: an account or a group; rows
 *   in e.grants order, a seeded shuffle; last_used only with dates);
 * - memberships.csv `member,group,member_type` (account or group), only when there are groups;
 * - identities.csv (IDENTITY_COLUMNS);
 * - truth/roles.csv `role,kind,rule,entitlement_count,member_count` (member_count = people);
 * - truth/role_entitlements.csv `role,entitlement`;
 * - truth/assignments.csv `identity,role` (identity = the person's primary account), person-major;
 * - truth/stray.csv, truth/missing.csv `identity,entitlement` (the holding / primary account);
 * - truth/accounts.csv `account,person,kind` (person empty for non-human accounts);
 * - truth/nonhuman.csv `account,entitlement`.
 * CSV: header row, `\n` line ends, RFC 4180 quoting only where a field needs it (generated names
 * never do). Byte-identical for equal inputs.
 */
export async function writeVaried(dir: string, e: VariedEnterprise): Promise<string[]> {
  let names: string[] = [];
  await writeOutput(dir, { kind: 'sample' }, async (tmp, signal) => {
    names = (await writeVariedFiles(tmp, e, signal)).map((p) => relative(tmp, p));
  });
  return names.map((n) => join(dir, n));
}

/** The files of writeVaried written straight into `dir` (a folder of rolemill's own, such as writeOutput's temporary folder). */
export async function writeVariedFiles(dir: string, e: VariedEnterprise, signal?: AbortSignal): Promise<string[]> {
  await mkdir(join(dir, 'truth'), { recursive: true });
  const written: string[] = [];
  const out = async (name: string, chunks: Iterable<Uint8Array>): Promise<void> => {
    const path = join(dir, name);
    await pipeline(chunks, createWriteStream(path, { highWaterMark: 4 << 20 }), signal ? { signal } : {});
    written.push(path);
  };
  const A = e.accounts.length;
  const holders = encodeNames([...e.accounts, ...e.groups], true);
  const accts = encodeNames(e.accounts, true);
  const ents = encodeNames(e.entitlements, true);
  const { holder, entitlement, lastUsed } = e.grants;
  const cols: IndexColumn[] = [{ names: holders, idx: holder }, { names: ents, idx: entitlement }];
  if (lastUsed) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const d of lastUsed) (lo = Math.min(lo, d)), (hi = Math.max(hi, d));
    if (lo > hi) lo = hi = 0;
    cols.push({ names: encodeNames(Array.from({ length: hi - lo + 1 }, (_, k) => formatDay(lo + k)), true), idx: lastUsed, base: lo });
  }
  await out('grants.csv', indexCsv(lastUsed ? 'identity,entitlement,last_used' : 'identity,entitlement', cols, holder.length));
  if (e.groups.length > 0) {
    const m = e.memberships;
    await out(
      'memberships.csv',
      indexCsv('member,group,member_type', [
        { names: holders, idx: m.member },
        { names: encodeNames(e.groups, true), idx: m.group },
        { names: encodeNames(['account', 'group'], true), idx: Uint32Array.from(m.member, (h) => (h >= A ? 1 : 0)) },
      ], m.member.length),
    );
  }
  await out('identities.csv', textCsv(IDENTITY_COLUMNS, e.identities));
  const t = e.truth;
  await out(
    'truth/roles.csv',
    textCsv(['role', 'kind', 'rule', 'entitlement_count', 'member_count'], t.roles.map((r) => [r.id, r.kind, r.rule, String(r.entitlements.length), String(r.memberCount)])),
  );
  await out(
    'truth/role_entitlements.csv',
    textCsv(['role', 'entitlement'], (function* () {
      for (const r of t.roles) for (const x of r.entitlements) yield [r.id, e.entitlements[x]!];
    })()),
  );
  await out('truth/assignments.csv', indexCsv('identity,role', [{ names: accts, idx: t.assignments.a }, { names: encodeNames(t.roles.map((r) => r.id), true), idx: t.assignments.b }], t.assignments.a.length));
  const pairCsv = (p: Pairs, header: string): Generator<Uint8Array> => indexCsv(header, [{ names: accts, idx: p.a }, { names: ents, idx: p.b }], p.a.length);
  await out('truth/stray.csv', pairCsv(t.stray, 'identity,entitlement'));
  await out('truth/missing.csv', pairCsv(t.missing, 'identity,entitlement'));
  await out(
    'truth/accounts.csv',
    textCsv(['account', 'person', 'kind'], e.accounts.map((a, k) => [a, t.accountPerson[k]! >= 0 ? t.persons[t.accountPerson[k]!]! : '', t.accountKind[k]!])),
  );
  await out('truth/nonhuman.csv', pairCsv(t.nonhuman, 'account,entitlement'));
  return written;
}

// ---------------------------------------------------------------- the grid

/**
 * The configuration grid (each run with seeds 1, 2, 3; 3,000 people, 12 projects unless stated).
 * Axes: role sizes small [2,5] / medium [3,8] / large [6,15]; missing 0.5% / 1% / 3%; strays 2% / 5%,
 * uniform (a=0) or popularity-weighted (a=1); dates on / off; flat / nested / mixed titles; direct
 * (groupShare 0) or group delivery (0.3-0.7); shared applications on / off; governance on / off.
 * Every value of every axis appears in both halves; the two halves share no configuration (the test
 * checks both), and the axes are crossed differently in each, so the holdout tests combinations
 * the tuning never saw.
 *
 * | name | split | size | titles | missing | stray (a) | dates | groups | shared | gov | D | L |
 * |---|---|---|---|---|---|---|---|---|---|---|---|
 * | t1-small-flat-direct | tune | 2-5 | flat | 1% | 2% (0) | off | 0 | off | off | 6 | 4 |
 * | t2-small-nested-groups-gov | tune | 2-5 | nested | 0.5% | 5% (1) | on | 0.5 | on | on | 8 | 5 |
 * | t3-medium-mixed-direct-gov | tune | 3-8 | mixed | 3% | 2% (1) | on | 0 | on | on | 10 | 6 |
 * | t4-medium-flat-groups | tune | 3-8 | flat | 1% | 5% (0) | on | 0.7 | off | off | 5 | 3 |
 * | t5-large-nested-direct | tune | 6-15 | nested | 1% | 2% (0) | off | 0 | on | off | 7 | 8 |
 * | t6-large-mixed-groups-gov | tune | 6-15 | mixed | 0.5% | 5% (1) | on | 0.3 | off | on | 12 | 4 |
 * | t7-small-mixed-direct-gov | tune | 2-5 | mixed | 3% | 5% (0) | off | 0 | off | on | 4 | 7 |
 * | t8-medium-nested-groups | tune | 3-8 | nested | 0.5% | 2% (1) | off | 0.5 | on | off | 9 | 5 |
 * | h1-small-nested-direct-gov | holdout | 2-5 | nested | 1% | 2% (1) | on | 0 | off | on | 5 | 6 |
 * | h2-small-flat-groups | holdout | 2-5 | flat | 3% | 5% (1) | on | 0.6 | on | off | 10 | 3 |
 * | h3-medium-mixed-groups-gov | holdout | 3-8 | mixed | 0.5% | 2% (0) | on | 0.4 | off | on | 7 | 8 |
 * | h4-medium-flat-direct-gov | holdout | 3-8 | flat | 3% | 5% (1) | off | 0 | on | on | 11 | 4 |
 * | h5-large-flat-groups | holdout | 6-15 | flat | 1% | 5% (0) | off | 0.7 | on | off | 6 | 5 |
 * | h6-large-nested-groups-gov | holdout | 6-15 | nested | 3% | 2% (1) | off | 0.5 | off | on | 8 | 7 |
 * | h7-small-mixed-direct | holdout | 2-5 | mixed | 0.5% | 2% (0) | on | 0 | on | off | 12 | 5 |
 * | h8-large-mixed-direct | holdout | 6-15 | mixed | 1% | 5% (0) | off | 0 | off | off | 4 | 3 |
 */
export const VARIED_GRID: { name: string; split: 'tune' | 'holdout'; config: VariedConfig }[] = (() => {
  const S = { small: [2, 5], medium: [3, 8], large: [6, 15] } as const;
  type Row = [name: string, split: 'tune' | 'holdout', size: keyof typeof S, titles: TitleMode, missing: number, stray: number, a: number, dates: boolean, groups: number, shared: boolean, gov: boolean, D: number, L: number];
  const rows: Row[] = [
    ['t1-small-flat-direct', 'tune', 'small', 'flat', 0.01, 0.02, 0, false, 0, false, false, 6, 4],
    ['t2-small-nested-groups-gov', 'tune', 'small', 'nested', 0.005, 0.05, 1, true, 0.5, true, true, 8, 5],
    ['t3-medium-mixed-direct-gov', 'tune', 'medium', 'mixed', 0.03, 0.02, 1, true, 0, true, true, 10, 6],
    ['t4-medium-flat-groups', 'tune', 'medium', 'flat', 0.01, 0.05, 0, true, 0.7, false, false, 5, 3],
    ['t5-large-nested-direct', 'tune', 'large', 'nested', 0.01, 0.02, 0, false, 0, true, false, 7, 8],
    ['t6-large-mixed-groups-gov', 'tune', 'large', 'mixed', 0.005, 0.05, 1, true, 0.3, false, true, 12, 4],
    ['t7-small-mixed-direct-gov', 'tune', 'small', 'mixed', 0.03, 0.05, 0, false, 0, false, true, 4, 7],
    ['t8-medium-nested-groups', 'tune', 'medium', 'nested', 0.005, 0.02, 1, false, 0.5, true, false, 9, 5],
    ['h1-small-nested-direct-gov', 'holdout', 'small', 'nested', 0.01, 0.02, 1, true, 0, false, true, 5, 6],
    ['h2-small-flat-groups', 'holdout', 'small', 'flat', 0.03, 0.05, 1, true, 0.6, true, false, 10, 3],
    ['h3-medium-mixed-groups-gov', 'holdout', 'medium', 'mixed', 0.005, 0.02, 0, true, 0.4, false, true, 7, 8],
    ['h4-medium-flat-direct-gov', 'holdout', 'medium', 'flat', 0.03, 0.05, 1, false, 0, true, true, 11, 4],
    ['h5-large-flat-groups', 'holdout', 'large', 'flat', 0.01, 0.05, 0, false, 0.7, true, false, 6, 5],
    ['h6-large-nested-groups-gov', 'holdout', 'large', 'nested', 0.03, 0.02, 1, false, 0.5, false, true, 8, 7],
    ['h7-small-mixed-direct', 'holdout', 'small', 'mixed', 0.005, 0.02, 0, true, 0, true, false, 12, 5],
    ['h8-large-mixed-direct', 'holdout', 'large', 'mixed', 0.01, 0.05, 0, false, 0, false, false, 4, 3],
  ];
  return rows.map(([name, split, size, titles, missingRate, strayRate, strayPopularity, dates, groupShare, sharedApps, governance, departments, locations]) => ({
    name,
    split,
    config: { roleSize: S[size], titles, missingRate, strayRate, strayPopularity, dates, groupShare, sharedApps, governance, departments, locations },
  }));
})();
