// Inline SVG for the `Plot` data probes attach to entries: one function per plot kind, chosen here.
import type { Plot } from '../model.ts';
import { polarSvg } from './polar.ts';
import { lineSvg } from './line.ts';
import { barSvg } from './bar.ts';

export function plotSvg(plot: Plot, title: string): string {
  switch (plot.kind) {
    case 'polar':
      return polarSvg(plot, title);
    case 'bar':
      return barSvg(plot, title);
    default:
      return lineSvg(plot, title);
  }
}
