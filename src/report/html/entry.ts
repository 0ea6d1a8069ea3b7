// One entry of the HTML report: status, the checks table, artifacts (inline PNG images, inline
// SVG plots, tables), then measurements and hyperparameters folded away.
import type { Artifact, CheckResult, EntryResult, SuiteResult, Thumbnail } from '../model.ts';
import { escapeXml as esc } from '../escape.ts';
import { entryStatus, fmtDuration, fmtMeasurement, fmtNumber } from '../format.ts';
import { plotSvg } from '../svg/index.ts';

export function entryAnchor(si: number, ei: number): string {
  return `s${si}-e${ei}`;
}

const STATUS_WORD = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' } as const;

export function badge(status: keyof typeof STATUS_WORD): string {
  return `<span class="badge ${status}">${STATUS_WORD[status]}</span>`;
}

function checkRow(c: CheckResult): string {
  const cls = c.passed ? 'pass' : 'fail';
  const where = c.where ? `<div class="where">${esc(c.where)}</div>` : '';
  const baseline = c.baseline === undefined ? '' : fmtNumber(c.baseline);
  return `<tr class="check ${cls}" data-check="${esc(c.metric)}">`
    + `<td><code>${esc(c.metric)}</code>${where}</td>`
    + `<td>${esc(c.expectation)}</td>`
    + `<td class="num" title="${esc(String(c.observed))}">${esc(fmtNumber(c.observed))}</td>`
    + `<td class="num">${esc(baseline)}</td>`
    + `<td class="result">${c.passed ? '✓ pass' : '✗ FAIL'}</td>`
    + `<td>${esc(c.reason ?? '')}</td></tr>`;
}

function checksTable(checks: CheckResult[]): string {
  if (checks.length === 0) return '<p class="where">No checks.</p>';
  return '<table class="checks"><thead><tr><th>metric</th><th>expectation</th><th>observed</th><th>baseline</th><th>result</th><th>reason</th></tr></thead>'
    + `<tbody>${checks.map(checkRow).join('')}</tbody></table>`;
}

// Base64 of a PNG starts with the encoded signature; anything else is refused rather than inlined.
const PNG_B64 = /^iVBORw0KGgo[A-Za-z0-9+/]*={0,2}$/;
// Maps this small (activation grids, 7×7 to 64×64) are blown up by whole pixels, unsmoothed;
// larger pictures (photos) show at their own size, up to a column's width.
const PIXEL_ART = 64;
const MIN_SHOWN = 160;
const MAX_SHOWN = 360;

function caption(a: Artifact): string {
  return `<figcaption><b>${esc(a.name)}</b>${a.caption ? ` — ${esc(a.caption)}` : ''}</figcaption>`;
}

function imageFigure(a: Extract<Artifact, { type: 'image' }>): string {
  if (!PNG_B64.test(a.pngBase64) || !(a.width > 0 && a.height > 0)) {
    return `<figure class="broken" data-artifact="${esc(a.name)}">artifact is not a base64 PNG with a size${caption(a)}</figure>`;
  }
  const up = a.width <= PIXEL_ART ? Math.ceil(MIN_SHOWN / a.width) : 1;
  const shownW = Math.min(a.width * up, MAX_SHOWN);
  const shownH = Math.round((a.height * shownW) / a.width);
  const cls = up > 1 ? ' class="pixelated"' : '';
  return `<figure class="picture" data-artifact="${esc(a.name)}"><img${cls} src="data:image/png;base64,${a.pngBase64}" width="${shownW}" height="${shownH}" alt="${esc(a.name)}">${caption(a)}</figure>`;
}

// Long tables (a scan over many units) scroll inside a box on screen instead of pushing the
// rest of the report away; print shows them whole.
const SCROLL_ROWS = 12;

function tableFigure(a: Extract<Artifact, { type: 'table' }>): string {
  const cell = (v: string | number | null) => (typeof v === 'number' || v === null ? `<td class="num">${esc(fmtNumber(v))}</td>` : `<td>${esc(v)}</td>`);
  const box = a.rows.length > SCROLL_ROWS ? 'table-box scroll' : 'table-box';
  return `<figure class="wide" data-artifact="${esc(a.name)}"><div class="${box}"><table><thead><tr>${a.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`
    + `<tbody>${a.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table></div>${caption(a)}</figure>`;
}

// Atlas pictures share one height so a row reads across: visualization, then dataset examples.
const THUMB_H = 96;

function thumb(t: Thumbnail): string {
  const label = esc(t.caption ?? '');
  if (!PNG_B64.test(t.pngBase64) || !(t.width > 0 && t.height > 0)) return `<span class="broken-thumb" title="${label}">not a base64 PNG with a size</span>`;
  const w = Math.round((t.width * THUMB_H) / t.height);
  const cls = t.height < THUMB_H ? ' class="pixelated"' : '';
  return `<img${cls} src="data:image/png;base64,${t.pngBase64}" width="${w}" height="${THUMB_H}" alt="${label}" title="${label}">`;
}

function atlasFigure(a: Extract<Artifact, { type: 'atlas' }>): string {
  const cell = (v: string | Thumbnail[]) => (typeof v === 'string' ? `<td>${esc(v)}</td>` : `<td class="thumbs">${v.map(thumb).join('')}</td>`);
  return `<figure class="wide" data-artifact="${esc(a.name)}"><div class="table-box"><table class="atlas"><thead><tr>${a.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`
    + `<tbody>${a.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table></div>${caption(a)}</figure>`;
}

function artifact(a: Artifact): string {
  if (a.type === 'image') return imageFigure(a);
  if (a.type === 'atlas') return atlasFigure(a);
  if (a.type === 'plot') return `<figure data-artifact="${esc(a.name)}">${plotSvg(a.plot, a.name)}${caption(a)}</figure>`;
  return tableFigure(a);
}

function measurements(e: EntryResult): string {
  const keys = Object.keys(e.measurements).sort();
  if (keys.length === 0) return '';
  const rows = keys.map((k) => `<tr><td><code>${esc(k)}</code></td><td class="mono">${esc(fmtMeasurement(e.measurements[k]))}</td></tr>`).join('');
  return `<details class="measurements"><summary>Measurements (${keys.length})</summary><table><tbody>${rows}</tbody></table></details>`;
}

function params(e: EntryResult): string {
  const n = Object.keys(e.params).length;
  if (n === 0) return '';
  return `<details class="params"><summary>Parameters (${n})</summary><pre>${esc(JSON.stringify(e.params, sortedKeys, 2))}</pre></details>`;
}

function sortedKeys(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
  return v;
}

export function entryHtml(suite: SuiteResult, e: EntryResult, si: number, ei: number): string {
  const status = entryStatus(e);
  const failed = e.checks.filter((c) => !c.passed).length;
  const summary = e.error ? 'could not run' : `${e.checks.length - failed}/${e.checks.length} checks pass`;
  const error = e.error
    ? `<div class="error-box" data-error><span class="code">${esc(e.error.code)}</span>: ${esc(e.error.message)}${e.error.hint ? `<br><span class="where">hint: ${esc(e.error.hint)}</span>` : ''}</div>`
    : '';
  const arts = e.artifacts.length ? `<div class="artifacts">${e.artifacts.map(artifact).join('')}</div>` : '';
  return `<article class="entry ${status}" id="${entryAnchor(si, ei)}" data-entry="${esc(`${suite.suite}/${e.id}`)}">`
    + `<header>${badge(status)}<h3>${esc(e.id)}</h3><span class="kind">${esc(e.kind)}</span><span class="where">${esc(e.where)}</span>`
    + `<span class="meta">${summary} · seed ${e.seed} · ${fmtDuration(e.durationMs)}</span></header>`
    + `${error}${checksTable(e.checks)}${arts}${measurements(e)}${params(e)}</article>`;
}
