// Cascading randomization (Adebayo et al. 2018, "Sanity Checks for Saliency Maps", the model
// parameter randomization test): re-draw the weights of the top k weighted layers.
import { cloneModel } from '../../engine/onnx.ts';
import { normal } from '../../util/rng.ts';
import { derived, mapWeights, meanStd, mutantRng, weightedLayers } from './model.ts';
import type { Mutant, MutantContext, MutantOperator } from './types.ts';

export const CASCADE_DEPTHS = [1, 3] as const;

export const randomizeOperator: MutantOperator = {
  name: 'randomize',
  kind: 'harmful',
  doc: 'Cascading randomization of the top k weighted layers (k = 1, 3), output side first, as in the model parameter randomization test of Adebayo et al. (2018): each weight is re-drawn from a Gaussian with the tensor\'s own mean and standard deviation, biases kept. The model keeps its scale and loses what those layers learned.',
  mutants(ctx: MutantContext): Mutant[] {
    return CASCADE_DEPTHS.map((k) => {
      const id = `randomize-top-${k}`;
      return {
        id, operator: 'randomize', kind: 'harmful',
        description: `weights of the last ${k} weighted layer${k === 1 ? '' : 's'} re-drawn at random (same mean and std)`,
        apply(model) {
          const m = cloneModel(model.net.model);
          const rng = mutantRng(ctx.seed, id);
          mapWeights(m, weightedLayers(m).slice(-k), (w) => {
            const { mean, std } = meanStd(w.data);
            return { dims: w.dims, data: Float32Array.from(w.data, () => mean + std * normal(rng)) };
          });
          return derived(model, id, m);
        },
      };
    });
  },
};
