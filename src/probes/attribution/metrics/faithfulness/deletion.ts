// Deletion and insertion curves (Petsiuk et al. 2018): remove (or insert) pixels in the map's
// order, a fixed number per step, scoring each stage in batched forward passes; the metric is the
// area under the curve over the removed fraction. Deletion replaces pixels with a constant (0);
// insertion starts from a blurred image and restores the original pixels.
import type { Tensor } from '../../../../engine/tensor.ts';
import { badInput } from '../../../../errors.ts';
import { blurPlanes } from '../../blur.ts';
import { scoreMany } from '../../forward.ts';
import { spatial } from '../../maps.ts';
import { probabilitiesOf, scoresOf } from '../../target.ts';
import type { Subject, Target } from '../../types.ts';
import { describeMetric, type MetricContext, type MetricResult } from '../../metric.ts';
import { int } from '../../method.ts';

export interface CurveOptions {
  /** Number of steps from 0 to all pixels (the curve has steps + 1 points). */
  steps: number;
  /** Value that deleted pixels take (model-input units). */
  deletionValue: number;
  /** σ of the blurred start image of insertion (RISE's code: a σ = 5 Gaussian). */
  insertionBlur: number;
  /** Score: softmax probability of the class (the paper) or the raw target value. */
  score: 'probability' | 'raw';
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
  const start = kind === 'deletion' ? input.data : blurPlanes(input.data, C, H, W, o.insertionBlur);
  const end = kind === 'deletion' ? null : input.data;
  const counts = Array.from({ length: o.steps + 1 }, (_, i) => Math.round((i * HW) / o.steps));
  const reduce = o.score === 'probability' ? (t: Tensor) => probabilitiesOf(target, t) : (t: Tensor) => scoresOf(target, t);
  const y = await scoreMany(subject, target, counts.length, (i, dst) => {
    dst.set(start);
    for (let j = 0; j < counts[i]; j++) {
      const p = order[j];
      for (let c = 0; c < C; c++) dst[c * HW + p] = end ? end[c * HW + p] : o.deletionValue;
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

type CurveMetricOptions = Pick<CurveOptions, 'steps'>;

async function curveMetric(kind: 'deletion' | 'insertion', ctx: MetricContext, o: CurveMetricOptions): Promise<MetricResult> {
  const { subject, input, target, attribution: a } = ctx;
  const curve = await perturbationCurve(subject, input, target, a.map, kind, { steps: o.steps });
  const values: Record<string, number | null> = { [`${kind}_auc`]: curve.auc, [`${kind}_auc_norm`]: curve.normalisedAuc };
  const plot = { kind: 'line' as const, xLabel: `fraction of pixels ${kind === 'deletion' ? 'removed' : 'inserted'}`, yLabel: 'score', series: [{ name: ctx.method, x: curve.x, y: curve.y }] };
  if (ctx.measure.random_baseline) {
    const [, H, W] = subject.inputDims;
    const rc = await perturbationCurve(subject, input, target, randomMap(H, W, ctx.curveRng), kind, { steps: o.steps });
    values[`${kind}_auc_random`] = rc.auc;
    values[`${kind}_auc_vs_random`] = curve.auc - rc.auc;
    plot.series.push({ name: 'random map', x: rc.x, y: rc.y });
  }
  return { values, artifacts: [{ type: 'plot', name: `${kind} ${ctx.label}`, caption: `${kind} curve, ${ctx.label}`, plot }] };
}

const curveOptions = { steps: { schema: int(1, 10_000), description: 'Curve steps' } };

function curveDescriptor(kind: 'deletion' | 'insertion', description: string) {
  return describeMetric<CurveMetricOptions>({
    key: kind,
    family: 'faithfulness',
    description,
    form: 'options',
    options: curveOptions,
    defaults: { steps: CURVE_DEFAULTS.steps },
    metrics: [`${kind}_auc`, `${kind}_auc_norm`],
    needs: ['model'],
    passes: (o, _method, m) => (o.steps + 1) * (m.random_baseline ? 2 : 1),
    run: (ctx, o) => curveMetric(kind, ctx, o),
  });
}

export const deletionMetric = curveDescriptor('deletion', 'Deletion curve AUC (deletion_auc, normalised: deletion_auc_norm)');
export const insertionMetric = curveDescriptor('insertion', 'Insertion curve AUC (insertion_auc, insertion_auc_norm)');

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
