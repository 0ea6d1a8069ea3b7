// Student's two-sample t-test (equal variances, as scipy's ttest_ind that the TCAV code calls) with
// its exact two-sided p-value through the regularised incomplete beta function.

/** ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: ~1e-15 relative). */
export function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1)/(a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 500; m++) {
    for (const odd of [false, true]) {
      const num = odd ? -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)) : (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
      if (odd && Math.abs(d * c - 1) < 1e-15) return h;
    }
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast on one side of the mode; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) on the other.
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export function tTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? Number.NaN : 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface TTest {
  t: number;
  df: number;
  p: number;
}

/**
 * Student's t-test of equal means with pooled variance. Two samples with no spread at all give
 * p = 1 when their means agree and p = 0 when they differ (the limit of the statistic).
 */
export function tTest(a: readonly number[], b: readonly number[]): TTest {
  const n1 = a.length;
  const n2 = b.length;
  const df = n1 + n2 - 2;
  if (n1 < 2 || n2 < 2) return { t: Number.NaN, df, p: Number.NaN };
  const mean = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const m1 = mean(a);
  const m2 = mean(b);
  const ss = a.reduce((s, v) => s + (v - m1) ** 2, 0) + b.reduce((s, v) => s + (v - m2) ** 2, 0);
  const se = Math.sqrt((ss / df) * (1 / n1 + 1 / n2));
  if (se === 0) return m1 === m2 ? { t: 0, df, p: 1 } : { t: Math.sign(m1 - m2) * Infinity, df, p: 0 };
  const t = (m1 - m2) / se;
  return { t, df, p: tTwoSided(t, df) };
}
