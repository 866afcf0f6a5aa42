/**
 * CSV field encoding for outputs (RFC 4180), with spreadsheet-formula neutralisation.
 *
 * A value that a spreadsheet would run as a formula starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return (OWASP "CSV injection"). Such a value is written with a leading apostrophe `'`,
 * which spreadsheets show as text. So that this stays reversible, a value that itself starts with
 * an apostrophe also gets one. To read a name back exactly: if a field starts with `'`, drop that
 * one character. JSON and Arrow outputs carry names unchanged.
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', "'"]);

export function neutralise(value: string): string {
  return value.length > 0 && FORMULA_START.has(value[0]!) ? "'" + value : value;
}

/** Reverses `neutralise` (for readers of our CSV outputs). */
export function unneutralise(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: neutralised text, quoted (with doubled quotes) when it holds `"`, `,`, CR or LF. */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const v = neutralise(value);
  return NEEDS_QUOTES.test(v) ? '"' + v.replaceAll('"', '""') + '"' : v;
}

export function csvLine(fields: (string | number)[]): string {
  return fields.map(csvField).join(',') + '\n';
}
