// Guided Grad-CAM (Selvaraju et al. 2017): Guided Backpropagation ⊙ the Grad-CAM map upsampled to
// the input (ReLU'd, bilinear), per channel: fine detail from the one, class selectivity from the other.
import { checkInput } from '../subject.ts';
import type { Attribution, Method } from '../types.ts';
import { describeMethod, GRADIENT_PASSES } from '../method.ts';
import { gradCam, gradCamDescriptor, type GradCamOptions } from './grad-cam.ts';
import { guidedBackpropMethod } from './guided-backprop.ts';

export type GuidedGradCamOptions = Pick<GradCamOptions, 'layer'>;

export const guidedGradCam: Method<GuidedGradCamOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  // The paper's form: positive evidence only, at input resolution.
  const cam = await gradCam(subject, input, target, { ...options, relu: true, upsample: 'bilinear' });
  const guided = await guidedBackpropMethod(subject, input, target);
  const [C, H, W] = subject.inputDims;
  const hw = H * W;
  const map = new Float32Array(C * hw);
  for (let c = 0; c < C; c++) for (let i = 0; i < hw; i++) map[c * hw + i] = guided.map.data[c * hw + i] * cam.map.data[i];
  const result: Attribution = {
    method: 'guided_grad_cam',
    target,
    map: { dims: [C, H, W], data: map },
    params: { layer: cam.params.layer, layerShape: cam.params.layerShape },
    score: cam.score,
    evaluations: { forward: 2, backward: 2 },
  };
  return result;
};

export const guidedGradCamDescriptor = describeMethod<GuidedGradCamOptions>({
  name: 'guided_grad_cam',
  defaults: {},
  options: { layer: gradCamDescriptor.options.layer },
  passes: () => 2 * GRADIENT_PASSES,
  run: guidedGradCam,
});
