// Sensitivity-n (Ancona, Ceolini, Öztireli & Gross 2018): for every subset S of n pixels, the map's
// sum over S equals the output drop when S is set to the baseline. Checked, as in the paper, by the
// Pearson correlation of the two over seeded random subsets, at several n: 1 at every n is exact.
import { z } from 'zod';
import type { Tensor } from '../../../../engine/tensor.ts';
import { makeRng } from '../../../../util/rng.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int } from '../../method.ts';
import type { Subject, Target } from '../../types.ts';
import { faithfulnessCorrelation } from './correlation.ts';

export interface SensitivityNOptions {
  /** The subset sizes n, each as a fraction of the image's pixels (the paper sweeps n over its whole range). */
  fractions: number[];
  /** Random subsets per n (the paper: 100). */
  samples: number;
  /** What a removed pixel's every channel becomes, in model-input units (the paper: 0, the baseline that gradient × input and IG complete against). */
  baseline: number;
}

export const SENSITIVITY_N_DEFAULTS: SensitivityNOptions = { fractions: [0.01, 0.05, 0.2, 0.5], samples: 32, baseline: 0 };

export interface SensitivityNResult {
  /** Pearson ρ at each n, in the order of `fractions`. */
  byN: number[];
  /** The smallest: sensitivity-n holds only if it holds at every n. */
  min: number;
  mean: number;
}

/** ρ(Σ_S a, f(x) − f(x_S←baseline)) at each n; one generator, drawn in the order of `fractions`. */
export async function sensitivityN(subject: Subject, input: Tensor, target: Target, map: Tensor, o: SensitivityNOptions, seed: number): Promise<SensitivityNResult> {
  const base = new Float32Array(input.data.length).fill(o.baseline);
  const rng = makeRng(seed);
  const byN: number[] = [];
  for (const subset of o.fractions) byN.push(await faithfulnessCorrelation(subject, input, target, map, base, { samples: o.samples, subset }, rng));
  return { byN, min: Math.min(...byN), mean: byN.reduce((s, v) => s + v, 0) / byN.length };
}

export const sensitivityNMetric = describeMetric<SensitivityNOptions>({
  key: 'sensitivity_n',
  family: 'faithfulness',
  description: 'Sensitivity-n (Ancona et al. 2018): Pearson ρ of the map’s sum over seeded random n-pixel subsets with the score drop when they are set to the baseline, at each n; sensitivity_n = the smallest ρ over the n (1: the map adds up to the output change at every n), sensitivity_n_mean = their mean',
  form: 'options',
  options: {
    fractions: { schema: z.array(z.number().gt(0).lt(1)).min(1).max(32), description: 'The subset sizes n, each a fraction of the pixels' },
    samples: { schema: int(3, 10_000), description: 'Random subsets per n' },
    baseline: { schema: z.number().finite(), description: 'Value every channel of a removed pixel takes, in model-input units' },
  },
  defaults: SENSITIVITY_N_DEFAULTS,
  metrics: ['sensitivity_n', 'sensitivity_n_mean'],
  needs: ['model', 'random'],
  property: true,
  passes: (o) => o.fractions.length * (o.samples + 1),
  run: async (ctx, o) => {
    const r = await sensitivityN(ctx.subject, ctx.input, ctx.target, ctx.attribution.map, o, drawSeed(ctx.rng));
    return { values: { sensitivity_n: r.min, sensitivity_n_mean: r.mean } };
  },
});
