// The list of attribution methods: one line per method, each line its descriptor. Everything that
// needs to know the methods (spec schema, runner, shard costs, docs tests) reads this list.
import { extremalDescriptor } from '../extremal/extremal.ts';
import { fileMapDescriptor } from '../file-maps/file-method.ts';
import type { AnyMethodDescriptor } from '../method.ts';
import { gradCamDescriptor } from './grad-cam.ts';
import { gradientXInputDescriptor } from './gradient-x-input.ts';
import { gradientDescriptor } from './gradient.ts';
import { integratedGradientsDescriptor } from './integrated-gradients.ts';
import { meaningfulPerturbationDescriptor } from './meaningful-perturbation.ts';
import { occlusionDescriptor } from './occlusion.ts';
import { riseDescriptor } from './rise.ts';
import { smoothGradDescriptor } from './smoothgrad.ts';
import { varGradDescriptor } from './vargrad.ts';
import { gradientShapDescriptor } from './gradient-shap.ts';
import { guidedBackpropDescriptor } from './guided-backprop.ts';
import { guidedGradCamDescriptor } from './guided-grad-cam.ts';
import { deepLiftDescriptor } from './deeplift.ts';
import { lrpDescriptor } from './lrp.ts';
import { gradCamPlusPlusDescriptor } from './grad-cam-pp.ts';
import { scoreCamDescriptor } from './score-cam.ts';
import { kernelShapDescriptor } from './kernel-shap.ts';
import { limeDescriptor } from './lime.ts';
import { commandMapDescriptor } from '../file-maps/command-method.ts';

const LIST: AnyMethodDescriptor[] = [
  gradientDescriptor,
  gradientXInputDescriptor,
  smoothGradDescriptor,
  integratedGradientsDescriptor,
  gradCamDescriptor,
  occlusionDescriptor,
  riseDescriptor,
  meaningfulPerturbationDescriptor,
  extremalDescriptor,
  fileMapDescriptor,
  varGradDescriptor,
  gradientShapDescriptor,
  guidedBackpropDescriptor,
  guidedGradCamDescriptor,
  deepLiftDescriptor,
  lrpDescriptor,
  gradCamPlusPlusDescriptor,
  scoreCamDescriptor,
  kernelShapDescriptor,
  limeDescriptor,
  commandMapDescriptor,
];

let sealed = false;

/** Every method, in the order the spec schema lists them. */
export function methods(): readonly AnyMethodDescriptor[] {
  return LIST;
}

/** The method a spec names, or undefined. */
export function methodNamed(name: string): AnyMethodDescriptor | undefined {
  return LIST.find((d) => d.name === name);
}

/**
 * Adds a method from outside this list (a plugin, a test). It must come before the first spec is
 * parsed: the schema is built once, from the methods known at that moment.
 */
export function registerMethod(d: AnyMethodDescriptor): void {
  if (sealed) throw new Error(`method "${d.name}" registered after the masks schema was built; register methods before loading specs`);
  if (methodNamed(d.name)) throw new Error(`an attribution method named "${d.name}" already exists`);
  LIST.push(d);
}

/** Called by the schema when it builds the method union: later registrations would be missed, so they throw. */
export function sealMethods(): readonly AnyMethodDescriptor[] {
  sealed = true;
  return LIST;
}
