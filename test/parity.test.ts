// Model-level parity: the same grants in any format, and in any row order, give the same model.
// (Reading details and bad input are in ingest.test.ts.)
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGrants, createEngine, roleObjects } from '../dist/index.js';
import { tempDir, writeAllFormats, csvText } from './support/files.js';
import { rng, shuffle, randomPairs } from './support/reference.js';

describe('the model does not depend on how the grants arrive', () => {
  it('CSV, Arrow file, Arrow stream, Parquet and a pair list mine the same model', async () => {
    // Integer-text names so that the pair list can carry the same grants.
    const pairs = randomPairs(rng(21), 30, 20, 5, 0.02).map(([i, e]) => [i.slice(1), e.slice(1)] as [string, string]);
    const dir = tempDir();
    const files = writeAllFormats(dir, pairs);
    const pairsFile = join(dir, 'grants.txt');
    writeFileSync(pairsFile, pairs.map(([i, e]) => `${i} ${e}`).join('\n') + '\n');
    const engine = await createEngine();
    for (const mode of ['exact', 'approx'] as const) {
      const models = [];
      for (const file of [...Object.values(files), pairsFile]) models.push(roleObjects(engine.mine(await readGrants(file), { mode })));
      for (const m of models.slice(1)) expect(m).toEqual(models[0]);
      expect(models[0]!.length).toBeGreaterThan(1);
    }
  });

  it('shuffled rows give the same model', async () => {
    const rand = rng(9);
    const many: [string, string][] = [];
    for (let i = 0; i < 300; i++) many.push([`user${Math.floor(rand() * 40)}`, `app${Math.floor(rand() * 5)}:perm${Math.floor(rand() * 8)}`]);
    const d = tempDir();
    writeFileSync(join(d, 'a.csv'), csvText(many));
    writeFileSync(join(d, 'b.csv'), csvText(shuffle(many, rand)));
    const engine = await createEngine();
    for (const mode of ['exact', 'approx'] as const) {
      const a = engine.mine(await readGrants(join(d, 'a.csv')), { mode });
      const b = engine.mine(await readGrants(join(d, 'b.csv')), { mode });
      expect(roleObjects(b)).toEqual(roleObjects(a));
      expect(b.summary.model).toEqual(a.summary.model);
    }
  });
});
