// The feature-visualization probe behind `neurons:` entries with `featureviz:`: optimize an image
// for each target unit (its pre-activation, as Lucid does), then judge by model responses — how
// far the objective rose, and whether the image drives its unit harder than the family's others.
import type { Artifact, Measurement } from '../../probe/measurement.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Probe, ProbeOutput } from '../../probe/probe.ts';
import type { LayerInfo } from '../../models/catalog.ts';
import { encodePng, type RgbImage } from '../../stimuli/image.ts';
import { badInput } from '../../errors.ts';
import type { Rng } from '../../util/rng.ts';
import { visualize, type FeatureVizOptions } from './featureviz.ts';
import { describeObjective, l1, scale, sum, tv, unit, type FvObjective } from './featureviz/objectives.ts';
import { unitSource } from './unit-source.ts';

export interface FeatureVizParams {
  layer: LayerInfo;
  /** The family: every unit the target is compared against (targets included). */
  units: readonly number[];
  /** Units to visualize (default: all of `units`). */
  targets?: readonly number[];
  steps?: number;
  size?: number;
  lr?: number;
  transforms?: 'lucid' | 'none';
  fourier?: boolean;
  decorrelate?: boolean;
  /** Optimize the unit before its activation function (default true, as Lucid does). */
  preActivation?: boolean;
  /** Weights of −L1 (distance from grey) and −total-variation penalties (default 0). */
  l1?: number;
  tv?: number;
}

/** `featureviz.image` is the first target's image: only an image `golden:` expectation reads it. */
export const FEATUREVIZ_METRICS = ['featureviz.gain', 'featureviz.objective_initial', 'featureviz.objective_final', 'featureviz.drives_unit', 'featureviz.margin', 'featureviz.image'] as const;

export const featureVizProbe: Probe<FeatureVizParams> = {
  kind: 'neurons.featureviz',
  metrics: FEATUREVIZ_METRICS,
  run: measureFeatureViz,
};

export async function measureFeatureViz(p: FeatureVizParams, engine: ForwardEngine, rng: Rng): Promise<ProbeOutput> {
  const { model } = engine;
  const channels = p.layer.shape[0];
  const targets = p.targets ?? p.units;
  for (const u of [...p.units, ...targets]) {
    if (!Number.isInteger(u) || u < 0 || u >= channels) throw badInput('E_NO_UNIT', `unit ${u} does not exist in layer "${p.layer.name}" (it has ${channels} channels)`, undefined, `pick units 0..${channels - 1}`);
  }
  const rows: { unit: number; seed: number; initial: number; final: number; gain: number | null; drives: number; margin: number | null; responses: number[]; objective: string; history: { step: number; objective: number }[]; image: RgbImage; png: string; size: number; settings: Record<string, unknown> }[] = [];
  for (const t of targets) {
    const src = await unitSource(model, p.layer, t);
    const pre = (p.preActivation ?? true) && src.preActivation ? src.preActivation : { tensor: src.tensor, channel: src.channel };
    let objective: FvObjective = unit(pre.tensor, pre.channel);
    if (p.l1) objective = sum(objective, scale(-p.l1, l1(0.5)));
    if (p.tv) objective = sum(objective, scale(-p.tv, tv()));
    const seed = Math.floor(rng() * 2 ** 32);
    const opts: FeatureVizOptions = { seed, steps: p.steps, size: p.size, lr: p.lr, transforms: p.transforms, fourier: p.fourier, decorrelate: p.decorrelate, device: engine.device, tap: [p.layer.tensor] };
    const r = await visualize(model, objective, opts);
    const acts = r.activations[p.layer.tensor];
    const [, , H = 1, W = 1] = acts.dims;
    const c = r.centers[p.layer.tensor] ?? { y: 0, x: 0 };
    const at = (u: number) => acts.data[(u * H + c.y) * W + c.x];
    const responses = p.units.map(at);
    const mine = at(t);
    const others = p.units.filter((u) => u !== t).map(at);
    const best = others.length ? Math.max(...others) : -Infinity;
    const initial = r.objective.initial[0];
    const final = r.objective.final[0];
    rows.push({
      unit: t, seed, initial, final,
      gain: initial !== 0 ? final / Math.abs(initial) : null,
      drives: others.length === 0 || mine > best ? 1 : 0,
      margin: mine !== 0 && others.length ? (mine - best) / Math.abs(mine) : null,
      responses, objective: describeObjective(objective), history: r.history, image: r.images[0], png: encodePng(r.images[0]).toString('base64'), size: r.images[0].width, settings: r.settings,
    });
  }
  const list = (f: (r: (typeof rows)[number]) => number | null): Measurement => {
    const v = rows.map((r) => {
      const x = f(r);
      return x === null || !Number.isFinite(x) ? null : x;
    });
    return (v.length === 1 ? v[0] : v) as Measurement;
  };
  const artifacts: Artifact[] = rows.flatMap((r): Artifact[] => [
    { type: 'image', name: `featureviz-${r.unit}`, caption: `${p.layer.name} unit ${r.unit}: ${r.objective}, seed ${r.seed}; objective ${r.initial.toFixed(3)} → ${r.final.toFixed(3)}`, pngBase64: r.png, width: r.size, height: r.size },
    { type: 'plot', name: `featureviz-${r.unit}-objective`, caption: `objective while optimizing unit ${r.unit} (under that step's random transforms)`, plot: { kind: 'line', xLabel: 'step', yLabel: 'objective', series: [{ name: `unit ${r.unit}`, x: r.history.map((h) => h.step), y: r.history.map((h) => h.objective) }] } },
    { type: 'table', name: `featureviz-${r.unit}-family`, caption: `responses of the family (${p.layer.name}, at the probed position) to the image of unit ${r.unit}`, columns: ['unit', 'response'], rows: p.units.map((u, i) => [u, Number(r.responses[i].toPrecision(6))]) },
  ]);
  return {
    measurements: {
      'featureviz.gain': list((r) => r.gain),
      'featureviz.objective_initial': list((r) => r.initial),
      'featureviz.objective_final': list((r) => r.final),
      'featureviz.drives_unit': list((r) => r.drives),
      'featureviz.margin': list((r) => r.margin),
    },
    cases: rows.map((r) => `unit ${r.unit}`),
    artifacts,
    images: { 'featureviz.image': rows[0].image },
    params: {
      layer: p.layer.name,
      units: [...p.units],
      targets: [...targets],
      runs: rows.map((r) => ({ unit: r.unit, seed: r.seed, objective: r.objective, ...r.settings })),
      preActivation: p.preActivation ?? true,
      gain: 'objective on the final image ÷ |objective on the initial image|, both centred without random transforms',
    },
  };
}
