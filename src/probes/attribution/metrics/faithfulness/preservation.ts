// How much of the target score a mask keeps (input outside the mask perturbed) and how much is left
// when the mask's region is perturbed instead, with TorchRay's blur pyramid as the perturbation; plus
// the masks such scores are compared against: the top pixels of any map, and random regions of
// the same area.
import type { Tensor } from '../../../../engine/tensor.ts';
import { selectKth } from '../../extremal/area.ts';
import { perturbationPyramidFast } from '../../blur.ts';
import { scoreMany, scoreOne } from '../../forward.ts';
import { spatial } from '../../maps.ts';
import { applyPyramid } from '../../extremal/perturbation.ts';
import { riseMasks } from '../../methods/rise.ts';
import type { Subject, Target } from '../../types.ts';
import { z } from 'zod';
import { describeMetric } from '../../metric.ts';
import { maskArea } from '../simple.ts';

export interface PreservationOptions {
  perturbation: 'blur' | 'fade';
  levels: number;
  maxBlur: number;
}

export const PRESERVATION_DEFAULTS: PreservationOptions = { perturbation: 'blur', levels: 8, maxBlur: 20 };

export interface MaskScores {
  /** F(x). */
  score: number;
  /** F(x perturbed outside each mask) and F(x perturbed inside each mask). */
  preserved: number[];
  deleted: number[];
}

/** Scores of the input perturbed through each mask and through its complement, in one batched pass. */
export async function maskScores(subject: Subject, input: Tensor, target: Target, masks: readonly Tensor[], options: Partial<PreservationOptions> = {}): Promise<MaskScores> {
  const o = { ...PRESERVATION_DEFAULTS, ...options };
  const [C, H, W] = subject.inputDims;
  const HW = H * W;
  const pyramid = await perturbationPyramidFast(input.data, C, H, W, o.levels, o.perturbation, o.maxBlur, subject.device);
  const n = masks.length;
  const inv = new Float32Array(HW);
  const scores = await scoreMany(subject, target, 2 * n, (i, dst) => {
    const m = masks[i % n].data;
    if (i < n) applyPyramid(pyramid, m, HW, dst);
    else {
      for (let k = 0; k < HW; k++) inv[k] = 1 - m[k];
      applyPyramid(pyramid, inv, HW, dst);
    }
  });
  const base = await scoreOne(subject, target, input);
  return { score: base.score, preserved: Array.from(scores.subarray(0, n)), deleted: Array.from(scores.subarray(n)) };
}

/** A binary mask of the `area` fraction of pixels with the largest map values (Σ over channels). */
export function topFractionMask(map: Tensor, area: number): Tensor {
  const m = spatial(map, 'sum');
  const n = m.data.length;
  const keep = Math.max(0, Math.min(n, Math.round(area * n)));
  const out = new Float32Array(n);
  if (keep === 0) return { dims: [...m.dims], data: out };
  const tau = selectKth(Float32Array.from(m.data), n - keep);
  let above = 0;
  for (let i = 0; i < n; i++) if (m.data[i] > tau) above++;
  let ties = keep - above;
  for (let i = 0; i < n; i++) {
    if (m.data[i] > tau) out[i] = 1;
    else if (m.data[i] === tau && ties > 0) {
      out[i] = 1;
      ties--;
    }
  }
  return { dims: [...m.dims], data: out };
}

/** Random regions of exactly `area`: the top pixels of smooth random fields (RISE-style grids, s cells). */
export function randomMasks(H: number, W: number, area: number, count: number, rng: () => number, cells = 7): Tensor[] {
  const gen = riseMasks(H, W, cells, 0.5, rng);
  return Array.from({ length: count }, () => {
    const field = new Float32Array(H * W);
    gen.next(field);
    // break the plateaus of the binary grid with a little seeded jitter
    for (let i = 0; i < field.length; i++) field[i] += 1e-3 * rng();
    return topFractionMask({ dims: [H, W], data: field }, area);
  });
}

/** For map methods: keep the top pixels of the map at each area and score what is kept and what is left. */
export const preserveMetric = describeMetric<{ areas: number[] }>({
  key: 'preserve',
  family: 'faithfulness',
  description: 'For map methods: keep the top-area pixels (blur elsewhere) and score (preserved_fraction / deleted_fraction per area)',
  form: 'options',
  options: { areas: { schema: z.array(z.number().gt(0).lt(1).meta({ description: 'Area' })).min(1).max(32), description: 'Areas of the kept top pixels', required: true } },
  defaults: {},
  metrics: ['area', 'preserved', 'deleted', 'preserved_fraction', 'deleted_fraction'],
  needs: ['model'],
  passes: (o) => 2 * o.areas.length,
  cases: async ({ subject, input, target, attribution: a }, o) => {
    const masks = o.areas.map((ar) => topFractionMask(a.map, ar));
    const s = await maskScores(subject, input, target, masks);
    return o.areas.map((ar, i) => ({
      label: `top ${ar}`,
      values: {
        area: maskArea(masks[i]),
        preserved: s.preserved[i],
        deleted: s.deleted[i],
        preserved_fraction: s.score !== 0 ? s.preserved[i] / s.score : null,
        deleted_fraction: s.score !== 0 ? s.deleted[i] / s.score : null,
      },
    }));
  },
});
