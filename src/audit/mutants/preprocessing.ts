// Wrong preprocessing: the weights are right, the pixels are fed wrongly — the commonest bug when a
// model moves between frameworks (channel order, value range, ImageNet normalisation).
import { badInput } from '../../errors.ts';
import type { Preprocess } from '../../models/types.ts';
import { derived } from './model.ts';
import type { Mutant, MutantOperator } from './types.ts';

const WRONG: { id: string; description: string; change: (p: Preprocess) => Preprocess }[] = [
  { id: 'preprocess-bgr', description: 'channels fed in the other order (RGB ↔ BGR)', change: (p) => ({ ...p, channelOrder: p.channelOrder === 'RGB' ? 'BGR' : 'RGB' }) },
  { id: 'preprocess-pm1', description: 'pixels scaled to [-1, 1] instead of the model\'s range', change: (p) => ({ ...p, scale: 2 / 255, mean: p.mean.map(() => 1), std: p.std.map(() => 1) }) },
  { id: 'preprocess-torchvision', description: 'torchvision\'s ImageNet mean/std applied to [0, 1] pixels', change: (p) => ({ ...p, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }) },
];

function same(a: Preprocess, b: Preprocess): boolean {
  return a.channelOrder === b.channelOrder && Math.abs(a.scale - b.scale) < 1e-12 && a.mean.every((m, i) => Math.abs(m - b.mean[i]) < 1e-9) && a.std.every((s, i) => Math.abs(s - b.std[i]) < 1e-9);
}

export const preprocessingOperator: MutantOperator = {
  name: 'preprocess',
  kind: 'harmful',
  doc: 'Wrong preprocessing with the weights untouched: channels swapped (RGB ↔ BGR), pixels scaled to [-1, 1], or torchvision\'s ImageNet mean/std applied to a model that wants [0, 1]. A variant that equals the model\'s own preprocessing does not apply.',
  mutants(): Mutant[] {
    return WRONG.map((w) => ({
      id: w.id, operator: 'preprocess', kind: 'harmful', description: w.description,
      apply(model) {
        // Colour mistakes need colour channels: on a grey or multispectral input they do not apply.
        if (w.id !== 'preprocess-pm1' && model.input.channels !== 3) throw badInput('E_MUTANT_NA', `${w.id} is about RGB, and the model's input has ${model.input.channels} channels`, model.net.where, 'nothing to mutate');
        const next = w.change(model.preprocess);
        if (same(next, model.preprocess)) throw badInput('E_MUTANT_NA', `${w.id} is the model's own preprocessing`, model.net.where, 'nothing to mutate');
        return derived(model, w.id, model.net.model, { preprocess: next });
      },
    }));
  },
};
