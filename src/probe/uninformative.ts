// Metrics that cannot say anything on this input are refused, not passed: a flat deletion curve,
// a flat tuning curve, a constant map. The probe names the reason; the check fails with it
// instead of comparing a meaningless number with its bound.
import type { CheckResult } from './measurement.ts';

/** Reasons by metric name, as a probe reports them (`ProbeOutput.uninformative`). */
export type Uninformative = Record<string, string>;

/** A curve "never moves" when its range is within `relative` (default 1%) of its largest magnitude, or 1e-6 absolute. */
export function isFlat(values: ArrayLike<number>, relative = 0.01): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) return false;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi >= lo)) return false;
  return hi - lo <= Math.max(relative ? 1e-6 : 0, relative * Math.max(Math.abs(hi), Math.abs(lo)));
}

/** The failing check of an expectation whose metric was refused. */
export function refusedCheck(metric: string, expectation: string, reason: string, where?: string): CheckResult {
  return { metric, expectation, threshold: { form: 'uninformative' }, observed: null, passed: false, reason: `uninformative: ${reason}`, ...(where && { where }) };
}
