// Grad-CAM (Selvaraju et al. 2017): channel weights = spatial mean of ∂target/∂A at a layer A;
// map = ReLU(Σ_k w_k A_k), upsampled bilinearly (half-pixel centres) to the input. Libraries
// disagree on the ReLU and the upsampling, so both are options and echoed in the params.
import { factsFor } from '../../../engine/autodiff/index.ts';
import { topoOrder, withOutputs } from '../../../engine/graph.ts';
import { badInput } from '../../../errors.ts';
import { resizeBilinear } from '../maps.ts';
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import { targetTensor } from '../target.ts';
import type { Attribution, Method, Subject, Target } from '../types.ts';
import { z } from 'zod';
import { describeMethod, GRADIENT_PASSES, layerName } from '../method.ts';

export interface GradCamOptions {
  /** Tensor name of the layer (default: the last 4-D tensor with a spatial grid > 1 that the target depends on). */
  layer: string;
  /** Keep only positive evidence (the paper); false gives the signed map. */
  relu: boolean;
  upsample: 'bilinear' | 'none';
}

/** The last tensor of shape [N, K, h, w] (h·w > 1) on the way to the target: Grad-CAM's usual choice. */
export async function defaultCamLayer(subject: Subject, target: Target): Promise<string> {
  const tt = targetTensor(subject, target);
  const pruned = withOutputs(subject.net.model, [tt], subject.net.where);
  const facts = await factsFor(subject.net, { [subject.input]: [...subject.inputDims] });
  let best: string | undefined;
  for (const n of topoOrder(pruned.graph, subject.net.where)) {
    for (const o of n.output) {
      const f = facts.tensors.get(o);
      if (f && f.dims.length === 4 && f.dims[2] * f.dims[3] > 1 && f.dtype === 'float32') best = o;
    }
  }
  if (!best) throw badInput('E_ATTR_LAYER', 'the model has no 4-D feature map before the target, so Grad-CAM has no layer', subject.net.where, 'name a layer explicitly');
  return best;
}

export const GRAD_CAM_DEFAULTS: Omit<GradCamOptions, 'layer'> = { relu: true, upsample: 'bilinear' };

export const gradCam: Method<GradCamOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const layer = options.layer ?? (await defaultCamLayer(subject, target));
  const o: GradCamOptions = { ...GRAD_CAM_DEFAULTS, ...options, layer };
  const g = await targetGradient(subject, target, input, { layer });
  const { grad, value } = g.layer!;
  if (grad.dims.length !== 4) throw badInput('E_ATTR_LAYER', `Grad-CAM needs a layer of shape [N, K, h, w]; "${layer}" has [${grad.dims}]`, subject.net.where, 'pick a convolutional feature map');
  const [, K, h, w] = grad.dims;
  const hw = h * w;
  const cam = new Float64Array(hw);
  for (let k = 0; k < K; k++) {
    let a = 0;
    for (let i = 0; i < hw; i++) a += grad.data[k * hw + i];
    a /= hw;
    for (let i = 0; i < hw; i++) cam[i] += a * value.data[k * hw + i];
  }
  if (o.relu) for (let i = 0; i < hw; i++) cam[i] = Math.max(0, cam[i]);
  const [, H, W] = subject.inputDims;
  const map = o.upsample === 'bilinear' ? resizeBilinear(cam, 1, h, w, H, W) : Float32Array.from(cam);
  const result: Attribution = {
    method: 'grad_cam',
    target,
    map: { dims: o.upsample === 'bilinear' ? [H, W] : [h, w], data: map },
    params: { layer, relu: o.relu, upsample: o.upsample === 'bilinear' ? 'bilinear (half-pixel centres, align_corners=false)' : 'none', layerShape: [K, h, w] },
    score: g.scores[0],
    evaluations: { forward: 1, backward: 1 },
  };
  return result;
};

export const gradCamDescriptor = describeMethod<GradCamOptions>({
  name: 'grad_cam',
  defaults: GRAD_CAM_DEFAULTS,
  options: {
    layer: { schema: layerName(), description: 'Layer name as `neurogate layers <model>` lists it (or the IR tensor name)', defaultText: 'the last feature map with a spatial grid before the target' },
    relu: { schema: z.boolean(), description: 'Keep positive evidence only, as the paper' },
    upsample: { schema: z.enum(['bilinear', 'none']), description: 'Bilinear with half-pixel centres, or keep the layer’s grid' },
  },
  passes: () => GRADIENT_PASSES,
  run: gradCam,
});
