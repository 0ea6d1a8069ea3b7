// Models whose correct attribution is known in closed form, generated as ONNX graphs: linear,
// additive (one nonlinear term per input element), bias-free ReLU networks (positively homogeneous,
// so Euler's identity holds), a network that ignores part of its input, and weighted sums of
// models. The property tests check every method against these.
import { createModel, floatTensorProto, int64TensorProto, node } from '../../../src/engine/graph.ts';
import { makeNet } from '../../../src/engine/net.ts';
import { cloneModel, type ModelProto, type NodeProto, type TensorProto } from '../../../src/engine/onnx.ts';
import type { Rng } from '../../../src/util/rng.ts';
import { normal } from '../../../src/util/rng.ts';
import type { Subject } from '../../../src/probes/attribution/types.ts';

export const GT_INPUT = 'x';
export const GT_LOGITS = 'logits';

function subjectFor(model: ModelProto, dims: [number, number, number], where: string): Subject {
  return { net: makeNet(model, where), input: GT_INPUT, inputDims: dims, logits: GT_LOGITS, device: 'cpu', batchSize: 16 };
}

function build(dims: [number, number, number], classes: number, nodes: NodeProto[], initializers: TensorProto[], name: string): ModelProto {
  return createModel({
    name,
    inputs: [{ name: GT_INPUT, dims: ['N', ...dims] }],
    outputs: [{ name: GT_LOGITS, dims: ['N', classes] }],
    nodes,
    initializers,
  });
}

export interface LinearModel {
  subject: Subject;
  /** Weights [K, C·H·W] and biases [K]: logit k = w_k · x + b_k. */
  w: Float32Array;
  b: Float32Array;
  classes: number;
}

/** logits = W·flatten(x) + b. Gradient of class k = w_k; IG from x′ = (x − x′) ⊙ w_k. */
export function linearModel(dims: [number, number, number], w: Float32Array, b: Float32Array): LinearModel {
  const D = dims[0] * dims[1] * dims[2];
  const K = b.length;
  if (w.length !== K * D) throw new RangeError(`linearModel: ${w.length} weights for ${K} classes × ${D} inputs`);
  const model = build(dims, K, [
    node('Flatten', [GT_INPUT], ['flat'], { axis: { i: 1 } }),
    node('Gemm', ['flat', 'W', 'B'], [GT_LOGITS], { transB: { i: 1 } }),
  ], [floatTensorProto('W', { dims: [K, D], data: w }), floatTensorProto('B', { dims: [K], data: b })], 'linear');
  return { subject: subjectFor(model, dims, 'groundtruth:linear'), w, b, classes: K };
}

export interface AdditiveModel {
  subject: Subject;
  /** F(x) = Σ_i a_i·relu(x_i − t_i) + q_i·x_i² (one logit). */
  a: Float32Array;
  t: Float32Array;
  q: Float32Array;
  /** The term of element i: F = Σ term(i, x_i). */
  term(i: number, v: number): number;
}

export function additiveModel(dims: [number, number, number], a: Float32Array, t: Float32Array, q: Float32Array): AdditiveModel {
  const D = dims[0] * dims[1] * dims[2];
  for (const [arr, n] of [[a, 'a'], [t, 't'], [q, 'q']] as const) if (arr.length !== D) throw new RangeError(`additiveModel: ${n} has ${arr.length} values, need ${D}`);
  const shaped = (name: string, data: Float32Array) => floatTensorProto(name, { dims: [1, ...dims], data });
  const model = build(dims, 1, [
    node('Sub', [GT_INPUT, 'T'], ['shifted']),
    node('Relu', ['shifted'], ['hinge']),
    node('Mul', ['hinge', 'A'], ['linpart']),
    node('Mul', [GT_INPUT, GT_INPUT], ['sq']),
    node('Mul', ['sq', 'Q'], ['quadpart']),
    node('Add', ['linpart', 'quadpart'], ['terms']),
    node('Flatten', ['terms'], ['flat'], { axis: { i: 1 } }),
    node('ReduceSum', ['flat', 'axes'], [GT_LOGITS], { keepdims: { i: 1 } }),
  ], [shaped('T', t), shaped('A', a), shaped('Q', q), int64TensorProto('axes', [1], [1])], 'additive');
  return {
    subject: subjectFor(model, dims, 'groundtruth:additive'),
    a, t, q,
    term: (i, v) => Math.fround(a[i] * Math.max(0, v - t[i])) + Math.fround(q[i] * v * v),
  };
}

export interface ReluNet {
  subject: Subject;
  classes: number;
}

/**
 * Conv 3×3 (no bias) → ReLU → MaxPool 2 → Conv 3×3 (no bias) → ReLU → GlobalAveragePool →
 * Gemm (no bias): positively homogeneous of degree 1, so Σ x ⊙ ∇F(x) = F(x) exactly.
 */
export function biasFreeReluNet(dims: [number, number, number], classes: number, rng: Rng, hidden = 6): ReluNet {
  const [C] = dims;
  const draw = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * normal(rng));
  const model = build(dims, classes, [
    node('Conv', [GT_INPUT, 'W1'], ['c1'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }),
    node('Relu', ['c1'], ['r1']),
    node('MaxPool', ['r1'], ['p1'], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } }),
    node('Conv', ['p1', 'W2'], ['c2'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }),
    node('Relu', ['c2'], ['r2']),
    node('GlobalAveragePool', ['r2'], ['g']),
    node('Flatten', ['g'], ['flat'], { axis: { i: 1 } }),
    node('Gemm', ['flat', 'W3'], [GT_LOGITS], { transB: { i: 1 } }),
  ], [
    floatTensorProto('W1', { dims: [hidden, C, 3, 3], data: draw(hidden * C * 9, 1 / Math.sqrt(C * 9)) }),
    floatTensorProto('W2', { dims: [hidden, hidden, 3, 3], data: draw(hidden * hidden * 9, 1 / Math.sqrt(hidden * 9)) }),
    floatTensorProto('W3', { dims: [classes, hidden], data: draw(classes * hidden, 1) }),
  ], 'relu-net');
  return { subject: subjectFor(model, dims, 'groundtruth:relu-net'), classes };
}

export interface IgnoringModel {
  subject: Subject;
  /** Columns x ≥ `from` never reach the output. */
  from: number;
}

/** A ReLU network that reads only the columns [0, from) of its input: the rest must get zero attribution. */
export function ignoringModel(dims: [number, number, number], from: number, rng: Rng, classes = 2): IgnoringModel {
  const [C, H] = dims;
  const D = C * H * from;
  const draw = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * normal(rng));
  const model = build(dims, classes, [
    node('Slice', [GT_INPUT, 'starts', 'ends', 'axes'], ['left']),
    node('Flatten', ['left'], ['flat'], { axis: { i: 1 } }),
    node('Gemm', ['flat', 'W1', 'B1'], ['h'], { transB: { i: 1 } }),
    node('Relu', ['h'], ['r']),
    node('Gemm', ['r', 'W2', 'B2'], [GT_LOGITS], { transB: { i: 1 } }),
  ], [
    int64TensorProto('starts', [1], [0]),
    int64TensorProto('ends', [1], [from]),
    int64TensorProto('axes', [1], [3]),
    floatTensorProto('W1', { dims: [8, D], data: draw(8 * D, 1 / Math.sqrt(D)) }),
    floatTensorProto('B1', { dims: [8], data: draw(8, 0.1) }),
    floatTensorProto('W2', { dims: [classes, 8], data: draw(classes * 8, 1) }),
    floatTensorProto('B2', { dims: [classes], data: draw(classes, 0.1) }),
  ], 'ignoring');
  return { subject: subjectFor(model, dims, 'groundtruth:ignoring'), from };
}

/**
 * A model computing α·F(x) + β·G(x) from two generated models with the same input: their nodes
 * and weights side by side (names prefixed), logits added (both must have `classes` logits). For linearity checks.
 */
export function weightedSum(f: Subject, g: Subject, alpha: number, beta: number, classes = 1): Subject {
  const part = (s: Subject, p: string) => {
    const rename = (n: string) => (n === GT_INPUT || n === '' ? n : `${p}/${n}`);
    const gr = cloneModel(s.net.model).graph;
    for (const n of gr.node) {
      n.input = n.input.map(rename);
      n.output = n.output.map(rename);
      n.name = `${p}/${n.name}`;
    }
    for (const t of gr.initializer) t.name = rename(t.name);
    return { nodes: gr.node, inits: gr.initializer, out: rename(GT_LOGITS) };
  };
  const a = part(f, 'f');
  const b = part(g, 'g');
  const model = build(f.inputDims, classes, [
    ...a.nodes,
    ...b.nodes,
    node('Mul', [a.out, 'alpha'], ['fa']),
    node('Mul', [b.out, 'beta'], ['gb']),
    node('Add', ['fa', 'gb'], [GT_LOGITS]),
  ], [
    ...a.inits,
    ...b.inits,
    floatTensorProto('alpha', { dims: [], data: new Float32Array([alpha]) }),
    floatTensorProto('beta', { dims: [], data: new Float32Array([beta]) }),
  ], 'weighted-sum');
  return subjectFor(model, f.inputDims, `groundtruth:${alpha}·${f.net.where}+${beta}·${g.net.where}`);
}
