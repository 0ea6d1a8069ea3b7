// Non-sensitivity (Nguyen & Martínez 2020, Quantus's NonSensitivity): the regions a map gives no
// attribution should be exactly the regions the model does not react to. Each patch is replaced by
// seeded noise a few times; the metric is the share of patches where the map and the model disagree.
import { z } from 'zod';
import type { Tensor } from '../../../../engine/tensor.ts';
import { makeRng, type Rng } from '../../../../util/rng.ts';
import { scoreMany, scoreOne } from '../../forward.ts';
import { spatial } from '../../maps.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int } from '../../method.ts';
import type { Subject, Target } from '../../types.ts';

export interface NonSensitivityOptions {
  /** Side in pixels of the square patches that are perturbed (Quantus: features_in_step pixels; one pixel at a time costs H·W passes). */
  patch: number;
  /** Noisy replacements per patch (Quantus: n_samples). */
  samples: number;
  /** The model reacts to a patch when |f(x′) − f(x)| > eps for some replacement (Quantus: 1e-5). */
  eps: number;
  /** The map gives a patch nothing when Σ|a| over it ≤ threshold × the largest patch's Σ|a| (0: exactly nothing, as Quantus). */
  threshold: number;
}

export const NON_SENSITIVITY_DEFAULTS: NonSensitivityOptions = { patch: 16, samples: 2, eps: 1e-5, threshold: 0 };

export interface NonSensitivityResult {
  /** Patches where the map is zero but the model reacts, or the map is not zero but the model does not, ÷ patches. */
  value: number;
  /** The two kinds of disagreement, as counts of patches. */
  zeroButSensitive: number;
  creditedButInsensitive: number;
  patches: number;
}

/** Patch index of each pixel on a grid of `size`-pixel squares (the last row and column may be smaller). */
export function patchGrid(H: number, W: number, size: number): { of: Int32Array; count: number } {
  const cols = Math.ceil(W / size);
  const of = new Int32Array(H * W);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) of[y * W + x] = Math.floor(y / size) * cols + Math.floor(x / size);
  return { of, count: Math.ceil(H / size) * cols };
}

/**
 * Each patch's pixels (every channel) replaced `samples` times by uniform noise over the input's
 * range; the raw target scored. Compared with where the map (Σ|a| over channels) is zero.
 */
export async function nonSensitivity(subject: Subject, input: Tensor, target: Target, map: Tensor, o: NonSensitivityOptions, rng: Rng): Promise<NonSensitivityResult> {
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const grid = patchGrid(H, W, o.patch);
  const members: number[][] = Array.from({ length: grid.count }, () => []);
  for (let p = 0; p < HW; p++) members[grid.of[p]].push(p);
  const a = spatial(map, 'abs_sum').data;
  const mass = new Float64Array(grid.count);
  for (let p = 0; p < HW; p++) mass[grid.of[p]] += a[p];
  const top = Math.max(...mass);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // Drawn before scoring, in patch and sample order, so the result does not depend on the batch size.
  const noise = Array.from({ length: grid.count * o.samples }, (_, i) => Float32Array.from({ length: C * members[Math.floor(i / o.samples)].length }, () => lo + (hi - lo) * rng()));
  const f = (await scoreOne(subject, target, input)).score;
  const scores = await scoreMany(subject, target, noise.length, (i, dst) => {
    dst.set(input.data);
    const pixels = members[Math.floor(i / o.samples)];
    const n = noise[i];
    for (let c = 0; c < C; c++) for (let j = 0; j < pixels.length; j++) dst[c * HW + pixels[j]] = n[c * pixels.length + j];
  });
  let zeroButSensitive = 0;
  let creditedButInsensitive = 0;
  for (let k = 0; k < grid.count; k++) {
    let change = 0;
    for (let s = 0; s < o.samples; s++) change = Math.max(change, Math.abs(scores[k * o.samples + s] - f));
    const sensitive = change > o.eps;
    const zero = mass[k] <= o.threshold * top;
    if (zero && sensitive) zeroButSensitive++;
    if (!zero && !sensitive) creditedButInsensitive++;
  }
  return { value: (zeroButSensitive + creditedButInsensitive) / grid.count, zeroButSensitive, creditedButInsensitive, patches: grid.count };
}

export const nonSensitivityMetric = describeMetric<NonSensitivityOptions>({
  key: 'non_sensitivity',
  family: 'axiomatic',
  description: 'Non-sensitivity: the share of patches where the map is zero but noise there moves the score, or the map credits a patch the model ignores (0 is good)',
  form: 'options',
  options: {
    patch: { schema: int(1, 4096), description: 'Side of the perturbed square patches, in pixels' },
    samples: { schema: int(1, 1000), description: 'Noisy replacements per patch' },
    eps: { schema: z.number().min(0), description: 'Largest score change that counts as no reaction' },
    threshold: { schema: z.number().min(0).max(1), description: 'A patch with Σ|a| ≤ threshold × the largest patch’s counts as given nothing' },
  },
  defaults: NON_SENSITIVITY_DEFAULTS,
  metrics: ['non_sensitivity'],
  needs: ['model', 'random'],
  // The grid depends on the input size, which costs do not see: estimated at 224², the zoo's and the fixtures' size.
  passes: (o) => Math.ceil(224 / o.patch) ** 2 * o.samples + 1,
  run: async (ctx, o) => {
    const r = await nonSensitivity(ctx.subject, ctx.input, ctx.target, ctx.attribution.map, o, makeRng(drawSeed(ctx.rng)));
    return { values: { non_sensitivity: r.value } };
  },
});
