// Grad-CAM (Selvaraju et al. 2017): channel weights = spatial mean of ∂target/∂A at a layer A;
// map = ReLU(Σ_k w_k A_k), upsampled bilinearly (half-pixel centres) to the input. Libraries
// disagree on the ReLU and the upsampling, so both are options and echoed in the params.
import { factsFor } from '../../../engine/autodiff/index.ts';
import { topoOrder, withOutputs } from '../../../engine/graph.ts';
import { badInput } from '../../../errors.ts';
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import { targetTensor } from '../target.ts';
import type { Attribution, Method, Subject, Target } from '../types.ts';
import { describeMethod, GRADIENT_PASSES } from '../method.ts';
import { CAM_OPTIONS, checkCamLayer, weightedCam, type CamOptions } from './cam.ts';

/** Layer (default: the last 4-D tensor with a spatial grid > 1 that the target depends on), ReLU, upsampling: the CAM family's options. */
export type GradCamOptions = CamOptions;

/** The last tensor of shape [N, K, h, w] (K > 1, h·w > 1) on the way to the target: Grad-CAM's usual choice. */
export async function defaultCamLayer(subject: Subject, target: Target): Promise<string> {
  const tt = targetTensor(subject, target);
  const pruned = withOutputs(subject.net.model, [tt], subject.net.where);
  const facts = await factsFor(subject.net, { [subject.input]: [...subject.inputDims] });
  let best: string | undefined;
  for (const n of topoOrder(pruned.graph, subject.net.where)) {
    for (const o of n.output) {
      const f = facts.tensors.get(o);
      // K > 1 too: a converted NHWC tensor ([N, 1, 1, C] before a Flatten) would read as one channel over a 1×C grid.
      if (f && f.dims.length === 4 && f.dims[1] > 1 && f.dims[2] * f.dims[3] > 1 && f.dtype === 'float32') best = o;
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
  checkCamLayer(subject, layer, grad.dims);
  const [, K, h, w] = grad.dims;
  const hw = h * w;
  // Channel weights: the spatial mean of the gradient (float64, as the map is summed).
  const weights = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let a = 0;
    for (let i = 0; i < hw; i++) a += grad.data[k * hw + i];
    weights[k] = a / hw;
  }
  const { map, upsample } = weightedCam(value, weights, subject, o);
  const result: Attribution = {
    method: 'grad_cam',
    target,
    map,
    params: { layer, relu: o.relu, upsample, layerShape: [K, h, w] },
    score: g.scores[0],
    evaluations: { forward: 1, backward: 1 },
  };
  return result;
};

export const gradCamDescriptor = describeMethod<GradCamOptions>({
  name: 'grad_cam',
  defaults: GRAD_CAM_DEFAULTS,
  options: CAM_OPTIONS,
  passes: () => GRADIENT_PASSES,
  run: gradCam,
});
