// Lucid's colour decorrelation and squashing: the optimized image lives in a decorrelated colour
// space (the square root of ImageNet's colour correlation, normalized by its largest column
// norm), mapped to RGB by that 3×3 matrix and into [0, 1] by a sigmoid. Forward maps and adjoints.

/** √ of ImageNet's colour correlation (Lucid's `color_correlation_svd_sqrt`), rows = RGB. */
const SVD_SQRT = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];

/** The matrix divided by its largest column norm (Lucid's `color_correlation_normalized`). */
export const COLOR_MATRIX: readonly (readonly number[])[] = (() => {
  const norms = [0, 1, 2].map((j) => Math.hypot(SVD_SQRT[0][j], SVD_SQRT[1][j], SVD_SQRT[2][j]));
  const max = Math.max(...norms);
  return SVD_SQRT.map((row) => row.map((v) => v / max));
})();

/** rgb[c] = Σ_j M[c][j]·x[j] per pixel; `x` is [3, n] planar. */
export function decorrelatedToRgb(x: Float64Array, n: number, m: readonly (readonly number[])[] = COLOR_MATRIX): Float64Array {
  const out = new Float64Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const [a, b, d] = m[c];
    for (let i = 0; i < n; i++) out[c * n + i] = a * x[i] + b * x[n + i] + d * x[2 * n + i];
  }
  return out;
}

/** The adjoint: g_x[j] = Σ_c M[c][j]·g_rgb[c]. */
export function rgbGradToDecorrelated(g: Float64Array, n: number, m: readonly (readonly number[])[] = COLOR_MATRIX): Float64Array {
  const out = new Float64Array(3 * n);
  for (let j = 0; j < 3; j++) {
    const a = m[0][j];
    const b = m[1][j];
    const d = m[2][j];
    for (let i = 0; i < n; i++) out[j * n + i] = a * g[i] + b * g[n + i] + d * g[2 * n + i];
  }
  return out;
}

export function sigmoid(x: Float64Array): Float64Array {
  return x.map((v) => 1 / (1 + Math.exp(-v)));
}

/** Gradient through y = sigmoid(x), given y: g·y·(1 − y). */
export function sigmoidGrad(y: Float64Array, g: Float64Array): Float64Array {
  return g.map((v, i) => v * y[i] * (1 - y[i]));
}
