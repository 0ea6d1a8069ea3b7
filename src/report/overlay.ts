// Heatmaps for the HTML report: an attribution map coloured (magnitude: a dark-to-bright ramp;
// signed: blue–white–red) and laid over the input image, encoded as an inline PNG artifact.
import type { Tensor } from '../engine/tensor.ts';
import type { Artifact } from './model.ts';
import { displayRgb, encodePng, resize, type RgbImage } from '../stimuli/image.ts';
import { extent, spatial } from '../probes/attribution/maps.ts';

export interface OverlayOptions {
  /** `magnitude` colours |a| (Σ|a| over channels); `signed` colours Σa with 0 in white; `mask` shows values in [0, 1] as they are. */
  display: 'magnitude' | 'signed' | 'mask';
  /** Weight of the heatmap over the image (0: image only, 1: heatmap only). */
  alpha: number;
  /** Longest side of the PNG (keeps reports light). */
  maxSide: number;
}

export const OVERLAY_DEFAULTS: OverlayOptions = { display: 'magnitude', alpha: 0.55, maxSide: 224 };

// A perceptually ordered ramp (black → purple → orange → yellow), like matplotlib's inferno.
const RAMP: [number, number, number][] = [
  [0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164],
];

function ramp(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i];
  const b = RAMP[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function diverging(t: number): [number, number, number] {
  // t in [−1, 1]: blue (−) → white (0) → red (+)
  const u = Math.min(1, Math.max(-1, t));
  return u >= 0 ? [255, 255 * (1 - u), 255 * (1 - u)] : [255 * (1 + u), 255 * (1 + u), 255];
}

/** Quantile above which map values all get the brightest colour. */
const SATURATE = 0.99;

function quantile(data: Float32Array, q: number): number {
  if (data.length === 0) return 0;
  const sorted = Float32Array.from(data).sort();
  const at = q * (sorted.length - 1);
  const i = Math.floor(at);
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (at - i) : sorted[i];
}

/** The map as colours, one RGB triple per pixel (0..255), at the map's own resolution. */
export function colourMap(map: Tensor, display: OverlayOptions['display']): RgbImage {
  const m = display === 'magnitude' ? spatial(map, 'abs_sum') : spatial(map, 'sum');
  const [H, W] = m.dims;
  const data = new Float32Array(H * W * 3);
  // Gradient-type maps are sparse: scaled by their maximum, a few extreme pixels leave the rest
  // black. The top 1% saturate instead (masks are already in [0, 1] and shown as they are).
  // Each quantile sorts the whole map: only the one the display reads is taken (a dataset entry
  // draws a map per picture, and the sorts were most of a picture's cost).
  const lo = extent(m.data).lo;
  const hi = display === 'magnitude' ? quantile(m.data, SATURATE) : 0;
  const absMax = display === 'signed' ? quantile(Float32Array.from(m.data, Math.abs), SATURATE) : 0;
  for (let i = 0; i < H * W; i++) {
    const v = m.data[i];
    const c = display === 'signed' ? diverging(absMax > 0 ? Math.max(-1, Math.min(1, v / absMax)) : 0) : display === 'mask' ? ramp(v) : ramp(hi > lo ? (v - lo) / (hi - lo) : 0);
    data[i * 3] = c[0];
    data[i * 3 + 1] = c[1];
    data[i * 3 + 2] = c[2];
  }
  return { width: W, height: H, data };
}

/** The heatmap blended over the image (the image is resized to the map when they differ). */
export function overlay(image: RgbImage, map: Tensor, options: Partial<OverlayOptions> = {}): RgbImage {
  const o = { ...OVERLAY_DEFAULTS, ...options };
  const heat = colourMap(map, o.display);
  // A grey or multispectral image is shown as grey under the colours (displayRgb).
  const base = resize(displayRgb(image), heat.width, heat.height);
  const data = new Float32Array(heat.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (1 - o.alpha) * base.data[i] + o.alpha * heat.data[i];
  let out: RgbImage = { width: heat.width, height: heat.height, data };
  const side = Math.max(out.width, out.height);
  if (side > o.maxSide) out = resize(out, Math.round((out.width * o.maxSide) / side), Math.round((out.height * o.maxSide) / side));
  return out;
}

/** A report artifact: the overlay as an inline PNG. */
export function heatmapArtifact(name: string, image: RgbImage, map: Tensor, caption?: string, options: Partial<OverlayOptions> = {}): Artifact {
  const img = overlay(image, map, options);
  return { type: 'image', name, caption, pngBase64: encodePng(img).toString('base64'), width: img.width, height: img.height };
}
