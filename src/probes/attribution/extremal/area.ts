// TorchRay's ranking area constraint: mean((sort(m) − r_a)²), where r_a is 0 for the first
// ⌊N(1 − a)⌋ sorted positions and 1 after, so the mask is pushed to have a fraction a of ones.
// Only the rank threshold matters, so a selection (O(N)) replaces the sort.

/** Number of zeros in TorchRay's reference vector: int(N·(1 − a)). */
export function referenceZeros(n: number, area: number): number {
  return Math.min(n, Math.max(0, Math.trunc(n * (1 - area))));
}

/** k-th smallest value (0-based) of `a`, reordering `a` (Hoare selection, median of three). */
export function selectKth(a: Float32Array | Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    let x = a[lo];
    let y = a[mid];
    let z = a[hi];
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * mean((sort(m) − r)²) for the reference with `zeros` leading zeros, and (when `grad` is given)
 * adds `scale`·∂/∂m = scale·2(m − r)/N into it, where each element's r follows its rank. Ties at
 * the threshold rank by index (lower index first), as a stable sort would.
 */
export function areaPenalty(m: ArrayLike<number>, zeros: number, grad?: Float64Array, scale = 1, scratch?: Float32Array): number {
  const n = m.length;
  let tau = Infinity;
  let tiedInBottom = 0;
  if (zeros > 0 && zeros < n) {
    const s = scratch && scratch.length === n ? scratch : new Float32Array(n);
    for (let i = 0; i < n; i++) s[i] = m[i];
    tau = selectKth(s, zeros - 1);
    let less = 0;
    for (let i = 0; i < n; i++) if (m[i] < tau) less++;
    tiedInBottom = zeros - less;
  } else if (zeros >= n) {
    tau = Infinity;
  } else {
    tau = -Infinity;
  }
  let sum = 0;
  const g = 2 * scale / n;
  for (let i = 0; i < n; i++) {
    const v = m[i];
    let bottom: boolean;
    if (zeros >= n) bottom = true;
    else if (zeros <= 0) bottom = false;
    else if (v < tau) bottom = true;
    else if (v === tau && tiedInBottom > 0) {
      bottom = true;
      tiedInBottom--;
    } else bottom = false;
    const d = bottom ? v : v - 1;
    sum += d * d;
    if (grad) grad[i] += g * d;
  }
  return sum / n;
}
