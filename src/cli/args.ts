/**
 * The command line's own option parser and value checks, so that every mistake gets rolemill's
 * words (what is allowed, the closest option) instead of Node's parser text. UsageError → exit 2.
 */
import { UsageError } from '../errors.js';
import { printable } from './terminal.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; default?: string | boolean }>;

export type Values<S extends OptionSpec> = {
  [K in keyof S]?: S[K] extends { multiple: true } ? string[] : S[K] extends { type: 'boolean' } ? boolean : string;
};

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return d[b.length]!;
}

/** The option of `names` closest to `name` (a prefix, or within a third of its length in edits), if any. */
export function closest(name: string, names: string[]): string | undefined {
  const prefixed = names.filter((n) => n.startsWith(name) || name.startsWith(n));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const n of names) {
    const dd = distance(name, n);
    if (dd < bestD) (best = n), (bestD = dd);
  }
  return best;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag`; `--` ends options. Unknown options
 * suggest the closest known one; a string option without its value, or a value given to a boolean
 * flag, says so. Defaults fill what is not given.
 */
export function parseOptions<S extends OptionSpec>(argv: string[], spec: S, command: string): { values: Values<S>; positionals: string[] } {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const names = Object.keys(spec);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.replace(/^--?/, '').slice(0, eq < 0 ? undefined : eq - (arg.startsWith('--') ? 2 : 1));
    const o = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!o || !arg.startsWith('--')) {
      const near = closest(name, names);
      throw new UsageError(`unknown option ${printable(eq < 0 ? arg : arg.slice(0, eq))} for ${command}${near ? `; did you mean --${near}?` : ''} (rolemill --help lists the options)`);
    }
    let v: string | boolean;
    if (o.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} is a flag and takes no value, got '${printable(arg.slice(eq + 1))}'`);
      v = true;
    } else if (eq >= 0) v = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      v = next;
      i++;
    }
    if (v === '') throw new UsageError(`--${name} needs a value, got an empty one`);
    if (o.multiple) ((Object.hasOwn(values, name) ? values[name] : (values[name] = [])) as string[]).push(v as string);
    else if (Object.hasOwn(values, name)) throw new UsageError(`--${name} is given twice`);
    else values[name] = v;
  }
  for (const [n, o] of Object.entries(spec)) if (!Object.hasOwn(values, n) && o.default !== undefined) values[n] = o.default;
  return { values: values as Values<S>, positionals };
}

/**
 * A whole number in [min, max]: digits only (no sign, exponent, hex or fraction: `1e1` and `0x2`
 * are not whole numbers). Undefined when not given.
 */
export function wholeNumber(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER, unit = ''): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) {
    const range = max >= Number.MAX_SAFE_INTEGER / 2 ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`--${name} must be a whole number${unit} ${range}, got '${printable(v)}'`);
  }
  return n;
}

/**
 * A decimal number in the range: plain decimal notation only (`0.5`, `.5`, `2`; no sign, exponent
 * or hex). `open` makes the lower bound exclusive. Undefined when not given.
 */
export function decimal(name: string, v: string | undefined, min: number, max: number, open = false): number | undefined {
  if (v === undefined) return undefined;
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(v) ? Number(v) : NaN;
  if (!((open ? n > min : n >= min) && n <= max)) {
    throw new UsageError(`--${name} must be a number in ${open ? '(' : '['}${min}, ${max}], got '${printable(v)}'`);
  }
  return n;
}

/** `--tolerance`: the word `auto` (the default: decided per identity from the evidence) or a whole number of entitlements in [0, 64]. */
export function toleranceValue(v: string | undefined): number | 'auto' | undefined {
  if (v === 'auto') return 'auto';
  if (v !== undefined && !/^\d+$/.test(v)) throw new UsageError(`--tolerance must be 'auto' or a whole number in [0, 64], got '${printable(v)}'`);
  return wholeNumber('tolerance', v, 0, 64);
}

/** One of the allowed words. */
export function choice<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    const list = allowed.length === 2 ? `${allowed[0]} or ${allowed[1]}` : `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
    throw new UsageError(`--${name} must be ${list}, got '${printable(v)}'`);
  }
  return v as T;
}
