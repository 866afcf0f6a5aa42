// Role exports for midPoint, SailPoint ISC and SCIM: each format read back gives the roles it was
// given, the bytes are the same on every call, hostile names stay text, entitlements split into
// application and value as documented, and ids are the name-based UUIDs any UUID library computes.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  exportRoles,
  parseMidpoint,
  parseSailpoint,
  parseScim,
  splitEntitlement,
  sailpointEntitlement,
  sailpointCriteria,
  businessRoleOid,
  applicationRoleOid,
  uuidV5,
  ROLEMILL_NAMESPACE,
  MIDPOINT_BUSINESS_ROLE_ARCHETYPE,
  MIDPOINT_APPLICATION_ROLE_ARCHETYPE,
  type ExportRole,
} from '../src/export/index.js';
import { sha1, NAMESPACE_URL } from '../src/export/uuid.js';
import { exportNames, ruleTerms } from '../src/export/common.js';
import { parseCsvRows as csvRecords } from '../src/output/csv.js';
import { parseXml } from '../src/export/xml.js';
import { ruleOf } from '../src/analysis/alignment.js';
import { UsageError } from '../src/errors.js';

const HOSTILE = '<img src=x onerror=alert(1)>';

const ROLES: ExportRole[] = [
  {
    id: 'R0001',
    name: 'Birthright',
    kind: 'birthright',
    description: 'held by 98% of identities',
    rule: 'birthright',
    owner: null,
    entitlements: ['mail:mailbox', 'ad:grp-all'],
    members: ['u2', 'u10', 'u1'],
  },
  {
    id: 'R0002',
    name: 'Sales Account Executive',
    kind: 'business',
    description: "department='Sales' and title='Account Executive', quality 91",
    rule: "department='Sales' and title='Account Executive'",
    owner: 'alice',
    entitlements: ['salesforce:profile:sales-user', 'ad:grp-sales'],
    members: ['carol', 'bob'],
  },
  { id: 'R0003', name: '', kind: 'technical', description: '', rule: null, owner: null, entitlements: ['vpn'], members: ['dave'] },
  {
    id: 'R0004',
    name: HOSTILE,
    kind: 'technical',
    description: 'Tom & Jerry\'s "quote" ]]> end\r\nsecond line',
    rule: "title='O''Brien & Co'",
    owner: "=cmd|' /C calc'!A0",
    entitlements: ['app:a:b', 'ad:<script>x</script>'],
    members: ['-x', 'e@vil', '"q"', HOSTILE],
  },
];

/** What each role reads back as: export names are unique (the empty name is the id), lists canonical. */
const EXPECTED = [
  { id: 'R0001', name: 'Birthright', entitlements: ['ad:grp-all', 'mail:mailbox'], members: ['u1', 'u10', 'u2'] },
  { id: 'R0002', name: 'Sales Account Executive', entitlements: ['ad:grp-sales', 'salesforce:profile:sales-user'], members: ['bob', 'carol'] },
  { id: 'R0003', name: 'R0003', entitlements: ['vpn'], members: ['dave'] },
  { id: 'R0004', name: HOSTILE, entitlements: ['ad:<script>x</script>', 'app:a:b'], members: ['"q"', '-x', HOSTILE, 'e@vil'] },
];
const details = (r: ExportRole) => ({ kind: r.kind, rule: r.rule, description: r.description, owner: r.owner });

const file = (roles: ExportRole[], path: string, options = {}) => {
  const f = exportRoles(roles, ['midpoint', 'sailpoint', 'scim'], options).find((x) => x.path === path);
  if (f === undefined) throw new Error(`no ${path}`);
  return f.text;
};

/** Python's ElementTree, an independent XML parser, when python3 is installed: the names and descriptions it reads. */
function pythonRead(xml: string): { status: number | null; out: string } | null {
  const script = [
    'import sys, json, xml.etree.ElementTree as ET',
    "ns = '{http://midpoint.evolveum.com/xml/ns/public/common/common-3}'",
    'root = ET.fromstring(sys.stdin.buffer.read())',
    "print(json.dumps([[r.findtext(ns + 'name'), r.findtext(ns + 'description')] for r in root.findall(ns + 'role')]))",
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { input: xml, encoding: 'utf8' });
  if (r.error !== undefined) return null;
  return { status: r.status, out: r.stdout };
}

describe('ids', () => {
  it('SHA-1 gives the FIPS 180-4 test vectors, across a block boundary too', () => {
    const hex = (s: string) => Array.from(sha1(new TextEncoder().encode(s)), (b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex('')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(hex('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
    expect(hex('a'.repeat(1000))).toBe('291e9a6c66994949b57ba5e650361e98fc36b1ba');
  });

  it('version-5 UUIDs equal Python uuid.uuid5', () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org'), and the values below from uuid.uuid5(ns, name).
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5(NAMESPACE_URL, 'urn:rolemill:export')).toBe(ROLEMILL_NAMESPACE);
    expect(businessRoleOid('R0007')).toBe('5468b351-50db-5e34-8f10-5d8d5218c154');
    expect(applicationRoleOid('ad:grp-sales')).toBe('7d3b1a21-e629-535f-b1bd-f3353ec512cb');
  });
});

describe('entitlements and rules', () => {
  it('the application is the part before the first separator', () => {
    expect(splitEntitlement('ad:grp-sales')).toEqual({ application: 'ad', value: 'grp-sales' });
    expect(splitEntitlement('app:a:b')).toEqual({ application: 'app', value: 'a:b' });
    expect(splitEntitlement('vpn')).toEqual({ application: '', value: 'vpn' });
    expect(splitEntitlement('sap/role:x', '/')).toEqual({ application: 'sap', value: 'role:x' });
    expect(splitEntitlement('ad:grp', '/')).toEqual({ application: '', value: 'ad:grp' });
    expect(splitEntitlement('ad::grp', '::')).toEqual({ application: 'ad', value: 'grp' });
    expect(splitEntitlement('ad:grp', '')).toEqual({ application: '', value: 'ad:grp' });
  });

  it('SailPoint writes Source|attribute|value', () => {
    expect(sailpointEntitlement('ad:grp-sales')).toBe('ad|memberOf|grp-sales');
    expect(sailpointEntitlement('app:a:b')).toBe('app|memberOf|a:b');
    expect(sailpointEntitlement('vpn')).toBe('|memberOf|vpn');
    expect(sailpointEntitlement('sap/role:x', { appSeparator: '/' })).toBe('sap|memberOf|role:x');
    expect(sailpointEntitlement('entra:Finance', { sailpointAttribute: 'groups' })).toBe('entra|groups|Finance');
  });

  it("rolemill's rules become ISC membership criteria where the syntax can carry them", () => {
    expect(sailpointCriteria("department='Sales' AND title='Account Executive'")).toBe("identity.department eq 'Sales' and identity.title eq 'Account Executive'");
    expect(sailpointCriteria("department='Sales' and title='Account Executive'")).toBe("identity.department eq 'Sales' and identity.title eq 'Account Executive'");
    expect(sailpointCriteria("title='O''Brien'")).toBe('identity.title eq "O\'Brien"');
    expect(sailpointCriteria('title=\'5" pipe O\'\'Neil\'')).toBe('');
    expect(sailpointCriteria("cost center='X'")).toBe('');
    expect(sailpointCriteria('birthright')).toBe('');
    expect(sailpointCriteria('true')).toBe('');
    expect(sailpointCriteria(null)).toBe('');
    expect(sailpointCriteria("department='Sales' or title='X'")).toBe('');
    expect(sailpointCriteria("department='Sales")).toBe('');
  });

  it('reads the rules alignment writes', () => {
    const terms = [
      { attribute: 'department', value: "R&D 'Labs'" },
      { attribute: 'title', value: 'a and b=c' },
    ];
    expect(ruleTerms(ruleOf(terms))).toEqual(terms);
    expect(ruleTerms(ruleOf([]))).toEqual([]);
  });
});

describe('exportRoles', () => {
  it('writes the files of the formats asked for, in a fixed order, each once', () => {
    expect(exportRoles(ROLES, ['scim', 'midpoint', 'scim']).map((f) => f.path)).toEqual(['midpoint/roles.xml', 'midpoint/assignments.csv', 'scim/roles.json']);
    expect(exportRoles(ROLES, [])).toEqual([]);
    expect(() => exportRoles(ROLES, ['ldif' as 'scim'])).toThrow(UsageError);
  });

  it('is deterministic: byte-identical on every call, whatever the order of entitlements and members', () => {
    const all = ['midpoint', 'sailpoint', 'scim'] as const;
    const a = exportRoles(ROLES, [...all]);
    expect(exportRoles(ROLES, [...all])).toEqual(a);
    const shuffled = ROLES.map((r) => ({ ...r, entitlements: [...r.entitlements].reverse(), members: [...r.members, ...r.members].reverse() }));
    expect(exportRoles(shuffled, [...all])).toEqual(a);
  });

  it('an empty role list', () => {
    expect(exportRoles([], ['midpoint', 'sailpoint', 'scim'])).toEqual([
      {
        path: 'midpoint/roles.xml',
        text:
          '<?xml version="1.0" encoding="UTF-8"?>\n' +
          '<c:objects xmlns="http://midpoint.evolveum.com/xml/ns/public/common/common-3"\n' +
          '\txmlns:c="http://midpoint.evolveum.com/xml/ns/public/common/common-3"\n' +
          '\txmlns:org="http://midpoint.evolveum.com/xml/ns/public/common/org-3">\n' +
          '</c:objects>\n',
      },
      { path: 'midpoint/assignments.csv', text: 'user,role_oid,role_name,role_identifier,relation\n' },
      { path: 'sailpoint/roles.csv', text: 'name,description,enabled,requestable,owner,entitlements,membershipCriteria,rolemillId,rolemillKind,rolemillRule\n' },
      {
        path: 'scim/roles.json',
        text: '{\n  "schemas": [\n    "urn:ietf:params:scim:api:messages:2.0:ListResponse"\n  ],\n  "totalResults": 0,\n  "startIndex": 1,\n  "itemsPerPage": 0,\n  "Resources": []\n}\n',
      },
    ]);
    expect(parseMidpoint(file([], 'midpoint/roles.xml'), file([], 'midpoint/assignments.csv'))).toEqual([]);
    expect(parseSailpoint(file([], 'sailpoint/roles.csv'))).toEqual([]);
    expect(parseScim(file([], 'scim/roles.json'))).toEqual([]);
  });

  it('names two roles share, or that an application role has, become "name (id)"', () => {
    const twins: ExportRole[] = [
      { ...ROLES[2]!, id: 'R0010', name: 'Sales' },
      { ...ROLES[2]!, id: 'R0011', name: 'Sales' },
      { ...ROLES[2]!, id: 'R0012', name: 'vpn' },
    ];
    expect(parseSailpoint(file(twins, 'sailpoint/roles.csv')).map((r) => r.name)).toEqual(['Sales (R0010)', 'Sales (R0011)', 'vpn']);
    expect(parseMidpoint(file(twins, 'midpoint/roles.xml')).map((r) => r.name)).toEqual(['Sales (R0010)', 'Sales (R0011)', 'vpn (R0012)']);
  });
});

describe('midPoint', () => {
  const xml = file(ROLES, 'midpoint/roles.xml');
  const csv = file(ROLES, 'midpoint/assignments.csv');

  it('reads back: ids, names, entitlements, members and owner from assignments.csv, kind, rule, description', () => {
    expect(parseMidpoint(xml, csv)).toEqual(
      ROLES.map((r, i) => ({ ...EXPECTED[i], ...details(r) })),
    );
    expect(parseMidpoint(xml).map((r) => r.members)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('one business role per rolemill role, one application role per entitlement, all drafts with the built-in archetypes', () => {
    const roles = parseXml(xml).children;
    expect(roles).toHaveLength(4 + 7);
    const archetypeOf = (r: (typeof roles)[number]) => r.children.find((c) => c.name === 'archetypeRef')?.attributes['oid'];
    expect(roles.filter((r) => archetypeOf(r) === MIDPOINT_APPLICATION_ROLE_ARCHETYPE)).toHaveLength(7);
    expect(roles.filter((r) => archetypeOf(r) === MIDPOINT_BUSINESS_ROLE_ARCHETYPE).map((r) => r.attributes['oid'])).toEqual(ROLES.map((r) => businessRoleOid(r.id)));
    for (const r of roles) expect(r.children.find((c) => c.name === 'lifecycleState')?.text).toBe('draft');
    // Application roles are grouped per application: no application, then ad, app, mail, salesforce.
    expect(roles.slice(0, 7).map((r) => r.children[0]!.text)).toEqual(['vpn', 'ad:<script>x</script>', 'ad:grp-all', 'ad:grp-sales', 'app:a:b', 'mail:mailbox', 'salesforce:profile:sales-user']);
  });

  it('writes a business role exactly so', () => {
    const one = file([ROLES[1]!], 'midpoint/roles.xml');
    const oid = businessRoleOid('R0002');
    const start = one.indexOf(`    <role oid="${oid}">`);
    expect(one.slice(start)).toBe(
      [
        `    <role oid="${oid}">`,
        '        <name>Sales Account Executive</name>',
        "        <description>department='Sales' and title='Account Executive', quality 91</description>",
        '        <documentation>rolemill-id: R0002',
        'rolemill-kind: business',
        "rolemill-rule: department='Sales' and title='Account Executive'</documentation>",
        '        <lifecycleState>draft</lifecycleState>',
        '        <assignment id="1">',
        '            <targetRef oid="00000000-0000-0000-0000-000000000321" relation="org:default" type="c:ArchetypeType"/>',
        '        </assignment>',
        '        <archetypeRef oid="00000000-0000-0000-0000-000000000321" relation="org:default" type="c:ArchetypeType"/>',
        '        <identifier>R0002</identifier>',
        '        <inducement id="2">',
        `            <targetRef oid="${applicationRoleOid('ad:grp-sales')}" relation="org:default" type="c:RoleType"/>`,
        '        </inducement>',
        '        <inducement id="3">',
        `            <targetRef oid="${applicationRoleOid('salesforce:profile:sales-user')}" relation="org:default" type="c:RoleType"/>`,
        '        </inducement>',
        '    </role>',
        '</c:objects>',
        '',
      ].join('\n'),
    );
    expect(file([ROLES[1]!], 'midpoint/assignments.csv')).toBe(
      'user,role_oid,role_name,role_identifier,relation\n' +
        `bob,${oid},Sales Account Executive,R0002,default\n` +
        `carol,${oid},Sales Account Executive,R0002,default\n` +
        `alice,${oid},Sales Account Executive,R0002,owner\n`,
    );
  });

  it('hostile names stay text: escaped in the XML, neutralised in the CSV', () => {
    expect(xml).not.toContain('<img');
    expect(xml).not.toContain('<script');
    expect(xml).not.toContain(']]>');
    expect(xml).toContain('<name>&lt;img src=x onerror=alert(1)&gt;</name>');
    expect(xml).toContain('<description>Tom &amp; Jerry\'s "quote" ]]&gt; end&#13;\nsecond line</description>');
    // Every tag in the file is one of ours.
    const tags = new Set([...xml.matchAll(/<\/?([A-Za-z:]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['archetypeRef', 'assignment', 'c:objects', 'description', 'documentation', 'identifier', 'inducement', 'lifecycleState', 'name', 'role', 'targetRef']);
    const rows = csvRecords(csv);
    const hostileOid = businessRoleOid('R0004');
    expect(rows.filter((r) => r[1] === hostileOid)).toEqual([
      ['"q"', hostileOid, HOSTILE, 'R0004', 'default'],
      ["'-x", hostileOid, HOSTILE, 'R0004', 'default'],
      [HOSTILE, hostileOid, HOSTILE, 'R0004', 'default'],
      ['e@vil', hostileOid, HOSTILE, 'R0004', 'default'],
      ["'=cmd|' /C calc'!A0", hostileOid, HOSTILE, 'R0004', 'owner'],
    ]);
    expect(csv).toContain('"""q"""');
  });

  it('a character XML cannot carry becomes U+FFFD; the document stays well-formed', () => {
    const bad = file([{ ...ROLES[2]!, name: 'a\u0001b\uD800c' }], 'midpoint/roles.xml');
    expect(parseMidpoint(bad)[0]!.name).toBe('a\uFFFDb\uFFFDc');
  });

  it.skipIf(pythonRead('<a/>') === null)('is well-formed for an independent parser (Python ElementTree), which reads the same names', () => {
    const r = pythonRead(xml)!;
    expect(r.status).toBe(0);
    const read = JSON.parse(r.out) as [string, string | null][];
    expect(read.slice(7)).toEqual([
      ['Birthright', 'held by 98% of identities'],
      ['Sales Account Executive', "department='Sales' and title='Account Executive', quality 91"],
      ['R0003', null],
      [HOSTILE, 'Tom & Jerry\'s "quote" ]]> end\r\nsecond line'],
    ]);
  });

  it('the reader refuses what is not well-formed', () => {
    expect(() => parseXml('<a><b></a>')).toThrow();
    expect(() => parseXml('<a>x < y</a>')).toThrow();
    expect(() => parseXml('<a>x & y</a>')).toThrow();
    expect(() => parseXml('<a>]]></a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow();
  });
});

describe('SailPoint ISC', () => {
  const csv = file(ROLES, 'sailpoint/roles.csv');

  it('reads back: ids, names, entitlements, owner, kind, rule, description (no members: ISC derives them)', () => {
    expect(parseSailpoint(csv)).toEqual(ROLES.map((r, i) => ({ id: EXPECTED[i]!.id, name: EXPECTED[i]!.name, entitlements: EXPECTED[i]!.entitlements, ...details(r) })));
  });

  it('writes the role import CSV exactly so, quoting cells with , ; " or line breaks and neutralising formulas', () => {
    expect(csv.split('\n')).toEqual([
      'name,description,enabled,requestable,owner,entitlements,membershipCriteria,rolemillId,rolemillKind,rolemillRule',
      'Birthright,held by 98% of identities,false,false,,"ad|memberOf|grp-all;mail|memberOf|mailbox",,R0001,birthright,birthright',
      "Sales Account Executive,\"department='Sales' and title='Account Executive', quality 91\",false,false,alice,\"ad|memberOf|grp-sales;salesforce|memberOf|profile:sales-user\",identity.department eq 'Sales' and identity.title eq 'Account Executive',R0002,business,department='Sales' and title='Account Executive'",
      'R0003,,false,false,,|memberOf|vpn,,R0003,technical,',
      `${HOSTILE},"Tom & Jerry's ""quote"" ]]> end\r`,
      `second line",false,false,'=cmd|' /C calc'!A0,"ad|memberOf|<script>x</script>;app|memberOf|a:b","identity.title eq ""O'Brien & Co""",R0004,technical,title='O''Brien & Co'`,
      '',
    ]);
  });

  it('takes the separator and attribute from the options, both ways', () => {
    const roles: ExportRole[] = [{ ...ROLES[2]!, entitlements: ['sap/role:x', 'plain'] }];
    const options = { appSeparator: '/', sailpointAttribute: 'groups' };
    const text = file(roles, 'sailpoint/roles.csv', options);
    expect(csvRecords(text)[1]![5]).toBe('|groups|plain;sap|groups|role:x');
    expect(parseSailpoint(text, options)[0]!.entitlements).toEqual(['plain', 'sap/role:x']);
  });
});

describe('SCIM', () => {
  const json = file(ROLES, 'scim/roles.json');

  it('reads back: ids, names, entitlements, members and the extension', () => {
    expect(parseScim(json)).toEqual(ROLES.map((r, i) => ({ ...EXPECTED[i], ...details(r) })));
  });

  it('writes a ListResponse of role resources exactly so', () => {
    const one = JSON.parse(file([ROLES[1]!], 'scim/roles.json')) as unknown;
    expect(one).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
      Resources: [
        {
          schemas: ['urn:rolemill:scim:schemas:core:1.0:Role', 'urn:rolemill:scim:schemas:extension:1.0:Role'],
          id: businessRoleOid('R0002'),
          externalId: 'R0002',
          displayName: 'Sales Account Executive',
          entitlements: [
            { value: 'ad:grp-sales', display: 'grp-sales', type: 'ad' },
            { value: 'salesforce:profile:sales-user', display: 'profile:sales-user', type: 'salesforce' },
          ],
          members: [{ value: 'bob' }, { value: 'carol' }],
          meta: { resourceType: 'Role' },
          'urn:rolemill:scim:schemas:extension:1.0:Role': {
            kind: 'business',
            rule: "department='Sales' and title='Account Executive'",
            description: "department='Sales' and title='Account Executive', quality 91",
            owner: 'alice',
          },
        },
      ],
    });
    // Key order is fixed, with 2-space indent and a trailing newline.
    const text = file([ROLES[2]!], 'scim/roles.json');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.stringify(JSON.parse(text), null, 2) + '\n').toBe(text);
    expect(Object.keys((JSON.parse(text) as { Resources: object[] }).Resources[0]!)).toEqual([
      'schemas', 'id', 'externalId', 'displayName', 'entitlements', 'members', 'meta', 'urn:rolemill:scim:schemas:extension:1.0:Role',
    ]);
    expect(text).toContain('"entitlements": [\n        {\n          "value": "vpn"\n        }\n      ]');
  });
});

describe('export names', () => {
  it('are unique even when a suffixed name is another role\'s name or a taken one', () => {
    const role = (id: string, name: string) => ({ id, name, kind: 'business', description: '', rule: null, owner: null, entitlements: ['a:b'], members: [] });
    const names = exportNames([role('R1', 'X'), role('R2', 'X'), role('R3', 'X (R1)'), role('R4', ''), role('R5', 'Y')], new Set(['Y']));
    expect(names).toEqual(['X (R1) 2', 'X (R2)', 'X (R1)', 'R4', 'Y (R5)']);
    expect(new Set(names).size).toBe(names.length);
  });
});
