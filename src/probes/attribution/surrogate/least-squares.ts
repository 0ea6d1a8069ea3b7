// Weighted (optionally ridge-penalised) least squares in float64 by Householder QR, the solver
// under KernelSHAP and LIME: QR on √w·X keeps the conditioning of X itself, where the normal
// equations would square it, so a model that is exactly linear in the features is recovered to
// round-off.
import { badInput } from '../../../errors.ts';

export interface LeastSquaresProblem {
  /** Design matrix, n rows × p columns, row-major. */
  x: Float64Array;
  y: Float64Array;
  /** Weight of each row (≥ 0). */
  w: Float64Array;
  p: number;
  /** λ‖β‖² added to the loss for every column but those listed in `unpenalised`. */
  ridge?: number;
  unpenalised?: readonly number[];
}

/** argmin_β Σ_i w_i (y_i − x_i·β)² + λ Σ_j β_j²; throws when the rows do not determine β. */
export function weightedLeastSquares(prob: LeastSquaresProblem): Float64Array {
  const { x, y, w, p } = prob;
  const n = y.length;
  const ridge = prob.ridge ?? 0;
  const penalised = ridge > 0 ? [...Array(p).keys()].filter((j) => !prob.unpenalised?.includes(j)) : [];
  const m = n + penalised.length;
  // The augmented system: √w_i·[x_i | y_i] rows, then √λ·e_j rows with target 0 (the ridge term).
  const a = new Float64Array(m * p);
  const b = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(w[i]);
    for (let j = 0; j < p; j++) a[i * p + j] = s * x[i * p + j];
    b[i] = s * y[i];
  }
  penalised.forEach((j, r) => { a[(n + r) * p + j] = Math.sqrt(ridge); });
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  for (let k = 0; k < p; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * p + k] ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-10 * scale * Math.sqrt(m))) {
      throw badInput('E_ATTR_SAMPLES', `the sampled coalitions do not determine feature ${k} of ${p} (rank-deficient least squares)`, undefined, 'raise samples, or use fewer segments');
    }
    const alpha = a[k * p + k] > 0 ? -norm : norm;
    // v = column k below the diagonal minus α·e_k; H = I − 2vvᵀ/vᵀv.
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[i * p + k];
    v[0] -= alpha;
    let vv = 0;
    for (const e of v) vv += e * e;
    if (vv === 0) continue;
    for (let j = k; j < p; j++) {
      let d = 0;
      for (let i = k; i < m; i++) d += v[i - k] * a[i * p + j];
      const f = (2 * d) / vv;
      for (let i = k; i < m; i++) a[i * p + j] -= f * v[i - k];
    }
    let d = 0;
    for (let i = k; i < m; i++) d += v[i - k] * b[i];
    const f = (2 * d) / vv;
    for (let i = k; i < m; i++) b[i] -= f * v[i - k];
  }
  const beta = new Float64Array(p);
  for (let k = p - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < p; j++) s -= a[k * p + j] * beta[j];
    beta[k] = s / a[k * p + k];
  }
  return beta;
}
