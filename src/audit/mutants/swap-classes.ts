// Swapped output classes: the classifier's rows shifted by one, so class c scores what class c+1
// used to — a label file out of step with the weights.
import { cloneModel } from '../../engine/onnx.ts';
import { badInput } from '../../errors.ts';
import type { ImportedModel } from '../../models/types.ts';
import { derived, permuteSlots, slotOf, slotWidth } from './model.ts';
import type { Mutant, MutantOperator } from './types.ts';

/** The logits tensor: the model's own, else the input of its final softmax. */
export function logitsOf(model: ImportedModel): string {
  if (model.logits) return model.logits;
  const g = model.net.model.graph;
  const sm = model.probabilities ? g.node.find((n) => n.output.includes(model.probabilities!) && n.opType === 'Softmax') : undefined;
  if (sm) return sm.input[0];
  const out = g.output[0]?.name;
  if (!out) throw badInput('E_MUTANT_NA', 'the model has no output to relabel', model.net.where, 'swap-classes needs a classifier');
  return out;
}

export const swapClassesOperator: MutantOperator = {
  name: 'swap-classes',
  kind: 'harmful',
  doc: 'Swapped output classes: the rows of the layer that makes the logits (weights and bias) shifted cyclically by one, so class c reports what class c+1 used to. Catches gates that never look at which class wins.',
  mutants(): Mutant[] {
    return [{
      id: 'swap-classes', operator: 'swap-classes', kind: 'harmful',
      description: 'logits relabelled: class c now scores what class c+1 did',
      apply(model) {
        const m = cloneModel(model.net.model);
        const s = slotOf(m, logitsOf(model), 0);
        const k = slotWidth(m, s);
        if (k < 2) throw badInput('E_MUTANT_NA', 'the model has one output class', model.net.where, 'nothing to swap');
        permuteSlots(m, s, Array.from({ length: k }, (_, c) => (c + 1) % k));
        return derived(model, 'swap-classes', m);
      },
    }];
  },
};
