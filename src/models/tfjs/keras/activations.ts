// Keras activation functions (the `activation` of Activation/Conv2D/Dense…) as ONNX opset-17 nodes,
// written with the same formulas TF.js uses so the differential tests compare like with like.
import { type Ctx, type KShape, emit, scalar, layerError } from './context.ts';
import type { KerasLayer } from './topology.ts';

/** Keras axis (NHWC order, may be negative) → axis of the NCHW tensor in the IR. */
export function irAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (rank === 4) return [0, 2, 3, 1][a];
  return a;
}

type Emitter = (ctx: Ctx, x: string, out: string, rank: number) => void;

const SQRT2 = Math.SQRT2;
const unary = (op: string, attrs = {}): Emitter => (ctx, x, out) => { emit(ctx, op, [x], out, attrs); };

const ACTIVATIONS: Record<string, Emitter> = {
  linear: unary('Identity'),
  relu: unary('Relu'),
  relu6: (ctx, x, out) => { emit(ctx, 'Clip', [x, scalar(ctx, 0), scalar(ctx, 6)], out); },
  elu: unary('Elu', { alpha: { f: 1 } }),
  // TF's constants; ONNX's defaults differ in the last digits.
  selu: unary('Selu', { alpha: { f: 1.6732632423543772 }, gamma: { f: 1.0507009873554805 } }),
  sigmoid: unary('Sigmoid'),
  hard_sigmoid: unary('HardSigmoid', { alpha: { f: 0.2 }, beta: { f: 0.5 } }),
  tanh: unary('Tanh'),
  softplus: unary('Softplus'),
  softsign: unary('Softsign'),
  softmax: (ctx, x, out, rank) => { emit(ctx, 'Softmax', [x], out, { axis: { i: irAxis(-1, rank) } }); },
  swish: (ctx, x, out) => { emit(ctx, 'Mul', [x, emit(ctx, 'Sigmoid', [x], `${out}/sigmoid`)], out); },
  mish: (ctx, x, out) => {
    const sp = emit(ctx, 'Softplus', [x], `${out}/softplus`);
    emit(ctx, 'Mul', [x, emit(ctx, 'Tanh', [sp], `${out}/tanh`)], out);
  },
  gelu: (ctx, x, out) => {
    const erf = emit(ctx, 'Erf', [emit(ctx, 'Div', [x, scalar(ctx, SQRT2)], `${out}/scaled`)], `${out}/erf`);
    const cdf = emit(ctx, 'Mul', [scalar(ctx, 0.5), emit(ctx, 'Add', [scalar(ctx, 1), erf], `${out}/erf1`)], `${out}/cdf`);
    emit(ctx, 'Mul', [x, cdf], out);
  },
};

/** Keras writes snake_case names; TF.js-saved models sometimes camelCase. */
const SYNONYMS: Record<string, string> = { hardSigmoid: 'hard_sigmoid' };

export const SUPPORTED_ACTIVATIONS = Object.keys(ACTIVATIONS);

/** The activation named in a layer config, normalised ('linear' when absent); errors on unknown ones. */
export function activationOf(ctx: Ctx, l: KerasLayer, raw: unknown): string {
  // Keras 3 may save {class_name, config}; the name is what matters here.
  const name = raw == null ? 'linear'
    : typeof raw === 'string' ? raw
    : typeof (raw as any).class_name === 'string' ? (raw as any).class_name
    : typeof (raw as any).config?.name === 'string' ? (raw as any).config.name : String(raw);
  const key = SYNONYMS[name] ?? name;
  if (!(key in ACTIVATIONS)) {
    throw layerError(ctx, l, 'E_KERAS_ACTIVATION', `activation "${name}" is not supported`, `supported activations: ${SUPPORTED_ACTIVATIONS.join(', ')}`);
  }
  return key;
}

/** Emit act(x) as the tensor `out`. Intermediate tensors are named `<out>/…`. */
export function emitActivation(ctx: Ctx, act: string, x: string, out: string, shape: KShape): void {
  ACTIVATIONS[act](ctx, x, out, shape.length);
}
