// Robustness transforms for feature visualization, each a function with its exact adjoint:
// pad (constant), jitter (random crop), and a random scale + rotation as one bilinear resampling
// about the image centre. Applied to a whole batch with the same random draws, as Lucid does.
//
// Why in JS rather than as ONNX ops in front of the model: rotation needs bilinear sampling at
// arbitrary points (GridSample, which our autodiff has no rule for), and each transform is a
// small sparse linear map whose transpose is a few lines of code — the model's own gradient
// comes from the autodiff graph, and these adjoints chain it back to the image exactly.
import { randInt, type Rng } from '../../../util/rng.ts';

/** A batch of planar images: data[((item·channels + c)·h + y)·w + x]. */
export interface ImageBatch {
  n: number;
  channels: number;
  h: number;
  w: number;
  data: Float64Array;
}

/** A transform applied once: the output and the map from its gradient to the input's gradient. */
export interface Applied {
  out: ImageBatch;
  back: (g: Float64Array) => Float64Array;
  /** What was drawn, for the record (report params). */
  info: Record<string, number>;
}

export type Transform = (x: ImageBatch, rng: Rng) => Applied;

function planes(b: ImageBatch): number {
  return b.n * b.channels;
}

/** Pad every side by p pixels of a constant value (Lucid: 12 px of 0.5). */
export function pad(p: number, value = 0.5): Transform {
  return (x) => {
    const h = x.h + 2 * p;
    const w = x.w + 2 * p;
    const data = new Float64Array(planes(x) * h * w).fill(value);
    for (let k = 0; k < planes(x); k++) {
      for (let y = 0; y < x.h; y++) data.set(x.data.subarray((k * x.h + y) * x.w, (k * x.h + y + 1) * x.w), (k * h + y + p) * w + p);
    }
    return {
      out: { ...x, h, w, data },
      back: (g) => {
        const gi = new Float64Array(planes(x) * x.h * x.w);
        for (let k = 0; k < planes(x); k++) for (let y = 0; y < x.h; y++) gi.set(g.subarray((k * h + y + p) * w + p, (k * h + y + p) * w + p + x.w), (k * x.h + y) * x.w);
        return gi;
      },
      info: { pad: p },
    };
  };
}

/** Crop at a uniformly drawn offset in 0 … d, losing d pixels in each dimension (Lucid's jitter). */
export function jitter(d: number): Transform {
  return (x, rng) => {
    const oy = randInt(rng, d + 1);
    const ox = randInt(rng, d + 1);
    return crop(x, oy, ox, x.h - d, x.w - d, { jitter: d, dy: oy, dx: ox });
  };
}

/** A fixed crop (the adjoint places the gradient back, zero elsewhere). */
export function crop(x: ImageBatch, oy: number, ox: number, h: number, w: number, info: Record<string, number> = {}): Applied {
  if (h <= 0 || w <= 0 || oy < 0 || ox < 0 || oy + h > x.h || ox + w > x.w) throw new RangeError(`crop ${h}×${w} at (${oy}, ${ox}) does not fit a ${x.h}×${x.w} image`);
  const data = new Float64Array(planes(x) * h * w);
  for (let k = 0; k < planes(x); k++) for (let y = 0; y < h; y++) data.set(x.data.subarray((k * x.h + y + oy) * x.w + ox, (k * x.h + y + oy) * x.w + ox + w), (k * h + y) * w);
  return {
    out: { ...x, h, w, data },
    back: (g) => {
      const gi = new Float64Array(planes(x) * x.h * x.w);
      for (let k = 0; k < planes(x); k++) for (let y = 0; y < h; y++) gi.set(g.subarray((k * h + y) * w, (k * h + y + 1) * w), (k * x.h + y + oy) * x.w + ox);
      return gi;
    },
    info,
  };
}

/**
 * Resample about the centre by `scale` and `angleDeg` (counter-clockwise on screen), bilinear,
 * same size; samples falling outside the image read `fill`.
 */
export function affine(x: ImageBatch, scale: number, angleDeg: number, fill = 0.5): Applied {
  const { h, w } = x;
  const n = h * w;
  // For each output pixel: the 4 source indices (−1 = outside) and weights.
  const idx = new Int32Array(4 * n);
  const wt = new Float64Array(4 * n);
  const a = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = w / 2;
  const cy = h / 2;
  for (let oy = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++) {
      const dx = ox + 0.5 - cx;
      const dy = oy + 0.5 - cy;
      // Inverse map: rotate by −angle (screen y is down, so counter-clockwise uses +sin on dy).
      const sx = cx + (cos * dx - sin * dy) / scale;
      const sy = cy + (sin * dx + cos * dy) / scale;
      const u = sx - 0.5;
      const v = sy - 0.5;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      const o = (oy * w + ox) * 4;
      const corners: [number, number, number][] = [[y0, x0, (1 - fy) * (1 - fx)], [y0, x0 + 1, (1 - fy) * fx], [y0 + 1, x0, fy * (1 - fx)], [y0 + 1, x0 + 1, fy * fx]];
      corners.forEach(([yy, xx, ww], j) => {
        idx[o + j] = yy >= 0 && yy < h && xx >= 0 && xx < w ? yy * w + xx : -1;
        wt[o + j] = ww;
      });
    }
  }
  const data = new Float64Array(planes(x) * n);
  for (let k = 0; k < planes(x); k++) {
    const base = k * n;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) {
        const src = idx[i * 4 + j];
        s += wt[i * 4 + j] * (src >= 0 ? x.data[base + src] : fill);
      }
      data[base + i] = s;
    }
  }
  return {
    out: { ...x, data },
    back: (g) => {
      const gi = new Float64Array(planes(x) * n);
      for (let k = 0; k < planes(x); k++) {
        const base = k * n;
        for (let i = 0; i < n; i++) {
          const gv = g[base + i];
          if (gv === 0) continue;
          for (let j = 0; j < 4; j++) {
            const src = idx[i * 4 + j];
            if (src >= 0) gi[base + src] += wt[i * 4 + j] * gv;
          }
        }
      }
      return gi;
    },
    info: { scale, angle: angleDeg },
  };
}

/** Random scale from `scales` and rotation from `angles` (degrees), drawn uniformly from the lists. */
export function randomAffine(scales: readonly number[], angles: readonly number[], fill = 0.5): Transform {
  return (x, rng) => affine(x, scales[randInt(rng, scales.length)], angles[randInt(rng, angles.length)], fill);
}

/** Lucid's standard transforms: pad 12 (0.5) → jitter 8 → scale 0.9…1.1 and rotate −10…10° → jitter 4. */
export const LUCID_SCALES = Array.from({ length: 11 }, (_, i) => 1 + (i - 5) / 50);
export const LUCID_ANGLES = Array.from({ length: 21 }, (_, i) => i - 10);

export function lucidTransforms(): Transform[] {
  return [pad(12, 0.5), jitter(8), randomAffine(LUCID_SCALES, LUCID_ANGLES, 0.5), jitter(4)];
}

/** Output size of a transform list on an h×w image (they are size-deterministic). */
export function outputSize(ts: readonly Transform[], h: number, w: number): { h: number; w: number } {
  let x: ImageBatch = { n: 1, channels: 1, h, w, data: new Float64Array(h * w) };
  const still: Rng = () => 0;
  for (const t of ts) x = t(x, still).out;
  return { h: x.h, w: x.w };
}

/** Apply a list of transforms; returns the output and the chained adjoint. */
export function applyAll(ts: readonly Transform[], x: ImageBatch, rng: Rng): { out: ImageBatch; back: (g: Float64Array) => Float64Array; info: Record<string, number>[] } {
  const steps: Applied[] = [];
  let cur = x;
  for (const t of ts) {
    const a = t(cur, rng);
    steps.push(a);
    cur = a.out;
  }
  return {
    out: cur,
    back: (g) => steps.reduceRight((acc, s) => s.back(acc), g),
    info: steps.map((s) => s.info),
  };
}
