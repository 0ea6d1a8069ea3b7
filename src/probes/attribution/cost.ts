// What a masks entry costs the shard planner: forward-pass equivalents per image, from the method
// and metric descriptors (their published defaults where the spec leaves options out).
import { GRADIENT_PASSES, optionsFromSpec, withDefaults } from './method.ts';
import { methodNamed } from './methods/index.ts';
import { metricOptions } from './metric.ts';
import { maskMetrics } from './metrics/index.ts';
import { measuredBy, type MaskEntry } from './schema.ts';

/**
 * Forward-pass equivalents of one image of a masks entry: the method and each measurement asked
 * for, as their descriptors estimate them with the published defaults where the spec leaves options
 * out. Mask optimisations dominate, by far.
 */
export function masksPasses(e: MaskEntry): number {
  const [name, spec] = Object.entries(e.method)[0];
  const d = methodNamed(name);
  const once = d ? d.passes(withDefaults(d, optionsFromSpec(d, spec))) : GRADIENT_PASSES;
  const m: Record<string, unknown> = measuredBy(e);
  let passes = once;
  for (const d of maskMetrics()) if (m[d.key] !== undefined && m[d.key] !== false) passes += d.passes(metricOptions(d, m[d.key]), once, m);
  return passes;
}
