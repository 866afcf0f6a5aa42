/**
 * The identities file (src/ingest/identities.ts) joined onto a model's identities. Contract: a
 * model identity gets the attributes of the row whose key equals its name exactly, or none (-1);
 * identities missing from the file, rows that match no identity and empty values are counted
 * warnings with examples.
 */
import type { AttributeColumn, IdentityTable, IdentityWarning } from '../ingest/identities.js';
import { keyIndex, MAX_EXAMPLES } from '../ingest/identities.js';
import { UsageError } from '../errors.js';

// ---------------------------------------------------------------------------------------------------
// Join

/** The identities table joined onto a model's (or grants') dense identity ids. */
export interface AttributeJoin {
  table: IdentityTable;
  /** The identity names joined onto (the model's `identities`, by dense id). */
  identities: string[];
  /** Per identity id: its row in `table`, or -1 when the file has no row for it. */
  row: Int32Array;
  /** Identities with a row. */
  matched: number;
  /** Counted warnings, in this order: missing_identity, identity_without_grants, empty_value (per attribute, header order). */
  warnings: IdentityWarning[];
}

/**
 * Maps each identity id (index into `identityNames`) to the table row with exactly that key, or -1.
 * Warns (never fails) about identities missing from the file, rows whose identity is not among
 * `identityNames` (it holds no grants), and empty attribute values of matched identities, per
 * attribute. Missing identities whose name matches a file key after trimming spaces and ignoring
 * case are counted in the message, since that usually means a formatting difference, not absence.
 */
export function joinIdentities(table: IdentityTable, identityNames: string[], opts: { onWarning?: (w: IdentityWarning) => void } = {}): AttributeJoin {
  const index = keyIndex(table);
  const n = identityNames.length;
  const row = new Int32Array(n).fill(-1);
  const rowUsed = new Uint8Array(table.keys.length);
  const missing: number[] = [];
  let matched = 0;
  for (let i = 0; i < n; i++) {
    const r = index.get(identityNames[i]!);
    if (r === undefined) missing.push(i);
    else {
      row[i] = r;
      rowUsed[r] = 1;
      matched++;
    }
  }
  const warnings: IdentityWarning[] = [];
  const file = table.source;
  if (missing.length > 0) {
    const loose = new Set<string>();
    for (let r = 0; r < table.keys.length; r++) if (!rowUsed[r]) loose.add(table.keys[r]!.trim().toLowerCase());
    let near = 0;
    for (const i of missing) if (loose.has(identityNames[i]!.trim().toLowerCase())) near++;
    const ex = missing.slice(0, MAX_EXAMPLES).map((i) => identityNames[i]!);
    warnings.push({
      kind: 'missing_identity',
      count: missing.length,
      examples: ex,
      message:
        `${file}: ${missing.length} of ${n} identities holding grants have no row (e.g. ${quoted(ex)}); they have no attribute values` +
        (near > 0 ? `; ${near} of them match a row only when case and surrounding spaces are ignored: check how names are written` : ''),
    });
  }
  const unused: number[] = [];
  for (let r = 0; r < table.keys.length; r++) if (!rowUsed[r]) unused.push(r);
  if (unused.length > 0) {
    const ex = unused.slice(0, MAX_EXAMPLES).map((r) => table.keys[r]!);
    warnings.push({
      kind: 'identity_without_grants',
      count: unused.length,
      examples: ex,
      message: `${file}: ${unused.length} of ${table.keys.length} rows name an identity that holds no grants (e.g. ${quoted(ex)}); ignored`,
    });
  }
  for (const col of table.attributes) {
    const empty = col.values.indexOf('');
    if (empty < 0) continue;
    let count = 0;
    const ex: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = row[i]!;
      if (r >= 0 && col.codes[r] === empty) {
        count++;
        if (ex.length < MAX_EXAMPLES) ex.push(identityNames[i]!);
      }
    }
    if (count === 0) continue;
    warnings.push({
      kind: 'empty_value',
      attribute: col.name,
      count,
      examples: ex,
      message: `${file} (column ${col.name}): ${count} identities holding grants have an empty value (e.g. ${quoted(ex)}); treated as no value`,
    });
  }
  for (const w of warnings) opts.onWarning?.(w);
  return { table, identities: identityNames, row, matched, warnings };
}

function quoted(names: string[]): string {
  return names.map((x) => `'${x}'`).join(', ');
}

/** The attribute column named `name`, or a UsageError listing the available attributes. */
export function attributeColumn(table: IdentityTable, name: string): AttributeColumn {
  const col = table.attributes.find((a) => a.name === name);
  if (!col) {
    const names = table.attributes.map((a) => `'${a.name}'`).join(', ');
    throw new UsageError(`unknown attribute '${name}' in ${table.source}; available attributes: ${names || '(none)'}`);
  }
  return col;
}
