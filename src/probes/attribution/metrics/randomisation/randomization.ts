// Model-parameter randomisation test (Adebayo et al. 2018, cascading, top-down): re-draw the
// weights of the layers nearest the output first, more and more of them, and measure how much the
// map still resembles the original (Spearman ρ of |a|). A map that does not change is not
// explaining the model. Weights come from a seeded normal with each tensor's own mean and std.
// The independent variant re-draws one layer at a time, the rest left trained.
import { makeNet } from '../../../../engine/net.ts';
import { cloneModel } from '../../../../engine/onnx.ts';
import { readWeight, replaceWeight, topoOrder, withOutputs } from '../../../../engine/graph.ts';
import type { Tensor } from '../../../../engine/tensor.ts';
import { badInput } from '../../../../errors.ts';
import { makeRng, normal } from '../../../../util/rng.ts';
import { spatial } from '../../maps.ts';
import { targetTensor } from '../../target.ts';
import type { Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';
import { spearman } from '../spearman.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int } from '../../method.ts';

const WEIGHTED_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

export interface RandomizationOptions {
  /** Cascade points: after randomising ⌈L·k/steps⌉ top layers, k = 1…steps (the last point randomises all L). */
  steps: number;
  seed: number;
}

export const RANDOMIZATION_DEFAULTS: RandomizationOptions = { steps: 4, seed: 0 };

export interface RandomizationPoint {
  /** Layers randomised so far (top-down), and the deepest one. */
  layers: number;
  lastLayer: string;
  /** Spearman ρ between |a| of the original and of the randomised model. */
  spearman: number;
}

/** Weighted layers (node name + weight initializers) the target depends on, from the output down. */
export function layersTopDown(subject: Subject, target: Target): { name: string; weights: string[] }[] {
  const g = withOutputs(subject.net.model, [targetTensor(subject, target)], subject.net.where).graph;
  const inits = new Set(g.initializer.map((t) => t.name));
  const layers = topoOrder(g, subject.net.where)
    .filter((n) => WEIGHTED_OPS.has(n.opType) && n.input.slice(1).some((i) => inits.has(i)))
    .map((n) => ({ name: n.name || n.output[0], weights: n.input.slice(1).filter((i) => inits.has(i)) }));
  return layers.reverse();
}

/** A weight re-drawn from a seeded normal with the tensor's own mean and std. */
export function redraw(t: Tensor, rng: () => number): Tensor {
  let mean = 0;
  for (const v of t.data) mean += v;
  mean /= t.data.length;
  let v2 = 0;
  for (const v of t.data) v2 += (v - mean) ** 2;
  const std = Math.sqrt(v2 / t.data.length);
  const data = new Float32Array(t.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mean + std * normal(rng);
  return { dims: [...t.dims], data };
}

/** |a| per pixel (summed over channels): what the randomisation tests rank. */
export function absSpatial(map: Tensor): Float32Array {
  const m = map.dims.length === 3 ? spatial(map, 'abs_sum') : map;
  return m.data.map(Math.abs);
}

export async function modelRandomization(subject: Subject, input: Tensor, target: Target, explain: Explain, options: Partial<RandomizationOptions> = {}): Promise<{ points: RandomizationPoint[]; layers: number; params: RandomizationOptions }> {
  const o = { ...RANDOMIZATION_DEFAULTS, ...options };
  if (!Number.isInteger(o.steps) || o.steps < 1) throw badInput('E_ATTR_OPTION', `randomisation steps must be a positive integer, got ${o.steps}`, undefined, 'e.g. 4');
  const layers = layersTopDown(subject, target);
  if (layers.length === 0) throw badInput('E_ATTR_MPRT', 'the target depends on no Conv/Gemm/MatMul weights, so there is nothing to randomise', subject.net.where, 'check the target');
  const rng = makeRng(o.seed);
  // Draw every layer's new weights once, top-down, so each cascade point extends the previous one.
  const drawn = layers.map((l) => l.weights.map((w) => ({ name: w, value: redraw(readWeight(subject.net.model, w), rng) })));
  const original = absSpatial((await explain(subject, input)).map);
  const counts = [...new Set(Array.from({ length: Math.min(o.steps, layers.length) }, (_, k) => Math.ceil((layers.length * (k + 1)) / Math.min(o.steps, layers.length))))];
  const points: RandomizationPoint[] = [];
  for (const k of counts) {
    const model = cloneModel(subject.net.model);
    for (let i = 0; i < k; i++) for (const w of drawn[i]) replaceWeight(model, w.name, w.value);
    const randomised: Subject = { ...subject, net: makeNet(model, `${subject.net.where} (top ${k} layers randomised)`) };
    const a = await explain(randomised, input);
    points.push({ layers: k, lastLayer: layers[k - 1].name, spearman: spearman(original, absSpatial(a.map)) });
  }
  return { points, layers: layers.length, params: o };
}

export interface IndependentRandomizationOptions {
  /** Layers tested, evenly spaced from the top (all when the model has fewer). */
  layers: number;
}

export const INDEPENDENT_RANDOMIZATION_DEFAULTS: IndependentRandomizationOptions = { layers: 8 };

/**
 * Independent model-parameter randomisation (Adebayo et al. 2018, their second variant): for each
 * tested layer, only that layer's weights re-drawn, every other layer trained; Spearman ρ of |a|.
 * Where the cascade says whether the map depends on the model at all, this says which layers it
 * ignores: a high ρ at one layer means the map would look the same with that layer untrained.
 */
export async function independentRandomization(subject: Subject, input: Tensor, target: Target, explain: Explain, layersTested: number, seed: number): Promise<{ points: RandomizationPoint[]; layers: number }> {
  const layers = layersTopDown(subject, target);
  if (layers.length === 0) throw badInput('E_ATTR_MPRT', 'the target depends on no Conv/Gemm/MatMul weights, so there is nothing to randomise', subject.net.where, 'check the target');
  const rng = makeRng(seed);
  const drawn = layers.map((l) => l.weights.map((w) => ({ name: w, value: redraw(readWeight(subject.net.model, w), rng) })));
  const original = absSpatial((await explain(subject, input)).map);
  const n = Math.min(layersTested, layers.length);
  // Evenly spaced from the top: index 0 (the top layer) and, when n > 1, the last (the first layer).
  const picked = [...new Set(Array.from({ length: n }, (_, k) => (n === 1 ? 0 : Math.round((k * (layers.length - 1)) / (n - 1)))))];
  const points: RandomizationPoint[] = [];
  for (const i of picked) {
    const model = cloneModel(subject.net.model);
    for (const w of drawn[i]) replaceWeight(model, w.name, w.value);
    const randomised: Subject = { ...subject, net: makeNet(model, `${subject.net.where} (layer ${layers[i].name} randomised)`) };
    points.push({ layers: i + 1, lastLayer: layers[i].name, spearman: spearman(original, absSpatial((await explain(randomised, input)).map)) });
  }
  return { points, layers: layers.length };
}

export const randomizationMetric = describeMetric<RandomizationOptions>({
  key: 'randomization',
  family: 'randomisation',
  description: 'Cascading model-parameter randomisation: mprt_top (Spearman ρ after the top layers), mprt_final (all layers); every point in a table',
  form: 'options',
  options: { steps: { schema: int(1, 1000), description: 'Cascade points' } },
  defaults: RANDOMIZATION_DEFAULTS,
  metrics: ['mprt_top', 'mprt_final'],
  needs: ['method', 'random'],
  passes: (o, method) => method * o.steps,
  run: async ({ subject, input, target, explain, rng, label }, o) => {
    const r = await modelRandomization(subject, input, target, explain, { ...o, seed: drawSeed(rng) });
    return {
      values: { mprt_final: r.points[r.points.length - 1].spearman, mprt_top: r.points[0].spearman },
      artifacts: [{ type: 'table', name: `randomisation ${label}`, caption: `cascading randomisation (${r.layers} weighted layers), Spearman ρ of |a|`, columns: ['layers randomised', 'deepest', 'spearman'], rows: r.points.map((q) => [q.layers, q.lastLayer, q.spearman]) }],
    };
  },
});

export const independentRandomizationMetric = describeMetric<IndependentRandomizationOptions>({
  key: 'randomization_independent',
  family: 'randomisation',
  description: 'Independent model-parameter randomisation: each tested layer re-drawn alone; mprt_independent_mean and mprt_independent_max (Spearman ρ of |a|; the max names the layer the map depends on least)',
  form: 'options',
  options: { layers: { schema: int(1, 1000), description: 'Layers tested, evenly spaced from the top' } },
  defaults: INDEPENDENT_RANDOMIZATION_DEFAULTS,
  metrics: ['mprt_independent_mean', 'mprt_independent_max'],
  needs: ['method', 'random'],
  passes: (o, method) => method * (o.layers + 1),
  run: async ({ subject, input, target, explain, rng, label }, o) => {
    const r = await independentRandomization(subject, input, target, explain, o.layers, drawSeed(rng));
    const rhos = r.points.map((q) => q.spearman);
    return {
      values: { mprt_independent_mean: rhos.reduce((s, v) => s + v, 0) / rhos.length, mprt_independent_max: Math.max(...rhos) },
      artifacts: [{ type: 'table', name: `independent randomisation ${label}`, caption: `independent randomisation (${r.layers} weighted layers, each re-drawn alone), Spearman ρ of |a|`, columns: ['layer (from the top)', 'name', 'spearman'], rows: r.points.map((q) => [q.layers, q.lastLayer, q.spearman]) }],
    };
  },
});
