// Network dissection (Bau, Zhou, Khosla, Oliva, Torralba, CVPR 2017) over any named concepts: per
// unit, the threshold above which its top `quantile` (NetDissect: 0.5%) of activations over the
// whole set lie; the map upsampled and thresholded; IoU with each concept's masks summed over
// the set; the unit's concept is the one with the highest IoU.
import { topQuantile } from '../neuron/dissection.ts';
import { plane, setIou, type ConceptMasks, type Frame, type LayerMaps } from './maps.ts';

export interface UnitConcepts {
  unit: number;
  threshold: number;
  /** IoU per concept, in the order of the concept list. */
  iou: number[];
  /** Index of the best concept (ties: the first). */
  best: number;
}

export function dissectUnits(maps: LayerMaps, f: Frame, concepts: readonly ConceptMasks[], units: readonly number[], quantile: number): UnitConcepts[] {
  const n = maps.h * maps.w;
  return units.map((u) => {
    const all = new Float32Array(maps.data.length * n);
    maps.data.forEach((_, s) => all.set(plane(maps, s, u), s * n));
    const threshold = topQuantile(all, quantile);
    const planes = maps.data.map((_, s) => plane(maps, s, u));
    const iou = concepts.map((masks) => setIou(planes, maps.h, maps.w, f, threshold, masks));
    const best = iou.reduce((b, v, i) => (v > iou[b] ? i : b), 0);
    return { unit: u, threshold, iou, best };
  });
}
