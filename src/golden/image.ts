// Comparing an image against a golden with pixelmatch: sizes first (pixelmatch needs equal
// sizes), then the count of differing pixels against a maximum ratio, with a diff image.
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { badInput } from '../errors.ts';
import { decodeImage, type RgbImage } from '../stimuli/image.ts';

/** 8-bit RGBA, row-major: what pixelmatch and PNG encoders take. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface ImageTolerance {
  /**
   * pixelmatch's per-pixel threshold in 0..1: the largest colour distance (v8: OKLab HyAB, 1 =
   * black vs white) at which two pixels still count as equal. Default 0.1.
   */
  threshold?: number;
  /** Largest fraction of differing pixels that still passes. Default 0 (every pixel within threshold). */
  maxDiffRatio?: number;
  /** Count anti-aliased pixels as differences (pixelmatch ignores them by default). */
  includeAA?: boolean;
}

export const DEFAULT_IMAGE_TOLERANCE: Required<ImageTolerance> = { threshold: 0.1, maxDiffRatio: 0, includeAA: false };

export interface ImageComparison {
  passed: boolean;
  width: number;
  height: number;
  sizeMismatch?: { actual: [number, number]; expected: [number, number] };
  diffPixels: number;
  diffRatio: number;
  /** Differing pixels in red over a faded copy of the golden; absent when the sizes differ. */
  diff?: RgbaImage;
}

export function resolveImageTolerance(t: ImageTolerance = {}, where?: string): Required<ImageTolerance> {
  const r = { ...DEFAULT_IMAGE_TOLERANCE, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) } as Required<ImageTolerance>;
  if (!(r.threshold >= 0 && r.threshold <= 1)) throw badInput('E_TOLERANCE', `image threshold must be in 0..1, got ${r.threshold}`, where, 'pixelmatch uses 0.1 by default');
  if (!(r.maxDiffRatio >= 0 && r.maxDiffRatio <= 1)) throw badInput('E_TOLERANCE', `maxDiffRatio must be in 0..1, got ${r.maxDiffRatio}`, where, 'e.g. 0.01 for 1% of the pixels');
  return r;
}

export function compareImages(actual: RgbaImage, expected: RgbaImage, tol: ImageTolerance = {}): ImageComparison {
  const t = resolveImageTolerance(tol);
  const { width, height } = expected;
  if (actual.width !== width || actual.height !== height) {
    return { passed: false, width, height, sizeMismatch: { actual: [actual.width, actual.height], expected: [width, height] }, diffPixels: width * height, diffRatio: 1 };
  }
  const diff = new Uint8Array(width * height * 4);
  const diffPixels = pixelmatch(expected.data, actual.data, diff, width, height, { threshold: t.threshold, includeAA: t.includeAA });
  const diffRatio = width * height === 0 ? 0 : diffPixels / (width * height);
  return { passed: diffRatio <= t.maxDiffRatio, width, height, diffPixels, diffRatio, diff: { width, height, data: diff } };
}

/** Float RGB (0..255, as the stimuli and image modules use) → 8-bit opaque RGBA. */
export function rgbToRgba(img: RgbImage): RgbaImage {
  const n = img.width * img.height;
  const data = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(img.data[i * 3 + c])));
    data[i * 4 + 3] = 255;
  }
  return { width: img.width, height: img.height, data };
}

/** PNG bytes → RGBA, with the image module's size limits (alpha composited over white). */
export function decodePngRgba(bytes: Uint8Array, where: string): RgbaImage {
  return rgbToRgba(decodeImage(bytes, where));
}

export function encodePngRgba(img: RgbaImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  png.data.set(img.data);
  return PNG.sync.write(png);
}
