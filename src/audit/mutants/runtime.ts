// Equivalent mutants of the runtime, not the weights: another batch size, another thread count.
// Results may differ in the last float bits (other kernels, other reduction orders), never more.
import os from 'node:os';
import { derived } from './model.ts';
import type { Mutant, MutantContext, MutantOperator } from './types.ts';

export const batchSizeOperator: MutantOperator = {
  name: 'batch-size',
  kind: 'equivalent',
  doc: 'Equivalent: every entry run with another batch size (1 instead of the suite\'s, or 5 when the suite already feeds one input at a time). onnxruntime picks other kernels for other batch shapes.',
  mutants(ctx: MutantContext): Mutant[] {
    const batch = ctx.batch === 1 ? 5 : 1;
    const id = `batch-${batch}`;
    return [{ id, operator: 'batch-size', kind: 'equivalent', description: `inputs fed ${batch} per run`, batch, apply: (model) => derived(model, id) }];
  },
};

export const threadsOperator: MutantOperator = {
  name: 'threads',
  kind: 'equivalent',
  doc: 'Equivalent: onnxruntime runs with another intra-op thread count (1, or 2 on a one-core machine): parallel reductions split their sums differently.',
  mutants(): Mutant[] {
    const n = (os.availableParallelism?.() ?? os.cpus().length) > 1 ? 1 : 2;
    const id = `threads-${n}`;
    return [{
      id, operator: 'threads', kind: 'equivalent', description: `onnxruntime with ${n} intra-op thread${n === 1 ? '' : 's'}`,
      apply(model) {
        const m = derived(model, id);
        return { ...m, net: { ...m.net, threads: n } };
      },
    }];
  },
};
