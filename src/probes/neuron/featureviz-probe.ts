// The feature-visualization probe behind `neurons:` entries with `featureviz:`: optimize an image
// (or a batch pushed apart by Lucid's diversity term) for each target unit — at one place or over
// its whole map, maximized or minimized — or for a direction over the layer's channels, then judge
// by model responses: how far the objective rose, and whether the image drives its unit hardest.
import type { Artifact, Measurement } from '../../probe/measurement.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Probe, ProbeOutput } from '../../probe/probe.ts';
import type { LayerInfo } from '../../models/catalog.ts';
import { encodePng, type RgbImage } from '../../stimuli/image.ts';
import { badInput } from '../../errors.ts';
import type { Rng } from '../../util/rng.ts';
import { visualize, type FeatureVizOptions } from './featureviz.ts';
import { channel, describeObjective, direction, directionAtCenter, diversity, gramSimilarity, l1, scale, sum, tv, unit, type FvObjective } from './featureviz/objectives.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { unitSource } from './unit-source.ts';
import { neuronAtlas, type AtlasOptions, type AtlasRow } from './atlas.ts';

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
  /** neuron: the unit at one place (default); channel: its mean over the map. */
  objective?: 'neuron' | 'channel';
  /** The place a neuron objective reads, on the layer's grid at the model's own input size (default: the receptive field nearest the centre). */
  position?: readonly [number, number];
  /** A vector over the layer's channels: one visualization of that direction instead of one per target. */
  direction?: readonly number[];
  /** Minimize instead of maximize. */
  negative?: boolean;
  /** Images optimized together per target (default 1) and the weight of Lucid's diversity penalty among them (default 0). */
  batch?: number;
  diversity?: number;
  /** Build the neuron atlas (visualization, top scenes, best concept per target) for the report. */
  atlas?: AtlasOptions;
}

/** `featureviz.image` is the first target's image: only an image `golden:` expectation reads it. */
export const FEATUREVIZ_METRICS = ['featureviz.gain', 'featureviz.objective_initial', 'featureviz.objective_final', 'featureviz.drives_unit', 'featureviz.margin', 'featureviz.response', 'featureviz.response_initial', 'featureviz.diversity', 'featureviz.image'] as const;

export const featureVizProbe: Probe<FeatureVizParams> = {
  kind: 'neurons.featureviz',
  metrics: FEATUREVIZ_METRICS,
  run: measureFeatureViz,
};

/** One optimization: a unit of the entry, or the entry's direction. */
interface Run {
  label: string;
  unit?: number;
  seed: number;
  initial: number;
  final: number;
  gain: number | null;
  drives: number | null;
  margin: number | null;
  response: number;
  responseInitial: number;
  diversity: number | null;
  /** The family's read-outs on the final images (mean over the batch). */
  responses: number[];
  objective: string;
  history: { step: number; objective: number }[];
  images: RgbImage[];
  settings: Record<string, unknown>;
}

const mean = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/**
 * The read-out of channel `c` of a layer tensor [n, C, h, w], averaged over the batch: at the
 * place the objective read (`neuron`) or over the whole map (`channel`).
 */
function readout(t: Tensor, c: number, where: { y: number; x: number } | 'map'): number {
  const [n, C, h = 1, w = 1] = t.dims;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const plane = t.data.subarray((i * C + c) * h * w, (i * C + c + 1) * h * w);
    s += where === 'map' ? mean(Array.from(plane)) : plane[where.y * w + where.x];
  }
  return s / n;
}

/** The projection of each item's channel vector onto `v` at the place or over the map, averaged over the batch. */
function projection(t: Tensor, v: readonly number[], where: { y: number; x: number } | 'map'): number {
  return v.reduce((s, vc, c) => s + vc * readout(t, c, where), 0);
}

export async function measureFeatureViz(p: FeatureVizParams, engine: ForwardEngine, rng: Rng): Promise<ProbeOutput> {
  const { model } = engine;
  const channels = p.layer.shape[0];
  const targets = p.targets ?? p.units;
  for (const u of [...p.units, ...targets]) {
    if (!Number.isInteger(u) || u < 0 || u >= channels) throw badInput('E_NO_UNIT', `unit ${u} does not exist in layer "${p.layer.name}" (it has ${channels} channels)`, undefined, `pick units 0..${channels - 1}`);
  }
  if (p.direction && p.direction.length !== channels) throw badInput('E_FEATUREVIZ', `the direction has ${p.direction.length} values, layer "${p.layer.name}" has ${channels} channels`, undefined, `give one value per channel (${channels})`);
  const mode = p.objective ?? 'neuron';
  const sign = p.negative ? -1 : 1;
  const batch = p.batch ?? 1;
  const [, H0 = 1, W0 = 1] = p.layer.shape;
  // A place on the model's own grid, as the same fraction of the visualization's (smaller) map.
  const place = mode === 'neuron' && p.position ? { y: (p.position[0] + 0.5) / H0, x: (p.position[1] + 0.5) / W0 } : undefined;
  // A minimized unit goes below zero before its ReLU, where every unit of the layer reads 0: a
  // negative objective compares the family before their activation functions instead.
  const family = p.negative && (p.preActivation ?? true)
    ? await Promise.all(p.units.map(async (u) => {
      const s = await unitSource(model, p.layer, u);
      return s.preActivation ?? { tensor: s.tensor, channel: s.channel };
    }))
    : p.units.map((u) => ({ tensor: p.layer.tensor, channel: u }));
  const runs: Run[] = [];
  const plan = p.direction ? [{ label: 'direction', unit: undefined }] : targets.map((u) => ({ label: `unit ${u}`, unit: u }));
  for (const item of plan) {
    // What is optimized: the unit before its non-linearity (through concat branches), or the direction on the layer itself.
    let read: { tensor: string; vector?: readonly number[]; channel: number };
    let base: FvObjective;
    if (item.unit === undefined) {
      read = { tensor: p.layer.tensor, vector: p.direction!, channel: -1 };
      base = mode === 'channel' ? direction(read.tensor, read.vector!) : directionAtCenter(read.tensor, read.vector!);
    } else {
      const src = await unitSource(model, p.layer, item.unit);
      const pre = (p.preActivation ?? true) && src.preActivation ? src.preActivation : { tensor: src.tensor, channel: src.channel };
      read = pre;
      base = mode === 'channel' ? channel(pre.tensor, pre.channel) : unit(pre.tensor, pre.channel);
    }
    let objective: FvObjective = sign < 0 ? scale(-1, base) : base;
    if (p.diversity) objective = sum(objective, scale(-p.diversity, diversity(p.layer.tensor)));
    if (p.l1) objective = sum(objective, scale(-p.l1, l1(0.5)));
    if (p.tv) objective = sum(objective, scale(-p.tv, tv()));
    const seed = Math.floor(rng() * 2 ** 32);
    const opts: FeatureVizOptions = { seed, steps: p.steps, size: p.size, lr: p.lr, transforms: p.transforms, fourier: p.fourier, decorrelate: p.decorrelate, device: engine.device, tap: [...new Set([p.layer.tensor, ...family.map((f) => f.tensor)])], batch, place };
    const r = await visualize(model, objective, opts);
    const where = (t: string) => (mode === 'channel' ? 'map' as const : r.centers[t] ?? { y: 0, x: 0 });
    const value = (acts: Record<string, Tensor>) => (read.vector ? projection(acts[read.tensor], read.vector, where(read.tensor)) : readout(acts[read.tensor], read.channel, where(read.tensor)));
    const acts = r.activations[p.layer.tensor];
    const responses = family.map((f) => readout(r.activations[f.tensor], f.channel, where(f.tensor)));
    // Signed so that "drives" means "moves the way the objective asks" (lowest for a negative one).
    let drives: number | null = null;
    let margin: number | null = null;
    if (item.unit !== undefined) {
      const k = p.units.indexOf(item.unit);
      const mine = sign * (k >= 0 ? responses[k] : readout(acts, item.unit, where(p.layer.tensor)));
      const others = responses.filter((_, i) => p.units[i] !== item.unit).map((v) => sign * v);
      const best = others.length ? Math.max(...others) : -Infinity;
      drives = others.length === 0 || mine > best ? 1 : 0;
      margin = mine !== 0 && others.length ? (mine - best) / Math.abs(mine) : null;
    }
    const initial = mean(r.objective.initial);
    const final = mean(r.objective.final);
    runs.push({
      label: item.label, unit: item.unit, seed, initial, final,
      gain: initial !== 0 ? final / Math.abs(initial) : null,
      drives, margin,
      response: value(r.activations), responseInitial: value(r.initialActivations),
      diversity: batch > 1 ? 1 - gramSimilarity(acts)! : null,
      responses, objective: describeObjective(objective), history: r.history, images: r.images, settings: r.settings,
    });
  }
  const list = (f: (r: Run) => number | null): Measurement => {
    const v = runs.map((r) => {
      const x = f(r);
      return x === null || !Number.isFinite(x) ? null : x;
    });
    return (v.length === 1 ? v[0] : v) as Measurement;
  };
  const slug = (r: Run) => (r.unit === undefined ? 'direction' : String(r.unit));
  const artifacts: Artifact[] = runs.flatMap((r): Artifact[] => [
    ...r.images.map((img, i): Artifact => ({
      type: 'image', name: `featureviz-${slug(r)}${i ? `-${i + 1}` : ''}`,
      caption: `${p.layer.name} ${r.label}${batch > 1 ? ` (${i + 1} of ${batch})` : ''}: ${r.objective}, seed ${r.seed}; objective ${r.initial.toFixed(3)} → ${r.final.toFixed(3)}`,
      pngBase64: encodePng(img).toString('base64'), width: img.width, height: img.height,
    })),
    { type: 'plot', name: `featureviz-${slug(r)}-objective`, caption: `objective while optimizing ${r.label} (under that step's random transforms)`, plot: { kind: 'line', xLabel: 'step', yLabel: 'objective', series: [{ name: r.label, x: r.history.map((h) => h.step), y: r.history.map((h) => h.objective) }] } },
    { type: 'table', name: `featureviz-${slug(r)}-family`, caption: `responses of the family (${p.layer.name}${p.negative ? ', before the activation function' : ''}, ${mode === 'channel' ? 'mean over the map' : 'at the probed position'}${batch > 1 ? ', mean over the batch' : ''}) to the image of ${r.label}`, columns: ['unit', 'response'], rows: p.units.map((u, i) => [u, Number(r.responses[i].toPrecision(6))]) },
  ]);
  // Drawn after every optimization's seed, so asking for an atlas leaves the visualizations as they were.
  let atlasRows: AtlasRow[] | undefined;
  if (p.atlas) {
    const atlas = await neuronAtlas(engine, p.layer, runs.map((r) => ({ unit: r.unit, label: r.label, images: r.images })), p.atlas, rng);
    artifacts.unshift(atlas.artifact);
    atlasRows = atlas.rows;
  }
  return {
    measurements: {
      'featureviz.gain': list((r) => r.gain),
      'featureviz.objective_initial': list((r) => r.initial),
      'featureviz.objective_final': list((r) => r.final),
      'featureviz.drives_unit': list((r) => r.drives),
      'featureviz.margin': list((r) => r.margin),
      'featureviz.response': list((r) => r.response),
      'featureviz.response_initial': list((r) => r.responseInitial),
      'featureviz.diversity': list((r) => r.diversity),
    },
    cases: runs.map((r) => r.label),
    artifacts,
    images: { 'featureviz.image': runs[0].images[0] },
    params: {
      layer: p.layer.name,
      units: [...p.units],
      targets: p.direction ? [] : [...targets],
      objective: mode,
      ...(p.position && { position: [...p.position] }),
      ...(p.negative && { negative: true }),
      ...(p.direction && { direction: [...p.direction] }),
      ...(batch > 1 && { batch, diversity: p.diversity ?? 0 }),
      ...(p.atlas && { atlas: { ...p.atlas, rows: atlasRows } }),
      runs: runs.map((r) => ({ unit: r.unit, seed: r.seed, objective: r.objective, ...r.settings })),
      preActivation: p.preActivation ?? true,
      gain: 'objective on the final image ÷ |objective on the initial image|, both centred without random transforms (mean over the batch)',
      response: p.direction ? 'projection of the layer onto the direction' : `the target unit${(p.preActivation ?? true) ? ' before its activation function' : ''}, ${mode === 'channel' ? 'mean over its map' : 'at the probed position'}`,
    },
  };
}
