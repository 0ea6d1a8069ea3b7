// The `masks:` spec entry: an image (or several), what to explain (a class, a contrastive class, a
// unit or a channel), one attribution method with its hyperparameters (published defaults when
// omitted), the extra measurements to make, and expectations on the metrics. zod v4, snake_case keys.
import { z } from 'zod';
import { IdSchema, PathSchema, overridable } from '../../suite/schema/common.ts';
import { ExpectSchema } from '../../suite/schema/expect.ts';
import { ImagesSchema } from '../../datasets/schema.ts';
import { AggregateSchema } from '../../datasets/aggregate.ts';

const ClassRef = z.union([z.int().min(0), z.string().min(1).max(200)]).meta({ description: 'Class index or label (as the model names it)' });
const Layer = z.string().min(1).max(500).meta({ description: 'Layer name as `neurogate layers <model>` lists it (or the IR tensor name)' });
const Unit = z.int().min(0).max(1_000_000);
const Frac = (d: string) => z.number().gt(0).lt(1).meta({ description: d });
const Pos = (d: string) => z.number().gt(0).meta({ description: d });
const Int = (min: number, max: number, d: string) => z.int().min(min).max(max).meta({ description: d });
const Seed = z.int().min(0).max(2 ** 32 - 1).meta({ description: 'Seed of the method’s random draws (default: 0)' });

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
  ])
  .meta({ description: 'What the map explains' });

const none = z.strictObject({}).meta({ description: 'No hyperparameters' });

export const MethodSchema = z
  .union([
    z.strictObject({ gradient: none }),
    z.strictObject({ gradient_x_input: none }),
    z.strictObject({
      smoothgrad: z.strictObject({
        samples: Int(1, 100_000, 'Noisy copies (default 50)').optional(),
        noise: z.number().min(0).max(10).meta({ description: 'Noise std as a fraction of the input’s value range (default 0.15)' }).optional(),
        seed: Seed.optional(),
      }),
    }),
    z.strictObject({
      integrated_gradients: z.strictObject({
        steps: Int(1, 100_000, 'Quadrature points (default 50)').optional(),
        rule: z.enum(['riemann_trapezoid', 'gausslegendre', 'riemann_left', 'riemann_right', 'riemann_middle']).meta({ description: 'Quadrature rule (default riemann_trapezoid)' }).optional(),
        baseline: z.union([z.number(), z.literal('blur')]).meta({ description: 'Constant in model-input units (default 0), or "blur"' }).optional(),
        blur_sigma: Pos('σ in px of the "blur" baseline (default 10)').optional(),
        internal_batch: Int(1, 4096, 'Path points per run: the memory bound (default: engine batch)').optional(),
      }),
    }),
    z.strictObject({
      grad_cam: z.strictObject({
        layer: Layer.optional(),
        relu: z.boolean().meta({ description: 'Keep positive evidence only (default true, as the paper)' }).optional(),
        upsample: z.enum(['bilinear', 'none']).meta({ description: 'Bilinear with half-pixel centres (default), or keep the layer’s grid' }).optional(),
      }),
    }),
    z.strictObject({
      occlusion: z.strictObject({
        window: z.tuple([z.int().min(1), z.int().min(1)]).meta({ description: '[height, width] in px (default [16, 16])' }).optional(),
        stride: z.tuple([z.int().min(1), z.int().min(1)]).meta({ description: '[y, x] in px (default [8, 8])' }).optional(),
        baseline: z.number().meta({ description: 'Value in the window, model-input units (default 0)' }).optional(),
        per_channel: z.boolean().meta({ description: 'Occlude channels separately, giving a [C,H,W] map (default false)' }).optional(),
      }),
    }),
    z.strictObject({
      rise: z.strictObject({
        masks: Int(1, 1_000_000, 'Random masks (default 4000)').optional(),
        cells: Int(2, 256, 'Grid cells per side (default 7)').optional(),
        p: z.number().gt(0).max(1).meta({ description: 'Keep probability of a cell (default 0.5)' }).optional(),
        seed: Seed.optional(),
        score: z.enum(['probability', 'sigmoid', 'raw']).meta({ description: 'Score of a masked input (default: probability for classes, else raw)' }).optional(),
      }),
    }),
    z.strictObject({
      meaningful_perturbation: z.strictObject({
        iterations: Int(1, 100_000, 'Adam steps (default 300)').optional(),
        learning_rate: Pos('Adam learning rate (default 0.1)').optional(),
        l1: z.number().min(0).meta({ description: 'λ₁ of Σ|1 − m| (default 1e-4)' }).optional(),
        tv: z.number().min(0).meta({ description: 'λ_TV (default 1e-2)' }).optional(),
        tv_beta: Pos('β of the TV term (default 3)').optional(),
        mask_scale: Int(1, 64, 'Mask resolution = input / mask_scale (default 8)').optional(),
        mask_blur: z.number().min(0).meta({ description: 'σ in px of the upsampled mask’s blur (default 5)' }).optional(),
        jitter: Int(0, 64, 'Largest random shift in px (default 4)').optional(),
        blur_sigma: Pos('σ of the blurred image that deletion reveals (default 10)').optional(),
        seed: Seed.optional(),
        score: z.enum(['probability', 'raw']).optional(),
      }),
    }),
    z.strictObject({
      extremal: z.strictObject({
        areas: z.array(Frac('Mask area')).min(1).max(32).meta({ description: 'Target areas (default [0.1])' }).optional(),
        variant: z.enum(['preserve', 'delete', 'dual']).meta({ description: 'Game (default preserve)' }).optional(),
        perturbation: z.enum(['blur', 'fade']).optional(),
        iterations: Int(1, 100_000, 'SGD steps (default 800)').optional(),
        levels: Int(2, 64, 'Pyramid levels (default 8)').optional(),
        max_blur: Pos('Largest blur σ in px (default 20)').optional(),
        step: Int(1, 256, 'Mask parameter step in px (default 7)').optional(),
        sigma: Pos('Mask smoothing σ in px (default 21)').optional(),
        jitter: z.boolean().meta({ description: 'Flip on even iterations (default true)' }).optional(),
        learning_rate: Pos('SGD learning rate (default 0.01)').optional(),
        momentum: z.number().min(0).lt(1).meta({ description: 'SGD momentum = dampening (default 0.9)' }).optional(),
        area_weight: Pos('Initial λ of the area constraint (default 300)').optional(),
        area_growth: z.number().min(1).meta({ description: 'λ growth per iteration (default 1.0035)' }).optional(),
        smooth: z.number().min(0).meta({ description: 'Gaussian smoothing of the final masks, σ as a fraction of min(H, W) (default 0)' }).optional(),
      }),
    }),
  ])
  .meta({ description: 'One attribution method and its hyperparameters; every omitted one takes the published default, and all are echoed in the report' });

export const MeasureSchema = z
  .strictObject({
    preserve: z.strictObject({ areas: z.array(Frac('Area')).min(1).max(32) }).meta({ description: 'For map methods: keep the top-area pixels (blur elsewhere) and score (preserved_fraction / deleted_fraction per area)' }).optional(),
    deletion: z.strictObject({ steps: Int(1, 10_000, 'Curve steps (default 50)').optional() }).meta({ description: 'Deletion curve AUC (deletion_auc, normalised: deletion_auc_norm)' }).optional(),
    insertion: z.strictObject({ steps: Int(1, 10_000, 'Curve steps (default 50)').optional() }).meta({ description: 'Insertion curve AUC (insertion_auc, insertion_auc_norm)' }).optional(),
    random_baseline: z.boolean().meta({ description: 'Also score a seeded random map on the same curves (…_random and …_vs_random = method − random)' }).optional(),
    pointing: z.strictObject({
      box: z.tuple([z.int().min(0), z.int().min(0), z.int().min(0), z.int().min(0)]).meta({ description: '[x0, y0, x1, y1] inclusive, in model-input pixels; default: each image’s boxes (or mask) from its source' }).optional(),
      subset: z.enum(['all', 'difficult']).meta({ description: 'Score every image (default) or only those marked difficult (TorchRay’s difficult subset)' }).optional(),
      tolerance: z.number().min(0).meta({ description: 'Hit distance in px (default 15)' }).optional(),
      smooth: z.number().min(0).meta({ description: 'Smooth the map first, σ as a fraction of min(H, W) (TorchRay: 0.09 for masks)' }).optional(),
    }).meta({ description: 'Pointing game: pointing_hit (1/0) and pointing_distance' }).optional(),
    randomization: z.strictObject({ steps: Int(1, 1000, 'Cascade points (default 4)').optional() }).meta({ description: 'Cascading model-parameter randomisation: mprt_top (Spearman ρ after the top layers), mprt_final (all layers); every point in a table' }).optional(),
    sensitivity: z.strictObject({ radius: Pos('L∞ radius (default 0.02)').optional(), samples: Int(1, 1000, 'Default 10').optional() }).meta({ description: 'max_sensitivity and max_sensitivity_relative' }).optional(),
    infidelity: z.strictObject({ noise: Pos('Std of the perturbation (default 0.003)').optional(), samples: Int(1, 10_000, 'Default 10').optional() }).meta({ description: 'infidelity' }).optional(),
    determinism: z.boolean().meta({ description: 'Run the method twice: deterministic (1/0), determinism_max_diff' }).optional(),
  })
  .meta({ description: 'Extra measurements (each costs model runs); score, area, completeness and total_variation are always measured' });

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
    aggregate: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an aggregate name is one word'), AggregateSchema).meta({ description: 'Dataset-level metrics made from per-image ones, checked under `expect:` by their names' }).optional(),
    heatmap: z.enum(['magnitude', 'signed', 'mask']).meta({ description: 'How the report colours the map (default: mask for mask methods, magnitude otherwise)' }).optional(),
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    const given = (['image', 'images'] as const).filter((k) => e[k] !== undefined);
    if (given.length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'a masks entry needs `image:` or `images:`' });
    if (given.length > 1) ctx.addIssue({ code: 'custom', path: ['images'], message: 'give either `image:` or `images:`, not both' });
    if (Object.keys(e.method).length !== 1) ctx.addIssue({ code: 'custom', path: ['method'], message: 'name exactly one method' });
    if (Object.keys(e.expect).length === 0) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
  })
  .meta({ description: 'An attribution map or mask of an image and checks on its metrics' });

export type MaskEntry = z.output<typeof MaskEntrySchema>;
export type MaskMethodSpec = z.output<typeof MethodSchema>;
export type MaskTargetSpec = z.output<typeof MaskTargetSchema>;
export type MaskMeasureSpec = z.output<typeof MeasureSchema>;

/** Metric names a masks entry can produce (for "did you mean" on misspelt expectations). */
export const MASK_METRICS = [
  'score', 'area', 'area_full', 'preserved', 'deleted', 'preserved_fraction', 'deleted_fraction',
  'completeness_gap', 'completeness_relative', 'total_variation',
  'deletion_auc', 'deletion_auc_norm', 'insertion_auc', 'insertion_auc_norm',
  'deletion_auc_random', 'insertion_auc_random', 'deletion_auc_vs_random', 'insertion_auc_vs_random',
  'pointing_hit', 'pointing_distance', 'pointing_accuracy', 'pointing_hit_rate', 'top1_accuracy', 'top5_accuracy', 'mprt_top', 'mprt_final',
  'max_sensitivity', 'max_sensitivity_relative', 'infidelity', 'deterministic', 'determinism_max_diff',
  // The first image's map (a mask method: its first mask) coloured as the report shows it; only an image `golden:` reads it.
  'heatmap',
] as const;
