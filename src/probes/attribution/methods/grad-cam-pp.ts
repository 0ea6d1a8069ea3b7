// Grad-CAM++ (Chattopadhyay et al., WACV 2018): Grad-CAM whose channel weights count only positive
// gradients, each position weighted by α = g² / (2g² + Σ_ab A_ab · g³) — the paper's closed form
// for an exponential output Y = exp(S), where the higher derivatives of S are powers of g = ∂S/∂A.
import { badInput } from '../../../errors.ts';
import { checkInput } from '../subject.ts';
import { targetGradient } from '../gradients.ts';
import type { Attribution, Method } from '../types.ts';
import { describeMethod, GRADIENT_PASSES } from '../method.ts';
import { defaultCamLayer, GRAD_CAM_DEFAULTS } from './grad-cam.ts';
import { CAM_OPTIONS, checkCamLayer, weightedCam, type CamOptions } from './cam.ts';

export type GradCamPlusPlusOptions = CamOptions;

/** Grad-CAM's (ReLU, bilinear): the paper changes only the weights. */
export const GRAD_CAM_PP_DEFAULTS: Omit<GradCamPlusPlusOptions, 'layer'> = GRAD_CAM_DEFAULTS;

/**
 * Channel weights w_k = Σ_ij α_ij^k · ReLU(g_ij^k) from the layer's values A and gradients g
 * ([1, K, h, w] each). exp(S) multiplies every ∂Y/∂A and cancels in α; left in, it would scale
 * every weight by the same positive number, so it is left out (as the reference code does).
 * Where 2g² + S_k g³ ≤ 0 (only possible when a channel's activations sum below zero, i.e. a layer
 * before its ReLU) the closed form has no meaning and α is 0. Also counts those positions.
 */
export function gradCamPlusPlusWeights(value: ArrayLike<number>, grad: ArrayLike<number>, K: number, hw: number): { weights: Float64Array; undefinedAlpha: number } {
  const weights = new Float64Array(K);
  let undefinedAlpha = 0;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let i = 0; i < hw; i++) s += value[k * hw + i];
    let wk = 0;
    for (let i = 0; i < hw; i++) {
      const g = grad[k * hw + i];
      // ReLU(g) is 0 for g ≤ 0, so only positive gradients reach the weight.
      if (!(g > 0)) continue;
      const g2 = g * g;
      const denom = 2 * g2 + s * g2 * g;
      if (denom > 0) wk += (g2 / denom) * g;
      else undefinedAlpha++;
    }
    weights[k] = wk;
  }
  return { weights, undefinedAlpha };
}

export const gradCamPlusPlus: Method<GradCamPlusPlusOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const layer = options.layer ?? (await defaultCamLayer(subject, target));
  const o: GradCamPlusPlusOptions = { ...GRAD_CAM_PP_DEFAULTS, ...options, layer };
  const g = await targetGradient(subject, target, input, { layer });
  const { grad, value } = g.layer!;
  checkCamLayer(subject, layer, grad.dims);
  const [, K, h, w] = grad.dims;
  const { weights, undefinedAlpha } = gradCamPlusPlusWeights(value.data, grad.data, K, h * w);
  if (!weights.every(Number.isFinite)) throw badInput('E_ATTR_NONFINITE', `Grad-CAM++ weights of "${layer}" are not finite`, subject.net.where, 'the layer’s activations or gradients overflow; pick another layer');
  const { map, upsample } = weightedCam(value, weights, subject, o);
  const result: Attribution = {
    method: 'grad_cam_pp',
    target,
    map,
    params: { layer, relu: o.relu, upsample, layerShape: [K, h, w], alpha: 'g² / (2g² + Σ A·g³) (exponential output; exp(S) scale dropped)', undefinedAlpha },
    score: g.scores[0],
    evaluations: { forward: 1, backward: 1 },
  };
  return result;
};

export const gradCamPlusPlusDescriptor = describeMethod<GradCamPlusPlusOptions>({
  name: 'grad_cam_pp',
  defaults: GRAD_CAM_PP_DEFAULTS,
  options: {
    ...CAM_OPTIONS,
  },
  passes: () => GRADIENT_PASSES,
  run: gradCamPlusPlus,
});
