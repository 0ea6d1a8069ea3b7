// The attribution methods by name, all with one signature (subject, input, target, options) →
// Attribution, plus the types and helpers a caller needs.
import { extremal } from './extremal/extremal.ts';
import { gradCam } from './methods/grad-cam.ts';
import { gradientXInput } from './methods/gradient-x-input.ts';
import { gradientMethod } from './methods/gradient.ts';
import { integratedGradients } from './methods/integrated-gradients.ts';
import { meaningfulPerturbation } from './methods/meaningful-perturbation.ts';
import { occlusion } from './methods/occlusion.ts';
import { rise } from './methods/rise.ts';
import { smoothGrad } from './methods/smoothgrad.ts';
import type { Attribution, MethodName, Subject, Target } from './types.ts';
import type { Tensor } from '../../engine/tensor.ts';

export type AnyMethod = (subject: Subject, input: Tensor, target: Target, options?: Record<string, unknown>) => Promise<Attribution>;

export const METHODS: Record<MethodName, AnyMethod> = {
  gradient: gradientMethod as AnyMethod,
  gradient_x_input: gradientXInput as AnyMethod,
  smoothgrad: smoothGrad as AnyMethod,
  integrated_gradients: integratedGradients as AnyMethod,
  grad_cam: gradCam as AnyMethod,
  occlusion: occlusion as AnyMethod,
  rise: rise as AnyMethod,
  meaningful_perturbation: meaningfulPerturbation as AnyMethod,
  extremal: extremal as AnyMethod,
};

/** Methods whose result is a mask in [0, 1] (one per area), not a signed evidence map. */
export const MASK_METHODS: readonly MethodName[] = ['extremal', 'meaningful_perturbation'];

export { subjectOf, checkInput } from './subject.ts';
export type { Attribution, MaskResult, MethodName, Subject, Target } from './types.ts';
