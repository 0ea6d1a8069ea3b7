// Guided Backpropagation (Springenberg et al. 2015, "Striving for simplicity"): the gradient with
// each ReLU (and ReLU6 = Clip) passing back only positive gradients where its input was positive.
import { guidedBackprop } from '../../../engine/autodiff/index.ts';
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import type { Attribution, Method } from '../types.ts';
import { describeMethod, GRADIENT_PASSES } from '../method.ts';

export type GuidedBackpropOptions = Record<string, never>;

export const guidedBackpropMethod: Method<GuidedBackpropOptions> = async (subject, input, target) => {
  checkInput(subject, input);
  const g = await targetGradient(subject, target, input, { variant: guidedBackprop });
  const result: Attribution = {
    method: 'guided_backprop',
    target,
    map: { dims: [...subject.inputDims], data: g.input.data },
    params: {},
    score: g.scores[0],
    evaluations: { forward: 1, backward: 1 },
  };
  return result;
};

export const guidedBackpropDescriptor = describeMethod<GuidedBackpropOptions>({
  name: 'guided_backprop', defaults: {}, options: {}, passes: () => GRADIENT_PASSES, run: guidedBackpropMethod,
});
