// KernelSHAP (Lundberg & Lee, NeurIPS 2017): Shapley values of the image's segments as the weighted
// least-squares fit g(z) = φ0 + Σ φ_s z_s to the model on coalitions z, weighted by the Shapley kernel
// π(z) = (M − 1) / (C(M, |z|) · |z| · (M − |z|)), with φ0 = f(∅) and Σ φ = f(x) − f(∅) imposed exactly.
import { badInput } from '../../../errors.ts';
import { makeRng } from '../../../util/rng.ts';
import { checkInput } from '../subject.ts';
import type { Attribution, Method } from '../types.ts';
import { z } from 'zod';
import { describeMethod, int, seedOption } from '../method.ts';
import { paint, SEGMENT_OPTIONS, type SegmentBaseline } from '../surrogate/segments.ts';
import { describeSegments, randomSubset, scoreCoalitions, segmentsOf } from '../surrogate/coalitions.ts';
import { weightedLeastSquares } from '../surrogate/least-squares.ts';

export interface KernelShapOptions {
  /** Segments: [rows, cols] grid cells over the input. */
  grid: [number, number];
  /** SLIC superpixels asked for, replacing the grid when set. */
  superpixels?: number;
  /** Coalitions scored besides the full and empty ones (default: 2M + 2048, the shap library's). */
  samples: number;
  /** What replaces an absent segment: a value in model-input units, or the segment's mean colour. */
  baseline: SegmentBaseline;
  seed: number;
}

export const KERNEL_SHAP_DEFAULTS: Omit<KernelShapOptions, 'samples'> = { grid: [8, 8], baseline: 0, seed: 0 };

/** The shap library's default budget for M features. */
export const defaultShapSamples = (M: number): number => 2 * M + 2048;

/** Shapley kernel weight of one coalition of size s among M features (0 < s < M). */
export function shapleyKernel(M: number, s: number): number {
  // C(M, s) in floating point: exact for the sizes enumeration is used at (M ≤ 30).
  let c = 1;
  for (let i = 1; i <= s; i++) c = (c * (M - s + i)) / i;
  return (M - 1) / (c * s * (M - s));
}

/**
 * The coalitions to score and their regression weights. Every proper coalition when there are no
 * more of them than the budget (the result is then the exact Shapley value); otherwise `samples`
 * draws whose size is drawn with probability ∝ 1/(s(M − s)) — the kernel's total mass at size s —
 * and whose members are uniform, each weighted 1; every second draw is the complement of the one
 * before (paired sampling: both have the same kernel weight, and the pair cancels the sampling
 * error of the symmetric part).
 */
export function kernelShapCoalitions(M: number, samples: number, rng: () => number): { z: Uint8Array; w: Float64Array; exact: boolean } {
  if (M <= 30 && 2 ** M - 2 <= samples) {
    const n = 2 ** M - 2;
    const z = new Uint8Array(n * M);
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < M; j++) {
        const bit = ((i + 1) >> j) & 1;
        z[i * M + j] = bit;
        s += bit;
      }
      w[i] = shapleyKernel(M, s);
    }
    return { z, w, exact: true };
  }
  const cum = new Float64Array(M - 1);
  let total = 0;
  for (let s = 1; s < M; s++) cum[s - 1] = total += 1 / (s * (M - s));
  const z = new Uint8Array(samples * M);
  const order = new Int32Array(M);
  for (let i = 0; i < samples; i++) {
    const row = z.subarray(i * M, (i + 1) * M);
    if (i % 2 === 1) {
      for (let j = 0; j < M; j++) row[j] = 1 - z[(i - 1) * M + j];
      continue;
    }
    const u = rng() * total;
    let s = 1;
    while (s < M - 1 && cum[s - 1] <= u) s++;
    randomSubset(row, s, rng, order);
  }
  return { z, w: new Float64Array(samples).fill(1), exact: false };
}

/**
 * φ from coalition scores f(z_i), f(∅) = f0 and f(x) = f1: the constraint Σφ = f1 − f0 removes the
 * last feature, φ_M = Δ − Σ_{j<M} φ_j, leaving f(z) − f0 − z_M·Δ = Σ_{j<M} (z_j − z_M)·φ_j to fit.
 */
export function solveKernelShap(z: Uint8Array, w: Float64Array, f: Float64Array, f0: number, f1: number, M: number): Float64Array {
  const n = w.length;
  const delta = f1 - f0;
  const p = M - 1;
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const last = z[i * M + p];
    for (let j = 0; j < p; j++) x[i * p + j] = z[i * M + j] - last;
    y[i] = f[i] - f0 - last * delta;
  }
  const beta = weightedLeastSquares({ x, y, w, p });
  const phi = new Float64Array(M);
  let rest = delta;
  for (let j = 0; j < p; j++) {
    phi[j] = beta[j];
    rest -= beta[j];
  }
  phi[p] = rest;
  return phi;
}

export const kernelShap: Method<KernelShapOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const [, H, W] = subject.inputDims;
  const base = { ...KERNEL_SHAP_DEFAULTS, ...options };
  const seg = segmentsOf(input, H, W, base);
  const M = seg.count;
  const o: KernelShapOptions = { ...base, samples: options.samples ?? defaultShapSamples(M) };
  if (!Number.isInteger(o.samples) || o.samples < M) throw badInput('E_ATTR_OPTION', `kernel_shap samples must be an integer ≥ the ${M} segments, got ${o.samples}`, undefined, `the shap library uses 2M + 2048 = ${defaultShapSamples(M)}`);
  const { z, w, exact } = kernelShapCoalitions(M, o.samples, makeRng(o.seed));
  const n = w.length;
  // The full and empty coalitions ride in the same batches, after the sampled ones.
  const all = new Uint8Array((n + 2) * M);
  all.set(z);
  all.fill(1, n * M, (n + 1) * M);
  const f = await scoreCoalitions(subject, input, target, seg, o.baseline, all);
  const f1 = f[n];
  const f0 = f[n + 1];
  const phi = solveKernelShap(z, w, f, f0, f1, M);
  let sum = 0;
  for (const v of phi) sum += v;
  const result: Attribution = {
    method: 'kernel_shap',
    target,
    map: paint(seg, phi),
    params: {
      grid: [...o.grid], superpixels: o.superpixels ?? null, segmentation: describeSegments(o), segments: M, samples: n, seed: o.seed, baseline: o.baseline, baselineScore: f0,
      sampling: exact ? 'exact: every coalition with its Shapley kernel weight' : 'coalition size ∝ 1/(s(M−s)), members uniform, paired with complements',
      solver: 'weighted least squares (Householder QR, float64), Σφ = f(x) − f(baseline) imposed',
    },
    score: f1,
    completeness: { sum, delta: f1 - f0, gap: sum - (f1 - f0) },
    evaluations: { forward: n + 2, backward: 0 },
  };
  return result;
};

export const kernelShapDescriptor = describeMethod<KernelShapOptions>({
  name: 'kernel_shap',
  defaults: KERNEL_SHAP_DEFAULTS,
  random: true,
  options: {
    grid: SEGMENT_OPTIONS.grid,
    superpixels: SEGMENT_OPTIONS.superpixels,
    samples: { schema: int(2, 1_000_000), description: 'Coalitions scored (every one, exactly, when 2^M − 2 is not more)', defaultText: '2·segments + 2048, as the shap library' },
    baseline: SEGMENT_OPTIONS.baseline,
    seed: seedOption,
  },
  passes: (o) => (o.samples ?? defaultShapSamples(o.superpixels ?? o.grid[0] * o.grid[1])) + 2,
  run: kernelShap,
});
