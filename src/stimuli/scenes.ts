// The synthetic scene task of the shapes_cnn fixture, regenerated with neurogate's seeded RNG: one
// filled disk, square or triangle (30–60 px) in clutter on a smooth background, with its
// ground-truth box — so the pointing game can be scored on as many fresh scenes as wanted.
// Same distribution as `make_shapes_cnn.py` (the model was trained on it), not the same draws.
import type { Tensor } from '../engine/tensor.ts';
import { normal, type Rng } from '../util/rng.ts';
import { resizeBilinear } from '../probes/attribution/maps.ts';
import type { Box } from '../probes/attribution/metrics/localisation/pointing.ts';

export const SHAPE_CLASSES = ['disk', 'square', 'triangle'] as const;

export interface Scene {
  /** [1, 3, S, S], RGB in [0, 1] quantised to 8 bits (as the fixture PNGs). */
  input: Tensor;
  label: number;
  /** Inclusive pixel box of the shape [x0, y0, x1, y1]. */
  box: Box;
  /** [S, S]: 1 where the shape is painted, else 0 (the exact ground-truth segmentation). */
  mask: Tensor;
}

export function shapeScene(rng: Rng, S = 224): Scene {
  const HW = S * S;
  const img = new Float32Array(3 * HW);
  // Smooth background: 0.3 + 0.4 · bilinear(7×7 uniform) + 0.04 · N(0, 1).
  const low = Float32Array.from({ length: 3 * 49 }, () => rng());
  const up = resizeBilinear(low, 3, 7, 7, S, S);
  for (let i = 0; i < 3 * HW; i++) img[i] = 0.3 + 0.4 * up[i] + 0.04 * normal(rng);
  const label = Math.floor(rng() * 3);
  const paint = (inside: (x: number, y: number) => boolean, colour: readonly number[]) => {
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        if (inside(x + 0.5, y + 0.5)) for (let c = 0; c < 3; c++) img[c * HW + y * S + x] = colour[c];
      }
    }
  };
  for (let d = 0; d < 6; d++) {
    const cx = rng() * S;
    const cy = rng() * S;
    const r = 3 + 3 * rng();
    const colour = [rng(), rng(), rng()];
    paint((x, y) => Math.hypot(x - cx, y - cy) < r, colour);
  }
  const px = 45 + rng() * (S - 90);
  const py = 45 + rng() * (S - 90);
  const r = 15 + 15 * rng();
  const th = rng() * 2 * Math.PI;
  const inside = (x: number, y: number): boolean => {
    const dx = x - px;
    const dy = y - py;
    if (label === 0) return Math.hypot(dx, dy) < r;
    if (label === 1) {
      const u = dx * Math.cos(th) + dy * Math.sin(th);
      const v = -dx * Math.sin(th) + dy * Math.cos(th);
      return Math.abs(u) < r * 0.85 && Math.abs(v) < r * 0.85;
    }
    for (let k = 0; k < 3; k++) {
      const a = th + (k * 2 * Math.PI) / 3;
      if (!(dx * Math.cos(a) + dy * Math.sin(a) < r * 0.5)) return false;
    }
    return true;
  };
  const shade = rng() < 0.5 ? 0.05 : 0.95;
  paint(inside, [shade, shade, shade]);
  let x0 = S;
  let y0 = S;
  let x1 = -1;
  let y1 = -1;
  const mask = new Float32Array(HW);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (inside(x + 0.5, y + 0.5)) {
        mask[y * S + x] = 1;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  for (let i = 0; i < img.length; i++) img[i] = Math.round(Math.min(1, Math.max(0, img[i])) * 255) / 255;
  return { input: { dims: [1, 3, S, S], data: img }, label, box: [x0, y0, x1, y1], mask: { dims: [S, S], data: mask } };
}
