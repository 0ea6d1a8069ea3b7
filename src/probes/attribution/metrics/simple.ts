// Metrics that need no model: area of a mask, total variation and argmax of a map, completeness
// gap, and the kept / removed fraction of a target score.
import type { Tensor } from '../../../engine/tensor.ts';
import type { Attribution } from '../types.ts';
import { extent } from '../maps.ts';

/** Mean of a mask (DESIGN: a mask's area is its mean). */
export function maskArea(mask: Tensor): number {
  let s = 0;
  for (const v of mask.data) s += v;
  return s / mask.data.length;
}

/**
 * Total variation of an [H, W] map after scaling it to [0, 1] by its range: the mean absolute
 * difference between 4-neighbours. 0 for a constant map; a map of isolated speckles scores high.
 */
export function totalVariation(map: Tensor): number {
  const [H, W] = map.dims.slice(-2);
  const { lo, hi } = extent(map.data);
  const span = hi - lo;
  if (!(span > 0)) return 0;
  let s = 0;
  let n = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = map.data[y * W + x];
      if (y + 1 < H) {
        s += Math.abs(map.data[(y + 1) * W + x] - v);
        n++;
      }
      if (x + 1 < W) {
        s += Math.abs(map.data[y * W + x + 1] - v);
        n++;
      }
    }
  }
  return n ? s / n / span : 0;
}

/** Σ attribution − (F(x) − F(x′)): how far a map is from adding up to the change it explains. */
export function completenessGap(map: Tensor, scoreInput: number, scoreBaseline: number): number {
  let s = 0;
  for (const v of map.data) s += v;
  return s - (scoreInput - scoreBaseline);
}

/** Score kept (or removed) as a fraction of the unperturbed score. */
export function scoreFraction(perturbed: number, original: number): number {
  return original !== 0 ? perturbed / original : NaN;
}

/** Position [y, x] of the largest value of an [H, W] map (first in row-major order on ties). */
export function argmax2d(map: Tensor): [number, number] {
  const W = map.dims[map.dims.length - 1];
  let best = 0;
  for (let i = 1; i < map.data.length; i++) if (map.data[i] > map.data[best]) best = i;
  return [Math.floor(best / W), best % W];
}

/** Two runs of a method gave the same map: exact equality and the largest difference. */
export function determinism(a: Attribution, b: Attribution): { equal: boolean; maxAbsDiff: number } {
  if (a.map.data.length !== b.map.data.length) return { equal: false, maxAbsDiff: Infinity };
  let m = 0;
  let equal = true;
  for (let i = 0; i < a.map.data.length; i++) {
    const d = Math.abs(a.map.data[i] - b.map.data[i]);
    if (d > m) m = d;
    if (!Object.is(a.map.data[i], b.map.data[i])) equal = false;
  }
  return { equal, maxAbsDiff: m };
}
