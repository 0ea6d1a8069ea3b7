// Net2Vec (Fong & Vedaldi, CVPR 2018): a concept as a weighted combination of all of a layer's
// filters, learned by regularised logistic regression, against the best single filter learned the
// same way — so "the concept needs several filters" becomes a number (the gain) and the
// embedding's sparsity says how many filters carry it.
//   segmentation: per layer cell, σ(w·a + b) predicts the concept's (soft) coverage of the cell
//     with class-balanced cross-entropy; the map w·a + b is upsampled and thresholded at 0
//     (probability ½) and scored by set IoU at input resolution.
//   classification: σ(w·mean(a) + b) predicts whether the scene holds the concept; scored by AP.
// The first half of the scenes trains, the second half scores (the paper's train/val split), so
// a filter set that only memorises cannot win.
import { fitRows, type LogisticFit } from './logistic.ts';
import { cellCoverage, plane, setIou, type ConceptMasks, type Frame, type LayerMaps } from './maps.ts';

export type Net2VecVariant = 'segmentation' | 'classification';

export interface Net2VecOptions {
  variant: Net2VecVariant;
  l2: number;
  iterations: number;
}

export interface Net2VecResult {
  /** IoU (segmentation) or AP (classification) of the learned combination on the held-out half. */
  score: number;
  /** The same score of the best single filter (chosen on the training half). */
  singleScore: number;
  singleFilter: number;
  /** Weight per filter, scaled by the filter's spread (so weights of filters on different scales compare). */
  embedding: number[];
  /** Fewest filters whose |standardised weight| sums to 90% of the total. */
  filters90: number;
}

/** Fewest entries whose absolute values sum to `share` of the total absolute value (0 for an all-zero vector). */
export function filtersCarrying(weights: readonly number[], share = 0.9): number {
  const a = weights.map(Math.abs).sort((x, y) => y - x);
  const total = a.reduce((s, v) => s + v, 0);
  if (total === 0) return 0;
  let acc = 0;
  for (let i = 0; i < a.length; i++) {
    acc += a[i];
    if (acc >= share * total - 1e-12 * total) return i + 1;
  }
  return a.length;
}

/** Average precision of scores against binary labels (ties broken by index, as a stable sort). */
export function averagePrecision(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const positives = labels.reduce((s, v) => s + (v ? 1 : 0), 0);
  if (positives === 0) return 0;
  let hits = 0;
  let ap = 0;
  order.forEach((i, r) => {
    if (labels[i]) {
      hits++;
      ap += hits / (r + 1);
    }
  });
  return ap / positives;
}

/** Rows of channel vectors: one per cell (segmentation) or per scene (classification). */
function rowsOf(maps: LayerMaps, scenes: readonly number[], channels: readonly number[], variant: Net2VecVariant): Float32Array {
  const n = maps.h * maps.w;
  const d = channels.length;
  if (variant === 'classification') {
    const x = new Float32Array(scenes.length * d);
    scenes.forEach((s, r) => channels.forEach((k, j) => {
      const p = plane(maps, s, k);
      let acc = 0;
      for (let i = 0; i < n; i++) acc += p[i];
      x[r * d + j] = acc / n;
    }));
    return x;
  }
  const x = new Float32Array(scenes.length * n * d);
  scenes.forEach((s, r) => channels.forEach((k, j) => {
    const p = plane(maps, s, k);
    for (let i = 0; i < n; i++) x[(r * n + i) * d + j] = p[i];
  }));
  return x;
}

function combine(maps: LayerMaps, s: number, channels: readonly number[], fit: LogisticFit): Float32Array {
  const n = maps.h * maps.w;
  const out = new Float32Array(n).fill(fit.b);
  channels.forEach((k, j) => {
    const wk = fit.w[j];
    if (wk === 0) return;
    const p = plane(maps, s, k);
    for (let i = 0; i < n; i++) out[i] += wk * p[i];
  });
  return out;
}

/** Learn the embedding and its single-filter rival for one concept; `present[s]` says whether scene s holds it. */
export function net2vec(maps: LayerMaps, f: Frame, masks: ConceptMasks, present: readonly boolean[], o: Net2VecOptions): Net2VecResult {
  const N = maps.data.length;
  const half = Math.max(1, Math.floor(N / 2));
  const train = Array.from({ length: half }, (_, i) => i);
  const val = Array.from({ length: N - half }, (_, i) => half + i);
  const all = Array.from({ length: maps.C }, (_, k) => k);
  const n = maps.h * maps.w;
  let target: Float32Array;
  let rowWeight: Float32Array;
  const cov = new Float32Array(o.variant === 'segmentation' ? train.length * n : 0);
  if (o.variant === 'segmentation') {
    train.forEach((s, r) => cov.set(cellCoverage(masks[s], maps.h, maps.w, f), r * n));
    // Class balance as the paper: positives weigh α = 1 − (mean coverage), negatives 1 − α; a
    // soft target y splits into row weight αy + (1−α)(1−y) and target αy / that weight.
    const mean = cov.reduce((s, v) => s + v, 0) / cov.length;
    const alpha = 1 - mean;
    rowWeight = cov.map((y) => alpha * y + (1 - alpha) * (1 - y));
    target = cov.map((y, i) => (rowWeight[i] > 0 ? (alpha * y) / rowWeight[i] : 0));
  } else {
    target = Float32Array.from(train, (s) => (present[s] ? 1 : 0));
    rowWeight = new Float32Array(train.length).fill(1);
  }
  const score = (channels: readonly number[], fit: LogisticFit, scenes: readonly number[]) => {
    if (o.variant === 'segmentation') return setIou(scenes.map((s) => combine(maps, s, channels, fit)), maps.h, maps.w, f, 0, scenes.map((s) => masks[s]));
    return averagePrecision(scenes.map((s) => combine(maps, s, channels, fit).reduce((a, v) => a + v, 0)), scenes.map((s) => (present[s] ? 1 : 0)));
  };
  const rows = target.length;
  const fitOpts = { l2: o.l2, iterations: o.iterations };
  const full = fitRows(rowsOf(maps, train, all, o.variant), rows, maps.C, target, rowWeight, fitOpts);
  // Each filter alone, fitted the same way; the one that scores best on the training half competes.
  let best = { k: 0, train: -Infinity, fit: undefined as LogisticFit | undefined };
  for (const k of all) {
    const fit = fitRows(rowsOf(maps, train, [k], o.variant), rows, 1, target, rowWeight, fitOpts);
    const s = trainScore(maps, cov, present, o.variant, train, k, fit);
    if (s > best.train) best = { k, train: s, fit };
  }
  const spread = all.map((k) => channelSpread(maps, train, k));
  const embedding = all.map((k) => full.w[k] * spread[k]);
  return {
    score: score(all, full, val),
    singleScore: score([best.k], best.fit!, val),
    singleFilter: best.k,
    embedding,
    filters90: filtersCarrying(embedding),
  };
}

/** A filter's score on the training half, at the layer's grid (cheap; only ranks filters). */
function trainScore(maps: LayerMaps, cov: Float32Array, present: readonly boolean[], variant: Net2VecVariant, train: readonly number[], k: number, fit: LogisticFit): number {
  if (variant === 'classification') return averagePrecision(train.map((s) => combine(maps, s, [k], fit).reduce((a, v) => a + v, 0)), train.map((s) => (present[s] ? 1 : 0)));
  let inter = 0;
  let union = 0;
  train.forEach((s, r) => {
    const m = combine(maps, s, [k], fit);
    for (let i = 0; i < m.length; i++) {
      const on = m[i] >= 0;
      const lab = cov[r * m.length + i] >= 0.5;
      if (on && lab) inter++;
      if (on || lab) union++;
    }
  });
  return union > 0 ? inter / union : 0;
}

function channelSpread(maps: LayerMaps, scenes: readonly number[], k: number): number {
  let s1 = 0;
  let s2 = 0;
  let n = 0;
  for (const s of scenes) for (const v of plane(maps, s, k)) {
    s1 += v;
    s2 += v * v;
    n++;
  }
  const mean = s1 / n;
  return Math.sqrt(Math.max(0, s2 / n - mean * mean));
}
