// Attribution drift between a baseline's and a candidate's map of one image: rank agreement
// (Spearman), agreement of the most attributed pixels (top-k% IoU) and structural similarity
// (SSIM, Wang et al. 2004) of the maps rescaled to [0, 1]. Each is 1 for identical maps.

/** A 2-D map [H, W] (row-major); spatial maps of any method reduce to this. */
export interface Map2d {
  height: number;
  width: number;
  data: ArrayLike<number>;
}

export interface MapDrift {
  spearman: number;
  /** IoU of the top `topFraction` pixels of each map. */
  topIou: number;
  ssim: number;
}

function check(a: Map2d, b: Map2d, what: string): void {
  if (a.height !== b.height || a.width !== b.width) throw new RangeError(`${what}: maps are ${a.height}×${a.width} and ${b.height}×${b.width}; compare maps of one size`);
  if (a.data.length !== a.height * a.width || b.data.length !== b.height * b.width) throw new RangeError(`${what}: map data does not match its ${a.height}×${a.width} size`);
  for (const m of [a, b]) for (let i = 0; i < m.data.length; i++) if (!Number.isFinite(m.data[i])) throw new RangeError(`${what}: map value ${m.data[i]} at ${i} is not finite`);
}

/** Ranks 0..n−1 with ties sharing their mean rank. */
function ranks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => v[i] - v[j]);
  const r = new Float64Array(n);
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && v[order[e + 1]] === v[order[s]]) e++;
    const mean = (s + e) / 2;
    for (let k = s; k <= e; k++) r[order[k]] = mean;
    s = e + 1;
  }
  return r;
}

function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  if (sxx === 0 && syy === 0) return 1; // two constant maps agree on every rank
  if (sxx === 0 || syy === 0) return 0;
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman rank correlation of the two maps' pixels (ties at mean rank); in [−1, 1]. */
export function spearman(a: Map2d, b: Map2d): number {
  check(a, b, 'spearman');
  return pearson(ranks(a.data), ranks(b.data));
}

/** The indices of the ⌈fraction·n⌉ largest values (ties broken by position, for determinism). */
function topSet(v: ArrayLike<number>, fraction: number): Set<number> {
  const k = Math.max(1, Math.ceil(fraction * v.length));
  const order = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[j] - v[i] || i - j);
  return new Set(order.slice(0, k));
}

/** Intersection over union of the top `fraction` of pixels of each map (default 10%); in [0, 1]. */
export function topIou(a: Map2d, b: Map2d, fraction = 0.1): number {
  check(a, b, 'topIou');
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`topIou: fraction ${fraction} must be in (0, 1]`);
  const sa = topSet(a.data, fraction);
  const sb = topSet(b.data, fraction);
  let both = 0;
  for (const i of sa) if (sb.has(i)) both++;
  return both / (sa.size + sb.size - both);
}

function rescaled(m: Map2d): Float64Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < m.data.length; i++) { lo = Math.min(lo, m.data[i]); hi = Math.max(hi, m.data[i]); }
  const span = hi - lo;
  return Float64Array.from(m.data, (v) => (span > 0 ? (v - lo) / span : 0));
}

/**
 * Mean SSIM of the two maps rescaled to [0, 1] (dynamic range L = 1, K1 = 0.01, K2 = 0.03) over
 * every `window`×`window` square window (clipped at the borders); in [−1, 1].
 */
export function ssim(a: Map2d, b: Map2d, window = 7): number {
  check(a, b, 'ssim');
  if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`ssim: window ${window} must be an integer ≥ 1`);
  const x = rescaled(a);
  const y = rescaled(b);
  const { height: H, width: W } = a;
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  // Summed-area tables of x, y, x², y², xy: every window's moments in O(1).
  const table = (f: (i: number) => number) => {
    const t = new Float64Array((H + 1) * (W + 1));
    for (let r = 0; r < H; r++) {
      let row = 0;
      for (let c = 0; c < W; c++) {
        row += f(r * W + c);
        t[(r + 1) * (W + 1) + c + 1] = t[r * (W + 1) + c + 1] + row;
      }
    }
    return t;
  };
  const sx = table((i) => x[i]);
  const sy = table((i) => y[i]);
  const sxx = table((i) => x[i] * x[i]);
  const syy = table((i) => y[i] * y[i]);
  const sxy = table((i) => x[i] * y[i]);
  const half = Math.floor(window / 2);
  let total = 0;
  for (let r = 0; r < H; r++) {
    const r0 = Math.max(0, r - half), r1 = Math.min(H, r - half + window);
    for (let c = 0; c < W; c++) {
      const c0 = Math.max(0, c - half), c1w = Math.min(W, c - half + window);
      const box = (t: Float64Array) => t[r1 * (W + 1) + c1w] - t[r0 * (W + 1) + c1w] - t[r1 * (W + 1) + c0] + t[r0 * (W + 1) + c0];
      const n = (r1 - r0) * (c1w - c0);
      const mx = box(sx) / n, my = box(sy) / n;
      const vx = Math.max(0, box(sxx) / n - mx * mx), vy = Math.max(0, box(syy) / n - my * my);
      const cov = box(sxy) / n - mx * my;
      total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
  }
  return total / (H * W);
}

/** All three drift metrics of one image's pair of maps. */
export function mapDrift(a: Map2d, b: Map2d, topFraction = 0.1): MapDrift {
  return { spearman: spearman(a, b), topIou: topIou(a, b, topFraction), ssim: ssim(a, b) };
}
