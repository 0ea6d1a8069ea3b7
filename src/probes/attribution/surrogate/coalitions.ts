// Scoring coalitions of segments: each coalition z ∈ {0,1}^M is the input with the segments
// z_s = 0 replaced by the baseline, scored in batches of the subject's size. KernelSHAP and LIME
// differ only in how they draw coalitions and weigh them.
import type { Tensor } from '../../../engine/tensor.ts';
import { badInput } from '../../../errors.ts';
import { scoreMany } from '../forward.ts';
import type { Subject, Target } from '../types.ts';
import { baselineImage, composite, gridSegments, type SegmentBaseline, type Segments } from './segments.ts';
import { slicSegments } from './slic.ts';

/** The segments a method's options ask for: SLIC superpixels when `superpixels` is set, else the grid. */
export function segmentsOf(input: Tensor, H: number, W: number, o: { grid: [number, number]; superpixels?: number }): Segments {
  const seg = o.superpixels ? slicSegments(input, H, W, { n: o.superpixels }) : gridSegments(H, W, o.grid[0], o.grid[1]);
  // A flat image can leave SLIC one connected piece: nothing to attribute between.
  if (seg.count < 2) throw badInput('E_ATTR_OPTION', `the image gave ${seg.count} superpixel for ${o.superpixels} asked`, undefined, 'ask for more superpixels, or use a grid');
  return seg;
}

/** How the params name the segments: `grid 8×8` or `SLIC, 50 asked`. */
export function describeSegments(o: { grid: [number, number]; superpixels?: number }): string {
  return o.superpixels ? `SLIC superpixels (${o.superpixels} asked, compactness 10 on colour scaled to 0–100)` : `grid ${o.grid[0]}×${o.grid[1]}`;
}

/** The raw target score of every coalition (n rows of M flags, row-major). */
export async function scoreCoalitions(subject: Subject, input: Tensor, target: Target, seg: Segments, baseline: SegmentBaseline, z: Uint8Array): Promise<Float64Array> {
  const M = seg.count;
  const n = z.length / M;
  const absent = baselineImage(input, seg, baseline);
  return scoreMany(subject, target, n, (i, dst) => composite(dst, input.data, absent, seg, z.subarray(i * M, (i + 1) * M)));
}

/** Sets `size` distinct flags of `row` (length M) chosen uniformly by a partial Fisher–Yates shuffle. */
export function randomSubset(row: Uint8Array, size: number, rng: () => number, order: Int32Array): void {
  const M = row.length;
  for (let i = 0; i < M; i++) order[i] = i;
  row.fill(0);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rng() * (M - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
    row[order[i]] = 1;
  }
}
