// Renders a stimulus record into an RGB image (or its coverage mask) at any size and placement.
// Pure TypeScript, deterministic: the same record, size and seed give byte-identical pixels.
import { badInput } from '../errors.ts';
import { makeRng, type Rng } from '../util/rng.ts';
import type { RgbImage } from './image.ts';
import type { RenderOptions, Stimulus, StimulusInput } from './types.ts';
import { resolveStimulus } from './params.ts';
import { paintColors } from './color.ts';
import { drawClutter } from './clutter.ts';
import { fillDisc, strokeArc, strokeSegment, type Grid, type Put } from './raster.ts';

/** Per-pixel ink amount 0..1, row-major (height × width): a shape's exact mask for dissection and tests. */
export interface CoverageMap {
  width: number;
  height: number;
  data: Float32Array;
}

const MAX_SIDE = 16384;
const MAX_PIXELS = 4096 * 4096;
const RAD = Math.PI / 180;

function placement(opts: RenderOptions, where?: string): { x: number; y: number } {
  const { width, height } = opts;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIDE) {
      throw badInput('E_STIMULUS_SIZE', `image ${name} ${v} is not an integer in 1..${MAX_SIDE}`, where, 'render at the model input size, e.g. 224 or 299');
    }
  }
  if (width * height > MAX_PIXELS) throw badInput('E_STIMULUS_SIZE', `image ${width}×${height} has more than ${MAX_PIXELS} pixels`, where, 'render at the model input size, e.g. 224 or 299');
  const center = opts.center ?? { x: width / 2, y: height / 2 };
  if (!Number.isFinite(center.x) || !Number.isFinite(center.y)) {
    throw badInput('E_STIMULUS_CENTER', `placement (${center.x}, ${center.y}) is not a finite point`, where, 'pass image coordinates in pixels, y down');
  }
  return center;
}

function sinc(x: number): number {
  return Math.abs(x) < 1e-8 ? 1 : Math.sin(x) / x;
}

/** Unit direction of an angle in degrees, counter-clockwise on screen (y down). */
function dir(deg: number): [number, number] {
  return [Math.cos(deg * RAD), -Math.sin(deg * RAD)];
}

/** Index range [lo, hi] of the pixels a shape touched, so later passes skip the untouched rest. */
interface Touched { lo: number; hi: number }

/** Max-combines coverage so that overlapping pieces of one shape (the two rays of an angle) never add up. */
function maxInto(cov: Float32Array, touched: Touched): Put {
  return (i, c) => {
    if (c > cov[i]) cov[i] = c;
    if (i < touched.lo) touched.lo = i;
    if (i > touched.hi) touched.hi = i;
  };
}

/**
 * A zeroed coverage buffer reused across renders: allocating (and later collecting) a fresh
 * W×H array per stimulus cost about as much as drawing it. Callers zero what they touched.
 */
let scratch = new Float32Array(0);
const SCRATCH_MAX = 2048 * 2048; // larger renders are rare: they get their own buffer, not a cached one
function scratchCoverage(n: number): Float32Array {
  if (n > SCRATCH_MAX) return new Float32Array(n);
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch;
}

/** Paints the shape's coverage into `cov` (all zeros on entry); returns the touched index range. */
function shapeCoverage(s: Stimulus, g: Grid, p: { x: number; y: number }, cov: Float32Array): Touched {
  const touched: Touched = { lo: Infinity, hi: -Infinity };
  const put = maxInto(cov, touched);
  switch (s.kind) {
    case 'curve': {
      const [mx, my] = dir(s.orientation);
      const span = s.length !== undefined ? Math.min(s.length / s.radius, 2 * Math.PI) : s.span * RAD;
      strokeArc(g, put, p.x - s.radius * mx, p.y - s.radius * my, s.radius, mx, my, span / 2, s.width);
      return touched;
    }
    case 'line': {
      const [dx, dy] = dir(s.orientation);
      const h = s.length / 2;
      strokeSegment(g, put, p.x - h * dx, p.y - h * dy, p.x + h * dx, p.y + h * dy, s.width);
      return touched;
    }
    case 'angle': {
      for (const sign of [1, -1]) {
        const [dx, dy] = dir(s.orientation + 180 + (sign * s.opening) / 2);
        strokeSegment(g, put, p.x, p.y, p.x + s.length * dx, p.y + s.length * dy, s.width);
      }
      return touched;
    }
    case 'circle':
      if (s.filled) fillDisc(g, put, p.x, p.y, s.radius + s.width / 2);
      else strokeArc(g, put, p.x, p.y, s.radius, 1, 0, Math.PI, s.width);
      return touched;
    case 'grating': {
      // cos(a + b) with a from the column and b from the row: two products per pixel, no trig.
      const [nx, ny] = dir(s.orientation + 90); // across the stripes
      const k = 2 * Math.PI * s.frequency;
      const phase = s.phase * RAD;
      // Area sampling like the strokes: the mean of cos(k·q + φ) over a 1×1 pixel is its value at
      // the centre times sinc(k·nx/2)·sinc(k·ny/2) (exact for the plain grating; the envelope is
      // taken at pixel centres). Point sampling would keep too much contrast near Nyquist.
      const amp = 0.5 * s.contrast * sinc((k * nx) / 2) * sinc((k * ny) / 2);
      const cosX = new Float64Array(g.width), sinX = new Float64Array(g.width), envX = new Float64Array(g.width).fill(1);
      for (let x = 0; x < g.width; x++) {
        const u = x + 0.5 - p.x;
        cosX[x] = Math.cos(k * u * nx + phase);
        sinX[x] = Math.sin(k * u * nx + phase);
        if (s.sigma !== undefined) envX[x] = Math.exp(-(u * u) / (2 * s.sigma * s.sigma));
      }
      for (let y = 0; y < g.height; y++) {
        const v = y + 0.5 - p.y;
        const cy = Math.cos(k * v * ny);
        const sy = Math.sin(k * v * ny);
        const envY = s.sigma !== undefined ? Math.exp(-(v * v) / (2 * s.sigma * s.sigma)) : 1;
        const row = y * g.width;
        for (let x = 0; x < g.width; x++) {
          cov[row + x] = 0.5 + amp * (cosX[x] * cy - sinX[x] * sy) * envX[x] * envY;
        }
      }
      return { lo: 0, hi: g.width * g.height - 1 };
    }
    case 'blank':
      return touched;
  }
}

/**
 * The ink amount of the stimulus alone (no background, no clutter), 0..1 per pixel.
 * For a grating it is the sinusoid's level (0.5 = the mean of ink and background).
 */
export function renderCoverage(stim: StimulusInput, opts: RenderOptions, where?: string): CoverageMap {
  const s = resolveStimulus(stim, where);
  const p = placement(opts, where);
  const data = new Float32Array(opts.width * opts.height);
  shapeCoverage(s, opts, p, data);
  return { width: opts.width, height: opts.height, data };
}

/**
 * Renders `stim` (missing parameters take their defaults) into a new RGB image, HWC, 0..255.
 * Clutter draws from `rng` when given (so one generator across a sweep gives every image fresh
 * clutter), else from a generator seeded with `clutter.seed` (every image the same clutter).
 */
export function renderStimulus(stim: StimulusInput, opts: RenderOptions, rng?: Rng, where?: string): RgbImage {
  placement(opts, where);
  const img: RgbImage = { width: opts.width, height: opts.height, data: new Float32Array(opts.width * opts.height * 3) };
  return renderStimulusInto(img, stim, opts.center, rng, where);
}

/**
 * As renderStimulus, but overwrites every pixel of an existing image: a sweep that reuses one
 * buffer skips a fresh W×H×3 allocation per stimulus, which on Linux costs more (page faults)
 * than drawing a curve.
 */
export function renderStimulusInto(img: RgbImage, stim: StimulusInput, center?: { x: number; y: number }, rng?: Rng, where?: string): RgbImage {
  const { width, height, data } = img;
  const s = resolveStimulus(stim, where);
  const p = placement({ width, height, center }, where);
  const n = width * height;
  if (data.length !== n * 3) throw badInput('E_STIMULUS_SIZE', `image buffer holds ${data.length} values, not ${width}×${height}×3`, where, 'allocate width·height·3 floats');
  const { ink, background } = paintColors(s);
  if (background[0] === background[1] && background[1] === background[2]) data.fill(background[0]);
  else {
    data.set(background);
    for (let filled = 3; filled < data.length; filled *= 2) data.copyWithin(filled, 0, Math.min(filled, data.length - filled));
  }
  if (s.clutter) {
    if (s.kind === 'grating') throw badInput('E_STIMULUS_CLUTTER', 'a grating covers the whole image, so clutter under it would never show', where, 'drop clutter, or use a line/curve/angle/circle stimulus');
    const r = rng ?? (s.clutter.seed !== undefined ? makeRng(s.clutter.seed) : undefined);
    if (!r) throw badInput('E_STIMULUS_SEED', 'clutter needs a seed', where, 'set clutter.seed (or the suite seed) so the background is reproducible');
    drawClutter(img, s.clutter, ink, p, r);
  }
  if (s.kind === 'blank') return img;
  const cov = scratchCoverage(n);
  const { lo, hi } = shapeCoverage(s, img, p, cov);
  if (s.kind === 'grating') {
    for (let i = 0; i < n; i++) {
      const v = cov[i];
      for (let c = 0; c < 3; c++) data[i * 3 + c] = background[c] + (ink[c] - background[c]) * v;
    }
  } else {
    for (let i = lo; i <= hi; i++) {
      const a = cov[i];
      if (a === 0) continue;
      const o = i * 3;
      data[o] += (ink[0] - data[o]) * a;
      data[o + 1] += (ink[1] - data[o + 1]) * a;
      data[o + 2] += (ink[2] - data[o + 2]) * a;
    }
  }
  if (lo <= hi) cov.fill(0, lo, hi + 1);
  return img;
}
