// The `circuits:` entry kind: edit the weights, measure on the edited and the original model, and
// compare with `change`. The kind makes its own baseline: the unedited model the entry names.
import type { EntryKind, LayerRef } from '../../probe/kind.ts';
import type { Probe } from '../../probe/probe.ts';
import { prepareCircuit } from './prepare.ts';
import { circuitProbe } from './probe.ts';
import { CircuitEntrySchema, type CircuitEntry } from './schema.ts';

export const circuitsKind: EntryKind<CircuitEntry> = {
  key: 'circuits',
  schema: CircuitEntrySchema,
  description: 'Circuit claims: edit the weights, measure on the edited and the original model, compare with `change`',
  maxEntries: 10_000,
  ownBaseline: true,
  probeOf: () => circuitProbe as Probe<never>,
  probes: [circuitProbe as Probe<never>],
  layers: ({ path: p, entry }) => {
    const out: LayerRef[] = [];
    if (typeof entry.measure.layer === 'string') out.push({ path: [...p, 'measure', 'layer'], name: entry.measure.layer });
    entry.edit.forEach((s, i) => {
      const [op, body] = Object.entries(s)[0] as [string, { layer: string }];
      out.push({ path: [...p, 'edit', i, op, 'layer'], name: body.layer });
    });
    entry.views?.forEach((v, i) => out.push({ path: [...p, 'views', i, 'layer'], name: v.layer }));
    return out;
  },
  prepare: async (entry, { model }, ctx) => {
    const c = await prepareCircuit(entry, model, ctx.images, ctx.issues, ctx.limits);
    return c && { model: c.edited, params: c.params, baselineModel: model, baselineParams: c.baselineParams };
  },
  work: (_entry, index) => ({ inputs: [{ key: `entry:${index}`, count: 1 }] }),
};
