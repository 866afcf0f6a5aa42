// The one import from the host: progress reports and the chance to stop.
// The host returns non-zero to ask the core to abort; the core then unwinds with ERR_ABORTED.

// @ts-ignore: decorator
@external("env", "progress")
declare function hostProgress(phase: i32, fraction: f64): i32;

export let abortRequested: bool = false;

/** Reports progress; records an abort request. Callers check `abortRequested` at safe points. */
export function progress(phase: i32, fraction: f64): bool {
  if (hostProgress(phase, fraction) != 0) abortRequested = true;
  return abortRequested;
}

export function resetAbort(): void {
  abortRequested = false;
}
