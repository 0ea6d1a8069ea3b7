// Representation similarity between two models' activations on the same inputs: linear CKA
// (Kornblith et al. 2019) and its debiased form built on the unbiased HSIC estimator (Song et al.
// 2012), which stays near 0 for unrelated representations even when inputs are few.
//
// Both work on n×n Gram matrices (rows = inputs), so a layer of any width costs n²·d once per model:
// probe sets are small (tens of inputs) and layers wide (C·H·W features).

/** Activations of n inputs, one row of `dim` features each (e.g. a flattened [C, H, W] map). */
export interface Features {
  n: number;
  dim: number;
  data: Float32Array | Float64Array;
}

export interface CkaOptions {
  /** Use the unbiased HSIC estimator (needs n ≥ 4); default false: the plain (biased) estimator. */
  debiased?: boolean;
}

/** Rows of a batch of equally shaped tensors: `[n, …]` flattened to n × (product of the rest). */
export function featuresOf(dims: readonly number[], data: Float32Array | Float64Array): Features {
  if (dims.length < 1) throw new RangeError('featuresOf: a tensor with a batch axis is needed');
  const n = dims[0];
  const dim = n === 0 ? 0 : data.length / n;
  if (!Number.isInteger(dim)) throw new RangeError(`featuresOf: ${data.length} values do not split into ${n} rows`);
  return { n, dim, data };
}

/** The linear-kernel Gram matrix K = X·Xᵀ in float64 (n×n, row-major), after centring each feature. */
export function gram(x: Features): Float64Array {
  const { n, dim, data } = x;
  if (data.length !== n * dim) throw new RangeError(`gram: ${data.length} values for ${n}×${dim} features`);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new RangeError(`gram: feature value ${data[i]} at row ${Math.floor(i / dim)} is not finite`);
  const k = new Float64Array(n * n);
  const put = (i: number, j: number, s: number) => { k[i * n + j] = s; k[j * n + i] = s; };
  for (let i = 0; i < n; i++) {
    const a = i * dim;
    let j = 0;
    // Four rows per sweep over row i: wide layers make this loop the whole cost of a diff.
    for (; j + 3 <= i; j += 4) {
      const b0 = j * dim, b1 = b0 + dim, b2 = b1 + dim, b3 = b2 + dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let d = 0; d < dim; d++) {
        const x = data[a + d];
        s0 += x * data[b0 + d]; s1 += x * data[b1 + d]; s2 += x * data[b2 + d]; s3 += x * data[b3 + d];
      }
      put(i, j, s0); put(i, j + 1, s1); put(i, j + 2, s2); put(i, j + 3, s3);
    }
    for (; j <= i; j++) {
      const b = j * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) s += data[a + d] * data[b + d];
      put(i, j, s);
    }
  }
  return centreGram(k, n);
}

/** H·K·H with H = I − 11ᵀ/n: the Gram matrix of the feature-centred rows. */
export function centreGram(k: Float64Array, n: number): Float64Array {
  const rowMean = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += k[i * n + j];
    rowMean[i] = s / n;
    all += s;
  }
  all /= n * n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = k[i * n + j] - rowMean[i] - rowMean[j] + all;
  return out;
}

/**
 * HSIC of two centred Gram matrices up to a factor that cancels in CKA. Biased: tr(KL).
 * Unbiased (Song et al. 2012, eq. 5, with the diagonals zeroed):
 *   [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1 / ((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)).
 */
export function hsic(k: Float64Array, l: Float64Array, n: number, debiased: boolean): number {
  if (k.length !== n * n || l.length !== n * n) throw new RangeError(`hsic: Gram matrices must be ${n}×${n}`);
  if (!debiased) {
    let s = 0;
    for (let i = 0; i < n * n; i++) s += k[i] * l[i]; // both symmetric: tr(KL) = Σ K∘L
    return s / ((n - 1) * (n - 1));
  }
  if (n < 4) throw new RangeError(`hsic: the debiased estimator needs at least 4 inputs, got ${n}`);
  let trace = 0;
  let sumK = 0;
  let sumL = 0;
  let cross = 0; // 1ᵀK̃L̃1 = Σ_j (Σ_i K̃_ij)(Σ_i L̃_ij)
  for (let j = 0; j < n; j++) {
    let colK = 0;
    let colL = 0;
    for (let i = 0; i < n; i++) {
      if (i === j) continue;
      const a = k[i * n + j];
      const b = l[i * n + j];
      trace += a * b;
      colK += a;
      colL += b;
    }
    sumK += colK;
    sumL += colL;
    cross += colK * colL;
  }
  return (trace + (sumK * sumL) / ((n - 1) * (n - 2)) - (2 / (n - 2)) * cross) / (n * (n - 3));
}

/** CKA from two centred Gram matrices; NaN when either representation has no variance. */
export function ckaFromGrams(k: Float64Array, l: Float64Array, n: number, opts: CkaOptions = {}): number {
  const debiased = opts.debiased ?? false;
  const kl = hsic(k, l, n, debiased);
  const kk = hsic(k, k, n, debiased);
  const ll = hsic(l, l, n, debiased);
  if (!(kk > 0) || !(ll > 0)) return NaN;
  return kl / Math.sqrt(kk * ll);
}

/** Linear CKA of two representations of the same n inputs (feature counts may differ). */
export function linearCka(x: Features, y: Features, opts: CkaOptions = {}): number {
  if (x.n !== y.n) throw new RangeError(`linearCka: the representations cover ${x.n} and ${y.n} inputs; both need the same inputs`);
  if (x.n < 2) throw new RangeError(`linearCka: needs at least 2 inputs, got ${x.n}`);
  return ckaFromGrams(gram(x), gram(y), x.n, opts);
}
