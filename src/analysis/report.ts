/**
 * Per-identity review table and outlier reasons, from a mined model and its peer analysis.
 * - `identityTable`: one row per identity: peer group, outlier score and what drives it, the roles
 *   it holds and its grants no role explains.
 * - `markOutliers`: an exception whose entitlement is among its identity's `unusual` factors and
 *   held by at most `groupShare` of the identity's peer group gets the reason `outlier` (its peers
 *   do not hold it), which says more to a reviewer than `outside_roles` or `unexplained`.
 */
import { factorColumns, factorTextsOf } from './peers-wire.js';
import { factorTexts } from './factor-text.js';
import { ROLE_KINDS, roleName, rolesByIdentity, type RoleModel } from '../model/model.js';
import { EXCEPTION_REASONS, type OutTable } from '../model/tables.js';
import type { PeerResult } from './peers.js';
import type { Column } from '../model/tables.js';
import type { RoleDescription } from './alignment.js';
import { distinctLists, groupByKey } from '../util/group.js';
import { iota } from '../util/typed.js';

/** A role counts as a business role when a rule over attributes describes it with at least this F1. */
export const BUSINESS_F1 = 0.5;

/**
 * Extra columns for roles.csv from the business alignment: suggested name, kind refined to
 * `business` when an attribute rule describes the role well (F1 >= BUSINESS_F1), quality 0-100 and
 * its parts, the best rule with its coverage and precision, and each attribute's top values.
 */
export function roleDescriptionColumns(model: RoleModel, desc: RoleDescription[]): { columns: [string, Column][]; kind: Column } {
  const R = model.roles.count;
  const idx = Uint32Array.from({ length: R }, (_, r) => r);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const num = (f: (d: RoleDescription) => number) => ({ kind: 'int' as const, values: Float64Array.from(desc, (d) => Math.round(f(d) * 1000) / 1000) });
  // Attribute-driven roles (kind 2 in the model) are business roles by construction.
  const kinds = Uint32Array.from(desc, (d, r) => {
    const k = model.roles.kind[r]!;
    if (k === 1 || k === 3) return k; // birthright and non-human roles keep their kind
    return k === 2 || (d.best.terms.length > 0 && d.best.f1 >= BUSINESS_F1) ? 2 : 0;
  });
  // Names: business roles by their rule's values; birthright roles as such (their members are
  // everyone, or everyone missing one birthright grant: an attribute rule would describe noise);
  // technical roles by what they grant. Repeated names get " (2)", " (3)", ... in role order.
  const { roles } = model;
  const used = new Map<string, number>();
  const unique = (n: string) => {
    const k = (used.get(n) ?? 0) + 1;
    used.set(n, k);
    return k === 1 ? n : `${n} (${k})`;
  };
  const names = desc.map((d, r) => {
    if (kinds[r] === 2) return unique(d.name.replace(/ \(\d+\)$/, ''));
    if (kinds[r] === 1) return unique('Birthright');
    const first = model.entitlements[roles.entitlements[roles.entitlementOffsets[r]!]!]!;
    const more = roles.entitlementOffsets[r + 1]! - roles.entitlementOffsets[r]! - 1;
    return unique(more > 0 ? `${first} +${more}` : first);
  });
  const rules = desc.map((d, r) => (kinds[r] === 1 ? 'birthright' : d.best.rule));
  return {
    kind: { kind: 'name', dictionary: [...ROLE_KINDS], codes: kinds },
    columns: [
      ['name', { kind: 'name', dictionary: names, codes: idx }],
      ['quality', { kind: 'int', values: Float64Array.from(desc, (d) => d.quality.score) }],
      ['rule', { kind: 'name', dictionary: rules, codes: idx }],
      ['rule_coverage', num((d) => d.best.coverage)],
      ['rule_precision', num((d) => d.best.precision)],
      [
        'top_attributes',
        {
          kind: 'name',
          dictionary: desc.map((d) => d.attributes.map((a) => `${a.attribute}: ${a.values.map((v) => `${v.value} ${pct(v.coverage)}`).join(', ')}`).join('; ')),
          codes: idx,
        },
      ],
    ],
  };
}

export const OUTLIER_REASON = EXCEPTION_REASONS.indexOf('outlier');
/** The reasons mining itself gives (the peer analysis may refine them to `outlier`). */
const MINED_REASONS = new Set(['unexplained', 'rare_entitlement', 'outside_roles'].map((r) => EXCEPTION_REASONS.indexOf(r as (typeof EXCEPTION_REASONS)[number])));

/**
 * Default score from which an identity counts as an outlier in the summary. The score (peers.ts) is
 * the weighted share of an identity's access that its peer group does not share: at 0.15, about a
 * sixth of what it holds or lacks sets it apart (one stray grant among 20 scores about 0.05).
 */
export const OUTLIER_THRESHOLD = 0.15;

/** An exception is an `outlier` grant when at most this share of the identity's peer group holds it. */
export const OUTLIER_GROUP_SHARE = 0.1;

/** The peer factors grouped by identity: identity i's are factors[values[off[i]..off[i + 1])], in list order. */
function factorsByIdentity(peers: PeerResult, identities: number): { off: Uint32Array; values: Uint32Array } {
  const who = factorColumns(peers).identity;
  return groupByKey(who, iota(who.length), identities);
}

export function markOutliers(model: RoleModel, peers: PeerResult, groupShare = OUTLIER_GROUP_SHARE): number {
  const fs = factorColumns(peers);
  const { off, values: at } = factorsByIdentity(peers, model.identities.length);
  let marked = 0;
  const ex = model.exceptions;
  for (let k = 0; k < ex.identity.length; k++) {
    // Only grants the mining left unexplained; a reason set before mining (privileged, dormant, ...) stays.
    if (!MINED_REASONS.has(ex.reason[k]!)) continue;
    const i = ex.identity[k]!;
    const e = ex.entitlement[k]!;
    // An identity has a few factors (peers.ts lists at most maxFactors): a scan, no index.
    for (let x = off[i]!; x < off[i + 1]!; x++) {
      const f = at[x]!;
      if (fs.entitlement[f] === e && fs.kind[f] === 0 && fs.groupShare[f]! <= groupShare) {
        ex.reason[k] = OUTLIER_REASON;
        marked++;
        break;
      }
    }
  }
  return marked;
}

export function identityTable(model: RoleModel, peers: PeerResult | null): OutTable {
  const n = model.identities.length;
  const { roles } = model;
  const { off: at, values: held } = rolesByIdentity(roles, n);
  const unexplained = new Uint32Array(n);
  for (const i of model.exceptions.identity) unexplained[i]!++;
  const rolesHeld = new Uint32Array(n);
  for (let i = 0; i < n; i++) rolesHeld[i] = at[i + 1]! - at[i]!;
  // The roles' ids as every table gives them (kept ids from a baseline or a reviewed model).
  const ids = roles.ids ?? Array.from({ length: roles.count }, (_, r) => roleName(r, roles.count));
  // Identities share role lists: each distinct list's text is made once (distinctLists), in
  // first-seen order, as textColumn would give it.
  const { classOf: roleCodes, first } = distinctLists({ off: at, values: held });
  const roleLists = first.map((i) => {
    let list = '';
    for (let x = at[i]!; x < at[i + 1]!; x++) list += (x > at[i]! ? ' ' : '') + ids[held[x]!]!;
    return list;
  });
  const group = new Float64Array(n).fill(-1);
  const score = new Float64Array(n);
  // Without peer groups every identity's factors are '' (one entry).
  let factorText: string[] = [''];
  let factorCodes: Uint32Array = new Uint32Array(n);
  if (peers) {
    for (let i = 0; i < n; i++) {
      group[i] = peers.group[i]!;
      score[i] = Math.round(peers.score[i]! * 10000) / 10000;
    }
    // Made by the peer-group worker when it was given these names (peers-wire.ts), else here.
    const ft = factorTextsOf(peers, model.entitlements, n) ?? factorTexts(factorColumns(peers), n, model.entitlements);
    factorText = ft.dictionary;
    factorCodes = ft.codes;
  }
  const codes = iota(n);
  return {
    name: 'identities',
    length: n,
    columns: [
      ['identity', { kind: 'name', dictionary: model.identities, codes }],
      ['peer_group', { kind: 'int', values: group }],
      ['outlier_score', { kind: 'int', values: score }],
      ['outlier_factors', { kind: 'name', dictionary: factorText, codes: factorCodes }],
      ['roles_held', { kind: 'int', values: rolesHeld }],
      ['roles', { kind: 'name', dictionary: roleLists, codes: roleCodes }],
      ['unexplained_grants', { kind: 'int', values: unexplained }],
    ],
  };
}
