// Multispectral images from NumPy .npy files: [H, W, C] or [C, H, W] (a leading batch axis of 1
// allowed, [H, W] as one channel), float or integer samples taken as levels like PNG pixels.
import path from 'node:path';
import { badInput } from '../errors.ts';
import { parseNpy } from '../io/npy.ts';
import { INPUT_LIMITS } from '../models/input-size.ts';

/** An image with `channels` samples per pixel (HWC), as image.ts's RgbImage holds one. */
export interface NpyImage {
  width: number;
  height: number;
  data: Float32Array;
  channels: number;
}

const HINT = 'save it with numpy.save(path, image) as [height, width, channels] or [channels, height, width], float32 or uint8';

/**
 * The channel axis is the shorter of the first and the last (images are larger than their channel
 * count); a tie is refused, since a C×C×C cube reads both ways.
 */
export function decodeNpyImage(bytes: Uint8Array, where: string, limits: { maxPixels: number }): NpyImage {
  const name = path.basename(where);
  const bad = (what: string) => badInput('E_IMAGE_NPY', `image ${name}: ${what}`, where, HINT);
  const t = parseNpy(bytes, where, 'E_IMAGE_NPY');
  let dims = t.dims;
  if (dims.length === 4 && dims[0] === 1) dims = dims.slice(1);
  if (dims.length === 2) dims = [...dims, 1];
  if (dims.length !== 3) throw bad(`shape (${t.dims.join(', ')}) is not an image (HWC or CHW)`);
  const [a, , c] = dims;
  if (a === c && a > 1) throw bad(`shape (${t.dims.join(', ')}) reads as HWC and as CHW`);
  const chw = a < c;
  const [C, H, W] = chw ? dims : [dims[2], dims[0], dims[1]];
  if (C > INPUT_LIMITS.maxChannels) throw bad(`shape (${t.dims.join(', ')}) has ${C} channels, over the limit of ${INPUT_LIMITS.maxChannels}`);
  if (!(H > 0 && W > 0)) throw bad(`shape (${t.dims.join(', ')}) has no pixels`);
  if (H * W > limits.maxPixels) throw badInput('E_IMAGE_TOO_BIG', `image ${name} is ${W}×${H} = ${W * H} pixels, over the limit of ${limits.maxPixels} (--max-image-pixels)`, where, 'crop or resize it');
  const bent = t.data.findIndex((v) => !Number.isFinite(v));
  if (bent >= 0) throw bad(`holds ${t.data[bent]} at flat index ${bent}; samples must be finite`);
  if (!chw) return { width: W, height: H, channels: C, data: t.data };
  const hw = H * W;
  const data = new Float32Array(hw * C);
  for (let k = 0; k < C; k++) for (let i = 0; i < hw; i++) data[i * C + k] = t.data[k * hw + i];
  return { width: W, height: H, channels: C, data };
}
