/**
 * Scores a mined output folder against the planted truth of the sample it was mined from: the
 * review-precision figures of noise-tolerant mining (bench/precision.js, test/precision.test.ts). Reads
 * only files: SAMPLE/truth/*.csv (written by `rolemill generate [--governance]` and by
 * generateVaried) and OUT/*.csv (written by `rolemill mine`), so it scores any miner's output and
 * any generator that writes that truth layout.
 *
 * Figures (identities are the model's: an account is mapped to its identity through OUT/accounts.csv):
 * - precision: exceptions left for review (rare_entitlement, outside_roles, unexplained, outlier; not
 *   the governance set-asides nor over_assigned) that are planted stray grants;
 * - recall: planted strays found among the exceptions of any reason but over_assigned;
 * - planted: planted roles with 5+ members whose best-matching mined role has entitlement Jaccard >= 0.9;
 * - roles / planted roles (human roles: every kind but non-human); birthright roles;
 * - nonHumanRoles: roles of kind non-human (the generators' non-human access is random: 0 expected);
 * - gaps: over_assigned pairs that are planted missing grants.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvRecords as csvRecords } from '../output/csv.js';
import { unneutralise } from '../output/csv.js';

/** Records of a CSV file written by a generator or by `mine` (parseCsvRecords, src/output/csv.ts). */
export function readCsv(path: string): Record<string, string>[] {
  return csvRecords(readFileSync(path, 'utf8'));
}

const REVIEW = new Set(['rare_entitlement', 'outside_roles', 'unexplained', 'outlier']);
const un = unneutralise; // rolemill neutralises formula-like names in CSV output

export function scoreFolder(sampleDir: string, outDir: string) {
  const truth = (f: string) => join(sampleDir, 'truth', f);
  const accounts = existsSync(join(outDir, 'accounts.csv')) ? readCsv(join(outDir, 'accounts.csv')) : [];
  const idOf = new Map(accounts.map((a) => [un(a.account), un(a.identity)]));
  const ident = (a: string) => idOf.get(a) ?? a;
  const key = (i: string, e: string) => `${i}\u0000${e}`;
  const strays = new Set(readCsv(truth('stray.csv')).map((r) => key(ident(r.identity), r.entitlement)));
  const missing = new Set(readCsv(truth('missing.csv')).map((r) => key(ident(r.identity), r.entitlement)));
  const exceptions = readCsv(join(outDir, 'exceptions.csv'));
  let review = 0, reviewStray = 0, over = 0, gaps = 0;
  const found = new Set<string>();
  const byReason: Record<string, number> = {};
  for (const x of exceptions) {
    const k = key(un(x.identity), un(x.entitlement));
    byReason[x.reason] = (byReason[x.reason] ?? 0) + 1;
    if (x.reason === 'over_assigned') {
      over++;
      if (missing.has(k)) gaps++;
      continue;
    }
    if (strays.has(k)) found.add(k);
    if (REVIEW.has(x.reason)) {
      review++;
      if (strays.has(k)) reviewStray++;
    }
  }
  // Planted roles and their entitlements.
  const plantedRoles = readCsv(truth('roles.csv'));
  const plantedEnts = new Map<string, Set<string>>();
  for (const r of readCsv(truth('role_entitlements.csv'))) {
    if (!plantedEnts.has(r.role)) plantedEnts.set(r.role, new Set());
    plantedEnts.get(r['role']!)!.add(r['entitlement']!);
  }
  const roles = readCsv(join(outDir, 'roles.csv'));
  const minedEnts = new Map(roles.map((r) => [r['role']!, new Set<string>()]));
  for (const r of readCsv(join(outDir, 'role_entitlements.csv'))) minedEnts.get(r.role)?.add(un(r.entitlement));
  const human = roles.filter((r) => r.kind !== 'non-human');
  // Not identifiable from the data: a department where one title's planted access is held by 80%+
  // of the department (a single job ladder spanning it: junior, senior = junior + more, lead =
  // senior + more). That title's access is then department-wide access in the grants, so the
  // department role and its ladder cannot be told from (department + base title) and increments.
  const deptOf = (rule: string): string | null => /^department='((?:[^']|'')*)'/.exec(rule)?.[1] ?? null;
  const members = new Map<string, string[]>();
  for (const a of readCsv(truth('assignments.csv'))) (members.get(a['role']!) ?? members.set(a['role']!, []).get(a['role']!)!).push(a['identity']!);
  const ambiguous = new Set<string | null>();
  for (const d of plantedRoles.filter((r) => r.kind === 'department')) {
    const dept = deptOf(d.rule);
    const titles = plantedRoles.filter((r) => r.kind === 'title' && deptOf(r.rule) === dept);
    const size = (members.get(d.role) ?? []).length;
    for (const t of titles) {
      const P = plantedEnts.get(t.role) ?? new Set();
      let holders = 0;
      for (const u of titles) if ([...P].every((e) => plantedEnts.get(u.role)?.has(e))) holders += (members.get(u.role) ?? []).length;
      if (size > 0 && holders >= 0.8 * size) ambiguous.add(dept);
    }
  }
  let planted = 0, matched = 0, identifiable = 0, identifiableMatched = 0;
  const unmatched: string[] = [];
  for (const p of plantedRoles) {
    if (Number(p.member_count) < 5) continue;
    planted++;
    const clear = !(p.kind === 'department' || p.kind === 'title') || !ambiguous.has(deptOf(p.rule));
    if (clear) identifiable++;
    const P = plantedEnts.get(p.role) ?? new Set();
    let best = 0;
    for (const r of human) {
      const M = minedEnts.get(r.role);
      let inter = 0;
      for (const e of M!) if (P.has(e)) inter++;
      const j = inter / (P.size + M!.size - inter);
      if (j > best) best = j;
    }
    if (best >= 0.9) matched++, clear && identifiableMatched++;
    else unmatched.push(`${p.role} (${best.toFixed(2)})${clear ? '' : ' (not identifiable)'}`);
  }
  return {
    plantedRoles: plantedRoles.length,
    roles: human.length,
    rolesRatio: human.length / plantedRoles.length,
    birthrightRoles: roles.filter((r) => r.kind === 'birthright').length,
    nonHumanRoles: roles.length - human.length,
    strays: strays.size,
    review,
    precision: review ? reviewStray / review : 1,
    recall: strays.size ? found.size / strays.size : 1,
    planted: planted ? matched / planted : 1,
    identifiable: identifiable ? identifiableMatched / identifiable : 1,
    identifiableRoles: identifiable,
    overAssigned: over,
    gaps: over ? gaps / over : null,
    byReason,
    unmatched: unmatched.slice(0, 8),
  };
}
