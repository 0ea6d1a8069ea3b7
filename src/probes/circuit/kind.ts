// The `circuits:` entry kind: edit the weights, measure on the edited and the original model, and
// compare with `change`. The kind makes its own baseline: the unedited model the entry names.
// An entry with `patch:` instead patches activations between image pairs on the one model.
import type { EntryKind, EntryToPrepare, LayerRef } from '../../probe/kind.ts';
import type { Probe } from '../../probe/probe.ts';
import { prepareCircuit } from './prepare.ts';
import { circuitProbe } from './probe.ts';
import { patchProbe } from './patch.ts';
import { preparePatch } from './patch-prepare.ts';
import { CircuitEntrySchema, isPatchEntry, type CircuitEntry, type EditEntry } from './schema.ts';

export const circuitsKind: EntryKind<CircuitEntry> = {
  key: 'circuits',
  schema: CircuitEntrySchema,
  description: 'Circuit claims: edit the weights, measure on the edited and the original model, compare with `change`',
  maxEntries: 10_000,
  ownBaseline: true,
  probeOf: (entry) => (isPatchEntry(entry) ? patchProbe : circuitProbe) as Probe<never>,
  probes: [circuitProbe as Probe<never>, patchProbe as Probe<never>],
  layers: ({ path: p, entry }) => {
    const out: LayerRef[] = [];
    if (isPatchEntry(entry)) {
      const t = entry.patch.target;
      const unit = typeof t === 'object' ? ('unit' in t ? t.unit : 'channel' in t && typeof t.channel === 'object' ? t.channel : undefined) : undefined;
      out.push({ path: [...p, 'patch', 'layer'], name: entry.patch.layer });
      if (entry.patch.path) out.push({ path: [...p, 'patch', 'path', 'layer'], name: entry.patch.path.layer });
      if (unit) out.push({ path: [...p, 'patch', 'target'], name: unit.layer });
      return out;
    }
    if (typeof entry.measure?.layer === 'string') out.push({ path: [...p, 'measure', 'layer'], name: entry.measure.layer });
    entry.edit?.forEach((s, i) => {
      const [op, body] = Object.entries(s)[0] as [string, { layer: string }];
      out.push({ path: [...p, 'edit', i, op, 'layer'], name: body.layer });
    });
    entry.views?.forEach((v, i) => out.push({ path: [...p, 'views', i, 'layer'], name: v.layer }));
    return out;
  },
  prepare: async (entry, { model }, ctx) => {
    if (isPatchEntry(entry.at.entry)) {
      const params = await preparePatch(entry as EntryToPrepare<CircuitEntry & { patch: NonNullable<CircuitEntry['patch']> }>, model, ctx);
      return params && { model, params };
    }
    const c = await prepareCircuit(entry as EntryToPrepare<EditEntry>, model, ctx.images, ctx.issues, ctx.limits);
    return c && { model: c.edited, params: c.params, baselineModel: model, baselineParams: c.baselineParams };
  },
  work: ({ at: { entry } }, index) => {
    if (!isPatchEntry(entry)) return { inputs: [{ key: `entry:${index}`, count: 1 }] };
    // Clean and corrupted runs, then one patched run per pair (two for path patching).
    const pairs = Math.max(entry.patch.from.length, entry.patch.into.length);
    return { inputs: [{ key: `entry:${index}`, count: entry.patch.from.length + entry.patch.into.length + pairs * (entry.patch.path ? 2 : 1) }] };
  },
};
