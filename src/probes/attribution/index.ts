// The attribution methods by name, all with one signature (subject, input, target, options) →
// Attribution, plus the types and helpers a caller needs. The methods come from their descriptors
// (methods/index.ts).
import type { Tensor } from '../../engine/tensor.ts';
import { methodNamed } from './methods/index.ts';
import type { Attribution, Subject, Target } from './types.ts';

export type AnyMethod = (subject: Subject, input: Tensor, target: Target, options?: Record<string, unknown>) => Promise<Attribution>;

/** The method a spec names; throws on a name no descriptor has (the schema refuses those first). */
export function methodFunction(name: string): AnyMethod {
  const d = methodNamed(name);
  if (!d) throw new RangeError(`no attribution method named "${name}"`);
  return d.run as AnyMethod;
}

export { methods, methodNamed, registerMethod } from './methods/index.ts';
export type { AnyMethodDescriptor, MethodDescriptor, OptionSpec } from './method.ts';
export { subjectOf, checkInput } from './subject.ts';
export type { Attribution, MaskResult, MethodName, Subject, Target } from './types.ts';
