// SmoothGrad (Smilkov et al. 2017): the mean gradient over n copies of the input with Gaussian
// noise of std σ = noise · (max(x) − min(x)). Noisy copies run in batches; draws are seeded.
import { badInput } from '../../../errors.ts';
import { makeRng, normal } from '../../../util/rng.ts';
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import { scoreOne } from '../forward.ts';
import type { Attribution, Method, Subject, Target } from '../types.ts';
import type { Tensor } from '../../../engine/tensor.ts';
import { z } from 'zod';
import { describeMethod, GRADIENT_PASSES, int, seedOption } from '../method.ts';

export interface SmoothGradOptions {
  /** Number of noisy samples (paper: 50). */
  samples: number;
  /** Noise std relative to the input's value range (paper: 10–20%; 0.15 here). */
  noise: number;
  seed: number;
}

export const SMOOTHGRAD_DEFAULTS: SmoothGradOptions = { samples: 50, noise: 0.15, seed: 0 };

/** The input's smallest and largest value: noise is given as a fraction of this range (SmoothGrad's convention). */
export function inputRange(input: Tensor): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return { lo, hi };
}

/** Gradients at `samples` noisy copies (σ = noise · input range), handed per copy to `each`; returns σ. */
export async function noisyGradients(subject: Subject, input: Tensor, target: Target, o: SmoothGradOptions, each: (g: Float32Array) => void): Promise<number> {
  const [C, H, W] = subject.inputDims;
  const per = C * H * W;
  const { lo, hi } = inputRange(input);
  const sigma = o.noise * (hi - lo);
  const rng = makeRng(o.seed);
  const bs = Math.max(1, Math.min(subject.batchSize, o.samples));
  const buf = new Float32Array(bs * per);
  for (let s = 0; s < o.samples; s += bs) {
    const m = Math.min(bs, o.samples - s);
    for (let j = 0; j < m; j++) for (let i = 0; i < per; i++) buf[j * per + i] = input.data[i] + sigma * normal(rng);
    const g = await targetGradient(subject, target, { dims: [m, C, H, W], data: buf.subarray(0, m * per) });
    for (let j = 0; j < m; j++) each(g.input.data.subarray(j * per, (j + 1) * per));
  }
  return sigma;
}

export const smoothGrad: Method<SmoothGradOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: SmoothGradOptions = { ...SMOOTHGRAD_DEFAULTS, ...options };
  if (!Number.isInteger(o.samples) || o.samples < 1) throw badInput('E_ATTR_OPTION', `smoothgrad samples must be a positive integer, got ${o.samples}`, undefined, 'the paper uses 50');
  if (!(o.noise >= 0)) throw badInput('E_ATTR_OPTION', `smoothgrad noise must be ≥ 0, got ${o.noise}`, undefined, 'a fraction of the input range, e.g. 0.15');
  const [C, H, W] = subject.inputDims;
  const per = C * H * W;
  const acc = new Float64Array(per);
  const sigma = await noisyGradients(subject, input, target, o, (g) => {
    for (let i = 0; i < per; i++) acc[i] += g[i];
  });
  const map = new Float32Array(per);
  for (let i = 0; i < per; i++) map[i] = acc[i] / o.samples;
  const base = await scoreOne(subject, target, input);
  const result: Attribution = {
    method: 'smoothgrad',
    target,
    map: { dims: [C, H, W], data: map },
    params: { samples: o.samples, noise: o.noise, noiseStd: sigma, seed: o.seed },
    score: base.score,
    evaluations: { forward: o.samples + 1, backward: o.samples },
  };
  return result;
};

export const smoothGradDescriptor = describeMethod<SmoothGradOptions>({
  name: 'smoothgrad',
  defaults: SMOOTHGRAD_DEFAULTS,
  random: true,
  options: {
    samples: { schema: int(1, 100_000), description: 'Noisy copies' },
    noise: { schema: z.number().min(0).max(10), description: 'Noise std as a fraction of the input’s value range' },
    seed: seedOption,
  },
  passes: (o) => GRADIENT_PASSES * o.samples,
  run: smoothGrad,
});
