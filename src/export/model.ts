/**
 * The roles of an output's tables (as written: roles with its description columns,
 * role_entitlements, assignments) as ExportRoles: what `--export` sends to a governance system.
 * A roles table with an `owner` column (a reviewer's) gives each role its owner; a rejected role
 * (status column) is not exported. Platform-neutral.
 */
import type { TableView } from '../report/data.js';
import type { ExportRole } from './common.js';

export function exportRolesOf(tables: Map<string, TableView>): ExportRole[] {
  const roles = tables.get('roles');
  if (!roles) return [];
  const col = (name: string) => roles.text(name);
  const [id, name, kind, rule, quality, members, status, owner, precision] = ['role', 'name', 'kind', 'rule', 'quality', 'member_count', 'status', 'owner', 'rule_precision'].map(col) as ((r: number) => string)[];
  const ents = new Map<string, string[]>();
  const re = tables.get('role_entitlements');
  if (re) for (let k = 0, r = re.text('role'), e = re.text('entitlement'); k < re.length; k++) (ents.get(r(k)) ?? ents.set(r(k), []).get(r(k))!).push(e(k));
  const mem = new Map<string, string[]>();
  const as = tables.get('assignments');
  if (as) for (let k = 0, r = as.text('role'), i = as.text('identity'); k < as.length; k++) (mem.get(r(k)) ?? mem.set(r(k), []).get(r(k))!).push(i(k));
  const out: ExportRole[] = [];
  for (let r = 0; r < roles.length; r++) {
    if (status(r).trim().toLowerCase() === 'rejected') continue;
    const facts = [`mined by rolemill: ${members(r)} members`, quality(r) ? `quality ${quality(r)}` : '', rule(r) ? `rule ${rule(r)}${precision(r) ? ` (precision ${precision(r)})` : ''}` : ''].filter((x) => x);
    out.push({
      id: id(r),
      name: name(r),
      kind: kind(r),
      description: facts.join('; '),
      rule: rule(r) || null,
      owner: owner(r) || null,
      entitlements: ents.get(id(r)) ?? [],
      members: mem.get(id(r)) ?? [],
    });
  }
  return out;
}
