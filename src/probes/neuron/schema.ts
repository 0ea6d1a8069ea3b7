// The spec keys the neuron probes add to a `neurons:` entry (zod v4), for the runner's entry schema
// to spread in: `tuning:` (with a `stimulus:` sweep) selects the tuning probe, `featureviz:` the
// feature-visualization probe; without either the entry stays a plain activation check.
//
//   - id: curve-family
//     layer: mixed2
//     units: [79, 82, 109]
//     stimulus: { curve: { orientation: { from: 0, to: 360, step: 5 }, radius: [16, 32, 64], width: 5 } }
//     tuning: { reference: { clutter: 8 } }
//     expect: { tuning.echo: { max: 0.05 }, family.largest_gap_deg: { max: 120 }, scan.rank: { max: 20 } }
import { z } from 'zod';

const Path = z.string().min(1).max(4096).meta({ description: 'A file path, relative to the spec file' });

export const TuningSchema = z
  .strictObject({
    half: z.enum(['min', 'zero']).meta({ description: 'FWHM is measured at half way between the peak and the curve’s minimum (min, default) or zero' }).optional(),
    reference: z
      .strictObject({
        clutter: z.int().min(0).max(256).meta({ description: 'Number of seeded clutter backgrounds compared against (default 8); also the statistics set when no images are given' }).optional(),
        images: z.array(Path).min(1).max(1000).meta({ description: 'Natural images: each unit’s mean and std over them (all positions) give tuning.peak_z and the scan’s strength' }).optional(),
      })
      .meta({ description: 'What the units’ responses are compared against' })
      .optional(),
    scan_top: z.int().min(1).max(100_000).meta({ description: 'Rows of the layer scan kept in the report (default 30); every unit is ranked regardless' }).optional(),
  })
  .meta({ description: 'Measure tuning curves over the `stimulus:` sweep (which must sweep orientation; one more axis, e.g. radius, is allowed). Metrics: tuning.peak_deg, tuning.peak, tuning.peak_z, tuning.fwhm_deg, tuning.echo, tuning.selectivity, tuning.resultant, tuning.best (per unit); family.largest_gap_deg, family.gap_ratio, family.uniformity, family.min_separation_deg; scan.rank, scan.score (per unit, among all units of the layer)' });

export const FeatureVizSchema = z
  .strictObject({
    targets: z.array(z.int().min(0)).min(1).max(256).meta({ description: 'Units to visualize (default: every unit of the entry); each is compared against all the entry’s units' }).optional(),
    steps: z.int().min(1).max(100_000).meta({ description: 'Optimization steps (Lucid: 512)' }).optional(),
    size: z.int().min(16).max(1024).meta({ description: 'Side of the optimized square image in pixels (Lucid: 128)' }).optional(),
    lr: z.number().gt(0).max(10).meta({ description: 'Adam learning rate (Lucid: 0.05)' }).optional(),
    transforms: z.enum(['lucid', 'none']).meta({ description: 'lucid: pad 12 → jitter 8 → scale 0.9…1.1 × rotate −10…10° → jitter 4 each step (default)' }).optional(),
    fourier: z.boolean().meta({ description: 'Fourier parameterization (default true) or plain pixels' }).optional(),
    decorrelate: z.boolean().meta({ description: 'Colour decorrelation (default true)' }).optional(),
    pre_activation: z.boolean().meta({ description: 'Optimize the unit before its activation function (default true, as Lucid does)' }).optional(),
    l1: z.number().min(0).meta({ description: 'Weight of an L1 penalty on the image’s distance from grey (default 0)' }).optional(),
    tv: z.number().min(0).meta({ description: 'Weight of a total-variation penalty (default 0)' }).optional(),
    objective: z.enum(['neuron', 'channel']).meta({ description: 'What is maximized per target: neuron (default) — the unit at one place of the map, the entry’s `position: [y, x]` or the receptive field nearest the input centre; channel — the unit’s mean over the whole map. With `direction:` it says where the projection is read the same way' }).optional(),
    direction: z
      .union([z.array(z.number()).min(1).max(100_000), Path])
      .meta({ description: 'Maximize the projection of the layer’s channel vector onto this vector (one value per channel of the layer) instead of single units: inline, or a JSON file holding an array of numbers or { "vector": [...] }. One visualization for the whole entry; featureviz.drives_unit and featureviz.margin have no meaning then' })
      .optional(),
    negative: z.boolean().meta({ description: 'Minimize instead of maximize (Lucid’s negative objective): the image that drives the unit (or direction) lowest. featureviz.drives_unit then asks that the target is the lowest of the entry’s units' }).optional(),
    diversity: z
      .strictObject({
        batch: z.int().min(2).max(16).meta({ description: 'Number of images optimized together (≥ 2)' }),
        weight: z.number().min(0).max(1e6).meta({ description: 'Weight of Lucid’s diversity penalty: the mean pairwise cosine similarity of the images’ Gram matrices in the entry’s layer (Lucid uses 100); 0 optimizes the batch without it' }).optional(),
      })
      .meta({ description: 'Optimize a batch of images per target and push them apart (Lucid’s diversity objective). Adds featureviz.diversity: the batch’s mean pairwise cosine distance of those Gram matrices on the final images' })
      .optional(),
    atlas: z
      .strictObject({
        scenes: z.int().min(4).max(2000).meta({ description: 'Seeded stroke scenes (curves, lines, circles, angles in clutter, at the model’s input size) the examples and concepts come from (default 64)' }).optional(),
        top: z.int().min(1).max(16).meta({ description: 'Dataset examples per unit (default 4)' }).optional(),
        quantile: z.number().gt(0).lt(1).meta({ description: 'Dissection: the top fraction of a unit’s activations over the scenes that counts as on (default 0.005, as NetDissect)' }).optional(),
      })
      .meta({ description: 'A neuron atlas in the HTML report: one row per target with its visualization, the scenes that drive it hardest (its map laid over them) and its best concept by network dissection on those scenes' })
      .optional(),
  })
  .meta({ description: 'Feature visualization (Lucid defaults, seeded by the entry seed). Metrics per target: featureviz.gain (final ÷ |initial| objective), featureviz.objective_initial, featureviz.objective_final, featureviz.drives_unit (1 when the image drives its unit harder than every other unit of the entry), featureviz.margin ((own − best other) ÷ |own|), featureviz.response and featureviz.response_initial (the target’s read-out on the final and start image), featureviz.diversity (with a batch); featureviz.image (the first target’s image) takes a `golden:` expectation (pixelmatch)' });

/** The keys to spread into the `neurons` entry's strictObject. */
export const neuronProbeFields = {
  tuning: TuningSchema.optional(),
  featureviz: FeatureVizSchema.optional(),
};

export type TuningSpec = z.output<typeof TuningSchema>;
export type FeatureVizSpec = z.output<typeof FeatureVizSchema>;
