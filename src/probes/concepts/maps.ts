// Layer maps over a set of scenes and the operations the concept methods share on them: a
// concept mask brought down to the layer's grid, and set-level IoU of a map thresholded after
// bilinear upsampling along the receptive-field geometry (as network dissection compares).
import { upsampledMask } from '../neuron/dissection.ts';
import type { Geometry } from '../neuron/receptive-field.ts';

/** One layer over N scenes: `data[s]` is scene s's [C, h, w] activation. */
export interface LayerMaps {
  C: number;
  h: number;
  w: number;
  data: Float32Array[];
}

/** A concept's masks at input resolution, one per scene (1 = the concept is there). */
export type ConceptMasks = readonly Uint8Array[];

export interface Frame {
  width: number;
  height: number;
  g: Geometry;
}

/** Geometry of a layer whose cells tile the input evenly (no graph to read it from); pixel p spans [p, p + 1). */
export function evenGeometry(h: number, w: number, width: number, height: number): Geometry {
  return { y: { start: height / h / 2, jump: height / h, size: height / h }, x: { start: width / w / 2, jump: width / w, size: width / w } };
}

/** Fraction of each layer cell's pixels (the pixels nearest its centre) that the mask covers. */
export function cellCoverage(mask: Uint8Array, h: number, w: number, f: Frame): Float32Array {
  const hit = new Float32Array(h * w);
  const all = new Float32Array(h * w);
  const cellOf = (p: number, a: Geometry['x'], n: number) => Math.min(n - 1, Math.max(0, Math.round((p + 0.5 - a.start) / a.jump)));
  for (let py = 0; py < f.height; py++) {
    const cy = cellOf(py, f.g.y, h);
    for (let px = 0; px < f.width; px++) {
      const c = cy * w + cellOf(px, f.g.x, w);
      all[c]++;
      if (mask[py * f.width + px]) hit[c]++;
    }
  }
  return hit.map((v, i) => (all[i] > 0 ? v / all[i] : 0));
}

/** Intersection and union of one upsampled-and-thresholded map with a mask. */
export function overlap(map: Float32Array, h: number, w: number, f: Frame, threshold: number, mask: Uint8Array): { inter: number; union: number } {
  const { mask: on, count, box } = upsampledMask(map, h, w, f.g, f.width, f.height, threshold);
  let area = 0;
  for (let i = 0; i < mask.length; i++) area += mask[i];
  let inter = 0;
  if (count > 0 && box) {
    for (let y = box.y0; y <= box.y1; y++) for (let p = y * f.width + box.x0; p <= y * f.width + box.x1; p++) if (on[p] && mask[p]) inter++;
  }
  return { inter, union: count + area - inter };
}

/** Σ|M ∧ L| / Σ|M ∨ L| over scenes, for one map per scene; 0 when both are empty everywhere. */
export function setIou(maps: readonly Float32Array[], h: number, w: number, f: Frame, threshold: number, masks: ConceptMasks): number {
  let inter = 0;
  let union = 0;
  maps.forEach((m, s) => {
    const o = overlap(m, h, w, f, threshold, masks[s]);
    inter += o.inter;
    union += o.union;
  });
  return union > 0 ? inter / union : 0;
}

/** Channel k's plane of scene s. */
export function plane(maps: LayerMaps, s: number, k: number): Float32Array {
  const n = maps.h * maps.w;
  return maps.data[s].subarray(k * n, (k + 1) * n);
}
