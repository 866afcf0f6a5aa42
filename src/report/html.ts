/**
 * report.html: one self-contained file — styles, the data (JSON) and the renderer (src/report/
 * render.ts, inlined as the JavaScript text src/report/render-source.ts holds) — that makes no request of any kind (a Content-Security-
 * Policy of `default-src 'none'` says so to the browser too), reads offline and prints.
 *
 * The data goes in a `<script type="application/json">` with every `<` written `\u003c`, so no name
 * can close the element or open another; the renderer then puts names into the page as text only.
 * The file is a pure function of the data: the same output folder gives the same bytes.
 */
import type { ReportData } from './data.js';
import { RENDER_SOURCE } from './render-source.js';

export const REPORT_FILE = 'report.html';

/** The report's styles (also used by the browser app, which draws the same report). */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d8dde6; --accent: #1e5fc8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7fa; }
.rolemill-report { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
header h1 { margin: 8px 0 0; font-size: 24px; }
header .sub { margin: 2px 0 8px; color: var(--muted); word-break: break-all; }
nav { position: sticky; top: 0; background: #f6f7fa; padding: 6px 0; border-bottom: 1px solid var(--line); z-index: 1; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 18px; margin: 14px 0; }
h2 { font-size: 18px; margin: 4px 0 10px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.tile .v { font-size: 22px; font-weight: 600; }
.tile .l { color: var(--muted); }
.tile .note { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; margin: 6px 0; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; word-break: break-word; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 12px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; background: #fff; }
svg .axis { stroke: #888; }
svg .mark { stroke: #bbb; stroke-dasharray: 4 3; }
svg .curve { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .lbl { font-size: 11px; fill: var(--muted); }
svg .val { font-size: 11px; fill: var(--ink); }
svg .dot { fill: #1e5fc8; fill-opacity: 0.55; }
svg .dot.k-birthright { fill: #2e8b57; }
svg .dot.k-non-human { fill: #8a5a00; }
svg .dot.k-technical { fill: #7a7a7a; }
.matrix { overflow: auto; max-height: 640px; border: 1px solid var(--line); display: inline-block; }
.matrix canvas { display: block; image-rendering: pixelated; }
.legend .sw { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin-left: 8px; }
.tools { display: flex; gap: 8px; margin-bottom: 8px; }
.tools input { flex: 1; padding: 6px 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; break-inside: avoid; }
.card h3 { margin: 2px 0 4px; }
.card p { margin: 3px 0; }
.card .attrs { color: var(--muted); font-size: 12px; }
.kind { font-size: 11px; font-weight: 500; border: 1px solid var(--line); border-radius: 10px; padding: 0 6px; margin-left: 4px; color: var(--muted); }
ul.inline { padding-left: 0; } ul.inline li { display: inline; margin-right: 8px; }
.suggest { background: #fff8e6; border-radius: 4px; padding: 4px 8px; margin-top: 6px; }
dl { margin: 0 0 0 8px; } dt { font-weight: 600; } dd { margin: 0 0 4px 16px; }
pre { white-space: pre-wrap; word-break: break-all; font-size: 12px; max-height: 400px; overflow: auto; }
code { background: #eef1f6; padding: 0 3px; border-radius: 3px; word-break: break-all; }
@media print {
  body { background: #fff; } nav, .tools, button { display: none; }
  section { border: none; break-inside: auto; } .matrix { max-height: none; overflow: visible; }
  details { display: block; } details > * { display: block; }
}
`;

/** `<` written as \u003c (also `>` and `&`, for good measure): JSON.parse reads it back unchanged, and no text in it can end the script element. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The HTML text of report.html for `data`. */
export function reportHtml(data: ReportData): string {
  const title = data.kind === 'diff' ? 'rolemill: snapshot comparison' : data.kind === 'evaluate' ? 'rolemill: model evaluation' : 'rolemill: candidate role model';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rolemill ${data.version}">
<title>${title}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main id="report" class="rolemill-report" data-testid="report"><noscript>This report draws its charts and tables with JavaScript; the same data is in the CSV and JSON files beside it.</noscript></main>
<script type="application/json" id="report-data">${scriptSafeJson(data)}</script>
<script>
${RENDER_SOURCE}
renderReport(document.getElementById('report'), JSON.parse(document.getElementById('report-data').textContent));
</script>
</body>
</html>
`;
}
