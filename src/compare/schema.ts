// The `compare:` entry (zod v4): one layer of the model compared with the same layer of the suite's
// baseline model — CKA, matched units (named in the baseline's numbering), logit and map drift.
//
//   baseline: ./models/v1.onnx
//   compare:
//     - id: mixed2-survives-retraining
//       layer: mixed2
//       units: [79, 82, 109]          # baseline numbering: each resolves to its matched unit
//       images: [images/chelsea.png]
//       expect: { cka: { min: 0.9 }, match.correlation: { min: 0.8 }, family.matched: { min: 2 } }
import { z } from 'zod';
import { ExpectSchema } from '../suite/schema/expect.ts';
import { IdSchema, overridable, PathSchema } from '../suite/schema/common.ts';
import { methodNamed } from '../probes/attribution/index.ts';

export const COMPARE_METRICS = [
  'cka', 'cka_debiased', 'matched', 'mean_correlation',
  'match.correlation', 'match.unit', 'match.peak_shift_deg', 'family.matched',
  'logit.max_abs_drift', 'logit.top1_agreement',
  'map_similarity', 'map.spearman', 'map.top_iou', 'map.ssim',
] as const;

// Checked against the method descriptors when a spec is parsed, so registered methods count too.
const METHOD = z.string().refine((name) => methodNamed(name) !== undefined, { message: 'unknown attribution method' });

export const CompareEntrySchema = z
  .strictObject({
    id: IdSchema,
    description: z.string().max(2000).optional(),
    ...overridable,
    layer: z.string().min(1).max(500).meta({ description: 'Layer both models have (same name and shape)' }),
    units: z.array(z.int().min(0).max(1_000_000)).min(1).max(100_000).meta({ description: 'Units in the baseline’s numbering; each resolves to the candidate unit matched to it (match.* and family.* metrics, one case per unit)' }).optional(),
    images: z.array(PathSchema).min(1).max(1000).meta({ description: 'Images added to the probe set; logits and attribution maps are compared on them (map.* metrics)' }).optional(),
    threshold: z.number().min(-1).max(1).meta({ description: 'A unit counts as matched when its partner correlates at least this much (default 0.8)' }).optional(),
    peak_tolerance: z.number().min(0).max(180).meta({ description: 'family.matched: largest shift of the preferred orientation, degrees (default 15)' }).optional(),
    orientations: z.int().min(4).max(360).meta({ description: 'Curve orientations in the probe set (default 16)' }).optional(),
    method: METHOD.meta({ description: 'Attribution method whose maps map.* compares (default gradient)' }).optional(),
    repeat: z.int().min(1).max(1).optional(),
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    if (Object.keys(e.expect).length === 0) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
    for (const metric of Object.keys(e.expect)) {
      if ((metric.startsWith('match.') || metric.startsWith('family.')) && !e.units) ctx.addIssue({ code: 'custom', path: ['expect', metric], message: 'measured on named units: add `units:` (in the baseline’s numbering)' });
      if (metric.startsWith('map') && !e.images) ctx.addIssue({ code: 'custom', path: ['expect', metric], message: 'measured on images: add `images:`' });
    }
  })
  .meta({ description: 'Compare a layer with the same layer of the baseline model: representation similarity, matched units, logit and map drift' });

export type CompareEntry = z.output<typeof CompareEntrySchema>;
