// Image IO: PNG/JPEG decode (pngjs, jpeg-js) with size limits checked before decoding,
// bilinear resize, conversion to a model's NCHW input, and PNG encoding for reports.
import { applyOrientation, exifOrientation } from './exif.ts';
import { fitGeometry, place } from './fit.ts';
import { decodeNpyImage } from './npy-image.ts';
import path from 'node:path';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { badInput, type NeurogateError } from '../errors.ts';
import { readGuarded } from '../io/guarded-fs.ts';
import type { Tensor } from '../engine/tensor.ts';
import type { GreyRule, Preprocess } from '../models/types.ts';

/** RGB pixels, row-major HWC, values 0..255 as floats (so resizing keeps precision). */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
  /** Samples per pixel in `data` when not 3: a multispectral image read from a .npy file (./npy-image.ts). */
  channels?: number;
  /** A PNG's own alpha (H·W levels 0..255), kept beside `data` (composited over white) so RGBA models see it. */
  alpha?: Float32Array;
}

/** Samples per pixel of an image's `data`. */
export const channelsOf = (img: RgbImage): number => img.channels ?? 3;

export interface ImageLimits {
  /** Refuse images with more pixels than this, judged from the header before anything is decoded (decompression bombs). */
  maxPixels: number;
  /** Refuse files larger than this many bytes. */
  maxBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = { maxPixels: 40_000_000, maxBytes: 200 * 1024 * 1024 };

// The limits readImage and decodeImage apply when a caller passes none. The CLI sets them once per
// run (probe/limits.ts, from --max-image-pixels) so every image a run reads (spec images, circuit
// means, golden PNGs) obeys one limit without each caller threading it through.
let processLimits: Readonly<ImageLimits> = DEFAULT_IMAGE_LIMITS;

export function imageLimits(): Readonly<ImageLimits> {
  return processLimits;
}

export function setImageLimits(l: Partial<ImageLimits>): void {
  processLimits = { ...processLimits, ...l };
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const HINT = 'use a PNG or JPEG photograph (RGB, grey or with alpha)';
const CONVERT_HINT = 'convert it to PNG, e.g. `convert in.jpg -colorspace sRGB out.png` (ImageMagick)';
const PIXELS_FLAG = '--max-image-pixels';
/** Longest side an image may have (JPEG's own maximum is 65,535; photographs stay far below). */
export const MAX_IMAGE_SIDE = 16384;

/*
 * What each variant becomes — always 8-bit RGB, with no colour management (ICC profiles and PNG
 * gamma are ignored; samples are taken as sRGB):
 * - grey (PNG any depth, 1-component JPEG): the grey value in all three channels;
 * - 16-bit PNG: scaled to 8 bits (pngjs: round(v·255/65535));
 * - palette PNG: looked up, palette transparency (tRNS) included;
 * - alpha (RGBA, grey+alpha, tRNS): composited over white, because test images put objects on a
 *   page: a transparent background should read as empty paper, not as black ink;
 * - JPEG YCbCr / RGB: as libjpeg decides (JFIF or Adobe marker, else component ids 'R','G','B');
 * - CMYK JPEG (Adobe APP14, plain or YCCK): samples are stored inverted (255 − ink), as Photoshop
 *   and libjpeg write them; each channel becomes R = 255·(1 − C)(1 − K) (likewise G from M, B from
 *   Y) — the profile-free conversion ImageMagick also uses, so colours are approximate;
 * - a 4-component JPEG without an Adobe marker is refused: whether it is inverted is unknowable.
 */

/** `root`: the folder the image must really be in (a spec's project), unless `allowOutside`. */
export function readImage(file: string, limits: ImageLimits = processLimits, place: { root?: string; allowOutside?: boolean } = {}): RgbImage {
  const bytes = readGuarded(file, {
    what: `image ${path.basename(file)}`, code: 'IMAGE', maxBytes: limits.maxBytes, ...place,
    missingHint: 'check the path (relative paths resolve from the spec file)',
  });
  return decodeImage(bytes, file, limits);
}

/** Decode PNG or JPEG bytes; `where` names the file in errors. Sizes are checked before decoding. */
export function decodeImage(bytes: Uint8Array, where: string, limits: ImageLimits = processLimits): RgbImage {
  const name = path.basename(where);
  if (bytes.length === 0) throw badInput('E_IMAGE_EMPTY', `image ${name} is an empty file`, where, HINT);
  if (PNG_SIGNATURE.slice(0, 4).every((b, i) => bytes[i] === b)) return decodePng(bytes, where, limits);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return applyOrientation(decodeJpeg(bytes, where, limits), exifOrientation(bytes));
  if (NPY_MAGIC.every((b, i) => bytes[i] === b)) return decodeNpyImage(bytes, where, limits);
  throw badInput('E_IMAGE_FORMAT', `image ${name} is not a PNG, JPEG or .npy file`, where, HINT);
}

function checkSize(w: number, h: number, where: string, limits: ImageLimits): void {
  const name = path.basename(where);
  if (!(w > 0 && h > 0)) throw badInput('E_IMAGE_EMPTY', `image ${name} has zero size (${w}×${h})`, where, HINT);
  if (w * h > limits.maxPixels) {
    throw badInput('E_IMAGE_TOO_BIG', `image ${name} is ${w}×${h} = ${w * h} pixels, over the limit of ${limits.maxPixels} (${PIXELS_FLAG})`, where,
      `resize it, or raise the limit with \`neurogate run ${PIXELS_FLAG} <n>\` if it is meant to be this large`);
  }
  // A 1 × 39,999,999 strip is under the pixel limit yet every resize of it allocates by its long side.
  if (w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE) {
    throw badInput('E_IMAGE_TOO_BIG', `image ${name} is ${w}×${h}; each side must be at most ${MAX_IMAGE_SIDE} pixels`, where, 'resize it');
  }
}

const corrupt = (where: string, what: string, hint = HINT) => badInput('E_IMAGE_CORRUPT', `image ${path.basename(where)}: ${what}`, where, hint);
const TRUNCATED_HINT = 'the file was cut short (an interrupted download or copy?): export or fetch it again';

// ---- PNG ---------------------------------------------------------------------------------------

interface PngLayout {
  width: number;
  height: number;
  bitsPerPixel: number;
  interlaced: boolean;
  idat: Uint8Array[];
}

/**
 * Walk the chunks (bounds-checked, CRCs left to pngjs): the size check runs on IHDR before
 * anything else is read, and truncation is named as such instead of as a stream error.
 */
function pngLayout(bytes: Uint8Array, where: string, limits: ImageLimits): PngLayout {
  if (bytes.length < 33 || !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) throw corrupt(where, 'PNG is truncated or lacks its signature', TRUNCATED_HINT);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (type(12) !== 'IHDR') throw corrupt(where, 'PNG does not start with its IHDR header');
  const width = dv.getUint32(16), height = dv.getUint32(20);
  checkSize(width, height, where, limits);
  const depth = bytes[24], colorType = bytes[25];
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) throw corrupt(where, `PNG declares colour type ${colorType} with bit depth ${depth}, which the format does not define`);
  const idat: Uint8Array[] = [];
  for (let at = 8; ;) {
    if (at + 12 > bytes.length) throw corrupt(where, 'PNG is truncated (it ends before its IEND chunk)', TRUNCATED_HINT);
    const len = dv.getUint32(at);
    if (at + 12 + len > bytes.length) throw corrupt(where, `PNG is truncated (its ${type(at + 4)} chunk runs past the end of the file)`, TRUNCATED_HINT);
    if (type(at + 4) === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + len));
    if (type(at + 4) === 'IEND') break;
    at += 12 + len;
  }
  return { width, height, bitsPerPixel: channels * depth, interlaced: bytes[28] === 1, idat };
}

/** Bytes of filtered scanlines an image needs: Adam7 has seven passes, each row with a filter byte. */
function pngDataSize(l: PngLayout): number {
  const rowBytes = (w: number) => 1 + Math.ceil((w * l.bitsPerPixel) / 8);
  if (!l.interlaced) return l.height * rowBytes(l.width);
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  let n = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((l.width - x0) / dx), h = Math.ceil((l.height - y0) / dy);
    if (w > 0 && h > 0) n += h * rowBytes(w);
  }
  return n;
}

function decodePng(bytes: Uint8Array, where: string, limits: ImageLimits): RgbImage {
  const layout = pngLayout(bytes, where, limits);
  if (layout.interlaced) {
    // pngjs inflates interlaced data without an output bound, so a small file of compressed zeros
    // could expand to gigabytes whatever IHDR says: inflate it here first, capped at what IHDR needs.
    const need = pngDataSize(layout);
    try {
      zlib.inflateSync(Buffer.concat(layout.idat), { maxOutputLength: need + 1 });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw badInput('E_IMAGE_TOO_BIG', `image ${path.basename(where)}: PNG data decompresses to more than the ${need} bytes its ${layout.width}×${layout.height} header needs (a decompression bomb)`, where, HINT);
      }
      throw corrupt(where, `PNG data could not be decompressed: ${(e as Error).message}`);
    }
  }
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw corrupt(where, `PNG could not be decoded: ${(e as Error).message}`);
  }
  const img = fromRgba(png.width, png.height, png.data);
  // Colour types 4 and 6 carry alpha; a tRNS chunk gives the others some transparent pixels.
  const alpha = Float32Array.from({ length: png.width * png.height }, (_, i) => png.data[i * 4 + 3]);
  return bytes[25] === 4 || bytes[25] === 6 || alpha.some((a) => a < 255) ? { ...img, alpha } : img;
}

// ---- JPEG --------------------------------------------------------------------------------------

interface JpegHeader {
  /** The frame marker, 0xC0…0xCF. */
  sof: number;
  precision: number;
  width: number;
  height: number;
  /** Component ids in frame order. */
  ids: number[];
  /** The Adobe APP14 colour transform (0 none, 1 YCbCr, 2 YCCK), if the marker is there. */
  adobe?: number;
  jfif: boolean;
  /** Offset of the first scan (SOS). */
  scan: number;
}

const SOF_KIND: Record<number, string> = {
  0xc3: 'lossless', 0xc5: 'hierarchical', 0xc6: 'hierarchical progressive', 0xc7: 'hierarchical lossless',
  0xc9: 'arithmetic-coded', 0xca: 'arithmetic-coded progressive', 0xcb: 'arithmetic-coded lossless',
  0xcd: 'hierarchical arithmetic-coded', 0xce: 'hierarchical arithmetic-coded progressive', 0xcf: 'hierarchical arithmetic-coded lossless',
};

/** Walk the marker segments up to the first scan; the size check runs as soon as the frame header is read. */
function jpegHeader(bytes: Uint8Array, where: string, limits: ImageLimits): JpegHeader {
  const u16 = (at: number) => (bytes[at] << 8) | bytes[at + 1];
  const ascii = (at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));
  let frame: Omit<JpegHeader, 'adobe' | 'jfif' | 'scan'> | undefined;
  let adobe: number | undefined;
  let jfif = false;
  for (let at = 2; ;) {
    if (at + 2 > bytes.length) throw corrupt(where, 'JPEG is truncated (it ends before its image data)', TRUNCATED_HINT);
    if (bytes[at] !== 0xff) throw corrupt(where, `JPEG has no marker where one belongs (byte ${at})`);
    const m = bytes[at + 1];
    if (m === 0xff) { at += 1; continue; } // fill byte
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) { at += 2; continue; } // markers without a length
    if (m === 0xd9) throw corrupt(where, 'JPEG ends before any image data');
    if (at + 4 > bytes.length) throw corrupt(where, 'JPEG is truncated (it ends inside a header)', TRUNCATED_HINT);
    const len = u16(at + 2), body = at + 4;
    if (len < 2 || at + 2 + len > bytes.length) throw corrupt(where, `JPEG is truncated (a segment at byte ${at} runs past the end of the file)`, TRUNCATED_HINT);
    if (m === 0xe0 && len >= 7 && ascii(body, 5) === 'JFIF\0') jfif = true;
    if (m === 0xee && len >= 14 && ascii(body, 5) === 'Adobe') adobe = bytes[body + 11];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (frame) throw corrupt(where, 'JPEG has two frame headers');
      if (len < 8) throw corrupt(where, 'JPEG frame header is too short');
      const n = bytes[body + 5];
      if (len < 8 + 3 * n) throw corrupt(where, 'JPEG frame header is shorter than its component list');
      frame = { sof: m, precision: bytes[body], height: u16(body + 1), width: u16(body + 3), ids: Array.from({ length: n }, (_, i) => bytes[body + 6 + 3 * i]) };
      checkSize(frame.width, frame.height, where, limits);
    }
    if (m === 0xda) {
      if (!frame) throw corrupt(where, 'JPEG has image data before its frame header');
      return { ...frame, adobe, jfif, scan: at };
    }
    at += 2 + len;
  }
}

/** Whether the three channels are YCbCr (else RGB), by libjpeg's rules: JFIF, then Adobe, then component ids. */
function isYcc(h: JpegHeader): boolean {
  if (h.jfif) return true;
  if (h.adobe !== undefined) return h.adobe !== 0;
  return !(h.ids[0] === 0x52 && h.ids[1] === 0x47 && h.ids[2] === 0x42); // 'R', 'G', 'B'
}

function decodeJpeg(bytes: Uint8Array, where: string, limits: ImageLimits): RgbImage {
  const h = jpegHeader(bytes, where, limits);
  const name = path.basename(where);
  const unsupported = (what: string) => badInput('E_IMAGE_UNSUPPORTED', `image ${name}: ${what}, which neurogate cannot decode`, where, CONVERT_HINT);
  if (SOF_KIND[h.sof]) throw unsupported(`JPEG is ${SOF_KIND[h.sof]} (SOF${h.sof - 0xc0})`);
  if (h.precision !== 8) throw unsupported(`JPEG has ${h.precision}-bit samples`);
  const n = h.ids.length;
  if (n === 4 && h.adobe === undefined) {
    throw badInput('E_IMAGE_UNSUPPORTED', `image ${name}: 4-channel (CMYK) JPEG without an Adobe APP14 marker, so whether its ink values are stored inverted is unknown`, where, CONVERT_HINT);
  }
  if (n !== 1 && n !== 3 && n !== 4) throw unsupported(`JPEG has ${n} colour components (1 grey, 3 colour or 4 CMYK are read)`);
  // A file cut short decodes with grey blocks under a tolerant decoder: refuse it instead.
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(Buffer.from([0xff, 0xd9])) < h.scan) {
    throw corrupt(where, 'JPEG is truncated (no end-of-image marker after its image data)', TRUNCATED_HINT);
  }
  // jpeg-js keeps, per component, 32-bit coefficients (4 B/px) and decoded lines (1 B/px), then the
  // interleaved samples (n B/px) and RGBA (4 B/px), all over MCU-padded rows and columns (≤ 32 px).
  const padded = (Math.ceil(h.width / 32) * 32) * (Math.ceil(h.height / 32) * 32);
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      colorTransform: n === 3 ? isYcc(h) : undefined,
      maxResolutionInMP: limits.maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((padded * (6 * n + 4)) / 2 ** 20) + 16,
    });
  } catch (e) {
    const msg = (e as Error).message;
    if (/maxResolutionInMP|maxMemoryUsage/.test(msg)) throw badInput('E_IMAGE_TOO_BIG', `image ${name}: JPEG needs more memory than its ${h.width}×${h.height} header allows (${msg})`, where, HINT);
    throw corrupt(where, `JPEG could not be decoded: ${msg}`);
  }
  if (img.width !== h.width || img.height !== h.height) throw corrupt(where, `JPEG decoded to ${img.width}×${img.height}, not the ${h.width}×${h.height} its header declares`);
  return fromRgba(img.width, img.height, img.data);
}

/** Alpha is composited over white (see the list above decodeImage); opaque pixels pass unchanged. */
function fromRgba(width: number, height: number, rgba: Uint8Array): RgbImage {
  const n = width * height;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = rgba[i * 4 + c] * a + 255 * (1 - a);
  }
  return { width, height, data };
}

/** Bilinear resize with half-pixel centres (as tf.image.resizeBilinear(halfPixelCenters) and PIL); alpha is resized alike. */
export function resize(img: RgbImage, width: number, height: number): RgbImage {
  if (img.width === width && img.height === height) return img;
  const out: RgbImage = { ...img, width, height, data: resizeSamples(img.data, channelsOf(img), img.width, img.height, width, height) };
  if (img.alpha) out.alpha = resizeSamples(img.alpha, 1, img.width, img.height, width, height);
  return out;
}

/** Bilinear resize of row-major samples with `n` values per pixel. */
function resizeSamples(src: Float32Array, n: number, w: number, h: number, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height * n);
  const sx = w / width;
  const sy = h / height;
  // Column taps are the same for every row: compute them once.
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const wxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(x0s[x] + 1, w - 1);
    wxs[x] = fx - x0s[x];
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    const r0 = y0 * w;
    const r1 = y1 * w;
    for (let x = 0; x < width; x++) {
      const a = (r0 + x0s[x]) * n, b = (r0 + x1s[x]) * n, c = (r1 + x0s[x]) * n, d = (r1 + x1s[x]) * n;
      const wx = wxs[x];
      const o = (y * width + x) * n;
      for (let k = 0; k < n; k++) {
        const top = src[a + k] * (1 - wx) + src[b + k] * wx;
        const bot = src[c + k] * (1 - wx) + src[d + k] * wx;
        out[o + k] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return out;
}

/** The image at the model's input size by the preprocess's resize mode (stretch when none). */
export function fitToInput(img: RgbImage, p: Pick<Preprocess, 'width' | 'height' | 'resize'>): RgbImage {
  const g = fitGeometry(img.width, img.height, p.width, p.height, p.resize);
  return place(resize(img, g.rw, g.rh), g, p.width, p.height, p.resize?.mode === 'letterbox' ? p.resize.fill : 0);
}

/** Luma weights of each grey rule (ITU-R BT.601 and BT.709 Y′ from R′G′B′, without gamma handling). */
export const GREY_WEIGHTS: Record<GreyRule, readonly [number, number, number]> = {
  bt601: [0.299, 0.587, 0.114],
  bt709: [0.2126, 0.7152, 0.0722],
  mean: [1 / 3, 1 / 3, 1 / 3],
};

/** Whether an image with n samples per pixel can feed a C-channel input: RGB feeds grey, RGB and RGBA inputs; any other image only its own count. */
export const channelsFit = (n: number, C: number): boolean => (n === 3 ? C === 1 || C === 3 || C === 4 : n === C);

/** Channels of the model's input (Preprocess keeps one mean per channel). */
export const inputChannels = (p: Pick<Preprocess, 'mean'>): number => p.mean.length;

/**
 * Levels 0..255 of each of the model's C input channels at pixel i of a fitted image, in the
 * model's channel order: RGB (or BGR) for C = 3; the luma by `p.grey` for C = 1; RGB + alpha for
 * C = 4 (255 where the image has none); an image with C samples per pixel (.npy) as it is. Any
 * other pairing is bad input naming both channel counts.
 */
function channelReader(img: RgbImage, p: Preprocess): (c: number, i: number) => number {
  const C = inputChannels(p);
  const n = channelsOf(img);
  const d = img.data;
  if (n === C && n !== 3) return (c, i) => d[i * n + c];
  if (n === 3) {
    const order = p.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    if (C === 3) return (c, i) => d[i * 3 + order[c]];
    if (C === 1) {
      const [wr, wg, wb] = GREY_WEIGHTS[p.grey ?? 'bt601'];
      return (_c, i) => wr * d[i * 3] + wg * d[i * 3 + 1] + wb * d[i * 3 + 2];
    }
    if (C === 4) {
      const a = img.alpha;
      if (!a) return (c, i) => (c === 3 ? 255 : d[i * 3 + order[c]]);
      // RGBA models see a pixel's own colour, not the white composite `data` holds: it is undone here,
      // (v − 255·(1 − α)) / α, which after a resize is the alpha-weighted colour (as premultiplied
      // resizing gives); a fully transparent pixel has no colour and reads 0.
      return (c, i) => {
        if (c === 3) return a[i];
        const alpha = a[i] / 255;
        return alpha > 0 ? (d[i * 3 + order[c]] - 255 * (1 - alpha)) / alpha : 0;
      };
    }
  }
  throw channelsError(n, C, 'image');
}

/** Why an image with n samples per pixel cannot feed a C-channel input. */
export function channelsError(n: number, C: number, where: string): NeurogateError {
  const what = n === 3 ? 'an RGB image (PNG, JPEG or a generated stimulus)' : `an image with ${n} channels`;
  return badInput('E_INPUT_CHANNELS', `the model's input has ${C} channel${C === 1 ? '' : 's'}, which neurogate cannot make from ${what}`, where,
    C === 1 || C === 3 || C === 4 ? 'give PNG or JPEG images' : `give images as .npy files with ${C} channels ([H, W, ${C}] or [${C}, H, W])`);
}

/** Resize and preprocess into the model's NCHW input tensor [1, C, H, W]. */
export function toModelInput(img: RgbImage, p: Preprocess): Tensor {
  const read = channelReader(img, p);
  const r = fitToInput(img, p);
  const at = r === img ? read : channelReader(r, p);
  const hw = p.width * p.height;
  const C = inputChannels(p);
  const data = new Float32Array(C * hw);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < hw; i++) data[c * hw + i] = (at(c, i) * p.scale - p.mean[c]) / p.std[c];
  }
  return { dims: [1, C, p.height, p.width], data };
}

/**
 * The inverse of toModelInput for display: NCHW [1,C,H,W] (or [C,H,W]) back to 0..255 RGB. A grey
 * input shows grey, an RGBA input its colour, any other channel count the mean of its channels.
 */
export function fromModelInput(t: Tensor, p: Preprocess): RgbImage {
  const [h, w] = t.dims.slice(-2);
  const hw = h * w;
  const C = inputChannels(p);
  const level = (c: number, i: number) => (t.data[c * hw + i] * p.std[c] + p.mean[c]) / p.scale;
  const data = new Float32Array(hw * 3);
  if (C === 3 || C === 4) {
    const order = p.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    for (let c = 0; c < 3; c++) for (let i = 0; i < hw; i++) data[i * 3 + order[c]] = level(c, i);
  } else {
    for (let i = 0; i < hw; i++) {
      let v = 0;
      for (let c = 0; c < C; c++) v += level(c, i);
      data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = v / C;
    }
  }
  return { width: w, height: h, data };
}

/** An image with 3 samples per pixel for display: a multispectral image shows the mean of its channels as grey. */
export function displayRgb(img: RgbImage): RgbImage {
  const n = channelsOf(img);
  if (n === 3) return img;
  const hw = img.width * img.height;
  const data = new Float32Array(hw * 3);
  for (let i = 0; i < hw; i++) {
    let v = 0;
    for (let c = 0; c < n; c++) v += img.data[i * n + c];
    data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = v / n;
  }
  return { width: img.width, height: img.height, data };
}

export function encodePng(shown: RgbImage): Buffer {
  const img = displayRgb(shown);
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.width * img.height; i++) {
    for (let c = 0; c < 3; c++) png.data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(img.data[i * 3 + c])));
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}
