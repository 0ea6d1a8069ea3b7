// Image IO: PNG/JPEG decode (pngjs, jpeg-js) with size limits checked before decoding,
// bilinear resize, conversion to a model's NCHW input, and PNG encoding for reports.
import fs from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { badInput } from '../errors.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { Preprocess } from '../models/types.ts';

/** RGB pixels, row-major HWC, values 0..255 as floats (so resizing keeps precision). */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

export interface ImageLimits {
  /** Refuse images with more pixels than this before decoding (decompression bombs). */
  maxPixels: number;
  /** Refuse files larger than this many bytes. */
  maxBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 40_000_000, maxBytes: 200 * 1024 * 1024 };

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const HINT = 'use a PNG or JPEG photograph (RGB, grey or with alpha)';

export function readImage(file: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): RgbImage {
  let bytes: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw badInput('E_IMAGE_NOT_FILE', 'not a file', file, HINT);
    if (st.size > limits.maxBytes) throw badInput('E_IMAGE_TOO_BIG', `image file is ${st.size} bytes, over the limit of ${limits.maxBytes}`, file, 'shrink it or raise the limit');
    bytes = fs.readFileSync(file);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw badInput('E_IMAGE_MISSING', 'image file not found', file, 'check the path (relative paths resolve from the spec file)');
    throw e;
  }
  return decodeImage(bytes, file, limits);
}

export function decodeImage(bytes: Uint8Array, where: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): RgbImage {
  if (bytes.length === 0) throw badInput('E_IMAGE_EMPTY', 'image file is empty', where, HINT);
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return decodePng(bytes, where, limits);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return decodeJpeg(bytes, where, limits);
  throw badInput('E_IMAGE_FORMAT', 'not a PNG or JPEG file', where, HINT);
}

function checkSize(w: number, h: number, where: string, limits: ImageLimits): void {
  if (!(w > 0 && h > 0)) throw badInput('E_IMAGE_EMPTY', `image has zero size (${w}×${h})`, where, HINT);
  if (w * h > limits.maxPixels) {
    throw badInput('E_IMAGE_TOO_BIG', `image is ${w}×${h} = ${w * h} pixels, over the limit of ${limits.maxPixels}`, where, 'resize it first or raise the pixel limit');
  }
}

function decodePng(bytes: Uint8Array, where: string, limits: ImageLimits): RgbImage {
  // The IHDR chunk sits at a fixed offset: check dimensions before pngjs allocates anything.
  if (bytes.length < 24) throw badInput('E_IMAGE_CORRUPT', 'PNG file is truncated (no header)', where, HINT);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkSize(dv.getUint32(16), dv.getUint32(20), where, limits);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw badInput('E_IMAGE_CORRUPT', `PNG could not be decoded: ${(e as Error).message}`, where, HINT);
  }
  return fromRgba(png.width, png.height, png.data);
}

function decodeJpeg(bytes: Uint8Array, where: string, limits: ImageLimits): RgbImage {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: limits.maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((limits.maxPixels * 8) / 1e6) + 64,
    });
  } catch (e) {
    const msg = (e as Error).message;
    if (/maxResolutionInMP|maxMemoryUsage/.test(msg)) throw badInput('E_IMAGE_TOO_BIG', `JPEG is over the pixel limit of ${limits.maxPixels}`, where, 'resize it first or raise the pixel limit');
    throw badInput('E_IMAGE_CORRUPT', `JPEG could not be decoded: ${msg}`, where, HINT);
  }
  checkSize(img.width, img.height, where, limits);
  return fromRgba(img.width, img.height, img.data);
}

/** Alpha is composited over white: transparent areas read as background, not as black ink. */
function fromRgba(width: number, height: number, rgba: Uint8Array): RgbImage {
  const n = width * height;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = rgba[i * 4 + c] * a + 255 * (1 - a);
  }
  return { width, height, data };
}

/** Bilinear resize with half-pixel centres (as tf.image.resizeBilinear(halfPixelCenters) and PIL). */
export function resize(img: RgbImage, width: number, height: number): RgbImage {
  if (img.width === width && img.height === height) return img;
  const out = new Float32Array(width * height * 3);
  const src = img.data;
  const sx = img.width / width;
  const sy = img.height / height;
  // Column taps are the same for every row: compute them once.
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const wxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(x0s[x] + 1, img.width - 1);
    wxs[x] = fx - x0s[x];
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    const r0 = y0 * img.width;
    const r1 = y1 * img.width;
    for (let x = 0; x < width; x++) {
      const a = (r0 + x0s[x]) * 3, b = (r0 + x1s[x]) * 3, c = (r1 + x0s[x]) * 3, d = (r1 + x1s[x]) * 3;
      const wx = wxs[x];
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = src[a + k] * (1 - wx) + src[b + k] * wx;
        const bot = src[c + k] * (1 - wx) + src[d + k] * wx;
        out[o + k] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return { width, height, data: out };
}

/** Resize and preprocess into the model's NCHW input tensor [1, 3, H, W]. */
export function toModelInput(img: RgbImage, p: Preprocess): Tensor {
  const r = resize(img, p.width, p.height);
  const hw = p.width * p.height;
  const data = new Float32Array(3 * hw);
  const order = p.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const src = order[c];
    for (let i = 0; i < hw; i++) data[c * hw + i] = (r.data[i * 3 + src] * p.scale - p.mean[c]) / p.std[c];
  }
  return { dims: [1, 3, p.height, p.width], data };
}

/** The inverse of toModelInput for display: NCHW [1,3,H,W] (or [3,H,W]) back to 0..255 RGB. */
export function fromModelInput(t: Tensor, p: Preprocess): RgbImage {
  const [h, w] = t.dims.slice(-2);
  const hw = h * w;
  const data = new Float32Array(hw * 3);
  const order = p.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < hw; i++) data[i * 3 + order[c]] = (t.data[c * hw + i] * p.std[c] + p.mean[c]) / p.scale;
  }
  return { width: w, height: h, data };
}

export function encodePng(img: RgbImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.width * img.height; i++) {
    for (let c = 0; c < 3; c++) png.data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(img.data[i * 3 + c])));
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}
