// Kernels of an entry's units rotated by 90° or 180°: the unit keeps its energy and loses its
// orientation — what an orientation-tuning gate exists to catch.
import { num } from '../../engine/onnx.ts';
import { badInput } from '../../errors.ts';
import { applyEdit, rotateKernel } from '../../probes/circuit/edits.ts';
import { isConvSlot, mapSlotKernels, perTarget } from './targeted.ts';
import type { Mutant, MutantContext, MutantOperator } from './types.ts';

export const ROTATIONS = [90, 180] as const;

export const rotateOperator: MutantOperator = {
  name: 'rotate',
  kind: 'harmful',
  doc: 'Per entry: every kernel into the units it measures rotated by 90° or 180° (square Conv kernels; a 1×1 kernel or a Gemm unit has no orientation, so the mutant does not apply).',
  mutants(ctx: MutantContext): Mutant[] {
    return ROTATIONS.flatMap((deg) => perTarget(ctx, `rotate-${deg}`, 'harmful', (t) => `kernels of units ${t.units.join(', ')} of ${t.layer} rotated ${deg}°`, (m, t, slots) => {
      for (const s of slots) {
        const w = m.graph.initializer.find((x) => x.name === s.weight)!;
        const [kh, kw] = w.dims.slice(2).map(num);
        if (s.node.opType !== 'Conv' || !(kh > 1 || kw > 1)) throw badInput('E_MUTANT_NA', `units of ${t.layer} have no spatial kernel to rotate`, undefined, 'rotation needs a Conv with a kernel larger than 1×1');
      }
      return slots.every(isConvSlot)
        ? applyEdit(m, { op: 'rotate', to: { tensor: t.tensor, units: t.units }, degrees: deg })
        : mapSlotKernels(m, slots, (k, kh, kw) => rotateKernel(k, kh, kw, deg));
    })).map((mu) => ({ ...mu, operator: 'rotate' }));
  },
};
