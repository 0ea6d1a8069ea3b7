// Efficient MPRT (Hedström, Weber, Bareeva, Motzkus, Samek, Lapuschkin & Höhne 2023, "Sanity
// checks revisited"): instead of comparing maps layer by layer, the relative rise of the map's
// complexity — the entropy of a histogram of its values — from the trained to the fully randomised
// model. A map that explains the model turns to noise when the weights do: its entropy rises.
import { makeNet } from '../../../../engine/net.ts';
import { cloneModel } from '../../../../engine/onnx.ts';
import { readWeight, replaceWeight } from '../../../../engine/graph.ts';
import type { Tensor } from '../../../../engine/tensor.ts';
import { badInput } from '../../../../errors.ts';
import { makeRng } from '../../../../util/rng.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int } from '../../method.ts';
import type { Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';
import { layersTopDown, redraw } from './randomization.ts';

export interface EfficientRandomizationOptions {
  /** Histogram bins over the map's range (Quantus's default when no binning rule is set: 100). */
  bins: number;
}

export const EFFICIENT_RANDOMIZATION_DEFAULTS: EfficientRandomizationOptions = { bins: 100 };

/**
 * −Σ p ln p over a `bins`-bin histogram of the values between their min and max (as numpy's
 * histogram: the last bin closed). A constant map has one full bin: 0.
 */
export function discreteEntropy(values: ArrayLike<number>, bins: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (!(hi > lo)) return 0;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor(((values[i] - lo) / (hi - lo)) * bins))]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / values.length) * Math.log(c / values.length);
  return h;
}

/** (H(â) − H(a)) / H(a), H the discrete entropy of the map's values, â the map of the fully randomised model. */
export async function efficientRandomization(subject: Subject, input: Tensor, target: Target, explain: Explain, bins: number, seed: number): Promise<{ value: number | null; original: number; randomised: number }> {
  const layers = layersTopDown(subject, target);
  if (layers.length === 0) throw badInput('E_ATTR_MPRT', 'the target depends on no Conv/Gemm/MatMul weights, so there is nothing to randomise', subject.net.where, 'check the target');
  const rng = makeRng(seed);
  const model = cloneModel(subject.net.model);
  for (const l of layers) for (const w of l.weights) replaceWeight(model, w, redraw(readWeight(subject.net.model, w), rng));
  const randomised: Subject = { ...subject, net: makeNet(model, `${subject.net.where} (every layer randomised)`) };
  const original = discreteEntropy((await explain(subject, input)).map.data, bins);
  const after = discreteEntropy((await explain(randomised, input)).map.data, bins);
  return { value: original > 0 ? (after - original) / original : null, original, randomised: after };
}

export const efficientRandomizationMetric = describeMetric<EfficientRandomizationOptions>({
  key: 'randomization_efficient',
  family: 'randomisation',
  description: 'Efficient MPRT (eMPRT): relative rise of the map’s histogram entropy from the trained to the fully randomised model (emprt, high is good)',
  form: 'options',
  options: { bins: { schema: int(2, 100_000), description: 'Histogram bins over the map’s range' } },
  defaults: EFFICIENT_RANDOMIZATION_DEFAULTS,
  metrics: ['emprt'],
  needs: ['method', 'random'],
  passes: (_o, method) => 2 * method,
  run: async ({ subject, input, target, explain, rng, label }, o) => {
    const r = await efficientRandomization(subject, input, target, explain, o.bins, drawSeed(rng));
    if (r.value === null) return { values: { emprt: null }, uninformative: { emprt: `the ${label} map is constant (entropy 0), so its rise cannot be taken relative to it` } };
    return { values: { emprt: r.value } };
  },
});
