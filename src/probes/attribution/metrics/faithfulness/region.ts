// Region perturbation (Samek, Binder, Montavon, Lapuschkin & Müller 2017): square regions ranked by
// their summed relevance are replaced by a baseline, most relevant first, and the average score drop
// over the steps (AOPC) is the metric. Unlike `deletion`, which removes single pixels, a region
// takes a whole local pattern away, so the model cannot read it from the pixels left beside it.
import { z } from 'zod';
import type { Tensor } from '../../../../engine/tensor.ts';
import { forkRng } from '../../../../util/rng.ts';
import { scoreMany } from '../../forward.ts';
import { spatial } from '../../maps.ts';
import { describeMetric } from '../../metric.ts';
import { int, positive } from '../../method.ts';
import { probabilitiesOf, scoresOf } from '../../target.ts';
import type { Subject, Target } from '../../types.ts';
import { patchGrid } from '../axiomatic/non-sensitivity.ts';
import { CURVE_BASELINES, SUBSTRATE_DEFAULTS, substrate, type CurveBaseline } from './substrate.ts';

export interface RegionPerturbationOptions {
  /** Side of the square regions in pixels (the paper: 9; Quantus: 8). */
  patch: number;
  /** Regions removed, one per step (the paper: 100); all of them when the image has fewer. */
  regions: number;
  /** What removed regions become (the paper: uniform noise). */
  baseline: CurveBaseline;
  blurSigma: number;
  /** `probability` or `logit` (the raw target, as the paper's f); default: logit. */
  score: 'probability' | 'logit';
}

export const REGION_PERTURBATION_DEFAULTS: RegionPerturbationOptions = { patch: 9, regions: 100, baseline: 'noise', blurSigma: SUBSTRATE_DEFAULTS.blurSigma, score: 'logit' };

/** Regions of the grid by descending summed map (channels summed, sign kept), ties by index. */
export function regionOrder(map: Tensor, H: number, W: number, patch: number): { order: number[]; of: Int32Array } {
  const grid = patchGrid(H, W, patch);
  const a = spatial(map, 'sum').data;
  const sum = new Float64Array(grid.count);
  for (let p = 0; p < a.length; p++) sum[grid.of[p]] += a[p];
  return { order: Array.from({ length: grid.count }, (_, k) => k).sort((p, q) => sum[q] - sum[p] || p - q), of: grid.of };
}

/**
 * AOPC = 1/(L + 1) Σ_{k=0}^{L} (f(x) − f(x with the top k regions set to `base`)), L regions: high
 * means the map's top regions carry the score. Returns the curve f(x_k) too.
 */
export async function regionPerturbation(subject: Subject, input: Tensor, target: Target, map: Tensor, base: Float32Array, o: Pick<RegionPerturbationOptions, 'patch' | 'regions' | 'score'>): Promise<{ aopc: number; y: number[] }> {
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const { order, of } = regionOrder(map, H, W, o.patch);
  const L = Math.min(o.regions, order.length);
  const rank = new Int32Array(order.length);
  order.forEach((k, i) => (rank[k] = i));
  const reduce = o.score === 'probability' ? (t: Tensor) => probabilitiesOf(target, t) : (t: Tensor) => scoresOf(target, t);
  const y = Array.from(await scoreMany(subject, target, L + 1, (k, dst) => {
    dst.set(input.data);
    for (let p = 0; p < HW; p++) if (rank[of[p]] < k) for (let c = 0; c < C; c++) dst[c * HW + p] = base[c * HW + p];
  }, { reduce }));
  return { aopc: y.reduce((s, v) => s + (y[0] - v), 0) / (L + 1), y };
}

export const regionPerturbationMetric = describeMetric<RegionPerturbationOptions>({
  key: 'region_perturbation',
  family: 'faithfulness',
  description: 'Region perturbation: square regions replaced by a baseline in descending order of summed relevance; region_aopc is the average score drop over the steps (high is good)',
  form: 'options',
  options: {
    patch: { schema: int(1, 4096), description: 'Side of the square regions, in pixels' },
    regions: { schema: int(1, 100_000), description: 'Regions removed, one per step' },
    baseline: { schema: z.enum(CURVE_BASELINES as [CurveBaseline, ...CurveBaseline[]]), description: 'What removed regions become: black, a Gaussian blur of the image, its per-channel mean, or seeded uniform noise' },
    blur_sigma: { schema: positive(), description: 'σ in pixels of the blur baseline' },
    score: { schema: z.enum(['probability', 'logit']), description: 'Softmax probability of the class or the raw target value' },
  },
  defaults: REGION_PERTURBATION_DEFAULTS,
  metrics: ['region_aopc'],
  needs: ['model'],
  passes: (o) => o.regions + 1,
  run: async (ctx, o) => {
    const base = substrate(ctx.input, ctx.preprocess, o.baseline, { blurSigma: o.blurSigma, rng: o.baseline === 'noise' ? forkRng(ctx.curveRng) : undefined });
    const r = await regionPerturbation(ctx.subject, ctx.input, ctx.target, ctx.attribution.map, base, o);
    const x = r.y.map((_, k) => k);
    return {
      values: { region_aopc: r.aopc },
      artifacts: [{ type: 'plot', name: `region perturbation ${ctx.label}`, caption: `region perturbation (${o.patch}×${o.patch} regions, ${o.baseline}), ${ctx.label}`, plot: { kind: 'line', xLabel: 'regions removed', yLabel: 'score', series: [{ name: ctx.method, x, y: r.y }] } }],
    };
  },
});
