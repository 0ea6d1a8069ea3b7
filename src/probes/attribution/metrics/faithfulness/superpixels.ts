// Superpixels for IROF: SLIC (Achanta et al. 2012) without its random parts — centres start on a
// regular grid, each pixel joins the nearest centre within 2S by colour and position, centres move
// to their members' means, a fixed number of rounds. Same image and options → same segments.

export interface SlicOptions {
  /** Centres on the starting grid (about; the grid is the nearest gy × gx with square-ish cells). */
  segments: number;
  /**
   * Weight of position against colour, colours scaled to [0, 1] by the image's range: 0.1 here is
   * skimage's default `compactness=10` on Lab in [0, 100]. Large values give the plain grid.
   */
  compactness: number;
  /** k-means rounds (skimage: 10). */
  iterations: number;
}

export const SLIC_DEFAULTS: SlicOptions = { segments: 196, compactness: 0.1, iterations: 10 };

export interface Segmentation {
  /** Segment of each pixel, 0 … count − 1, numbered by first pixel in row-major order. */
  labels: Int32Array;
  count: number;
}

/** SLIC on C planes of H×W (model-input units). Empty clusters disappear; labels are renumbered. */
export function slic(planes: ArrayLike<number>, C: number, H: number, W: number, o: SlicOptions): Segmentation {
  const HW = H * W;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < C * HW; i++) {
    lo = Math.min(lo, planes[i]);
    hi = Math.max(hi, planes[i]);
  }
  const span = hi > lo ? hi - lo : 1;
  const colour = (c: number, p: number) => (planes[c * HW + p] - lo) / span;
  const S = Math.sqrt(HW / o.segments);
  const gy = Math.max(1, Math.min(H, Math.round(H / S)));
  const gx = Math.max(1, Math.min(W, Math.round(W / S)));
  const K = gy * gx;
  // Centre k: y, x, then its C colour values.
  const centres = new Float64Array(K * (2 + C));
  for (let i = 0; i < gy; i++) {
    for (let j = 0; j < gx; j++) {
      const k = i * gx + j;
      const y = ((i + 0.5) * H) / gy - 0.5;
      const x = ((j + 0.5) * W) / gx - 0.5;
      centres[k * (2 + C)] = y;
      centres[k * (2 + C) + 1] = x;
      const p = Math.round(y) * W + Math.round(x);
      for (let c = 0; c < C; c++) centres[k * (2 + C) + 2 + c] = colour(c, p);
    }
  }
  const step = Math.max(H / gy, W / gx);
  const spatialWeight = (o.compactness / step) ** 2;
  const labels = new Int32Array(HW).fill(-1);
  const best = new Float64Array(HW);
  for (let round = 0; round < o.iterations; round++) {
    best.fill(Infinity);
    for (let k = 0; k < K; k++) {
      const cy = centres[k * (2 + C)];
      const cx = centres[k * (2 + C) + 1];
      const y0 = Math.max(0, Math.floor(cy - 2 * step));
      const y1 = Math.min(H - 1, Math.ceil(cy + 2 * step));
      const x0 = Math.max(0, Math.floor(cx - 2 * step));
      const x1 = Math.min(W - 1, Math.ceil(cx + 2 * step));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const p = y * W + x;
          let dc = 0;
          for (let c = 0; c < C; c++) dc += (colour(c, p) - centres[k * (2 + C) + 2 + c]) ** 2;
          const d = dc + spatialWeight * ((y - cy) ** 2 + (x - cx) ** 2);
          // Strictly smaller: ties go to the lower centre, so the result does not depend on float noise in the order.
          if (d < best[p]) {
            best[p] = d;
            labels[p] = k;
          }
        }
      }
    }
    const sums = new Float64Array(K * (2 + C));
    const sizes = new Float64Array(K);
    for (let p = 0; p < HW; p++) {
      const k = labels[p];
      sizes[k]++;
      sums[k * (2 + C)] += Math.floor(p / W);
      sums[k * (2 + C) + 1] += p % W;
      for (let c = 0; c < C; c++) sums[k * (2 + C) + 2 + c] += colour(c, p);
    }
    for (let k = 0; k < K; k++) if (sizes[k] > 0) for (let f = 0; f < 2 + C; f++) centres[k * (2 + C) + f] = sums[k * (2 + C) + f] / sizes[k];
  }
  return renumber(labels);
}

/** Labels renumbered 0 … count − 1 by first appearance. */
function renumber(labels: Int32Array): Segmentation {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let p = 0; p < labels.length; p++) {
    let m = map.get(labels[p]);
    if (m === undefined) map.set(labels[p], (m = map.size));
    out[p] = m;
  }
  return { labels: out, count: map.size };
}
