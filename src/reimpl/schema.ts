// The `reimpl:` entry of a spec (zod v4): compare the clean-room curve network with units of a
// trained layer on one stimulus sweep, and measure what removing its inhibition does.
//
//   reimpl:
//     - id: curves-vs-mixed2
//       layer: mixed2                      # of the suite's (trained) model
//       units: [79, 82, 109, 110, 104]     # candidate trained units
//       handbuilt: { params: { curves: { orientations: 24 } } }
//       stimulus: { curve: { orientation: { from: 0, to: 360, step: 5 }, radius: [16, 24, 32], width: 5 } }
//       expect:
//         matched.aligned_correlation: { min: 0.7 }
//         reimpl.echo: { max: 0.02 }
//         ablation.echo_increase: { min: 0.15 }
import { z } from 'zod';
import { ExpectSchema } from '../suite/schema/expect.ts';
import { IdSchema, overridable } from '../suite/schema/common.ts';
import { stimulusSchema } from '../suite/schema/stimulus.ts';

const Unit = z.int().min(0).max(1_000_000);
const num = (d: string) => z.number().meta({ description: d }).optional();
const int = (d: string) => z.int().meta({ description: d }).optional();

/** Overrides of the hand-built network's parameters (src/reimpl/params.ts documents each; ranges are checked when it is built). */
export const CurveNetParamsSchema = z
  .strictObject({
    size: int('Side of the square input in pixels (default 128)'),
    gabor: z.strictObject({
      orientations: int('Line orientations over 180° (default 12)'),
      kernel: int('Kernel side, odd (default 9)'),
      wavelength: num('Carrier wavelength in px (default 10)'),
      sigma: num('Envelope std across the stripes in px (default 2.2)'),
      aspect: num('Envelope std along ÷ across (default 1.5)'),
    }).optional(),
    lines: z.strictObject({
      kernel: int('Kernel side on the pooled grid, odd (default 5)'),
      length: num('Collinear extent in px (default 3)'),
      width: num('Extent across in px (default 1)'),
      orientationSigma: num('Orientation tuning std in degrees (default 12)'),
      inhibition: num('Cross-orientation inhibition strength (default 0.5)'),
    }).optional(),
    earlyCurves: z.strictObject({
      orientations: int('Orientations over 360° (default 24)'),
      radius: num('Arc radius in px (default 10)'),
      span: num('Arc span in degrees (default 120)'),
      kernel: int('Kernel side on the pooled grid, odd (default 9)'),
      positionSigma: num('Positional tolerance in px (default 1.5)'),
      orientationSigma: num('Orientation tuning std in degrees (default 15)'),
      inhibition: num('Perpendicular-line inhibition strength (default 1)'),
    }).optional(),
    curves: z.strictObject({
      orientations: int('Orientations over 360° (default 24)'),
      radius: z.strictObject({ min: num('px (default 16)'), max: num('px (default 32)'), steps: int('radii sampled in the band (default 5)') }).optional(),
      span: num('Arc span in degrees (default 100)'),
      kernel: int('Kernel side on the twice-pooled grid, odd (default 13)'),
      positionSigma: num('Positional tolerance in px (default 2)'),
      orientationSigma: num('Orientation tuning std in degrees (default 20)'),
      inhibition: num('Opposite-orientation inhibition strength (default 1); the ablation sets it to 0'),
      inhibitionSigma: num('Orientation spread of the inhibition in degrees (default 20)'),
    }).optional(),
  })
  .meta({ description: 'Parameters of the hand-built network that differ from the defaults (zoo:reimpl-curves)' });

export const HandBuiltSchema = z
  .strictObject({
    params: CurveNetParamsSchema.optional(),
    layer: z.enum(['curves', 'early_curves']).meta({ description: 'Hand-built layer compared (default curves)' }).optional(),
    units: z.array(Unit).min(1).max(1024).meta({ description: 'Hand-built units compared (default: all of the layer)' }).optional(),
  })
  .meta({ description: 'The clean-room network: its parameters and which of its units take part' });

export const REIMPL_METRICS = [
  // One value per matched pair (the entry's cases).
  'matched.similarity', 'matched.aligned_correlation', 'matched.lag_deg', 'matched.peak_distance_deg', 'matched.fwhm_ratio',
  'matched.radius_correlation', 'matched.echo_hand', 'matched.echo_trained',
  // Summaries of the matching.
  'matched.count', 'matched.mean_similarity', 'matched.mean_aligned_correlation', 'matched.mean_peak_distance_deg', 'matched.mean_fwhm_ratio',
  'matched.mean_radius_correlation',
  // The hand-built units on their own, one value per unit.
  'reimpl.peak_deg', 'reimpl.peak_error_deg', 'reimpl.fwhm_deg', 'reimpl.echo', 'reimpl.selectivity',
  // The trained candidates on their own, one value per unit.
  'trained.peak_deg', 'trained.fwhm_deg', 'trained.echo',
  // The inhibition ablation (mean over the hand-built units).
  'ablation.echo', 'ablation.no_inhibition_echo', 'ablation.keep_positive_echo', 'ablation.echo_increase', 'ablation.keep_positive_echo_increase',
  'ablation.edit_vs_parameter', 'ablation.peak_ratio',
] as const;

export const ReimplEntrySchema = z
  .strictObject({
    id: IdSchema,
    description: z.string().max(2000).optional(),
    ...overridable,
    layer: z.string().min(1).max(500).meta({ description: 'Layer of the (trained) model compared against, as `neurogate layers <model>` lists it' }),
    units: z.array(Unit).min(1).max(4096).meta({ description: 'Candidate trained units (e.g. the curve family a scan found)' }),
    handbuilt: HandBuiltSchema.optional(),
    stimulus: stimulusSchema.meta({ description: 'The sweep both networks see: orientation over the whole circle in even steps, optionally × radius' }),
    half: z.enum(['min', 'zero']).meta({ description: 'FWHM floor: the curve’s minimum (default) or zero' }).optional(),
    ablation: z.boolean().meta({ description: 'Measure the hand-built curves with their inhibition removed, by parameter and by the keep-positive edit (default true)' }).optional(),
    expect: ExpectSchema,
  })
  .superRefine((e, ctx) => {
    if (Object.keys(e.expect).length === 0) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'an entry needs at least one expectation under `expect:`' });
    if (e.ablation === false) {
      for (const m of Object.keys(e.expect)) {
        if (m.startsWith('ablation.')) ctx.addIssue({ code: 'custom', path: ['expect', m], message: `\`${m}\` needs the ablation, which \`ablation: false\` turns off` });
      }
    }
    if (new Set(e.units).size !== e.units.length) ctx.addIssue({ code: 'custom', path: ['units'], message: 'a unit is listed twice; each trained unit can be matched once' });
  })
  .meta({ description: 'Clean-room network vs trained units: tuning comparison, one-to-one matching, inhibition ablation' });

export type ReimplEntry = z.output<typeof ReimplEntrySchema>;
export type CurveNetParamsSpec = z.output<typeof CurveNetParamsSchema>;
