// Deletion and insertion curves (Petsiuk et al. 2018): remove (or insert) pixels in the map's
// order, a fixed number per step, scoring each stage in batched forward passes; the metric is the
// area under the curve over the removed fraction. Deletion replaces pixels with a baseline (black
// by default), insertion starts from one (a σ = 5 blur) and restores the original pixels.
import type { Tensor } from '../../../../engine/tensor.ts';
import { badInput } from '../../../../errors.ts';
import { blurPlanes } from '../../blur.ts';
import { scoreMany } from '../../forward.ts';
import { spatial } from '../../maps.ts';
import { probabilitiesOf, scoresOf } from '../../target.ts';
import type { Subject, Target } from '../../types.ts';
import { describeMetric, type MetricContext, type MetricResult } from '../../metric.ts';
import { int, positive } from '../../method.ts';
import { z } from 'zod';
import { forkRng } from '../../../../util/rng.ts';
import { isFlat } from '../../../../probe/uninformative.ts';
import { CURVE_BASELINES, SUBSTRATE_DEFAULTS, substrate, type CurveBaseline } from './substrate.ts';

export interface CurveOptions {
  /** Number of steps from 0 to all pixels (the curve has steps + 1 points). */
  steps: number;
  /** Value that deleted pixels take (model-input units). */
  deletionValue: number;
  /** σ of the blurred start image of insertion (RISE's code: a σ = 5 Gaussian). */
  insertionBlur: number;
  /** Score: softmax probability of the class (the paper) or the raw target value. */
  score: 'probability' | 'raw';
  /** What deleted pixels become / what insertion starts from (./substrate.ts); default: deletionValue and insertionBlur. */
  substrate?: Float32Array;
}

export const CURVE_DEFAULTS: Omit<CurveOptions, 'score'> = { steps: 50, deletionValue: 0, insertionBlur: 5 };

export interface Curve {
  /** Fraction of pixels removed (deletion) or inserted (insertion) at each point. */
  x: number[];
  y: number[];
  /** Trapezoid area under y over x in [0, 1]. */
  auc: number;
  /** auc divided by the score of the unperturbed input (comparable across images). */
  normalisedAuc: number;
}

/** Pixel order: descending map value (Σ over channels for [C,H,W] maps), ties by index. */
export function pixelOrder(map: Tensor): Int32Array {
  const m = spatial(map, 'sum').data;
  const idx = Array.from({ length: m.length }, (_, i) => i).sort((a, b) => m[b] - m[a] || a - b);
  return Int32Array.from(idx);
}

function trapezoid(x: number[], y: number[]): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return s;
}

export async function perturbationCurve(subject: Subject, input: Tensor, target: Target, map: Tensor, kind: 'deletion' | 'insertion', options: Partial<CurveOptions> = {}): Promise<Curve> {
  const o: CurveOptions = { ...CURVE_DEFAULTS, score: target.kind === 'class' && subject.logits ? 'probability' : 'raw', ...options };
  if (!Number.isInteger(o.steps) || o.steps < 1) throw badInput('E_ATTR_OPTION', `curve steps must be a positive integer, got ${o.steps}`, undefined, 'e.g. 50');
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const order = pixelOrder(map);
  if (order.length !== HW) throw badInput('E_ATTR_MAP', `the map has ${order.length} pixels, the input ${HW}`, undefined, 'give a map at input resolution');
  const base = o.substrate ?? (kind === 'deletion' ? new Float32Array(input.data.length).fill(o.deletionValue) : blurPlanes(input.data, C, H, W, o.insertionBlur));
  if (base.length !== input.data.length) throw badInput('E_ATTR_OPTION', `the curve's substrate has ${base.length} values, the input ${input.data.length}`, undefined, 'give a substrate of the input\'s shape');
  const start = kind === 'deletion' ? input.data : base;
  const end = kind === 'deletion' ? base : input.data;
  const counts = Array.from({ length: o.steps + 1 }, (_, i) => Math.round((i * HW) / o.steps));
  const reduce = o.score === 'probability' ? (t: Tensor) => probabilitiesOf(target, t) : (t: Tensor) => scoresOf(target, t);
  const y = await scoreMany(subject, target, counts.length, (i, dst) => {
    dst.set(start);
    for (let j = 0; j < counts[i]; j++) {
      const p = order[j];
      for (let c = 0; c < C; c++) dst[c * HW + p] = end[c * HW + p];
    }
  }, { reduce });
  const x = counts.map((n) => n / HW);
  const ys = Array.from(y);
  const auc = trapezoid(x, ys);
  const full = kind === 'deletion' ? ys[0] : ys[ys.length - 1];
  return { x, y: ys, auc, normalisedAuc: full !== 0 ? auc / full : NaN };
}

/** A seeded random map (the baseline a method must beat). */
export function randomMap(H: number, W: number, rng: () => number): Tensor {
  const data = new Float32Array(H * W);
  for (let i = 0; i < data.length; i++) data[i] = rng();
  return { dims: [H, W], data };
}

interface CurveMetricOptions {
  steps: number;
  /** What deleted pixels become / what insertion starts from (./substrate.ts). */
  baseline: CurveBaseline;
  blurSigma: number;
  /** `probability` (RISE) or `logit` (the raw target value); default: probability for class targets. */
  score?: 'probability' | 'logit';
}

async function curveMetric(kind: 'deletion' | 'insertion', ctx: MetricContext, o: CurveMetricOptions): Promise<MetricResult> {
  const { subject, input, target, attribution: a } = ctx;
  const baseline = o.baseline ?? SUBSTRATE_DEFAULTS[kind];
  const curveOpts: Partial<CurveOptions> = {
    steps: o.steps,
    substrate: substrate(input, ctx.preprocess, baseline, { blurSigma: o.blurSigma, rng: baseline === 'noise' ? forkRng(ctx.curveRng) : undefined }),
    ...(o.score && { score: o.score === 'logit' ? 'raw' : 'probability' }),
  };
  const curve = await perturbationCurve(subject, input, target, a.map, kind, curveOpts);
  const values: Record<string, number | null> = { [`${kind}_auc`]: curve.auc, [`${kind}_auc_norm`]: curve.normalisedAuc };
  const plot = { kind: 'line' as const, xLabel: `fraction of pixels ${kind === 'deletion' ? 'removed' : 'inserted'}`, yLabel: 'score', series: [{ name: ctx.method, x: curve.x, y: curve.y }] };
  if (ctx.measure.random_baseline) {
    const [, H, W] = subject.inputDims;
    const rc = await perturbationCurve(subject, input, target, randomMap(H, W, ctx.curveRng), kind, curveOpts);
    values[`${kind}_auc_random`] = rc.auc;
    values[`${kind}_auc_vs_random`] = curve.auc - rc.auc;
    plot.series.push({ name: 'random map', x: rc.x, y: rc.y });
  }
  const result: MetricResult = { values, artifacts: [{ type: 'plot', name: `${kind} ${ctx.label}`, caption: `${kind} curve, ${ctx.label}`, plot }] };
  // A curve that never moves (the model keeps the class however many pixels go) cannot rank maps.
  if (isFlat(curve.y)) {
    const range = `${Math.min(...curve.y).toFixed(3)} … ${Math.max(...curve.y).toFixed(3)}`;
    const reason = `the ${kind} curve of ${ctx.label} is flat (score ${range} from 0 to all pixels ${kind === 'deletion' ? 'removed' : 'inserted'}): the target's score does not depend on the pixels, e.g. the model gives the class to the ${baseline} image ${kind === 'deletion' ? 'that deletion ends at' : 'that insertion starts from'} too`;
    result.uninformative = Object.fromEntries(Object.keys(values).map((k) => [k, reason]));
  }
  return result;
}

const curveOptions = (kind: 'deletion' | 'insertion') => ({
  steps: { schema: int(1, 10_000), description: 'Curve steps' },
  baseline: { schema: z.enum(CURVE_BASELINES as [CurveBaseline, ...CurveBaseline[]]), description: `What ${kind === 'deletion' ? 'deleted pixels become' : 'insertion starts from'}: black pixels, a Gaussian blur of the image, its per-channel mean, or seeded uniform noise (as RISE)` },
  blur_sigma: { schema: positive(), description: 'σ in pixels of the blur baseline (as RISE)' },
  score: { schema: z.enum(['probability', 'logit']), description: 'Softmax probability of the class (as RISE) or the raw target value', defaultText: 'probability for class targets, else logit' },
});

function curveDescriptor(kind: 'deletion' | 'insertion', description: string) {
  return describeMetric<CurveMetricOptions>({
    key: kind,
    family: 'faithfulness',
    description,
    form: 'options',
    options: curveOptions(kind),
    defaults: { steps: CURVE_DEFAULTS.steps, baseline: SUBSTRATE_DEFAULTS[kind], blurSigma: SUBSTRATE_DEFAULTS.blurSigma },
    metrics: [`${kind}_auc`, `${kind}_auc_norm`],
    needs: ['model'],
    passes: (o, _method, m) => (o.steps + 1) * (m.random_baseline ? 2 : 1),
    run: (ctx, o) => curveMetric(kind, ctx, o),
  });
}

export const deletionMetric = curveDescriptor('deletion', 'Deletion curve AUC (deletion_auc, normalised: deletion_auc_norm); a flat curve is refused as uninformative');
export const insertionMetric = curveDescriptor('insertion', 'Insertion curve AUC (insertion_auc, insertion_auc_norm); a flat curve is refused as uninformative');

/** A modifier: the deletion and insertion curves also score a seeded random map (their cost counts it). */
export const randomBaselineMetric = describeMetric<Record<string, never>>({
  key: 'random_baseline',
  family: 'faithfulness',
  description: 'Also score a seeded random map on the same curves (…_random and …_vs_random = method − random)',
  form: 'flag',
  options: {},
  defaults: {},
  metrics: ['deletion_auc_random', 'insertion_auc_random', 'deletion_auc_vs_random', 'insertion_auc_vs_random'],
  needs: ['model', 'random'],
  passes: () => 0,
});
