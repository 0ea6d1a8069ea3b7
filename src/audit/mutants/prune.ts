// Magnitude pruning (Han et al. 2015): the smallest weights of each layer set to zero, as a
// compression step would, without the fine-tuning that normally follows it.
import { cloneModel } from '../../engine/onnx.ts';
import { derived, mapWeights, weightedLayers } from './model.ts';
import type { Mutant, MutantOperator } from './types.ts';

export const PRUNE_FRACTIONS = [0.3, 0.6] as const;

/** Zero the `fraction` of entries with the smallest magnitude (ties at the threshold broken by position, so it is deterministic). */
export function pruneMagnitude(data: Float32Array, fraction: number): Float32Array {
  const n = Math.floor(fraction * data.length);
  const out = data.slice();
  if (n === 0) return out;
  const sorted = Float32Array.from(data, Math.abs).sort();
  const threshold = sorted[n - 1];
  let below = 0;
  for (const v of data) if (Math.abs(v) < threshold) below++;
  let ties = n - below;
  for (let i = 0; i < out.length; i++) {
    const a = Math.abs(out[i]);
    if (a < threshold) out[i] = 0;
    else if (a === threshold && ties > 0) {
      out[i] = 0;
      ties--;
    }
  }
  return out;
}

export const pruneOperator: MutantOperator = {
  name: 'prune',
  kind: 'harmful',
  doc: 'Magnitude pruning of every weighted layer: the 30% or 60% of weights with the smallest absolute value set to zero, per tensor, without fine-tuning afterwards.',
  mutants(): Mutant[] {
    return PRUNE_FRACTIONS.map((f) => {
      const id = `prune-${f * 100}%`;
      return {
        id, operator: 'prune', kind: 'harmful',
        description: `the smallest ${f * 100}% of each layer's weights set to zero`,
        apply(model) {
          const m = cloneModel(model.net.model);
          mapWeights(m, weightedLayers(m), (w) => ({ dims: w.dims, data: pruneMagnitude(w.data, f) }));
          return derived(model, id, m);
        },
      };
    });
  },
};
