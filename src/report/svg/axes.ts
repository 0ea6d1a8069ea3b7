// The small pieces every plot shares: data extents that ignore non-finite values, "nice" tick
// values (1, 2, 5 × 10^k), a colour-blind-safe palette, and number labels for ticks.
import { escapeXml } from '../escape.ts';

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length];
}

export function extent(values: Iterable<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Ticks covering [lo, hi] with a step of 1, 2, 2.5 or 5 × 10^k; the first and last tick enclose
 * the data. Ticks are computed by index (never by repeated addition, which stalls once the step
 * falls below the values' resolution), and halves are used so spans near the float limit stay finite.
 */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [0, 1];
  const mag0 = Math.max(Math.abs(lo), Math.abs(hi));
  // Subnormal data has no resolution left to place ticks in; it reads as zero.
  if (mag0 < 1e-290) return niceTicks(-1, 1, target);
  if (!(hi / 2 - lo / 2 > mag0 * 1e-9)) {
    // A flat series (or one flat to float resolution): show it in the middle of a band.
    const pad = mag0 === 0 ? 1 : mag0 * 0.1;
    return niceTicks(lo - pad, hi + pad, target);
  }
  const raw = (hi / 2 - lo / 2) / Math.max(1, target) * 2;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st >= raw * (1 - 1e-12)) ?? 10 * mag;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.max(first + 1, Math.ceil(hi / step - 1e-9));
  if (last - first > 4 * target + 4) return [lo, hi];
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(roundTo(i * step));
  return ticks;
}

/** Maps [d0, d1] onto [r0, r1]; computed on halves so a domain near the float limit cannot overflow. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 / 2 - d0 / 2;
  return (v) => r0 + ((v / 2 - d0 / 2) / span) * (r1 - r0);
}

/** Kills float noise (3 × 0.1 = 0.30000000000000004) at any magnitude. */
function roundTo(v: number): number {
  return Number(v.toPrecision(12));
}

export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(4))).replace('-', '−');
}

/** A number for an SVG attribute: two decimals are plenty at screen resolution and keep files small. */
export function px(v: number): string {
  // Clamped: no geometry attribute may ever read NaN or Infinity, whatever the data.
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '0' : v > 0 ? '100000' : '-100000';
  return String(Math.round(Math.max(-1e5, Math.min(1e5, v)) * 100) / 100);
}

export function text(x: number, y: number, s: string, extra = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${extra ? ` ${extra}` : ''}>${escapeXml(s)}</text>`;
}

/** The outer element: sized in CSS pixels, scalable (viewBox), labelled for screen readers. */
export function svgRoot(width: number, height: number, title: string, body: string, kind: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="plot plot-${kind}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>${body}</svg>`;
}

/** Legend entries in a row at (x, y); skipped for a single unnamed series. */
export function legend(names: string[], x: number, y: number, maxWidth: number): string {
  if (names.length === 0 || (names.length === 1 && !names[0])) return '';
  let cx = x;
  let cy = y;
  let out = '';
  names.forEach((name, i) => {
    const w = 18 + Math.min(name.length, 28) * 6.2 + 12;
    if (cx + w > x + maxWidth && cx > x) {
      cx = x;
      cy += 16;
    }
    out += `<rect x="${px(cx)}" y="${px(cy - 8)}" width="12" height="8" fill="${colour(i)}"/>`;
    out += text(cx + 16, cy, name.length > 28 ? `${name.slice(0, 27)}…` : name, 'class="legend"');
    cx += w;
  });
  return out;
}

/** Rows the legend will take (for sizing the plot). */
export function legendRows(names: string[], maxWidth: number): number {
  if (names.length === 0 || (names.length === 1 && !names[0])) return 0;
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const w = 18 + Math.min(name.length, 28) * 6.2 + 12;
    if (used + w > maxWidth && used > 0) {
      rows++;
      used = 0;
    }
    used += w;
  }
  return rows;
}
