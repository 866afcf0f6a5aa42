/** Column checks shared by the CSV and Arrow readers. */
import { InputError, UsageError } from '../errors.js';

/** The identity and entitlement column names in effect; they must differ. */
export function grantColumns(opts: { identityColumn?: string; entitlementColumn?: string }): [string, string] {
  const id = opts.identityColumn ?? 'identity';
  const ent = opts.entitlementColumn ?? 'entitlement';
  if (id === ent) throw new UsageError(`the identity and entitlement columns must differ (both are '${id}')`);
  return [id, ent];
}

/** Throws when a wanted column is not among `found`, listing the columns found. */
export function requireColumns(found: string[], idCol: string, entCol: string, keep: string[], file: string, line?: number): void {
  const missing = [...new Set([idCol, entCol, ...keep])].filter((c) => !found.includes(c));
  if (missing.length === 0) return;
  const hint = missing.includes(idCol) || missing.includes(entCol) ? ' (choose others with --identity-column / --entitlement-column)' : '';
  throw new InputError(`missing column${missing.length > 1 ? 's' : ''} ${quoteList(missing)}; columns found: ${quoteList(found)}${hint}`, file, line);
}

function quoteList(names: string[]): string {
  return names.map((c) => `'${c}'`).join(', ');
}

/**
 * Throws when two columns (CSV header fields, Arrow fields) have the same non-empty name: a reader
 * could only pick one of them silently. Unnamed columns may repeat (they are never selected).
 */
export function refuseDuplicateColumns(names: string[], file: string, line?: number, what = 'the header', unit = 'columns'): void {
  const seen = new Map<string, number>();
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    if (name === '') continue;
    const prev = seen.get(name);
    if (prev !== undefined) throw new InputError(`column '${name}' appears twice in ${what} (${unit} ${prev + 1} and ${k + 1})`, file, line);
    seen.set(name, k);
  }
}
