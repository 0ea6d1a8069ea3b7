// A spec file: one suite with its defaults and its entries. This is the single source of truth:
// TypeScript types are inferred from it and specs/schema.json is generated from it.
import { z } from 'zod';
import { ModelRefSchema, overridable } from './common.ts';
import { NeuronEntrySchema } from './neuron.ts';
import { MaskEntrySchema } from '../../probes/attribution/schema.ts';
import { CircuitEntrySchema } from '../../probes/circuit/schema.ts';
import { ReimplEntrySchema } from '../../reimpl/schema.ts';

export const SuiteSchema = z
  .strictObject({
    suite: z.string().min(1).max(200).meta({ description: 'Name of the suite (reports group results by it)' }),
    description: z.string().max(2000).optional(),
    ...overridable,
    baseline: ModelRefSchema.meta({ description: 'Model that `change` expectations compare against (--baseline overrides it)' }).optional(),
    neurons: z.array(NeuronEntrySchema).max(10_000).meta({ description: 'Checks on units of layers' }).optional(),
    masks: z.array(MaskEntrySchema).max(10_000).meta({ description: 'Attribution maps and masks of images, with checks on their metrics' }).optional(),
    // circuits: edits of the weights, judged edited vs original
    circuits: z.array(CircuitEntrySchema).max(10_000).meta({ description: 'Circuit claims: edit the weights, measure on the edited and the original model, compare with `change`' }).optional(),
    reimpl: z.array(ReimplEntrySchema).max(1000).meta({ description: 'The clean-room curve network compared with units of a trained layer' }).optional(),
  })
  .meta({ title: 'neurogate spec', description: 'A neurogate suite: what units, masks and circuits of a vision model must do' });

export type Suite = z.output<typeof SuiteSchema>;

/** Entry lists by kind; each kind's entries share one schema and one report kind. */
export const ENTRY_KINDS = ['neurons', 'masks', 'circuits', 'reimpl'] as const;
export type SpecEntryKind = (typeof ENTRY_KINDS)[number];
