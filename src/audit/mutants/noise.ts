// Gaussian weight noise at a scale relative to each weight tensor's own spread: the slow drift
// of a fine-tune gone wrong, or of weights that were stored or converted carelessly.
import { cloneModel } from '../../engine/onnx.ts';
import { normal } from '../../util/rng.ts';
import { derived, mapWeights, meanStd, mutantRng, weightedLayers } from './model.ts';
import type { Mutant, MutantContext, MutantOperator } from './types.ts';

export const NOISE_LEVELS = [0.01, 0.05, 0.2] as const;

export const noiseOperator: MutantOperator = {
  name: 'noise',
  kind: 'harmful',
  doc: 'Gaussian noise on every weight of every weighted layer (Conv, Gemm, MatMul), with standard deviation 1%, 5% or 20% of that tensor\'s own standard deviation. 1% is close to what a benign re-training moves; 20% is a broken model.',
  mutants(ctx: MutantContext): Mutant[] {
    return NOISE_LEVELS.map((level) => {
      const id = `noise-${level * 100}%`;
      return {
        id, operator: 'noise', kind: 'harmful',
        description: `Gaussian weight noise, σ = ${level * 100}% of each weight tensor's std`,
        apply(model) {
          const m = cloneModel(model.net.model);
          const rng = mutantRng(ctx.seed, id);
          mapWeights(m, weightedLayers(m), (w) => {
            const s = level * meanStd(w.data).std;
            return { dims: w.dims, data: Float32Array.from(w.data, (v) => v + s * normal(rng)) };
          });
          return derived(model, id, m);
        },
      };
    });
  },
};
