/** Searches in ascending integer lists (typed arrays or arrays), the one place the host does it. */

/** The first index in [lo, hi) whose value is >= v (hi when none). */
export function lowerBound(list: ArrayLike<number>, v: number, lo = 0, hi = list.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether v is in list[lo, hi) (ascending). */
export function sortedHas(list: ArrayLike<number>, v: number, lo = 0, hi = list.length): boolean {
  const at = lowerBound(list, v, lo, hi);
  return at < hi && list[at] === v;
}
