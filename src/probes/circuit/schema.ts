// The `circuits:` entry (zod v4): a list of edits, a measurement (a `neurons:` entry without id
// and expect), and expectations judged on the edited model with `change` against the original;
// or a `patch:` block (activation patching between image pairs) with plain bounds.
//
//   - id: positive-only-brings-echo-back
//     edit: [ { sign: { layer: mixed2, units: { from: 64, to: 128 }, keep: positive } } ]
//     measure: { layer: mixed2, units: [79, 82], stimulus: { curve: { … } }, tuning: {} }
//     expect: { tuning.echo: { change: { direction: increase, absolute: 0.2 } } }
import { z } from 'zod';
import { ExpectSchema } from '../../suite/schema/expect.ts';
import { IdSchema, ModelRefSchema, overridable } from '../../suite/schema/common.ts';
import { NeuronEntrySchema } from '../neuron/entry-schema.ts';
import { MaskTargetSchema } from '../attribution/schema.ts';

const Unit = z.int().min(0).max(1_000_000);
const Units = z
  .union([z.array(Unit).min(1).max(100_000), z.strictObject({ from: Unit, to: Unit })])
  .meta({ description: 'Channel indices of the layer: a list, or a range { from, to } (to excluded)' });
const Layer = z.string().min(1).max(500).meta({ description: 'Layer name (catalog name, e.g. mixed2, or IR tensor); concat offsets are resolved to the branch Conv' });
const From = z.array(Unit).min(1).max(100_000).meta({ description: 'Input channels of the unit’s Conv whose weights change (all when omitted)' }).optional();

export const EditSchema = z
  .union([
    z.strictObject({
      ablate: z
        .strictObject({
          layer: Layer,
          units: Units,
          value: z.number().meta({ description: 'Constant output of every unit (default 0)' }).optional(),
          mean_over: z.array(z.string().min(1).max(4096)).min(1).max(1000).meta({ description: 'Images (relative to the spec): each unit outputs its mean over them (all positions), measured on the unedited model' }).optional(),
        })
        .refine((a) => a.value === undefined || a.mean_over === undefined, { message: 'give `value:` or `mean_over:`, not both', path: ['mean_over'] }),
    }),
    z.strictObject({ scale: z.strictObject({ layer: Layer, units: Units, from: From, factor: z.number() }) }),
    z.strictObject({ sign: z.strictObject({ layer: Layer, units: Units, from: From, keep: z.enum(['positive', 'negative', 'flip']) }) }),
    z.strictObject({ rotate: z.strictObject({ layer: Layer, units: Units, from: From, degrees: z.number().min(-3600).max(3600) }) }),
    z.strictObject({ transplant: z.strictObject({ layer: Layer, units: Units, model: ModelRefSchema, source_layer: Layer.optional() }) }),
  ])
  .meta({ description: 'One edit of the model’s weights: ablate, scale, sign, rotate (counter-clockwise on screen) or transplant' });

const PatchUnits = z
  .union([z.literal('all'), Units])
  .meta({ description: 'Channels of the layer: `all`, a list, or a range { from, to } (to excluded)' });
const PatchImages = z.array(z.string().min(1).max(4096)).min(1).max(10_000);

export const PatchSchema = z
  .strictObject({
    layer: Layer,
    units: PatchUnits,
    from: PatchImages.meta({ description: 'Clean images (relative to the spec): the units’ activations are taken from these' }),
    into: PatchImages.meta({ description: 'Corrupted images: each is run with the units replaced. Pairs go by position; a list of one pairs with every image of the other' }),
    target: MaskTargetSchema.optional(),
    score: z.enum(['raw', 'probability']).meta({ description: 'raw: the target’s value (logit, unit); probability: softmax of the logits (class targets)' }).optional(),
    path: z
      .strictObject({ layer: Layer, units: PatchUnits })
      .meta({ description: 'Path patching: the patch reaches the target only through these units of a later layer; every other path sees the corrupted run' })
      .optional(),
  })
  .meta({ description: 'Activation patching: run each corrupted image with the units’ activations from its clean image, and score the target (default: the clean image’s top class)' });

export const CircuitEntrySchema = z
  .strictObject({
    id: IdSchema,
    description: z.string().max(2000).optional(),
    ...overridable,
    edit: z.array(EditSchema).min(1).max(100).meta({ description: 'Edits applied in order to a copy of the model (the original is the baseline)' }).optional(),
    measure: z.record(z.string(), z.unknown()).meta({ description: 'What to measure on both models: a `neurons:` entry without `id` and `expect`' }).optional(),
    patch: PatchSchema.optional(),
    views: z.array(z.strictObject({ layer: Layer, unit: Unit })).max(16).meta({ description: 'Units whose weights (kernels, expanded weights) go into the report as images' }).optional(),
    repeat: z.int().min(1).max(1000).optional(),
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    if (e.patch) {
      // Patching measures one model on image pairs: nothing is edited, so there is no original to compare with.
      for (const k of ['edit', 'measure', 'views'] as const) if (e[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `a patch entry has no \`${k}:\`` });
      for (const [m, x] of Object.entries(e.expect)) if (x.change) ctx.addIssue({ code: 'custom', path: ['expect', m, 'change'], message: 'a patch entry compares within one run: use min/max (patch.effect is already patched − corrupted)' });
    } else {
      if (!e.edit) ctx.addIssue({ code: 'custom', path: ['edit'], message: 'a circuits entry needs `edit:` (with `measure:`) or `patch:`' });
      if (!e.measure) ctx.addIssue({ code: 'custom', path: ['measure'], message: 'a circuits entry needs `measure:` (with `edit:`) or `patch:`' });
      else {
        const r = NeuronEntrySchema.safeParse({ ...e.measure, id: 'measure', expect: e.expect });
        if (!r.success) {
          for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: ['measure', ...(i.path as (string | number)[])], message: i.message });
        }
      }
    }
    if (Object.keys(e.expect).length === 0) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
  })
  .meta({ description: 'A circuit claim: edit the weights, measure a probe on the edited and the original model, compare' });

export type CircuitEntry = z.output<typeof CircuitEntrySchema>;
export type EditSpec = z.output<typeof EditSchema>;
export type PatchSpec = z.output<typeof PatchSchema>;
/** An entry that edits weights and measures (every circuits entry without `patch:`). */
export type EditEntry = CircuitEntry & { edit: EditSpec[]; measure: Record<string, unknown> };

export function isPatchEntry(e: CircuitEntry): e is CircuitEntry & { patch: PatchSpec } {
  return e.patch !== undefined;
}

export function unitList(u: z.output<typeof Units>): number[] {
  return Array.isArray(u) ? [...u] : Array.from({ length: Math.max(0, u.to - u.from) }, (_, i) => u.from + i);
}
