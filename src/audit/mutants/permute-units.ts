// Units of an entry's layer swapped with other units of the same layer, and the next layer not
// told: the relabelling a careless re-export or a pruning script can leave behind.
import { badInput } from '../../errors.ts';
import { mutantRng, permuteSlots, slotWidth } from './model.ts';
import { perTarget } from './targeted.ts';
import type { MutantContext, MutantOperator } from './types.ts';

export const permuteUnitsOperator: MutantOperator = {
  name: 'permute-units',
  kind: 'harmful',
  doc: 'Per entry: each unit it measures swapped with another unit of the layer that makes it (a seeded choice among units the entry does not measure), weights, bias and BatchNorm alike, without adjusting the layers that read it.',
  mutants: (ctx: MutantContext) => perTarget(ctx, 'permute-units', 'harmful', (t) => `units ${t.units.join(', ')} of ${t.layer} swapped with other units`, (m, t, slots, id) => {
    const rng = mutantRng(ctx.seed, id);
    for (const s of slots) {
      const n = slotWidth(m, s);
      const others = Array.from({ length: n }, (_, i) => i).filter((c) => !slots.some((x) => x.node === s.node && x.channel === c));
      if (!others.length) throw badInput('E_MUTANT_NA', `every unit of ${t.layer} is measured: nothing to swap with`, undefined, 'permute-units needs a unit the entry does not measure');
      const other = others[Math.floor(rng() * others.length)];
      const perm = Array.from({ length: n }, (_, i) => i);
      [perm[s.channel], perm[other]] = [other, s.channel];
      permuteSlots(m, s, perm);
    }
    return m;
  }),
};
