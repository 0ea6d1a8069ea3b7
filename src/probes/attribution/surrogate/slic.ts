// SLIC superpixels (Achanta et al., TPAMI 2012) as the segments of KernelSHAP and LIME: k-means over
// (colour, position) with each centre searching only a 2S × 2S window, S = √(HW / n); then pieces
// cut off from their superpixel are merged into a neighbour so every segment is connected.
// Colour is the model input scaled to [0, 100] by its own range (skimage's Lab range), not Lab.
import type { Tensor } from '../../../engine/tensor.ts';
import { extent } from '../maps.ts';
import type { Segments } from './segments.ts';

export interface SlicOptions {
  /** Superpixels asked for (about as many result). */
  n: number;
  /** Weight of position against colour (skimage's default 10 on its 0–100 colour range). */
  compactness: number;
  iterations: number;
}

export const SLIC_DEFAULTS: Omit<SlicOptions, 'n'> = { compactness: 10, iterations: 10 };

export function slicSegments(input: Tensor, H: number, W: number, options: Partial<SlicOptions> & { n: number }): Segments {
  const o: SlicOptions = { ...SLIC_DEFAULTS, ...options };
  const HW = H * W;
  const C = input.data.length / HW;
  const { lo, hi } = extent(input.data);
  const scale = hi > lo ? 100 / (hi - lo) : 0;
  const S = Math.max(1, Math.sqrt(HW / o.n));
  const rows = Math.max(1, Math.round(H / S));
  const cols = Math.max(1, Math.round(W / S));
  const K = rows * cols;
  // Centre k: y, x, then C colour values.
  const D = 2 + C;
  const centre = new Float64Array(K * D);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const k = r * cols + c;
    const y = Math.min(H - 1, Math.floor(((r + 0.5) * H) / rows));
    const x = Math.min(W - 1, Math.floor(((c + 0.5) * W) / cols));
    centre[k * D] = y;
    centre[k * D + 1] = x;
    for (let ch = 0; ch < C; ch++) centre[k * D + 2 + ch] = input.data[ch * HW + y * W + x] * scale;
  }
  const label = new Int32Array(HW).fill(-1);
  const dist = new Float64Array(HW);
  const m2 = (o.compactness / S) ** 2;
  const sums = new Float64Array(K * D);
  const counts = new Float64Array(K);
  for (let it = 0; it < o.iterations; it++) {
    dist.fill(Infinity);
    for (let k = 0; k < K; k++) {
      const cy = centre[k * D];
      const cx = centre[k * D + 1];
      const y0 = Math.max(0, Math.floor(cy - 2 * S));
      const y1 = Math.min(H - 1, Math.ceil(cy + 2 * S));
      const x0 = Math.max(0, Math.floor(cx - 2 * S));
      const x1 = Math.min(W - 1, Math.ceil(cx + 2 * S));
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
        const p = y * W + x;
        let dc = 0;
        for (let ch = 0; ch < C; ch++) dc += (input.data[ch * HW + p] * scale - centre[k * D + 2 + ch]) ** 2;
        const d = dc + m2 * ((y - cy) ** 2 + (x - cx) ** 2);
        if (d < dist[p]) {
          dist[p] = d;
          label[p] = k;
        }
      }
    }
    sums.fill(0);
    counts.fill(0);
    for (let p = 0; p < HW; p++) {
      const k = label[p];
      counts[k]++;
      sums[k * D] += Math.floor(p / W);
      sums[k * D + 1] += p % W;
      for (let ch = 0; ch < C; ch++) sums[k * D + 2 + ch] += input.data[ch * HW + p] * scale;
    }
    for (let k = 0; k < K; k++) if (counts[k] > 0) for (let d = 0; d < D; d++) centre[k * D + d] = sums[k * D + d] / counts[k];
  }
  return connected(label, H, W, Math.max(1, Math.floor(HW / K / 4)));
}

/**
 * Relabels connected pieces 0, 1, … in scan order; a piece smaller than `minSize` joins the piece
 * met just before it in the scan (left or above), as SLIC's enforce-connectivity step does.
 */
function connected(label: Int32Array, H: number, W: number, minSize: number): Segments {
  const out = new Int32Array(label.length).fill(-1);
  const stack: number[] = [];
  const piece: number[] = [];
  let next = 0;
  for (let start = 0; start < label.length; start++) {
    if (out[start] >= 0) continue;
    // The already-labelled neighbour a too-small piece joins.
    const adjacent = start % W > 0 ? out[start - 1] : start >= W ? out[start - W] : -1;
    piece.length = 0;
    stack.push(start);
    out[start] = next;
    while (stack.length) {
      const p = stack.pop()!;
      piece.push(p);
      const y = Math.floor(p / W);
      const x = p % W;
      for (const q of [x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1, y > 0 ? p - W : -1, y < H - 1 ? p + W : -1]) {
        if (q >= 0 && out[q] < 0 && label[q] === label[start]) {
          out[q] = next;
          stack.push(q);
        }
      }
    }
    if (piece.length < minSize && adjacent >= 0) for (const p of piece) out[p] = adjacent;
    else next++;
  }
  return { labels: out, count: next, H, W };
}
