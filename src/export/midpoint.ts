/**
 * midPoint export: `midpoint/roles.xml`, one `<objects>` file that `ninja import -i roles.xml`
 * (or the GUI's Import object) reads, and `midpoint/assignments.csv`, who should hold which role.
 *
 * What is written, checked against Evolveum/midpoint (common-core-3.xsd, and the built-in
 * archetypes in repo/system-init/src/main/resources/initial-objects/archetype/):
 * - the `<c:objects>` wrapper and namespaces that ninja's own export writes (NinjaUtils.XML_OBJECTS_PREFIX);
 * - per entitlement, an application role: a RoleType with the built-in Application role archetype
 *   (028-archetype-application-role.xml, OID 00000000-0000-0000-0000-000000000328), the entitlement
 *   as its name and identifier; grouped per application (sorted by application, then value). It has
 *   no construction: binding it to a resource is the midPoint engineer's step;
 * - per rolemill role, a business role: a RoleType with the built-in Business role archetype
 *   (022-archetype-business-role.xml, OID 00000000-0000-0000-0000-000000000321), the rolemill id as
 *   its identifier, its description, rolemill's id, kind and rule in `documentation`, and one
 *   inducement per entitlement to that entitlement's application role;
 * - every role in lifecycle state `draft`: a proposal for review, inactive until approved.
 * The archetype is given the way midPoint itself stores it (model-intest mining/import/roles.xml):
 * an assignment to the archetype, plus the operational `archetypeRef` that a recompute would set,
 * because ninja imports raw (no recompute) and the GUI finds business roles by `archetypeRef`.
 * Elements follow the schema's sequence: name, description, documentation, lifecycleState,
 * assignment, archetypeRef, identifier, inducement. OIDs are name-based UUIDs (uuid.ts):
 * `role:<rolemill id>` and `entitlement:<entitlement>`, so re-importing (`ninja import -O`) updates
 * the same objects. Names are unique per type in midPoint: see exportNames.
 *
 * Members: a midPoint role does not list its members (a user holds an assignment to the role), so
 * they go to `assignments.csv`, one line per (user, role): `user,role_oid,role_name,role_identifier,relation`,
 * relation `default` for members and `owner` for the role's owner. That is what a midPoint admin
 * feeds a later bulk assignment (a CSV resource or a bulk action keyed by user name and role OID)
 * once the roles are approved. CSV cells are written like every rolemill CSV (output/csv.ts).
 */
import { csvLine, parseCsvRecords, unneutralise } from '../output/csv.js';
import { canonical, exportNames, splitEntitlement, type ExportFile, type ExportOptions, type ExportRole, type ParsedRole } from './common.js';
import { exportId } from './uuid.js';
import { childrenNamed, escapeAttribute as attr, escapeText as text, parseXml, type XmlElement } from './xml.js';
import { compareNames } from '../util/names.js';

/** Built-in archetype OIDs (midPoint initial objects 022 and 028). */
export const MIDPOINT_BUSINESS_ROLE_ARCHETYPE = '00000000-0000-0000-0000-000000000321';
export const MIDPOINT_APPLICATION_ROLE_ARCHETYPE = '00000000-0000-0000-0000-000000000328';

const COMMON_NS = 'http://midpoint.evolveum.com/xml/ns/public/common/common-3';
const ORG_NS = 'http://midpoint.evolveum.com/xml/ns/public/common/org-3';
const ASSIGNMENTS_HEADER = ['user', 'role_oid', 'role_name', 'role_identifier', 'relation'];

/** The OID of a rolemill role's business role, and of an entitlement's application role. */
export const businessRoleOid = (roleId: string): string => exportId(`role:${roleId}`);
export const applicationRoleOid = (entitlement: string): string => exportId(`entitlement:${entitlement}`);

const ref = (oid: string, type: string) => `<targetRef oid="${attr(oid)}" relation="org:default" type="c:${type}"/>`;

function archetype(oid: string): string[] {
  return [
    '        <assignment id="1">',
    `            ${ref(oid, 'ArchetypeType')}`,
    '        </assignment>',
    `        <archetypeRef oid="${attr(oid)}" relation="org:default" type="c:ArchetypeType"/>`,
  ];
}

/** One line per field; a line break inside a value becomes a space (the field is one line). */
const docLine = (key: string, value: string) => `rolemill-${key}: ${value.replace(/\r\n|[\r\n]/g, ' ')}`;

export function exportMidpoint(roles: readonly ExportRole[], options: ExportOptions = {}): ExportFile[] {
  const separator = options.appSeparator;
  const entitlements = canonical(roles.flatMap((r) => r.entitlements))
    .map((e) => ({ e, ...splitEntitlement(e, separator) }))
    .sort((x, y) => compareNames(x.application, y.application) || compareNames(x.value, y.value));
  const names = exportNames(roles, new Set(entitlements.map((x) => x.e)));
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<c:objects xmlns="${COMMON_NS}"`,
    `\txmlns:c="${COMMON_NS}"`,
    `\txmlns:org="${ORG_NS}">`,
  ];
  for (const { e, application, value } of entitlements) {
    const of = application === '' ? 'with no application in its name' : `of application '${application}'`;
    lines.push(
      `    <role oid="${attr(applicationRoleOid(e))}">`,
      `        <name>${text(e)}</name>`,
      `        <description>${text(`Application role for entitlement '${value}' ${of}, proposed by rolemill.`)}</description>`,
      '        <lifecycleState>draft</lifecycleState>',
      ...archetype(MIDPOINT_APPLICATION_ROLE_ARCHETYPE),
      `        <identifier>${text(e)}</identifier>`,
      '    </role>',
    );
  }
  const assignments = [csvLine(ASSIGNMENTS_HEADER)];
  roles.forEach((role, r) => {
    const oid = businessRoleOid(role.id);
    const doc = [docLine('id', role.id), docLine('kind', role.kind), ...(role.rule === null ? [] : [docLine('rule', role.rule)])];
    lines.push(`    <role oid="${attr(oid)}">`, `        <name>${text(names[r]!)}</name>`);
    if (role.description !== '') lines.push(`        <description>${text(role.description)}</description>`);
    lines.push(`        <documentation>${text(doc.join('\n'))}</documentation>`, '        <lifecycleState>draft</lifecycleState>');
    lines.push(...archetype(MIDPOINT_BUSINESS_ROLE_ARCHETYPE), `        <identifier>${text(role.id)}</identifier>`);
    canonical(role.entitlements).forEach((e, k) => {
      lines.push(`        <inducement id="${k + 2}">`, `            ${ref(applicationRoleOid(e), 'RoleType')}`, '        </inducement>');
    });
    lines.push('    </role>');
    for (const m of canonical(role.members)) assignments.push(csvLine([m, oid, names[r]!, role.id, 'default']));
    if (role.owner !== null) assignments.push(csvLine([role.owner, oid, names[r]!, role.id, 'owner']));
  });
  lines.push('</c:objects>');
  return [
    { path: 'midpoint/roles.xml', text: lines.join('\n') + '\n' },
    { path: 'midpoint/assignments.csv', text: assignments.join('') },
  ];
}

const one = (e: XmlElement, name: string): string | undefined => childrenNamed(e, name)[0]?.text;
const targetOid = (e: XmlElement): string | undefined => childrenNamed(e, 'targetRef')[0]?.attributes['oid'];

/**
 * The business roles of a `roles.xml` this module wrote, in file order: id (identifier), name,
 * description, kind and rule (from documentation), entitlements (the inducements' application
 * roles). With the `assignments.csv` text, also members and owner.
 */
export function parseMidpoint(xml: string, assignmentsCsv?: string): ParsedRole[] {
  const root = parseXml(xml);
  const applicationRoles = new Map<string, string>();
  const business: XmlElement[] = [];
  for (const role of childrenNamed(root, 'role')) {
    const archetypes = childrenNamed(role, 'assignment').map(targetOid);
    if (archetypes.includes(MIDPOINT_APPLICATION_ROLE_ARCHETYPE)) applicationRoles.set(role.attributes['oid'] ?? '', one(role, 'identifier') ?? '');
    else if (archetypes.includes(MIDPOINT_BUSINESS_ROLE_ARCHETYPE)) business.push(role);
  }
  const byOid = new Map<string, { members: string[]; owner: string | null }>();
  if (assignmentsCsv !== undefined) {
    for (const row of parseCsvRecords(assignmentsCsv)) {
      const oid = unneutralise(row['role_oid'] ?? '');
      const entry = byOid.get(oid) ?? { members: [], owner: null };
      byOid.set(oid, entry);
      if (row['relation'] === 'owner') entry.owner = unneutralise(row['user'] ?? '');
      else entry.members.push(unneutralise(row['user'] ?? ''));
    }
  }
  return business.map((role) => {
    const fields = new Map<string, string>();
    for (const line of (one(role, 'documentation') ?? '').split('\n')) {
      const m = /^rolemill-([a-z]+): (.*)$/.exec(line);
      if (m !== null) fields.set(m[1]!, m[2]!);
    }
    const parsed: ParsedRole = {
      id: one(role, 'identifier') ?? fields.get('id') ?? '',
      name: one(role, 'name') ?? '',
      kind: fields.get('kind') ?? '',
      rule: fields.get('rule') ?? null,
      description: one(role, 'description') ?? '',
      entitlements: childrenNamed(role, 'inducement').map((i) => {
        const oid = targetOid(i) ?? '';
        const e = applicationRoles.get(oid);
        if (e === undefined) throw new Error(`midPoint export: an inducement targets ${oid}, which is not an application role in the file`);
        return e;
      }),
    };
    if (assignmentsCsv !== undefined) {
      const a = byOid.get(role.attributes['oid'] ?? '');
      parsed.members = a?.members ?? [];
      parsed.owner = a?.owner ?? null;
    }
    return parsed;
  });
}
