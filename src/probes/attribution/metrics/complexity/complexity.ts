// How concentrated a map is, Quantus's complexity family: sparseness as the Gini index of |a|
// (Chalasani et al. 2020), complexity as the entropy of the fractional contributions (Bhatt et al.
// 2020), effective complexity as the share of pixels above a threshold (Nguyen & Martínez 2020).
import { z } from 'zod';
import type { Tensor } from '../../../../engine/tensor.ts';
import { spatial } from '../../maps.ts';
import { describeMetric } from '../../metric.ts';

export interface ComplexityOptions {
  /** A pixel counts for effective complexity when |a| > threshold · max |a|. */
  threshold: number;
}

export const COMPLEXITY_DEFAULTS: ComplexityOptions = { threshold: 1e-5 };

export interface Complexity {
  /** Gini index of |a|: 0 for a uniform map, 1 − 1/n for one pixel. */
  sparseness: number;
  /** −Σ p ln p with p = |a| / Σ|a|: 0 for one pixel, ln n for a uniform map. */
  entropy: number;
  /** Fraction of pixels with |a| > threshold · max |a|. */
  effective: number;
}

/** The three measures of one map (channels summed as |a| first); null for an all-zero map, which has no distribution. */
export function complexity(map: Tensor, threshold = COMPLEXITY_DEFAULTS.threshold): Complexity | null {
  const a = Float64Array.from(spatial(map, 'abs_sum').data, Math.abs);
  const n = a.length;
  let total = 0;
  let max = 0;
  for (const v of a) {
    total += v;
    if (v > max) max = v;
  }
  if (!(total > 0) || !Number.isFinite(total)) return null;
  let entropy = 0;
  let above = 0;
  for (const v of a) {
    if (v > 0) entropy -= (v / total) * Math.log(v / total);
    if (v > threshold * max) above++;
  }
  a.sort();
  // G = Σ_k (2k − n − 1) a_(k) / (n Σ a), k = 1…n over the ascending order.
  let g = 0;
  for (let k = 0; k < n; k++) g += (2 * (k + 1) - n - 1) * a[k];
  return { sparseness: g / (n * total), entropy, effective: above / n };
}

export const complexityMetric = describeMetric<ComplexityOptions>({
  key: 'complexity',
  family: 'complexity',
  description: 'How concentrated the map is: sparseness (Gini), complexity_entropy, effective_complexity',
  form: 'options',
  options: { threshold: { schema: z.number().min(0).lt(1), description: 'Effective complexity counts pixels with |a| above this fraction of the largest' } },
  defaults: COMPLEXITY_DEFAULTS,
  metrics: ['sparseness', 'complexity_entropy', 'effective_complexity'],
  needs: [],
  passes: () => 0,
  run: async ({ attribution, label }, o) => {
    const c = complexity(attribution.map, o.threshold);
    if (!c) {
      const why = `the map of ${label} is zero everywhere: it has no distribution to measure`;
      return { values: { sparseness: null, complexity_entropy: null, effective_complexity: null }, uninformative: { sparseness: why, complexity_entropy: why, effective_complexity: why } };
    }
    return { values: { sparseness: c.sparseness, complexity_entropy: c.entropy, effective_complexity: c.effective } };
  },
});
