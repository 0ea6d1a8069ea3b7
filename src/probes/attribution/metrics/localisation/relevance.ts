// How much of a map lies on the object, Quantus's localisation family beyond the pointing game:
// relevance mass and relevance rank accuracy (Arras, Osman & Samek 2022), the energy-based pointing
// game of Score-CAM (Wang et al. 2020), and IoU of the thresholded map with the object's mask.
import { z } from 'zod';
import type { Tensor } from '../../../../engine/tensor.ts';
import { spatial } from '../../maps.ts';
import { describeMetric } from '../../metric.ts';
import type { Box } from './pointing.ts';

export interface RelevanceOptions {
  /** IoU keeps the pixels whose evidence is at least this fraction of the largest. */
  threshold: number;
  box?: Box;
}

export const RELEVANCE_DEFAULTS: RelevanceOptions = { threshold: 0.5 };

/**
 * The evidence a map puts on each pixel, never negative: Σ|a| over channels for per-input maps,
 * the positive part for spatial maps (a CAM's negative values are evidence against the target).
 */
export function evidence(map: Tensor): Float64Array {
  if (map.dims.length === 3) return Float64Array.from(spatial(map, 'abs_sum').data);
  return Float64Array.from(map.data, (v) => Math.max(0, v));
}

/** A 0/1 region of H×W from boxes (inclusive, their union). */
export function boxRegion(boxes: readonly Box[], H: number, W: number): Uint8Array {
  const r = new Uint8Array(H * W);
  for (const [x0, y0, x1, y1] of boxes) {
    for (let y = Math.max(0, y0); y <= Math.min(H - 1, y1); y++) for (let x = Math.max(0, x0); x <= Math.min(W - 1, x1); x++) r[y * W + x] = 1;
  }
  return r;
}

/** Σ evidence inside the region ÷ Σ evidence; null when the map holds none. */
export function relevanceMass(e: ArrayLike<number>, region: Uint8Array): number | null {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < region.length; i++) {
    total += e[i];
    if (region[i]) inside += e[i];
  }
  return total > 0 ? inside / total : null;
}

/** Of the K pixels with the most evidence (K = the region's size; ties: the lower index first), the fraction inside the region. */
export function relevanceRank(e: ArrayLike<number>, region: Uint8Array): number | null {
  let K = 0;
  for (const v of region) K += v;
  if (K === 0) return null;
  const order = Array.from(region, (_, i) => i).sort((a, b) => e[b] - e[a] || a - b);
  let hits = 0;
  for (let k = 0; k < K; k++) hits += region[order[k]];
  return hits / K;
}

/** IoU of {e ≥ threshold · max e} with the region; null when the map holds no evidence. */
export function thresholdIoU(e: ArrayLike<number>, region: Uint8Array, threshold: number): number | null {
  let max = 0;
  for (let i = 0; i < region.length; i++) if (e[i] > max) max = e[i];
  if (!(max > 0)) return null;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < region.length; i++) {
    const on = e[i] >= threshold * max ? 1 : 0;
    inter += on & region[i];
    union += on | region[i];
  }
  return union > 0 ? inter / union : null;
}

const NAMES = ['relevance_mass', 'relevance_rank', 'energy_pointing', 'mask_iou'] as const;

export const relevanceMetric = describeMetric<RelevanceOptions>({
  key: 'localisation',
  family: 'localisation',
  description: 'Evidence on the object: relevance_mass, relevance_rank, energy_pointing (inside the boxes), mask_iou',
  form: 'options',
  options: {
    box: { schema: z.tuple([z.int().min(0), z.int().min(0), z.int().min(0), z.int().min(0)]), description: '[x0, y0, x1, y1] inclusive, in model-input pixels', defaultText: 'each image’s boxes (else its mask) from its manifest or scene' },
    threshold: { schema: z.number().gt(0).max(1), description: 'mask_iou keeps pixels with at least this fraction of the largest evidence' },
  },
  defaults: RELEVANCE_DEFAULTS,
  metrics: NAMES,
  needs: ['box'],
  passes: () => 0,
  run: async ({ attribution, truth, label }, o) => {
    const e = evidence(attribution.map);
    const [H, W] = attribution.map.dims.slice(-2);
    const boxes = o.box ? [o.box] : truth?.boxes ?? [];
    const mask = !o.box && truth?.mask ? Uint8Array.from(truth.mask.data, (v) => (v > 0.5 ? 1 : 0)) : undefined;
    const region = mask ?? (boxes.length ? boxRegion(boxes, H, W) : undefined);
    const none = Object.fromEntries(NAMES.map((k) => [k, null]));
    if (!region) {
      const why = `${label} has no box or mask to measure against`;
      return { values: none, uninformative: Object.fromEntries(NAMES.map((k) => [k, why])) };
    }
    return {
      values: {
        relevance_mass: relevanceMass(e, region),
        relevance_rank: relevanceRank(e, region),
        energy_pointing: boxes.length ? relevanceMass(e, boxRegion(boxes, H, W)) : null,
        mask_iou: thresholdIoU(e, region, o.threshold),
      },
    };
  },
});
