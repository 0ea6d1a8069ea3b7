// An equivalent mutant: the IR written to ONNX bytes and read back, as `neurogate export` and a
// re-load do. Nothing may change; a check it kills depends on something other than the weights.
import { decodeModel, encodeModel } from '../../engine/onnx.ts';
import { derived } from './model.ts';
import type { Mutant, MutantOperator } from './types.ts';

export const reexportOperator: MutantOperator = {
  name: 'reexport',
  kind: 'equivalent',
  doc: 'Equivalent: the model\'s IR encoded as ONNX bytes and decoded again (a fresh identity, so nothing is served from the caches of the original).',
  mutants(): Mutant[] {
    return [{
      id: 'reexport', operator: 'reexport', kind: 'equivalent',
      description: 'the IR written as ONNX and read back',
      apply: (model) => derived(model, 'reexport', decodeModel(encodeModel(model.net.model), model.net.where)),
    }];
  },
};
