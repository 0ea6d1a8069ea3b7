// What deleted pixels become (deletion) or what insertion starts from: the curve's baseline.
// Defaults as published: RISE (Petsiuk et al. 2018) deletes to black and inserts into a σ = 5
// Gaussian blur of the image (TorchRay's blur is the same separable Gaussian).
import type { Tensor } from '../../../../engine/tensor.ts';
import type { Preprocess } from '../../../../models/types.ts';
import { toModelInput, type RgbImage } from '../../../../stimuli/image.ts';
import type { Rng } from '../../../../util/rng.ts';
import { blurPlanes } from '../../blur.ts';

export type CurveBaseline = 'black' | 'blur' | 'mean' | 'noise';
export const CURVE_BASELINES: readonly CurveBaseline[] = ['black', 'blur', 'mean', 'noise'];

/** Per curve kind: the baseline RISE uses, and its blur. */
export const SUBSTRATE_DEFAULTS = { deletion: 'black', insertion: 'blur', blurSigma: 5 } as const;

/**
 * The substrate image in model-input units: black pixels through the model's preprocessing, the
 * image blurred, the image's per-channel mean, or uniform pixel noise (seeded) through preprocessing.
 */
export function substrate(input: Tensor, pre: Preprocess, baseline: CurveBaseline, opts: { blurSigma?: number; rng?: Rng } = {}): Float32Array {
  const [, C, H, W] = input.dims.length === 4 ? input.dims : [1, ...input.dims];
  const HW = H * W;
  const image = (fill: (i: number) => number): Float32Array => {
    const img: RgbImage = { width: W, height: H, data: Float32Array.from({ length: 3 * HW }, (_, i) => fill(i)) };
    return toModelInput(img, { ...pre, width: W, height: H }).data;
  };
  switch (baseline) {
    case 'black':
      return image(() => 0);
    case 'noise': {
      const rng = opts.rng;
      if (!rng) throw new Error('substrate: the noise baseline needs a seeded generator');
      return image(() => Math.floor(rng() * 256));
    }
    case 'blur':
      return blurPlanes(input.data, C, H, W, opts.blurSigma ?? SUBSTRATE_DEFAULTS.blurSigma);
    case 'mean': {
      const out = new Float32Array(C * HW);
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let i = 0; i < HW; i++) s += input.data[c * HW + i];
        out.fill(s / HW, c * HW, (c + 1) * HW);
      }
      return out;
    }
  }
}
