// The `masks:` spec entry: an image (or several), what to explain (a class, a contrastive class, a
// unit, a channel, a region of a dense map, an element or direction of any tensor, a detection), one attribution method with its hyperparameters (published defaults when
// omitted), the extra measurements to make, and expectations on the metrics. zod v4, snake_case keys.
import { z } from 'zod';
import { IdSchema, PathSchema, overridable } from '../../suite/schema/common.ts';
import { ExpectSchema } from '../../suite/schema/expect.ts';
import { ImagesSchema } from '../../datasets/schema.ts';
import { AggregateSchema } from '../../datasets/aggregate.ts';
import { optionsSchema } from './method.ts';
import { sealMethods } from './methods/index.ts';
import { metricSchema } from './metric.ts';
import { sealMetrics } from './metrics/index.ts';

const ClassRef = z.union([z.int().min(0), z.string().min(1).max(200)]).meta({ description: 'Class index or label (as the model names it)' });
const Layer = z.string().min(1).max(500).meta({ description: 'Layer name as `neurogate layers <model>` lists it (or the IR tensor name)' });
const Unit = z.int().min(0).max(1_000_000);
const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]).meta({ description: '[y0, x0, y1, x1]: top-left then bottom-right corner' });
const Region = z
  .union([
    z.strictObject({
      box: Box,
      units: z.enum(['pixels', 'fraction']).meta({ description: 'pixels (default): cells of the output map; fraction: of its height and width. A cell is inside when its centre is' }).optional(),
    }),
    z.strictObject({ mask: PathSchema.meta({ description: 'A PNG or JPEG: pixels at least half white are inside; resized to the output map by nearest neighbour' }) }),
  ])
  .meta({ description: 'Where on the output map: a box or a mask image' });
const Int = (min: number, max: number, d: string) => z.int().min(min).max(max).meta({ description: d });

export const MaskTargetSchema = z
  .union([
    z.literal('top').meta({ description: 'The class the model predicts for each image' }),
    z.literal('label').meta({ description: 'Each image’s own class label, from its manifest or generated scene' }),
    z.strictObject({ class: ClassRef }).meta({ description: 'The logit of a class' }),
    z.strictObject({ contrastive: ClassRef }).meta({ description: 'Logit of the class minus the best other class (TorchRay’s contrastive reward)' }),
    z.strictObject({
      unit: z.strictObject({
        layer: Layer,
        unit: Unit.meta({ description: 'Channel index' }),
        position: z.union([z.literal('center'), z.tuple([z.int().min(0), z.int().min(0)])]).meta({ description: '"center" (default) or [y, x] in the layer’s grid' }).optional(),
      }),
    }).meta({ description: 'One unit of a layer at one position' }),
    z.strictObject({ channel: z.strictObject({ layer: Layer, unit: Unit.meta({ description: 'Channel index' }) }) }).meta({ description: 'The spatial mean of one channel' }),
    z.strictObject({
      tensor: Layer,
      channel: Unit.meta({ description: 'Class channel of the [N, C, H, W] map' }),
      region: Region,
      reduce: z.enum(['sum', 'mean']).meta({ description: 'sum (default) or mean of the channel over the region' }).optional(),
    }).meta({ description: 'A segmentation class score summed (or averaged) over a region of a dense output' }),
    z.strictObject({ tensor: Layer, index: z.array(z.int().min(0)).max(8).meta({ description: 'One index per axis after the batch axis' }) })
      .meta({ description: 'One element of any output (a regression value)' }),
    z.strictObject({ tensor: Layer, direction: z.array(z.number()).min(1).max(1_000_000).meta({ description: 'One weight per element of an item, row-major' }) })
      .meta({ description: 'The dot product of an output with a vector (a regression direction)' }),
    z.strictObject({
      detection: z.strictObject({
        boxes: Layer.meta({ description: 'Decoded boxes [N, D, 4], each [y0, x0, y1, x1]' }),
        scores: Layer.meta({ description: 'Per-detection class scores [N, D, K] (or [N, D])' }),
        class: Unit.meta({ description: 'Class index along the scores’ last axis' }),
        box: Box.meta({ description: 'The object to explain, [y0, x0, y1, x1] in the boxes’ units' }),
        iou: z.number().gt(0).max(1).meta({ description: 'Least IoU with `box` (default 0.5)' }).optional(),
      }),
    }).meta({ description: 'The score of the best detection of a class overlapping a box, chosen on the unperturbed image and then kept' }),
  ])
  .meta({ description: 'What the map explains' });

/** `{ <method name>: { <spec option>: value } }` (or a method's shorthand value), exactly one key. */
export type MaskMethodSpec = Record<string, Record<string, unknown> | string>;

/**
 * One method block, `{ <name>: { options } }`, for each descriptor in methods/index.ts. Built on first
 * use, so a method registered before the first spec is parsed (a plugin, a test) is part of it.
 */
export const MethodSchema = z
  .lazy((): z.ZodType<MaskMethodSpec> => z.union(sealMethods().map((d) => z.strictObject({ [d.name]: optionsSchema(d) }))) as z.ZodType as z.ZodType<MaskMethodSpec>)
  .meta({ description: 'One attribution method and its hyperparameters; every omitted one takes the published default, and all are echoed in the report' });

/** The `measure:` block: one optional key per metric descriptor in metrics/index.ts, built on first use like MethodSchema. */
export const MeasureSchema = z
  .lazy((): z.ZodType<MaskMeasureSpec> => z.strictObject(Object.fromEntries(sealMetrics().map((d) => [d.key, metricSchema(d).optional()]))) as z.ZodType as z.ZodType<MaskMeasureSpec>)
  .meta({ description: 'Extra measurements (each costs model runs); score, area, completeness and total_variation are always measured' });

/**
 * The `properties:` block: the metrics that test an axiom of attribution, under their own heading
 * so a spec reads as the properties it demands; they are measured as if asked under `measure:`.
 */
export const PropertiesSchema = z
  .lazy((): z.ZodType<MaskMeasureSpec> => z.strictObject(Object.fromEntries(sealMetrics().filter((d) => d.property).map((d) => [d.key, metricSchema(d).optional()]))) as z.ZodType as z.ZodType<MaskMeasureSpec>)
  .meta({ description: 'Properties the method must have (each a seeded check measured like `measure:`): implementation invariance, input invariance, sensitivity-n, linearity, dummy input' });

/** What an entry measures: its `measure:` and its `properties:` in one block. */
export function measuredBy(e: { measure?: MaskMeasureSpec; properties?: MaskMeasureSpec }): MaskMeasureSpec {
  return { ...e.measure, ...e.properties };
}

/** The masks entry's tie rule when it names none: PyTorch's and onnxruntime's, so maps compare with Captum's. */
export const MAXPOOL_TIES_DEFAULT = 'first' as const;

export const MaskEntrySchema = z
  .strictObject({
    id: IdSchema,
    description: z.string().max(2000).optional(),
    ...overridable,
    image: PathSchema.optional(),
    images: ImagesSchema.optional(),
    target: MaskTargetSchema.optional(),
    method: MethodSchema,
    measure: MeasureSchema.optional(),
    properties: PropertiesSchema.optional(),
    aggregate: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an aggregate name is one word'), AggregateSchema).meta({ description: 'Dataset-level metrics made from per-image ones, checked under `expect:` by their names' }).optional(),
    maxpool_ties: z.enum(['split', 'first']).meta({ description: `Who gets a max-pool window's gradient when several inputs tie for its max: \`first\` gives it to the first in row-major order, as PyTorch and onnxruntime do; \`split\` shares it equally (default: ${MAXPOOL_TIES_DEFAULT})` }).optional(),
    heatmap: z.enum(['magnitude', 'signed', 'mask']).meta({ description: 'How the report colours the map (default: mask for mask methods, magnitude otherwise)' }).optional(),
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    const given = (['image', 'images'] as const).filter((k) => e[k] !== undefined);
    if (given.length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'a masks entry needs `image:` or `images:`' });
    if (given.length > 1) ctx.addIssue({ code: 'custom', path: ['images'], message: 'give either `image:` or `images:`, not both' });
    if (Object.keys(e.method).length !== 1) ctx.addIssue({ code: 'custom', path: ['method'], message: 'name exactly one method' });
    for (const k of Object.keys(e.properties ?? {})) if (e.measure?.[k] !== undefined) ctx.addIssue({ code: 'custom', path: ['properties', k], message: `\`${k}\` is asked for under both \`measure:\` and \`properties:\`; keep one` });
    if (Object.keys(e.expect).length === 0) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
  })
  .meta({ description: 'An attribution map or mask of an image and checks on its metrics' });

export type MaskEntry = z.output<typeof MaskEntrySchema>;

export type MaskTargetSpec = z.output<typeof MaskTargetSchema>;

/** Every layer a spec target names, with its path under `target:` (checked at validate time). */
export function targetLayers(t: MaskTargetSpec | undefined): { path: string[]; name: string }[] {
  if (!t || typeof t !== 'object') return [];
  if ('unit' in t) return [{ path: ['unit', 'layer'], name: t.unit.layer }];
  if ('channel' in t && typeof t.channel === 'object') return [{ path: ['channel', 'layer'], name: t.channel.layer }];
  if ('tensor' in t) return [{ path: ['tensor'], name: t.tensor }];
  if ('detection' in t) return (['boxes', 'scores'] as const).map((k) => ({ path: ['detection', k], name: t.detection[k] }));
  return [];
}
/** The `measure:` block: each metric's key and its options (`true` for flags). */
export type MaskMeasureSpec = Record<string, unknown>;
