/**
 * The page's options in the command line's shape: the form fills `CliValues` (keyed by the flag
 * names of `rolemill mine`, holding what `parseArgs` would hold for the flags given, nothing for a
 * flag left at its default), and from that one object come both the command line the page shows
 * (`commandOf`) and the options of the run (`runOptionsOf`), mapped as src/cli/run.ts's `mine`
 * and `checkGovernanceValues` map the flags: the same checks, the same messages, the same
 * options. So the command shown is the one that reproduces the run, by construction.
 */
import { UsageError, EXPORT_FORMATS, type ExportFormat, type RunFileOptions, type ApproxKnobs } from '../src/browser.js';

export interface CliValues {
  mode?: string;
  objective?: string;
  'min-members'?: string;
  'min-entitlements'?: string;
  coverage?: string;
  'max-roles'?: string;
  birthright?: string;
  support?: string;
  'exception-cost'?: string;
  tolerance?: string;
  significance?: string;
  'privileged-share'?: string;
  'no-peers'?: boolean;
  by?: string[];
  // Reading the inputs.
  'identity-column'?: string;
  'entitlement-column'?: string;
  'input-format'?: string;
  'identity-key'?: string;
  // Governance.
  privileged?: string[];
  'no-privileged'?: boolean;
  'dormant-days'?: string;
  'as-of'?: string;
  'keep-dormant'?: boolean;
  'keep-orphans'?: boolean;
  'exclude-terminated'?: boolean;
  'non-human'?: string;
  'include-app'?: string[];
  'exclude-app'?: string[];
  'exclude-entitlement'?: string[];
  where?: string[];
  // The output folder.
  format?: string;
  export?: string[];
  'review-split'?: boolean;
  'no-report'?: boolean;
  'no-timings'?: boolean;
}

/** The defaults `rolemill --help` states, which the form starts at (a flag at its default is left out of the command). */
export const CLI_DEFAULTS = {
  mode: 'approx',
  objective: 'roles',
  'min-members': '3',
  coverage: '1',
  tolerance: 'auto',
  significance: '0.01',
  'non-human': 'separate',
  'dormant-days': '90',
  format: 'csv',
} as const;

/** The flags in the order the command line lists them (as `rolemill --help` does). */
const ORDER: (keyof CliValues)[] = [
  'mode', 'objective', 'min-members', 'min-entitlements', 'coverage', 'max-roles', 'birthright', 'support', 'exception-cost', 'tolerance', 'significance',
  'identity-column', 'entitlement-column', 'input-format', 'format', 'no-timings', 'identity-key', 'by', 'no-peers', 'export', 'review-split', 'no-report',
  'non-human', 'keep-orphans', 'exclude-terminated', 'privileged', 'no-privileged', 'privileged-share', 'dormant-days', 'keep-dormant', 'as-of',
  'include-app', 'exclude-app', 'exclude-entitlement', 'where',
];

/** The input files by the names the command line gives them (the page's file names). */
export interface FileNames {
  grants: string;
  identities?: string | null;
  memberships?: string | null;
}

/** `rolemill mine GRANTS [--identities F] [--memberships F] [flags]` as arguments (after `rolemill`), flags in help order. */
export function commandOf(files: FileNames, values: CliValues): string[] {
  const argv = ['mine', files.grants];
  if (files.identities) argv.push('--identities', files.identities);
  if (files.memberships) argv.push('--memberships', files.memberships);
  for (const flag of ORDER) {
    const v = values[flag];
    if (v === undefined || v === false) continue;
    if (v === true) argv.push(`--${flag}`);
    else if (Array.isArray(v)) for (const x of v) argv.push(`--${flag}`, x);
    else argv.push(`--${flag}`, v);
  }
  return argv;
}

/** A command line as a shell would read it back (single quotes where a word needs them). */
export function shellLine(argv: string[]): string {
  return ['rolemill', ...argv].map((a) => (/^[\w./:=,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** What goes beside the tables in the output folder: `outputFiles`' deliverables and format. */
export interface OutputChoice {
  format: 'csv' | 'arrow' | 'json';
  exports: ExportFormat[];
  reviewSplit: boolean;
  report: boolean;
  omitTimings: boolean;
}

/**
 * The run's options and the output's shape for `values`, checked as the command line checks its
 * flags (src/cli/run.ts `mine`, `checkGovernanceValues`; src/cli/args.ts): a UsageError with the
 * command line's message for a value it would refuse. `hasIdentities`: an identities file is given.
 */
export function runOptionsOf(values: CliValues, hasIdentities: boolean): { options: RunFileOptions; output: OutputChoice } {
  const mode = choice('mode', values.mode ?? CLI_DEFAULTS.mode, ['approx', 'exact'] as const)!;
  const knobs: ApproxKnobs = {
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
  const objective = choice('objective', values.objective ?? CLI_DEFAULTS.objective, ['roles', 'wsc'] as const)!;
  const format = choice('format', values.format ?? CLI_DEFAULTS.format, ['csv', 'arrow', 'json'] as const)!;
  const byPaths = (values.by ?? []).map((spec) => {
    const names = spec.split(',').map((x) => x.trim());
    if (names.some((x) => x === '')) throw new UsageError(`--by takes attribute names separated by commas, got '${spec}'`);
    return names;
  });
  const byAuto = byPaths.some((p) => p.includes('auto'));
  if (byAuto && (byPaths.length > 1 || byPaths[0]!.length > 1)) throw new UsageError('--by auto chooses the attribute paths itself: give it alone, without attribute paths');
  const byNone = byPaths.some((p) => p.includes('none'));
  if (byNone && (byPaths.length > 1 || byPaths[0]!.length > 1)) throw new UsageError('--by none mines bottom-up only: give it alone, without attribute paths');
  const privShare = decimal('privileged-share', values['privileged-share'], 0, 1, true);
  if (byPaths.length > 0 && !byNone && !hasIdentities) throw new UsageError('--by needs --identities FILE (the attributes to mine by)');
  if (byPaths.length > 0 && !byNone && mode !== 'approx') throw new UsageError('--by applies to --mode approx only');
  const exports = exportFormatsOf(values.export);

  // checkGovernanceValues
  const inputFormat = choice('input-format', values['input-format'], ['csv', 'arrow', 'parquet', 'pairs'] as const);
  const nonHuman = choice('non-human', values['non-human'], ['separate', 'exclude'] as const);
  const days = wholeNumber('dormant-days', values['dormant-days'], 0, Number.MAX_SAFE_INTEGER, ' of days');
  if (values['no-privileged'] && values.privileged?.length) throw new UsageError('--privileged and --no-privileged contradict each other');
  const asOf = values['as-of'];
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got '${asOf}'`);
  const where = (values.where ?? []).map((w) => {
    const at = w.indexOf('=');
    if (at <= 0) throw new UsageError(`--where takes attribute=value, got '${w}'`);
    return { attribute: w.slice(0, at), value: w.slice(at + 1) };
  });
  if (where.length && !hasIdentities) throw new UsageError('--where needs --identities FILE');
  for (const [flag, v] of [['identity-column', values['identity-column']], ['entitlement-column', values['entitlement-column']], ['identity-key', values['identity-key']]] as const) {
    if (v !== undefined && v.trim() === '') throw new UsageError(`--${flag} must name a column, got an empty name`);
  }
  const list = (v: string[] | undefined) => (v ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
  const governance: NonNullable<RunFileOptions['governance']> = {
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
  const read: NonNullable<RunFileOptions['read']> = {
    ...(values['identity-column'] ? { identityColumn: values['identity-column'] } : {}),
    ...(values['entitlement-column'] ? { entitlementColumn: values['entitlement-column'] } : {}),
    ...(inputFormat ? { format: inputFormat } : {}),
  };
  const options: RunFileOptions = {
    mode,
    objective,
    approx,
    governance,
    ...(byPaths.length ? { by: { paths: byNone ? [] : byAuto ? ('auto' as const) : byPaths } } : {}),
    ...(privShare !== undefined ? { privilegedShare: privShare } : {}),
    peers: !values['no-peers'],
    ...(Object.keys(read).length ? { read } : {}),
    ...(values['identity-key'] ? { identityKey: values['identity-key'] } : {}),
  };
  return { options, output: { format, exports, reviewSplit: values['review-split'] === true, report: !values['no-report'], omitTimings: values['no-timings'] === true } };
}

// The command line's value checks (src/cli/args.ts), with its messages.

function wholeNumber(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER, unit = ''): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) {
    const range = max >= Number.MAX_SAFE_INTEGER / 2 ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`--${name} must be a whole number${unit} ${range}, got '${v}'`);
  }
  return n;
}

function decimal(name: string, v: string | undefined, min: number, max: number, open = false): number | undefined {
  if (v === undefined) return undefined;
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(v) ? Number(v) : NaN;
  if (!((open ? n > min : n >= min) && n <= max)) throw new UsageError(`--${name} must be a number in ${open ? '(' : '['}${min}, ${max}], got '${v}'`);
  return n;
}

function toleranceValue(v: string | undefined): number | 'auto' | undefined {
  if (v === 'auto') return 'auto';
  if (v !== undefined && !/^\d+$/.test(v)) throw new UsageError(`--tolerance must be 'auto' or a whole number in [0, 64], got '${v}'`);
  return wholeNumber('tolerance', v, 0, 64);
}

function choice<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    const list = allowed.length === 2 ? `${allowed[0]} or ${allowed[1]}` : `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
    throw new UsageError(`--${name} must be ${list}, got '${v}'`);
  }
  return v as T;
}

function pattern(flag: string, v: string): RegExp {
  try {
    return new RegExp(v, 'i');
  } catch (e) {
    throw new UsageError(`--${flag} must be a regular expression: ${(e as Error).message}`);
  }
}

function exportFormatsOf(v: string[] | undefined): ExportFormat[] {
  const names = (v ?? []).flatMap((x) => x.split(',')).map((x) => x.trim());
  for (const n of names) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(n)) throw new UsageError(`--export takes ${EXPORT_FORMATS.join(', ')} (comma-separated), got '${n}'`);
  }
  return [...new Set(names)] as ExportFormat[];
}
