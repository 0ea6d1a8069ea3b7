// One converter per Keras layer class: each writes ONNX nodes (NCHW) whose final output tensor
// is named after the layer, and records that tensor's static shape for the layers after it.
import { int64TensorProto } from '../../../engine/graph.ts';
import { type Ctx, type KShape, emit, addInitializer, claim, layerError, scalar } from './context.ts';
import { activationOf, emitActivation, irAxis } from './activations.ts';
import { windowOutSize, windowPads, type KerasPadding } from '../padding.ts';
import { tfResizeAttrs } from '../resize.ts';
import type { KerasLayer } from './topology.ts';

type Converter = (ctx: Ctx, l: KerasLayer, inputs: string[]) => KShape;

// ---- config readers: Keras configs are user input, so every field is checked where it is read.

function posInt(ctx: Ctx, l: KerasLayer, key: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw layerError(ctx, l, 'E_KERAS_CONFIG', `config.${key} is ${JSON.stringify(v)}, expected a positive integer`, 'the model.json is damaged; convert the model again');
  return v as number;
}

function pair(ctx: Ctx, l: KerasLayer, key: string, v: unknown, fallback: number): [number, number] {
  const raw = v ?? fallback;
  const arr = Array.isArray(raw) ? raw : [raw, raw];
  if (arr.length !== 2) throw layerError(ctx, l, 'E_KERAS_CONFIG', `config.${key} is ${JSON.stringify(raw)}, expected one or two integers`, 'the model.json is damaged; convert the model again');
  return [posInt(ctx, l, key, arr[0]), posInt(ctx, l, key, arr[1])];
}

function paddingOf(ctx: Ctx, l: KerasLayer): KerasPadding {
  const p = l.config.padding ?? 'valid';
  if (p !== 'same' && p !== 'valid') throw layerError(ctx, l, 'E_KERAS_CONFIG', `padding "${p}" is not supported`, 'supported paddings: same, valid');
  return p;
}

function channelsLast(ctx: Ctx, l: KerasLayer): void {
  const f = l.config.data_format;
  if (f != null && f !== 'channels_last') {
    throw layerError(ctx, l, 'E_KERAS_LAYOUT', `data_format "${f}" is not supported`, 'neurogate imports channels_last (NHWC) Keras models, the TF.js default; re-save the model with channels_last');
  }
}

function shapeOf(ctx: Ctx, x: string): KShape {
  return ctx.shapes.get(x)!;
}

/** H, W, C of a rank-4 input with known sizes (pads are computed from them). */
function image(ctx: Ctx, l: KerasLayer, x: string): [number, number, number] {
  const s = shapeOf(ctx, x);
  if (s.length !== 4 || s.slice(1).some((d) => d === null)) {
    throw layerError(ctx, l, 'E_KERAS_SHAPE', `expects an image tensor [batch, height, width, channels] of known size, got [${s.map((d) => d ?? '?')}] from "${x}"`,
      'layers after a Flatten or Dense cannot be spatial; check the model');
  }
  return [s[1]!, s[2]!, s[3]!];
}

function one(ctx: Ctx, l: KerasLayer, inputs: string[]): string {
  if (inputs.length !== 1) throw layerError(ctx, l, 'E_KERAS_FORMAT', `expects one input, the model gives it ${inputs.length}`, 'the model.json is damaged; convert the model again');
  return inputs[0];
}

/** Emit `produce` as the layer's output, or as `<layer>/preact` followed by the activation when one is fused in. */
function withActivation(ctx: Ctx, l: KerasLayer, shape: KShape, produce: (out: string) => void): KShape {
  const act = activationOf(ctx, l, l.config.activation);
  if (act === 'linear') {
    produce(l.name);
    return shape;
  }
  const pre = `${l.name}/preact`;
  produce(pre);
  emitActivation(ctx, act, pre, l.name, shape);
  ctx.aliases[l.name] = { tensor: l.name, preActivation: pre, kind: l.className };
  return shape;
}

// ---- layout changes of weights: TF stores HWIO kernels, ONNX wants OIHW.

function hwioToOihw(k: Float32Array, kh: number, kw: number, ci: number, co: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let c = 0; c < ci; c++) {
        const src = ((i * kw + j) * ci + c) * co;
        for (let o = 0; o < co; o++) out[((o * ci + c) * kh + i) * kw + j] = k[src + o];
      }
    }
  }
  return out;
}

/** Depthwise [kh, kw, C, M] → [C·M, 1, kh, kw]: TF orders output channel c·M + m, as ONNX groups do. */
function depthwiseToOihw(k: Float32Array, kh: number, kw: number, c: number, m: number): Float32Array {
  // Same index arithmetic as a kernel with one input channel and C·M outputs.
  return hwioToOihw(k, kh, kw, 1, c * m);
}

// ---- converters

interface Window { kernel: [number, number]; strides: [number, number]; dilations: [number, number]; padding: KerasPadding }

function windowAttrs(H: number, W: number, w: Window) {
  const [pt, pb] = windowPads(H, w.kernel[0], w.strides[0], w.dilations[0], w.padding);
  const [pl, pr] = windowPads(W, w.kernel[1], w.strides[1], w.dilations[1], w.padding);
  const oh = windowOutSize(H, w.kernel[0], w.strides[0], w.dilations[0], w.padding);
  const ow = windowOutSize(W, w.kernel[1], w.strides[1], w.dilations[1], w.padding);
  return { oh, ow, attrs: { kernel_shape: { ints: w.kernel }, strides: { ints: w.strides }, pads: { ints: [pt, pl, pb, pr] } } };
}

function convWindow(ctx: Ctx, l: KerasLayer, H: number, W: number, kernelKey = 'kernel_size') {
  channelsLast(ctx, l);
  const w: Window = {
    kernel: pair(ctx, l, kernelKey, l.config[kernelKey], NaN),
    strides: pair(ctx, l, 'strides', l.config.strides, 1),
    dilations: pair(ctx, l, 'dilation_rate', l.config.dilation_rate, 1),
    padding: paddingOf(ctx, l),
  };
  const r = windowAttrs(H, W, w);
  if (r.oh < 1 || r.ow < 1) {
    throw layerError(ctx, l, 'E_KERAS_SHAPE', `a ${w.kernel.join('×')} window (dilation ${w.dilations.join('×')}) does not fit the ${H}×${W} input with padding "${w.padding}"`, 'the input is too small for this model');
  }
  return { ...r, attrs: { ...r.attrs, dilations: { ints: w.dilations } }, kernel: w.kernel };
}

function bias(ctx: Ctx, l: KerasLayer, n: number, inputs: string[]): void {
  if (l.config.use_bias === false) return;
  inputs.push(addInitializer(ctx, `${l.name}/bias`, [n], ctx.weights.take(l, 'bias', [n])));
}

const conv2d: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const [H, W, C] = image(ctx, l, x);
  const F = posInt(ctx, l, 'filters', l.config.filters);
  if (l.config.groups != null && l.config.groups !== 1) {
    throw layerError(ctx, l, 'E_KERAS_CONFIG', `groups=${l.config.groups} is not supported`, 'TF.js cannot run grouped Conv2D either; use groups=1');
  }
  const win = convWindow(ctx, l, H, W);
  const [kh, kw] = win.kernel;
  const k = ctx.weights.take(l, 'kernel', [kh, kw, C, F]);
  const ins = [x, addInitializer(ctx, `${l.name}/kernel`, [F, C, kh, kw], hwioToOihw(k, kh, kw, C, F))];
  bias(ctx, l, F, ins);
  return withActivation(ctx, l, [null, win.oh, win.ow, F], (out) => emit(ctx, 'Conv', ins, out, { ...win.attrs, group: { i: 1 } }));
};

const depthwiseConv2d: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const [H, W, C] = image(ctx, l, x);
  const M = posInt(ctx, l, 'depth_multiplier', l.config.depth_multiplier ?? 1);
  const win = convWindow(ctx, l, H, W);
  const [kh, kw] = win.kernel;
  const k = ctx.weights.take(l, 'depthwise_kernel', [kh, kw, C, M]);
  const ins = [x, addInitializer(ctx, `${l.name}/depthwise_kernel`, [C * M, 1, kh, kw], depthwiseToOihw(k, kh, kw, C, M))];
  bias(ctx, l, C * M, ins);
  return withActivation(ctx, l, [null, win.oh, win.ow, C * M], (out) => emit(ctx, 'Conv', ins, out, { ...win.attrs, group: { i: C } }));
};

/** Depthwise then pointwise, as TF's separable_conv2d; the depthwise result is `<layer>/depthwise`. */
const separableConv2d: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const [H, W, C] = image(ctx, l, x);
  const M = posInt(ctx, l, 'depth_multiplier', l.config.depth_multiplier ?? 1);
  const F = posInt(ctx, l, 'filters', l.config.filters);
  const win = convWindow(ctx, l, H, W);
  const [kh, kw] = win.kernel;
  const dk = ctx.weights.take(l, 'depthwise_kernel', [kh, kw, C, M]);
  const pk = ctx.weights.take(l, 'pointwise_kernel', [1, 1, C * M, F]);
  const dw = emit(ctx, 'Conv', [x, addInitializer(ctx, `${l.name}/depthwise_kernel`, [C * M, 1, kh, kw], depthwiseToOihw(dk, kh, kw, C, M))], `${l.name}/depthwise`,
    { ...win.attrs, group: { i: C } });
  const ins = [dw, addInitializer(ctx, `${l.name}/pointwise_kernel`, [F, C * M, 1, 1], hwioToOihw(pk, 1, 1, C * M, F))];
  bias(ctx, l, F, ins);
  return withActivation(ctx, l, [null, win.oh, win.ow, F], (out) => emit(ctx, 'Conv', ins, out, { kernel_shape: { ints: [1, 1] } }));
};

const dense: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const s = shapeOf(ctx, x);
  if (s.length !== 2 || s[1] === null) {
    throw layerError(ctx, l, 'E_KERAS_SHAPE', `expects a vector input [batch, features], got [${s.map((d) => d ?? '?')}] from "${x}"`,
      'neurogate imports Dense layers on flat inputs; put a Flatten or global pooling layer before it');
  }
  const units = posInt(ctx, l, 'units', l.config.units);
  const k = ctx.weights.take(l, 'kernel', [s[1], units]);
  const ins = [x, addInitializer(ctx, `${l.name}/kernel`, [s[1], units], k)];
  bias(ctx, l, units, ins);
  return withActivation(ctx, l, [null, units], (out) => emit(ctx, 'Gemm', ins, out));
};

const batchNorm: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const s = shapeOf(ctx, x);
  const rawAxis = Array.isArray(l.config.axis) && l.config.axis.length === 1 ? l.config.axis[0] : l.config.axis ?? -1;
  const axis = typeof rawAxis === 'number' && rawAxis < 0 ? rawAxis + s.length : rawAxis;
  const C = s[s.length - 1];
  if (axis !== s.length - 1 || C === null) {
    throw layerError(ctx, l, 'E_KERAS_CONFIG', `normalises axis ${JSON.stringify(l.config.axis)} of a rank-${s.length} tensor; only the channel (last) axis is supported`,
      'Keras models in channels_last normalise axis -1; re-save the model with that');
  }
  const eps = l.config.epsilon ?? 1e-3;
  const gamma = l.config.scale === false ? new Float32Array(C).fill(1) : ctx.weights.take(l, 'gamma', [C]);
  const beta = l.config.center === false ? new Float32Array(C) : ctx.weights.take(l, 'beta', [C]);
  const mean = ctx.weights.take(l, 'moving_mean', [C]);
  const variance = ctx.weights.take(l, 'moving_variance', [C]);
  const ins = [
    addInitializer(ctx, `${l.name}/gamma`, [C], gamma),
    addInitializer(ctx, `${l.name}/beta`, [C], beta),
    addInitializer(ctx, `${l.name}/moving_mean`, [C], mean),
    addInitializer(ctx, `${l.name}/moving_variance`, [C], variance),
  ];
  emit(ctx, 'BatchNormalization', [x, ...ins], l.name, { epsilon: { f: eps } });
  return s;
};

const activation: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const s = shapeOf(ctx, x);
  emitActivation(ctx, activationOf(ctx, l, l.config.activation), x, l.name, s);
  return s;
};

const relu: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const { max_value: max, negative_slope: slope, threshold } = l.config;
  if ((slope ?? 0) !== 0 || (threshold ?? 0) !== 0) {
    throw layerError(ctx, l, 'E_KERAS_UNSUPPORTED', `negative_slope=${slope ?? 0}, threshold=${threshold ?? 0} are not supported (TF.js ignores them, so no reference could check them)`,
      'use max_value only, or a LeakyReLU layer for a negative slope');
  }
  if (max == null) emit(ctx, 'Relu', [x], l.name);
  else {
    if (typeof max !== 'number' || !(max > 0)) throw layerError(ctx, l, 'E_KERAS_CONFIG', `max_value is ${JSON.stringify(max)}, expected a positive number`, 'the model.json is damaged; convert the model again');
    emit(ctx, 'Clip', [x, scalar(ctx, 0), scalar(ctx, max)], l.name);
  }
  return shapeOf(ctx, x);
};

/**
 * PReLU: max(x, 0) + α·min(x, 0) with a learned α of the input's shape minus batch, size 1 on
 * shared_axes. In the IR α is laid out like the NCHW tensor it multiplies ([C, H, W]).
 */
const prelu: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const s = shapeOf(ctx, x);
  const raw = l.config.shared_axes;
  const shared = (raw == null ? [] : Array.isArray(raw) ? raw : [raw]).map((a: unknown) => {
    if (!Number.isInteger(a) || (a as number) < 1 || (a as number) >= s.length) throw layerError(ctx, l, 'E_KERAS_CONFIG', `shared_axes ${JSON.stringify(raw)} names an axis outside 1 … ${s.length - 1}`, 'the model.json is damaged; convert the model again');
    return a as number;
  });
  const alphaShape = s.slice(1).map((d, i) => (shared.includes(i + 1) ? 1 : d));
  if (alphaShape.some((d) => d === null)) throw layerError(ctx, l, 'E_KERAS_SHAPE', `its input [${s.map((d) => d ?? '?')}] has an unknown size on an axis that is not shared`, 'share the unknown axes (shared_axes) or fix the input size');
  const dims = alphaShape as number[];
  let alpha = ctx.weights.take(l, 'alpha', dims);
  let irDims = dims;
  if (dims.length === 3) {
    const [h, w, c] = dims;
    const chw = new Float32Array(alpha.length);
    for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) chw[k * h * w + i] = alpha[i * c + k];
    alpha = chw;
    irDims = [c, h, w];
  }
  emit(ctx, 'PRelu', [x, addInitializer(ctx, `${l.name}/alpha`, irDims, alpha)], l.name);
  return s;
};

/** UpSampling2D repeats (nearest) or interpolates (bilinear) by whole factors, as TF.js's resize without corner alignment. */
const upSampling2d: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  channelsLast(ctx, l);
  const [H, W, C] = image(ctx, l, x);
  const [sh, sw] = pair(ctx, l, 'size', l.config.size, 2);
  const method = l.config.interpolation ?? 'nearest';
  if (method !== 'nearest' && method !== 'bilinear') throw layerError(ctx, l, 'E_KERAS_CONFIG', `interpolation "${method}" is not supported`, 'supported interpolations: nearest, bilinear (as in TF.js)');
  // Whole factors are exact in float, so scales (not sizes) give exactly H·sh × W·sw.
  const roi = addInitializer(ctx, `${l.name}/roi`, [0], new Float32Array(0));
  const scales = addInitializer(ctx, `${l.name}/scales`, [4], Float32Array.of(1, 1, sh, sw));
  emit(ctx, 'Resize', [x, roi, scales], l.name, tfResizeAttrs(method, false, false));
  return [null, H * sh, W * sw, C];
};

const leakyRelu: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  emit(ctx, 'LeakyRelu', [x], l.name, { alpha: { f: l.config.alpha ?? l.config.negative_slope ?? 0.3 } });
  return shapeOf(ctx, x);
};

const elu: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  emit(ctx, 'Elu', [x], l.name, { alpha: { f: l.config.alpha ?? 1 } });
  return shapeOf(ctx, x);
};

const softmax: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  const s = shapeOf(ctx, x);
  const raw = Array.isArray(l.config.axis) && l.config.axis.length === 1 ? l.config.axis[0] : l.config.axis ?? -1;
  // TF.js (the reference) only normalises the last axis; other axes could not be checked.
  if (raw !== -1 && raw !== s.length - 1) {
    throw layerError(ctx, l, 'E_KERAS_CONFIG', `axis ${JSON.stringify(l.config.axis)} is not supported, only the last (channel) axis`, 'use axis=-1, as TF.js requires too');
  }
  emit(ctx, 'Softmax', [x], l.name, { axis: { i: irAxis(raw, s.length) } });
  return s;
};

function pooling(op: 'MaxPool' | 'AveragePool'): Converter {
  return (ctx, l, inputs) => {
    const x = one(ctx, l, inputs);
    channelsLast(ctx, l);
    const [H, W, C] = image(ctx, l, x);
    const kernel = pair(ctx, l, 'pool_size', l.config.pool_size, 2);
    const strides = l.config.strides == null ? kernel : pair(ctx, l, 'strides', l.config.strides, 1);
    const r = windowAttrs(H, W, { kernel, strides, dilations: [1, 1], padding: paddingOf(ctx, l) });
    if (r.oh < 1 || r.ow < 1) throw layerError(ctx, l, 'E_KERAS_SHAPE', `a ${kernel.join('×')} pool does not fit the ${H}×${W} input`, 'the input is too small for this model');
    // ONNX MaxPool never picks padded cells; AveragePool must not count them, as TF does not.
    const attrs = op === 'AveragePool' ? { ...r.attrs, count_include_pad: { i: 0 } } : r.attrs;
    emit(ctx, op, [x], l.name, attrs);
    return [null, r.oh, r.ow, C];
  };
}

function globalPooling(op: 'ReduceMean' | 'ReduceMax'): Converter {
  return (ctx, l, inputs) => {
    const x = one(ctx, l, inputs);
    channelsLast(ctx, l);
    const [, , C] = image(ctx, l, x);
    if (l.config.keepdims) throw layerError(ctx, l, 'E_KERAS_CONFIG', 'keepdims=true is not supported', 'TF.js cannot run it either; use keepdims=false');
    emit(ctx, op, [x], l.name, { axes: { ints: [2, 3] }, keepdims: { i: 0 } });
    return [null, C];
  };
}

function zeroPads(ctx: Ctx, l: KerasLayer): [[number, number], [number, number]] {
  const p = l.config.padding ?? 1;
  const bad = () => layerError(ctx, l, 'E_KERAS_CONFIG', `padding ${JSON.stringify(p)} is not an int, (h, w) or ((top, bottom), (left, right))`, 'the model.json is damaged; convert the model again');
  const nat = (v: unknown) => { if (!Number.isInteger(v) || (v as number) < 0) throw bad(); return v as number; };
  if (!Array.isArray(p)) return [[nat(p), nat(p)], [nat(p), nat(p)]];
  if (p.length !== 2) throw bad();
  return p.map((q) => (Array.isArray(q) ? (q.length === 2 ? [nat(q[0]), nat(q[1])] : (() => { throw bad(); })()) : [nat(q), nat(q)])) as [[number, number], [number, number]];
}

const zeroPadding2d: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  channelsLast(ctx, l);
  const [H, W, C] = image(ctx, l, x);
  const [[t, b], [left, right]] = zeroPads(ctx, l);
  const pads = claim(ctx, `${l.name}/pads`);
  ctx.initializers.push(int64TensorProto(pads, [8], [0, 0, t, left, 0, 0, b, right]));
  emit(ctx, 'Pad', [x, pads], l.name, { mode: { s: 'constant' } });
  return [null, H + t + b, W + left + right, C];
};

function sameShapes(ctx: Ctx, l: KerasLayer, inputs: string[], skipAxis = -1): KShape {
  if (inputs.length < 2) throw layerError(ctx, l, 'E_KERAS_FORMAT', `merges ${inputs.length} input(s); it needs at least two`, 'the model.json is damaged; convert the model again');
  const shapes = inputs.map((x) => shapeOf(ctx, x));
  const first = shapes[0];
  for (let i = 1; i < shapes.length; i++) {
    const s = shapes[i];
    if (s.length !== first.length || s.some((d, a) => a !== 0 && a !== skipAxis && d !== first[a])) {
      throw layerError(ctx, l, 'E_KERAS_SHAPE', `inputs "${inputs[0]}" [${first.map((d) => d ?? '?')}] and "${inputs[i]}" [${s.map((d) => d ?? '?')}] do not fit together`,
        'neurogate merges equally shaped tensors (no broadcasting)');
    }
  }
  return first;
}

function merge(op: 'Sum' | 'Mul' | 'Mean' | 'Max' | 'Min'): Converter {
  return (ctx, l, inputs) => {
    const s = sameShapes(ctx, l, inputs);
    if (op === 'Sum' && inputs.length === 2) emit(ctx, 'Add', inputs, l.name);
    else if (op === 'Mul') {
      // ONNX Mul takes two inputs; chain them in Keras's order.
      let acc = inputs[0];
      for (let i = 1; i < inputs.length; i++) acc = emit(ctx, 'Mul', [acc, inputs[i]], i === inputs.length - 1 ? l.name : `${l.name}/product${i}`);
    } else emit(ctx, op, inputs, l.name);
    return s;
  };
}

const concatenate: Converter = (ctx, l, inputs) => {
  const rank = shapeOf(ctx, inputs[0]).length;
  const raw = l.config.axis ?? -1;
  if (!Number.isInteger(raw) || raw < -rank || raw >= rank) throw layerError(ctx, l, 'E_KERAS_CONFIG', `axis ${JSON.stringify(raw)} does not exist in rank-${rank} inputs`, 'the model.json is damaged; convert the model again');
  const axis = raw < 0 ? raw + rank : raw;
  if (axis === 0) throw layerError(ctx, l, 'E_KERAS_CONFIG', 'concatenates along the batch axis', 'concatenate along channels (axis -1)');
  const s = [...sameShapes(ctx, l, inputs, axis)];
  const sizes = inputs.map((x) => shapeOf(ctx, x)[axis]);
  s[axis] = sizes.some((d) => d === null) ? null : sizes.reduce((a, b) => a! + b!, 0);
  emit(ctx, 'Concat', inputs, l.name, { axis: { i: irAxis(axis, rank) } });
  return s;
};

/** Keras flattens NHWC in H, W, C order; the IR is NCHW, so go back to NHWC first (`<layer>/nhwc`). */
const flatten: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  channelsLast(ctx, l);
  const s = shapeOf(ctx, x);
  if (s.length === 2) {
    emit(ctx, 'Identity', [x], l.name);
    return s;
  }
  const [H, W, C] = image(ctx, l, x);
  emit(ctx, 'Flatten', [emit(ctx, 'Transpose', [x], `${l.name}/nhwc`, { perm: { ints: [0, 2, 3, 1] } })], l.name, { axis: { i: 1 } });
  return [null, H * W * C];
};

/** Layers that only act while training. */
const identity: Converter = (ctx, l, inputs) => {
  const x = one(ctx, l, inputs);
  emit(ctx, 'Identity', [x], l.name);
  return shapeOf(ctx, x);
};

export const CONVERTERS: Record<string, Converter> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  Dense: dense,
  BatchNormalization: batchNorm,
  Activation: activation,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  PReLU: prelu,
  ELU: elu,
  Softmax: softmax,
  MaxPooling2D: pooling('MaxPool'),
  AveragePooling2D: pooling('AveragePool'),
  GlobalAveragePooling2D: globalPooling('ReduceMean'),
  GlobalMaxPooling2D: globalPooling('ReduceMax'),
  ZeroPadding2D: zeroPadding2d,
  UpSampling2D: upSampling2d,
  Concatenate: concatenate,
  Add: merge('Sum'),
  Multiply: merge('Mul'),
  Average: merge('Mean'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Flatten: flatten,
  Dropout: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};

export const SUPPORTED_LAYERS = ['InputLayer', ...Object.keys(CONVERTERS)];

/** Convert one layer; its output tensor is named `l.name` and its shape recorded. */
export function convertLayer(ctx: Ctx, l: KerasLayer): void {
  const conv = Object.hasOwn(CONVERTERS, l.className) ? CONVERTERS[l.className] : undefined;
  if (!conv) {
    throw layerError(ctx, l, 'E_KERAS_LAYER', `layer class ${l.className} is not supported`, `supported layer classes: ${SUPPORTED_LAYERS.join(', ')}`);
  }
  ctx.shapes.set(l.name, conv(ctx, l, l.inbound));
}
