// Bar chart: categories from `labels` (or the x values), one bar per series in each group, bars
// grow from zero (down for negative values); values are printed on the bars when they fit.
import type { Plot } from '../model.ts';
import { colour, extent, legend, legendRows, niceTicks, px, scale, svgRoot, text, tickLabel } from './axes.ts';
import { fmtNumber } from '../format.ts';
import { escapeXml } from '../escape.ts';

const PLOT_H = 200;
const M = { left: 56, right: 14, top: 18, bottom: 20 };

export function barSvg(plot: Plot, title: string): string {
  const n = Math.max(plot.labels?.length ?? 0, ...plot.series.map((s) => s.y.length));
  const labels = Array.from({ length: n }, (_, i) => plot.labels?.[i] ?? (plot.series[0]?.x[i] !== undefined ? tickLabel(plot.series[0].x[i]) : String(i)));
  const k = Math.max(1, plot.series.length);
  const group = Math.max(18, Math.min(80, 22 * k + 10));
  const w = Math.max(300, n * group);
  const longest = Math.max(0, ...labels.map((l) => Math.min(l.length, 24)));
  const slanted = longest * 6.5 > group - 4;
  const labelH = slanted ? Math.min(24, longest) * 4.6 + 10 : 16;
  const W = M.left + w + M.right;
  const names = plot.series.map((s) => s.name);
  const rows = legendRows(names, w);
  const height = M.top + PLOT_H + labelH + M.bottom + rows * 16;
  const ys = extent(plot.series.flatMap((s) => s.y));
  if (!ys || n === 0) return svgRoot(W, height, title, text(W / 2, height / 2, 'no finite data', 'class="empty" text-anchor="middle"'), 'bar');
  const yt = niceTicks(Math.min(0, ys[0]), Math.max(0, ys[1]), 5);
  const [y0, y1] = [yt[0], yt[yt.length - 1]];
  const sy = scale(y0, y1, M.top + PLOT_H, M.top);

  let body = '';
  for (const t of yt) {
    body += `<line x1="${M.left}" x2="${M.left + w}" y1="${px(sy(t))}" y2="${px(sy(t))}" class="grid"/>`;
    body += text(M.left - 6, sy(t) + 4, tickLabel(t), 'class="tick" text-anchor="end"');
  }
  const slot = w / n;
  const bw = Math.min(28, (slot - 6) / k);
  // Values on the bars only where they fit and cannot collide with the category labels.
  const showValues = n * k <= 12 && bw >= 16 && plot.series.every((s) => s.y.every((v) => !(v < 0)));
  for (let c = 0; c < n; c++) {
    const gx = M.left + c * slot + (slot - bw * k) / 2;
    plot.series.forEach((s, i) => {
      const v = s.y[c];
      if (!Number.isFinite(v)) return;
      const top = sy(Math.max(v, 0));
      const h = Math.abs(sy(v) - sy(0));
      body += `<rect x="${px(gx + i * bw)}" y="${px(top)}" width="${px(bw - 1)}" height="${px(Math.max(h, 0.5))}" fill="${colour(i)}" class="series"><title>${escapeXml(`${s.name ? `${s.name} · ` : ''}${labels[c]}: ${fmtNumber(v)}`)}</title></rect>`;
      if (showValues) body += text(gx + i * bw + bw / 2, top - 3, tickLabel(v), 'class="value" text-anchor="middle"');
    });
    const lx = M.left + c * slot + slot / 2;
    const ly = M.top + PLOT_H + 14;
    const label = labels[c].length > 24 ? `${labels[c].slice(0, 23)}…` : labels[c];
    body += slanted
      ? text(lx, ly, label, `class="tick" text-anchor="end" transform="rotate(-40 ${px(lx)} ${px(ly)})"`)
      : text(lx, ly, label, 'class="tick" text-anchor="middle"');
  }
  body += `<line x1="${M.left}" x2="${M.left + w}" y1="${px(sy(0))}" y2="${px(sy(0))}" class="axis"/>`;
  if (plot.yLabel) body += text(14, M.top + PLOT_H / 2, plot.yLabel, `class="axis-label" text-anchor="middle" transform="rotate(-90 14 ${px(M.top + PLOT_H / 2)})"`);
  if (plot.xLabel) body += text(M.left + w / 2, M.top + PLOT_H + labelH + 12, plot.xLabel, 'class="axis-label" text-anchor="middle"');
  body += legend(names, M.left, M.top + PLOT_H + labelH + M.bottom + 10, w);
  return svgRoot(W, height, title, body, 'bar');
}
