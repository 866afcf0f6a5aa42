/**
 * Draws a report (ReportData, src/report/data.ts) into a page element: the headline, the charts
 * (generated SVG: no chart library, nothing fetched), the matrix (a canvas), searchable and
 * sortable role cards, outliers, the evaluate or diff sections, the data-quality report and how
 * the model was built.
 *
 * Contract: this module is self-contained — the function references nothing outside its own body
 * and the module imports types only — because report.html carries it inline as JavaScript text
 * (src/report/gen-source.mjs writes it to render-source.ts at build time), and the browser app calls
 * it directly. Every name from the data goes into the page as text (textContent, SVG
 * text nodes), never as markup, so a hostile identity or entitlement name stays a string.
 */
import type { ReportData } from './data.js';

export function renderReport(root: HTMLElement, data: ReportData): void {
  const SVG = 'http://www.w3.org/2000/svg';
  type Child = Node | string | null | undefined | false;
  const el = (tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return e;
  };
  const svg = (tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmt = (n: number) => n.toLocaleString('en-US');
  const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
  const s = data.summary as Record<string, any>;
  const section = (id: string, title: string, ...children: Child[]) => el('section', { id, 'data-section': id }, el('h2', {}, title), ...children);
  const table = (header: string[], rows: (string | number)[][], attrs: Record<string, string> = {}) =>
    el('table', attrs, el('thead', {}, el('tr', {}, ...header.map((h) => el('th', {}, h)))), el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', typeof c === 'number' ? { class: 'n' } : {}, typeof c === 'number' ? fmt(c) : c))))));
  const chart = (name: string, w: number, h: number) => svg('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: 'img', 'data-chart': name, class: 'chart' }) as SVGSVGElement;

  /** Horizontal bars, one per [label, value]. */
  const bars = (name: string, items: [string, number][], color: string) => {
    const w = 560;
    const rowH = 20;
    const h = Math.max(1, items.length) * rowH + 10;
    const c = chart(name, w, h);
    const max = Math.max(1, ...items.map(([, v]) => v));
    items.forEach(([label, v], k) => {
      const y = 5 + k * rowH;
      c.append(svg('text', { x: 195, y: y + 14, 'text-anchor': 'end', class: 'lbl' }, label.length > 32 ? label.slice(0, 31) + '…' : label));
      const bw = Math.max(1, (v / max) * 280);
      const bar = svg('rect', { x: 200, y: y + 3, width: bw, height: rowH - 6, fill: color });
      bar.append(svg('title', {}, `${label}: ${fmt(v)}`));
      c.append(bar, svg('text', { x: 205 + bw, y: y + 14, class: 'val' }, fmt(v)));
    });
    return c;
  };

  /** A line chart of points [x, y] with axes; `marks` are horizontal reference lines [y, label]. */
  const line = (name: string, pts: [number, number][], xLabel: string, yLabel: string, yMax: number, marks: [number, string][]) => {
    const w = 560;
    const h = 260;
    const L = 50;
    const B = 30;
    const c = chart(name, w, h);
    const xMax = Math.max(1, ...pts.map(([x]) => x));
    const X = (x: number) => L + (x / xMax) * (w - L - 10);
    const Y = (y: number) => h - B - (y / Math.max(1e-9, yMax)) * (h - B - 10);
    c.append(svg('line', { x1: L, y1: h - B, x2: w - 10, y2: h - B, class: 'axis' }), svg('line', { x1: L, y1: 10, x2: L, y2: h - B, class: 'axis' }));
    for (const [y, label] of marks) c.append(svg('line', { x1: L, y1: Y(y), x2: w - 10, y2: Y(y), class: 'mark' }), svg('text', { x: L + 4, y: Y(y) - 3, class: 'lbl' }, label));
    c.append(svg('polyline', { points: pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' '), class: 'curve' }));
    c.append(svg('text', { x: w / 2, y: h - 6, 'text-anchor': 'middle', class: 'lbl' }, xLabel), svg('text', { x: 12, y: h / 2, transform: `rotate(-90 12 ${h / 2})`, 'text-anchor': 'middle', class: 'lbl' }, yLabel));
    c.append(svg('text', { x: w - 10, y: h - B + 14, 'text-anchor': 'end', class: 'lbl' }, fmt(xMax)), svg('text', { x: L - 4, y: h - B, 'text-anchor': 'end', class: 'lbl' }, '0'));
    return c;
  };

  /** A column chart of counts (histogram bins). */
  const columns = (name: string, counts: number[], labels: string[], color: string, markAt?: number) => {
    const w = 560;
    const h = 200;
    const c = chart(name, w, h);
    const max = Math.max(1, ...counts);
    const bw = (w - 60) / Math.max(1, counts.length);
    counts.forEach((v, k) => {
      const bh = (v / max) * (h - 50);
      const r = svg('rect', { x: 50 + k * bw + 1, y: h - 30 - bh, width: Math.max(1, bw - 2), height: bh, fill: color });
      r.append(svg('title', {}, `${labels[k]}: ${fmt(v)}`));
      c.append(r);
      if (k % Math.ceil(counts.length / 10) === 0) c.append(svg('text', { x: 50 + k * bw, y: h - 14, class: 'lbl' }, labels[k]!));
    });
    if (markAt !== undefined) c.append(svg('line', { x1: 50 + markAt * (w - 60), y1: 10, x2: 50 + markAt * (w - 60), y2: h - 30, class: 'mark' }));
    c.append(svg('text', { x: 45, y: 20, 'text-anchor': 'end', class: 'lbl' }, fmt(max)));
    return c;
  };

  // ---- header and navigation
  const input = (s['input'] ?? {}) as Record<string, any>;
  const m = (s['model'] ?? {}) as Record<string, any>;
  const title = data.kind === 'diff' ? 'Snapshot comparison' : data.kind === 'evaluate' ? 'Model evaluation' : 'Candidate role model';
  const nav = el('nav', {});
  root.replaceChildren();
  root.append(el('header', {}, el('h1', {}, `rolemill: ${title}`), el('p', { class: 'sub' }, data.kind === 'diff' ? `${String(s['prev'] ?? '')} → ${String(s['next'] ?? '')}` : `${String(input['source'] ?? '')}`, ` · rolemill ${data.version}`)), nav);
  const add = (sec: HTMLElement) => {
    root.append(sec);
    const h = sec.querySelector('h2');
    nav.append(el('a', { href: `#${sec.id}` }, h ? h.textContent ?? '' : sec.id));
  };

  const steps: (() => void)[] = [];

  // ---- headline
  steps.push(() => {
    if (data.kind !== 'diff') {
      const dq = (s['dataQuality'] ?? {}) as Record<string, any>;
      const g = (dq['grants'] ?? {}) as Record<string, number>;
      const tile = (label: string, value: string, note?: string) => el('div', { class: 'tile' }, el('div', { class: 'v' }, value), el('div', { class: 'l' }, label), note ? el('div', { class: 'note' }, note) : null);
      const warnings: string[] = [];
      const collect = (o: unknown) => {
        if (!o || typeof o !== 'object') return;
        for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
          if (k === 'warnings' && Array.isArray(v)) for (const w of v) warnings.push(typeof w === 'string' ? w : String((w as any)?.message ?? (w as any)?.kind ?? JSON.stringify(w)));
          else if (typeof v === 'object') collect(v);
        }
      };
      collect(s['dataQuality']);
      collect(s['identitiesFile']);
      const aside = Object.entries((dq['setAside'] ?? {}) as Record<string, { count: number }>).filter(([, v]) => v && v.count > 0);
      const asOf = (dq['asOf'] ?? null) as { date?: string; source?: string } | null;
      add(
        section(
          'headline',
          'Headline',
          el('div', { class: 'tiles' },
            tile('input rows', fmt(input['rows'] ?? 0), `${fmt(input['duplicatesDropped'] ?? 0)} duplicates dropped`),
            tile('grants in the model', fmt(data.totals.grants), g['effective'] !== undefined ? `${fmt(g['effective'])} effective, ${fmt(g['inScope'] ?? 0)} in scope` : undefined),
            tile('identities', fmt(data.totals.identities)),
            tile('entitlements', fmt(data.totals.entitlements)),
            tile('roles', fmt(data.totals.roles), m['birthrightRoles'] !== undefined ? `${m['birthrightRoles']} birthright` : undefined),
            tile('coverage', typeof m['coverage'] === 'number' ? pct(m['coverage'], 2) : '–', 'grants a role explains'),
            tile('unexplained grants', fmt(typeof m['unexplainedGrants'] === 'number' ? m['unexplainedGrants'] : data.totals.exceptions), 'no role explains them'),
            tile('exceptions to review', fmt(data.totals.exceptions), m['dormantGivenByRoles'] ? `incl. ${fmt(m['dormantGivenByRoles'])} dormant grants a role gives` : 'listed in exceptions'),
            tile('over-assignments', fmt(data.totals.overAssigned), 'role pairs not held'),
            g['setAside'] !== undefined ? tile('set aside for review', fmt(g['setAside']), 'before mining') : null,
          ),
          asOf?.date ? el('p', {}, `As of ${asOf.date} (${asOf.source ?? ''}).`) : null,
          el('h3', {}, 'Exceptions and over-assignments by reason'),
          data.exceptionsByReason.length ? table(['reason', 'count'], data.exceptionsByReason) : el('p', {}, 'None.'),
          el('h3', {}, 'Set aside before mining, and why'),
          aside.length ? table(['reason', 'grants'], aside.map(([k, v]) => [k, v.count])) : el('p', {}, 'Nothing was set aside.'),
          el('h3', {}, 'Data-quality warnings'),
          warnings.length ? el('ul', { 'data-testid': 'warnings' }, ...warnings.map((w) => el('li', {}, w))) : el('p', {}, 'None.'),
        ),
      );
    }
  });

  // ---- charts
  steps.push(() => {
    if (data.kind !== 'diff') {
      const total = Math.max(1, data.totals.grants);
      const curve = data.coverageCurve.map(([k, g]): [number, number] => [k, g / total]);
      add(
        section(
          'charts',
          'Charts',
          el('div', { class: 'grid' },
            el('figure', {}, el('figcaption', {}, 'Cumulative share of grants explained, roles by their contribution'),
              curve.length ? line('coverage', curve, 'roles', 'share of grants', 1, [[0.8, '80%'], [0.9, '90%'], [0.95, '95%'], [0.99, '99%']]) : el('p', {}, 'No roles.'),
              data.rolesFor.length ? table(['share of grants', 'roles needed'], data.rolesFor.map(([p, n]) => [`${p}%`, n === null ? 'not reached' : n])) : null),
            el('figure', {}, el('figcaption', {}, 'Role sizes: members (x, log) against entitlements (y, log)'), scatter()),
            el('figure', {}, el('figcaption', {}, 'Exceptions by reason'), bars('reasons', data.exceptionsByReason, '#c0504d')),
            el('figure', {}, el('figcaption', {}, 'Exceptions by application (over-assignments left out)'), bars('applications', data.exceptionsByApp, '#d9822b')),
            data.outlierHistogram.length
              ? el('figure', {}, el('figcaption', {}, `Outlier scores of identities (line: the threshold${data.outlierThreshold !== null ? ` ${data.outlierThreshold}` : ''})`),
                  columns('outliers', data.outlierHistogram, data.outlierHistogram.map((_, k) => (k / 20).toFixed(2)), '#6f5499', data.outlierThreshold ?? undefined))
              : null,
          ),
        ),
      );
    }
    function scatter(): SVGSVGElement {
      const w = 560;
      const h = 260;
      const c = chart('sizes', w, h);
      const maxM = Math.max(2, ...data.roles.map((r) => r.members));
      const maxE = Math.max(2, ...data.roles.map((r) => r.entitlements.length));
      const X = (v: number) => 50 + (Math.log(Math.max(1, v)) / Math.log(maxM)) * (w - 70);
      const Y = (v: number) => h - 30 - (Math.log(Math.max(1, v)) / Math.log(maxE)) * (h - 50);
      c.append(svg('line', { x1: 50, y1: h - 30, x2: w - 10, y2: h - 30, class: 'axis' }), svg('line', { x1: 50, y1: 10, x2: 50, y2: h - 30, class: 'axis' }));
      c.append(svg('text', { x: w - 10, y: h - 14, 'text-anchor': 'end', class: 'lbl' }, `${fmt(maxM)} members`), svg('text', { x: 46, y: 18, 'text-anchor': 'end', class: 'lbl' }, fmt(maxE)));
      for (const r of data.roles) {
        const dot = svg('circle', { cx: X(r.members).toFixed(1), cy: Y(r.entitlements.length).toFixed(1), r: 3, class: `dot k-${r.kind.replace(/[^a-z-]/g, '')}` });
        dot.append(svg('title', {}, `${r.id} ${r.name}: ${r.members} members, ${r.entitlements.length} entitlements`));
        c.append(dot);
      }
      return c;
    }
  });

  // ---- matrix
  steps.push(() => {
    if (data.matrix && data.matrix.rows > 0 && data.matrix.cols > 0) {
      const mx = data.matrix;
      const runs = Uint8Array.from(atob(mx.cells), (ch) => ch.charCodeAt(0));
      const cells = new Uint8Array(mx.rows * mx.cols);
      for (let k = 0, at = 0; k + 1 < runs.length; k += 2) {
        cells.fill(runs[k]!, at, at + runs[k + 1]! + 1);
        at += runs[k + 1]! + 1;
      }
      // Cells at least a pixel, up to 12, filling about 1000 × 700 pixels.
      const cw = Math.max(1, Math.min(12, Math.floor(1000 / mx.cols)));
      const chh = Math.max(1, Math.min(12, Math.floor(700 / mx.rows)));
      const canvas = el('canvas', { width: String(mx.cols * cw), height: String(mx.rows * chh), 'data-chart': 'matrix' }) as HTMLCanvasElement;
      const ctx = canvas.getContext('2d');
      if (ctx) {
        const img = ctx.createImageData(mx.cols * cw, mx.rows * chh);
        for (let r = 0; r < mx.rows; r++) {
          for (let c = 0; c < mx.cols; c++) {
            const k = r * mx.cols + c;
            const v = cells[k]!;
            let rgb = [255, 255, 255];
            if (v >= 192) rgb = [200, 40, 40];
            else if (v >= 160) rgb = [240, 160, 40];
            else if (v > 0) {
              const t = 0.25 + (0.75 * (v - 1)) / 158;
              rgb = [Math.round(255 - t * 225), Math.round(255 - t * 160), Math.round(255 - t * 55)];
            }
            for (let dy = 0; dy < chh; dy++) {
              for (let dx = 0; dx < cw; dx++) {
                const p = ((r * chh + dy) * mx.cols * cw + c * cw + dx) * 4;
                img.data[p] = rgb[0]!;
                img.data[p + 1] = rgb[1]!;
                img.data[p + 2] = rgb[2]!;
                img.data[p + 3] = 255;
              }
            }
          }
        }
        ctx.putImageData(img, 0, 0);
        ctx.strokeStyle = 'rgba(0,0,0,0.55)';
        ctx.lineWidth = 1;
        for (const [r0, r1, c0, c1] of mx.blocks) ctx.strokeRect(c0 * cw + 0.5, r0 * chh + 0.5, (c1 - c0) * cw - 1, (r1 - r0) * chh - 1);
      }
      add(
        section(
          'matrix',
          'The matrix',
          el('p', {}, `Identities (rows, ${fmt(mx.identities)}) × entitlements (columns, ${fmt(mx.entitlements)}), ordered by role: each identity under its main role, each entitlement under the first role that gives it; boxes are roles. `,
            mx.aggregated ? `Aggregated: each cell is a bucket of about ${Math.ceil(mx.identities / mx.rows)} identities × ${Math.ceil(mx.entitlements / mx.cols)} entitlements, shaded by the share of its pairs held; a red cell holds at least one exception.` : 'Exact: one cell per identity and entitlement.'),
          el('p', { class: 'legend' }, el('span', { class: 'sw', style: 'background:#1e5fc8' }, ''), ' given by a role  ', el('span', { class: 'sw', style: 'background:#c82828' }, ''), ' exception  ', el('span', { class: 'sw', style: 'background:#f0a028' }, ''), ' over-assigned (a role gives it, not held)'),
          el('div', { class: 'matrix' }, canvas),
        ),
      );
    }
  });

  // ---- roles
  steps.push(() => {
    if (data.roles.length) {
      const search = el('input', { type: 'search', placeholder: 'Search roles, entitlements, members…', 'data-testid': 'role-search', 'aria-label': 'search roles' }) as HTMLInputElement;
      const sort = el('select', { 'data-testid': 'role-sort', 'aria-label': 'sort roles' }, ...[['grants', 'grants covered'], ['members', 'members'], ['entitlements', 'entitlements'], ['quality', 'quality'], ['id', 'id'], ['name', 'name']].map(([v, l]) => el('option', { value: v! }, `sort by ${l}`))) as HTMLSelectElement;
      const list = el('div', { class: 'cards', 'data-testid': 'role-cards' });
      const count = el('p', { class: 'count' });
      const more = el('button', { type: 'button' }, 'show more') as HTMLButtonElement;
      let shown = 30;
      let current = data.roles;
      const card = (r: ReportData['roles'][number]) =>
        el('article', { class: 'card', 'data-role': r.id },
          el('h3', {}, `${r.id} `, el('span', { class: 'name' }, r.name || '(unnamed)'), ' ', el('span', { class: `kind k-${r.kind.replace(/[^a-z-]/g, '')}` }, r.kind), r.status ? el('span', { class: 'kind' }, r.status) : null),
          el('p', {}, `${fmt(r.members)} members · ${fmt(r.entitlements.length)} entitlements · ${fmt(r.grantsCovered)} grants covered · ${fmt(r.exclusiveGrants)} only through it`, r.quality !== null ? ` · quality ${r.quality}` : ''),
          r.rule ? el('p', {}, 'Rule: ', el('code', {}, r.rule), r.ruleCoverage !== null ? ` (covers ${pct(r.ruleCoverage)} of members` : '', r.rulePrecision !== null ? `, precision ${pct(r.rulePrecision)})` : r.ruleCoverage !== null ? ')' : '') : null,
          r.topAttributes ? el('p', { class: 'attrs' }, 'Attributes: ', r.topAttributes) : null,
          el('details', {}, el('summary', {}, `Entitlements (${fmt(r.entitlements.length)})`), el('ul', {}, ...r.entitlements.map((e) => el('li', {}, e)))),
          el('details', {}, el('summary', {}, `Members (${fmt(r.members)}${r.members > r.memberSample.length ? `, first ${r.memberSample.length} shown; all in assignments` : ''})`), el('ul', { class: 'inline' }, ...r.memberSample.map((x) => el('li', {}, x)))),
          r.lacking.count ? el('details', {}, el('summary', {}, `Members lacking entitlements (${fmt(r.lacking.count)} pairs${r.lacking.count > r.lacking.sample.length ? `, first ${r.lacking.sample.length} shown` : ''})`), el('ul', {}, ...r.lacking.sample.map(([i, e]) => el('li', {}, `${i} lacks ${e}`)))) : null,
          r.suggestions.length ? el('div', { class: 'suggest' }, el('strong', {}, 'Suggested changes'), el('ul', {}, ...r.suggestions.map((x) => el('li', {}, x)))) : null,
        );
      const draw = () => {
        list.replaceChildren(...current.slice(0, shown).map(card));
        count.textContent = `${fmt(current.length)} of ${fmt(data.roles.length)} roles${current.length > shown ? `, first ${shown} shown` : ''}`;
        more.hidden = current.length <= shown;
      };
      const refresh = () => {
        const q = search.value.trim().toLowerCase();
        const key = sort.value;
        const hit = (r: ReportData['roles'][number]) => !q || r.id.toLowerCase().includes(q) || r.name.toLowerCase().includes(q) || r.rule.toLowerCase().includes(q) || r.entitlements.some((e) => e.toLowerCase().includes(q)) || r.memberSample.some((x) => x.toLowerCase().includes(q));
        const by: Record<string, (a: ReportData['roles'][number], b: ReportData['roles'][number]) => number> = {
          grants: (a, b) => b.grantsCovered - a.grantsCovered,
          members: (a, b) => b.members - a.members,
          entitlements: (a, b) => b.entitlements.length - a.entitlements.length,
          quality: (a, b) => (b.quality ?? -1) - (a.quality ?? -1),
          id: () => 0,
          name: (a, b) => a.name.localeCompare(b.name),
        };
        current = data.roles.filter(hit).sort((a, b) => by[key]!(a, b) || (a.id < b.id ? -1 : 1));
        shown = 30;
        draw();
      };
      search.addEventListener('input', refresh);
      sort.addEventListener('change', refresh);
      more.addEventListener('click', () => {
        shown += 60;
        draw();
      });
      // Printing shows every card (one listener per page: a redraw replaces the last one's).
      const w = window as unknown as { __rolemillBeforePrint?: () => void };
      if (w.__rolemillBeforePrint) window.removeEventListener('beforeprint', w.__rolemillBeforePrint);
      w.__rolemillBeforePrint = () => {
        shown = current.length;
        draw();
      };
      window.addEventListener('beforeprint', w.__rolemillBeforePrint);
      refresh();
      add(section('roles', `Roles (${fmt(data.roles.length)})`, el('div', { class: 'tools' }, search, sort), count, list, more));
    }
  });

  // ---- outliers
  steps.push(() => {
    if (data.outliers.length) {
      add(
        section('outliers', 'Outliers',
          el('p', {}, `${fmt(data.outlierCount)} identities score at or above the outlier threshold${data.outlierThreshold !== null ? ` ${data.outlierThreshold}` : ''}; the ${fmt(data.outliers.length)} highest scores are listed (all in identities).`),
          table(['identity', 'score', 'peer group', 'factors'], data.outliers.map((o) => [o.identity, o.score.toFixed(3), o.peerGroup, o.factors]), { 'data-testid': 'outliers' }),
        ),
      );
    }
  });

  // ---- evaluate, diff
  steps.push(() => {
    if (data.evaluate) {
      const ev = data.evaluate;
      add(section('impact', 'Impact of the model',
        el('p', {}, `Applying the model would give ${fmt(ev.gain)} grants identities do not hold, and take away ${fmt(ev.lose)} they hold (all in impact).`),
        table(['role', 'gain', 'lose'], ev.byRole)));
    }
    if (data.diff) {
      const d = data.diff;
      const st = (s['stability'] ?? {}) as Record<string, number>;
      const rs = (s['roles'] ?? {}) as Record<string, number>;
      add(section('changes', 'Role changes',
        el('p', {}, `Roles before ${fmt(rs['before'] ?? 0)}, after ${fmt(rs['after'] ?? 0)}: ${fmt(rs['kept'] ?? 0)} kept, ${fmt(rs['changed'] ?? 0)} changed, ${fmt(rs['added'] ?? 0)} added, ${fmt(rs['removed'] ?? 0)} removed. Stability: ${pct(st['continued'] ?? 0)} of the previous roles continue under their id (mean Jaccard ${st['meanJaccard'] ?? ''}).`),
        d.roleChanges.length ? table(Object.keys(d.roleChanges[0]!), d.roleChanges.map((r) => Object.values(r))) : null,
        d.roleChangeCount > d.roleChanges.length ? el('p', {}, `First ${fmt(d.roleChanges.length)} of ${fmt(d.roleChangeCount)} shown (all in role_changes).`) : null,
        el('h3', {}, 'Identities'), table(['change', 'identities'], d.identityChanges)));
      add(section('remediation', 'Remediation',
        table(['reason', 'rows'], d.remediationByReason),
        d.remediation.length ? table(Object.keys(d.remediation[0]!), d.remediation.map((r) => Object.values(r)), { 'data-testid': 'remediation' }) : null,
        d.remediationCount > d.remediation.length ? el('p', {}, `First ${fmt(d.remediation.length)} of ${fmt(d.remediationCount)} shown (all in remediation).`) : null));
    }
  });

  // ---- the review file
  steps.push(() => {
    if (data.review) {
      const rv = data.review;
      add(section('review', 'Access review',
        el('p', {}, `${fmt(rv.rows)} items for ${fmt(rv.reviewers)} reviewers in review (one row per exception, over-assignment${data.kind === 'diff' ? ' and remediation item' : ''}, with a recommendation, the rule that chose it and its evidence; the decision column is the reviewer's).`),
        table(['recommendation', 'items'], rv.byRecommendation, { 'data-testid': 'review-recommendations' }),
        el('h3', {}, 'By reason'), table(['reason', 'revoke', 'review', 'keep'], rv.byReason),
        el('details', {}, el('summary', {}, `By reviewer${rv.reviewers > rv.byReviewer.length ? ` (the ${rv.byReviewer.length - 1} with most items)` : ''}`), table(['reviewer', 'items'], rv.byReviewer))));
    }
  });

  // ---- data quality and how it was built
  steps.push(() => {
    const tree = (o: unknown, depth = 0): Node => {
      if (o === null || typeof o !== 'object') return document.createTextNode(o === null || o === undefined ? '' : String(o));
      if (Array.isArray(o)) return el('ul', {}, ...o.map((x) => el('li', {}, tree(x, depth + 1))));
      const rec = o as Record<string, unknown>;
      if ('count' in rec && 'examples' in rec && Array.isArray(rec['examples'])) return document.createTextNode(`${fmt(Number(rec['count']))}${(rec['examples'] as unknown[]).length ? ` (e.g. ${(rec['examples'] as unknown[]).map(String).join(', ')})` : ''}`);
      return el('dl', {}, ...Object.entries(rec).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, tree(v, depth + 1))]));
    };
    if (s['dataQuality']) add(section('quality', 'Data quality', tree(s['dataQuality']), s['identitiesFile'] ? el('h3', {}, 'Identities file') : null, s['identitiesFile'] ? tree(s['identitiesFile']) : null));
    const mining = (s['mining'] ?? null) as Record<string, any> | null;
    add(
      section('method', 'How this was built',
        mining ? el('p', {}, `Mode ${mining['mode']}, objective ${mining['objective']}.`) : null,
        mining?.['knobs'] ? table(['knob', 'value'], Object.entries(mining['knobs'] as Record<string, unknown>).map(([k, v]) => [k, String(v)])) : null,
        s['attributeMining'] ? el('p', {}, `Attribute paths mined first: ${((s['attributeMining'] as any).paths ?? []).join(' ; ') || 'none'} (threshold ${(s['attributeMining'] as any).threshold}, at least ${(s['attributeMining'] as any).minMembers} members).`) : null,
        el('p', {}, `rolemill ${data.version}. Command: `, el('code', { 'data-testid': 'command' }, data.command ? data.command.map((a) => (/^[\w./:=,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ') : '(not recorded)')),
        s['timings'] ? el('details', {}, el('summary', {}, 'Timings'), tree(s['timings'])) : null,
        data.files.length ? el('details', {}, el('summary', {}, `Files in this output (${data.files.length})`), table(['file', 'bytes'], data.files.map((f) => [f.path, f.bytes]))) : null,
        el('details', {}, el('summary', {}, 'summary.json'), el('pre', {}, JSON.stringify(s, null, 2))),
      ),
    );
  });

  // Each section in a task of its own (a large report must not hold the page for seconds): the
  // first at once, the rest after, then data-rendered; a newer draw into the same element stops an
  // older one's remaining steps.
  const generation = String(Number(root.dataset['generation'] ?? '0') + 1);
  root.dataset['generation'] = generation;
  root.removeAttribute('data-rendered');
  const runStep = (k: number): void => {
    if (root.dataset['generation'] !== generation) return;
    // A section that fails says so in its place; the others are still drawn.
    try {
      if (k < steps.length) steps[k]!();
    } catch (e) {
      root.append(el('p', { class: 'failed', 'data-failed': 'true' }, `This section could not be drawn: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (k + 1 < steps.length) setTimeout(() => runStep(k + 1), 0);
    else root.setAttribute('data-rendered', 'true');
  };
  runStep(0);
}
