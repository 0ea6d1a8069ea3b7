// The `neurons` entry: what one unit (or several) of a layer does on images or rendered stimuli. This issue's probe
// is the plain activation; later probes (tuning, scan, feature viz) add their own keys here.
import { z } from 'zod';
import { ImagesSchema } from '../../datasets/schema.ts';
import { ExpectSchema } from '../../suite/schema/expect.ts';
import { IdSchema, PathSchema, overridable } from '../../suite/schema/common.ts';
import { stimulusSchema } from '../../suite/schema/stimulus.ts';
import { neuronProbeFields } from './schema.ts';

const Unit = z.int().min(0).max(1_000_000);

export const PositionSchema = z
  .union([z.literal('center'), z.tuple([z.int().min(0), z.int().min(0)])], {
    error: 'position must be "center" or [y, x] (two integers ≥ 0, in the layer’s own grid)',
  })
  .meta({ description: 'Where in the layer’s spatial grid to read the unit: "center" (default) or [y, x]' });

export const NoiseSchema = z
  .strictObject({
    std: z.number().gt(0).max(255).meta({ description: 'Standard deviation of Gaussian pixel noise, in 0..255 grey levels' }),
  })
  .meta({ description: 'Seeded Gaussian pixel noise added to each image at the model’s input size (clipped to 0..255) — makes the probe stochastic, see `repeat`' });

export const NeuronEntrySchema = z
  .strictObject({
    id: IdSchema,
    description: z.string().max(2000).optional(),
    ...overridable,
    layer: z.string().min(1).max(500).meta({ description: 'Layer name as `neurogate layers <model>` lists it (or the IR tensor name)' }),
    unit: Unit.meta({ description: 'Channel index in the layer' }).optional(),
    units: z.array(Unit).min(1).max(4096).meta({ description: 'Several channel indices; each is a case' }).optional(),
    image: PathSchema.optional(),
    images: ImagesSchema.meta({ description: 'Several images (a list, folder, glob, manifest or generated scenes); each is a case' }).optional(),
    stimulus: stimulusSchema.optional(),
    position: PositionSchema.optional(),
    top: z.int().min(1).max(100).meta({ description: 'Dataset examples: the k images each unit responds to most, shown in the report (a table and thumbnails)' }).optional(),
    reduce: z.enum(['max', 'mean']).meta({ description: 'Reduce the whole spatial map instead of reading one position' }).optional(),
    noise: NoiseSchema.optional(),
    repeat: z.int().min(1).max(1000).meta({ description: 'Run the probe n times with seeds derived from the entry seed (for stochastic probes; see `k` in expectations)' }).optional(),
    ...neuronProbeFields,
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    const exactlyOne = (keys: readonly (keyof typeof e)[], what: string) => {
      const given = keys.filter((k) => e[k] !== undefined);
      if (given.length === 0) ctx.addIssue({ code: 'custom', path: [], message: `a neurons entry needs ${what}: ${keys.map((k) => `\`${String(k)}:\``).join(' or ')}` });
      if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1] as string], message: `give either \`${String(given[0])}:\` or \`${String(given[1])}:\`, not both` });
    };
    exactlyOne(['unit', 'units'], 'a unit');
    if (e.top !== undefined && (e.tuning !== undefined || e.featureviz !== undefined)) ctx.addIssue({ code: 'custom', path: ['top'], message: '`top:` ranks images by activation; it has no meaning with `tuning:` or `featureviz:`' });
    if (e.tuning !== undefined && e.featureviz !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['featureviz'], message: 'an entry is either a tuning check (`tuning:`) or a feature visualization (`featureviz:`); split it into two entries' });
    }
    if (e.featureviz !== undefined) {
      const f = e.featureviz;
      if (f.direction !== undefined && f.targets !== undefined) ctx.addIssue({ code: 'custom', path: ['featureviz', 'targets'], message: 'with `direction:` the entry visualizes one direction over all channels; `targets:` picks units — give one of them' });
      if (f.objective === 'channel' && Array.isArray(e.position)) ctx.addIssue({ code: 'custom', path: ['position'], message: '`objective: channel` averages the whole map; `position:` names one place — use `objective: neuron` with it, or remove it' });
      // Feature visualization makes its own input.
      for (const k of ['image', 'images', 'stimulus', 'noise'] as const) {
        if (e[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `\`${k}:\` has no meaning with \`featureviz:\`, which optimizes its own image; remove it` });
      }
    } else if (e.tuning !== undefined) {
      if (e.stimulus === undefined) ctx.addIssue({ code: 'custom', path: ['tuning'], message: 'a tuning check needs a `stimulus:` sweep over orientation' });
      for (const k of ['image', 'images'] as const) {
        if (e[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `tuning curves are measured on the \`stimulus:\` sweep; natural images go under \`tuning: { reference: { images: […] } }\`` });
      }
    } else {
      exactlyOne(['image', 'images', 'stimulus'], 'an input');
    }
    if (e.position !== undefined && e.reduce !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reduce'], message: '`reduce:` reads the whole map, `position:` one place; give one of them' });
    }
    if (Object.keys(e.expect).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
    }
  })
  .meta({ description: 'A check on units of a layer' });

export type NeuronEntry = z.output<typeof NeuronEntrySchema>;
