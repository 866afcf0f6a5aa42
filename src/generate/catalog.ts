/**
 * Static vocabulary for the synthetic enterprise: department families with their job tracks and
 * applications, office locations, project code names and the birthright bundle.
 *
 * Contract: plain data, no randomness here. Names hold no comma, quote, CR or LF (CSV-safe), and no
 * leading `= + - @` (so output writers never need to neutralise them). Entitlement names are built
 * as `app:resource:level` from `AppSpec`s; `{d}` in a resource stands for the department slug, so a
 * resource without `{d}` (e.g. SAP `fi-gl`) is shared by every department of that family, which
 * makes departments overlap the way real ones do.
 */

/** An application: its name, resources, and four access levels from least to most privileged. */
export type AppSpec = readonly [app: string, resources: readonly string[], levels: readonly [string, string, string, string]];

export interface Family {
  /** Department name (regional copies get a suffix, e.g. `Sales EMEA`). */
  name: string;
  /** Short form for titles: `${short} Manager`, `${short} Intern`. */
  short: string;
  /** Two individual-contributor job tracks; titles are `X`, `Senior X`, `Lead X`. */
  tracks: readonly [string, string];
  apps: readonly AppSpec[];
}

/**
 * Department families in rough order of typical headcount (the generator weights department i by
 * about 1/(i+1)^0.6, so Engineering and Sales are the largest).
 */
export const FAMILIES: readonly Family[] = [
  {
    name: 'Engineering', short: 'Engineering', tracks: ['Software Engineer', 'Site Reliability Engineer'],
    apps: [
      ['github', ['repo-{d}-core', 'repo-{d}-web', 'repo-platform-libs'], ['read', 'triage', 'write', 'admin']],
      ['aws', ['acct-{d}-dev', 'acct-{d}-prod'], ['readonly', 'developer', 'poweruser', 'admin']],
      ['jenkins', ['folder-{d}'], ['view', 'build', 'configure', 'admin']],
      ['k8s', ['ns-{d}'], ['view', 'edit', 'admin', 'cluster-admin']],
      ['pagerduty', ['service-{d}'], ['observer', 'responder', 'manager', 'owner']],
      ['datadog', ['org-main'], ['read-only', 'standard', 'admin', 'org-admin']],
    ],
  },
  {
    name: 'Sales', short: 'Sales', tracks: ['Account Executive', 'Sales Development Representative'],
    apps: [
      ['salesforce', ['obj-opportunity', 'obj-account', 'report-{d}-pipeline', 'obj-quote'], ['read', 'edit', 'approve', 'admin']],
      ['gong', ['workspace-{d}'], ['viewer', 'member', 'manager', 'admin']],
      ['docusign', ['acct-{d}'], ['signer', 'sender', 'approver', 'admin']],
      ['salesnav', ['seat-{d}'], ['user', 'team-lead', 'manager', 'admin']],
      ['clari', ['forecast-{d}'], ['viewer', 'submitter', 'approver', 'admin']],
    ],
  },
  {
    name: 'Operations', short: 'Operations', tracks: ['Operations Analyst', 'Program Coordinator'],
    apps: [
      ['servicenow', ['queue-{d}', 'cmdb'], ['read', 'fulfil', 'approve', 'admin']],
      ['sap', ['mm-inventory', 'sd-orders'], ['read', 'post', 'approve', 'admin']],
      ['tableau', ['site-{d}'], ['viewer', 'explorer', 'creator', 'site-admin']],
      ['smartsheet', ['ws-{d}'], ['viewer', 'editor', 'admin', 'owner']],
    ],
  },
  {
    name: 'Customer Support', short: 'Support', tracks: ['Support Specialist', 'Technical Support Engineer'],
    apps: [
      ['zendesk', ['group-{d}', 'view-escalations'], ['light-agent', 'agent', 'team-lead', 'admin']],
      ['salesforce', ['svc-cases', 'obj-account'], ['read', 'edit', 'approve', 'admin']],
      ['intercom', ['inbox-{d}'], ['viewer', 'agent', 'manager', 'admin']],
      ['statuspage', ['page-main'], ['viewer', 'editor', 'publisher', 'admin']],
    ],
  },
  {
    name: 'Finance', short: 'Finance', tracks: ['Accountant', 'Financial Analyst'],
    apps: [
      ['sap', ['fi-gl', 'fi-ap', 'fi-ar', 'co-pa'], ['read', 'post', 'approve', 'admin']],
      ['concur', ['expense-{d}'], ['user', 'auditor', 'approver', 'admin']],
      ['blackline', ['recon-{d}'], ['viewer', 'preparer', 'reviewer', 'admin']],
      ['anaplan', ['model-plan-{d}'], ['viewer', 'editor', 'owner', 'workspace-admin']],
    ],
  },
  {
    name: 'Marketing', short: 'Marketing', tracks: ['Marketing Specialist', 'Content Strategist'],
    apps: [
      ['marketo', ['ws-{d}'], ['viewer', 'marketer', 'approver', 'admin']],
      ['hubspot', ['portal-{d}'], ['viewer', 'editor', 'publisher', 'super-admin']],
      ['google-ads', ['acct-{d}'], ['read-only', 'standard', 'admin', 'owner']],
      ['wordpress', ['site-www'], ['author', 'editor', 'publisher', 'administrator']],
      ['figma', ['team-brand'], ['viewer', 'editor', 'admin', 'owner']],
    ],
  },
  {
    name: 'Information Technology', short: 'IT', tracks: ['IT Support Technician', 'Systems Administrator'],
    apps: [
      ['okta', ['org-main'], ['read-only', 'helpdesk', 'app-admin', 'super-admin']],
      ['jamf', ['site-{d}'], ['auditor', 'technician', 'admin', 'full-admin']],
      ['intune', ['tenant-corp'], ['reader', 'operator', 'policy-admin', 'admin']],
      ['servicenow', ['queue-it-helpdesk', 'cmdb'], ['read', 'fulfil', 'approve', 'admin']],
      ['ad', ['ou-workstations'], ['read', 'join', 'gpo-edit', 'domain-admin']],
    ],
  },
  {
    name: 'Human Resources', short: 'HR', tracks: ['HR Generalist', 'Recruiter'],
    apps: [
      ['workday', ['hcm-{d}', 'hcm-comp', 'recruiting'], ['view', 'edit', 'approve', 'admin']],
      ['greenhouse', ['org-main'], ['interviewer', 'job-admin', 'site-admin-lite', 'site-admin']],
      ['adp', ['payroll-us'], ['view', 'process', 'approve', 'admin']],
      ['lattice', ['reviews-{d}'], ['viewer', 'editor', 'admin', 'super-admin']],
    ],
  },
  {
    name: 'Product Management', short: 'Product', tracks: ['Product Manager', 'Product Analyst'],
    apps: [
      ['jira', ['proj-roadmap-{d}'], ['browse', 'member', 'lead', 'admin']],
      ['amplitude', ['org-main'], ['viewer', 'member', 'manager', 'admin']],
      ['productboard', ['ws-{d}'], ['viewer', 'contributor', 'maker', 'admin']],
      ['github', ['repo-platform-libs'], ['read', 'triage', 'write', 'admin']],
    ],
  },
  {
    name: 'Manufacturing', short: 'Manufacturing', tracks: ['Production Technician', 'Manufacturing Engineer'],
    apps: [
      ['mes', ['line-{d}-a', 'line-{d}-b'], ['operator', 'supervisor', 'engineer', 'admin']],
      ['sap', ['pp-orders', 'mm-inventory'], ['read', 'post', 'approve', 'admin']],
      ['windchill', ['lib-{d}'], ['viewer', 'author', 'approver', 'admin']],
    ],
  },
  {
    name: 'Supply Chain', short: 'Supply Chain', tracks: ['Supply Planner', 'Logistics Coordinator'],
    apps: [
      ['sap', ['apo-planning', 'mm-purchasing', 'sd-orders'], ['read', 'post', 'approve', 'admin']],
      ['e2open', ['ws-{d}'], ['viewer', 'planner', 'approver', 'admin']],
      ['manhattan', ['wms-{d}'], ['viewer', 'operator', 'supervisor', 'admin']],
    ],
  },
  {
    name: 'Data Science', short: 'Data Science', tracks: ['Data Scientist', 'Data Engineer'],
    apps: [
      ['snowflake', ['db-analytics', 'db-raw', 'wh-{d}'], ['reader', 'analyst', 'transformer', 'sysadmin']],
      ['databricks', ['ws-{d}'], ['user', 'developer', 'admin', 'account-admin']],
      ['looker', ['model-{d}'], ['viewer', 'explorer', 'developer', 'admin']],
      ['airflow', ['dags-{d}'], ['viewer', 'user', 'op', 'admin']],
    ],
  },
  {
    name: 'Security', short: 'Security', tracks: ['Security Analyst', 'Security Engineer'],
    apps: [
      ['splunk', ['idx-security', 'idx-{d}'], ['user', 'power', 'sc-admin', 'admin']],
      ['crowdstrike', ['console-main'], ['analyst', 'responder', 'falcon-admin', 'admin']],
      ['vault', ['ns-{d}'], ['read', 'write', 'policy-admin', 'root']],
      ['aws', ['acct-security-audit'], ['readonly', 'developer', 'poweruser', 'admin']],
    ],
  },
  {
    name: 'Legal', short: 'Legal', tracks: ['Paralegal', 'Corporate Counsel'],
    apps: [
      ['ironclad', ['ws-{d}'], ['viewer', 'editor', 'approver', 'admin']],
      ['netdocuments', ['cab-{d}', 'cab-board'], ['view', 'edit', 'share', 'admin']],
      ['relativity', ['ws-litigation'], ['reviewer', 'case-manager', 'project-admin', 'admin']],
      ['docusign', ['acct-{d}'], ['signer', 'sender', 'approver', 'admin']],
    ],
  },
  {
    name: 'Procurement', short: 'Procurement', tracks: ['Buyer', 'Procurement Analyst'],
    apps: [
      ['coupa', ['po-{d}', 'suppliers'], ['requester', 'buyer', 'approver', 'admin']],
      ['sap', ['mm-purchasing'], ['read', 'post', 'approve', 'admin']],
      ['ariba', ['sourcing-{d}'], ['viewer', 'sourcer', 'approver', 'admin']],
    ],
  },
  {
    name: 'Quality Assurance', short: 'QA', tracks: ['QA Engineer', 'Quality Analyst'],
    apps: [
      ['testrail', ['proj-{d}'], ['tester', 'designer', 'lead', 'admin']],
      ['jira', ['proj-qa-{d}'], ['browse', 'member', 'lead', 'admin']],
      ['veeva', ['vault-quality'], ['viewer', 'author', 'approver', 'admin']],
    ],
  },
  {
    name: 'Facilities', short: 'Facilities', tracks: ['Facilities Coordinator', 'Workplace Specialist'],
    apps: [
      ['archibus', ['space-{d}'], ['viewer', 'editor', 'planner', 'admin']],
      ['envoy', ['visitors-main'], ['host', 'front-desk', 'manager', 'admin']],
      ['badge', ['console-main'], ['viewer', 'operator', 'issuer', 'admin']],
    ],
  },
  {
    name: 'Compliance', short: 'Compliance', tracks: ['Compliance Analyst', 'Compliance Officer'],
    apps: [
      ['archer', ['grc-{d}', 'policies'], ['viewer', 'contributor', 'reviewer', 'admin']],
      ['onetrust', ['privacy-main'], ['viewer', 'respondent', 'approver', 'admin']],
      ['sap', ['fi-gl'], ['read', 'post', 'approve', 'admin']],
    ],
  },
  {
    name: 'Internal Audit', short: 'Audit', tracks: ['Internal Auditor', 'IT Auditor'],
    apps: [
      ['auditboard', ['ws-{d}'], ['viewer', 'auditor', 'reviewer', 'admin']],
      ['sap', ['fi-gl', 'fi-ap'], ['read', 'post', 'approve', 'admin']],
      ['archer', ['policies'], ['viewer', 'contributor', 'reviewer', 'admin']],
    ],
  },
  {
    name: 'Treasury', short: 'Treasury', tracks: ['Treasury Analyst', 'Cash Management Specialist'],
    apps: [
      ['kyriba', ['ws-{d}'], ['viewer', 'initiator', 'approver', 'admin']],
      ['bankportal', ['jpm-accounts', 'citi-accounts'], ['view', 'initiate', 'release', 'admin']],
      ['sap', ['fi-gl'], ['read', 'post', 'approve', 'admin']],
    ],
  },
  {
    name: 'Tax', short: 'Tax', tracks: ['Tax Analyst', 'Tax Accountant'],
    apps: [
      ['onesource', ['ws-{d}'], ['viewer', 'preparer', 'reviewer', 'admin']],
      ['sap', ['fi-tax', 'fi-gl'], ['read', 'post', 'approve', 'admin']],
      ['vertex', ['tenant-main'], ['viewer', 'editor', 'approver', 'admin']],
    ],
  },
  {
    name: 'Communications', short: 'Communications', tracks: ['Communications Specialist', 'Writer'],
    apps: [
      ['cision', ['ws-{d}'], ['viewer', 'editor', 'publisher', 'admin']],
      ['sharepoint', ['site-newsroom'], ['visitor', 'member', 'owner', 'site-admin']],
      ['wordpress', ['site-www'], ['author', 'editor', 'publisher', 'administrator']],
    ],
  },
  {
    name: 'Business Development', short: 'Business Development', tracks: ['Partner Manager', 'Business Development Representative'],
    apps: [
      ['salesforce', ['obj-partner', 'obj-account'], ['read', 'edit', 'approve', 'admin']],
      ['crossbeam', ['org-{d}'], ['viewer', 'member', 'manager', 'admin']],
      ['docusign', ['acct-{d}'], ['signer', 'sender', 'approver', 'admin']],
    ],
  },
  {
    name: 'Design', short: 'Design', tracks: ['Product Designer', 'UX Researcher'],
    apps: [
      ['figma', ['team-{d}', 'team-brand'], ['viewer', 'editor', 'admin', 'owner']],
      ['dovetail', ['ws-{d}'], ['viewer', 'contributor', 'manager', 'admin']],
      ['miro', ['team-{d}'], ['viewer', 'editor', 'admin', 'owner']],
    ],
  },
  {
    name: 'Research', short: 'Research', tracks: ['Research Scientist', 'Lab Technician'],
    apps: [
      ['benchling', ['org-{d}'], ['reader', 'writer', 'reviewer', 'admin']],
      ['elabjournal', ['group-{d}'], ['viewer', 'editor', 'supervisor', 'admin']],
      ['hpc', ['queue-{d}', 'queue-gpu'], ['submit', 'priority', 'operator', 'admin']],
    ],
  },
  {
    name: 'Risk Management', short: 'Risk', tracks: ['Risk Analyst', 'Model Validator'],
    apps: [
      ['archer', ['risk-{d}', 'policies'], ['viewer', 'contributor', 'reviewer', 'admin']],
      ['moodys', ['riskcalc-main'], ['viewer', 'analyst', 'manager', 'admin']],
      ['snowflake', ['db-analytics'], ['reader', 'analyst', 'transformer', 'sysadmin']],
    ],
  },
  {
    name: 'Payroll', short: 'Payroll', tracks: ['Payroll Specialist', 'Payroll Analyst'],
    apps: [
      ['adp', ['payroll-us', 'payroll-intl'], ['view', 'process', 'approve', 'admin']],
      ['workday', ['hcm-comp', 'payroll-{d}'], ['view', 'edit', 'approve', 'admin']],
    ],
  },
  {
    name: 'Training', short: 'Training', tracks: ['Instructional Designer', 'Trainer'],
    apps: [
      ['cornerstone', ['catalog-{d}'], ['viewer', 'author', 'manager', 'admin']],
      ['articulate', ['team-{d}'], ['viewer', 'author', 'reviewer', 'admin']],
      ['lms', ['reports-all'], ['viewer', 'analyst', 'manager', 'admin']],
    ],
  },
];

/** Suffixes for regional copies of department families, once every family has been used. */
export const REGIONS: readonly string[] = ['EMEA', 'APAC', 'Americas', 'LATAM', 'North America', 'DACH', 'Nordics', 'India', 'Japan', 'ANZ'];

/**
 * Office locations, roughly by headcount. Names starting with `Remote` never get a location role
 * (no badge, printer or Wi-Fi to grant).
 */
export const LOCATIONS: readonly string[] = [
  'New York', 'London', 'Bangalore', 'San Francisco', 'Austin', 'Singapore', 'Berlin', 'Toronto', 'Dublin',
  'Remote US', 'Sydney', 'Chicago', 'Paris', 'Tokyo', 'Sao Paulo', 'Amsterdam', 'Warsaw', 'Tel Aviv',
  'Seattle', 'Boston', 'Remote EU', 'Atlanta', 'Denver', 'Hyderabad', 'Manila', 'Krakow', 'Madrid', 'Milan',
  'Zurich', 'Stockholm', 'Shanghai', 'Seoul', 'Hong Kong', 'Johannesburg', 'Dubai', 'Melbourne', 'Vancouver',
  'Montreal', 'Munich', 'Mexico City',
];

/** Project code names; later projects combine an adjective with a code name (`silver-apollo`). */
export const CODENAMES: readonly string[] = [
  'apollo', 'hermes', 'atlas', 'phoenix', 'orion', 'zephyr', 'nimbus', 'falcon', 'aurora', 'titan', 'nova', 'vega',
  'lyra', 'pegasus', 'helios', 'artemis', 'mercury', 'gemini', 'polaris', 'sirius', 'cobalt', 'quartz', 'onyx',
  'jade', 'ember', 'cascade', 'summit', 'harbor', 'beacon', 'compass', 'lighthouse', 'keystone', 'meridian',
  'horizon', 'catalyst', 'momentum', 'fusion', 'vertex', 'spectrum', 'pinnacle', 'sequoia', 'redwood', 'aspen',
  'cedar', 'willow', 'maple', 'birch', 'juniper', 'sparrow', 'osprey', 'kestrel', 'heron', 'raven', 'lynx',
  'panther', 'jaguar', 'cheetah', 'mustang', 'bison', 'orca', 'narwhal', 'marlin', 'manta', 'coral', 'tundra',
  'sahara', 'everest', 'kilimanjaro', 'fuji', 'andes', 'nile', 'amazon-river', 'danube', 'rhine', 'yukon',
];

export const ADJECTIVES: readonly string[] = [
  'silver', 'golden', 'crimson', 'azure', 'emerald', 'amber', 'scarlet', 'indigo', 'ivory', 'obsidian', 'swift',
  'bright', 'silent', 'rapid', 'bold', 'clear', 'deep', 'north', 'south', 'east', 'west', 'iron', 'copper',
  'velvet', 'frozen', 'hidden', 'lucky', 'brave', 'quiet', 'wild',
];

/** Everyone's access (the birthright role). */
export const BIRTHRIGHT: readonly string[] = [
  'ad:grp-all-staff', 'o365:mailbox:standard', 'vpn:globalprotect:user', 'intranet:portal:read',
  'slack:workspace-corp:member', 'okta:sso:user', 'zoom:license:basic', 'workday:self-service:worker',
];

/** Lower-case slug: letters and digits, runs of anything else as one `-`. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
