// Guided Backpropagation (Springenberg et al. 2015, "Striving for simplicity"): at every ReLU the
// backward pass keeps a gradient only where both the forward input and the gradient are positive.
// ReLU6 exported as Clip(0, 6) gets the same treatment; every other op keeps its ordinary VJP.
import { ruleFor } from '../rules/index.ts';
import type { VjpRule } from '../rules/rule.ts';
import type { BackwardVariant } from './variant.ts';

/** The ordinary rule applied to the positive part of the incoming gradient. */
function positiveGradient(op: string): VjpRule {
  const base = ruleFor(op)!;
  return { diff: base.diff, vjp: (e, n, gy, need) => base.vjp(e, n, gy.map((g) => g && e.op('Relu', [g])), need) };
}

const GUIDED: Record<string, VjpRule> = { Relu: positiveGradient('Relu'), Clip: positiveGradient('Clip') };

export const guidedBackprop: BackwardVariant = {
  key: 'guided-backprop',
  ruleFor: (n) => (n.domain && n.domain !== 'ai.onnx' ? undefined : GUIDED[n.opType]),
};
