// The tuning probe behind `neurons:` entries with a `stimulus:` sweep: each unit's tuning curve
// (peak, FWHM, echo, selectivity, peak in std units), the family's tiling of the circle, and —
// from the same forward passes — every unit's rank in a scan of the whole layer.
import { isFlat } from '../../probe/uninformative.ts';
import type { Artifact, Measurement } from '../../probe/measurement.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Probe, ProbeContext, ProbeOutput } from '../../probe/probe.ts';
import { describeStimulus, expandSweep, renderStimulus, type StimulusInput, type SweepSpec } from '../../stimuli/index.ts';
import { toModelInput, type RgbImage } from '../../stimuli/image.ts';
import { badInput } from '../../errors.ts';
import type { Rng } from '../../util/rng.ts';
import { familyMetrics } from './family.ts';
import { familyPolarPlot, profilePlot, scanTable, unitPolarPlot } from './plots.ts';
import { DEFAULT_CLUTTER, scanLayer, type ScanLayer } from './scan.ts';
import { tuning2d, type TuningOptions } from './tuning.ts';

export interface TuningParams {
  layer: ScanLayer;
  units: readonly number[];
  /** Base stimulus and its sweep (from `stimulus:` via stimulusFromSpec); orientation must be swept. */
  stimulus: StimulusInput;
  sweep: SweepSpec;
  position?: 'center' | readonly [number, number];
  reduce?: 'max' | 'mean';
  /** Clutter backgrounds (count) and natural images the units' statistics are taken over. */
  reference?: { clutter?: number; images?: readonly { label: string; image: RgbImage }[] };
  /** How many top-ranked units of the layer scan go into the report (default 30). */
  scanTop?: number;
  halfOf?: TuningOptions['halfOf'];
}

export const TUNING_METRICS = [
  'tuning.peak_deg', 'tuning.peak', 'tuning.peak_response', 'tuning.peak_z', 'tuning.fwhm_deg', 'tuning.echo', 'tuning.selectivity', 'tuning.resultant', 'tuning.best',
  'family.largest_gap_deg', 'family.gap_ratio', 'family.uniformity', 'family.min_separation_deg',
  'scan.rank', 'scan.score',
] as const;

export const tuningProbe: Probe<TuningParams> = {
  kind: 'neurons.tuning',
  metrics: TUNING_METRICS,
  run: measureTuning,
};

const TOP_DEFAULT = 30;

export async function measureTuning(p: TuningParams, engine: ForwardEngine, rng: Rng, run: ProbeContext = {}): Promise<ProbeOutput> {
  const channels = p.layer.shape[0];
  for (const u of p.units) {
    if (!Number.isInteger(u) || u < 0 || u >= channels) throw badInput('E_NO_UNIT', `unit ${u} does not exist in layer "${p.layer.name}" (it has ${channels} channels)`, undefined, `pick units 0..${channels - 1}`);
  }
  // The clutter's seed comes from the entry's generator: the same entry seed, the same backgrounds.
  const clutter = { ...DEFAULT_CLUTTER, count: p.reference?.clutter ?? DEFAULT_CLUTTER.count, seed: Math.floor(rng() * 2 ** 31) };
  const scan = await scanLayer({
    layer: p.layer, stimulus: p.stimulus, sweep: p.sweep, position: p.position, reduce: p.reduce, clutter, images: p.reference?.images,
  }, engine);
  if (run.saveActivation) await saveSweepActivations(p, engine, scan.placement.center, run.saveActivation);
  const axis = scan.axis;
  const secondValues = axis?.values ?? [Number.NaN];
  const rowOf = new Map(scan.rows.map((r) => [r.unit, r]));

  const per = p.units.map((u) => {
    const t = tuning2d(scan.angles, secondValues, scan.curves[u], { halfOf: p.halfOf, stats: { mean: scan.stats.mean[u], std: scan.stats.std[u] } });
    return { unit: u, t, row: rowOf.get(u)! };
  });
  const list = (f: (x: (typeof per)[number]) => number | null | undefined): Measurement => {
    const vals = per.map((x) => {
      const v = f(x);
      return v === undefined || v === null || !Number.isFinite(v) ? null : v;
    });
    // Checks judge every case; a value that could not be measured is null and fails them.
    return (vals.length === 1 ? vals[0] : vals) as Measurement;
  };
  const measurements: Record<string, Measurement> = {
    'tuning.peak_deg': list((x) => x.t.best.peakDeg),
    'tuning.peak': list((x) => x.t.best.peak),
    // The largest response actually sampled (no sub-step refinement): the unit's response size, to
    // bound with `near` ± rtol, a `change` against a baseline model, or a golden with tolerance.
    'tuning.peak_response': list((x) => x.t.best.max),
    'tuning.peak_z': list((x) => x.t.best.peakZ),
    'tuning.fwhm_deg': list((x) => x.t.best.fwhmDeg),
    'tuning.echo': list((x) => x.t.best.echo),
    'tuning.selectivity': list((x) => x.t.best.selectivity),
    'tuning.resultant': list((x) => x.t.best.resultant),
    'tuning.best': list((x) => (axis ? x.t.best.radius : null)),
    'scan.rank': list((x) => x.row.rank),
    'scan.score': list((x) => x.row.score),
  };
  // A flat curve (a dead unit) has no peak: its angle would be the first one swept, a silent pass.
  const uninformative: Record<string, string> = {};
  for (const x of per) {
    const curve = scan.curves[x.unit][x.t.bestRadiusIndex];
    if (!isFlat(curve)) continue;
    const reason = `unit ${x.unit}'s tuning curve is flat (${Math.min(...curve).toPrecision(3)} … ${Math.max(...curve).toPrecision(3)} over ${curve.length} angles): it has no peak`;
    for (const k of ['tuning.peak_deg', 'tuning.fwhm_deg', 'tuning.echo', 'tuning.resultant', 'family.largest_gap_deg', 'family.gap_ratio', 'family.uniformity', 'family.min_separation_deg']) uninformative[k] ??= reason;
  }
  const fam = familyMetrics(per.map((x) => x.t.best.peakDeg));
  measurements['family.largest_gap_deg'] = fam.largestGapDeg;
  measurements['family.gap_ratio'] = fam.gapRatio;
  measurements['family.uniformity'] = fam.uniformity;
  measurements['family.min_separation_deg'] = fam.minSeparationDeg;

  const top = Math.max(1, p.scanTop ?? TOP_DEFAULT);
  const axisInfo = axis ? { param: axis.param, values: axis.values, unit: axis.param === 'radius' || axis.param === 'width' || axis.param === 'length' ? ' px' : '' } : undefined;
  const artifacts: Artifact[] = [
    familyPolarPlot('family', `${p.layer.name}: tuning curves of units ${p.units.join(', ')} at each unit's best ${axis?.param ?? 'setting'}, each divided by its peak`, scan.angles,
      per.map((x) => ({ unit: x.unit, curve: scan.curves[x.unit][x.t.bestRadiusIndex] }))),
    ...per.map((x) => unitPolarPlot(`unit-${x.unit}`, `${p.layer.name} unit ${x.unit}: peak ${x.t.best.peakDeg.toFixed(1)}°, FWHM ${x.t.best.fwhmDeg?.toFixed(1) ?? '–'}°, echo ${x.t.best.echo?.toFixed(3) ?? '–'}`,
      scan.angles, scan.curves[x.unit], axisInfo)),
    ...(axis ? [profilePlot('profile', `${p.layer.name}: peak response per ${axis.param}`, axis.param, axis.values, per.map((x) => ({ unit: x.unit, peaks: x.t.radiusProfile.map((r) => r.peak) })))] : []),
    scanTable('scan', `scan of all ${channels} units of ${p.layer.name}, top ${Math.min(top, scan.rows.length)} (score = strength × selectivity × (1 − echo) × contrast; reference: ${scan.reference})`, scan.rows.slice(0, top), axis?.param),
  ];
  return {
    measurements,
    ...(Object.keys(uninformative).length && { uninformative }),
    cases: p.units.map((u) => `unit ${u}`),
    artifacts,
    params: {
      layer: p.layer.name,
      tensor: p.layer.tensor,
      units: [...p.units],
      stimulus: p.stimulus,
      sweep: p.sweep,
      stimuli: scan.stimuli,
      placement: scan.placement,
      reference: { kind: scan.reference, clutter, images: p.reference?.images?.map((i) => i.label) ?? [] },
      halfOf: p.halfOf ?? 'min',
      readout: p.reduce ? { reduce: p.reduce } : { at: scan.placement.position },
      input: { width: engine.model.preprocess.width, height: engine.model.preprocess.height },
      curves: Object.fromEntries(per.map((x) => [String(x.unit), scan.curves[x.unit].map((c) => c.map((v) => Number(v.toPrecision(6))))])),
      angles: scan.angles,
      axis: axis ?? null,
    },
  };
}

/**
 * `--save-activations` for a sweep: the whole layer for each swept stimulus, rendered where the
 * scan rendered it and run on the full image. The scan itself may run only the probed position's
 * receptive field (a crop whose layer is a window of the full one); the saved maps are the full
 * layer, as for an entry over images. One extra forward pass per stimulus, paid only when saving.
 */
async function saveSweepActivations(p: TuningParams, engine: ForwardEngine, center: { x: number; y: number }, save: NonNullable<ProbeContext['saveActivation']>): Promise<void> {
  const { width, height } = engine.model.preprocess;
  const sweep = expandSweep(p.stimulus, p.sweep);
  const swept = sweep.axes.map((a) => a.param);
  const step = Math.max(1, engine.batchSize);
  for (let start = 0; start < sweep.items.length; start += step) {
    const items = sweep.items.slice(start, start + step);
    const inputs = items.map((it) => toModelInput(renderStimulus(it.stimulus, { width, height, center }), engine.model.preprocess));
    const rows = await engine.forward(inputs, [p.layer.tensor]);
    rows.forEach(([t], k) => save(describeStimulus(items[k].stimulus, swept), p.layer.name, t));
  }
}
