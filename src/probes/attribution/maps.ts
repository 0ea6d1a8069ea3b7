// Small operations on attribution maps shared by methods and metrics: reducing [C,H,W] maps to
// [H,W], bilinear resizing (half-pixel centres, as torch's align_corners=False), flips.
import type { Tensor } from '../../engine/tensor.ts';

export type SpatialReduce = 'sum' | 'abs_sum' | 'max_abs';

/**
 * A [C,H,W] map as [H,W]: `sum` over channels (keeps sign, what completeness adds up),
 * `abs_sum` (evidence magnitude), or `max_abs` (Simonyan et al.'s saliency). [H,W] passes through.
 */
export function spatial(map: Tensor, reduce: SpatialReduce = 'sum'): Tensor {
  if (map.dims.length === 2) return map;
  const [C, H, W] = map.dims.slice(-3);
  const HW = H * W;
  const out = new Float32Array(HW);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < HW; i++) {
      const v = map.data[c * HW + i];
      if (reduce === 'sum') out[i] += v;
      else if (reduce === 'abs_sum') out[i] += Math.abs(v);
      else out[i] = Math.max(out[i], Math.abs(v));
    }
  }
  return { dims: [H, W], data: out };
}

/**
 * Linear-interpolation taps along one axis (half-pixel centres, edge-clamped, as torch's
 * align_corners=False): output sample k (k = 0…out−1, starting `offset` samples into a signal of
 * `n` samples stretched to `size`) reads (1 − f)·src[i0] + f·src[i1].
 */
export function linearTaps(n: number, size: number, out = size, offset = 0): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(out);
  const i1 = new Int32Array(out);
  const f = new Float64Array(out);
  const scale = n / size;
  for (let k = 0; k < out; k++) {
    let src = (offset + k + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    const a = Math.min(Math.floor(src), n - 1);
    i0[k] = a;
    i1[k] = Math.min(a + 1, n - 1);
    f[k] = src - a;
  }
  return { i0, i1, f };
}

/** Bilinear resize of `planes` h×w planes to H×W (linearTaps on both axes). */
export function resizeBilinear(data: ArrayLike<number>, planes: number, h: number, w: number, H: number, W: number): Float32Array {
  const out = new Float32Array(planes * H * W);
  const ty = linearTaps(h, H);
  const tx = linearTaps(w, W);
  for (let p = 0; p < planes; p++) {
    const src = p * h * w;
    for (let y = 0; y < H; y++) {
      const r0 = src + ty.i0[y] * w;
      const r1 = src + ty.i1[y] * w;
      const wy = ty.f[y];
      const dst = p * H * W + y * W;
      for (let x = 0; x < W; x++) {
        const a = data[r0 + tx.i0[x]] + (data[r0 + tx.i1[x]] - data[r0 + tx.i0[x]]) * tx.f[x];
        const b = data[r1 + tx.i0[x]] + (data[r1 + tx.i1[x]] - data[r1 + tx.i0[x]]) * tx.f[x];
        out[dst + x] = a + (b - a) * wy;
      }
    }
  }
  return out;
}

/**
 * The adjoint of resizeBilinear: spreads an H×W gradient back onto the h×w grid (used by
 * meaningful perturbation, whose mask lives at low resolution).
 */
export function resizeBilinearAdjoint(g: ArrayLike<number>, h: number, w: number, H: number, W: number): Float64Array {
  const out = new Float64Array(h * w);
  const ty = linearTaps(h, H);
  const tx = linearTaps(w, W);
  for (let y = 0; y < H; y++) {
    const wy = ty.f[y];
    for (let x = 0; x < W; x++) {
      const wx = tx.f[x];
      const v = g[y * W + x];
      out[ty.i0[y] * w + tx.i0[x]] += v * (1 - wy) * (1 - wx);
      out[ty.i0[y] * w + tx.i1[x]] += v * (1 - wy) * wx;
      out[ty.i1[y] * w + tx.i0[x]] += v * wy * (1 - wx);
      out[ty.i1[y] * w + tx.i1[x]] += v * wy * wx;
    }
  }
  return out;
}

/** Mirror every W-wide row of `data` in place (horizontal flip of C×H×W or H×W data). */
export function flipRows(data: Float32Array | Float64Array, W: number): void {
  for (let r = 0; r < data.length; r += W) {
    for (let i = 0, j = W - 1; i < j; i++, j--) {
      const t = data[r + i];
      data[r + i] = data[r + j];
      data[r + j] = t;
    }
  }
}

/** Smallest and largest value. */
export function extent(data: ArrayLike<number>): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi };
}

/** Values rescaled to [0, 1] by their min and max (constant maps become 0). */
export function normalise01(map: Tensor): Tensor {
  const { lo, hi } = extent(map.data);
  const span = hi - lo;
  return { dims: [...map.dims], data: map.data.map((v) => (span > 0 ? (v - lo) / span : 0)) };
}
