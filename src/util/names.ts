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
