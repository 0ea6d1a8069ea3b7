// Two faithfulness metrics that follow the map's values, not only its order: faithfulness
// correlation (Bhatt, Weller & Moura 2020) correlates the map's sum over random pixel subsets with
// the score drop when those pixels are set to a baseline; monotonicity (Arya et al. 2019) inserts
// pixels from the least to the most important onto a baseline and asks that the score never falls.
import { z } from 'zod';
import type { Tensor } from '../../../../engine/tensor.ts';
import { forkRng, makeRng, type Rng } from '../../../../util/rng.ts';
import { scoreMany, scoreOne } from '../../forward.ts';
import { spatial } from '../../maps.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int, positive } from '../../method.ts';
import type { Subject, Target } from '../../types.ts';
import { pearson } from '../spearman.ts';
import { CURVE_BASELINES, SUBSTRATE_DEFAULTS, substrate, type CurveBaseline } from './substrate.ts';

export interface FaithfulnessCorrelationOptions {
  /** Random subsets drawn (Quantus: 100). */
  samples: number;
  /** Fraction of the pixels in each subset (Quantus: 224 of 224² pixels with its default, about 0.5%; 5% moves a 224² image more). */
  subset: number;
  baseline: CurveBaseline;
  blurSigma: number;
}

export const FAITHFULNESS_CORRELATION_DEFAULTS: FaithfulnessCorrelationOptions = { samples: 64, subset: 0.05, baseline: 'black', blurSigma: SUBSTRATE_DEFAULTS.blurSigma };

/** Sets every channel of pixel p of `dst` (a copy of the input) to the substrate. */
function put(dst: Float32Array, base: Float32Array, p: number, C: number, HW: number): void {
  for (let c = 0; c < C; c++) dst[c * HW + p] = base[c * HW + p];
}

/**
 * Pearson correlation over `samples` random pixel subsets S of Σ_{p∈S} a_p (the map summed over
 * channels, sign kept) with f(x) − f(x with S set to `base`), the raw target score.
 */
export async function faithfulnessCorrelation(subject: Subject, input: Tensor, target: Target, map: Tensor, base: Float32Array, o: { samples: number; subset: number }, rng: Rng): Promise<number> {
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const a = spatial(map, 'sum').data;
  const k = Math.max(1, Math.round(o.subset * HW));
  const subsets: Int32Array[] = [];
  const sums = new Float64Array(o.samples);
  for (let s = 0; s < o.samples; s++) {
    // A partial Fisher–Yates shuffle: k distinct pixels.
    const idx = Int32Array.from({ length: HW }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng() * (HW - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    subsets.push(idx.slice(0, k));
    for (const p of subsets[s]) sums[s] += a[p];
  }
  const f = (await scoreOne(subject, target, input)).score;
  const scores = await scoreMany(subject, target, o.samples, (i, dst) => {
    dst.set(input.data);
    for (const p of subsets[i]) put(dst, base, p, C, HW);
  });
  return pearson(sums, scores.map((v) => f - v));
}

export interface MonotonicityOptions {
  /** Groups the pixels are inserted in (the curve has steps + 1 points). */
  steps: number;
  baseline: CurveBaseline;
  blurSigma: number;
}

export const MONOTONICITY_DEFAULTS: MonotonicityOptions = { steps: 20, baseline: 'black', blurSigma: SUBSTRATE_DEFAULTS.blurSigma };

/**
 * Pixels inserted onto `base` in ascending order of the map (summed over channels; ties by index)
 * in `steps` equal groups; the fraction of steps after which the raw score did not fall (1 = monotone).
 */
export async function monotonicity(subject: Subject, input: Tensor, target: Target, map: Tensor, base: Float32Array, steps: number): Promise<number> {
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const a = spatial(map, 'sum').data;
  const order = Int32Array.from({ length: HW }, (_, i) => i).sort((p, q) => a[p] - a[q] || p - q);
  const shown = (k: number) => Math.round((k * HW) / steps);
  const y = await scoreMany(subject, target, steps + 1, (k, dst) => {
    dst.set(base);
    for (let j = 0; j < shown(k); j++) {
      const p = order[j];
      for (let c = 0; c < C; c++) dst[c * HW + p] = input.data[c * HW + p];
    }
  });
  let up = 0;
  for (let k = 0; k < steps; k++) if (y[k + 1] >= y[k]) up++;
  return up / steps;
}

const baselineOption = { schema: z.enum(CURVE_BASELINES as [CurveBaseline, ...CurveBaseline[]]), description: 'What removed pixels become: black pixels, a Gaussian blur of the image, its per-channel mean, or seeded uniform noise' };
const blurOption = { schema: positive(), description: 'σ in pixels of the blur baseline' };

export const faithfulnessCorrelationMetric = describeMetric<FaithfulnessCorrelationOptions>({
  key: 'faithfulness_correlation',
  family: 'faithfulness',
  description: 'Pearson correlation of the map’s sum over random pixel subsets with the score drop when they are removed (faithfulness_correlation)',
  form: 'options',
  options: {
    samples: { schema: int(2, 10_000), description: 'Random subsets' },
    subset: { schema: z.number().gt(0).lt(1), description: 'Fraction of the pixels in each subset' },
    baseline: baselineOption,
    blur_sigma: blurOption,
  },
  defaults: FAITHFULNESS_CORRELATION_DEFAULTS,
  metrics: ['faithfulness_correlation'],
  needs: ['model', 'random'],
  passes: (o) => o.samples + 1,
  run: async (ctx, o) => {
    const rng = makeRng(drawSeed(ctx.rng));
    const base = substrate(ctx.input, ctx.preprocess, o.baseline, { blurSigma: o.blurSigma, rng: forkRng(rng) });
    return { values: { faithfulness_correlation: await faithfulnessCorrelation(ctx.subject, ctx.input, ctx.target, ctx.attribution.map, base, o, rng) } };
  },
});

export const monotonicityMetric = describeMetric<MonotonicityOptions>({
  key: 'monotonicity',
  family: 'faithfulness',
  description: 'Insert pixels from the least to the most important onto a baseline: the fraction of steps where the score does not fall (monotonicity)',
  form: 'options',
  options: { steps: { schema: int(1, 10_000), description: 'Groups of pixels inserted' }, baseline: baselineOption, blur_sigma: blurOption },
  defaults: MONOTONICITY_DEFAULTS,
  metrics: ['monotonicity'],
  needs: ['model'],
  passes: (o) => o.steps + 1,
  run: async (ctx, o) => {
    // Noise is the one baseline that draws: it takes its seed from the image's baseline stream, as the curves do.
    const base = substrate(ctx.input, ctx.preprocess, o.baseline, { blurSigma: o.blurSigma, rng: o.baseline === 'noise' ? forkRng(ctx.curveRng) : undefined });
    return { values: { monotonicity: await monotonicity(ctx.subject, ctx.input, ctx.target, ctx.attribution.map, base, o.steps) } };
  },
});
