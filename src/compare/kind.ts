// The `compare:` entry kind: a layer of the model against the same layer of the suite's baseline
// model. The probe compares both models itself, so the baseline always loads and never reruns it.
import path from 'node:path';
import { isNeurogateError } from '../errors.ts';
import { resolveLayer } from '../models/catalog.ts';
import type { EntryKind } from '../probe/kind.ts';
import type { Probe } from '../probe/probe.ts';
import { compareProbe, type CompareParams } from './probe.ts';
import { CompareEntrySchema, type CompareEntry } from './schema.ts';

export const compareKind: EntryKind<CompareEntry> = {
  key: 'compare',
  schema: CompareEntrySchema,
  description: 'Release gating: a layer compared with the same layer of the baseline model (CKA, matched units, logit and map drift)',
  maxEntries: 1000,
  needsBaseline: true,
  probeOf: () => compareProbe as Probe<never>,
  probes: [compareProbe as Probe<never>],
  layers: ({ path: p, entry }) => [{ path: [...p, 'layer'], name: entry.layer }],
  prepare: async ({ spec, at, batch }, { model, baseline, baselineRef }, ctx) => {
    const { path: p, entry: e } = at;
    if (!baseline) {
      ctx.issues.push(spec.issue([...p, 'id'], 'a compare entry needs a baseline model', 'set `baseline:` on the suite or pass --baseline', true));
      return undefined;
    }
    const before = ctx.issues.length;
    const layers = [];
    for (const [m, role] of [[baseline, `the baseline ${baselineRef}`], [model, 'the model']] as const) {
      try {
        layers.push(await resolveLayer(m, e.layer));
      } catch (err) {
        if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
        ctx.issues.push(spec.issue([...p, 'layer'], `${err.message} (${role})`, err.hint));
      }
    }
    if (layers.length === 2 && layers[0].shape.join('x') !== layers[1].shape.join('x')) {
      ctx.issues.push(spec.issue([...p, 'layer'], `layer "${e.layer}" is [${layers[0].shape.join(', ')}] in the baseline and [${layers[1].shape.join(', ')}] in the model`, 'compare layers of one architecture'));
    }
    const channels = layers[0]?.shape[0] ?? Infinity;
    e.units?.forEach((u, i) => {
      if (u >= channels) ctx.issues.push(spec.issue([...p, 'units', i], `unit ${u} does not exist in the baseline's layer "${e.layer}": it has ${channels} channels`, `pick a unit in 0..${channels - 1}`));
    });
    const images = (e.images ?? []).map((f, i) => ({ label: path.basename(f), image: ctx.images(path.resolve(spec.dir, f), [...p, 'images', i]) }));
    if (ctx.issues.length > before || images.some((im) => !im.image)) return undefined;
    const params: CompareParams = {
      baseline, baselineRef: baselineRef ?? 'baseline', layer: e.layer, units: e.units, images: images.map((im) => ({ label: im.label, image: im.image! })),
      threshold: e.threshold ?? 0.8, peakTolerance: e.peak_tolerance ?? 15, orientations: e.orientations ?? 16, method: e.method ?? 'gradient', batch,
    };
    return { model, params };
  },
  work: ({ at: { entry } }, index) => ({ inputs: [{ key: `entry:${index}`, count: 2 * ((entry.images?.length ?? 0) + (entry.orientations ?? 16) + 8) }] }),
};
