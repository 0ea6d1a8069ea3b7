// Report artifacts of tuning measurements: radial (polar) tuning plots per unit and for a family,
// the radius profile, and the scan ranking as a table. Plain data for src/report to draw.
import type { Artifact } from '../../probe/measurement.ts';
import type { ScanRow } from './scan.ts';

const round = (v: number | null | undefined, d = 4): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(d)));

type Series = { name: string; x: number[]; y: number[] }[];

function polar(name: string, caption: string, yLabel: string, series: Series): Artifact {
  return { type: 'plot', name, caption, plot: { kind: 'polar', yLabel, series } };
}

/** One unit's radial tuning plot: one series per value of the second axis (e.g. per radius). */
export function unitPolarPlot(name: string, caption: string, angles: readonly number[], curves: readonly (readonly number[])[], axis?: { param: string; values: readonly number[]; unit?: string }, yLabel = 'response'): Artifact {
  return polar(name, caption, yLabel, curves.map((c, i) => ({ name: axis ? `${axis.param} ${axis.values[i]}${axis.unit ?? ''}` : 'response', x: [...angles], y: c.map((v) => round(v, 5) ?? Number.NaN) })));
}

/** Every unit of a family on one polar plot, each curve divided by its own peak (shape, not size). */
export function familyPolarPlot(name: string, caption: string, angles: readonly number[], units: readonly { unit: number; curve: readonly number[] }[]): Artifact {
  return polar(name, caption, 'response ÷ peak', units.map(({ unit, curve }) => {
    const peak = Math.max(...curve);
    return { name: `unit ${unit}`, x: [...angles], y: curve.map((v) => (peak > 0 ? round(v / peak, 4)! : 0)) };
  }));
}

/** Peak response per value of the second axis (the radius profile) for each unit. */
export function profilePlot(name: string, caption: string, param: string, values: readonly number[], units: readonly { unit: number; peaks: readonly number[] }[]): Artifact {
  return {
    type: 'plot',
    name,
    caption,
    plot: { kind: 'line', xLabel: param, yLabel: 'peak response', series: units.map((u) => ({ name: `unit ${u.unit}`, x: [...values], y: u.peaks.map((p) => round(p, 5) ?? Number.NaN) })) },
  };
}

/** The scan ranking as a table (best first). */
export function scanTable(name: string, caption: string, rows: readonly ScanRow[], secondParam?: string): Artifact {
  const columns = ['rank', 'unit', 'branch', 'score', 'peak_deg', 'peak', 'strength', 'fwhm_deg', 'echo', 'selectivity', ...(secondParam ? [`best_${secondParam}`] : []), 'blank', 'clutter'];
  return {
    type: 'table',
    name,
    caption,
    columns,
    rows: rows.map((r) => [
      r.rank, r.unit, r.branch ?? null, round(r.score, 3), round(r.peakDeg, 1), round(r.peak, 4), round(r.strength, 2), round(r.fwhmDeg, 1), round(r.echo, 3),
      round(r.selectivity, 3), ...(secondParam ? [r.best ?? null] : []), round(r.blank, 4), round(r.clutter, 4),
    ]),
  };
}
