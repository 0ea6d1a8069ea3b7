// The `adversarial:` spec entry (zod v4): images, an attack (FGSM or PGD, L∞ or L2), budgets in
// grey levels, the attribution method whose maps are compared and fed to the detector.
//
//   adversarial:
//     - id: pgd-fools-shapes
//       images: { scenes: { n: 24, seed: 3 } }
//       attack: pgd                  # fgsm | pgd
//       epsilon: [0.25, 1]           # grey levels out of 255 (1 ≙ 1/255)
//       method: gradient
//       expect: { robust_accuracy: { max: 0.5 }, detection.auc: { min: 0.9 } }
import { z } from 'zod';
import { ImagesSchema } from '../../datasets/schema.ts';
import { IdSchema, overridable } from '../../suite/schema/common.ts';
import { ExpectSchema } from '../../suite/schema/expect.ts';
import { methodNamed } from '../attribution/index.ts';

export const ADVERSARIAL_METRICS = [
  'clean_accuracy', 'robust_accuracy', 'attack_success_rate', 'mean_linf', 'mean_l2', 'logit_margin_drop',
  'stability.spearman', 'stability.top_iou', 'detection.auc', 'detection.tpr_at_5fpr', 'recovery.accuracy',
] as const;

const METHOD = z.string().refine((name) => methodNamed(name) !== undefined, { message: 'unknown attribution method' });

export const AdversarialEntrySchema = z
  .strictObject({
    id: IdSchema,
    description: z.string().max(2000).optional(),
    ...overridable,
    images: ImagesSchema,
    attack: z.enum(['fgsm', 'pgd']).meta({ description: 'fgsm: one step of ε·sign(∇); pgd: `steps` projected steps (default pgd)' }).optional(),
    norm: z.enum(['linf', 'l2']).meta({ description: 'Budget norm (default linf); an L2 ε is of the whole image' }).optional(),
    epsilon: z.array(z.number().min(0).max(255)).min(1).max(32).meta({ description: 'Budgets in grey levels out of 255 (8 ≙ 8/255); each is a case of every metric' }),
    steps: z.int().min(1).max(1000).meta({ description: 'PGD steps (default 10)' }).optional(),
    step_size: z.number().min(0).max(255).meta({ description: 'PGD step in grey levels (default 2.5·ε/steps)' }).optional(),
    random_start: z.boolean().meta({ description: 'PGD starts at a seeded uniform draw from the ε-ball (default true)' }).optional(),
    loss: z.enum(['ce', 'margin']).meta({ description: 'Cross-entropy (default) or the Carlini–Wagner margin' }).optional(),
    targeted: z.int().min(0).max(100_000).meta({ description: 'Attack towards this class instead of away from the label' }).optional(),
    method: METHOD.meta({ description: 'Attribution method of the clean and attacked maps (default gradient); each map explains the class the model predicts' }).optional(),
    top_fraction: z.number().gt(0).max(1).meta({ description: 'stability.top_iou: fraction of most attributed pixels (default 0.1)' }).optional(),
    repeat: z.int().min(1).max(1).optional(),
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    if (Object.keys(e.expect).length === 0) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
    if (e.attack === 'fgsm' && (e.steps !== undefined || e.step_size !== undefined || e.random_start !== undefined)) ctx.addIssue({ code: 'custom', path: ['attack'], message: 'fgsm is one step of size ε from the image: steps, step_size and random_start belong to pgd' });
  })
  .meta({ description: 'Adversarial robustness: attacks on images, accuracy and attribution under attack, and detection of attacks from attribution maps' });

export type AdversarialEntry = z.output<typeof AdversarialEntrySchema>;
