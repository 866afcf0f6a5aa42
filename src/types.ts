/**
 * Public data shapes shared by ingest, engines, model and output.
 *
 * Words follow the user's domain: an *identity* holds an *entitlement*; one (identity, entitlement)
 * pair is a *grant*. Matrix words (row, column) stay inside the core.
 */

/**
 * Grants as read from one input, encoded once into dense ids.
 *
 * Contract (every reader must keep it, tests check it):
 * - `identities` and `entitlements` hold each distinct name exactly as it appeared in the input, in the
 *   canonical order: ascending by JavaScript string comparison (`a < b`, UTF-16 code units). Dense id =
 *   index in that array. So the order of input rows never changes ids, and the same grants read from
 *   CSV, Arrow, Parquet or a pair list get the same ids.
 * - `identity[i]`, `entitlement[i]` are the ids of input row i (in input order, duplicates included;
 *   the engine sorts and drops duplicates and counts them).
 * - `rows` is the number of data rows read (header excluded) = `identity.length`.
 * - `columns` holds the extra columns the caller asked to keep (`keep` option), dictionary-encoded per
 *   input row: `values[codes[i]]` is row i's value. Unrequested extra columns are only named in
 *   `otherColumns`.
 */
export interface Grants {
  source: string;
  format: InputFormat;
  identities: string[];
  entitlements: string[];
  identity: Uint32Array;
  entitlement: Uint32Array;
  rows: number;
  otherColumns: string[];
  columns: Record<string, { values: string[]; codes: Uint32Array }>;
}

export type InputFormat = 'csv' | 'arrow' | 'parquet' | 'pairs';

export interface ReadOptions {
  /** Column holding the identity name (default `identity`). Ignored for pair lists. */
  identityColumn?: string;
  /** Column holding the entitlement name (default `entitlement`). Ignored for pair lists. */
  entitlementColumn?: string;
  /** Force a format instead of detecting it from content and extension. */
  format?: InputFormat;
  /** Extra columns to keep, dictionary-encoded (see `Grants.columns`); a missing one is an InputError. */
  keep?: string[];
  /** Extra columns to keep when the input has them (absent ones are simply not in `Grants.columns`). */
  keepIfPresent?: string[];
  /**
   * Node, `readGrants` of a CSV file: parse it on this many worker threads (default 1). The result
   * is identical to a sequential read; a file too small, unusual, or with an error in it is read
   * sequentially (which gives the error its exact line).
   */
  workers?: number;
  /** Called now and then with bytes read so far and the total (0 when unknown). */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  /** Stops the read with AbortError (at the next chunk; a parallel read's threads are terminated). */
  signal?: AbortSignal;
}

/** What to minimise in exact mining. */
export type Objective = 'roles' | 'wsc';

export interface MineOptions {
  /**
   * approx (default): noise-tolerant; roles explain most grants, the rest are exceptions with a
   * reason. exact: roles reproduce every grant with as few roles as possible.
   */
  mode?: 'approx' | 'exact';
  /** Exact mode: what to minimise. */
  objective?: Objective;
  /** Approx mode: fewest identities a role may have (default 3). */
  minMembers?: number;
  /** Approx mode: fewest entitlements a role may have (default 1). */
  minEntitlements?: number;
  /** Approx mode: stop once this share of grants is explained (default 1: until no role pays off). */
  coverage?: number;
  /** Approx mode: most roles (default: no limit). */
  maxRoles?: number;
  /** Approx mode: entitlements held by at least this share of identities form the birthright role (default 0.9; 0 disables). */
  birthright?: number;
  /** Approx mode: share of an entitlement's holders that must hold another for it to join that entitlement's candidate role (default 0.8). */
  support?: number;
  /**
   * Approx mode: cost of one unexplained grant relative to one assignment (default 1). The miner
   * minimises roles + |UA| + |PA| + exceptionCost x unexplained grants.
   */
  exceptionCost?: number;
  /**
   * Approx mode: how many of a role's entitlements a member may lack. Default 'auto': an identity
   * joins a mined role when its grants make it far likelier a member lacking some (at most one of
   * up to 5, a third of more) than a non-member holding the rest (assembly/approx.ts,
   * addNearMembersAuto); 0: roles never give anything not held; N: at most N, when that lowers the
   * cost. Each entitlement a role then gives without a grant is listed as an over-assignment
   * (exceptions.csv reason over_assigned) for review.
   */
  tolerance?: number | 'auto';
  /**
   * Approx mode: a mined role's shared access must be less likely than this by chance (default
   * 0.01, over all candidates tried; 0: no test). With each identity holding each entitlement
   * independently at its observed rate, the identities holding all of a role's entitlements are
   * about Poisson; a role needs P(that many or more) < significance / candidates. Keeps broad,
   * unrelated access (service accounts) from forming roles of a few accounts; on very small inputs
   * (tens of identities) few roles can pass it.
   */
  significance?: number;
  /**
   * Approx mode: roles the model starts from (for example attribute-driven roles from
   * `mineByAttributes`), before anything is mined bottom-up. Each candidate member joins a seed role
   * when it lacks at most `tolerance` of its entitlements; a seed left without members is dropped.
   * Seeds are kept as given (never split or extended); the miner explains what they leave. A
   * birthright seed (kind 1) replaces the birthright step. `model.roles.origin` says which seed
   * each role came from.
   */
  seedRoles?: SeedRoles;
  /**
   * Approx mode: entitlement sets (ascending, distinct entitlement ids) of roles to prefer, e.g. the
   * previous snapshot's roles (`mine --baseline`). Each is a candidate role that needs no role cost
   * (PERTURBATION_WEIGHT in assembly/approx.ts = one role): between an existing role and an equally
   * good new one, the existing one is taken, as in mining with minimal perturbation (Vaidya,
   * Atluri, Guo, Adam, SACMAT 2008). A preferred role is mined like any candidate: taken only when
   * it pays, its members by the same rule, never forced.
   */
  preferredRoles?: Uint32Array[];
  /** Called with the phase name and a fraction in [0, 1]. */
  onProgress?: (phase: string, fraction: number) => void;
  signal?: AbortSignal;
}

/** Roles given to the miner, compressed: role r has members[memberOffsets[r]..memberOffsets[r+1]) (ids of the grants, ascending, distinct), likewise entitlements. */
export interface SeedRoles {
  count: number;
  /** Per role: 1 birthright, 2 business (attribute-driven). */
  kind: Uint8Array;
  memberOffsets: Uint32Array;
  members: Uint32Array;
  entitlementOffsets: Uint32Array;
  entitlements: Uint32Array;
}
