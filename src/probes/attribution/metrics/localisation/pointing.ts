// The pointing game (Zhang et al. 2016, as TorchRay's benchmark scores it): a map hits when its
// maximum lies within `tolerance` px of the object (a box or a mask); accuracy is the mean over
// classes of the per-class hit rate.
import type { Tensor } from '../../../../engine/tensor.ts';
import { blurPlanes } from '../../blur.ts';
import { spatial } from '../../maps.ts';
import { argmax2d } from '../simple.ts';
import { z } from 'zod';
import { describeMetric } from '../../metric.ts';

/** Inclusive pixel box [x0, y0, x1, y1] (as shapes_cnn.json and VOC store them). */
export type Box = [number, number, number, number];

export type Evidence = { box: Box } | { mask: Tensor };

export interface PointingOptions {
  /** Distance in px within which the maximum counts as a hit (TorchRay: 15). */
  tolerance: number;
  /** Gaussian σ (as a fraction of min(H, W)) to smooth the map before the argmax (TorchRay smooths extremal masks with 0.09). */
  smooth: number;
}

export const POINTING_DEFAULTS: PointingOptions = { tolerance: 15, smooth: 0 };

/** Distance from pixel (y, x) to the evidence (0 inside). */
export function distanceTo(y: number, x: number, ev: Evidence): number {
  if ('box' in ev) {
    const [x0, y0, x1, y1] = ev.box;
    const dx = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
    const dy = y < y0 ? y0 - y : y > y1 ? y - y1 : 0;
    return Math.hypot(dx, dy);
  }
  const [H, W] = ev.mask.dims.slice(-2);
  let best = Infinity;
  for (let yy = 0; yy < H; yy++) {
    for (let xx = 0; xx < W; xx++) {
      if (ev.mask.data[yy * W + xx] > 0.5) best = Math.min(best, Math.hypot(yy - y, xx - x));
    }
  }
  return best;
}

/** One map: where its maximum is and whether it hits. [C,H,W] maps are reduced by Σ|a| over channels. */
export function pointingHit(map: Tensor, ev: Evidence, options: Partial<PointingOptions> = {}): { hit: boolean; point: [number, number]; distance: number } {
  const o = { ...POINTING_DEFAULTS, ...options };
  let m = map.dims.length === 3 ? spatial(map, 'abs_sum') : map;
  if (o.smooth > 0) {
    const [H, W] = m.dims;
    m = { dims: m.dims, data: blurPlanes(m.data, 1, H, W, o.smooth * Math.min(H, W)) };
  }
  const point = argmax2d(m);
  const distance = distanceTo(point[0], point[1], ev);
  return { hit: distance <= o.tolerance, point, distance };
}

/** Mean over classes of the per-class hit rate, and the plain hit rate. */
export function pointingAccuracy(results: readonly { label: number | string; hit: boolean }[]): { accuracy: number; hitRate: number; perClass: Record<string, number> } {
  const byClass = new Map<string, { hits: number; n: number }>();
  for (const r of results) {
    const k = String(r.label);
    const e = byClass.get(k) ?? { hits: 0, n: 0 };
    e.n++;
    if (r.hit) e.hits++;
    byClass.set(k, e);
  }
  const perClass = Object.fromEntries([...byClass].map(([k, e]) => [k, e.hits / e.n]));
  const rates = Object.values(perClass);
  return {
    accuracy: rates.length ? rates.reduce((s, v) => s + v, 0) / rates.length : NaN,
    hitRate: results.length ? results.filter((r) => r.hit).length / results.length : NaN,
    perClass,
  };
}

export const pointingMetric = describeMetric<PointingOptions & { box?: Box; subset?: 'all' | 'difficult' }>({
  key: 'pointing',
  family: 'localisation',
  description: 'Pointing game: pointing_hit (1/0) and pointing_distance',
  form: 'options',
  options: {
    box: { schema: z.tuple([z.int().min(0), z.int().min(0), z.int().min(0), z.int().min(0)]), description: '[x0, y0, x1, y1] inclusive, in model-input pixels', defaultText: 'each image’s boxes (else its mask) from its manifest or scene' },
    subset: { schema: z.enum(['all', 'difficult']), description: 'Score every image, or only those marked difficult (TorchRay’s difficult subset)', defaultText: 'all' },
    tolerance: { schema: z.number().min(0), description: 'Hit distance in px' },
    smooth: { schema: z.number().min(0), description: 'Smooth the map first, σ as a fraction of min(H, W) (TorchRay: 0.09 for masks)' },
  },
  defaults: POINTING_DEFAULTS,
  metrics: ['pointing_hit', 'pointing_distance'],
  needs: ['box'],
  passes: () => 0,
  run: async ({ attribution: a, truth }, o) => {
    if (o.subset === 'difficult' && !truth?.difficult) return { values: { pointing_hit: null, pointing_distance: null } };
    // A box set on the entry, else the image's own boxes (the nearest counts), else its mask.
    const evidence: Evidence[] = o.box ? [{ box: o.box }] : truth?.boxes?.length ? truth.boxes.map((box) => ({ box })) : truth?.mask ? [{ mask: truth.mask }] : [];
    if (evidence.length === 0) return { values: { pointing_hit: null, pointing_distance: null } };
    const hit = evidence.map((ev) => pointingHit(a.map, ev, { tolerance: o.tolerance, smooth: o.smooth })).reduce((x, y) => (y.distance < x.distance ? y : x));
    return { values: { pointing_hit: hit.hit ? 1 : 0, pointing_distance: hit.distance } };
  },
});
