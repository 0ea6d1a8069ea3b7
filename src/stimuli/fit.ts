// How an image of any size becomes the model's input size: stretched (both sides resized), centre-
// cropped after resizing its short side (torchvision Resize(s) + CenterCrop), or letterboxed (fit
// inside, the rest filled). One geometry maps image pixels to input pixels, for boxes and masks too.
import type { ResizeMode } from '../models/types.ts';
/** An RGB image as image.ts holds it (HWC, levels 0..255); spelt here so image.ts can import this module. */
interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
  channels?: number;
  alpha?: Float32Array;
}

/** Input coordinate = image coordinate · scale + offset (per axis), on pixel edges. */
export interface FitGeometry {
  sx: number;
  sy: number;
  ox: number;
  oy: number;
  /** The resized image's size before the crop or the padding. */
  rw: number;
  rh: number;
}

export function fitGeometry(w: number, h: number, W: number, H: number, mode: ResizeMode = { mode: 'stretch' }): FitGeometry {
  if (mode.mode === 'stretch') return { sx: W / w, sy: H / h, ox: 0, oy: 0, rw: W, rh: H };
  if (mode.mode === 'center_crop') {
    // torchvision: the short side becomes `size`, the long side int(size · long / short); then the crop's
    // top-left is round((resized − crop) / 2).
    const sized = (s: number) => (w <= h ? [s, Math.floor((s * h) / w)] : [Math.floor((s * w) / h), s]);
    // Default: the smallest short side whose resize covers the whole input (no padding after the crop).
    let s = mode.shortSide ?? Math.ceil(Math.max(W / w, H / h) * Math.min(w, h));
    while (mode.shortSide === undefined && (sized(s)[0] < W || sized(s)[1] < H)) s++;
    const [rw, rh] = sized(s);
    return { sx: rw / w, sy: rh / h, ox: -roundHalfEven((rw - W) / 2), oy: -roundHalfEven((rh - H) / 2), rw, rh };
  }
  const k = Math.min(W / w, H / h);
  const rw = Math.max(1, Math.round(w * k));
  const rh = Math.max(1, Math.round(h * k));
  return { sx: rw / w, sy: rh / h, ox: Math.floor((W - rw) / 2), oy: Math.floor((H - rh) / 2), rw, rh };
}

/**
 * Place the resized image (rw × rh) at the geometry's offset in a W × H canvas filled with `fill`
 * (0..255); a kept alpha is placed alike, the padding opaque (255) as in an image without alpha.
 */
export function place(resized: RgbImage, g: FitGeometry, W: number, H: number, fill = 0): RgbImage {
  if (g.ox === 0 && g.oy === 0 && resized.width === W && resized.height === H) return resized;
  const n = resized.channels ?? 3;
  const out: RgbImage = { ...resized, width: W, height: H, data: placeSamples(resized.data, n, resized, g, W, H, fill) };
  if (resized.alpha) out.alpha = placeSamples(resized.alpha, 1, resized, g, W, H, 255);
  return out;
}

function placeSamples(src: Float32Array, n: number, size: { width: number; height: number }, g: FitGeometry, W: number, H: number, fill: number): Float32Array {
  const data = new Float32Array(W * H * n).fill(fill);
  for (let y = 0; y < H; y++) {
    const yy = y - g.oy;
    if (yy < 0 || yy >= size.height) continue;
    for (let x = 0; x < W; x++) {
      const xx = x - g.ox;
      if (xx < 0 || xx >= size.width) continue;
      const s = (yy * size.width + xx) * n;
      const d = (y * W + x) * n;
      for (let k = 0; k < n; k++) data[d + k] = src[s + k];
    }
  }
  return data;
}

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop offset uses it). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}
