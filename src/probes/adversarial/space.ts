// Where attacks live: images as pixel levels scaled to [0, 1] (u), in the model's input channel
// order, and the per-channel affine map u ↦ x = gain·u + offset that `preprocess:` applies after it.
// Budgets (ε = 8/255) and the valid range [0, 1] are stated in u, whatever the model's normalisation.
import type { Tensor } from '../../engine/tensor.ts';
import type { Preprocess } from '../../models/types.ts';
import type { RgbImage } from '../../stimuli/image.ts';
import { fitToInput } from '../../stimuli/image.ts';

export interface PixelSpace {
  /** Per input channel c: x_c = gain[c]·u_c + offset[c]. */
  gain: Float64Array;
  offset: Float64Array;
}

/** The affine map of a model's preprocessing (pixel p = 255·u, x = (p·scale − mean)/std). */
export function pixelSpace(p: Pick<Preprocess, 'scale' | 'mean' | 'std'>): PixelSpace {
  return {
    gain: Float64Array.from([0, 1, 2], (c) => (255 * p.scale) / p.std[c]),
    offset: Float64Array.from([0, 1, 2], (c) => -p.mean[c] / p.std[c]),
  };
}

/** Identity map: the input already is u (closed-form test models). */
export function identitySpace(channels: number): PixelSpace {
  return { gain: new Float64Array(channels).fill(1), offset: new Float64Array(channels) };
}

/** u [N, C, H, W] (float64) → the model's input tensor. */
export function toInput(space: PixelSpace, u: Float64Array, dims: number[]): Tensor {
  const [n, C, H, W] = dims;
  const hw = H * W;
  const data = new Float32Array(n * C * hw);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const g = space.gain[c], o = space.offset[c], base = (i * C + c) * hw;
      for (let k = 0; k < hw; k++) data[base + k] = g * u[base + k] + o;
    }
  }
  return { dims: [...dims], data };
}

/** A gradient w.r.t. x carried back to u in place (the map is affine per channel). */
export function gradToPixels(space: PixelSpace, g: Float32Array, dims: number[]): Float64Array {
  const [n, C, H, W] = dims;
  const hw = H * W;
  const out = new Float64Array(g.length);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const s = space.gain[c], base = (i * C + c) * hw;
      for (let k = 0; k < hw; k++) out[base + k] = s * g[base + k];
    }
  }
  return out;
}

/** An image resized to the model's input as u [3, H, W] in the input's channel order, levels / 255. */
export function imageToPixels(img: RgbImage, p: Preprocess): Float64Array {
  const r = fitToInput(img, p);
  const hw = p.width * p.height;
  const out = new Float64Array(3 * hw);
  const order = p.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const src = order[c];
    for (let k = 0; k < hw; k++) out[c * hw + k] = Math.min(1, Math.max(0, r.data[k * 3 + src] / 255));
  }
  return out;
}
