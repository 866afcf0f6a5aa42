/**
 * A generated enterprise as input, and a model scored against its planted truth: what benchmarks
 * (bench/quality.js, bench/run.js) and tests (test/approx.test.ts) share.
 */
import type { Enterprise } from '../generate.js';
import type { Grants } from '../types.js';
import { roleObjects, type RoleModel } from '../model/model.js';

/** The enterprise's grants as read input (its own arrays copied: the worker engine detaches what it is given). */
export function enterpriseGrants(e: Enterprise): Grants {
  return {
    source: 'generated',
    format: 'csv',
    identities: e.identities.map((x) => x.id),
    entitlements: e.entitlementNames,
    identity: e.grants.identity.slice(),
    entitlement: e.grants.entitlement.slice(),
    rows: e.grants.identity.length,
    otherColumns: [],
    columns: {},
  };
}

/**
 * Planted roles of at least `minMembers` members (`planted`), and how many of them a mined role
 * matches: entitlement-set Jaccard similarity of at least `jaccard` with the best mined role.
 */
export function plantedRecovery(e: Enterprise, model: RoleModel, minMembers = 5, jaccard = 0.9): { planted: number; matched: number } {
  const mined = roleObjects(model).map((r) => new Set(r.entitlements));
  let planted = 0;
  let matched = 0;
  for (const pr of e.roles) {
    if (pr.members.length < minMembers) continue;
    planted++;
    let best = 0;
    for (const M of mined) {
      const inter = pr.entitlements.filter((x) => M.has(x)).length;
      best = Math.max(best, inter / (pr.entitlements.length + M.size - inter));
    }
    if (best >= jaccard) matched++;
  }
  return { planted, matched };
}
