// Status codes returned by the core's exports. They MUST match src/engine/abi.ts (STATUS).
export const OK: i32 = 0;
export const ERR_STATE: i32 = 1; // export called out of order (e.g. mine before load)
export const ERR_RANGE: i32 = 2; // an id in the input is outside [0, count)
export const ERR_TOO_LARGE: i32 = 3; // a component is too large for the exact solver's bitsets
export const ERR_ABORTED: i32 = 4; // the host's progress callback asked to stop

// Phases reported through the progress import. MUST match PHASES in src/engine/abi.ts.
export const PHASE_LOAD: i32 = 0;
export const PHASE_REDUCE: i32 = 1;
export const PHASE_MINE: i32 = 2;
export const PHASE_VERIFY: i32 = 3;
