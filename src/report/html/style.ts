// The report's stylesheet, inlined into the page: system fonts only (no web fonts to fetch),
// status colours that survive greyscale printing (a word and an icon travel with each colour).

export const STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #5b6470; --line: #d8dde3; --bg: #ffffff; --panel: #f6f8fa;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #b42318; --fail-bg: #ffebe9; --err: #8a4b00; --err-bg: #fff1d6; }
* { box-sizing: border-box; }
html { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0 auto; max-width: 1180px; padding: 20px 24px 48px; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 0; display: inline; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
a { color: #0550ae; }
.banner { display: flex; align-items: center; gap: 16px; padding: 14px 18px; border-radius: 8px; border: 1px solid; }
.banner.pass { background: var(--pass-bg); border-color: var(--pass); }
.banner.fail { background: var(--fail-bg); border-color: var(--fail); }
.banner.error { background: var(--err-bg); border-color: var(--err); }
.banner .verdict { font-size: 26px; font-weight: 800; letter-spacing: 0.04em; }
.banner.pass .verdict { color: var(--pass); } .banner.fail .verdict { color: var(--fail); } .banner.error .verdict { color: var(--err); }
.banner .counts { font-size: 15px; }
.banner .tool { margin-left: auto; color: var(--muted); text-align: right; font-size: 12.5px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 14px 0 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-weight: 600; font-size: 12.5px; color: var(--muted); }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.models td:nth-child(2) { white-space: nowrap; }
.badge { display: inline-block; min-width: 52px; text-align: center; font-size: 11.5px; font-weight: 700; padding: 1px 7px; border-radius: 10px; border: 1px solid; }
.badge.pass { color: var(--pass); background: var(--pass-bg); border-color: var(--pass); }
.badge.fail { color: var(--fail); background: var(--fail-bg); border-color: var(--fail); }
.badge.error { color: var(--err); background: var(--err-bg); border-color: var(--err); }
tr.check.fail td { background: var(--fail-bg); }
td.result { white-space: nowrap; }
tr.check.fail td.result { color: var(--fail); font-weight: 700; }
tr.check.pass td.result { color: var(--pass); }
.where { color: var(--muted); font-size: 12px; }
.failures { border: 1px solid var(--fail); border-radius: 8px; padding: 4px 16px 10px; margin-top: 16px; }
.failures h2 { border: 0; margin-top: 8px; color: var(--fail); }
.failures li { margin: 4px 0; }
.failures .line { font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; display: block; overflow-wrap: anywhere; }
article.entry { border: 1px solid var(--line); border-left: 6px solid var(--pass); border-radius: 6px; padding: 10px 14px; margin: 12px 0; break-inside: avoid-page; }
article.entry.fail { border-left-color: var(--fail); }
article.entry.error { border-left-color: var(--err); }
article.entry > header { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; margin-bottom: 6px; }
article.entry > header .meta { margin-left: auto; color: var(--muted); font-size: 12.5px; }
.kind { color: var(--muted); font-size: 12.5px; border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; }
.error-box { background: var(--err-bg); border: 1px solid var(--err); border-radius: 6px; padding: 8px 12px; margin: 6px 0; }
.error-box .code { font-weight: 700; }
.artifacts { display: flex; flex-wrap: wrap; gap: 14px; margin: 10px 0 4px; align-items: flex-start; }
.artifacts > figure { flex: none; max-width: 100%; }
/* As a table, a figure is as wide as its picture and its caption wraps within it; a picture figure is
   at least 170px wide so thumbnails keep readable captions. */
figure { margin: 0; break-inside: avoid; display: table; }
figure.picture { width: 170px; }
/* A table as wide as the entry scrolls sideways inside it instead of spilling over its edge. */
figure.wide { display: block; max-width: 100%; }
figure.wide > figcaption { display: block; }
figure > img, figure > svg, figure > .table-box { border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: var(--bg); }
.table-box { width: fit-content; max-width: 100%; box-sizing: border-box; overflow-x: auto; }
.table-box table { margin: 0; }
.table-box.scroll { max-height: 380px; overflow-y: auto; }
.table-box.scroll thead th { position: sticky; top: 0; }
figure img { display: block; max-width: 100%; height: auto; }
figure img.pixelated { image-rendering: pixelated; }
/* A table caption wraps at the width of the picture above it, however long the caption. */
figcaption { display: table-caption; caption-side: bottom; font-size: 12.5px; color: var(--muted); padding: 4px 2px 0; overflow-wrap: anywhere; }
figcaption b { color: var(--fg); }
figure.broken { color: var(--fail); border: 1px dashed var(--fail); padding: 6px; }
table.atlas td.thumbs { white-space: nowrap; }
table.atlas td.thumbs img { display: inline-block; margin-right: 4px; vertical-align: middle; }
.broken-thumb { color: var(--fail); }
details { margin: 6px 0; }
summary { cursor: pointer; color: var(--muted); font-size: 12.5px; }
pre { background: var(--panel); padding: 8px 10px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0; }
svg.plot { display: block; max-width: 100%; height: auto; font: 11px system-ui, "DejaVu Sans", sans-serif; }
svg.plot .grid { stroke: #e3e7ec; fill: none; }
svg.plot .zero { stroke: #9aa4ae; }
svg.plot .frame { fill: none; stroke: #b8c0c8; }
svg.plot .axis { stroke: #5b6470; }
svg.plot .tick, svg.plot .legend, svg.plot .value { fill: #3d4650; }
svg.plot .axis-label { fill: #1b1f24; font-weight: 600; }
svg.plot .empty { fill: #8a939c; }
.suite-head { color: var(--muted); font-size: 12.5px; margin: -4px 0 6px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 12px; }
  a { color: inherit; text-decoration: none; }
  .banner, .badge, tr.check.fail td, .error-box { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  details > summary { color: var(--fg); }
  h2 { break-after: avoid; }
  .table-box.scroll { max-height: none; overflow: visible; }
}
`;
