// A test-only attribution method, written the way a new method is: its options type, its published
// defaults, the function and its descriptor in one file. The map is the input plus seeded Gaussian
// noise, so a test can tell whether the runner handed it the entry's seed.
import { z } from 'zod';
import { scoreOne } from '../../../../src/probes/attribution/forward.ts';
import { describeMethod, seedOption } from '../../../../src/probes/attribution/method.ts';
import { checkInput } from '../../../../src/probes/attribution/subject.ts';
import type { Method } from '../../../../src/probes/attribution/types.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';

export interface NoisyInputOptions {
  noise: number;
  seed: number;
}

export const NOISY_INPUT_DEFAULTS: NoisyInputOptions = { noise: 0.5, seed: 0 };

export const noisyInput: Method<NoisyInputOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o = { ...NOISY_INPUT_DEFAULTS, ...options };
  const rng = makeRng(o.seed);
  const [C, H, W] = subject.inputDims;
  const data = Float32Array.from(input.data, (v) => v + o.noise * normal(rng));
  const { score } = await scoreOne(subject, target, input);
  return { method: 'noisy_input', target, map: { dims: [C, H, W], data }, params: { ...o }, score, evaluations: { forward: 1, backward: 0 } };
};

export const noisyInputDescriptor = describeMethod<NoisyInputOptions>({
  name: 'noisy_input',
  defaults: NOISY_INPUT_DEFAULTS,
  random: true,
  options: {
    noise: { schema: z.number().min(0).max(10), description: 'Std of the noise added to the input' },
    seed: seedOption,
  },
  passes: () => 1,
  run: noisyInput,
});
