/**
 * SailPoint Identity Security Cloud export: `sailpoint/roles.csv` in the role import format of the
 * "SailPoint Identity Security Cloud" VS Code extension (yannick-beot-sp/vscode-sailpoint-identitynow:
 * README.md "Roles", src/commands/role/RoleImporter.ts and ExportRoles.ts), the community tool
 * that imports and exports ISC roles as CSV.
 *
 * Columns, in the order its export writes them: `name`, `description`, `enabled`, `requestable`,
 * `owner`, `entitlements`, `membershipCriteria`; then `rolemillId`, `rolemillKind`, `rolemillRule`,
 * which its importer does not read (it reads cells by header name) and which keep the rolemill id.
 * - `name`: exportNames (unique). `enabled` and `requestable` are `false`: proposals for review.
 * - `owner`: an ISC identity name, required by the importer; empty when the role has none (the
 *   importer then reports that row and goes on).
 * - `entitlements`: `Source|attribute|value` items separated by `;` (src/utils/entitlementUtils.ts
 *   stringToEntitlementConverter): the source is the entitlement's application (the part before the
 *   first separator; empty when there is none), the attribute is `options.sailpointAttribute`
 *   (default `memberOf`: the entitlement attribute of Active Directory sources; set it to the
 *   source schema's entitlement attribute, e.g. `groups`), the value the rest of the name. The
 *   importer looks the entitlement up by source, attribute and ISC entitlement *name*. A value
 *   holding `|` or `;` cannot be expressed (the importer splits on them).
 * - `membershipCriteria`: the role's attribute rule in the extension's filter syntax (README
 *   "Membership criteria", src/parser/parser.ts): `identity.department eq 'Sales' and identity.title
 *   eq 'Account Executive'`, the rolemill attribute taken as the ISC identity attribute of the same
 *   name. Empty for a rule that holds for everyone (birthright: ISC has no "everyone" criterion), for
 *   no rule, and where the syntax cannot carry a term (an attribute that is not a plain name, a value
 *   holding both `'` and `"`): the rule itself stays in `rolemillRule`.
 * Cells are RFC 4180 fields, neutralised against spreadsheet formulas (output/csv.ts `neutralise`),
 * and also quoted when they hold `;`, because the extension's reader (src/services/CSVReader.ts)
 * takes both `,` and `;` as delimiters. Members are not carried: ISC derives them from the criteria.
 */
import { neutralise, parseCsvRecords, quoteField, unneutralise } from '../output/csv.js';
import { canonical, exportNames, joinEntitlement, ruleTerms, splitEntitlement, type ExportFile, type ExportOptions, type ExportRole, type ParsedRole } from './common.js';

export const SAILPOINT_COLUMNS = ['name', 'description', 'enabled', 'requestable', 'owner', 'entitlements', 'membershipCriteria', 'rolemillId', 'rolemillKind', 'rolemillRule'] as const;
export const DEFAULT_SAILPOINT_ATTRIBUTE = 'memberOf';

const NEEDS_QUOTES = /[",;\r\n]/;

/** One cell: neutralised, quoted (quotes doubled) when it holds `"`, `,`, `;`, CR or LF (the importer splits on `;` too). */
export function sailpointCell(value: string): string {
  return quoteField(neutralise(value), NEEDS_QUOTES);
}

/** `Source|attribute|value` for one entitlement. */
export function sailpointEntitlement(entitlement: string, options: ExportOptions = {}): string {
  const { application, value } = splitEntitlement(entitlement, options.appSeparator);
  return [application, options.sailpointAttribute ?? DEFAULT_SAILPOINT_ATTRIBUTE, value].join('|');
}

/** The rule as ISC membership criteria, or '' where it has none (see the module comment). */
export function sailpointCriteria(rule: string | null): string {
  const terms = ruleTerms(rule);
  if (terms === null || terms.length === 0) return '';
  const parts: string[] = [];
  for (const { attribute, value } of terms) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(attribute)) return '';
    const quote = !value.includes("'") ? "'" : !value.includes('"') ? '"' : null;
    if (quote === null) return '';
    parts.push(`identity.${attribute} eq ${quote}${value}${quote}`);
  }
  return parts.join(' and ');
}

export function exportSailpoint(roles: readonly ExportRole[], options: ExportOptions = {}): ExportFile[] {
  const names = exportNames(roles);
  const line = (cells: readonly string[]) => cells.map(sailpointCell).join(',') + '\n';
  let out = line(SAILPOINT_COLUMNS);
  roles.forEach((role, r) => {
    out += line([
      names[r]!,
      role.description,
      'false',
      'false',
      role.owner ?? '',
      canonical(role.entitlements).map((e) => sailpointEntitlement(e, options)).join(';'),
      sailpointCriteria(role.rule),
      role.id,
      role.kind,
      role.rule ?? '',
    ]);
  });
  return [{ path: 'sailpoint/roles.csv', text: out }];
}

/**
 * The roles of a `roles.csv` this module wrote, in file order: id (rolemillId, else name), name,
 * description, owner, kind, rule and entitlements (joined back with `options.appSeparator`).
 * No members: the format does not carry them.
 */
export function parseSailpoint(csv: string, options: ExportOptions = {}): ParsedRole[] {
  return parseCsvRecords(csv).map((row) => {
    const cell = (k: string) => unneutralise(row[k] ?? '');
    const entitlements = cell('entitlements') === '' ? [] : cell('entitlements').split(';').map((item) => {
      const parts = item.split('|');
      // Source|attribute|value; the older Source|value; a value is everything after the second bar.
      const [source, value] = parts.length >= 3 ? [parts[0]!, parts.slice(2).join('|')] : [parts[0]!, parts[1] ?? ''];
      return joinEntitlement(source, value, options.appSeparator);
    });
    return {
      id: cell('rolemillId') || cell('name'),
      name: cell('name'),
      kind: cell('rolemillKind'),
      rule: cell('rolemillRule') === '' ? null : cell('rolemillRule'),
      description: cell('description'),
      owner: cell('owner') === '' ? null : cell('owner'),
      entitlements,
    };
  });
}
