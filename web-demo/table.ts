/**
 * A table of every row of an output table (roles, exceptions, identities), paged, searchable and
 * sortable, with no cap: the rows stay in the run's columns (typed arrays and dictionaries) and
 * only the page shown becomes DOM. Search matches a substring, case-insensitively, in any column:
 * a dictionary column is searched once per distinct name (then rows by code), so a keystroke
 * costs O(names + rows x columns) integer checks, not a string per cell. Sorting ranks a
 * dictionary's names once (localeCompare) and sorts row numbers by rank; ties keep the table's
 * own order (rolemill's canonical order), so a sort is deterministic.
 *
 * Names go into the page as text only (textContent): a hostile name stays a string.
 */
import type { OutTable } from '../src/browser.js';

type Column = OutTable['columns'][number][1];

/** A column as the table shows it: the run's own column, or one derived per row (a role's entitlements). */
export type ShownColumn = { name: string; column: Column } | { name: string; text: (row: number) => string };

const PAGE_SIZES = [25, 50, 100, 500];

export class DataTable {
  readonly element: HTMLElement;
  private readonly columns: ShownColumn[];
  private readonly length: number;
  private order: Uint32Array; // rows in sort order
  private rows: Uint32Array; // the rows shown (search applied), in sort order
  private page = 0;
  private pageSize = 50;
  private sortBy = -1;
  private descending = false;
  private query = '';
  private readonly body: HTMLTableSectionElement;
  private readonly head: HTMLTableRowElement;
  private readonly info: HTMLElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;

  /** `testid`: the table's data-testid (roles-table, ...); `title` and `note` head it. */
  constructor(testid: string, title: string, note: string, length: number, columns: ShownColumn[]) {
    this.columns = columns;
    this.length = length;
    this.order = identity(length);
    this.rows = this.order;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) => {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      return e;
    };
    this.element = el('section', { 'data-testid': testid, class: 'data-table', id: testid });
    const search = el('input', { type: 'search', placeholder: `Search ${length.toLocaleString('en-US')} rows (any column)`, 'data-testid': 'table-search', 'aria-label': `Search ${title}` });
    const size = el('select', { 'data-testid': 'page-size', 'aria-label': 'Rows per page' });
    for (const n of PAGE_SIZES) size.append(Object.assign(el('option', { value: String(n) }, `${n} per page`), { selected: n === this.pageSize }));
    this.prev = el('button', { type: 'button', 'data-testid': 'prev-page' }, '‹ Previous');
    this.next = el('button', { type: 'button', 'data-testid': 'next-page' }, 'Next ›');
    this.info = el('span', { class: 'page-info', 'data-testid': 'page-info' });
    const table = el('table');
    const thead = el('thead');
    this.head = el('tr');
    thead.append(this.head);
    this.body = el('tbody');
    table.append(thead, this.body);
    columns.forEach((c, k) => {
      const th = el('th', { scope: 'col', 'data-column': c.name, tabindex: '0', title: `Sort by ${c.name}` }, c.name);
      const sort = () => this.sort(k);
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), sort()));
      this.head.append(th);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.search(search.value), length > 50_000 ? 200 : 60);
    });
    size.addEventListener('change', () => {
      this.pageSize = Number(size.value);
      this.page = 0;
      this.draw();
    });
    this.prev.addEventListener('click', () => this.turn(-1));
    this.next.addEventListener('click', () => this.turn(1));
    const tools = el('div', { class: 'tools' });
    tools.append(search, size);
    const pager = el('div', { class: 'pager' });
    pager.append(this.prev, this.info, this.next);
    const wrap = el('div', { class: 'scroll' });
    wrap.append(table);
    this.element.append(el('h2', {}, `${title} (${length.toLocaleString('en-US')})`), el('p', { class: 'muted' }, note), tools, wrap, pager);
    this.draw();
  }

  private turn(by: number): void {
    const last = Math.max(0, Math.ceil(this.rows.length / this.pageSize) - 1);
    this.page = Math.min(last, Math.max(0, this.page + by));
    this.draw();
  }

  /** Sorts by column k (again: the other direction). */
  private sort(k: number): void {
    this.descending = this.sortBy === k ? !this.descending : false;
    this.sortBy = k;
    const c = this.columns[k]!;
    let key: (row: number) => number;
    if ('column' in c && c.column.kind === 'int') {
      const values = c.column.values;
      key = (r) => values[r]!;
    } else if ('column' in c && c.column.kind === 'name') {
      const { dictionary, codes } = c.column;
      const byName = Array.from(dictionary.keys()).sort((a, b) => compareText(dictionary[a]!, dictionary[b]!));
      const rank = new Uint32Array(dictionary.length);
      byName.forEach((code, i) => (rank[code] = i));
      key = (r) => rank[codes[r]!]!;
    } else {
      const text = (c as { text: (row: number) => string }).text;
      const values = Array.from({ length: this.length }, (_, r) => text(r));
      const byText = identity(this.length).sort((a, b) => compareText(values[a]!, values[b]!) || a - b);
      const rank = new Uint32Array(this.length);
      byText.forEach((row, i) => (rank[row] = i));
      key = (r) => rank[r]!;
    }
    const sign = this.descending ? -1 : 1;
    this.order = identity(this.length).sort((a, b) => sign * (key(a) - key(b)) || a - b);
    this.search(this.query, true);
  }

  /** Keeps the rows with `query` in any column (the page goes back to the first). */
  private search(query: string, force = false): void {
    const q = query.trim().toLowerCase();
    if (!force && q === this.query) return;
    this.query = q;
    this.page = 0;
    if (q === '') {
      this.rows = this.order;
    } else {
      const tests = this.columns.map((c): ((row: number) => boolean) => {
        if ('column' in c && c.column.kind === 'name') {
          const { dictionary, codes } = c.column;
          const hit = new Uint8Array(dictionary.length);
          dictionary.forEach((name, code) => (hit[code] = name.toLowerCase().includes(q) ? 1 : 0));
          return (r) => hit[codes[r]!] === 1;
        }
        if ('column' in c && c.column.kind === 'int') {
          const values = (c.column as { values: ArrayLike<number> }).values;
          return (r) => String(values[r]).includes(q);
        }
        const text = (c as { text: (row: number) => string }).text;
        return (r) => text(r).toLowerCase().includes(q);
      });
      const kept: number[] = [];
      for (const r of this.order) if (tests.some((t) => t(r))) kept.push(r);
      this.rows = Uint32Array.from(kept);
    }
    this.draw();
  }

  private draw(): void {
    const from = this.page * this.pageSize;
    const to = Math.min(this.rows.length, from + this.pageSize);
    const cells = this.columns.map((c): ((row: number) => string) => {
      if ('text' in c) return c.text;
      const col = c.column;
      return col.kind === 'int' ? (r) => formatNumber(col.values[r]!) : (r) => col.dictionary[col.codes[r]!]!;
    });
    const numeric = this.columns.map((c) => 'column' in c && c.column.kind === 'int');
    const frag = document.createDocumentFragment();
    for (let i = from; i < to; i++) {
      const r = this.rows[i]!;
      const tr = document.createElement('tr');
      cells.forEach((cell, k) => {
        const td = document.createElement('td');
        if (numeric[k]) td.className = 'n';
        const text = cell(r);
        td.textContent = text;
        if (text.length > 40) td.title = text; // shown cut to the column's width; the whole value on hover
        tr.append(td);
      });
      frag.append(tr);
    }
    this.body.replaceChildren(frag);
    if (to === from) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = this.columns.length;
      td.className = 'empty';
      td.textContent = this.length === 0 ? 'No rows.' : 'No row matches the search.';
      tr.append(td);
      this.body.append(tr);
    }
    this.head.querySelectorAll('th').forEach((th, k) => {
      th.setAttribute('aria-sort', k === this.sortBy ? (this.descending ? 'descending' : 'ascending') : 'none');
    });
    const fmt = (n: number) => n.toLocaleString('en-US');
    const pages = Math.max(1, Math.ceil(this.rows.length / this.pageSize));
    this.info.textContent =
      `${to > from ? `${fmt(from + 1)}–${fmt(to)}` : '0'} of ${fmt(this.rows.length)}${this.rows.length !== this.length ? ` (of ${fmt(this.length)}, searched)` : ''} · page ${fmt(this.page + 1)} of ${fmt(pages)}`;
    this.prev.disabled = this.page === 0;
    this.next.disabled = to >= this.rows.length;
  }
}

const identity = (n: number) => {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
};

/** Names compared as people expect (numbers inside names in order), the same on every machine for the same names. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
const compareText = (a: string, b: string) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** Whole numbers as written; fractions (quality, rule coverage, outlier scores) to 3 places. */
const formatNumber = (x: number) => (Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000));
