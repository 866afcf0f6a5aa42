// The as-of date of dormancy (chosen robustly from last_used, reported with its reason and the
// outliers it ignored; a bad asOf option always refused) and the identities file's key check (a
// file keyed by another column fails; partial HR files never do). Hand-built inputs, exact values.
import { describe, expect, it } from 'vitest';
import { grantsFromPairs } from '../src/encode.js';
import { readIdentitiesFromText } from '../src/ingest/identities.js';
import { chooseAsOf, prepareGovernance, SET_ASIDE_REASONS } from '../src/governance/prepare.js';
import { InputError, UsageError } from '../src/errors.js';
import type { Grants } from '../src/types.js';

const DAY = 86_400_000;
const dayName = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const EXPORT = Date.UTC(2026, 10, 30); // 2026-11-30

/** Grants with a last_used column: `dates[k]` is row k's value. */
function withDates(pairs: [string, string][], dates: string[], source = 'grants.csv'): Grants {
  const values = [...new Set(dates)];
  const index = new Map(values.map((v, i) => [v, i]));
  return { ...grantsFromPairs(pairs, source), columns: { last_used: { values, codes: Uint32Array.from(dates, (d) => index.get(d)!) } } };
}

/** 1,000 direct grants: 250 accounts x 4 entitlements; row k last used (37k mod 400) days before 2026-11-30 (every age 0..399 occurs), except three bogus rows. */
function export2026(bogus: Map<number, string>): Grants {
  const pairs: [string, string][] = [];
  const dates: string[] = [];
  for (let k = 0; k < 1000; k++) {
    pairs.push([`u${String(Math.floor(k / 4) + 1).padStart(3, '0')}`, `app${k % 4}:read`]);
    dates.push(bogus.get(k) ?? dayName(EXPORT - ((37 * k) % 400) * DAY));
  }
  return withDates(pairs, dates);
}

/** Dormant grants: mined and listed for review (prep.dormant); with no privileged pattern, none is set aside. */
const dormantCount = (g: Grants, opts: Parameters<typeof prepareGovernance>[1] = {}) => {
  const prep = prepareGovernance(g, { privileged: [], ...opts });
  expect(Array.from(prep.setAside.reason).filter((r) => SET_ASIDE_REASONS[r] === 'dormant').length).toBe(0);
  return prep.dormant.identity.length;
};

describe('the default as-of date', () => {
  const BOGUS = new Map([
    [101, '2099-01-01'],
    [502, '9999-12-31'],
    [903, '2099-01-01T08:00:00Z'],
  ]);

  it('ignores dates far beyond the rest (a 2099 and a 9999 among 2026), reports them and says why', () => {
    const g = export2026(BOGUS);
    const prep = prepareGovernance(g, { privileged: [] });
    expect(prep.report['asOf']).toEqual({
      date: '2026-11-30',
      source: 'latest last_used excluding outliers',
      reason:
        'the latest last_used in grants.csv, not counting 3 grant rows dated 2099-01-01 or later: they follow it by 26,330 days, ' +
        'more than the 30 allowed above the 99th percentile (2026-11-28), so they are taken for errors',
      outliers: { count: 3, examples: ['u026 app1:read 2099-01-01', 'u126 app2:read 9999-12-31', 'u226 app3:read 2099-01-01T08:00:00Z'] },
    });
    expect((prep.report['usage'] as { asOf: string }).asOf).toBe('2026-11-30');
    expect(prep.notices).toEqual([
      'as-of date 2026-11-30 (the latest last_used; 3 last_used dates far beyond the rest ignored, e.g. u026 app1:read 2099-01-01, u126 app2:read 9999-12-31, u226 app3:read 2099-01-01T08:00:00Z; --as-of sets the date)',
    ]);
    // Dormant: ages 91..399 of the 997 genuine rows (the bogus ones are uses after the as-of date,
    // not dormant); the old default (the latest date, 2099-01-01) made every genuine row dormant.
    expect(dormantCount(g)).toBe(767);
    expect(dormantCount(g, { asOf: '2099-01-01' })).toBe(997);
    // The same file without the bogus rows' dates gives the same date, plainly.
    const clean = export2026(new Map());
    const plain = prepareGovernance(clean, { privileged: [] });
    expect(plain.report['asOf']).toEqual({
      date: '2026-11-30',
      source: 'latest last_used',
      reason: 'the latest last_used in grants.csv: no date is far beyond the rest (no gap of more than 30 days above the 99th percentile)',
      outliers: { count: 0, examples: [] },
    });
    expect(plain.notices).toEqual(['as-of date 2026-11-30 (the latest last_used)']);
  });

  it('an asOf option wins; outliers are still reported; no notice', () => {
    const prep = prepareGovernance(export2026(BOGUS), { privileged: [], asOf: '2026-10-01' });
    expect(prep.report['asOf']).toEqual({
      date: '2026-10-01',
      source: 'option',
      reason: 'given by the asOf option (--as-of)',
      outliers: { count: 3, examples: ['u026 app1:read 2099-01-01', 'u126 app2:read 9999-12-31', 'u226 app3:read 2099-01-01T08:00:00Z'] },
    });
    expect(prep.notices).toEqual([]);
  });

  it('the rule: a gap of more than 30 days above the 99th percentile ends the dates kept', () => {
    // 200 rows on day 0, then one row each on days 30, 60 (steps of 30: kept), then day 91 (a step of 31: an outlier).
    expect(chooseAsOf([0, 30, 60, 91], [200, 1, 1, 1])).toEqual({ kept: 2, firstOutlier: 3, percentile: 1 });
    // A sparse but continuous recent tail is never cut.
    expect(chooseAsOf([0, 20, 40, 60, 80], [500, 1, 1, 1, 1])).toEqual({ kept: 4, firstOutlier: 5, percentile: 0 });
    // Outliers are at most 1% of the rows: 3 rows far out among 200 are more than that, so kept.
    expect(chooseAsOf([0, 30_000], [200, 3])).toEqual({ kept: 1, firstOutlier: 2, percentile: 1 });
    // A gap below the 99th percentile (an old bulk, then a recent cluster of more than 1%) is kept too.
    expect(chooseAsOf([0, 500, 501], [900, 50, 50])).toEqual({ kept: 2, firstOutlier: 3, percentile: 2 });
  });

  it('with fewer than 100 dated rows nothing is an outlier (documented limit): the latest date is used', () => {
    const pairs: [string, string][] = Array.from({ length: 50 }, (_, k) => [`u${k}`, 'a']);
    const dates = pairs.map((_, k) => (k === 7 ? '2099-01-01' : '2026-11-30'));
    const prep = prepareGovernance(withDates(pairs, dates), { privileged: [] });
    expect(prep.report['asOf']).toMatchObject({ date: '2099-01-01', source: 'latest last_used', outliers: { count: 0 } });
    expect(prep.notices).toEqual(['as-of date 2099-01-01 (the latest last_used)']);
  });

  it('a last_used column without a single date: no as-of date, no dormancy, said so', () => {
    const prep = prepareGovernance(withDates([['u1', 'a'], ['u2', 'a']], ['', ' ']), { privileged: [] });
    expect(prep.report['asOf']).toEqual({ date: null, source: 'none', reason: 'no last_used value in grants.csv is a date, so no grant is dormant', outliers: { count: 0, examples: [] } });
    expect(prep.notices).toEqual(['no as-of date: no last_used value is a date, so no grant is dormant']);
    expect(prep.setAside.reason.length).toBe(0);
  });

  it('a last_used value that is not a date is an InputError naming the file, the column and the data row', () => {
    const g = withDates([['u1', 'a'], ['u2', 'a'], ['u3', 'a']], ['2026-10-01', '2026-10-01', '2026-02-30']);
    expect(() => prepareGovernance(g)).toThrow(InputError);
    expect(() => prepareGovernance(g)).toThrow("grants.csv (column last_used, data row 3): '2026-02-30' is not a date (expected YYYY-MM-DD, optionally with a time)");
  });
});

describe('the asOf option', () => {
  const noUsage = grantsFromPairs([['u1', 'a'], ['u2', 'a']], 'grants.csv');

  it('must be a real YYYY-MM-DD date, even when the grants have no last_used column', () => {
    for (const v of ['2026-02-30', '2026-13-01', 'yesterday', '', '2026-1-01', '2026-10-01T00:00', ' 2026-10-01']) {
      expect(() => prepareGovernance(noUsage, { asOf: v }), v).toThrow(UsageError);
      expect(() => prepareGovernance(noUsage, { asOf: v }), v).toThrow(`--as-of must be a date YYYY-MM-DD, got '${v}'`);
    }
  });

  it('a valid one without a last_used column is reported, and dates nothing', () => {
    const prep = prepareGovernance(noUsage, { asOf: '2024-02-29' });
    expect(prep.report['asOf']).toEqual({
      date: '2024-02-29',
      source: 'option',
      reason: 'given by the asOf option (--as-of); grants.csv has no last_used column, so no grant is dormant',
      outliers: { count: 0, examples: [] },
    });
    expect(prep.report['usage']).toBeUndefined();
    expect(prep.notices).toEqual([]);
    // Without a column or an option there is nothing to say.
    expect(prepareGovernance(noUsage).report['asOf']).toBeUndefined();
  });
});

describe('the identities file is keyed like the grants', () => {
  /** n accounts u1001.., each holding mail and sso. */
  const accounts = (n: number) => Array.from({ length: n }, (_, k) => `u${1001 + k}`);
  const grantsOf = (names: string[]) => grantsFromPairs(names.flatMap((u): [string, string][] => [[u, 'mail'], [u, 'sso']]), 'grants.csv');
  const file = (keys: string[]) => readIdentitiesFromText(['identity,department', ...keys.map((k) => `${k},Sales`)].join('\n') + '\n', 'identities.csv');
  const emails = (n: number) => Array.from({ length: n }, (_, k) => `p${String(k + 1).padStart(4, '0')}@example.com`);

  it('a file keyed by email beside grants by login fails, with examples from both sides', async () => {
    const run = async () => prepareGovernance(grantsOf(accounts(3000)), { table: await file(emails(3000)) });
    await expect(run()).rejects.toThrow(InputError);
    await expect(run()).rejects.toThrow(
      "identities.csv: its keys (column identity) match 0 of 3,000 identities in grants.csv (e.g. identities.csv has 'p0001@example.com', 'p0002@example.com', 'p0003@example.com'; grants.csv has 'u1001', 'u1002', 'u1003'); is --identity-key the right column?",
    );
  });

  it('below 5% on both sides fails (4 of 100); 5% on either side does not', async () => {
    const names = accounts(100);
    const keys = (m: number) => [...names.slice(0, m), ...emails(100 - m)];
    await expect(async () => prepareGovernance(grantsOf(names), { table: await file(keys(4)) })).rejects.toThrow(
      "identities.csv: its keys (column identity) match 4 of 100 identities in grants.csv (e.g. identities.csv has 'p0001@example.com', 'p0002@example.com', 'p0003@example.com'; grants.csv has 'u1005', 'u1006', 'u1007'); is --identity-key the right column?",
    );
    const five = prepareGovernance(grantsOf(names), { table: await file(keys(5)) });
    expect((five.report['accounts'] as { orphans: { count: number } }).orphans.count).toBe(95);
  });

  it('names that differ only in case are pointed out', async () => {
    const names = accounts(20);
    await expect(async () => prepareGovernance(grantsOf(names), { table: await file(names.map((n) => n.toUpperCase())) })).rejects.toThrow(
      "identities.csv: its keys (column identity) match 0 of 20 identities in grants.csv (e.g. identities.csv has 'U1001', 'U1002', 'U1003'; grants.csv has 'u1001', 'u1002', 'u1003'); 20 of them match a key only when case and surrounding spaces are ignored: check how names are written",
    );
  });

  it('never fires on legitimate partial files: 60% of the accounts without HR, one department, a tiny file', async () => {
    const names = accounts(1000);
    // 40% of the accounts have an HR row: the other 600 are orphans, counted, not an error.
    const partial = prepareGovernance(grantsOf(names), { table: await file([...names.filter((_, k) => k % 5 < 2), ...emails(50)]) });
    expect((partial.report['accounts'] as { orphans: { count: number } }).orphans.count).toBe(600);
    // One department's HR export (20 rows, all used) beside all 1,000 accounts: 2% of the accounts match.
    const dept = prepareGovernance(grantsOf(names), { table: await file(names.slice(0, 20)) });
    expect((dept.report['accounts'] as { orphans: { count: number } }).orphans.count).toBe(980);
    // A company-wide file (3,000 rows) beside one application's 40 accounts, all of them in it.
    const wide = prepareGovernance(grantsOf(names.slice(0, 40)), { table: await file([...names, ...emails(2000)]) });
    expect((wide.report['accounts'] as { orphans: { count: number } }).orphans.count).toBe(0);
    // Fewer than 10 names on a side: no evidence either way, never an error.
    const tiny = prepareGovernance(grantsOf(['alice', 'bob', 'carol']), { table: await file(emails(3)) });
    expect((tiny.report['accounts'] as { orphans: { count: number } }).orphans.count).toBe(3);
  });

  it('matches accounts, not the grants file’s holders: grants to groups, accounts through memberships', async () => {
    const names = accounts(30);
    const grants = grantsFromPairs([['g-all', 'mail'], ['g-all', 'sso']], 'grants.csv');
    const memberships = grantsFromPairs(names.map((u): [string, string] => [u, 'g-all']), 'memberships.csv');
    const prep = prepareGovernance(grants, { memberships, table: await file(names) });
    expect(prep.accounts.names).toEqual(names);
    expect((prep.report['accounts'] as { orphans: { count: number } }).orphans.count).toBe(0);
    await expect(async () => prepareGovernance(grants, { memberships, table: await file(emails(30)) })).rejects.toThrow(/match 0 of 30 identities in grants\.csv/);
  });
});
