// Comparing numbers and arrays of numbers against a golden, elementwise, reporting how many
// elements are off and the worst one (largest error relative to what it was allowed).
import { allowedError, withinTolerance, type Tolerance } from './tolerance.ts';

export type Numbers = number | ArrayLike<number>;

export interface WorstElement {
  index: number;
  actual: number;
  expected: number;
  absDiff: number;
  allowed: number;
}

export interface NumericComparison {
  passed: boolean;
  /** Elements compared (0 when the sizes differ). */
  count: number;
  mismatches: number;
  /** Set when the sizes differ; nothing is compared then. */
  sizeMismatch?: { actual: number; expected: number };
  /** The element furthest outside (or, when all pass, closest to) its allowance; null for empty input. */
  worst: WorstElement | null;
}

function asArray(v: Numbers): ArrayLike<number> {
  return typeof v === 'number' ? [v] : v;
}

/** How far past its allowance an element is: NaN/∞ mismatches rank above every finite error. */
function badness(a: number, e: number, allowed: number, ok: boolean): number {
  if (!Number.isFinite(a) || !Number.isFinite(e)) return ok ? 0 : Infinity;
  const d = Math.abs(a - e);
  if (allowed === 0) return d === 0 ? 0 : ok ? 0 : Infinity;
  return d / allowed;
}

export function compareNumeric(actual: Numbers, expected: Numbers, tol: Tolerance): NumericComparison {
  const a = asArray(actual);
  const e = asArray(expected);
  if (a.length !== e.length) return { passed: false, count: 0, mismatches: 0, sizeMismatch: { actual: a.length, expected: e.length }, worst: null };
  let mismatches = 0;
  let worst: WorstElement | null = null;
  let worstBad = -1;
  for (let i = 0; i < a.length; i++) {
    const ok = withinTolerance(a[i], e[i], tol);
    if (!ok) mismatches++;
    const allowed = allowedError(e[i], tol);
    const bad = badness(a[i], e[i], allowed, ok);
    if (bad > worstBad) {
      worstBad = bad;
      worst = { index: i, actual: a[i], expected: e[i], absDiff: Math.abs(a[i] - e[i]), allowed };
    }
  }
  return { passed: mismatches === 0, count: a.length, mismatches, worst };
}
