// Numeric tolerance for goldens: |actual − expected| ≤ atol + rtol·|expected| (numpy.isclose's
// rule), chosen per engine because CPU and GPU kernels differ past the 4th decimal.
import { badInput } from '../errors.ts';

export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * Per-engine defaults, for a golden recorded on the same kind of engine. onnxruntime's own tests
 * use abs 1e-4 on CPU and 1e-3 on WebGPU. Measured on the CPU EP (shapes_cnn, MobileNetV2 on a
 * photo): 1 vs 2 threads gave identical outputs; graph fusions on vs off moved a mid-layer
 * (values up to 8.7) by 6.7e-6 and logits (up to 25) by 4.8e-6 — well inside atol 1e-4, with
 * room for another machine's SIMD width. Unknown engines get the GPU values.
 */
export const DEFAULT_TOLERANCES: Readonly<Record<string, Tolerance>> = {
  cpu: { atol: 1e-4, rtol: 1e-4 },
  webgpu: { atol: 1e-3, rtol: 1e-3 },
  cuda: { atol: 1e-3, rtol: 1e-3 },
};

export function toleranceFor(device: string, override: Partial<Tolerance> = {}, where?: string): Tolerance {
  const base = DEFAULT_TOLERANCES[device] ?? DEFAULT_TOLERANCES.webgpu;
  const tol: Tolerance = { ...base, ...Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined)) };
  checkTolerance(tol, where);
  return tol;
}

export function checkTolerance(tol: Tolerance, where?: string): void {
  for (const k of ['atol', 'rtol'] as const) {
    const v = tol[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw badInput('E_TOLERANCE', `${k} must be a finite number ≥ 0, got ${String(v)}`, where, 'e.g. { atol: 1e-4, rtol: 1e-4 }');
    }
  }
}

/** The error one element may have: atol + rtol·|expected|. */
export function allowedError(expected: number, tol: Tolerance): number {
  return tol.atol + tol.rtol * Math.abs(expected);
}

/**
 * Whether `actual` matches `expected`. A NaN or infinity on either side never matches: a gate
 * that passed +∞ against a golden of +∞ would wave through a model that overflowed both times.
 */
export function withinTolerance(actual: number, expected: number, tol: Tolerance): boolean {
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return false;
  return Math.abs(actual - expected) <= allowedError(expected, tol);
}
