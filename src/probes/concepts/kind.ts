// The `concepts:` entry kind: how a layer encodes named concepts (dissection, Net2Vec, TCAV) on
// seeded scenes with exact masks. Its folder holds the methods' pure cores and this descriptor.
import { readConceptMasks, type ConceptMasks } from '../../datasets/concept-masks.ts';
import { isNeurogateError } from '../../errors.ts';
import { conceptImageSets, type ConceptImageSets } from './image-sets.ts';
import { resolveLayer } from '../../models/catalog.ts';
import type { EntryKind } from '../../probe/kind.ts';
import type { Probe } from '../../probe/probe.ts';
import { conceptProbe, type ConceptParams } from './probe.ts';
import { CONCEPT_DEFAULTS as D, ConceptEntrySchema, type ConceptEntry } from './schema.ts';

export const conceptsKind: EntryKind<ConceptEntry> = {
  key: 'concepts',
  schema: ConceptEntrySchema,
  description: 'Concepts in a layer on seeded scenes with exact masks: network dissection, Net2Vec, TCAV; channel attribution for a class',
  maxEntries: 1000,
  probeOf: () => conceptProbe as Probe<never>,
  probes: [conceptProbe as Probe<never>],
  layers: ({ path: p, entry }) => [{ path: [...p, 'layer'], name: entry.layer }],
  prepare: async ({ spec, at }, { model }, ctx) => {
    const { path: p, entry: e } = at;
    let layer;
    try {
      layer = await resolveLayer(model, e.layer);
    } catch (err) {
      if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
      ctx.issues.push(spec.issue([...p, 'layer'], err.message, err.hint));
      return undefined;
    }
    if (layer.shape.length !== 3) {
      ctx.issues.push(spec.issue([...p, 'layer'], `layer "${e.layer}" has no spatial map (shape [${layer.shape.join(', ')}])`, 'concept methods need a convolutional layer [C, H, W]'));
      return undefined;
    }
    const C = layer.shape[0];
    const before = ctx.issues.length;
    e.units?.forEach((u, i) => {
      if (u >= C) ctx.issues.push(spec.issue([...p, 'units', i], `unit ${u} does not exist in layer "${e.layer}": it has ${C} channels`, `pick a unit in 0..${C - 1}`));
    });
    const classes = model.labels?.length;
    if (e.target !== undefined && classes !== undefined && e.target >= classes) ctx.issues.push(spec.issue([...p, 'target'], `class ${e.target} does not exist: the model has ${classes} classes`, `pick a class in 0..${classes - 1}`));
    if (e.method === 'channels' && !model.logits) ctx.issues.push(spec.issue([...p, 'method'], `channel attribution explains a class logit, and ${model.net.where} names no logits`, 'use a classifier, or set its logits in the model config'));
    let data: ConceptMasks | undefined;
    if (e.masks !== undefined) {
      const r = readConceptMasks(spec, [...p, 'masks'], e.masks);
      ctx.issues.push(...r.issues);
      data = r.data;
      if (data && e.method === 'tcav' && e.concept !== undefined && data.concepts.includes(e.concept)) {
        const holds = data.rows.filter((r) => r.masks[data!.concepts.indexOf(e.concept!)] !== null).length;
        if (holds < 2 || data.rows.length - holds < 2) ctx.issues.push(spec.issue([...p, 'masks'], `TCAV needs at least 2 images with "${e.concept}" and 2 without: ${e.masks} has ${holds} and ${data.rows.length - holds}`, 'the concept set is drawn from rows with its mask, the random sets from the rest'));
      }
      if (data && e.concept !== undefined && !data.concepts.includes(e.concept)) ctx.issues.push(spec.issue([...p, 'concept'], `"${e.concept}" is not a concept of ${e.masks} (its header names ${data.concepts.join(', ')})`, 'add a column for it, or name one of those'));
    }
    let sets: ConceptImageSets | undefined;
    if (e.images !== undefined) {
      const r = conceptImageSets(spec, p, { images: e.images, random_images: e.random_images, concept: e.concept, method: e.method });
      ctx.issues.push(...r.issues);
      sets = r.sets;
    }
    if (ctx.issues.length > before) return undefined;
    const params: ConceptParams = {
      method: e.method, layer: { name: layer.name, tensor: layer.tensor, shape: [...layer.shape] }, scenes: e.scenes ?? D.scenes, count: data ? data.rows.length : e.count ?? D.count, data, masks: e.masks, sets,
      concept: e.concept, units: e.units, quantile: e.quantile ?? D.quantile, variant: e.variant ?? D.variant, l2: e.l2 ?? D.l2, iterations: e.iterations ?? D.iterations,
      target: e.target, randomSets: e.random_sets ?? D.random_sets, examples: e.examples ?? D.examples, inputs: e.inputs ?? D.inputs, alpha: e.alpha ?? D.alpha, tests: e.tests ?? D.tests, keep: e.keep ?? D.keep,
    };
    return { model, params };
  },
  work: ({ at: { entry: e } }, index) => ({
    inputs: [{ key: `entry:${index}`, count: e.method === 'channels' ? 2 * (e.iterations ?? D.iterations) * (e.inputs ?? D.inputs) : e.method === 'tcav' ? ((e.random_sets ?? D.random_sets) + 1) * (e.examples ?? D.examples) + 3 * (e.inputs ?? D.inputs) : e.count ?? D.count }],
  }),
};
