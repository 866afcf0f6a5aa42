/**
 * `rolemill mine`'s flags as values (strings and booleans, as parseOptions gives them) turned into
 * the run's options, with the command line's checks and messages: once, for the command line
 * (src/cli/run.ts) and the browser app (web-demo/options.ts), so the page's form and the command it
 * shows mean exactly what `rolemill mine` does with the same flags. Platform-neutral.
 */
import { UsageError } from '../errors.js';
import { DEFAULT_KIND_RULES } from '../governance/accounts.js';
import { parseAsOfOption, type GovernanceOptions } from '../governance/prepare.js';
import { EXPORT_FORMATS, type ExportFormat } from '../export/index.js';
import type { ApproxKnobs, RunOptions } from '../pipeline/mine.js';
import { choice, closest, decimal, toleranceValue, wholeNumber } from './args.js';
import { printable } from './terminal.js';

/** Options every command that reads grants takes: the inputs around them and how to treat them. */
export const GOVERNANCE_OPTIONS = {
  'identity-column': { type: 'string' },
  'entitlement-column': { type: 'string' },
  'input-format': { type: 'string' },
  identities: { type: 'string' },
  'identity-key': { type: 'string' },
  memberships: { type: 'string' },
  privileged: { type: 'string', multiple: true },
  'no-privileged': { type: 'boolean', default: false },
  'dormant-days': { type: 'string' },
  'as-of': { type: 'string' },
  'keep-dormant': { type: 'boolean', default: false },
  'keep-orphans': { type: 'boolean', default: false },
  'exclude-terminated': { type: 'boolean', default: false },
  'non-human': { type: 'string' },
  'include-app': { type: 'string', multiple: true },
  'exclude-app': { type: 'string', multiple: true },
  'exclude-entitlement': { type: 'string', multiple: true },
  where: { type: 'string', multiple: true },
  'app-separator': { type: 'string' },
} as const;

export type GovernanceValues = { [K in keyof typeof GOVERNANCE_OPTIONS]?: (typeof GOVERNANCE_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof GOVERNANCE_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

export function pattern(flag: string, v: string): RegExp {
  try {
    return new RegExp(v, 'i');
  } catch (e) {
    throw new UsageError(`--${flag} must be a regular expression: ${(e as Error).message}`);
  }
}

/**
 * The input and governance flags checked and turned into options, before anything is read (a
 * mistake in them fails before any work). `hasIdentities`: an identities file is given.
 */
export function governanceFlags(values: GovernanceValues, hasIdentities = values.identities !== undefined) {
  const inputFormat = choice('input-format', values['input-format'], ['csv', 'arrow', 'parquet', 'pairs'] as const);
  const nonHuman = choice('non-human', values['non-human'], ['separate', 'exclude'] as const);
  const days = wholeNumber('dormant-days', values['dormant-days'], 0, Number.MAX_SAFE_INTEGER, ' of days');
  if (values['no-privileged'] && values.privileged?.length) throw new UsageError('--privileged and --no-privileged contradict each other');
  const asOf = values['as-of'];
  if (asOf !== undefined) parseAsOfOption(asOf); // before any work: UsageError for a date that is not one
  const where = (values.where ?? []).map((w) => {
    const at = w.indexOf('=');
    if (at <= 0) throw new UsageError(`--where takes attribute=value, got '${printable(w)}'`);
    return { attribute: w.slice(0, at), value: w.slice(at + 1) };
  });
  if (where.length && !hasIdentities) throw new UsageError('--where needs --identities FILE');
  for (const [flag, v] of [['identity-column', values['identity-column']], ['entitlement-column', values['entitlement-column']], ['identity-key', values['identity-key']]] as const) {
    if (v !== undefined && v.trim() === '') throw new UsageError(`--${flag} must name a column, got an empty name`);
  }
  const separator = values['app-separator'];
  if (separator === '') throw new UsageError('--app-separator must not be empty');
  const list = (v: string[] | undefined) => (v ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
  const governance: Omit<GovernanceOptions, 'memberships' | 'table'> = {
    ...(separator ? { rules: { ...DEFAULT_KIND_RULES, appSeparator: separator } } : {}),
    ...(values['no-privileged'] ? { privileged: [] } : values.privileged?.length ? { privileged: values.privileged.map((p) => pattern('privileged', p)) } : {}),
    ...(days !== undefined ? { dormantDays: days } : {}),
    ...(asOf !== undefined ? { asOf } : {}),
    keepDormant: values['keep-dormant'] === true,
    keepOrphans: values['keep-orphans'] === true,
    excludeTerminated: values['exclude-terminated'] === true,
    ...(nonHuman ? { nonHuman } : {}),
    scope: {
      includeApps: list(values['include-app']),
      excludeApps: list(values['exclude-app']),
      excludeEntitlements: (values['exclude-entitlement'] ?? []).map((p) => pattern('exclude-entitlement', p)),
      where,
    },
  };
  return { values, inputFormat, governance };
}

/** `--export midpoint,sailpoint,scim` (repeatable, comma-separated) checked: every name a format rolemill writes. */
export function exportFormatsOf(v: string[] | undefined): ExportFormat[] {
  const names = (v ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
  for (const n of names) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(n)) {
      const near = closest(n, [...EXPORT_FORMATS]);
      throw new UsageError(`--export takes ${EXPORT_FORMATS.join(', ')} (comma-separated), got '${printable(n)}'${near ? `; did you mean ${near}?` : ''}`);
    }
  }
  return [...new Set(names)] as ExportFormat[];
}

/** The mining flags of `rolemill mine` (all strings, as given; absent: the default). */
export interface MineFlagValues {
  mode?: string | undefined;
  objective?: string | undefined;
  format?: string | undefined;
  'min-members'?: string | undefined;
  'min-entitlements'?: string | undefined;
  coverage?: string | undefined;
  'max-roles'?: string | undefined;
  birthright?: string | undefined;
  support?: string | undefined;
  'exception-cost'?: string | undefined;
  tolerance?: string | undefined;
  significance?: string | undefined;
  by?: string[] | undefined;
  'by-threshold'?: string | undefined;
  'by-min-members'?: string | undefined;
  'privileged-share'?: string | undefined;
}

/**
 * The mining flags checked and turned into the run's options (mode, objective, the approx knobs,
 * `by`, the privileged share) and the output format, with the command line's messages.
 */
export function mineFlags(values: MineFlagValues, hasIdentities: boolean) {
  const mode = choice('mode', values.mode ?? 'approx', ['approx', 'exact'] as const)!;
  const knobs = {
    minMembers: wholeNumber('min-members', values['min-members'], 1),
    minEntitlements: wholeNumber('min-entitlements', values['min-entitlements'], 1),
    coverage: decimal('coverage', values.coverage, 0, 1, true),
    maxRoles: wholeNumber('max-roles', values['max-roles'], 0),
    birthright: decimal('birthright', values.birthright, 0, 1),
    support: decimal('support', values.support, 0, 1, true),
    exceptionCost: decimal('exception-cost', values['exception-cost'], 0, 1000, true),
    tolerance: toleranceValue(values.tolerance),
    significance: decimal('significance', values.significance, 0, 0.5),
  };
  const approx = Object.fromEntries(Object.entries(knobs).filter(([, v]) => v !== undefined)) as ApproxKnobs;
  if (mode === 'exact' && Object.keys(approx).length) throw new UsageError(`${Object.keys(approx).join(', ')} apply to --mode approx only`);
  const objective = choice('objective', values.objective ?? 'roles', ['roles', 'wsc'] as const)!;
  const format = choice('format', values.format ?? 'csv', ['csv', 'arrow', 'json'] as const)!;
  const byPaths = (values.by ?? []).map((spec) => {
    const names = spec.split(',').map((x) => x.trim());
    if (names.some((x) => x === '')) throw new UsageError(`--by takes attribute names separated by commas, got '${printable(spec)}'`);
    return names;
  });
  const byAuto = byPaths.some((p) => p.includes('auto'));
  if (byAuto && (byPaths.length > 1 || byPaths[0]!.length > 1)) throw new UsageError('--by auto chooses the attribute paths itself: give it alone, without attribute paths');
  const byNone = byPaths.some((p) => p.includes('none'));
  if (byNone && (byPaths.length > 1 || byPaths[0]!.length > 1)) throw new UsageError('--by none mines bottom-up only: give it alone, without attribute paths');
  const byThreshold = decimal('by-threshold', values['by-threshold'], 0, 1, true);
  const byMinMembers = wholeNumber('by-min-members', values['by-min-members'], 1);
  const privilegedShare = decimal('privileged-share', values['privileged-share'], 0, 1, true);
  if (byPaths.length === 0 && (byThreshold !== undefined || byMinMembers !== undefined)) throw new UsageError('--by-threshold and --by-min-members need --by');
  if (byPaths.length > 0 && !byNone && !hasIdentities) throw new UsageError('--by needs --identities FILE (the attributes to mine by)');
  if (byPaths.length > 0 && !byNone && mode !== 'approx') throw new UsageError('--by applies to --mode approx only');
  const by: RunOptions['by'] | undefined = byPaths.length
    ? { paths: byNone ? [] : byAuto ? 'auto' : byPaths, ...(byThreshold !== undefined ? { threshold: byThreshold } : {}), ...(byMinMembers !== undefined ? { minMembers: byMinMembers } : {}) }
    : undefined;
  return { mode, objective, approx, knobs, format, by, byPaths, byNone, ...(privilegedShare !== undefined ? { privilegedShare } : {}) };
}
