// Smooth MPRT (Hedström et al. 2023, "Sanity checks revisited"): the cascading randomisation test
// with each map averaged over noisy copies of the input first, so that a method's own gradient
// noise (shattered gradients) does not pass for a change caused by the randomised weights.
import type { Tensor } from '../../../../engine/tensor.ts';
import { makeRng, normal } from '../../../../util/rng.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int, positive } from '../../method.ts';
import type { Attribution, Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';
import { modelRandomization } from './randomization.ts';

export interface SmoothRandomizationOptions {
  /** Cascade points, as `randomization`. */
  steps: number;
  /** Noisy copies each map is averaged over (the paper: 50). */
  samples: number;
  /** Std of the Gaussian input noise, as a fraction of the input's range (the paper: 0.1 of it). */
  noise: number;
}

export const SMOOTH_RANDOMIZATION_DEFAULTS: SmoothRandomizationOptions = { steps: 4, samples: 50, noise: 0.1 };

/**
 * `explain`, averaged over `samples` noisy copies of `input` (whatever input it is then given: the
 * cascade explains one image). The noise is drawn once: every model of the cascade sees the same
 * copies, so only its weights differ.
 */
export function smoothedExplain(explain: Explain, input: Tensor, samples: number, noise: number, seed: number): Explain {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const sigma = noise * (hi - lo);
  const rng = makeRng(seed);
  const copies = Array.from({ length: samples }, () => Float32Array.from(input.data, (v) => v + sigma * normal(rng)));
  return async (subject: Subject, _x: Tensor, target?: Target): Promise<Attribution> => {
    let sum: Float64Array | undefined;
    let first: Attribution | undefined;
    for (const data of copies) {
      const a = await explain(subject, { dims: [...input.dims], data }, target);
      first ??= a;
      sum ??= new Float64Array(a.map.data.length);
      for (let i = 0; i < sum.length; i++) sum[i] += a.map.data[i];
    }
    return { ...first!, map: { dims: [...first!.map.dims], data: Float32Array.from(sum!, (v) => v / samples) } };
  };
}

export const smoothRandomizationMetric = describeMetric<SmoothRandomizationOptions>({
  key: 'randomization_smooth',
  family: 'randomisation',
  description: 'Smooth MPRT (sMPRT): the cascading randomisation test on maps averaged over noisy copies of the input; smprt_top and smprt_final (Spearman ρ of |a|, low is good)',
  form: 'options',
  options: {
    steps: { schema: int(1, 1000), description: 'Cascade points' },
    samples: { schema: int(1, 10_000), description: 'Noisy copies each map is averaged over' },
    noise: { schema: positive(), description: 'Std of the input noise as a fraction of the input’s range' },
  },
  defaults: SMOOTH_RANDOMIZATION_DEFAULTS,
  metrics: ['smprt_top', 'smprt_final'],
  needs: ['method', 'random'],
  passes: (o, method) => method * o.samples * (o.steps + 1),
  run: async ({ subject, input, target, explain, rng, label }, o) => {
    const seeds = makeRng(drawSeed(rng));
    const smooth = smoothedExplain(explain, input, o.samples, o.noise, drawSeed(seeds));
    const r = await modelRandomization(subject, input, target, smooth, { steps: o.steps, seed: drawSeed(seeds) });
    return {
      values: { smprt_top: r.points[0].spearman, smprt_final: r.points[r.points.length - 1].spearman },
      artifacts: [{ type: 'table', name: `smooth randomisation ${label}`, caption: `smooth cascading randomisation (${o.samples} noisy copies per map), Spearman ρ of |a|`, columns: ['layers randomised', 'deepest', 'spearman'], rows: r.points.map((q) => [q.layers, q.lastLayer, q.spearman]) }],
    };
  },
});
