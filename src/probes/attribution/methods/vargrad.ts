// VarGrad (Adebayo et al. 2018, "Local explanation methods for deep neural networks lack
// sensitivity to parameter values"): the variance of the gradient over noisy copies of the input,
// SmoothGrad's second moment. Its noise, samples and seeding are SmoothGrad's.
import { badInput } from '../../../errors.ts';
import { checkInput } from '../subject.ts';
import { scoreOne } from '../forward.ts';
import type { Method } from '../types.ts';
import { z } from 'zod';
import { describeMethod, GRADIENT_PASSES, int, seedOption } from '../method.ts';
import { noisyGradients, SMOOTHGRAD_DEFAULTS, type SmoothGradOptions } from './smoothgrad.ts';

export type VarGradOptions = SmoothGradOptions;

export const VARGRAD_DEFAULTS: VarGradOptions = SMOOTHGRAD_DEFAULTS;

export const varGrad: Method<VarGradOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o: VarGradOptions = { ...VARGRAD_DEFAULTS, ...options };
  if (!Number.isInteger(o.samples) || o.samples < 2) throw badInput('E_ATTR_OPTION', `vargrad samples must be an integer ≥ 2 (a variance needs two), got ${o.samples}`, undefined, 'the paper uses 50');
  if (!(o.noise >= 0)) throw badInput('E_ATTR_OPTION', `vargrad noise must be ≥ 0, got ${o.noise}`, undefined, 'a fraction of the input range, e.g. 0.15');
  const [C, H, W] = subject.inputDims;
  const per = C * H * W;
  // Welford's update: no cancellation when the gradients are large and their spread small.
  const mean = new Float64Array(per);
  const m2 = new Float64Array(per);
  let n = 0;
  const sigma = await noisyGradients(subject, input, target, o, (g) => {
    n++;
    for (let i = 0; i < per; i++) {
      const d = g[i] - mean[i];
      mean[i] += d / n;
      m2[i] += d * (g[i] - mean[i]);
    }
  });
  // The population variance (1/n), as Captum's NoiseTunnel computes vargrad.
  const map = Float32Array.from(m2, (v) => v / n);
  return {
    method: 'vargrad',
    target,
    map: { dims: [C, H, W], data: map },
    params: { samples: o.samples, noise: o.noise, noiseStd: sigma, seed: o.seed },
    score: (await scoreOne(subject, target, input)).score,
    evaluations: { forward: o.samples + 1, backward: o.samples },
  };
};

export const varGradDescriptor = describeMethod<VarGradOptions>({
  name: 'vargrad',
  defaults: VARGRAD_DEFAULTS,
  random: true,
  options: {
    samples: { schema: int(2, 100_000), description: 'Noisy copies' },
    noise: { schema: z.number().min(0).max(10), description: 'Noise std as a fraction of the input’s value range' },
    seed: seedOption,
  },
  passes: (o) => GRADIENT_PASSES * o.samples,
  run: varGrad,
});
