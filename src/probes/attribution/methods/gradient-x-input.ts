// Gradient × input (Shrikumar et al. 2016): x ⊙ ∂target/∂x. On bias-free ReLU networks
// (positively homogeneous) its sum equals the target exactly (Euler's identity).
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import { scoreOne } from '../forward.ts';
import type { Attribution, Method } from '../types.ts';
import { describeMethod, GRADIENT_PASSES } from '../method.ts';

export type GradientXInputOptions = Record<string, never>;

export const gradientXInput: Method<GradientXInputOptions> = async (subject, input, target) => {
  checkInput(subject, input);
  const g = await targetGradient(subject, target, input);
  const [C, H, W] = subject.inputDims;
  const map = new Float32Array(C * H * W);
  for (let i = 0; i < map.length; i++) map[i] = g.input.data[i] * input.data[i];
  let sum = 0;
  for (const v of map) sum += v;
  // Completeness against the zero input: exact (gap 0) for positively homogeneous networks.
  const zero = await scoreOne(subject, target, { dims: [...input.dims], data: new Float32Array(input.data.length) });
  const delta = g.scores[0] - zero.score;
  const result: Attribution = {
    method: 'gradient_x_input',
    target,
    map: { dims: [C, H, W], data: map },
    params: {},
    score: g.scores[0],
    completeness: { sum, delta, gap: sum - delta },
    evaluations: { forward: 2, backward: 1 },
  };
  return result;
};

export const gradientXInputDescriptor = describeMethod<GradientXInputOptions>({
  name: 'gradient_x_input', defaults: {}, options: {}, passes: () => GRADIENT_PASSES, run: gradientXInput,
});
