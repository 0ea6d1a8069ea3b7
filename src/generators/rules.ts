// The drawing rules of the clean-room generator: which part each unit draws, where the latent puts
// it, and the stamps, colours and noise upsampling — written from geometry alone, no training.
//
// The scene is a grid of cells (4 × 4 of 28 px at 112²). Layer `layout` has one channel per part
// (disk, horizontal bar, vertical bar, arc) and one position per cell: unit p at cell (i, j) says
// "draw part p in cell (i, j)", with a strength in (0, 1). Layer `parts` stamps each part's shape
// into its cell (a ConvTranspose whose stride is the cell size). A fixed set of *slots* ties a
// latent direction to one (part, cell): slot s is on when q_s · z > 0, with q_s the rows of a seeded
// orthogonal matrix, so every slot has a known latent direction and slots do not interfere.
import { makeRng, normal } from '../util/rng.ts';

/** The parts, in channel order of `layout` and `parts`. */
export const PARTS = ['disk', 'hbar', 'vbar', 'arc'] as const;
export type Part = (typeof PARTS)[number];

export interface Slot {
  part: Part;
  /** Row and column of the cell (0 = top / left). */
  row: number;
  col: number;
}

export interface GeneratorParams {
  /** Output side in pixels (a multiple of `grid` and of `noiseFactor`). */
  size: number;
  /** Cells per side. */
  grid: number;
  /** Latent dimensions (≥ the number of slots, so the slot directions can be orthonormal). */
  latent: number;
  /** Gain of q_s · z before the sigmoid: 4 makes a unit-normal z switch a slot clearly on or off. */
  gain: number;
  /** Bias of layout units no slot drives: sigmoid(−8) ≈ 3e-4, off. */
  offBias: number;
  /** Slots, in latent-direction order. */
  slots: Slot[];
  /** Upsampling factor of the coarse noise input (bilinear ConvTranspose). */
  noiseFactor: number;
  /** Amplitudes of the coarse and fine noise in the image (0..1 units). */
  noiseGain: { coarse: number; fine: number };
  /** Grey level of the paper: below white, so noise (±3σ) stays clear of the clip at 1, which would add high frequencies of its own. */
  paper: number;
  /** Seed of the orthogonal latent directions. */
  seed: number;
}

/**
 * The default scene: six slots, the disk alone in the upper-left cell, nothing in the lower-right
 * quadrant (the empty region where forcing a unit on must add a part).
 */
export const DEFAULT_PARAMS: GeneratorParams = {
  size: 112,
  grid: 4,
  latent: 8,
  gain: 4,
  offBias: -8,
  slots: [
    { part: 'disk', row: 0, col: 0 },
    { part: 'hbar', row: 0, col: 2 },
    { part: 'vbar', row: 1, col: 3 },
    { part: 'arc', row: 2, col: 0 },
    { part: 'hbar', row: 3, col: 1 },
    { part: 'arc', row: 1, col: 1 },
  ],
  noiseFactor: 8,
  noiseGain: { coarse: 0.04, fine: 0.02 },
  paper: 0.85,
  seed: 27,
};

/**
 * Ink colour (RGB in 0..1) of each part: on the paper, a part at strength a mixes a of its
 * colour in. One dark grey for all, so a judge can tell parts apart by shape only, never by colour.
 */
export const COLOURS: Record<Part, [number, number, number]> = {
  disk: [0.2, 0.2, 0.2],
  hbar: [0.2, 0.2, 0.2],
  vbar: [0.2, 0.2, 0.2],
  arc: [0.2, 0.2, 0.2],
};

/**
 * Coverage of part p at (x, y) relative to the cell's centre, in pixels of a cell of side `cell`:
 * disk of radius 0.36·cell, bars 0.8·cell long and 0.16·cell thick, an arc (upper half of a
 * circle of radius 0.3·cell, stroke 0.11·cell) — the curve.
 */
function inside(part: Part, x: number, y: number, cell: number): boolean {
  switch (part) {
    case 'disk':
      return x * x + y * y <= (0.36 * cell) ** 2;
    case 'hbar':
      return Math.abs(x) <= 0.4 * cell && Math.abs(y) <= 0.08 * cell;
    case 'vbar':
      return Math.abs(y) <= 0.4 * cell && Math.abs(x) <= 0.08 * cell;
    case 'arc': {
      // Centre shifted down so the half circle sits in the middle of the cell.
      const yy = y - 0.12 * cell;
      const r = Math.hypot(x, yy);
      return yy <= 0 && Math.abs(r - 0.3 * cell) <= 0.055 * cell;
    }
  }
}

/** The part's stamp: a cell × cell coverage map in [0, 1], 4 × 4 supersampled (anti-aliased edges). */
export function stamp(part: Part, cell: number): Float32Array {
  const out = new Float32Array(cell * cell);
  const ss = 4;
  const c = cell / 2;
  for (let y = 0; y < cell; y++) {
    for (let x = 0; x < cell; x++) {
      let hits = 0;
      for (let sy = 0; sy < ss; sy++) for (let sx = 0; sx < ss; sx++) if (inside(part, x + (sx + 0.5) / ss - c, y + (sy + 0.5) / ss - c, cell)) hits++;
      out[y * cell + x] = hits / (ss * ss);
    }
  }
  return out;
}

/** `rows` orthonormal vectors of length `dim`, Gram–Schmidt on seeded normal draws: the slots' latent directions. */
export function slotDirections(rows: number, dim: number, seed: number): number[][] {
  const rng = makeRng(seed);
  const out: number[][] = [];
  while (out.length < rows) {
    const v = Array.from({ length: dim }, () => normal(rng));
    for (const u of out) {
      const d = u.reduce((s, ui, i) => s + ui * v[i], 0);
      for (let i = 0; i < dim; i++) v[i] -= d * u[i];
    }
    const n = Math.hypot(...v);
    // A draw (almost) inside the span so far is redrawn rather than normalised into noise.
    if (n > 1e-3) out.push(v.map((x) => x / n));
  }
  return out;
}

/** 1-D bilinear upsampling weights for an integer factor f: a triangle over 2f taps that sums to f (ConvTranspose, stride f, pad f/2). */
export function bilinearTaps(f: number): number[] {
  const c = f - 0.5;
  return Array.from({ length: 2 * f }, (_, i) => 1 - Math.abs(i - c) / f);
}
