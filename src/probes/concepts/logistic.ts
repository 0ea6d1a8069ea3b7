// L2-regularised logistic regression, fitted by full-batch accelerated gradient descent with a
// step from the loss's Lipschitz bound: no random draws, so the same data give the same weights.
// Two faces: over many rows of few features (Net2Vec, per-cell channel vectors), and over few rows
// of many features (TCAV, flattened layer activations) through the Gram matrix.

export interface LogisticFit {
  /** Weights in the caller's feature units. */
  w: Float64Array;
  b: number;
}

export interface LogisticOptions {
  /** L2 weight λ of λ/2·‖w‖² (on standardised features in `fitRows`). */
  l2: number;
  iterations: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Largest eigenvalue of a symmetric positive semi-definite n×n matrix (power iteration from a fixed start). */
export function largestEigenvalue(m: Float64Array, n: number, steps = 50): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let lambda = 0;
  for (let s = 0; s < steps; s++) {
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += m[i * n + j] * v[j];
      u[i] = acc;
    }
    const norm = Math.hypot(...u);
    if (norm === 0) return 0;
    lambda = norm;
    v = u.map((x) => x / norm);
  }
  return lambda;
}

/**
 * Many rows, few features: rows of `x` (n × d, row-major), targets in [0, 1] (soft targets
 * allowed), per-row weights. Features are standardised for the fit (conditioning) and the
 * weights mapped back; the loss is the weighted mean cross-entropy plus λ/2·‖w_std‖².
 */
export function fitRows(x: Float32Array, n: number, d: number, y: ArrayLike<number>, rowWeight: ArrayLike<number>, o: LogisticOptions): LogisticFit {
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  let W = 0;
  for (let i = 0; i < n; i++) {
    W += rowWeight[i];
    for (let j = 0; j < d; j++) mu[j] += rowWeight[i] * x[i * d + j];
  }
  if (W <= 0) return { w: new Float64Array(d), b: 0 };
  for (let j = 0; j < d; j++) mu[j] /= W;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += rowWeight[i] * (x[i * d + j] - mu[j]) ** 2;
  // A constant feature keeps weight 0: it carries nothing the bias does not.
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j] / W) || Infinity;
  const D = d + 1;
  const z = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[i * D + j] = (x[i * d + j] - mu[j]) / sd[j];
    z[i * D + d] = 1;
  }
  const gram = new Float64Array(D * D);
  for (let i = 0; i < n; i++) {
    const r = rowWeight[i] / W;
    if (r === 0) continue;
    for (let a = 0; a < D; a++) {
      const za = r * z[i * D + a];
      if (za === 0) continue;
      for (let c = 0; c < D; c++) gram[a * D + c] += za * z[i * D + c];
    }
  }
  const step = 1 / (largestEigenvalue(gram, D) / 4 + o.l2);
  let theta = new Float64Array(D);
  let prev = new Float64Array(D);
  const g = new Float64Array(D);
  for (let it = 0; it < o.iterations; it++) {
    // Nesterov look-ahead point.
    const mom = it / (it + 3);
    const look = theta.map((t, k) => t + mom * (t - prev[k]));
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const r = rowWeight[i] / W;
      if (r === 0) continue;
      let s = 0;
      for (let k = 0; k < D; k++) s += z[i * D + k] * look[k];
      const e = r * (sigmoid(s) - y[i]);
      for (let k = 0; k < D; k++) g[k] += e * z[i * D + k];
    }
    for (let k = 0; k < d; k++) g[k] += o.l2 * look[k];
    prev = theta;
    theta = look.map((t, k) => t - step * g[k]);
  }
  const w = new Float64Array(d);
  let b = theta[d];
  for (let j = 0; j < d; j++) {
    w[j] = Number.isFinite(sd[j]) ? theta[j] / sd[j] : 0;
    b -= w[j] * mu[j];
  }
  return { w, b };
}

/**
 * Few rows, many features: positives then negatives as rows of `x` (n × d), labels ±1. Gradient
 * descent on w stays in the span of the rows (w = Σ αᵢ xᵢ), so it runs on α with the n×n Gram
 * matrix at the cost of one Gram product; the loss is the mean cross-entropy plus λ/2·‖w‖².
 */
export function fitGram(x: Float32Array, n: number, d: number, label: ArrayLike<number>, o: LogisticOptions): LogisticFit {
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let acc = 0;
      const a = i * d;
      const c = j * d;
      for (let k = 0; k < d; k++) acc += x[a + k] * x[c + k];
      K[i * n + j] = acc;
      K[j * n + i] = acc;
    }
  }
  // The bias is one more feature of value 1 (its Gram block is all ones), left unregularised.
  const Kb = K.map((v) => v + 1);
  const step = 1 / (largestEigenvalue(Kb, n) / (4 * n) + o.l2);
  let alpha = new Float64Array(n);
  let prev = new Float64Array(n);
  let beta = 0;
  let prevBeta = 0;
  for (let it = 0; it < o.iterations; it++) {
    const mom = it / (it + 3);
    const la = alpha.map((t, k) => t + mom * (t - prev[k]));
    const lb = beta + mom * (beta - prevBeta);
    const g = new Float64Array(n);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let s = lb;
      for (let j = 0; j < n; j++) s += K[i * n + j] * la[j];
      const e = -label[i] * sigmoid(-label[i] * s);
      g[i] = e / n;
      gb += e / n;
    }
    prev = alpha;
    prevBeta = beta;
    alpha = la.map((a, i) => a - step * (g[i] + o.l2 * a));
    beta = lb - step * gb;
  }
  const w = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (alpha[i] === 0) continue;
    for (let k = 0; k < d; k++) w[k] += alpha[i] * x[i * d + k];
  }
  return { w, b: beta };
}
