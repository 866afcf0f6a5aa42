/** Names to dense ids in first-appearance order: `id(name)` gives a name's id, adding it when new. */
export class Interner {
  readonly index = new Map<string, number>();
  readonly names: string[] = [];

  constructor(initial: Iterable<string> = []) {
    for (const n of initial) this.id(n);
  }

  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(name, i);
      this.names.push(name);
    }
    return i;
  }
}

const DIGITS = /^[0-9]+$/;

/**
 * The canonical order of names (identities, entitlements, accounts, groups): names that are whole
 * numbers first, in numeric order (2 before 10; leading zeros compare by value, then as text), then
 * every other name in code-unit order (`<`). A total order, so every reader and every run orders
 * the same names the same way; numbers as numbers is what a person reading ids expects.
 */
export function compareNames(x: string, y: string): number {
  const dx = DIGITS.test(x);
  const dy = DIGITS.test(y);
  if (dx !== dy) return dx ? -1 : 1;
  if (dx) {
    const sx = x.replace(/^0+(?=.)/, '');
    const sy = y.replace(/^0+(?=.)/, '');
    if (sx.length !== sy.length) return sx.length - sy.length;
    if (sx !== sy) return sx < sy ? -1 : 1;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}
