// The nine HP Labs datasets (../shared/datasets/hp): every model exact and at the proven minimum
// number of roles listed in that folder's README.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createEngine, readGrants } from '../dist/index.js';

const MINIMUM: Record<string, number> = {
  healthcare: 14, domino: 20, emea: 34, firewall1: 64, firewall2: 10, apj: 453, americas_small: 178, americas_large: 398, customer: 276,
};
const SIZE: Record<string, [number, number, number]> = {
  healthcare: [46, 46, 1486], domino: [79, 231, 730], emea: [35, 3046, 7220], firewall1: [365, 709, 31951], firewall2: [325, 590, 36428],
  apj: [2044, 1164, 6841], americas_small: [3477, 1587, 105205], americas_large: [3485, 10127, 185294], customer: [10021, 277, 45427],
};

describe('HP datasets reach the known minimum', () => {
  const engine = createEngine();
  for (const [name, min] of Object.entries(MINIMUM)) {
    it(`${name}: ${min} roles, proven, exact`, async () => {
      const grants = await readGrants(fileURLToPath(new URL(`../../shared/datasets/hp/${name}.txt`, import.meta.url)));
      const m = (await engine).mine(grants, { mode: 'exact' });
      const [ids, ents, g] = SIZE[name]!;
      expect(m.summary.input).toMatchObject({ identities: ids, entitlements: ents, grants: g, duplicatesDropped: 0 });
      expect(m.summary.model).toMatchObject({ roles: min, exact: true, underAssigned: 0, overAssigned: 0, coverage: 1, optimalityProven: true, roleLowerBound: min });
    });
  }
});
