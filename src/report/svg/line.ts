// Line plot: x/y axes with nice ticks and a grid; one polyline per series, broken where a
// value is not finite (a gap, not a dive to zero).
import type { Plot } from '../model.ts';
import { colour, extent, legend, legendRows, niceTicks, px, scale, svgRoot, text, tickLabel } from './axes.ts';

const W = 440;
const PLOT_H = 220;
const M = { left: 56, right: 14, top: 14, bottom: 42 };

export function lineSvg(plot: Plot, title: string): string {
  const names = plot.series.map((s) => s.name);
  const rows = legendRows(names, W - M.left - M.right);
  const height = M.top + PLOT_H + M.bottom + rows * 16;
  const xs = extent(plot.series.flatMap((s) => s.x));
  const ys = extent(plot.series.flatMap((s) => s.y));
  if (!xs || !ys) return svgRoot(W, height, title, text(W / 2, height / 2, 'no finite data', 'class="empty" text-anchor="middle"'), 'line');
  const xt = niceTicks(xs[0], xs[1], 6);
  const yt = niceTicks(ys[0], ys[1], 5);
  const [x0, x1, y0, y1] = [xt[0], xt[xt.length - 1], yt[0], yt[yt.length - 1]];
  const w = W - M.left - M.right;
  const sx = scale(x0, x1, M.left, M.left + w);
  const sy = scale(y0, y1, M.top + PLOT_H, M.top);

  let body = '';
  for (const t of yt) {
    body += `<line x1="${M.left}" x2="${M.left + w}" y1="${px(sy(t))}" y2="${px(sy(t))}" class="grid${t === 0 ? ' zero' : ''}"/>`;
    body += text(M.left - 6, sy(t) + 4, tickLabel(t), 'class="tick" text-anchor="end"');
  }
  for (const t of xt) {
    body += `<line y1="${M.top}" y2="${M.top + PLOT_H}" x1="${px(sx(t))}" x2="${px(sx(t))}" class="grid"/>`;
    body += text(sx(t), M.top + PLOT_H + 16, tickLabel(t), 'class="tick" text-anchor="middle"');
  }
  body += `<rect x="${M.left}" y="${M.top}" width="${w}" height="${PLOT_H}" class="frame"/>`;
  plot.series.forEach((s, i) => {
    const n = Math.min(s.x.length, s.y.length);
    const idx = Array.from({ length: n }, (_, j) => j).sort((a, b) => s.x[a] - s.x[b]);
    let d = '';
    let pen = false;
    let dots = '';
    for (const j of idx) {
      const ok = Number.isFinite(s.x[j]) && Number.isFinite(s.y[j]);
      if (!ok) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(sx(s.x[j]))} ${px(sy(s.y[j]))}`;
      pen = true;
      if (n <= 60) dots += `<circle cx="${px(sx(s.x[j]))}" cy="${px(sy(s.y[j]))}" r="2.2" fill="${colour(i)}"/>`;
    }
    if (d) body += `<path d="${d}" fill="none" stroke="${colour(i)}" stroke-width="2" stroke-linejoin="round" class="series"/>${dots}`;
  });
  if (plot.xLabel) body += text(M.left + w / 2, M.top + PLOT_H + 34, plot.xLabel, 'class="axis-label" text-anchor="middle"');
  if (plot.yLabel) body += text(14, M.top + PLOT_H / 2, plot.yLabel, `class="axis-label" text-anchor="middle" transform="rotate(-90 14 ${px(M.top + PLOT_H / 2)})"`);
  body += legend(names, M.left, M.top + PLOT_H + M.bottom + 8, w);
  return svgRoot(W, height, title, body, 'line');
}
