// The `masks:` entry kind: an attribution map or mask of each image, with checks on its metrics.
import type { EntryKind, LayerRef } from '../../probe/kind.ts';
import { prepareEach } from '../../probe/kind.ts';
import type { Probe } from '../../probe/probe.ts';
import { entryDataset } from '../../datasets/entry.ts';
import { masksDatasetIssues } from './dataset.ts';
import { masksPasses } from './cost.ts';
import { prepareMasks } from './prepare.ts';
import { masksProbe } from './probe.ts';
import { MaskEntrySchema, targetLayers, type MaskEntry } from './schema.ts';

export const masksKind: EntryKind<MaskEntry> = {
  key: 'masks',
  schema: MaskEntrySchema,
  description: 'Attribution maps and masks of images, with checks on their metrics',
  maxEntries: 10_000,
  crossChecks: (spec, { path: p, entry }) => masksDatasetIssues(spec, p, entry),
  ownMetrics: (entry) => Object.keys(entry.aggregate ?? {}),
  probeOf: () => masksProbe as Probe<never>,
  probes: [masksProbe as Probe<never>],
  layers: ({ path: p, entry }) => {
    const out: LayerRef[] = [];
    const t = entry.target;
    for (const l of targetLayers(t)) out.push({ path: [...p, 'target', ...l.path], name: l.name });
    const [method, options] = Object.entries(entry.method)[0] as [string, { layer?: string }];
    if (typeof options?.layer === 'string') out.push({ path: [...p, 'method', method, 'layer'], name: options.layer });
    return out;
  },
  prepare: (entry, models, ctx) => prepareEach(entry, models, ctx, (e, model, c, role) => prepareMasks(e, model, c.images, c.issues, role, c.limits)),
  // A streamed source (folder, glob, manifest, scenes) measures each image on its own: its images may run apart.
  splitImages: ({ spec, at }) => (at.entry.images !== undefined && !Array.isArray(at.entry.images) ? entryDataset(spec, at.path, at.entry).items.length : undefined),
  // An attribution method runs its own passes (perturbed, masked, noisy copies): nothing it feeds is
  // shared with other entries, so its images do not tie it to them.
  work: ({ spec, at }, index) => ({ inputs: [{ key: `entry:${index}|masks`, count: Math.max(1, entryDataset(spec, at.path, at.entry).items.length) * masksPasses(at.entry) }] }),
};
