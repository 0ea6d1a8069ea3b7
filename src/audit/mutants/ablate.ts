// Ablation of the units an entry measures: their outputs held at zero, the cleanest way a learned
// feature can disappear from a model.
import { applyEdit } from '../../probes/circuit/edits.ts';
import { isConvSlot, perTarget, zeroSlots } from './targeted.ts';
import type { MutantContext, MutantOperator } from './types.ts';

export const ablateOperator: MutantOperator = {
  name: 'ablate',
  kind: 'harmful',
  doc: 'Per entry: the units it measures ablated to zero (a Conv unit through its BatchNorm shift or its kernel and bias, as circuit edits do; a depthwise Conv or Gemm unit through its weights, bias and BatchNorm scale and shift).',
  mutants: (ctx: MutantContext) => perTarget(ctx, 'ablate', 'harmful', (t) => `units ${t.units.join(', ')} of ${t.layer} held at zero`, (m, t, slots) =>
    slots.every(isConvSlot) ? applyEdit(m, { op: 'ablate', target: { tensor: t.tensor, units: t.units } }) : zeroSlots(m, slots)),
};
