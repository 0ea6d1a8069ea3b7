// What the class-activation-map family (Grad-CAM, Grad-CAM++, Score-CAM) shares besides Grad-CAM's
// default layer: a layer's activations at one input, and the step from per-channel weights to the map.
import { run } from '../../../engine/session.ts';
import type { Tensor } from '../../../engine/tensor.ts';
import { badInput } from '../../../errors.ts';
import { resizeBilinear } from '../maps.ts';
import { layerName, type OptionSpec } from '../method.ts';
import { z } from 'zod';
import { scoresOf, targetTensor } from '../target.ts';
import type { Subject, Target } from '../types.ts';

/** The options every CAM method reads (Grad-CAM's, whose defaults the family shares). */
export interface CamOptions {
  layer: string;
  relu: boolean;
  upsample: 'bilinear' | 'none';
}

/** The spec options of the CAM family, written once. */
export const CAM_OPTIONS: Record<keyof CamOptions, OptionSpec> = {
  layer: { schema: layerName(), description: 'Layer name as `neurogate layers <model>` lists it (or the IR tensor name)', defaultText: 'the last feature map with a spatial grid before the target' },
  relu: { schema: z.boolean(), description: 'Keep positive evidence only, as the paper' },
  upsample: { schema: z.enum(['bilinear', 'none']), description: 'Bilinear with half-pixel centres, or keep the layer’s grid' },
};

/** The layer's values [1, K, h, w] and the target's score at one input, from one forward pass. */
export async function layerActivations(subject: Subject, input: Tensor, layer: string, target: Target): Promise<{ value: Tensor; score: number }> {
  const tt = targetTensor(subject, target);
  const res = await run(subject.net, { [subject.input]: input }, tt === layer ? [layer] : [layer, tt], { device: subject.device });
  const value = res[layer];
  checkCamLayer(subject, layer, value.dims);
  return { value, score: scoresOf(target, res[tt])[0] };
}

/** A CAM needs a [1, K, h, w] feature map: anything else is a spec problem, named with its shape. */
export function checkCamLayer(subject: Subject, layer: string, dims: readonly number[]): void {
  if (dims.length !== 4) throw badInput('E_ATTR_LAYER', `a class activation map needs a layer of shape [N, K, h, w]; "${layer}" has [${dims}]`, subject.net.where, 'pick a convolutional feature map');
}

/**
 * Σ_k w_k A_k over the layer's grid, then the stated ReLU and upsampling: the last step of every
 * CAM. ReLU comes before the upsampling, as our Grad-CAM does, so the family's maps compare.
 */
export function weightedCam(value: Tensor, weights: ArrayLike<number>, subject: Subject, o: Pick<CamOptions, 'relu' | 'upsample'>): { map: Tensor; upsample: string } {
  const [, K, h, w] = value.dims;
  const hw = h * w;
  const cam = new Float64Array(hw);
  for (let k = 0; k < K; k++) {
    const wk = weights[k];
    if (wk === 0) continue;
    for (let i = 0; i < hw; i++) cam[i] += wk * value.data[k * hw + i];
  }
  if (o.relu) for (let i = 0; i < hw; i++) cam[i] = Math.max(0, cam[i]);
  const [, H, W] = subject.inputDims;
  if (o.upsample === 'none') return { map: { dims: [h, w], data: Float32Array.from(cam) }, upsample: 'none' };
  return { map: { dims: [H, W], data: resizeBilinear(cam, 1, h, w, H, W) }, upsample: 'bilinear (half-pixel centres, align_corners=false)' };
}
