// The `reimpl` probe: the clean-room curve network and a trained layer swept with the same stimuli,
// compared unit by unit (compare.ts), matched one-to-one, and the hand-built inhibition ablated
// (ablation.ts). The runner's engine runs the trained model; the hand-built one gets its own.
import type { Artifact, Measurement } from '../probe/measurement.ts';
import type { ForwardEngine } from '../probe/forward.ts';
import type { Probe, ProbeOutput } from '../probe/probe.ts';
import type { StimulusInput, SweepSpec } from '../stimuli/index.ts';
import type { Rng } from '../util/rng.ts';
import { badInput } from '../errors.ts';
import { circularDistance } from '../probes/neuron/angles.ts';
import { DEFAULT_CLUTTER, type ScanLayer } from '../probes/neuron/scan.ts';
import { familyPolarPlot } from '../probes/neuron/plots.ts';
import { inhibitionAblation, type AblationResult } from './ablation.ts';
import { compareTunings, comparisonArtifacts, type Comparison, type TuningSurface } from './compare.ts';
import { sweepLayer, sweepModel, type SweepRequest } from './measure.ts';
import { buildCurveNet } from './network.ts';
import type { CurveNetParams } from './params.ts';
import { REIMPL_METRICS } from './schema.ts';

export interface ReimplParams {
  /** The trained layer (as the catalog resolved it) and its candidate units. */
  trained: { layer: ScanLayer; units: readonly number[] };
  /** The hand-built network's full parameters, the layer compared and its units (default: all). */
  hand: { params: CurveNetParams; layer: 'curves' | 'early_curves'; units?: readonly number[] };
  /** Base stimulus and sweep (from `stimulus:`): orientation over the whole circle, optionally × radius. */
  stimulus: StimulusInput;
  sweep: SweepSpec;
  /** Measure the curves with their inhibition removed (default true). */
  ablation?: boolean;
  halfOf?: 'min' | 'zero';
}

export const reimplProbe: Probe<ReimplParams> = {
  kind: 'reimpl.compare',
  metrics: REIMPL_METRICS,
  run: measureReimpl,
};

const mean = (v: readonly number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : null);
const finite = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
const r = (v: number | null | undefined, d = 4) => (finite(v) === null ? null : Number((v as number).toFixed(d)));

export async function measureReimpl(p: ReimplParams, engine: ForwardEngine, rng: Rng): Promise<ProbeOutput> {
  const channels = p.trained.layer.shape[0];
  for (const u of p.trained.units) {
    if (!Number.isInteger(u) || u < 0 || u >= channels) throw badInput('E_NO_UNIT', `unit ${u} does not exist in layer "${p.trained.layer.name}" (it has ${channels} channels)`, undefined, `pick units 0..${channels - 1}`);
  }
  const req: SweepRequest = { stimulus: p.stimulus, sweep: p.sweep, clutter: { ...DEFAULT_CLUTTER, seed: Math.floor(rng() * 2 ** 31) } };
  const trainedSweep = await sweepLayer(engine, p.trained.layer, req);
  const net = buildCurveNet(p.hand.params);
  const handSweep = await sweepModel(net.model, p.hand.layer, req, engine.device);
  const family = net.families[p.hand.layer];
  const handUnits = p.hand.units ?? family.orientations.map((_, u) => u);
  for (const u of handUnits) {
    if (!Number.isInteger(u) || u < 0 || u >= family.orientations.length) {
      throw badInput('E_NO_UNIT', `hand-built unit ${u} does not exist in layer "${p.hand.layer}" (it has ${family.orientations.length} units)`, undefined, `pick units 0..${family.orientations.length - 1}`);
    }
  }

  const hand: TuningSurface[] = handUnits.map((u) => ({ label: `${p.hand.layer} ${u}`, unit: u, responses: handSweep.curves[u], designedDeg: family.orientations[u] }));
  const trained: TuningSurface[] = p.trained.units.map((u) => ({ label: `${p.trained.layer.name} ${u}`, unit: u, responses: trainedSweep.curves[u] }));
  const c = compareTunings(hand, trained, trainedSweep.angles, trainedSweep.radii, { halfOf: p.halfOf, where: engine.model.net.where });

  const ablate = p.ablation ?? true;
  // The ablation is about the curves' inhibition: reuse the sweep when the curves are what was compared.
  const abl = ablate ? await inhibitionAblation(net.params, req, engine.device, p.hand.layer === 'curves' ? handSweep : undefined, net) : undefined;

  const measurements = comparisonMeasurements(c);
  if (abl) Object.assign(measurements, ablationMeasurements(abl));
  return {
    measurements,
    cases: c.pairs.map((x) => `${x.handLabel} ↔ ${x.trainedLabel}`),
    artifacts: [
      ...comparisonArtifacts(c),
      familyPolarPlot('reimpl-family', `hand-built ${p.hand.layer}: tuning curves at each unit's best radius, each ÷ its peak`, c.angles, c.hand.map((h) => ({ unit: h.unit, curve: h.curve }))),
      handTable(c),
      ...(abl ? ablationArtifacts(abl) : []),
    ],
    params: {
      trained: { layer: p.trained.layer.name, tensor: p.trained.layer.tensor, units: [...p.trained.units], model: engine.model.net.where, placement: trainedSweep.scan.placement },
      hand: { params: net.params, layer: p.hand.layer, units: handUnits, model: net.model.net.where, hash: net.model.net.hash, placement: handSweep.scan.placement },
      stimulus: p.stimulus,
      sweep: p.sweep,
      angles: c.angles,
      radii: c.radii,
      halfOf: p.halfOf ?? 'min',
      ablation: ablate,
      similarity: c.similarity.map((row) => row.map((v) => r(v, 4))),
      pairs: c.pairs,
    },
  };
}

function comparisonMeasurements(c: Comparison): Record<string, Measurement> {
  const list = (f: (x: Comparison['pairs'][number]) => number | null) => c.pairs.map((x) => finite(f(x))) as Measurement;
  const avg = (f: (x: Comparison['pairs'][number]) => number | null) => {
    const v = c.pairs.map(f).filter((x): x is number => finite(x) !== null);
    return v.length === c.pairs.length ? mean(v) : null;
  };
  return {
    'matched.similarity': list((x) => x.similarity),
    'matched.aligned_correlation': list((x) => x.alignedCorrelation),
    'matched.lag_deg': list((x) => x.lagDeg),
    'matched.peak_distance_deg': list((x) => x.peakDistanceDeg),
    'matched.fwhm_ratio': list((x) => x.fwhmRatio),
    'matched.radius_correlation': list((x) => x.radiusCorrelation),
    'matched.echo_hand': list((x) => x.echoHand),
    'matched.echo_trained': list((x) => x.echoTrained),
    'matched.count': c.pairs.length,
    'matched.mean_similarity': avg((x) => x.similarity),
    'matched.mean_aligned_correlation': avg((x) => x.alignedCorrelation),
    'matched.mean_peak_distance_deg': avg((x) => x.peakDistanceDeg),
    'matched.mean_fwhm_ratio': avg((x) => x.fwhmRatio),
    'matched.mean_radius_correlation': avg((x) => x.radiusCorrelation),
    'reimpl.peak_deg': c.hand.map((h) => finite(h.tuning.peakDeg)),
    'reimpl.peak_error_deg': c.hand.map((h) => (h.designedDeg === undefined ? null : circularDistance(h.tuning.peakDeg, h.designedDeg))),
    'reimpl.fwhm_deg': c.hand.map((h) => finite(h.tuning.fwhmDeg)),
    'reimpl.echo': c.hand.map((h) => finite(h.tuning.echo)),
    'reimpl.selectivity': c.hand.map((h) => finite(h.tuning.selectivity)),
    'trained.peak_deg': c.trained.map((t) => finite(t.tuning.peakDeg)),
    'trained.fwhm_deg': c.trained.map((t) => finite(t.tuning.fwhmDeg)),
    'trained.echo': c.trained.map((t) => finite(t.tuning.echo)),
  } as Record<string, Measurement>;
}

function ablationMeasurements(a: AblationResult): Record<string, Measurement> {
  const [built, off, kept] = a.variants;
  return {
    'ablation.echo': built.meanEcho,
    'ablation.no_inhibition_echo': off.meanEcho,
    'ablation.keep_positive_echo': kept.meanEcho,
    'ablation.echo_increase': a.echoIncrease,
    'ablation.keep_positive_echo_increase': a.keepPositiveEchoIncrease,
    'ablation.edit_vs_parameter': a.editVsParameter,
    'ablation.peak_ratio': built.meanPeak > 0 ? off.meanPeak / built.meanPeak : null,
  };
}

function handTable(c: Comparison): Artifact {
  return {
    type: 'table',
    name: 'reimpl-units',
    caption: 'hand-built units on the sweep: designed orientation, measured peak, FWHM, echo (at each unit\'s best radius)',
    columns: ['unit', 'designed°', 'peak°', 'peak error°', 'FWHM°', 'echo', 'selectivity', 'best radius', 'peak response'],
    rows: c.hand.map((h) => [h.label, r(h.designedDeg, 1), r(h.tuning.peakDeg, 1), h.designedDeg === undefined ? null : r(circularDistance(h.tuning.peakDeg, h.designedDeg), 2),
      r(h.tuning.fwhmDeg, 1), r(h.tuning.echo, 4), r(h.tuning.selectivity, 3), h.bestRadius, r(h.tuning.peak, 5)]),
  };
}

const SHORT = { built: 'as built', 'no-inhibition': 'inhibition 0', 'keep-positive': 'keep positive' } as const;

function ablationArtifacts(a: AblationResult): Artifact[] {
  const [built, off, kept] = a.variants;
  const table: Artifact = {
    type: 'table',
    name: 'ablation',
    caption: `inhibition ablation of the hand-built curves: mean echo ${built.meanEcho.toFixed(3)} as built → ${off.meanEcho.toFixed(3)} with curves.inhibition 0 → ${kept.meanEcho.toFixed(3)} keeping only the positive curve weights (published for InceptionV1 mixed3b: ≈0.01 → ≈0.29)`,
    columns: ['unit', 'echo built', 'echo no inhibition', 'echo keep-positive', 'peak built', 'peak no inhibition', 'peak keep-positive'],
    rows: built.echo.map((_, u) => [u, r(built.echo[u]), r(off.echo[u]), r(kept.echo[u]), r(built.peak[u], 5), r(off.peak[u], 5), r(kept.peak[u], 5)]),
  };
  // One unit, raw responses at the middle radius: the echo lobe appears opposite the peak.
  const s = built.sweep;
  const mid = Math.floor(s.radii.length / 2);
  const radius = Number.isFinite(s.radii[mid]) ? ` at radius ${s.radii[mid]}` : '';
  const plot: Artifact = {
    type: 'plot',
    name: 'ablation-unit-0',
    caption: `hand-built curves unit 0${radius}: as built, without inhibition, and with only positive weights (raw responses)`,
    plot: {
      kind: 'polar',
      yLabel: 'response',
      series: a.variants.map((v) => ({ name: SHORT[v.name], x: [...v.sweep.angles], y: v.sweep.curves[0][mid].map((x) => Number(x.toPrecision(5))) })),
    },
  };
  return [table, plot];
}
