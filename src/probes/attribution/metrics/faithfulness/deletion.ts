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
