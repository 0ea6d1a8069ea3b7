// The `generators:` entry of a spec (zod v4): one analysis of a generator chained into the suite's
// model as the judge — a unit intervention, a latent direction, an inversion, or layer-wise noise.
//
//   generators:
//     - id: disk-unit-off
//       generator: zoo:reimpl-generator
//       judge: { neuron: { layer: /Relu_1_output_0, unit: 5 } }
//       intervention: { layer: layout, units: [0], region: [0, 0, 0.25, 0.25], set: off }
//       expect:
//         intervention.relative: { max: -0.8 }
import { z } from 'zod';
import { ExpectSchema } from '../suite/schema/expect.ts';
import { IdSchema, overridable } from '../suite/schema/common.ts';

const Unit = z.int().min(0).max(1_000_000);
const Frac = z.number().min(0).max(1);

const JudgeSchema = z
  .union([
    z.strictObject({ logit: z.union([z.int().min(0), z.string().min(1).max(200)]).meta({ description: 'Class index or label of the judge model' }), softmax: z.boolean().meta({ description: 'Score the probability instead of the logit' }).optional() }),
    z.strictObject({ neuron: z.strictObject({ layer: z.string().min(1).max(500), unit: Unit, reduce: z.enum(['max', 'mean']).optional() }).meta({ description: 'A unit of a judge layer, max (default) or mean over positions' }) }),
    z.strictObject({ concept: z.strictObject({ layer: z.string().min(1).max(500), unit: Unit, threshold: z.number().optional() }).meta({ description: 'A concept mask the generator draws: area of a generator-layer channel above threshold (default 0.5)' }) }),
  ])
  .meta({ description: 'What scores a generated image: a judge logit, a judge unit, or a generator concept mask' });

export const GENERATOR_METRICS = [
  'intervention.before', 'intervention.after', 'intervention.effect', 'intervention.relative', 'intervention.locality', 'intervention.others_change',
  'direction.accuracy', 'walk.monotonicity', 'walk.entanglement',
  'inversion.mse', 'inversion.lpips_proxy', 'inversion.mse_in', 'inversion.mse_out', 'inversion.domain_gap',
  'noise.scale_effect', 'noise.judge_change',
] as const;

const ANALYSES = ['intervention', 'direction', 'inversion', 'noise'] as const;

export const GeneratorEntrySchema = z
  .strictObject({
    id: IdSchema,
    description: z.string().max(2000).optional(),
    ...overridable,
    generator: z.string().min(1).max(1000).meta({ description: 'zoo:reimpl-generator or an ONNX file with one float latent input [N, D] (relative to the spec)' }),
    judge: JudgeSchema.optional(),
    others: z.array(JudgeSchema).max(16).meta({ description: 'Judges of other concepts that should not change (locality, entanglement)' }).optional(),
    samples: z.int().min(1).max(4096).meta({ description: 'Latents drawn for an intervention or the noise analysis (default 32)' }).optional(),
    intervention: z.strictObject({
      layer: z.string().min(1).max(500).meta({ description: 'Generator layer (a node output, e.g. layout)' }),
      units: z.array(Unit).min(1).max(4096),
      region: z.tuple([Frac, Frac, Frac, Frac]).meta({ description: '[x0, y0, x1, y1] as fractions of the image' }).optional(),
      set: z.enum(['off', 'on']),
      value: z.number().meta({ description: 'Value of forced units (default: their largest activation over the samples)' }).optional(),
    }).optional(),
    direction: z.strictObject({
      train: z.int().min(4).max(100_000).optional(),
      test: z.int().min(1).max(100_000).optional(),
      threshold: z.number().optional(),
      walk: z.strictObject({ steps: z.int().min(3).max(101).optional(), span: z.number().positive().max(100).optional(), bases: z.int().min(1).max(1000).optional() }).optional(),
    }).optional(),
    inversion: z.strictObject({
      generated: z.int().min(0).max(256).meta({ description: 'In-domain targets: images the generator draws from seeded latents (default 2)' }).optional(),
      images: z.array(z.string().min(1).max(1000)).max(64).meta({ description: 'Out-of-domain targets: image files (relative to the spec)' }).optional(),
      steps: z.int().min(1).max(10_000).optional(),
      lr: z.number().positive().max(10).optional(),
      layer: z.string().min(1).max(500).meta({ description: 'Judge layer of the LPIPS proxy' }).optional(),
    }).optional(),
    noise: z.strictObject({}).meta({ description: 'Redraw each noise input in turn and measure where in frequency the image changes' }).optional(),
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    const on = ANALYSES.filter((a) => e[a] !== undefined);
    if (on.length !== 1) ctx.addIssue({ code: 'custom', path: [], message: `an entry runs exactly one of ${ANALYSES.join(', ')} (got ${on.length ? on.join(', ') : 'none'})` });
    if ((e.intervention || e.direction) && !e.judge) ctx.addIssue({ code: 'custom', path: ['judge'], message: 'interventions and directions need a judge' });
    if (Object.keys(e.expect).length === 0) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
  })
  .meta({ description: 'Generator analyses through a generator → judge chain: unit intervention, latent direction, inversion, layer-wise noise' });

export type GeneratorEntry = z.output<typeof GeneratorEntrySchema>;
