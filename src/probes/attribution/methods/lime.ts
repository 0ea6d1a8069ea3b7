// LIME (Ribeiro, Singh & Guestrin, KDD 2016), as lime_image: coalitions of segments drawn uniformly
// (each segment kept with probability ½, the first sample the image itself), weighted by the
// exponential kernel π(z) = exp(−d(z, 1)² / (2σ²)) on the cosine distance to the full image, and a
// ridge regression g(z) = b + Σ β_s z_s fitted to the target's score; the map paints β.
import { badInput } from '../../../errors.ts';
import { makeRng } from '../../../util/rng.ts';
import { checkInput } from '../subject.ts';
import type { Attribution, Method } from '../types.ts';
import { z } from 'zod';
import { describeMethod, int, seedOption } from '../method.ts';
import { paint, SEGMENT_OPTIONS, type SegmentBaseline } from '../surrogate/segments.ts';
import { describeSegments, scoreCoalitions, segmentsOf } from '../surrogate/coalitions.ts';
import { weightedLeastSquares } from '../surrogate/least-squares.ts';

export interface LimeOptions {
  /** Segments: [rows, cols] grid cells over the input. */
  grid: [number, number];
  /** SLIC superpixels asked for, replacing the grid when set. */
  superpixels?: number;
  /** Perturbed samples scored, the image itself included (lime_image: 1000). */
  samples: number;
  /** What replaces an absent segment: a value in model-input units, or the segment's mean colour (lime_image's default). */
  baseline: SegmentBaseline;
  /** σ of the kernel on the cosine distance (lime_image: 0.25). */
  kernelWidth: number;
  /** λ of the ridge penalty on the coefficients, the intercept free (lime: sklearn Ridge, α = 1). */
  ridge: number;
  seed: number;
}

export const LIME_DEFAULTS: LimeOptions = { grid: [8, 8], samples: 1000, baseline: 'mean', kernelWidth: 0.25, ridge: 1, seed: 0 };

/** Cosine distance from a coalition with k of M segments to the full image: 1 − √(k/M) (1 for the empty one, as sklearn's zero vector). */
export function limeDistance(k: number, M: number): number {
  return k === 0 ? 1 : 1 - Math.sqrt(k / M);
}

/** The fitted surrogate: coefficients per segment, intercept, and the weighted R² of the fit (lime's `score`). */
export function fitLime(zs: Uint8Array, f: Float64Array, M: number, kernelWidth: number, ridge: number): { beta: Float64Array; intercept: number; r2: number; weights: Float64Array } {
  const n = f.length;
  const p = M + 1;
  const x = new Float64Array(n * p);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let k = 0;
    x[i * p] = 1;
    for (let j = 0; j < M; j++) {
      x[i * p + 1 + j] = zs[i * M + j];
      k += zs[i * M + j];
    }
    const d = limeDistance(k, M);
    w[i] = Math.exp(-(d * d) / (2 * kernelWidth * kernelWidth));
  }
  const coef = weightedLeastSquares({ x, y: f, w, p, ridge, unpenalised: [0] });
  let wsum = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    wsum += w[i];
    mean += w[i] * f[i];
  }
  mean /= wsum;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    let g = 0;
    for (let j = 0; j < p; j++) g += x[i * p + j] * coef[j];
    ssRes += w[i] * (f[i] - g) ** 2;
    ssTot += w[i] * (f[i] - mean) ** 2;
  }
  return { beta: coef.subarray(1), intercept: coef[0], r2: ssTot > 0 ? 1 - ssRes / ssTot : 1, weights: w };
}

export const lime: Method<LimeOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: LimeOptions = { ...LIME_DEFAULTS, ...options };
  const [, H, W] = subject.inputDims;
  const seg = segmentsOf(input, H, W, o);
  const M = seg.count;
  if (!Number.isInteger(o.samples) || o.samples < M + 1) throw badInput('E_ATTR_OPTION', `lime samples must be an integer > the ${M} segments, got ${o.samples}`, undefined, 'lime_image uses 1000');
  if (!(o.kernelWidth > 0)) throw badInput('E_ATTR_OPTION', `lime kernel_width must be > 0, got ${o.kernelWidth}`, undefined, 'lime_image uses 0.25');
  if (!(o.ridge >= 0)) throw badInput('E_ATTR_OPTION', `lime ridge must be ≥ 0, got ${o.ridge}`, undefined, 'lime uses 1');
  const rng = makeRng(o.seed);
  const zs = new Uint8Array(o.samples * M);
  zs.fill(1, 0, M);
  for (let i = M; i < zs.length; i++) zs[i] = rng() < 0.5 ? 1 : 0;
  const f = await scoreCoalitions(subject, input, target, seg, o.baseline, zs);
  const { beta, intercept, r2 } = fitLime(zs, f, M, o.kernelWidth, o.ridge);
  const result: Attribution = {
    method: 'lime',
    target,
    map: paint(seg, beta),
    params: {
      grid: [...o.grid], superpixels: o.superpixels ?? null, segmentation: describeSegments(o), segments: M, samples: o.samples, seed: o.seed, baseline: o.baseline, kernelWidth: o.kernelWidth, ridge: o.ridge,
      kernel: 'exp(−d²/(2σ²)), d = cosine distance to the full image', intercept, fitR2: r2,
    },
    score: f[0],
    evaluations: { forward: o.samples, backward: 0 },
  };
  return result;
};


export const limeDescriptor = describeMethod<LimeOptions>({
  name: 'lime',
  defaults: LIME_DEFAULTS,
  random: true,
  options: {
    grid: SEGMENT_OPTIONS.grid,
    superpixels: SEGMENT_OPTIONS.superpixels,
    samples: { schema: int(2, 1_000_000), description: 'Perturbed samples scored, the image itself first' },
    baseline: SEGMENT_OPTIONS.baseline,
    kernel_width: { schema: z.number().gt(0), description: 'σ of the exponential kernel on the cosine distance' },
    ridge: { schema: z.number().min(0), description: 'Ridge penalty λ on the coefficients (the intercept is free)' },
    seed: seedOption,
  },
  passes: (o) => o.samples,
  run: lime,
});
