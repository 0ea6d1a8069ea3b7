// DeepLIFT with the rescale rule (Shrikumar et al. 2017) as a modified backward pass: multipliers
// (f(x) − f(x₀))/(x − x₀) at nonlinearities, computed against a second forward pass on the
// reference input in the same graph; (x − x₀) ⊙ the result sums to F(x) − F(x₀) (summation-to-delta).
import type { VjpRule } from '../rules/rule.ts';
import { RESCALED_OPS, WINNER_OPS, checkModelled, rescaleRule, winnerRule } from './rescale.ts';
import type { BackwardVariant } from './variant.ts';

export const deepLiftRescale: BackwardVariant = {
  key: 'deeplift-rescale',
  reference: true,
  ruleFor(n, ctx): VjpRule | undefined {
    checkModelled('DeepLIFT', n, ctx);
    if (RESCALED_OPS.includes(n.opType)) return rescaleRule(n.opType, ctx.reference);
    if (WINNER_OPS.includes(n.opType)) return winnerRule(n.opType, ctx.reference);
    return undefined;
  },
};
