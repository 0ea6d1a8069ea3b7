// DeepLIFT with the rescale rule (Shrikumar, Greenside & Kundaje 2017): (x − x₀) ⊙ m, where the
// multipliers m chain (f(x) − f(x₀))/(x − x₀) through every nonlinearity; Σ equals F(x) − F(x₀).
// Computed as one modified backward pass (Ancona et al. 2018), the reference pass in the same graph.
import { deepLiftRescale } from '../../../engine/autodiff/index.ts';
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import { scoreOne } from '../forward.ts';
import type { Attribution, Method } from '../types.ts';
import { z } from 'zod';
import { describeMethod, GRADIENT_PASSES, positive } from '../method.ts';
import { baselineTensor, type IgOptions } from './integrated-gradients.ts';

export type DeepLiftOptions = Pick<IgOptions, 'baseline' | 'blurSigma'>;

/** Zero reference, as Shrikumar et al. and Captum; the blur σ is IG's. */
export const DEEPLIFT_DEFAULTS: DeepLiftOptions = { baseline: 0, blurSigma: 10 };

export const deepLift: Method<DeepLiftOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: DeepLiftOptions = { ...DEEPLIFT_DEFAULTS, ...options };
  const [C, H, W] = subject.inputDims;
  const base = baselineTensor(input, o.baseline, o.blurSigma, C, H, W);
  const g = await targetGradient(subject, target, input, { variant: deepLiftRescale, reference: base });
  const map = new Float32Array(C * H * W);
  let sum = 0;
  for (let i = 0; i < map.length; i++) {
    map[i] = (input.data[i] - base.data[i]) * g.input.data[i];
    sum += map[i];
  }
  const reference = await scoreOne(subject, target, base);
  const delta = g.scores[0] - reference.score;
  const result: Attribution = {
    method: 'deeplift',
    target,
    map: { dims: [C, H, W], data: map },
    params: { rule: 'rescale', baseline: typeof o.baseline === 'number' || o.baseline === 'blur' ? o.baseline : 'tensor', blurSigma: o.baseline === 'blur' ? o.blurSigma : null },
    score: g.scores[0],
    completeness: { sum, delta, gap: sum - delta },
    evaluations: { forward: 3, backward: 1 },
  };
  return result;
};

export const deepLiftDescriptor = describeMethod<DeepLiftOptions>({
  name: 'deeplift',
  defaults: DEEPLIFT_DEFAULTS,
  options: {
    baseline: { schema: z.union([z.number(), z.literal('blur')]), description: 'Reference input: a constant in model-input units, or "blur"' },
    blur_sigma: { schema: positive(), description: 'σ in px of the "blur" reference' },
  },
  passes: () => GRADIENT_PASSES + 2,
  run: deepLift,
});
