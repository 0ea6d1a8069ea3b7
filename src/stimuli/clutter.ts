// Seeded clutter backgrounds: random short strokes in the ink colour and grey pixel noise, drawn
// before the stimulus so a probe can ask whether a unit still finds its shape among distractors.
import type { RgbImage } from './image.ts';
import type { Clutter } from './types.ts';
import type { Rgb } from './color.ts';
import { resolveClutter } from './params.ts';
import { strokeSegment } from './raster.ts';
import { normal, type Rng } from '../util/rng.ts';

/** Tries per stroke to land outside the clear zone before that stroke is skipped (keeps dense `clear` finite). */
const MAX_TRIES = 100;

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/**
 * Draws `clutter` into `img` in place. Draw order (fixed, so a seed always means the same picture):
 * per stroke x, y, orientation (retried while inside the clear zone), then one normal draw per pixel.
 */
export function drawClutter(img: RgbImage, clutter: Clutter, ink: Rgb, center: { x: number; y: number }, rng: Rng): void {
  const c = resolveClutter(clutter);
  const { width, height, data } = img;
  const alpha = c.contrast;
  const put = (i: number, cov: number) => {
    const a = cov * alpha;
    const o = i * 3;
    data[o] += (ink[0] - data[o]) * a;
    data[o + 1] += (ink[1] - data[o + 1]) * a;
    data[o + 2] += (ink[2] - data[o + 2]) * a;
  };
  const half = c.strokeLength / 2;
  const keepOut = c.clear > 0 ? c.clear + c.strokeWidth / 2 + 0.5 : -Infinity;
  for (let s = 0; s < c.strokes; s++) {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const x = rng() * width;
      const y = rng() * height;
      const th = rng() * 2 * Math.PI;
      const dx = Math.cos(th) * half;
      const dy = -Math.sin(th) * half;
      if (distanceToSegment(center.x, center.y, x - dx, y - dy, x + dx, y + dy) < keepOut) continue;
      strokeSegment(img, put, x - dx, y - dy, x + dx, y + dy, c.strokeWidth);
      break;
    }
  }
  if (c.noise > 0) {
    for (let i = 0; i < width * height; i++) {
      const n = normal(rng) * c.noise;
      for (let k = i * 3; k < i * 3 + 3; k++) data[k] = Math.min(255, Math.max(0, data[k] + n));
    }
  }
}
