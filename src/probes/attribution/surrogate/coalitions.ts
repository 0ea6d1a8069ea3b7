// Scoring coalitions of segments: each coalition z ∈ {0,1}^M is the input with the segments
// z_s = 0 replaced by the baseline, scored in batches of the subject's size. KernelSHAP and LIME
// differ only in how they draw coalitions and weigh them.
import type { Tensor } from '../../../engine/tensor.ts';
import { scoreMany } from '../forward.ts';
import type { Subject, Target } from '../types.ts';
import { baselineImage, composite, type SegmentBaseline, type Segments } from './segments.ts';

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
