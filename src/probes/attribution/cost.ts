// What a masks entry costs the shard planner: forward-pass equivalents per image, from the method
// (its published defaults where the spec leaves them out) and each measurement asked for.
import type { MaskEntry } from './schema.ts';

/** A gradient run costs about three forward passes (forward, backward through every layer). */
const GRADIENT_PASSES = 3;

/**
 * Forward-pass equivalents of one image of a masks entry: the method (published defaults where the
 * spec leaves them out) and each measurement asked for. Mask optimisations dominate, by far.
 */
export function masksPasses(e: MaskEntry): number {
  const [name, o] = Object.entries(e.method)[0] as [string, Record<string, number | number[] | undefined>];
  const n = (k: string, d: number) => (typeof o[k] === 'number' ? (o[k] as number) : d);
  const method: Record<string, () => number> = {
    gradient: () => GRADIENT_PASSES,
    gradient_x_input: () => GRADIENT_PASSES,
    grad_cam: () => GRADIENT_PASSES,
    smoothgrad: () => GRADIENT_PASSES * n('samples', 50),
    integrated_gradients: () => GRADIENT_PASSES * n('steps', 50),
    occlusion: () => 28 * 28, // 16 px windows every 8 px over 224²
    rise: () => n('masks', 4000),
    meaningful_perturbation: () => GRADIENT_PASSES * n('iterations', 300),
    extremal: () => GRADIENT_PASSES * n('iterations', 800) * (Array.isArray(o.areas) ? o.areas.length : 1),
  };
  const once = method[name]?.() ?? GRADIENT_PASSES;
  const m = e.measure ?? {};
  const curve = (c?: { steps?: number }) => (c ? ((c.steps ?? 50) + 1) * (m.random_baseline ? 2 : 1) : 0);
  return once * (1 + (m.randomization?.steps ?? 0) + (m.sensitivity ? m.sensitivity.samples ?? 10 : 0) + (m.determinism ? 1 : 0))
    + curve(m.deletion) + curve(m.insertion) + (m.infidelity?.samples ?? (m.infidelity ? 10 : 0)) + 2 * (m.preserve?.areas.length ?? 0);
}
