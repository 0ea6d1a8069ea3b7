// keep-positive / keep-negative on the weights into an entry's units: half of each unit's evidence
// removed, the edit that separates excitatory from inhibitory circuits (Cammarata et al. 2020).
import { applyEdit } from '../../probes/circuit/edits.ts';
import { isConvSlot, mapSlotWeights, perTarget } from './targeted.ts';
import type { Mutant, MutantContext, MutantOperator } from './types.ts';

export const signOperator: MutantOperator = {
  name: 'sign',
  kind: 'harmful',
  doc: 'Per entry: only the positive (`keep-positive`) or only the negative (`keep-negative`) input weights of the units it measures are kept, the others set to zero; biases stay.',
  mutants(ctx: MutantContext): Mutant[] {
    return (['positive', 'negative'] as const).flatMap((keep) => perTarget(ctx, `keep-${keep}`, 'harmful', (t) => `only the ${keep} input weights of units ${t.units.join(', ')} of ${t.layer} kept`, (m, t, slots) =>
      slots.every(isConvSlot)
        ? applyEdit(m, { op: 'sign', to: { tensor: t.tensor, units: t.units }, keep })
        : mapSlotWeights(m, slots, keep === 'positive' ? (v) => Math.max(0, v) : (v) => Math.min(0, v))))
      .map((mu) => ({ ...mu, operator: 'sign' }));
  },
};
