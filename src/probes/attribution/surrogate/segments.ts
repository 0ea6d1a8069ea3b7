// The interpretable features of KernelSHAP and LIME: the image cut into segments (a grid of
// cells), the image with a chosen set of segments replaced by a baseline, and a per-segment value
// painted back onto the pixels.
import type { Tensor } from '../../../engine/tensor.ts';
import { badInput } from '../../../errors.ts';
import { z } from 'zod';
import type { OptionSpec } from '../method.ts';

export interface Segments {
  /** Segment of each pixel, H·W entries in 0 … count − 1. */
  labels: Int32Array;
  count: number;
  H: number;
  W: number;
}

/** rows × cols cells of (nearly) equal size: pixel row y belongs to cell row ⌊y·rows/H⌋. */
export function gridSegments(H: number, W: number, rows: number, cols: number): Segments {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > H || cols > W || rows * cols < 2) {
    throw badInput('E_ATTR_OPTION', `grid [${rows}, ${cols}] must be whole cells, at most [${H}, ${W}] for this input, and at least 2 of them`, undefined, 'e.g. grid: [8, 8]');
  }
  const labels = new Int32Array(H * W);
  for (let y = 0; y < H; y++) {
    const r = Math.floor((y * rows) / H);
    for (let x = 0; x < W; x++) labels[y * W + x] = r * cols + Math.floor((x * cols) / W);
  }
  return { labels, count: rows * cols, H, W };
}

/** What replaces a segment left out: a value in model-input units, or each segment's own mean colour (lime_image). */
export type SegmentBaseline = number | 'mean';

/** The fully "absent" image [C, H, W]: the baseline in every segment. */
export function baselineImage(input: Tensor, seg: Segments, baseline: SegmentBaseline): Float32Array {
  const per = input.data.length;
  const HW = seg.H * seg.W;
  const C = per / HW;
  if (baseline !== 'mean') return new Float32Array(per).fill(baseline);
  const out = new Float32Array(per);
  const sums = new Float64Array(seg.count);
  const counts = new Float64Array(seg.count);
  for (let p = 0; p < HW; p++) counts[seg.labels[p]]++;
  for (let c = 0; c < C; c++) {
    sums.fill(0);
    for (let p = 0; p < HW; p++) sums[seg.labels[p]] += input.data[c * HW + p];
    for (let p = 0; p < HW; p++) out[c * HW + p] = sums[seg.labels[p]] / counts[seg.labels[p]];
  }
  return out;
}

/** Writes into dst the input where z[segment] = 1 and the absent image where it is 0. */
export function composite(dst: Float32Array, input: Float32Array, absent: Float32Array, seg: Segments, z: Uint8Array): void {
  const HW = seg.H * seg.W;
  const C = dst.length / HW;
  for (let c = 0; c < C; c++) {
    const o = c * HW;
    for (let p = 0; p < HW; p++) dst[o + p] = z[seg.labels[p]] ? input[o + p] : absent[o + p];
  }
}

/** The [H, W] map whose every pixel holds its segment's value. */
export function paint(seg: Segments, values: ArrayLike<number>): Tensor {
  const data = new Float32Array(seg.H * seg.W);
  for (let p = 0; p < data.length; p++) data[p] = values[seg.labels[p]];
  return { dims: [seg.H, seg.W], data };
}

/** The spec options of segment-based methods (KernelSHAP, LIME), written once. */
export const SEGMENT_OPTIONS: { grid: OptionSpec; superpixels: OptionSpec; baseline: OptionSpec } = {
  grid: { schema: z.tuple([z.int().min(1).max(4096), z.int().min(1).max(4096)]), description: 'Segments: [rows, cols] cells over the input' },
  superpixels: { schema: z.int().min(2).max(100_000), description: 'SLIC superpixels asked for, in place of the grid (Achanta et al. 2012)', defaultText: 'none, the grid' },
  baseline: { schema: z.union([z.number(), z.literal('mean')]), description: 'What replaces an absent segment: a value in model-input units, or `mean` (the segment’s mean colour, lime_image’s choice)' },
};
