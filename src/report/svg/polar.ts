// Polar plot for tuning curves: x is an angle in degrees (0° to the right, counter-clockwise),
// the radius is the response. Responses below zero (pre-ReLU units) stay visible: the centre is
// the smallest value and the zero ring is drawn dashed.
import type { Plot } from '../model.ts';
import { colour, extent, legend, legendRows, niceTicks, px, scale, svgRoot, text, tickLabel } from './axes.ts';

const SIZE = 300;
const R = 112;

export function polarSvg(plot: Plot, title: string): string {
  const names = plot.series.map((s) => s.name);
  const rows = legendRows(names, SIZE - 20);
  const height = SIZE + rows * 16 + (rows ? 6 : 0);
  const cx = SIZE / 2;
  const cy = SIZE / 2;
  const ys = extent(plot.series.flatMap((s) => s.y.filter((_, i) => Number.isFinite(s.x[i]))));
  if (!ys) return svgRoot(SIZE, height, title, text(cx, cy, 'no finite data', 'class="empty" text-anchor="middle"'), 'polar');
  const ticks = niceTicks(Math.min(0, ys[0]), Math.max(ys[1], 0), 4);
  const r0 = ticks[0];
  const r1 = ticks[ticks.length - 1];
  const rad = scale(r0, r1, 0, R);
  const at = (deg: number, r: number): [number, number] => [cx + r * Math.cos((deg * Math.PI) / 180), cy - r * Math.sin((deg * Math.PI) / 180)];

  let body = '';
  for (const t of ticks) {
    if (t === r0 && r0 === 0) continue;
    const dash = t === 0 ? ' stroke-dasharray="4 3" class="zero"' : '';
    body += `<circle cx="${px(cx)}" cy="${px(cy)}" r="${px(rad(t))}" class="grid"${dash}/>`;
  }
  for (let deg = 0; deg < 360; deg += 45) {
    const [x, y] = at(deg, R);
    body += `<line x1="${px(cx)}" y1="${px(cy)}" x2="${px(x)}" y2="${px(y)}" class="grid"/>`;
    const [lx, ly] = at(deg, R + 14);
    body += text(lx, ly + 4, `${deg}°`, 'class="tick" text-anchor="middle"');
  }
  // Ring labels along the 22.5° ray, between the spokes, where they cross no line.
  for (const t of ticks) {
    if (t === r0 && r0 === 0) continue;
    const [x, y] = at(22.5, rad(t));
    body += text(x + 2, y - 2, tickLabel(t), 'class="tick ring"');
  }
  plot.series.forEach((s, i) => {
    const pts = s.x.map((deg, j) => ({ deg, r: s.y[j] })).filter((p) => Number.isFinite(p.deg) && Number.isFinite(p.r)).sort((a, b) => a.deg - b.deg);
    if (pts.length === 0) return;
    const xy = pts.map((p) => at(p.deg, rad(p.r)));
    const closed = pts.length > 2 && coversCircle(pts.map((p) => p.deg));
    const d = xy.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x)} ${px(y)}`).join('') + (closed ? 'Z' : '');
    body += `<path d="${d}" fill="${colour(i)}" fill-opacity="0.08" stroke="${colour(i)}" stroke-width="2" stroke-linejoin="round" class="series"/>`;
    if (pts.length <= 90) for (const [x, y] of xy) body += `<circle cx="${px(x)}" cy="${px(y)}" r="2" fill="${colour(i)}"/>`;
  });
  const yLabel = plot.yLabel ? text(8, 14, `radius: ${plot.yLabel}`, 'class="axis-label"') : '';
  return svgRoot(SIZE, height, title, body + yLabel + legend(names, 10, SIZE + 12, SIZE - 20), 'polar');
}

/** A sweep that goes all the way round (its largest gap is about one step) is drawn as a closed loop. */
function coversCircle(degs: number[]): boolean {
  const a = degs.map((d) => ((d % 360) + 360) % 360).sort((x, y) => x - y);
  let largest = 360 - a[a.length - 1] + a[0];
  let smallest = Infinity;
  for (let i = 1; i < a.length; i++) {
    const g = a[i] - a[i - 1];
    largest = Math.max(largest, g);
    if (g > 0) smallest = Math.min(smallest, g);
  }
  return largest <= 1.5 * smallest + 1e-9;
}
