/**
 * SCIM-style export: `scim/roles.json`, a SCIM 2.0 `ListResponse` (RFC 7644 section 3.4.2) of role
 * resources. SCIM 2.0 defines no Role resource (RFC 7643 has only `roles` and `entitlements` as
 * User attributes), so the resource type is rolemill's own, shaped like a Group: `displayName`
 * (exportNames, as in the other formats),
 * `members` (`{value}`: the identity name, since the target system's user ids are unknown here),
 * and `entitlements` as RFC 7643 section 4.1.2 writes them on a User (`value`: the entitlement name;
 * `display`: its value without the application; `type`: its application, both absent when the name
 * has none). `id` is a name-based UUID of the role id (uuid.ts), `externalId` the rolemill id.
 * rolemill's kind, rule, description and owner sit in an extension (RFC 7643 section 3.3) under
 * ROLEMILL_SCIM_EXTENSION. Keys are in a fixed order, 2-space indent, trailing newline.
 */
import { canonical, exportNames, splitEntitlement, type ExportFile, type ExportOptions, type ExportRole, type ParsedRole } from './common.js';
import { businessRoleOid } from './midpoint.js';

export const SCIM_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ROLEMILL_SCIM_ROLE = 'urn:rolemill:scim:schemas:core:1.0:Role';
export const ROLEMILL_SCIM_EXTENSION = 'urn:rolemill:scim:schemas:extension:1.0:Role';

interface ScimEntitlement {
  value: string;
  display?: string;
  type?: string;
}

export function exportScim(roles: readonly ExportRole[], options: ExportOptions = {}): ExportFile[] {
  const names = exportNames(roles);
  const resources = roles.map((role, r) => ({
    schemas: [ROLEMILL_SCIM_ROLE, ROLEMILL_SCIM_EXTENSION],
    id: businessRoleOid(role.id),
    externalId: role.id,
    displayName: names[r]!,
    entitlements: canonical(role.entitlements).map((e): ScimEntitlement => {
      const { application, value } = splitEntitlement(e, options.appSeparator);
      return application === '' ? { value: e } : { value: e, display: value, type: application };
    }),
    members: canonical(role.members).map((m) => ({ value: m })),
    meta: { resourceType: 'Role' },
    [ROLEMILL_SCIM_EXTENSION]: { kind: role.kind, rule: role.rule, description: role.description, owner: role.owner },
  }));
  const list = {
    schemas: [SCIM_LIST_RESPONSE],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
  return [{ path: 'scim/roles.json', text: JSON.stringify(list, null, 2) + '\n' }];
}

interface ScimResource {
  externalId?: string;
  id?: string;
  displayName?: string;
  entitlements?: ScimEntitlement[];
  members?: { value: string }[];
  [extension: string]: unknown;
}

/** The roles of a `roles.json` this module wrote: id (externalId), name, entitlements, members, and the extension's fields. */
export function parseScim(json: string): ParsedRole[] {
  const list = JSON.parse(json) as { Resources?: ScimResource[] };
  return (list.Resources ?? []).map((r) => {
    const ext = (r[ROLEMILL_SCIM_EXTENSION] ?? {}) as { kind?: string; rule?: string | null; description?: string; owner?: string | null };
    return {
      id: r.externalId ?? r.id ?? '',
      name: r.displayName ?? '',
      kind: ext.kind ?? '',
      rule: ext.rule ?? null,
      description: ext.description ?? '',
      owner: ext.owner ?? null,
      entitlements: (r.entitlements ?? []).map((e) => e.value),
      members: (r.members ?? []).map((m) => m.value),
    };
  });
}
