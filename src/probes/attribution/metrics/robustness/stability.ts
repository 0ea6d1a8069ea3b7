// How much a map moves when the input barely does: average sensitivity (Yeh et al. 2019, the mean
// where `sensitivity` reports the max) and the local Lipschitz estimate of Alvarez-Melis & Jaakkola
// (2018), max ‖a(x + δ) − a(x)‖₂ / ‖δ‖₂, both over seeded uniform noise in an L∞ ball.
import type { Tensor } from '../../../../engine/tensor.ts';
import { makeRng, uniform } from '../../../../util/rng.ts';
import { describeMetric, drawSeed } from '../../metric.ts';
import { int, positive } from '../../method.ts';
import type { Subject } from '../../types.ts';
import type { Explain } from './robustness.ts';

export interface StabilityOptions {
  /** L∞ radius of the input noise (as `sensitivity`: 0.02). */
  radius: number;
  /** Noisy copies (as `sensitivity`: 10). */
  samples: number;
}

export const STABILITY_DEFAULTS: StabilityOptions = { radius: 0.02, samples: 10 };

/** Mean ‖a(x + δ) − a(x)‖₂ and max ‖a(x + δ) − a(x)‖₂ / ‖δ‖₂ over `samples` draws of δ. */
export async function stability(subject: Subject, input: Tensor, explain: Explain, o: StabilityOptions, seed: number): Promise<{ avg: number; lipschitz: number }> {
  const rng = makeRng(seed);
  const base = (await explain(subject, input)).map.data;
  let sum = 0;
  let lipschitz = 0;
  for (let s = 0; s < o.samples; s++) {
    const delta = Float32Array.from(input.data, () => uniform(rng, -o.radius, o.radius));
    const a = (await explain(subject, { dims: [...input.dims], data: input.data.map((v, i) => v + delta[i]) })).map.data;
    let dd = 0;
    for (let i = 0; i < a.length; i++) dd += (a[i] - base[i]) ** 2;
    let nd = 0;
    for (const v of delta) nd += v * v;
    sum += Math.sqrt(dd);
    if (nd > 0) lipschitz = Math.max(lipschitz, Math.sqrt(dd / nd));
  }
  return { avg: sum / o.samples, lipschitz };
}

export const stabilityMetric = describeMetric<StabilityOptions>({
  key: 'stability',
  family: 'robustness',
  description: 'The map under small input noise: avg_sensitivity (mean change) and local_lipschitz (largest change per unit of noise)',
  form: 'options',
  options: { radius: { schema: positive(), description: 'L∞ radius of the noise' }, samples: { schema: int(1, 1000), description: 'Noisy inputs' } },
  defaults: STABILITY_DEFAULTS,
  metrics: ['avg_sensitivity', 'local_lipschitz'],
  needs: ['method', 'random'],
  passes: (o, method) => method * (o.samples + 1),
  run: async ({ subject, input, explain, rng }, o) => {
    const s = await stability(subject, input, explain, o, drawSeed(rng));
    return { values: { avg_sensitivity: s.avg, local_lipschitz: s.lipschitz } };
  },
});
