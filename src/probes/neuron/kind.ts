// The `neurons:` entry kind: checks on units of a layer, measured as plain activations, tuning
// curves or feature visualizations depending on the entry's block.
import type { EntryKind } from '../../probe/kind.ts';
import { prepareEach } from '../../probe/kind.ts';
import type { Probe } from '../../probe/probe.ts';
import { imageInputs, stimulusInputs } from '../../probe/work.ts';
import { imageRefs } from '../../suite/paths.ts';
import { entryDataset } from '../../datasets/entry.ts';
import type { StimulusSpec } from '../../suite/schema/stimulus.ts';
import { activationProbe } from './activation.ts';
import { NeuronEntrySchema, type NeuronEntry } from './entry-schema.ts';
import { featureVizProbe } from './featureviz-probe.ts';
import { ATLAS_DEFAULTS } from './atlas.ts';
import { prepareNeuron } from './prepare.ts';
import { tuningProbe } from './tuning-probe.ts';

/** The probe a neurons entry (or a circuit's `measure:` block) asks for: plain activations unless it has a probe block. */
export function neuronProbeOf(e: Pick<NeuronEntry, 'tuning' | 'featureviz'>): Probe<never> {
  if (e.tuning) return tuningProbe as Probe<never>;
  if (e.featureviz) return featureVizProbe as Probe<never>;
  return activationProbe as Probe<never>;
}

export const neuronsKind: EntryKind<NeuronEntry> = {
  key: 'neurons',
  schema: NeuronEntrySchema,
  description: 'Checks on units of layers',
  maxEntries: 10_000,
  crossChecks: (spec, { path: p, entry }) => (entry.images && !Array.isArray(entry.images) ? entryDataset(spec, p, entry).issues : imageRefs(spec, p, entry as { image?: string; images?: string[] })),
  probeOf: neuronProbeOf,
  probes: [activationProbe, tuningProbe, featureVizProbe] as Probe<never>[],
  layers: ({ path: p, entry }) => [{ path: [...p, 'layer'], name: entry.layer }],
  prepare: (entry, models, ctx) => prepareEach(entry, models, ctx, (e, model, c, role) => prepareNeuron(e, model, c.images, c.issues, role, c.limits)),
  // Activations over a streamed source are per image, their mean / min / max merge exactly: the images
  // may run apart. Not with `top:` (each part's own top images are not the whole's) nor `noise:` (drawn
  // in image order from one stream: a part starting mid-way would draw other noise).
  splitImages: ({ spec, at }) => {
    const e = at.entry;
    const plain = e.images !== undefined && !Array.isArray(e.images) && !e.tuning && !e.featureviz && e.top === undefined && e.noise === undefined;
    return plain ? entryDataset(spec, at.path, e).items.length : undefined;
  },
  work: ({ spec, at }, index) => {
    const e = at.entry;
    let inputs = e.images && !Array.isArray(e.images) ? [{ key: `entry:${index}|dataset`, count: entryDataset(spec, at.path, e).items.length }] : e.images || e.image ? imageInputs(spec, (e.images as string[] | undefined) ?? [e.image!]) : e.stimulus ? stimulusInputs(e.stimulus as StimulusSpec, index) : [];
    const ref = e.tuning?.reference;
    if (ref?.images) inputs = [...inputs, ...imageInputs(spec, ref.images)];
    if (e.tuning) inputs.push({ key: `entry:${index}|clutter`, count: ref?.clutter ?? 8 });
    if (e.featureviz) {
      // Each optimization step is a forward and a backward pass (≈ 3 forward passes) per target.
      const targets = e.featureviz.direction !== undefined ? 1 : e.featureviz.targets?.length ?? e.units?.length ?? 1;
      inputs.push({ key: `entry:${index}|featureviz`, count: 3 * targets * (e.featureviz.diversity?.batch ?? 1) * (e.featureviz.steps ?? 512) + (e.featureviz.atlas ? e.featureviz.atlas.scenes ?? ATLAS_DEFAULTS.scenes : 0) });
    }
    return { inputs, ownPerRun: e.noise !== undefined };
  },
};
