// The `concepts:` entry (zod v4): how a layer encodes named concepts, on seeded scenes with exact
// masks — network dissection, Net2Vec, TCAV for a class, or which channels a class rests on.
//
//   concepts:
//     - id: disk-needs-several-filters
//       layer: /Relu_2_output_0
//       method: net2vec
//       scenes: shapes
//       concept: disk
//       expect: { net2vec.gain: { min: 0.05 } }
import { z } from 'zod';
import { ImagesSchema } from '../../datasets/schema.ts';
import { ExpectSchema } from '../../suite/schema/expect.ts';
import { IdSchema, PathSchema, overridable } from '../../suite/schema/common.ts';
import { SCENE_SOURCES, conceptsOf } from './source.ts';

export const CONCEPT_METHODS = ['dissection', 'net2vec', 'tcav', 'channels'] as const;

export const CONCEPT_METRICS = {
  dissection: ['dissection.iou', 'dissection.concept', 'dissection.concept_iou', 'dissection.matches'],
  net2vec: ['net2vec.iou', 'net2vec.single_filter_iou', 'net2vec.ap', 'net2vec.single_filter_ap', 'net2vec.gain', 'net2vec.filters_90', 'net2vec.single_filter'],
  tcav: ['tcav.score', 'tcav.p_value', 'tcav.significant', 'tcav.random_score'],
  channels: ['channels.top', 'channels.kept_fraction', 'channels.grad_top', 'channels.grad_kept_fraction', 'channels.found'],
} as const;

/** Defaults, written once: the entry echoes them in the report's params. */
export const CONCEPT_DEFAULTS = {
  scenes: 'strokes' as const, count: 64, quantile: 0.005, variant: 'segmentation' as const, l2: 1e-3, iterations: 300,
  random_sets: 10, examples: 20, inputs: 20, alpha: 0.05, tests: 1, keep: 10,
};

export const ConceptEntrySchema = z
  .strictObject({
    id: IdSchema,
    description: z.string().max(2000).optional(),
    ...overridable,
    layer: z.string().min(1).max(500).meta({ description: 'A spatial layer [C, H, W] (catalog name or IR tensor)' }),
    method: z.enum(CONCEPT_METHODS).meta({ description: 'dissection (Bau et al. 2017), net2vec (Fong & Vedaldi 2018) or tcav (Kim et al. 2018)' }),
    scenes: z.enum(SCENE_SOURCES).meta({ description: 'Scene generator with exact masks: shapes (disk, square, triangle) or strokes (curve, line, circle, angle); default strokes' }).optional(),
    masks: PathSchema.meta({ description: 'Your own data instead of generated scenes: a CSV whose header is `path,<concept>,…` and whose cells are one binary mask file per concept (empty: absent), as Broden’s index.csv; paths relative to it' }).optional(),
    images: ImagesSchema.meta({ description: 'tcav, channels: your own images; the concept set is those tagged (or labelled) with `concept:`, random sets come from the rest or from `random_images:`' }).optional(),
    random_images: ImagesSchema.meta({ description: 'tcav with `images:`: where the random sets are drawn from (default: the images without the concept)' }).optional(),
    count: z.int().min(4).max(10_000).meta({ description: 'Scenes for dissection and Net2Vec (half train, half score for Net2Vec); default 64' }).optional(),
    concept: z.string().min(1).max(100).meta({ description: 'The concept: needed for net2vec and tcav; for dissection, the concept the units should detect' }).optional(),
    units: z.array(z.int().min(0).max(1_000_000)).min(1).max(100_000).meta({ description: 'dissection: units to dissect (default all); channels: the channels expected among the kept ones (channels.found)' }).optional(),
    quantile: z.number().gt(0).lt(1).meta({ description: 'dissection: top fraction of activations that counts as on (default 0.005)' }).optional(),
    variant: z.enum(['segmentation', 'classification']).meta({ description: 'net2vec: per-cell masks (IoU) or per-scene presence (AP); default segmentation' }).optional(),
    l2: z.number().min(0).max(1e6).meta({ description: 'net2vec, tcav: L2 weight of the logistic regression (default 0.001)' }).optional(),
    iterations: z.int().min(1).max(100_000).meta({ description: 'net2vec, tcav: gradient steps of the logistic regression (default 300)' }).optional(),
    target: z.int().min(0).max(1_000_000).meta({ description: 'tcav, channels: the class whose logit is explained' }).optional(),
    random_sets: z.int().min(2).max(500).meta({ description: 'tcav: random sets (one CAV and one null CAV each); default 10' }).optional(),
    examples: z.int().min(2).max(10_000).meta({ description: 'tcav: scenes per concept and per random set; default 20' }).optional(),
    inputs: z.int().min(1).max(10_000).meta({ description: 'tcav: scenes holding the concept whose gradients are scored (default 20)' }).optional(),
    alpha: z.number().gt(0).lt(1).meta({ description: 'tcav: significance level before Bonferroni (default 0.05)' }).optional(),
    tests: z.int().min(1).max(100_000).meta({ description: 'tcav: concepts tested in the study; α is divided by it (Bonferroni; default 1)' }).optional(),
    keep: z.int().min(1).max(1_000_000).meta({ description: 'channels: channels the extremal mask keeps on (default 10)' }).optional(),
    repeat: z.int().min(1).max(1).optional(),
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    if (Object.keys(e.expect).length === 0) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
    if ((e.method === 'net2vec' || e.method === 'tcav') && !e.concept) ctx.addIssue({ code: 'custom', path: ['concept'], message: `${e.method} needs a \`concept:\`` });
    if ((e.method === 'tcav' || e.method === 'channels') && e.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: `${e.method} needs a \`target:\` class index` });
    if (e.method === 'channels' && Object.keys(e.expect).includes('channels.found') && !e.units) ctx.addIssue({ code: 'custom', path: ['expect', 'channels.found'], message: 'channels.found counts the channels under `units:`: add them' });
    if (e.masks !== undefined && e.scenes !== undefined) ctx.addIssue({ code: 'custom', path: ['scenes'], message: 'take concepts from `scenes:` or from `masks:`, not both' });
    if (e.images !== undefined && (e.masks !== undefined || e.scenes !== undefined)) ctx.addIssue({ code: 'custom', path: ['images'], message: 'take concepts from one of `scenes:`, `masks:` or `images:`' });
    if (e.images !== undefined && e.method !== 'tcav' && e.method !== 'channels') ctx.addIssue({ code: 'custom', path: ['images'], message: `${e.method} needs a mask per concept: use \`masks:\` (images by tag serve tcav and channels)` });
    if (e.random_images !== undefined && (e.images === undefined || e.method !== 'tcav')) ctx.addIssue({ code: 'custom', path: ['random_images'], message: '`random_images:` is where TCAV draws its random sets from when the concept images come from `images:`' });
    if (e.masks !== undefined && e.count !== undefined) ctx.addIssue({ code: 'custom', path: ['count'], message: 'with `masks:` every row of the manifest is used: drop `count:` (sample the manifest instead)' });
    // A manifest's concepts are its header's: checked against the entry once it is read.
    const known = conceptsOf(e.scenes ?? CONCEPT_DEFAULTS.scenes);
    if (e.masks === undefined && e.images === undefined && e.concept && !known.includes(e.concept)) ctx.addIssue({ code: 'custom', path: ['concept'], message: `"${e.concept}" is not a concept of ${e.scenes ?? CONCEPT_DEFAULTS.scenes} scenes (${known.join(', ')})` });
    const own: readonly string[] = CONCEPT_METRICS[e.method];
    for (const m of Object.keys(e.expect)) {
      if (!own.includes(m)) ctx.addIssue({ code: 'custom', path: ['expect', m], message: `${e.method} does not measure ${m} (it measures ${own.join(', ')})` });
    }
  })
  .meta({ description: 'How a layer encodes concepts on scenes with exact masks: network dissection, Net2Vec, TCAV' });

export type ConceptEntry = z.output<typeof ConceptEntrySchema>;
