// An equivalent mutant: a Conv's output channels permuted together with everything that reads
// them channel by channel (BatchNorm, activations, pooling, depthwise convs) and the input
// channels of the next Conv or Gemm. The network computes the same function; only float rounding
// may differ. A check that notices it is reading unit numbers of a hidden layer no spec names,
// or asks for more digits than the arithmetic has.
import { cloneModel } from '../../engine/onnx.ts';
import { permutableChains, permuteChain, shuffle } from '../../engine/equivalent.ts';
import { badInput } from '../../errors.ts';
import { derived, mutantRng } from './model.ts';
import type { Mutant, MutantContext, MutantOperator } from './types.ts';

// The chain search lives in the engine now (attribution's implementation invariance uses it too).
export { permutableChains, permuteChain, type PermutableChain } from '../../engine/equivalent.ts';

export const permuteChannelsOperator: MutantOperator = {
  name: 'permute-channels',
  kind: 'equivalent',
  doc: 'Equivalent: the output channels of one Conv (a seeded choice among those no entry reads) permuted at random together with its BatchNorm, activations, pooling and depthwise convolutions, and the input channels of the next Conv or Gemm. Same function, different float rounding: a check it kills asks for more digits than the arithmetic has.',
  mutants(ctx: MutantContext): Mutant[] {
    const id = 'permute-channels';
    return [{
      id, operator: id, kind: 'equivalent',
      description: 'a hidden layer\'s channels permuted along with the next layer\'s inputs (same function)',
      apply(model) {
        const m = cloneModel(model.net.model);
        const chains = permutableChains(m, ctx.protectedTensors);
        if (!chains.length) throw badInput('E_MUTANT_NA', 'no Conv output can be permuted without touching a layer the suite reads', model.net.where, 'permute-channels needs a Conv followed (through BatchNorm, activations, pooling) by one Conv');
        const rng = mutantRng(ctx.seed, id);
        const chain = chains[Math.floor(rng() * chains.length)];
        permuteChain(m, chain, shuffle(rng, chain.channels));
        return derived(model, id, m);
      },
    }];
  },
};
