// The one bridge from attribution targets to the engine's autodiff: the target's value and its
// gradient w.r.t. the input (and optionally a layer) for a batch of inputs, split into runs that
// respect the subject's batch size.
import { gradient, logit, type BackwardVariant } from '../../engine/autodiff/index.ts';
import { node, valueInfo } from '../../engine/graph.ts';
import { makeNet } from '../../engine/net.ts';
import { cloneModel } from '../../engine/onnx.ts';
import type { Net } from '../../engine/session.ts';
import type { Tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import { objectiveOf } from './target.ts';
import type { Subject, Target } from './types.ts';

/** Kept here for its importers; the one definition of what a target means lives in target.ts. */
export { objectiveOf } from './target.ts';

const probabilityNets = new Map<string, { net: Net; tensor: string }>();

/** The subject's net with softmax(logits) as an extra output, for class-probability objectives. */
export function probabilityNet(subject: Subject): { net: Net; tensor: string } {
  if (!subject.logits) throw badInput('E_ATTR_TARGET', 'a class probability needs the model\'s logits, and this model names none', subject.net.where, 'use a raw score');
  let hit = probabilityNets.get(subject.net.hash);
  if (!hit) {
    const model = cloneModel(subject.net.model);
    const tensor = `${subject.logits}/neurogate_softmax`;
    model.graph.node.push(node('Softmax', [subject.logits], [tensor], { axis: { i: -1 } }));
    model.graph.output.push(valueInfo(tensor));
    hit = { net: makeNet(model, subject.net.where), tensor };
    probabilityNets.set(subject.net.hash, hit);
    while (probabilityNets.size > 4) probabilityNets.delete(probabilityNets.keys().next().value as string);
  }
  return hit;
}

export interface TargetGradient {
  /** Target value per item. */
  scores: Float64Array;
  /** ∂target/∂input per item, [N, C, H, W]. */
  input: Tensor;
  /** ∂target/∂layer per item and the layer's values, when a layer was asked for. */
  layer?: { grad: Tensor; value: Tensor };
}

/**
 * Gradient of the target w.r.t. the input for every item of `inputs` ([N, C, H, W]), in runs of at
 * most `batchSize` items. Items never interact, so per-item weights (e.g. ±1 for the two halves
 * of a dual game) are applied by the caller by scaling rows.
 */
export interface TargetGradientOptions {
  layer?: string;
  batchSize?: number;
  probability?: boolean;
  /** A modified backward pass (Guided Backprop, DeepLIFT, LRP) instead of the gradient. */
  variant?: BackwardVariant;
  /** The reference input, shaped as `inputs`, for variants that compare against one (DeepLIFT). */
  reference?: Tensor;
}

export async function targetGradient(subject: Subject, target: Target, inputs: Tensor, opts: TargetGradientOptions = {}): Promise<TargetGradient> {
  const n = inputs.dims[0];
  const per = inputs.data.length / n;
  const bs = Math.max(1, opts.batchSize ?? subject.batchSize);
  let net = subject.net;
  let objective = objectiveOf(subject, target);
  if (opts.probability) {
    if (target.kind !== 'class') throw badInput('E_ATTR_TARGET', `a probability objective needs a class target, not ${target.kind}`, subject.net.where, 'use the raw score');
    const pn = probabilityNet(subject);
    net = pn.net;
    objective = logit(pn.tensor, target.index);
  }
  const scores = new Float64Array(n);
  // One run (the common case of a batch within the subject's size) hands its gradient out uncopied.
  let grad: Float32Array | undefined = n <= bs ? undefined : new Float32Array(inputs.data.length);
  let layerGrad: Float32Array | undefined;
  let layerValue: Float32Array | undefined;
  let layerDims: number[] | undefined;
  const wrt = opts.layer ? [subject.input, opts.layer] : [subject.input];
  for (let s = 0; s < n; s += bs) {
    const m = Math.min(bs, n - s);
    const chunk: Tensor = { dims: [m, ...inputs.dims.slice(1)], data: inputs.data.subarray(s * per, (s + m) * per) };
    const reference = opts.reference && { [subject.input]: { dims: chunk.dims, data: opts.reference.data.subarray(s * per, (s + m) * per) } };
    const r = await gradient(net, { input: { [subject.input]: chunk }, objective, wrt, outputs: opts.layer ? [opts.layer] : [], variant: opts.variant, reference, maxPoolTies: subject.maxPoolTies }, { device: subject.device });
    for (let i = 0; i < m; i++) scores[s + i] = r.objective[i];
    if (grad) grad.set(r.grads[subject.input].data, s * per);
    else grad = r.grads[subject.input].data;
    if (opts.layer) {
      const g = r.grads[opts.layer];
      const v = r.outputs[opts.layer];
      const lper = g.data.length / m;
      layerDims ??= [n, ...g.dims.slice(1)];
      layerGrad ??= new Float32Array(n * lper);
      layerValue ??= new Float32Array(n * lper);
      layerGrad.set(g.data, s * lper);
      layerValue.set(v.data, s * lper);
    }
  }
  return {
    scores,
    input: { dims: [...inputs.dims], data: grad! },
    layer: opts.layer ? { grad: { dims: layerDims!, data: layerGrad! }, value: { dims: layerDims!, data: layerValue! } } : undefined,
  };
}
