/**
 * The page's options in the command line's shape: the form fills `CliValues` (keyed by the flag
 * names of `rolemill mine`, holding what `parseArgs` would hold for the flags given, nothing for a
 * flag left at its default), and from that one object come both the command line the page shows
 * (`commandOf`) and the options of the run (`runOptionsOf`), mapped by the command line's own
 * functions (src/cli/flags.ts: mineFlags, governanceFlags): the same checks, the same messages,
 * the same options. So the command shown is the one that reproduces the run, by construction.
 */
import type { ExportFormat, RunFileOptions } from '../src/browser.js';
import { exportFormatsOf, governanceFlags, mineFlags } from '../src/cli/flags.js';

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
  // The command line's own mapping (src/cli/flags.ts): the same checks, messages and options.
  const { mode, objective, approx, format, by, privilegedShare } = mineFlags(values, hasIdentities);
  const exports = exportFormatsOf(values.export);
  const { inputFormat, governance } = governanceFlags(values, hasIdentities);
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
    ...(by ? { by } : {}),
    ...(privilegedShare !== undefined ? { privilegedShare } : {}),
    peers: !values['no-peers'],
    ...(Object.keys(read).length ? { read } : {}),
    ...(values['identity-key'] ? { identityKey: values['identity-key'] } : {}),
  };
  return { options, output: { format, exports, reviewSplit: values['review-split'] === true, report: !values['no-report'], omitTimings: values['no-timings'] === true } };
}
