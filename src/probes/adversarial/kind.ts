// The `adversarial:` entry kind: images from any source, attacked at each budget; the probe runs its
// own gradient passes, so nothing it feeds is shared with other entries.
import { entryDataset } from '../../datasets/entry.ts';
import type { EntryKind } from '../../probe/kind.ts';
import type { Probe } from '../../probe/probe.ts';
import { adversarialProbe, type AdversarialParams } from './probe.ts';
import { AdversarialEntrySchema, type AdversarialEntry } from './schema.ts';
import { imageToPixels } from './space.ts';
import { rgbOnly } from '../../models/preprocess.ts';

export const adversarialKind: EntryKind<AdversarialEntry> = {
  key: 'adversarial',
  schema: AdversarialEntrySchema,
  description: 'Adversarial robustness: FGSM/PGD attacks per budget, attribution stability under attack, and attack detection from attribution maps',
  maxEntries: 1000,
  crossChecks: (spec, { path: p, entry }) => entryDataset(spec, p, entry).issues,
  probeOf: () => adversarialProbe as Probe<never>,
  probes: [adversarialProbe as Probe<never>],
  prepare: async ({ spec, at, seed }, { model }, ctx) => {
    const { path: p, entry: e } = at;
    const ds = entryDataset(spec, p, e);
    const labels = ds.labels ?? model.labels;
    const before = ctx.issues.length;
    const rgb = rgbOnly(model, 'an adversarial attack');
    if (rgb) ctx.issues.push(spec.issue([...p, 'id'], rgb.message, rgb.hint));
    if (!model.logits) ctx.issues.push(spec.issue([...p, 'id'], 'an attack needs the model’s class scores, and this model names no logits tensor', 'export the model with its logits (before softmax) as an output'));
    const { width: W, height: H } = model.preprocess;
    const per = 3 * W * H;
    const pixels = new Float64Array(ds.items.length * per);
    const classOf: (number | null)[] = [];
    ds.items.forEach((it, i) => {
      const image = it.generate ? it.generate().image : ctx.images(it.abs!, ds.at[i]);
      if (!image) return;
      pixels.set(imageToPixels(image, model.preprocess), i * per);
      const c = it.label === undefined ? -1 : typeof it.label === 'number' ? it.label : labels?.indexOf(it.label) ?? -1;
      if (it.label !== undefined && c < 0) ctx.issues.push(spec.issue([...p, 'images'], `the class "${it.label}" of ${it.where ?? it.name} is not one of the model's labels`, 'set `labels:` on the suite to the model’s class names in output order'));
      classOf.push(c >= 0 ? c : null);
    });
    if (ctx.issues.length > before || classOf.length !== ds.items.length) return undefined;
    const params: AdversarialParams = {
      pixels, names: ds.items.map((it) => it.name), labels: classOf,
      attack: e.attack ?? 'pgd', norm: e.norm ?? 'linf', epsilons: e.epsilon, steps: e.steps ?? 10, stepSize: e.step_size,
      randomStart: e.random_start ?? true, loss: e.loss ?? 'ce', targeted: e.targeted, method: e.method ?? 'gradient', topFraction: e.top_fraction ?? 0.1, seed,
    };
    return { model, params };
  },
  // Per budget: the attack's gradient steps, one forward, and an attacked map per image; plus the clean maps.
  work: ({ spec, at }, index) => {
    const n = Math.max(1, entryDataset(spec, at.path, at.entry).items.length);
    const steps = at.entry.attack === 'fgsm' ? 1 : at.entry.steps ?? 10;
    return { inputs: [{ key: `entry:${index}|adversarial`, count: n * (3 + at.entry.epsilon.length * (3 * steps + 1 + 3)) }] };
  },
};
