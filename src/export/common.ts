/**
 * What every role export shares: the input record, how an entitlement names its application, the
 * name each role is exported under, rolemill's attribute rules, and a CSV reader for the parsers.
 * Platform-neutral (the browser demo exports too): no node: imports here or in the format modules.
 */
import { compareNames } from '../util/names.js';

/** One role as the exporters take it; the caller builds it from a model and its descriptions. */
export interface ExportRole {
  /** rolemill role id, e.g. `R0007`. */
  id: string;
  /** Business name; empty means "use the id". */
  name: string;
  /** `business`, `technical`, `birthright`, `non-human` (free text). */
  kind: string;
  /** E.g. the rule and quality; may be empty. */
  description: string;
  /** The attribute rule that describes the members (`department='Sales' and title='Account Executive'`), `birthright`, `true`, or null. */
  rule: string | null;
  owner: string | null;
  /** Entitlement names; the application is the part before the first `appSeparator` (`ad:grp-sales`). */
  entitlements: string[];
  /** Identity names. */
  members: string[];
}

export interface ExportOptions {
  /** What separates an entitlement's application from the rest of its name (default `:`); empty: no application. */
  appSeparator?: string;
  /** The SailPoint entitlement attribute written between source and value (default `memberOf`). */
  sailpointAttribute?: string;
  /** Exports carry no timestamp, so that the same roles give the same bytes. */
}

export type ExportFormat = 'midpoint' | 'sailpoint' | 'scim';

/** One file of an export, relative to the export folder (`midpoint/roles.xml`). */
export interface ExportFile {
  path: string;
  text: string;
}

/**
 * A role as read back from an export. Fields a format does not carry are absent (SailPoint's role
 * CSV carries no members; midPoint's members come from `assignments.csv`).
 */
export interface ParsedRole {
  id: string;
  name: string;
  kind?: string;
  rule?: string | null;
  description?: string;
  owner?: string | null;
  entitlements: string[];
  members?: string[];
}

export const DEFAULT_APP_SEPARATOR = ':';

/**
 * An entitlement's application and the rest of its name, split at the first separator: `app:a:b`
 * is application `app`, value `a:b`. Without a separator (or with an empty one) the application
 * is `''` and the value is the whole name. (A name that starts with the separator, `:x`, reads
 * back as `x`: an empty application is no application.)
 */
export function splitEntitlement(entitlement: string, separator = DEFAULT_APP_SEPARATOR): { application: string; value: string } {
  const at = separator === '' ? -1 : entitlement.indexOf(separator);
  if (at < 0) return { application: '', value: entitlement };
  return { application: entitlement.slice(0, at), value: entitlement.slice(at + separator.length) };
}

/** The inverse of splitEntitlement. */
export function joinEntitlement(application: string, value: string, separator = DEFAULT_APP_SEPARATOR): string {
  return application === '' ? value : application + separator + value;
}

/** Distinct names in rolemill's canonical order (compareNames), so that exports do not depend on input order. */
export function canonical(names: readonly string[]): string[] {
  return [...new Set(names)].sort(compareNames);
}

/**
 * The name each role is exported under, which governance systems need unique: the business name,
 * or the id when it is empty; a name that two roles share, or that is in `taken` (e.g. the names
 * of other objects in the same export), becomes `name (id)`. Independent of role order.
 */
export function exportNames(roles: readonly ExportRole[], taken: ReadonlySet<string> = new Set()): string[] {
  const base = roles.map((r) => (r.name === '' ? r.id : r.name));
  const count = new Map<string, number>();
  for (const n of base) count.set(n, (count.get(n) ?? 0) + 1);
  // A repeated name becomes `name (id)`; that too is checked against every name given so far (and
  // `taken`), with ` 2`, ` 3` ... added until it is unique.
  const used = new Set<string>([...taken, ...base.filter((n) => count.get(n) === 1)]);
  return base.map((n, i) => {
    if (count.get(n)! === 1 && !taken.has(n)) return n;
    let name = `${n} (${roles[i]!.id})`;
    for (let k = 2; used.has(name); k++) name = `${n} (${roles[i]!.id}) ${k}`;
    used.add(name);
    return name;
  });
}

/** One term of an attribute rule: the identity attribute and the value it must have. */
export interface RuleTerm {
  attribute: string;
  value: string;
}

/**
 * The terms of a rolemill attribute rule (`ruleOf` in analysis/alignment.ts writes
 * `attr='value' and attr2='value2'`, `'` doubled inside values; `and` in any case), `[]` for a rule
 * that holds for everyone (`true`, `birthright`), or null for anything else (not an attribute rule).
 */
export function ruleTerms(rule: string | null): RuleTerm[] | null {
  if (rule === null) return null;
  const text = rule.trim();
  if (text === 'true' || text === 'birthright') return [];
  const terms: RuleTerm[] = [];
  let at = 0;
  for (;;) {
    const eq = text.indexOf('=', at);
    if (eq < 0 || text[eq + 1] !== "'") return null;
    const attribute = text.slice(at, eq).trim();
    if (attribute === '') return null;
    let value = '';
    let i = eq + 2;
    for (;;) {
      const q = text.indexOf("'", i);
      if (q < 0) return null;
      value += text.slice(i, q);
      if (text[q + 1] === "'") {
        value += "'";
        i = q + 2;
      } else {
        i = q + 1;
        break;
      }
    }
    terms.push({ attribute, value });
    const rest = text.slice(i);
    if (rest.trim() === '') return terms;
    const and = /^\s+and\s+/i.exec(rest);
    if (and === null) return null;
    at = i + and[0].length;
  }
}
