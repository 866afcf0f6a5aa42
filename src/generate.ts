/**
 * Seeded synthetic enterprise: identities with HR attributes, a planted role model (the truth), and
 * the grants those roles imply, with a controlled share of noise. Feeds benchmarks and tests,
 * including noise-tolerant mining (`stray` and `missing` are the planted noise) and attribute
 * alignment (`rule` says which attributes explain each role; project roles follow no attribute).
 *
 * Determinism contract: every random choice comes from one seeded PRNG (src/util/prng.ts) in a
 * fixed order, so the same options give an identical Enterprise and byte-identical files on any
 * platform; a different seed gives a different enterprise.
 *
 * Model (defaults scale with N = identities; every count can be overridden):
 * - departments: D = clamp(round(sqrt(N) / 10), 6, 64) (6 up to N = 4,225, 64 from N = 404,000),
 *   from 28 families (Engineering, Sales, Finance, HR, Legal, ...); past 28 they repeat per region
 *   (`Sales EMEA`). Department i has weight ~ 1/(i+1)^0.6, so sizes are uneven.
 * - titles within a department: two job tracks x (plain, Senior, Lead), a Manager (about 1 in 9,
 *   departments of 6+), Directors (about 1 in 60, departments of 40+), one VP, and Interns.
 * - managers: ICs report to a Manager of their department (else a Director, else the VP), Managers to
 *   a Director (else the VP), Directors to the VP, VPs to the root: the VP of the largest department,
 *   the only identity whose `manager` is the empty string.
 * - locations: L = clamp(round(sqrt(N) / 15), 4, 40) offices; about 55% of a department sits in its
 *   home office. Location roles for the largest clamp(round(L / 4), min(L, 2), 8) non-remote offices.
 * - employment types: employee 86%, contractor 11%, intern 3% (leaders are always employees;
 *   interns get the department's Intern title; contractors are never Lead).
 * - projects: P = max(3, round(N / 120)) cross-functional projects with 1-3 home departments and
 *   lognormal popularity. Each identity joins 0-3 (50/35/12/3%), 75% of picks among projects of its
 *   own department, the rest company-wide, so memberships overlap and span departments. Projects are
 *   not an identity attribute (not in identities.csv).
 * - entitlements are `app:resource:level` (`sap:fi-gl:read`, `github:repo-payments-core:write`) or
 *   AD groups (`ad:grp-finance-all`). Planted roles: birthright (8 entitlements, everyone),
 *   department (6), title (2-7), location (4), project (3-5). About 22-23 grants per identity, so
 *   450,000 identities give about 10 million grants.
 * - noise: of the M role-implied grants, round(missingRate * M) are removed (`missing`), and
 *   round(strayRate * M) stray grants are added (`stray`): uniform random (identity, entitlement)
 *   pairs that no role of that identity implies (not even a removed one) and not already drawn.
 *   Strays are capped at the number of free cells N * E - M.
 * Roles that end up with no member are dropped; so are entitlements only they held.
 *
 * Memory: grants live in typed arrays only (no per-grant objects); 450k identities peak at a few
 * hundred MB, mostly the 10M-entry grant arrays.
 */
import { UsageError } from './errors.js';
import { BIRTHRIGHT, CODENAMES, ADJECTIVES, FAMILIES, LOCATIONS, REGIONS, slug, type Family } from './generate/catalog.js';
import { Rng, WeightedPicker } from './util/prng.js';
import { Interner } from './util/names.js';
export { writeEnterprise } from './generate/write.js';

export interface GenerateOptions {
  /** Number of identities (people), an integer >= 1. */
  identities: number;
  /** Seed of the PRNG; same options -> identical enterprise and byte-identical files. */
  seed: number;
  /** Stray grants (no role explains them) as a share of the role-implied grants, in [0, 1] (default 0.02). */
  strayRate?: number;
  /** Share of role-implied grants removed, in [0, 1] (default 0.01). */
  missingRate?: number;
  /** Number of departments (default clamp(round(sqrt(identities) / 10), 6, 64)). */
  departments?: number;
  /** Number of office locations (default clamp(round(sqrt(identities) / 15), 4, 40)). */
  locations?: number;
  /** Number of cross-functional projects (default max(3, round(identities / 120))). */
  projects?: number;
}

export type RoleKind = 'birthright' | 'department' | 'title' | 'location' | 'project';

export interface EnterpriseIdentity {
  id: string;
  department: string;
  title: string;
  location: string;
  /** Identity id of the manager; '' only for the root (top of the reporting tree). */
  manager: string;
  employmentType: string;
}

export interface EnterpriseRole {
  /** `birthright`, `dept:<d>`, `title:<d>:<t>`, `loc:<l>` or `proj:<name>`. */
  id: string;
  kind: RoleKind;
  /** Entitlement names, ascending (JavaScript string order). */
  entitlements: string[];
  /** Identity ids, in identity order. */
  members: string[];
  /**
   * Who gets the role: `true`, `department='X'`, `department='X' and title='Y'`, `location='Z'`,
   * or `project='p'` (projects are not identity attributes: no attribute rule explains them).
   */
  rule: string;
}

export interface GrantPairs {
  identity: Uint32Array;
  entitlement: Uint32Array;
}

export interface Enterprise {
  /** In id order; ids are `u` + zero-padded index (width max(6, digits)), so id order = string order. */
  identities: EnterpriseIdentity[];
  /** The planted truth: birthright, then each department followed by its titles, locations, projects. */
  roles: EnterpriseRole[];
  /**
   * Observed grants: indices into `identities` / `entitlementNames`, each pair at most once, in a
   * seeded shuffled order (the row order of grants.csv and grants.arrow). = role-implied - missing + stray.
   */
  grants: GrantPairs;
  /** Ascending (JavaScript string order), so indices equal the ids a reader would assign. */
  entitlementNames: string[];
  /** The planted noise grants (included in `grants`), sorted by identity then entitlement. */
  stray: GrantPairs;
  /** Role-implied grants that were removed (not in `grants`), sorted by identity. */
  missing: GrantPairs;
}

const DEFAULT_STRAY_RATE = 0.02;
const DEFAULT_MISSING_RATE = 0.01;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** The default department, location and project counts for a given number of identities. */
export function defaultCounts(identities: number): { departments: number; locations: number; projects: number } {
  const r = Math.sqrt(identities);
  return {
    departments: clamp(Math.round(r / 10), 6, 64),
    locations: clamp(Math.round(r / 15), 4, 40),
    projects: Math.max(3, Math.round(identities / 120)),
  };
}

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`generate: ${name} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

function checkRate(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new UsageError(`generate: ${name} must be a number in [0, 1], got ${v}`);
  return v;
}

// Title slots within a department (index into Dept.titles): track t level l -> 3t + l.
const T_MANAGER = 6;
const T_DIRECTOR = 7;
const T_VP = 8;
const T_INTERN = 9;
const TITLES_PER_DEPT = 10;
const EMPLOYMENT = ['employee', 'contractor', 'intern'] as const;

interface RoleDef {
  id: string;
  kind: RoleKind;
  rule: string;
  ents: number[]; // provisional entitlement ids
}

interface Dept {
  name: string;
  slug: string;
  family: Family;
  titles: string[];
  role: number; // provisional role id; its titles are role + 1 + t
  homeLoc: number;
}

/** Provisional entitlement registry: names in first-use order. */
function departmentName(d: number): { family: Family; name: string } {
  const F = FAMILIES.length;
  const family = FAMILIES[d % F]!;
  const round = Math.floor(d / F);
  if (round === 0) return { family, name: family.name };
  const r = (round - 1) % REGIONS.length;
  const rep = Math.floor((round - 1) / REGIONS.length);
  return { family, name: `${family.name} ${REGIONS[r]}${rep > 0 ? ` ${rep + 1}` : ''}` };
}

function locationName(l: number): string {
  const base = LOCATIONS[l % LOCATIONS.length]!;
  const rep = Math.floor(l / LOCATIONS.length);
  return rep > 0 ? `${base} ${rep + 1}` : base;
}

function projectName(k: number, taken: Set<string>): string {
  const C = CODENAMES.length;
  const A = ADJECTIVES.length;
  let name = k < C ? CODENAMES[k]! : `${ADJECTIVES[(k - C) % A]}-${CODENAMES[Math.floor((k - C) / A) % C]}`;
  if (taken.has(name)) name = `${name}-${k}`;
  taken.add(name);
  return name;
}

/**
 * Builds a synthetic enterprise. Throws UsageError on bad options. Cost is linear in the number of
 * grants; 450,000 identities take a few seconds.
 */
export function generateEnterprise(opts: GenerateOptions): Enterprise {
  const N = checkInt('identities', opts.identities, 1, 50_000_000);
  if (typeof opts.seed !== 'number' || !Number.isFinite(opts.seed)) throw new UsageError(`generate: seed must be a finite number, got ${opts.seed}`);
  const strayRate = checkRate('strayRate', opts.strayRate, DEFAULT_STRAY_RATE);
  const missingRate = checkRate('missingRate', opts.missingRate, DEFAULT_MISSING_RATE);
  const dflt = defaultCounts(N);
  const D = checkInt('departments', opts.departments ?? dflt.departments, 1, 10_000);
  const L = checkInt('locations', opts.locations ?? dflt.locations, 1, 10_000);
  const P = checkInt('projects', opts.projects ?? dflt.projects, 0, 10_000_000);
  const rng = new Rng(opts.seed);

  // ---- 1. Vocabulary and planted roles (provisional ids; unused ones are pruned in step 4) ----
  const ents = new Interner();
  const roleDefs: RoleDef[] = [];
  const addRole = (id: string, kind: RoleKind, rule: string, names: string[]): number => {
    roleDefs.push({ id, kind, rule, ents: [...new Set(names)].map((n) => ents.id(n)) });
    return roleDefs.length - 1;
  };
  addRole('birthright', 'birthright', 'true', [...BIRTHRIGHT]);

  const locNames = Array.from({ length: L }, (_, l) => locationName(l));
  const locWeights = locNames.map((_, l) => 1 / Math.pow(l + 1, 0.8));
  const locPicker = new WeightedPicker(locWeights);

  const depts: Dept[] = [];
  const deptWeights: number[] = [];
  for (let d = 0; d < D; d++) {
    const { family, name } = departmentName(d);
    const s = slug(name);
    deptWeights.push((0.75 + 0.5 * rng.float()) / Math.pow(d + 1, 0.6));
    // One entitlement per (app, resource, level); `{d}` resources are this department's own.
    const slots = family.apps.flatMap(([app, resources, levels]) =>
      resources.map((r) => (level: number) => `${app}:${r.replace('{d}', s)}:${levels[level]}`),
    );
    const perm = slots.map((_, k) => k);
    rng.shuffle(perm);
    const slot = (k: number, level: number): string => slots[perm[k % perm.length]!]!(level);
    const tn = family.tracks;
    const titles = [
      tn[0], `Senior ${tn[0]}`, `Lead ${tn[0]}`, tn[1], `Senior ${tn[1]}`, `Lead ${tn[1]}`,
      `${family.short} Manager`, `Director of ${family.name}`, `VP of ${family.name}`, `${family.short} Intern`,
    ];
    const role = addRole(`dept:${s}`, 'department', `department='${name}'`, [
      `ad:grp-${s}-all`, `slack:chan-${s}:member`, `sharepoint:site-${s}:member`,
      slot(0, 0), slot(1, 0), slot(2, 0),
    ]);
    depts.push({ name, slug: s, family, titles, role, homeLoc: locPicker.pick(rng) });
    const titleEnts: string[][] = [];
    for (let t = 0; t < 2; t++) {
      // Each track works in its own random slots: 3 at level 1 for all; Senior adds level 2 on the
      // first; Lead adds level 2 on the second and a fourth slot at level 1 (roles nest, like real ones).
      const tp = slots.map((_, k) => k);
      rng.shuffle(tp);
      const ts = (k: number, level: number): string => slots[tp[k % tp.length]!]!(level);
      const base = [`ad:grp-${s}-${slug(tn[t]!)}`, ts(0, 1), ts(1, 1), ts(2, 1)];
      titleEnts.push(base, [...base, ts(0, 2)], [...base, ts(0, 2), ts(1, 2), ts(3, 1)]);
    }
    const mgmt = [`ad:grp-${s}-managers`, `workday:team-${s}:manager`, `concur:approvals-${s}:approver`];
    const lp = slots.map((_, k) => k);
    rng.shuffle(lp);
    const ls = (k: number, level: number): string => slots[lp[k % lp.length]!]!(level);
    titleEnts.push(
      [...mgmt, ls(0, 2), ls(1, 2)],
      [...mgmt, `workday:comp-${s}:planner`, ls(0, 2), ls(1, 3)],
      [...mgmt, `workday:comp-${s}:planner`, `anaplan:budget-${s}:owner`, ls(0, 3), ls(1, 3)],
      [`lms:course-${s}-intern:enrolled`, slot(3, 0)],
    );
    for (let t = 0; t < TITLES_PER_DEPT; t++) {
      addRole(`title:${s}:${slug(titles[t]!)}`, 'title', `department='${name}' and title='${titles[t]}'`, titleEnts[t]!);
    }
  }
  const deptPicker = new WeightedPicker(deptWeights);

  // Location roles: the largest few offices that people badge into.
  const locRole = new Int32Array(L).fill(-1);
  const nLocRoles = clamp(Math.round(L / 4), Math.min(L, 2), 8);
  for (let l = 0, made = 0; l < L && made < nLocRoles; l++) {
    const name = locNames[l]!;
    if (name.startsWith('Remote')) continue;
    const s = slug(name);
    locRole[l] = addRole(`loc:${s}`, 'location', `location='${name}'`, [
      `badge:site-${s}:access`, `print:queue-${s}:print`, `wifi:ssid-${s}-corp:connect`, `ad:grp-loc-${s}`,
    ]);
    made++;
  }

  // Projects: 1-3 home departments, lognormal popularity.
  const projRole = new Uint32Array(P);
  const projWeight = new Float64Array(P);
  const deptProjects: number[][] = depts.map(() => []);
  const taken = new Set<string>();
  for (let p = 0; p < P; p++) {
    const name = projectName(p, taken);
    const list = [`jira:proj-${name}:member`, `confluence:space-${name}:editor`, `slack:chan-proj-${name}:member`];
    if (rng.chance(0.5)) list.push(`gdrive:folder-${name}:editor`);
    if (rng.chance(0.3)) list.push(`github:repo-${name}:write`);
    projRole[p] = addRole(`proj:${name}`, 'project', `project='${name}'`, list);
    projWeight[p] = Math.exp(0.8 * rng.normal());
    const homes = 1 + rng.int(3);
    for (let h = 0; h < homes; h++) {
      const d = deptPicker.pick(rng);
      const dp = deptProjects[d]!;
      if (dp[dp.length - 1] !== p) dp.push(p);
    }
  }
  const globalProjects = P > 0 ? new WeightedPicker(projWeight) : null;
  const deptProjPicker = deptProjects.map((ps) => (ps.length ? new WeightedPicker(ps.map((p) => projWeight[p]!)) : null));

  // ---- 2. Identities: department, location, employment type ----
  const deptOf = new Uint32Array(N);
  const locOf = new Uint32Array(N);
  const empOf = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const d = deptPicker.pick(rng);
    deptOf[i] = d;
    locOf[i] = rng.chance(0.55) ? depts[d]!.homeLoc : locPicker.pick(rng);
    const u = rng.float();
    empOf[i] = u < 0.86 ? 0 : u < 0.97 ? 1 : 2;
  }

  // Members per department (counting sort), then titles and the reporting tree.
  const deptStart = new Uint32Array(D + 1);
  for (let i = 0; i < N; i++) deptStart[deptOf[i]! + 1]!++;
  for (let d = 0; d < D; d++) deptStart[d + 1]! += deptStart[d]!;
  const byDept = new Uint32Array(N);
  {
    const fill = deptStart.slice(0, D);
    for (let i = 0; i < N; i++) byDept[fill[deptOf[i]!]!++] = i;
  }
  const titleOf = new Uint8Array(N);
  const managerOf = new Int32Array(N).fill(-1);
  let rootDept = 0;
  for (let d = 1; d < D; d++) {
    if (deptStart[d + 1]! - deptStart[d]! > deptStart[rootDept + 1]! - deptStart[rootDept]!) rootDept = d;
  }
  for (let d = 0; d < D; d++) {
    const a = deptStart[d]!;
    const n = deptStart[d + 1]! - a;
    if (n === 0) continue;
    for (let k = n - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      const x = byDept[a + k]!;
      byDept[a + k] = byDept[a + j]!;
      byDept[a + j] = x;
    }
    const nDir = n >= 40 ? Math.max(1, Math.round(n / 60)) : 0;
    const nMgr = n >= 6 ? Math.max(1, Math.round(n / 9)) : 0;
    // The shuffled segment reads: VP, directors, managers, then everyone else.
    const vp = byDept[a]!;
    const dirAt = a + 1;
    const mgrAt = dirAt + nDir;
    const icAt = mgrAt + nMgr;
    for (let k = a; k < a + n; k++) {
      const i = byDept[k]!;
      if (k < icAt) {
        empOf[i] = 0; // leaders are employees
        titleOf[i] = k === a ? T_VP : k < mgrAt ? T_DIRECTOR : T_MANAGER;
        managerOf[i] = k === a ? -2 : k < mgrAt ? vp : nDir > 0 ? byDept[dirAt + rng.int(nDir)]! : vp;
      } else {
        if (empOf[i] === 2) titleOf[i] = T_INTERN;
        else {
          const track = rng.chance(0.55) ? 0 : 1;
          const u = rng.float();
          let level = u < 0.55 ? 0 : u < 0.85 ? 1 : 2;
          if (empOf[i] === 1 && level === 2) level = 1;
          titleOf[i] = 3 * track + level;
        }
        managerOf[i] = nMgr > 0 ? byDept[mgrAt + rng.int(nMgr)]! : nDir > 0 ? byDept[dirAt + rng.int(nDir)]! : vp;
      }
    }
  }
  const root = byDept[deptStart[rootDept]!]!; // the VP of the largest department (N >= 1)
  for (let d = 0; d < D; d++) {
    if (deptStart[d + 1]! > deptStart[d]!) {
      const vp = byDept[deptStart[d]!]!;
      managerOf[vp] = vp === root ? -1 : root;
    }
  }

  // ---- 3. Role assignment (provisional role ids), at most 4 + 3 roles per identity ----
  const MAX_ROLES = 7;
  const provRoles = new Uint32Array(N * MAX_ROLES);
  const provCount = new Uint8Array(N);
  const projPicks = [0, 0, 0];
  for (let i = 0; i < N; i++) {
    const d = deptOf[i]!;
    const base = i * MAX_ROLES;
    let c = 0;
    provRoles[base + c++] = 0;
    provRoles[base + c++] = depts[d]!.role;
    provRoles[base + c++] = depts[d]!.role + 1 + titleOf[i]!;
    const lr = locRole[locOf[i]!]!;
    if (lr >= 0) provRoles[base + c++] = lr;
    if (globalProjects) {
      const u = rng.float();
      const want = u < 0.5 ? 0 : u < 0.85 ? 1 : u < 0.97 ? 2 : 3;
      let got = 0;
      const local = deptProjPicker[d];
      for (let w = 0; w < want; w++) {
        for (let attempt = 0; attempt < 4; attempt++) {
          const p = local && rng.chance(0.75) ? deptProjects[d]![local.pick(rng)]! : globalProjects.pick(rng);
          let dup = false;
          for (let g = 0; g < got; g++) if (projPicks[g] === p) dup = true;
          if (!dup) {
            projPicks[got++] = p;
            provRoles[base + c++] = projRole[p]!;
            break;
          }
        }
      }
    }
    provCount[i] = c;
  }

  // ---- 4. Prune roles without members and entitlements only they held; canonical entitlement ids ----
  const R0 = roleDefs.length;
  const memberCount = new Uint32Array(R0);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < provCount[i]!; k++) memberCount[provRoles[i * MAX_ROLES + k]!]!++;
  }
  const roleMap = new Int32Array(R0).fill(-1);
  const kept: RoleDef[] = [];
  const entUsed = new Uint8Array(ents.names.length);
  for (let r = 0; r < R0; r++) {
    if (memberCount[r]! > 0) {
      roleMap[r] = kept.length;
      kept.push(roleDefs[r]!);
      for (const e of roleDefs[r]!.ents) entUsed[e] = 1;
    }
  }
  const entitlementNames = ents.names.filter((_, e) => entUsed[e]).sort();
  const entMap = new Int32Array(ents.names.length).fill(-1);
  entitlementNames.forEach((name, e) => (entMap[ents.index.get(name)!] = e));
  const R = kept.length;
  const E = entitlementNames.length;
  const roleEnts = kept.map((def) => Uint32Array.from(def.ents, (e) => entMap[e]!).sort());

  // Final per-identity role lists (CSR).
  const roleStart = new Uint32Array(N + 1);
  for (let i = 0; i < N; i++) roleStart[i + 1] = roleStart[i]! + provCount[i]!;
  const roleList = new Uint32Array(roleStart[N]!);
  for (let i = 0, o = 0; i < N; i++) {
    for (let k = 0; k < provCount[i]!; k++) roleList[o++] = roleMap[provRoles[i * MAX_ROLES + k]!]!;
  }

  // ---- 5. Role-implied grants, per identity (CSR, deduplicated with a stamp array) ----
  let bound = 0;
  for (let k = 0; k < roleList.length; k++) bound += roleEnts[roleList[k]!]!.length;
  const impStart = new Uint32Array(N + 1);
  let impEnt = new Uint32Array(bound);
  const stamp = new Uint32Array(E);
  let M = 0;
  for (let i = 0; i < N; i++) {
    const mark = i + 1;
    for (let k = roleStart[i]!; k < roleStart[i + 1]!; k++) {
      const list = roleEnts[roleList[k]!]!;
      for (let j = 0; j < list.length; j++) {
        const e = list[j]!;
        if (stamp[e] !== mark) {
          stamp[e] = mark;
          impEnt[M++] = e;
        }
      }
    }
    impStart[i + 1] = M;
  }
  if (M < bound) impEnt = impEnt.slice(0, M);

  // ---- 6. Noise: exactly round(missingRate * M) removed, round(strayRate * M) strays added ----
  const removed = new Uint8Array(M);
  const nMissing = Math.round(missingRate * M);
  sampleFlags(removed, nMissing, rng);
  const missing = { identity: new Uint32Array(nMissing), entitlement: new Uint32Array(nMissing) };
  for (let i = 0, o = 0; i < N; i++) {
    for (let k = impStart[i]!; k < impStart[i + 1]!; k++) {
      if (removed[k]) (missing.identity[o] = i), (missing.entitlement[o++] = impEnt[k]!);
    }
  }
  const stray = drawStrays(Math.round(strayRate * M), N, E, impStart, impEnt, rng);

  // ---- 7. Observed grants = implied - missing + stray, then a seeded shuffle of the rows ----
  const G = M - nMissing + stray.identity.length;
  const gi = new Uint32Array(G);
  const ge = new Uint32Array(G);
  let o = 0;
  for (let i = 0; i < N; i++) {
    for (let k = impStart[i]!; k < impStart[i + 1]!; k++) {
      if (!removed[k]) (gi[o] = i), (ge[o++] = impEnt[k]!);
    }
  }
  gi.set(stray.identity, o);
  ge.set(stray.entitlement, o);
  rng.shuffleTogether(gi, ge);

  // ---- 8. Plain objects for identities and roles ----
  const width = Math.max(6, String(N - 1).length);
  const ids = Array.from({ length: N }, (_, i) => 'u' + String(i).padStart(width, '0'));
  const identities: EnterpriseIdentity[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const dept = depts[deptOf[i]!]!;
    identities[i] = {
      id: ids[i]!,
      department: dept.name,
      title: dept.titles[titleOf[i]!]!,
      location: locNames[locOf[i]!]!,
      manager: managerOf[i]! >= 0 ? ids[managerOf[i]!]! : '',
      employmentType: EMPLOYMENT[empOf[i]!]!,
    };
  }
  const members: string[][] = Array.from({ length: R }, () => []);
  for (let i = 0; i < N; i++) {
    for (let k = roleStart[i]!; k < roleStart[i + 1]!; k++) members[roleList[k]!]!.push(ids[i]!);
  }
  const roles: EnterpriseRole[] = kept.map((def, r) => ({
    id: def.id,
    kind: def.kind,
    entitlements: Array.from(roleEnts[r]!, (e) => entitlementNames[e]!),
    members: members[r]!,
    rule: def.rule,
  }));

  return { identities, roles, grants: { identity: gi, entitlement: ge }, entitlementNames, stray, missing };
}

/** Sets exactly k of the flags (uniformly at random); for k > n/2 it picks the n - k to leave clear. */
export function sampleFlags(flags: Uint8Array, k: number, rng: Rng): void {
  const n = flags.length;
  if (k <= 0) return;
  if (k >= n) return void flags.fill(1);
  const invert = k > n / 2;
  const want = invert ? n - k : k;
  const v = invert ? 0 : 1;
  if (invert) flags.fill(1);
  for (let got = 0; got < want; ) {
    const j = rng.int(n);
    if (flags[j] !== v) (flags[j] = v), got++;
  }
}

/**
 * `count` distinct (identity, entitlement) pairs that no role of the identity implies, sorted by
 * identity then entitlement. Capped at the N * E - M free cells; draws by rejection, or from the
 * list of free cells when the request is more than half of them (only possible for tiny N * E).
 */
function drawStrays(count: number, N: number, E: number, impStart: Uint32Array, impEnt: Uint32Array, rng: Rng): GrantPairs {
  const M = impEnt.length;
  const free = N * E - M;
  const k = Math.min(count, free);
  const implied = (i: number, e: number): boolean => {
    for (let t = impStart[i]!; t < impStart[i + 1]!; t++) if (impEnt[t] === e) return true;
    return false;
  };
  let keys: Float64Array;
  if (k <= 0) keys = new Float64Array(0);
  else if (k * 2 <= free) {
    const chosen = new Set<number>();
    keys = new Float64Array(k);
    while (chosen.size < k) {
      const i = rng.int(N);
      const e = rng.int(E);
      const key = i * E + e;
      if (!chosen.has(key) && !implied(i, e)) {
        keys[chosen.size] = key;
        chosen.add(key);
      }
    }
  } else {
    const cells = new Float64Array(free);
    let c = 0;
    for (let i = 0; i < N; i++) for (let e = 0; e < E; e++) if (!implied(i, e)) cells[c++] = i * E + e;
    for (let t = 0; t < k; t++) {
      const j = t + rng.int(free - t);
      const x = cells[t]!;
      cells[t] = cells[j]!;
      cells[j] = x;
    }
    keys = cells.slice(0, k);
  }
  keys.sort();
  const out = { identity: new Uint32Array(k), entitlement: new Uint32Array(k) };
  for (let t = 0; t < k; t++) {
    out.identity[t] = Math.floor(keys[t]! / E);
    out.entitlement[t] = keys[t]! % E;
  }
  return out;
}
