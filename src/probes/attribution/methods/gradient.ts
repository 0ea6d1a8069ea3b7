// Gradient saliency (Simonyan, Vedaldi & Zisserman 2014): ∂target/∂input at the input, one
// backward pass. The map keeps channels and sign; reduce it with `spatial()` for display.
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import type { Attribution, Method } from '../types.ts';
import { describeMethod, GRADIENT_PASSES } from '../method.ts';

export type GradientOptions = Record<string, never>;

export const gradientMethod: Method<GradientOptions> = async (subject, input, target) => {
  checkInput(subject, input);
  const g = await targetGradient(subject, target, input);
  const [C, H, W] = subject.inputDims;
  const result: Attribution = {
    method: 'gradient',
    target,
    map: { dims: [C, H, W], data: g.input.data },
    params: {},
    score: g.scores[0],
    evaluations: { forward: 1, backward: 1 },
  };
  return result;
};

export const gradientDescriptor = describeMethod<GradientOptions>({
  name: 'gradient', defaults: {}, options: {}, passes: () => GRADIENT_PASSES, run: gradientMethod,
});
