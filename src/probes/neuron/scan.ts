// Scan: rank every unit of a layer by how well a stimulus family (curves by default) explains it.
// One orientation sweep (× an optional second axis such as radius) runs through the layer once,
// batched, and every unit's tuning curve is scored from the same tapped tensors.
//
// Score of a unit (0 for units whose peak is not positive):
//   strength × selectivity × (1 − echo) × contrast
// - strength: (peak − mean) / max(std, floor), the peak in standard deviations of the unit over
//   the reference images (natural images when given, else the clutter backgrounds) at every
//   position; floor = the layer's median std, so a unit silent on the references cannot look strong
//   by dividing by almost nothing;
// - selectivity and echo (clamped to [0, 1]) as in tuning.ts, at the unit's best second-axis value;
//   lines and gratings look the same turned by 180°, so for them the echo is 1 by construction and
//   left out of the score;
// - contrast: (peak − max(blank, mean clutter)) / peak clamped to [0, 1]: the stimulus, not the
//   background, drives the unit.
import type { Branch } from '../../models/catalog.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import { expandSweep, type Stimulus, type StimulusInput, type SweepSpec } from '../../stimuli/index.ts';
import { renderStimulus } from '../../stimuli/index.ts';
import type { RgbImage } from '../../stimuli/image.ts';
import { badInput } from '../../errors.ts';
import { unitColumn, type UnitResponses } from './readout.ts';
import { tuning2d, type TuningMetrics } from './tuning.ts';
import { layerStats, placementFor, stimulusResponses, type LayerStats, type Placement } from './responses.ts';

export interface ScanLayer {
  name: string;
  tensor: string;
  /** [C, H, W] without the batch axis. */
  shape: readonly number[];
  branches?: readonly Branch[];
}

export interface ScanParams {
  layer: ScanLayer;
  /** The stimulus family; parameters not swept keep these values (default: a curve). */
  stimulus?: StimulusInput;
  /**
   * Must sweep `orientation`; one more axis (e.g. radius) is allowed. Default: orientation 0–360
   * in 5° steps × radius at 1/8, 1/4 and 1/2 of the layer's receptive field.
   */
  sweep?: SweepSpec;
  /** Seeded clutter backgrounds compared against (and the reference set when no images are given). */
  clutter?: { count: number; strokes: number; seed: number };
  /** Natural images for each unit's statistics (responses in its std over them). */
  images?: readonly { label: string; image: RgbImage }[];
  position?: 'center' | readonly [number, number];
  /** Read each unit's spatial max or mean instead of the probed position. */
  reduce?: 'max' | 'mean';
  /** Stimuli per engine call. */
  chunk?: number;
  /** Compute only the probed position's receptive field (default true; see responses.ts). */
  crop?: boolean;
}

export interface ScanRow {
  rank: number;
  unit: number;
  /** The concat branch the unit comes from, when the layer is a concat. */
  branch?: string;
  score: number;
  peakDeg: number;
  peak: number;
  /** Peak in std of the unit over the reference set. */
  strength: number;
  fwhmDeg: number | null;
  echo: number | null;
  selectivity: number;
  /** Value of the second swept parameter at which the unit peaks (e.g. radius), if any. */
  best?: number;
  blank: number;
  clutter: number;
}

export interface ScanResult {
  layer: string;
  placement: Placement;
  /** The swept orientations (degrees) and the second axis, if any. */
  angles: number[];
  axis?: { param: string; values: number[] };
  /** Every unit, best first. */
  rows: ScanRow[];
  /** Tuning curves of every unit: curves[unit][axisIndex][angleIndex]. */
  curves: number[][][];
  /** Each unit's mean and std over the reference set, and where they came from. */
  stats: LayerStats;
  reference: 'images' | 'clutter';
  stimuli: number;
  /** The input window the sweep ran on, when only the receptive field was computed. */
  crop?: { x0: number; y0: number; w: number; h: number };
}

export const DEFAULT_CLUTTER = { count: 8, strokes: 60, seed: 1 };

/** The sweep a scan uses when none is given: 72 orientations × 3 radii scaled to the receptive field. */
export function defaultSweep(place: Placement, inputSize: number): SweepSpec {
  const size = Math.min(place.field?.size ?? inputSize, inputSize);
  const r = (f: number) => Math.max(2, Math.round(size * f));
  return { orientation: { from: 0, to: 360, step: 5 }, radius: [r(1 / 8), r(1 / 4), r(1 / 2)] };
}

export async function scanLayer(p: ScanParams, engine: ForwardEngine): Promise<ScanResult> {
  const { model } = engine;
  const place = await placementFor(model, p.layer, p.position);
  const base = p.stimulus ?? ({ kind: 'curve' } as StimulusInput);
  const sweepSpec = p.sweep ?? defaultSweep(place, Math.min(model.preprocess.width, model.preprocess.height));
  const sweep = expandSweep(base, sweepSpec);
  const oi = sweep.axes.findIndex((a) => a.param === 'orientation');
  if (oi < 0) throw badInput('E_SCAN_SWEEP', 'a scan needs an orientation sweep', undefined, 'e.g. sweep: { orientation: { from: 0, to: 360, step: 5 } }');
  if (sweep.axes.length > 2) throw badInput('E_SCAN_SWEEP', `a scan sweeps orientation and at most one more parameter, got ${sweep.axes.map((a) => a.param).join(', ')}`, undefined, 'fix the other parameters to one value');
  const other = sweep.axes.find((_, i) => i !== oi);
  if (other && other.values.some((v) => typeof v !== 'number')) throw badInput('E_SCAN_SWEEP', `the second swept parameter (${other.param}) must be numeric`, undefined, 'sweep radius, width, span…');
  const angles = sweep.axes[oi].values as number[];
  const clutter = p.clutter ?? DEFAULT_CLUTTER;
  const { ink, background, polarity } = sweep.items[0].stimulus;
  const look = { ink, background, polarity };
  const refs: Stimulus[] = [
    { kind: 'blank', ...look },
    ...Array.from({ length: clutter.count }, (_, i): Stimulus => ({ kind: 'blank', ...look, clutter: { strokes: clutter.strokes, seed: clutter.seed + i } })),
  ];
  const all = [...sweep.items.map((it) => it.stimulus), ...refs];
  const resp = await stimulusResponses(engine, p.layer.tensor, all, place, { chunk: p.chunk, reduce: p.reduce, crop: p.crop });

  const { width, height } = model.preprocess;
  const refImages = p.images?.length ? p.images.map((im) => im.image) : refs.slice(1).map((s) => renderStimulus(s, { width, height, center: place.center }));
  const stats = await layerStats(engine, p.layer.tensor, refImages);

  const symmetric = base.kind === 'line' || base.kind === 'grating';
  const ranked = scoreUnits(resp, sweep.items.map((it) => it.index), oi, angles, other ? (other.values as number[]) : undefined, sweep.items.length, stats, p.layer.branches, symmetric);
  return {
    layer: p.layer.name,
    placement: place,
    angles,
    axis: other ? { param: other.param, values: other.values as number[] } : undefined,
    rows: ranked.rows,
    curves: ranked.curves,
    stats,
    reference: p.images?.length ? 'images' : 'clutter',
    stimuli: all.length,
    ...(resp.cropped ? { crop: { x0: resp.cropped.x0, y0: resp.cropped.y0, w: resp.cropped.w, h: resp.cropped.h } } : {}),
  };
}

/**
 * Pure scoring: `resp` holds, per unit, the sweep items (row-major over the sweep's axes, item i at
 * grid index `index[i]`) followed by the blank and the clutter backgrounds.
 */
export function scoreUnits(
  resp: UnitResponses, index: readonly number[][], orientationAxis: number, angles: readonly number[], second: readonly number[] | undefined,
  sweepItems: number, stats: LayerStats, branches?: readonly Branch[], symmetric = false,
): { rows: ScanRow[]; curves: number[][][] } {
  const nSecond = second?.length ?? 1;
  const positiveStd = [...stats.std].filter((s) => s > 0).sort((a, b) => a - b);
  const floor = positiveStd.length ? positiveStd[Math.floor(positiveStd.length / 2)] : 1;
  const rows: ScanRow[] = [];
  const curves: number[][][] = [];
  for (let k = 0; k < resp.units.length; k++) {
    const unit = resp.units[k];
    const col = unitColumn(resp, k);
    const grid = Array.from({ length: nSecond }, () => new Array<number>(angles.length).fill(0));
    for (let i = 0; i < sweepItems; i++) {
      const a = index[i][orientationAxis];
      const s = second ? index[i][1 - orientationAxis] : 0;
      grid[s][a] = col[i];
    }
    curves[unit] = grid;
    const t = tuning2d(angles, second ?? [Number.NaN], grid);
    const m: TuningMetrics = t.best;
    const blank = col[sweepItems];
    const clutterVals = col.slice(sweepItems + 1);
    const clutter = clutterVals.length ? clutterVals.reduce((s, v) => s + v, 0) / clutterVals.length : blank;
    const strength = (m.peak - stats.mean[unit]) / Math.max(stats.std[unit], floor);
    const echo = symmetric ? 0 : m.echo === null ? 1 : Math.min(1, Math.max(0, m.echo));
    const contrast = m.peak > 0 ? Math.min(1, Math.max(0, (m.peak - Math.max(blank, clutter)) / m.peak)) : 0;
    const score = m.peak > 0 ? Math.max(0, strength) * m.selectivity * (1 - echo) * contrast : 0;
    const branch = branches?.find((b) => unit >= b.from && unit < b.to)?.name;
    rows.push({
      rank: 0, unit, ...(branch ? { branch } : {}), score, peakDeg: m.peakDeg, peak: m.peak, strength, fwhmDeg: m.fwhmDeg, echo: m.echo,
      selectivity: m.selectivity, ...(second ? { best: second[t.bestRadiusIndex] } : {}), blank, clutter,
    });
  }
  rows.sort((a, b) => b.score - a.score || a.unit - b.unit);
  rows.forEach((r, i) => (r.rank = i + 1));
  return { rows, curves };
}
