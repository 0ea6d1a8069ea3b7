// IROF, iterative removal of features (Rieger & Hansen 2020): the image cut into superpixels, the
// superpixels removed (set to the image's mean) in descending order of their mean relevance, and
// the area over the curve of the score relative to the untouched image. Superpixels, not pixels,
// because a model reads regions: single pixels removed leave the object's outline intact.
import { z } from 'zod';
import type { Tensor } from '../../../../engine/tensor.ts';
import { forkRng } from '../../../../util/rng.ts';
import { scoreMany } from '../../forward.ts';
import { spatial } from '../../maps.ts';
import { describeMetric } from '../../metric.ts';
import { int, positive } from '../../method.ts';
import { probabilitiesOf, scoresOf } from '../../target.ts';
import type { Subject, Target } from '../../types.ts';
import { CURVE_BASELINES, SUBSTRATE_DEFAULTS, substrate, type CurveBaseline } from './substrate.ts';
import { SLIC_DEFAULTS, slic, type Segmentation, type SlicOptions } from './superpixels.ts';

export interface IrofOptions extends SlicOptions {
  /** What removed segments become (the paper: the mean value). */
  baseline: CurveBaseline;
  blurSigma: number;
  /** `probability` (the paper) or `logit`; default: probability for class targets. */
  score?: 'probability' | 'logit';
}

export const IROF_DEFAULTS: IrofOptions = { ...SLIC_DEFAULTS, baseline: 'mean', blurSigma: SUBSTRATE_DEFAULTS.blurSigma };

/** Segments by descending mean of the map (summed over channels, sign kept), ties by segment number. */
export function segmentOrder(map: Tensor, seg: Segmentation): number[] {
  const a = spatial(map, 'sum').data;
  const sum = new Float64Array(seg.count);
  const size = new Float64Array(seg.count);
  for (let p = 0; p < a.length; p++) {
    sum[seg.labels[p]] += a[p];
    size[seg.labels[p]]++;
  }
  const meanOf = (k: number) => sum[k] / size[k];
  return Array.from({ length: seg.count }, (_, k) => k).sort((p, q) => meanOf(q) - meanOf(p) || p - q);
}

export interface IrofCurve {
  /** Fraction of the segments removed. */
  x: number[];
  /** Score ÷ the untouched image's score. */
  y: number[];
  /** 1 − trapezoid area under y: high = the score falls as soon as the top segments go. */
  aoc: number;
}

/** The IROF curve for a given segmentation and substrate (what removed pixels become). */
export async function irofCurve(subject: Subject, input: Tensor, target: Target, map: Tensor, seg: Segmentation, base: Float32Array, score: 'probability' | 'logit'): Promise<IrofCurve> {
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const order = segmentOrder(map, seg);
  const rank = new Int32Array(seg.count);
  order.forEach((k, i) => (rank[k] = i));
  const reduce = score === 'probability' ? (t: Tensor) => probabilitiesOf(target, t) : (t: Tensor) => scoresOf(target, t);
  const s = await scoreMany(subject, target, seg.count + 1, (k, dst) => {
    dst.set(input.data);
    for (let p = 0; p < HW; p++) if (rank[seg.labels[p]] < k) for (let c = 0; c < C; c++) dst[c * HW + p] = base[c * HW + p];
  }, { reduce });
  const y = Array.from(s, (v) => v / s[0]);
  const x = y.map((_, k) => k / seg.count);
  let area = 0;
  for (let k = 1; k < y.length; k++) area += (x[k] - x[k - 1]) * (y[k] + y[k - 1]) / 2;
  return { x, y, aoc: 1 - area };
}

export const irofMetric = describeMetric<IrofOptions>({
  key: 'irof',
  family: 'faithfulness',
  description: 'IROF: SLIC superpixels removed in descending order of mean relevance; irof is the area over the curve of score ÷ original score (high is good)',
  form: 'options',
  options: {
    segments: { schema: int(2, 100_000), description: 'Superpixels (SLIC centres on the starting grid)' },
    compactness: { schema: positive(), description: 'Weight of position against colour in SLIC (colours in [0, 1]; 0.1 is skimage’s 10 on Lab); large gives a plain grid' },
    iterations: { schema: int(1, 100), description: 'SLIC rounds' },
    baseline: { schema: z.enum(CURVE_BASELINES as [CurveBaseline, ...CurveBaseline[]]), description: 'What removed segments become: black, a Gaussian blur of the image, its per-channel mean, or seeded uniform noise' },
    blur_sigma: { schema: positive(), description: 'σ in pixels of the blur baseline' },
    score: { schema: z.enum(['probability', 'logit']), description: 'Softmax probability of the class or the raw target value', defaultText: 'probability for class targets, else logit' },
  },
  defaults: IROF_DEFAULTS,
  metrics: ['irof', 'irof_segments'],
  needs: ['model'],
  passes: (o) => o.segments + 1,
  run: async (ctx, o) => {
    const [C, H, W] = ctx.subject.inputDims;
    const seg = slic(ctx.input.data, C, H, W, o);
    const base = substrate(ctx.input, ctx.preprocess, o.baseline, { blurSigma: o.blurSigma, rng: o.baseline === 'noise' ? forkRng(ctx.curveRng) : undefined });
    const score = o.score ?? (ctx.target.kind === 'class' && ctx.subject.logits ? 'probability' : 'logit');
    const c = await irofCurve(ctx.subject, ctx.input, ctx.target, ctx.attribution.map, seg, base, score);
    const result = {
      values: { irof: c.aoc, irof_segments: seg.count },
      artifacts: [{ type: 'plot' as const, name: `irof ${ctx.label}`, caption: `IROF curve (${seg.count} SLIC segments), ${ctx.label}`, plot: { kind: 'line' as const, xLabel: 'fraction of segments removed', yLabel: 'score ÷ original', series: [{ name: ctx.method, x: c.x, y: c.y }] } }],
    };
    // Relative to a score of 0 nothing is measured: the curve divides by it.
    if (!Number.isFinite(c.aoc)) return { ...result, values: { irof: null, irof_segments: seg.count }, uninformative: { irof: `the target's score on ${ctx.label} is 0, so the IROF curve (score ÷ original) is undefined` } };
    return result;
  },
});
