// Input invariance (Kindermans et al. 2017): shift the input by a constant c and compensate in the
// first layer (padding value + c, bias − c·ΣW), so the model computes the same function of the
// original image. A method is input invariant when its map does not change: the gradient passes,
// gradient × input and zero-baseline IG fail.
import { attr, attribute, floatTensorProto, int64TensorProto, node, readWeight, replaceWeight, tensorFromProto } from '../../../../engine/graph.ts';
import { makeNet } from '../../../../engine/net.ts';
import { cloneModel, type ModelProto, type NodeProto } from '../../../../engine/onnx.ts';
import type { Tensor } from '../../../../engine/tensor.ts';
import { badInput } from '../../../../errors.ts';
import { scoreOne } from '../../forward.ts';
import type { Subject, Target } from '../../types.ts';
import type { Explain } from '../robustness/robustness.ts';
import { describeMetric } from '../../metric.ts';
import { positive } from '../../method.ts';

const HINT = 'input invariance needs a model whose input feeds one convolution (directly or through a constant Pad)';

/** A copy of the subject's model that takes x + c and computes what the original computes on x. */
export function shiftedSubject(subject: Subject, c: number): Subject {
  const model = cloneModel(subject.net.model);
  const g = model.graph;
  const where = subject.net.where;
  const consumers = (t: string) => g.node.filter((n) => n.input.includes(t));
  const first = consumers(subject.input);
  if (first.length !== 1) throw badInput('E_ATTR_INVARIANCE', `the input feeds ${first.length} nodes`, where, HINT);
  let conv: NodeProto;
  if (first[0].opType === 'Pad') {
    const pad = first[0];
    const mode = attr<string>(pad, 'mode', 'constant');
    if (mode !== 'constant') throw badInput('E_ATTR_INVARIANCE', `the input's Pad uses mode "${mode}"`, where, HINT);
    const valueName = pad.input[2];
    const old = valueName ? tensorFromProto(g.initializer.find((t) => t.name === valueName) ?? failConst(valueName, where)).data[0] : 0;
    const name = `${pad.name || pad.output[0]}/neurogate_shift_value`;
    g.initializer.push(floatTensorProto(name, { dims: [], data: new Float32Array([old + c]) }));
    while (pad.input.length < 2) pad.input.push('');
    pad.input[2] = name;
    const next = consumers(pad.output[0]);
    if (next.length !== 1 || next[0].opType !== 'Conv') throw badInput('E_ATTR_INVARIANCE', 'the input\'s Pad does not feed exactly one Conv', where, HINT);
    conv = next[0];
  } else if (first[0].opType === 'Conv') {
    conv = first[0];
  } else {
    throw badInput('E_ATTR_INVARIANCE', `the input feeds a ${first[0].opType}`, where, HINT);
  }
  if (attr<number>(conv, 'group', 1) !== 1) throw badInput('E_ATTR_INVARIANCE', 'the first Conv is grouped', where, HINT);
  const autoPad = attr<string>(conv, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw badInput('E_ATTR_INVARIANCE', `the first Conv pads implicitly (auto_pad ${autoPad})`, where, HINT);
  const pads = attr<number[]>(conv, 'pads', [0, 0, 0, 0]);
  if (pads.some((p) => p !== 0)) {
    // Zero padding inside the Conv would see 0, not c: make it an explicit Pad with value c.
    const padded = `${conv.input[0]}/neurogate_shift_pad`;
    const padsName = `${padded}/pads`;
    const valueName = `${padded}/value`;
    const [t, l, b, r] = pads;
    g.initializer.push(int64TensorProto(padsName, [8], [0, 0, t, l, 0, 0, b, r]));
    g.initializer.push(floatTensorProto(valueName, { dims: [], data: new Float32Array([c]) }));
    const padNode = node('Pad', [conv.input[0], padsName, valueName], [padded], { mode: { s: 'constant' } });
    g.node.splice(g.node.indexOf(conv), 0, padNode);
    conv.input[0] = padded;
    conv.attribute = conv.attribute.filter((a) => a.name !== 'pads');
    conv.attribute.push(attribute('pads', { ints: [0, 0, 0, 0] }));
  }
  compensateBias(model, conv, c);
  return { ...subject, net: makeNet(model, `${where} (input shifted by ${c})`) };
}

function failConst(name: string, where: string): never {
  throw badInput('E_ATTR_INVARIANCE', `the Pad value "${name}" is not a constant`, where, HINT);
}

function compensateBias(model: ModelProto, conv: NodeProto, c: number): void {
  const W = readWeight(model, conv.input[1]);
  const O = W.dims[0];
  const per = W.data.length / O;
  const bias = new Float32Array(O);
  if (conv.input[2]) bias.set(readWeight(model, conv.input[2]).data);
  for (let o = 0; o < O; o++) {
    let s = 0;
    for (let k = 0; k < per; k++) s += W.data[o * per + k];
    bias[o] -= c * s;
  }
  if (conv.input[2]) replaceWeight(model, conv.input[2], { dims: [O], data: bias });
  else {
    const name = `${conv.name || conv.output[0]}/neurogate_shift_bias`;
    model.graph.initializer.push(floatTensorProto(name, { dims: [O], data: bias }));
    conv.input[2] = name;
  }
}

export interface InvarianceResult {
  /** |F_shifted(x + c) − F(x)|: how exactly the shifted model reproduces the original. */
  scoreChange: number;
  /** max |a_shifted(x + c) − a(x)| / max |a(x)|. */
  mapChange: number;
}

export async function inputInvariance(subject: Subject, input: Tensor, target: Target, explain: Explain, shift = 0.25): Promise<InvarianceResult> {
  const shifted = shiftedSubject(subject, shift);
  const xs: Tensor = { dims: [...input.dims], data: input.data.map((v) => v + shift) };
  const [s0, s1] = [await scoreOne(subject, target, input), await scoreOne(shifted, target, xs)];
  const a = await explain(subject, input);
  const b = await explain(shifted, xs);
  let max = 0;
  let diff = 0;
  for (let i = 0; i < a.map.data.length; i++) {
    max = Math.max(max, Math.abs(a.map.data[i]));
    diff = Math.max(diff, Math.abs(a.map.data[i] - b.map.data[i]));
  }
  return { scoreChange: Math.abs(s1.score - s0.score), mapChange: max > 0 ? diff / max : diff };
}

export interface InputInvarianceOptions {
  /** The constant c added to every input value (model-input units); the first layer's bias absorbs it. */
  shift: number;
}

export const INPUT_INVARIANCE_DEFAULTS: InputInvarianceOptions = { shift: 0.25 };

export const inputInvarianceMetric = describeMetric<InputInvarianceOptions>({
  key: 'input_invariance',
  family: 'axiomatic',
  description: 'Input invariance: the map of a model whose first layer absorbs a constant shift of the input, on the shifted input; input_invariance = max |Δa| ÷ max |a| (0 is invariant), input_invariance_score_change = |ΔF| (how exactly the shifted model matches)',
  form: 'options',
  options: { shift: { schema: positive(), description: 'Constant added to every input value, in model-input units' } },
  defaults: INPUT_INVARIANCE_DEFAULTS,
  metrics: ['input_invariance', 'input_invariance_score_change'],
  needs: ['method'],
  property: true,
  passes: (_o, method) => 2 * method + 2,
  run: async ({ subject, input, target, explain }, o) => {
    const r = await inputInvariance(subject, input, target, explain, o.shift);
    return { values: { input_invariance: r.mapChange, input_invariance_score_change: r.scoreChange } };
  },
});
