/**
 * CSV field encoding for outputs (RFC 4180), with spreadsheet-formula neutralisation.
 *
 * A value that a spreadsheet would run as a formula starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return (OWASP "CSV injection"). Such a value is written with a leading apostrophe `'`,
 * which spreadsheets show as text. So that this stays reversible, a value that itself starts with
 * an apostrophe also gets one. To read a name back exactly: if a field starts with `'`, drop that
 * one character. JSON and Arrow outputs carry names unchanged.
 */
export function neutralise(value: string): string {
  return formulaStart(value.charCodeAt(0)) ? "'" + value : value; // NaN for ''
}

/** Whether a value starting with this character code is neutralised: = + - @ tab CR ' (by code: a Set of one-character strings made a string per call). */
export function formulaStart(c: number): boolean {
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 || c === 39;
}

/** Reverses `neutralise` (for readers of our CSV outputs). */
export function unneutralise(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}

/** The characters that make a field need quotes (no `g` flag: test keeps no state). */
export const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: neutralised text, quoted (with doubled quotes) when it holds `"`, `,`, CR or LF. */
export function csvField(value: string | number): string {
  return typeof value === 'number' ? String(value) : quoteField(neutralise(value), NEEDS_QUOTES);
}

/** `v` quoted (with doubled quotes) when it holds a character of `needsQuotes` (a reader that also splits on `;` needs those quoted too). */
export function quoteField(v: string, needsQuotes: RegExp): string {
  return needsQuotes.test(v) ? '"' + v.replaceAll('"', '""') + '"' : v;
}

export function csvLine(fields: (string | number)[]): string {
  return fields.map(csvField).join(',') + '\n';
}

/**
 * The rows of a CSV text rolemill wrote (RFC 4180 quoting: quoted fields, doubled quotes, line
 * breaks inside quotes; LF or CRLF line ends), cells as written (still neutralised). For reading
 * our own outputs back (scorers, export parsers), not an input reader: no errors, no limits
 * (src/ingest is for inputs).
 */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

/** parseCsvRows for a CSV with a header line: records keyed by column name (missing cells are ''). */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const [head, ...body] = parseCsvRows(text);
  return body.map((r) => Object.fromEntries((head ?? []).map((h, k) => [h, r[k] ?? ''])));
}
