// Building the Subject attribution methods explain from an imported model, and checking an
// input tensor against it at the boundary (shape errors name the argument and what was expected).
import type { ConcreteDevice } from '../../engine/session.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import type { ImportedModel } from '../../models/types.ts';
import type { MaxPoolTies } from '../../engine/autodiff/rules/pool.ts';
import type { Subject } from './types.ts';

export interface SubjectOptions {
  device?: ConcreteDevice;
  /** Most items per onnxruntime run; 16 keeps MobileNetV2-sized models well under 1 GB. */
  batchSize?: number;
  maxPoolTies?: MaxPoolTies;
}

export function subjectOf(model: ImportedModel, opts: SubjectOptions = {}): Subject {
  return {
    net: model.net,
    input: model.input.name,
    inputDims: [model.input.channels, model.input.height, model.input.width],
    logits: model.logits,
    labels: model.labels,
    device: opts.device ?? 'cpu',
    batchSize: Math.max(1, Math.floor(opts.batchSize ?? 16)),
    ...(opts.maxPoolTies && { maxPoolTies: opts.maxPoolTies }),
  };
}

/** Refuse an input that is not [1, C, H, W] for this subject. */
export function checkInput(subject: Subject, input: Tensor, what = 'input'): void {
  const [C, H, W] = subject.inputDims;
  const ok = input.dims.length === 4 && input.dims[0] === 1 && input.dims[1] === C && input.dims[2] === H && input.dims[3] === W;
  if (!ok || input.data.length !== C * H * W) {
    throw badInput('E_ATTR_INPUT', `${what} has shape [${input.dims}], the model needs [1, ${C}, ${H}, ${W}]`, subject.net.where,
      'preprocess the image with toModelInput (it resizes to the model input)');
  }
}
