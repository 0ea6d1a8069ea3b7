// GradientSHAP (Lundberg & Lee 2017, as Captum's GradientShap): expected gradients — the mean over
// samples of ∂f/∂x at x′ + α(x + ε − x′), times (x − x′), with α ~ U(0, 1), the baseline x′ drawn
// from a distribution and ε optional Gaussian input noise. On a linear model it is (x − E x′) ⊙ w.
import { badInput } from '../../../errors.ts';
import { makeRng, normal } from '../../../util/rng.ts';
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import { scoreOne } from '../forward.ts';
import { inputRange } from './smoothgrad.ts';
import type { Method } from '../types.ts';
import { z } from 'zod';
import { describeMethod, GRADIENT_PASSES, int, seedOption } from '../method.ts';

export interface GradientShapOptions {
  /** Samples of (baseline, α, noise) (Captum: 5). */
  samples: number;
  /** Baselines: all zeros, or uniform noise over the input's value range drawn per sample. */
  baseline: 'zero' | 'uniform';
  /** Std of Gaussian noise added to the input, as a fraction of its value range (Captum: 0). */
  noise: number;
  seed: number;
}

export const GRADIENT_SHAP_DEFAULTS: GradientShapOptions = { samples: 5, baseline: 'zero', noise: 0, seed: 0 };

export const gradientShap: Method<GradientShapOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: GradientShapOptions = { ...GRADIENT_SHAP_DEFAULTS, ...options };
  if (!Number.isInteger(o.samples) || o.samples < 1) throw badInput('E_ATTR_OPTION', `gradient_shap samples must be a positive integer, got ${o.samples}`, undefined, 'Captum uses 5');
  const [C, H, W] = subject.inputDims;
  const per = C * H * W;
  const { lo, hi } = inputRange(input);
  const sigma = o.noise * (hi - lo);
  const rng = makeRng(o.seed);
  const points = new Float32Array(o.samples * per);
  const baselines = new Float32Array(o.samples * per);
  for (let s = 0; s < o.samples; s++) {
    const alpha = rng();
    for (let i = 0; i < per; i++) {
      const b = o.baseline === 'uniform' ? lo + (hi - lo) * rng() : 0;
      const x = input.data[i] + (sigma > 0 ? sigma * normal(rng) : 0);
      baselines[s * per + i] = b;
      points[s * per + i] = b + alpha * (x - b);
    }
  }
  const g = await targetGradient(subject, target, { dims: [o.samples, C, H, W], data: points });
  const acc = new Float64Array(per);
  for (let s = 0; s < o.samples; s++) for (let i = 0; i < per; i++) acc[i] += g.input.data[s * per + i] * (input.data[i] - baselines[s * per + i]);
  return {
    method: 'gradient_shap',
    target,
    map: { dims: [C, H, W], data: Float32Array.from(acc, (v) => v / o.samples) },
    params: { samples: o.samples, baseline: o.baseline, noise: o.noise, seed: o.seed },
    score: (await scoreOne(subject, target, input)).score,
    evaluations: { forward: o.samples + 1, backward: o.samples },
  };
};

export const gradientShapDescriptor = describeMethod<GradientShapOptions>({
  name: 'gradient_shap',
  defaults: GRADIENT_SHAP_DEFAULTS,
  random: true,
  options: {
    samples: { schema: int(1, 100_000), description: 'Samples of baseline, path point and noise' },
    baseline: { schema: z.enum(['zero', 'uniform']), description: 'Baseline distribution: zeros, or uniform noise over the input’s value range' },
    noise: { schema: z.number().min(0).max(10), description: 'Input noise std as a fraction of the input’s value range' },
    seed: seedOption,
  },
  passes: (o) => GRADIENT_PASSES * o.samples,
  run: gradientShap,
});
