// The `reimpl:` entry kind: the clean-room curve network compared with units of a trained layer.
// It brings its network to the zoo as `zoo:reimpl-curves`.
import type { EntryKind } from '../probe/kind.ts';
import { prepareEach } from '../probe/kind.ts';
import type { Probe } from '../probe/probe.ts';
import { stimulusInputs } from '../probe/work.ts';
import type { StimulusSpec } from '../suite/schema/stimulus.ts';
import { prepareReimpl } from './prepare.ts';
import { reimplProbe } from './probe.ts';
import { ReimplEntrySchema, type ReimplEntry } from './schema.ts';
import { reimplCurvesEntry } from './zoo.ts';

export const reimplKind: EntryKind<ReimplEntry> = {
  key: 'reimpl',
  schema: ReimplEntrySchema,
  description: 'The clean-room curve network compared with units of a trained layer',
  maxEntries: 1000,
  probeOf: () => reimplProbe as Probe<never>,
  probes: [reimplProbe as Probe<never>],
  layers: ({ path: p, entry }) => [{ path: [...p, 'layer'], name: entry.layer }],
  prepare: (entry, models, ctx) => prepareEach(entry, models, ctx, (e, model, c, role) => prepareReimpl({ spec: e.spec, path: e.at.path, entry: e.at.entry }, model, c.issues, role)),
  work: ({ at: { entry } }, index) => ({ inputs: stimulusInputs(entry.stimulus as StimulusSpec, index) }),
  zooModels: [reimplCurvesEntry],
};
