// Elementwise arithmetic with TF (numpy) broadcasting, and inference-mode batch norm. On rank-4
// results the ops run in NCHW: constants are re-laid so they broadcast along the same axes.
import { attrBool, attrFloat } from './attrs.ts';
import { emit, fresh, inputAt, constAt, nodeError, requireNhwc, finish, tfLayout, irLayout, constForNchw, shapeOf, requireRank,
  type OpContext, type Converter, type Value, type ConstValue, type DynValue } from './context.ts';

/** TF's broadcast of two shapes (-1 = unknown, assumed compatible). */
function broadcast(c: OpContext, a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const pa = [...new Array(r - a.length).fill(1), ...a];
  const pb = [...new Array(r - b.length).fill(1), ...b];
  return pa.map((x, i) => {
    const y = pb[i];
    if (x === 1) return y;
    if (y === 1 || y === x) return x;
    if (x === -1) return y;
    if (y === -1) return x;
    throw nodeError(c, 'E_TFJS_SHAPE', `cannot broadcast shapes [${a}] and [${b}]`);
  });
}

/** Runs in NCHW when the result is rank 4 and every computed operand either is rank 4 or broadcasts the same in any layout. */
function layoutFree(v: Value): boolean {
  const s = shapeOf(v);
  return v.kind === 'const' ? s.length <= 4 : s.length === 4 || s.every((d) => d === 1);
}

function binaryValue(c: OpContext, onnxOp: string, a: Value, b: Value, out: string): DynValue {
  const shape = broadcast(c, shapeOf(a), shapeOf(b));
  const nchw = shape.length === 4 && layoutFree(a) && layoutFree(b);
  const name = (v: Value) => (!nchw ? tfLayout(c.b, v) : v.kind === 'const' ? constForNchw(c.b, v) : v.name);
  const operands = [name(a), name(b)];
  return finish(c.b, out, shape, nchw ? 'ir' : 'tf', (t) => emit(c.b, onnxOp, operands, [t]));
}

function binary(onnxOp: string): Converter {
  return (c) => ({ value: binaryValue(c, onnxOp, inputAt(c, 0, 'x'), inputAt(c, 1, 'y'), c.out) });
}

const biasAdd: Converter = (c) => {
  requireNhwc(c);
  requireRank(c, inputAt(c, 1, 'bias'), [1], 'bias');
  return binary('Add')(c);
};

/** Inference batch norm y = (x − mean)·γ/√(var+ε) + β as one per-channel scale and shift. */
export function foldBatchNorm(gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, eps: number): { scale: Float32Array; shift: Float32Array } {
  const scale = new Float32Array(gamma.length);
  const shift = new Float32Array(gamma.length);
  for (let i = 0; i < gamma.length; i++) {
    scale[i] = gamma[i] / Math.sqrt(variance[i] + eps);
    shift[i] = beta[i] - mean[i] * scale[i];
  }
  return { scale, shift };
}

const fusedBatchNorm: Converter = (c) => {
  requireNhwc(c);
  if (attrBool(c.node, 'is_training', false)) {
    throw nodeError(c, 'E_TFJS_ATTR', 'is_training is true (batch statistics)', 'export the model for inference (is_training false)');
  }
  const x = inputAt(c, 0, 'x');
  const [gamma, beta, mean, variance] = ['scale', 'offset', 'mean', 'variance'].map((w, i) => constAt(c, i + 1, w).tensor.data);
  const n = gamma.length;
  const ch = shapeOf(x).at(-1);
  if ([beta, mean, variance].some((t) => t.length !== n) || (ch !== undefined && ch >= 0 && ch !== n)) {
    throw nodeError(c, 'E_TFJS_SHAPE', `scale, offset, mean and variance must each hold one value per channel (${ch})`);
  }
  // A missing epsilon reads as TF.js's default (the reference engine), not TF's 1e-4.
  const { scale, shift } = foldBatchNorm(gamma, beta, mean, variance, attrFloat(c.node, 'epsilon', 1e-3));
  const constant = (suffix: string, data: Float32Array): ConstValue =>
    ({ kind: 'const', name: `${c.node.name}/${suffix}`, tensor: { dims: [n], data, dtype: 'float32' } });
  const scaled = binaryValue(c, 'Mul', x, constant('folded_scale', scale), fresh(c.b, `${c.out}#scaled`));
  return { value: binaryValue(c, 'Add', scaled, constant('folded_shift', shift), c.out) };
};

/** AddN sums equally shaped tensors (no broadcasting in TF): one ONNX Sum, in NCHW for rank 4. */
const addN: Converter = (c) => {
  if (c.inputs.length === 0) throw nodeError(c, 'E_TFJS_ARITY', 'has no inputs', 're-convert the model');
  const shapes = c.inputs.map(shapeOf);
  const shape = shapes[0].map((_, a) => shapes.find((s) => s[a] >= 0)?.[a] ?? -1);
  if (shapes.some((s) => s.length !== shape.length || s.some((d, a) => d >= 0 && d !== shape[a]))) {
    throw nodeError(c, 'E_TFJS_SHAPE', `inputs have different shapes: ${shapes.map((s) => `[${s}]`).join(', ')}`);
  }
  const names = c.inputs.map((v) => irLayout(c.b, v));
  return { value: finish(c.b, c.out, shape, 'ir', (t) => emit(c.b, 'Sum', names, [t])) };
};

export const elementwiseOps: Record<string, Converter> = {
  Add: binary('Add'),
  AddV2: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  AddN: addN,
  BiasAdd: biasAdd,
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV2: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
};
