/**
 * Role exports for governance systems: the roles of a model as files that midPoint, SailPoint
 * Identity Security Cloud and SCIM-speaking systems import, each with a parser back (for tests and
 * for checking an export before it is sent). Platform-neutral: the caller writes the files (the CLI
 * into `OUT/export/`, the browser demo as downloads). Deterministic: the same roles and options
 * give the same bytes (no timestamps; ids are name-based UUIDs; entitlements and members in
 * canonical order, roles in the order given).
 */
import { UsageError } from '../errors.js';
import type { ExportFile, ExportFormat, ExportOptions, ExportRole } from './common.js';
import { exportMidpoint } from './midpoint.js';
import { exportSailpoint } from './sailpoint.js';
import { exportScim } from './scim.js';

export type { ExportFile, ExportFormat, ExportOptions, ExportRole, ParsedRole } from './common.js';
export { splitEntitlement, joinEntitlement } from './common.js';
export { parseMidpoint, businessRoleOid, applicationRoleOid, MIDPOINT_BUSINESS_ROLE_ARCHETYPE, MIDPOINT_APPLICATION_ROLE_ARCHETYPE } from './midpoint.js';
export { parseSailpoint, sailpointEntitlement, sailpointCriteria } from './sailpoint.js';
export { parseScim, ROLEMILL_SCIM_ROLE, ROLEMILL_SCIM_EXTENSION } from './scim.js';
export { exportId, uuidV5, ROLEMILL_NAMESPACE } from './uuid.js';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['midpoint', 'sailpoint', 'scim'];

const WRITERS: Record<ExportFormat, (roles: readonly ExportRole[], options: ExportOptions) => ExportFile[]> = {
  midpoint: exportMidpoint,
  sailpoint: exportSailpoint,
  scim: exportScim,
};

/**
 * The files of each format asked for, formats in EXPORT_FORMATS order whatever the order asked (a
 * format asked twice is written once): `midpoint/roles.xml` and `midpoint/assignments.csv`,
 * `sailpoint/roles.csv`, `scim/roles.json`. Throws UsageError for an unknown format.
 */
export function exportRoles(roles: ExportRole[], formats: ExportFormat[], options: ExportOptions = {}): ExportFile[] {
  for (const f of formats) {
    if (!EXPORT_FORMATS.includes(f)) throw new UsageError(`unknown export format '${String(f)}': use ${EXPORT_FORMATS.join(', ')}`);
  }
  return EXPORT_FORMATS.filter((f) => formats.includes(f)).flatMap((f) => WRITERS[f](roles, options));
}
