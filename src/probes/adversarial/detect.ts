// Telling attacked images from clean ones by their attribution maps alone (Fong's "adversarial
// defence from heatmaps"), and recovering the clean label from an attacked image's map: map
// statistics → logistic regression (Newton/IRLS, L2-penalised), pooled maps → softmax regression,
// both trained on a seeded half of the images and scored on the held-out half.
import type { Tensor } from '../../engine/tensor.ts';
import type { Rng } from '../../util/rng.ts';

/** A map's per-pixel evidence: |map| summed over channels, [H·W] (spatial maps pass through as |map|). */
export function magnitude(map: Tensor): { h: number; w: number; data: Float64Array } {
  const [h, w] = map.dims.slice(-2);
  const c = map.dims.length === 3 ? map.dims[0] : 1;
  const out = new Float64Array(h * w);
  for (let ch = 0; ch < c; ch++) for (let k = 0; k < h * w; k++) out[k] += Math.abs(map.data[ch * h * w + k]);
  return { h, w, data: out };
}

export const MAP_STATISTICS = ['log_mean', 'entropy', 'top1_mass', 'top10_mass', 'roughness', 'log_peak_ratio', 'spread'] as const;

/**
 * Seven statistics of a map's magnitude, each scale-free except the first: log mean magnitude,
 * normalised entropy, mass of the top 1 % and 10 % of pixels, roughness (mean neighbour
 * difference over the mean), log(max / mean), and the spread of the mass around its centroid.
 */
export function mapStatistics(map: Tensor): number[] {
  const { h, w, data: a } = magnitude(map);
  const n = h * w;
  let total = 0, peak = 0;
  for (let k = 0; k < n; k++) { total += a[k]; peak = Math.max(peak, a[k]); }
  if (!(total > 0)) return [Math.log(1e-30), 1, 0.01, 0.1, 0, 0, 0];
  const mean = total / n;
  let ent = 0, cx = 0, cy = 0;
  for (let k = 0; k < n; k++) {
    const p = a[k] / total;
    if (p > 0) ent -= p * Math.log(p);
    cx += p * (k % w);
    cy += p * Math.floor(k / w);
  }
  const sorted = Float64Array.from(a).sort().reverse();
  const top = (f: number) => { let s = 0; const m = Math.max(1, Math.ceil(f * n)); for (let k = 0; k < m; k++) s += sorted[k]; return s / total; };
  let rough = 0, pairs = 0, spread = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      if (x + 1 < w) { rough += Math.abs(a[k + 1] - a[k]); pairs++; }
      if (y + 1 < h) { rough += Math.abs(a[k + w] - a[k]); pairs++; }
      spread += (a[k] / total) * ((x - cx) ** 2 + (y - cy) ** 2);
    }
  }
  return [Math.log(mean), ent / Math.log(Math.max(2, n)), top(0.01), top(0.1), pairs ? rough / pairs / mean : 0, Math.log(peak / mean), Math.sqrt(spread) / Math.hypot(h, w)];
}

/** The magnitude average-pooled to a g×g grid and normalised to sum 1 (the recovery classifier's input). */
export function pooledMap(map: Tensor, g = 8): number[] {
  const { h, w, data } = magnitude(map);
  const out = new Array<number>(g * g).fill(0);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[Math.min(g - 1, Math.floor((y * g) / h)) * g + Math.min(g - 1, Math.floor((x * g) / w))] += data[y * w + x];
  const s = out.reduce((a, v) => a + v, 0);
  return out.map((v) => (s > 0 ? v / s : 1 / (g * g)));
}

/** Area under the ROC curve: P(score of a positive > score of a negative), ties counting ½. */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  if (!positives.length || !negatives.length) return NaN;
  const all = [...positives.map((s) => ({ s, p: 1 })), ...negatives.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].s === all[i].s) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k].p) rankSum += mid;
    i = j + 1;
  }
  const np = positives.length, nn = negatives.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}

/** Standard error of an AUC of 0.5 (no signal) with these class sizes (Hanley & McNeil 1982). */
export function chanceAucStandardError(np: number, nn: number): number {
  return Math.sqrt((np + nn + 1) / (12 * np * nn));
}

/** True-positive rate at the threshold where at most `fpr` of negatives score strictly above it. */
export function tprAtFpr(positives: readonly number[], negatives: readonly number[], fpr = 0.05): number {
  if (!positives.length || !negatives.length) return NaN;
  const neg = [...negatives].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * neg.length + 1e-9);
  const threshold = neg[allowed] ?? -Infinity;
  return positives.filter((s) => s > threshold).length / positives.length;
}

/** Solve A x = b (A symmetric positive definite, small) by Gaussian elimination with pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

interface Standardiser { mean: number[]; sd: number[] }

function standardiser(rows: readonly number[][]): Standardiser {
  const d = rows[0].length;
  const mean = new Array<number>(d).fill(0), sd = new Array<number>(d).fill(0);
  for (const r of rows) r.forEach((v, j) => (mean[j] += v / rows.length));
  for (const r of rows) r.forEach((v, j) => (sd[j] += (v - mean[j]) ** 2 / rows.length));
  return { mean, sd: sd.map((v) => Math.sqrt(v) || 1) };
}

const standardise = (s: Standardiser, r: readonly number[]) => [1, ...r.map((v, j) => (v - s.mean[j]) / s.sd[j])];

/** Logistic regression (intercept, standardised features, ridge λ) by Newton's method; returns a scorer. */
export function logisticRegression(rows: readonly number[][], ys: readonly number[], lambda = 1e-2): (row: readonly number[]) => number {
  const st = standardiser(rows);
  const X = rows.map((r) => standardise(st, r));
  const d = X[0].length;
  let beta = new Array<number>(d).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = beta.map((b, j) => (j ? lambda * b : 0));
    const H = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j && i ? lambda : i === j ? 1e-9 : 0)));
    X.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-x.reduce((s, v, j) => s + v * beta[j], 0)));
      for (let a = 0; a < d; a++) {
        g[a] += (p - ys[i]) * x[a] / X.length;
        for (let b = 0; b < d; b++) H[a][b] += p * (1 - p) * x[a] * x[b] / X.length;
      }
    });
    const step = solve(H, g);
    beta = beta.map((b, j) => b - step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return (row) => standardise(st, row).reduce((s, v, j) => s + v * beta[j], 0);
}

/** Softmax regression over K classes by full-batch gradient descent (deterministic; ridge λ). */
export function softmaxRegression(rows: readonly number[][], ys: readonly number[], K: number, opts: { lambda?: number; iterations?: number; rate?: number } = {}): (row: readonly number[]) => number {
  const lambda = opts.lambda ?? 1e-3, iterations = opts.iterations ?? 300, rate = opts.rate ?? 0.5;
  const st = standardiser(rows);
  const X = rows.map((r) => standardise(st, r));
  const d = X[0].length;
  const Wt = Array.from({ length: K }, () => new Array<number>(d).fill(0));
  const probs = (x: number[]) => {
    const z = Wt.map((w) => w.reduce((s, v, j) => s + v * x[j], 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / s);
  };
  for (let it = 0; it < iterations; it++) {
    const G = Wt.map((w) => w.map((v, j) => (j ? lambda * v : 0)));
    X.forEach((x, i) => {
      const p = probs(x);
      for (let k = 0; k < K; k++) {
        const r = (p[k] - (ys[i] === k ? 1 : 0)) / X.length;
        for (let j = 0; j < d; j++) G[k][j] += r * x[j];
      }
    });
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) Wt[k][j] -= rate * G[k][j];
  }
  return (row) => {
    const p = probs(standardise(st, row));
    return p.indexOf(Math.max(...p));
  };
}

/** A seeded split of n items into a training and a held-out half (each non-empty when n ≥ 2). */
export function heldOutSplit(n: number, rng: Rng, trainFraction = 0.5): { train: number[]; test: number[] } {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const cut = Math.min(n - 1, Math.max(1, Math.round(trainFraction * n)));
  return { train: idx.slice(0, cut).sort((a, b) => a - b), test: idx.slice(cut).sort((a, b) => a - b) };
}

export interface Detection {
  auc: number;
  tprAt5Fpr: number;
  /** Held-out images (each gives one clean and one attacked map). */
  heldOut: number;
  /** The AUC's standard error were the detector at chance, for reading `auc` against 0.5. */
  chanceSe: number;
}

/**
 * Clean-vs-attacked detection from per-image features (`clean[i]`, `attacked[i]` of image i): the
 * images are split (both maps of an image fall on one side, so no image is seen twice), a logistic
 * regression is fitted on the training images' maps, and scored on the held-out ones.
 */
export function detect(clean: readonly number[][], attacked: readonly number[][], rng: Rng, trainFraction = 0.5): Detection {
  if (clean.length !== attacked.length || clean.length < 4) throw new RangeError(`detect: need ≥ 4 images with a clean and an attacked map each, got ${clean.length} and ${attacked.length}`);
  const { train, test } = heldOutSplit(clean.length, rng, trainFraction);
  const rows = [...train.map((i) => clean[i]), ...train.map((i) => attacked[i])];
  const ys = [...train.map(() => 0), ...train.map(() => 1)];
  const score = logisticRegression(rows, ys);
  const pos = test.map((i) => score(attacked[i]));
  const neg = test.map((i) => score(clean[i]));
  return { auc: auc(pos, neg), tprAt5Fpr: tprAtFpr(pos, neg, 0.05), heldOut: test.length, chanceSe: chanceAucStandardError(pos.length, neg.length) };
}

/**
 * Label recovery: a softmax regression trained on the training images' attacked maps with their
 * clean labels, scored on the held-out images whose attack succeeded (null when none did).
 */
export function recover(attacked: readonly number[][], cleanLabels: readonly number[], fooled: readonly boolean[], K: number, rng: Rng, trainFraction = 0.5): { accuracy: number | null; scored: number } {
  const { train, test } = heldOutSplit(attacked.length, rng, trainFraction);
  const scored = test.filter((i) => fooled[i]);
  if (!scored.length || new Set(train.map((i) => cleanLabels[i])).size < 2) return { accuracy: null, scored: scored.length };
  const predict = softmaxRegression(train.map((i) => attacked[i]), train.map((i) => cleanLabels[i]), K);
  return { accuracy: scored.filter((i) => predict(attacked[i]) === cleanLabels[i]).length / scored.length, scored: scored.length };
}
